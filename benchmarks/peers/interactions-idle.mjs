// Heap per idle WebSocket (or SSE) connection on our (JVM) server: the counterpart of the harness's
// socketio-idle.mjs, which needs a /stats endpoint our server does not have. Heap is read with
// `jcmd <pid> GC.run` (twice) then `jcmd <pid> GC.heap_info` ("used NK") at 0, N/2 and N idle
// connections (each pinging every --ping-ms; SSE clients only listen), and again after all closed.
// Per connection = least-squares slope over (0, N/2, N) and (reading(N) - reading(0)) / N.
//
//   node interactions-idle.mjs --url=http://127.0.0.1:8080 --server-pid=<pid> --connections=10000
//   node interactions-idle.mjs ... --transport=sse     # GET /v1/sessions/{sid}/events instead
//
// Must run from the harness directory (imports ./lib/common.mjs, ./lib/clients/interactions.mjs).
import { execFileSync } from "node:child_process";
import http from "node:http";
import { assertLoopback, emit, localAddresses, options, ramp, round } from "./lib/common.mjs";

const opt = options({
  url: "http://127.0.0.1:8080",
  serverPid: 0,
  connections: 10000,
  pingMs: 10000,
  localAddrs: 4,
  connectConcurrency: 100,
  connectTimeoutMs: 20000,
  settleMs: 3000,
  sessionPrefix: "idle-",
  transport: "ws", // ws | sse
  out: "",
});
if (!["ws", "sse"].includes(opt.transport)) throw new Error("--transport must be ws or sse");
assertLoopback(opt.url);
if (!opt.serverPid) throw new Error("--server-pid is required (jcmd)");
const adapter = await import("./lib/clients/interactions.mjs");

// An event-stream client: resolves once the welcome event has arrived; the server's heartbeat comments keep it open.
function connectSse({ url, session, localAddress, connectTimeoutMs, onDrop }) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    let welcomed = false;
    let closing = false;
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: `/v1/sessions/${encodeURIComponent(session)}/events`,
        localAddress,
        agent: false,
        headers: { accept: "text/event-stream" },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`session ${session}: HTTP ${res.statusCode}`));
        }
        res.setEncoding("utf8");
        let seen = "";
        res.on("data", (chunk) => {
          if (welcomed) return;
          seen += chunk;
          if (seen.includes("event: welcome")) {
            welcomed = true;
            clearTimeout(timer);
            resolve({
              close() {
                closing = true;
                req.destroy();
              },
            });
          }
        });
        res.on("close", () => {
          if (welcomed && !closing) onDrop?.("event stream ended");
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`session ${session}: no welcome in time`));
    }, connectTimeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      if (!welcomed) reject(err);
    });
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jcmd = (...args) => execFileSync("jcmd", [String(opt.serverPid), ...args], { encoding: "utf8" });
function rssBytes() {
  const status = execFileSync("cat", [`/proc/${opt.serverPid}/status`], { encoding: "utf8" });
  const m = status.match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) * 1024 : null;
}
async function reading(label, connected) {
  await sleep(opt.settleMs);
  jcmd("GC.run");
  jcmd("GC.run");
  const info = jcmd("GC.heap_info");
  const m = info.match(/used (\d+)K/);
  if (!m) throw new Error(`cannot parse GC.heap_info:\n${info}`);
  const r = { label, connected, heapUsed: Number(m[1]) * 1024, rss: rssBytes(), at: new Date().toISOString() };
  console.error(`${label}: ${connected} connected, heap used ${(r.heapUsed / 2 ** 20).toFixed(1)} MiB`);
  return r;
}

const addrs = localAddresses(opt.localAddrs);
const clients = [];
let drops = 0;
let pushed = 0;
const connectN = async (from, to) => {
  await ramp(to - from, opt.connectConcurrency, async (j) => {
    const i = from + j;
    const connect = opt.transport === "sse" ? connectSse : adapter.connect;
    clients.push(
      await connect({
        url: opt.url,
        session: `${opt.sessionPrefix}${i}`,
        localAddress: addrs[i % addrs.length],
        connectTimeoutMs: opt.connectTimeoutMs,
        pingMs: opt.pingMs,
        answer: () => {
          pushed++;
          return adapter.NO_ANSWER;
        },
        onDrop: () => drops++,
      }),
    );
  });
};

const points = [await reading("baseline", 0)];
const half = Math.floor(opt.connections / 2);
let t = Date.now();
await connectN(0, half);
const connectHalfS = (Date.now() - t) / 1000;
points.push(await reading("half", half));
t = Date.now();
await connectN(half, opt.connections);
const connectRestS = (Date.now() - t) / 1000;
// Hold a full heartbeat period so every connection has pinged at least once.
await sleep(Math.max(0, opt.pingMs + 1000 - opt.settleMs));
points.push(await reading("full", opt.connections));
const dropsWhileHeld = drops;
for (const c of clients) c.close();
await sleep(5000);
const afterClose = await reading("afterAllClosed", 0);

const xs = points.map((p) => p.connected);
const ys = points.map((p) => p.heapUsed);
const mx = xs.reduce((a, b) => a + b) / xs.length;
const my = ys.reduce((a, b) => a + b) / ys.length;
const slope =
  xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
emit(
  {
    kind: "idle-connections",
    target: { url: opt.url, client: "interactions", serverPid: opt.serverPid },
    params: { connections: opt.connections, transport: opt.transport, pingMs: opt.pingMs, localAddrs: opt.localAddrs },
    connectS: { firstHalf: round(connectHalfS, 2), secondHalf: round(connectRestS, 2) },
    points,
    perConnection: {
      heapUsedSlopeBytes: round(slope, 0),
      heapUsedEndToEndBytes: round((points[2].heapUsed - points[0].heapUsed) / opt.connections, 0),
      rssEndToEndBytes: round((points[2].rss - points[0].rss) / opt.connections, 0),
    },
    afterAllClosed: {
      heapUsed: afterClose.heapUsed,
      heapAboveBaselineBytes: afterClose.heapUsed - points[0].heapUsed,
      rss: afterClose.rss,
    },
    clientDropsWhileHeld: dropsWhileHeld,
    interactionsPushed: pushed,
    node: process.version,
  },
  opt.out,
);
process.exit(0);
