// A thin HTTP front for churn.mjs against our JVM server, which has no /stats endpoint:
//   GET /stats  -> runs `jcmd <pid> GC.run` twice, then reads `GC.heap_info` ("used NK") and
//                  /proc/<pid>/status VmRSS; answers {pid, gcExposed:true, memory:{heapUsed, rss}}
//   anything else is forwarded unchanged to --target (keep-alive).
// The WebSocket clients bypass it (INTERACTIONS_WS_ORIGIN in interactions.mjs), so only the
// requester's POSTs take the extra hop; churn's heap figures come from the JVM itself.
//
//   node jvm-stats-proxy.mjs --port=8090 --target=http://127.0.0.1:8080 --server-pid=<pid>
import http from "node:http";
import fs from "node:fs";
import { execFileSync } from "node:child_process";

const arg = (k, d) => (process.argv.find((a) => a.startsWith(`--${k}=`)) ?? `=${d}`).split("=").slice(1).join("=");
const port = Number(arg("port", 8090));
const target = new URL(arg("target", "http://127.0.0.1:8080"));
const pid = Number(arg("server-pid", 0));
if (!pid) throw new Error("--server-pid is required");
if (!/^(127\.\d+\.\d+\.\d+|localhost)$/.test(target.hostname)) throw new Error("loopback targets only");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

function stats() {
  const jcmd = (...a) => execFileSync("jcmd", [String(pid), ...a], { encoding: "utf8" });
  jcmd("GC.run");
  jcmd("GC.run");
  const used = Number(jcmd("GC.heap_info").match(/used (\d+)K/)[1]) * 1024;
  const rss = Number(fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)[1]) * 1024;
  return { pid, gcExposed: true, memory: { heapUsed: used, rss } };
}

http
  .createServer((req, res) => {
    if (req.method === "GET" && req.url === "/stats") {
      try {
        const body = JSON.stringify(stats());
        res.writeHead(200, { "content-type": "application/json" }).end(body);
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
      return;
    }
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (ur) => {
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
      },
    );
    up.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(up);
  })
  .listen(port, "127.0.0.1", () => console.error(`jvm-stats-proxy on 127.0.0.1:${port} -> ${target.origin}, pid ${pid}`));
