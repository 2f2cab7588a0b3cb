#!/usr/bin/env bash
# Our server vs the Socket.IO peer, in ONE run, with the shared harness (/work/shared/peers):
#   1. round-trip load, SESSIONS clients, for each C in CONCURRENCIES: Socket.IO (fresh node
#      server) then ours (fresh JVM), back to back so both see the same machine;
#   2. heap per idle connection: Socket.IO via socketio-idle.mjs (/stats), ours via
#      interactions-idle.mjs (jcmd GC.run + GC.heap_info at 0, N/2, N connections), for each
#      transport in IDLE_TRANSPORTS ("ws", "sse"; each on a fresh JVM);
#   3. (CHURN_CYCLES > 0) churn.mjs against ours, /stats supplied by jvm-stats-proxy.mjs;
#   4. (WARMUP_CURVE > 0) warm-up: each server freshly started, loaded at C=64 with no warm-up for WARMUP_CURVE
#      seconds; time from process start to the first second at 90 % of the steady state (mean of the last 30 s).
# The harness is copied to a temp dir; our adapter goes to lib/clients/interactions.mjs. The
# shared files are used unchanged. Result: benchmarks/peers/results/peers-<UTC stamp>.json
#
#   bash benchmarks/peers/run.sh
#   CONCURRENCIES=64 DURATION=10 IDLE_CONNECTIONS=2000 CHURN_CYCLES=0 bash benchmarks/peers/run.sh
#   CONCURRENCIES= CHURN_CYCLES=0 IDLE_TRANSPORTS="ws sse" bash benchmarks/peers/run.sh   # idle heap only
#   CONCURRENCIES= IDLE_CONNECTIONS=0 CHURN_CYCLES=0 WARMUP_CURVE=90 bash benchmarks/peers/run.sh   # warm-up only
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-/work/shared/peers}
JAR=${JAR:-/tmp/bench-server.jar}
SIO_PORT=${SIO_PORT:-3100}
OUR_PORT=${OUR_PORT:-8080}
PROXY_PORT=${PROXY_PORT:-8090}
OUR_CLUSTER_PORT=${OUR_CLUSTER_PORT:-25520}
SESSIONS=${SESSIONS:-1000}
CONCURRENCIES=${CONCURRENCIES-"64 256"} # empty: no round-trip load
IDLE_TRANSPORTS=${IDLE_TRANSPORTS:-ws}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
TIMEOUT_MS=${TIMEOUT_MS:-5000}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
CHURN_CYCLES=${CHURN_CYCLES:-4000}
WARMUP_CURVE=${WARMUP_CURVE:-0}
JAVA_OPTS=${JAVA_OPTS:-"-Xmx4g"}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$HERE/results"
OUT="$HERE/results/peers-${STAMP}.json"

if [[ ! -f "$JAR" ]]; then cp "$REPO/server/target/interactions-server.jar" "$JAR"; fi
WORK=$(mktemp -d /tmp/peers-run.XXXXXX)
cp -r "$SHARED"/. "$WORK"/
cp "$HERE/interactions.mjs" "$WORK/lib/clients/interactions.mjs"
cp "$HERE/interactions-idle.mjs" "$HERE/jvm-stats-proxy.mjs" "$WORK/"
cd "$WORK"
mkdir -p parts
if [[ -z "${SKIP_INSTALL:-}" ]]; then npm ci --no-audit --no-fund --loglevel=error; fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < IDLE_CONNECTIONS + 1000 )); then
  echo "ulimit -n is $(ulimit -n); need more than ${IDLE_CONNECTIONS}" >&2
  exit 1
fi

SRV_PID=""; AUX_PID=""
stop_server() {
  for p in $AUX_PID $SRV_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  SRV_PID=""; AUX_PID=""
}
trap stop_server EXIT

start_sio() {
  STARTED_AT=$(date +%s.%N)
  PORT="$SIO_PORT" ASK_MODE=room node --expose-gc socketio-server.mjs >>parts/socketio-server.log 2>&1 &
  SRV_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:${SIO_PORT}/stats" >/dev/null && return 0; sleep 0.1; done
  echo "socket.io server did not come up" >&2; exit 1
}
start_ours() {
  STARTED_AT=$(date +%s.%N)
  # shellcheck disable=SC2086
  ORCHESTRATOR_CLUSTER_PORT="$OUR_CLUSTER_PORT" java $JAVA_OPTS -Dorchestrator.http.port="$OUR_PORT" -Dorchestrator.transport.max-connections=30000 \
    -Dorchestrator.node.max-sessions=200000 -jar "$JAR" >>parts/our-server.log 2>&1 &
  SRV_PID=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:${OUR_PORT}/health/ready" >/dev/null && return 0; sleep 0.1; done
  echo "our server did not come up; see $WORK/parts/our-server.log" >&2; exit 1
}
note() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
record() { # name, loadavg before -> parts/<name>.meta
  printf '{"loadavgBefore":"%s","startedAt":"%s"}\n' "$2" "$(date -u +%FT%TZ)" >"parts/$1.meta"
}

for C in $CONCURRENCIES; do
  LA=$(loadavg); record "sio-c${C}" "$LA"; note "Socket.IO load C=${C}, loadavg ${LA}"
  start_sio
  node socketio-load.mjs --url="http://127.0.0.1:${SIO_PORT}" --sessions="$SESSIONS" --concurrency="$C" \
    --duration="$DURATION" --warmup="$WARMUP" --timeout-ms="$TIMEOUT_MS" --out="parts/sio-c${C}.json" >/dev/null || note "Socket.IO load C=${C} FAILED"
  stop_server
  jq -c '{roundTripsPerS, latencyMs, errorCount, cpu}' "parts/sio-c${C}.json" >&2 || true

  LA=$(loadavg); record "ours-c${C}" "$LA"; note "our server load C=${C}, loadavg ${LA}"
  start_ours
  node socketio-load.mjs --client=interactions --url="http://127.0.0.1:${OUR_PORT}" \
    --ask-path="/v1/sessions/{sid}/interactions?waitMs=$((TIMEOUT_MS + 1000))" --expect='"ok":true' \
    --stats-path='' --server-pid="$SRV_PID" --sessions="$SESSIONS" --concurrency="$C" \
    --duration="$DURATION" --warmup="$WARMUP" --timeout-ms="$TIMEOUT_MS" --out="parts/ours-c${C}.json" >/dev/null || note "our load C=${C} FAILED"
  stop_server
  jq -c '{roundTripsPerS, latencyMs, errorCount, errors, cpu}' "parts/ours-c${C}.json" >&2 || true
done

if ((IDLE_CONNECTIONS > 0)); then
  LA=$(loadavg); record "sio-idle" "$LA"; note "Socket.IO idle N=${IDLE_CONNECTIONS}, loadavg ${LA}"
  start_sio
  node --max-old-space-size=8192 socketio-idle.mjs --url="http://127.0.0.1:${SIO_PORT}" \
    --connections="$IDLE_CONNECTIONS" --out="parts/sio-idle.json" >/dev/null || note "socketio-idle.mjs FAILED (recorded as missing)"
  stop_server
  [[ -f parts/sio-idle.json ]] && jq -c '{perConnection, afterAllClosed}' parts/sio-idle.json >&2

  for T in $IDLE_TRANSPORTS; do
    PART=ours-idle; [[ $T == ws ]] || PART="ours-idle-$T"
    LA=$(loadavg); record "$PART" "$LA"; note "our idle N=${IDLE_CONNECTIONS} over ${T}, loadavg ${LA}"
    start_ours
    node --max-old-space-size=8192 interactions-idle.mjs --url="http://127.0.0.1:${OUR_PORT}" --transport="$T" \
      --server-pid="$SRV_PID" --connections="$IDLE_CONNECTIONS" --out="parts/$PART.json" >/dev/null || note "interactions-idle.mjs over ${T} FAILED (recorded as missing)"
    stop_server
    [[ -f parts/$PART.json ]] && jq -c '{perConnection, afterAllClosed}' "parts/$PART.json" >&2
  done
fi

if ((WARMUP_CURVE > 0)); then
  for S in sio ours; do
    LA=$(loadavg); record "$S-warmup" "$LA"; note "${S} warm-up curve, ${WARMUP_CURVE} s from a fresh start, loadavg ${LA}"
    if [[ $S == sio ]]; then
      start_sio; ARGS=(--url="http://127.0.0.1:${SIO_PORT}")
    else
      start_ours; ARGS=(--client=interactions --url="http://127.0.0.1:${OUR_PORT}"
        --ask-path="/v1/sessions/{sid}/interactions?waitMs=$((TIMEOUT_MS + 1000))" --expect='"ok":true'
        --stats-path='' --server-pid="$SRV_PID")
    fi
    printf '{"readyS":%.3f}\n' "$(echo "$(date +%s.%N) - $STARTED_AT" | bc)" >"parts/$S-warmup.ready"
    node socketio-load.mjs "${ARGS[@]}" --sessions="$SESSIONS" --concurrency=64 --duration="$WARMUP_CURVE" --warmup=0 \
      --timeout-ms="$TIMEOUT_MS" --out="parts/$S-warmup.json" >/dev/null || note "${S} warm-up load FAILED"
    stop_server
  done
fi

if ((CHURN_CYCLES > 0)); then
  LA=$(loadavg); record "ours-churn" "$LA"; note "our churn K=${CHURN_CYCLES}, loadavg ${LA}"
  start_ours
  node jvm-stats-proxy.mjs --port="$PROXY_PORT" --target="http://127.0.0.1:${OUR_PORT}" \
    --server-pid="$SRV_PID" >>parts/proxy.log 2>&1 &
  AUX_PID=$!
  sleep 1
  INTERACTIONS_WS_ORIGIN="http://127.0.0.1:${OUR_PORT}" timeout "${CHURN_TIMEOUT:-480}" node churn.mjs --client=interactions \
    --url="http://127.0.0.1:${PROXY_PORT}" --ask-path='/v1/sessions/{sid}/interactions?waitMs=3000' \
    --cycles="$CHURN_CYCLES" --label="interactions-server" --out="parts/ours-churn.json" >/dev/null || true
  stop_server
  [[ -f parts/ours-churn.json ]] && jq -c '{retainedBytesPerCycle, neverCompletedAsks}' parts/ours-churn.json >&2
fi

node - "$OUT" "$JAR" <<'EOF'
const fs = require("fs");
const os = require("os");
const { execSync } = require("child_process");
const [out, jar] = process.argv.slice(2);
const read = (n) => (fs.existsSync(`parts/${n}.json`) ? JSON.parse(fs.readFileSync(`parts/${n}.json`, "utf8")) : null);
const meta = (n) => (fs.existsSync(`parts/${n}.meta`) ? JSON.parse(fs.readFileSync(`parts/${n}.meta`, "utf8")) : null);
const withMeta = (n) => { const r = read(n); return r && { ...meta(n), ...r }; };
const version = (p) => JSON.parse(fs.readFileSync(`node_modules/${p}/package.json`, "utf8")).version;
const load = [];
for (const c of (process.env.CONCURRENCIES ?? "64 256").split(/\s+/).filter(Boolean)) {
  const sio = withMeta(`sio-c${c}`), ours = withMeta(`ours-c${c}`);
  load.push({
    concurrency: Number(c),
    ratio: sio && ours ? {
      roundTripsPerS: +(ours.roundTripsPerS / sio.roundTripsPerS).toFixed(3),
      p99: +(ours.latencyMs.p99 / sio.latencyMs.p99).toFixed(3),
    } : null,
    socketio: sio, ours,
  });
}
// Process start -> ready -> clients connected -> the first second at 90 % of the mean of the last 30 s.
const warmup = (n) => {
  const r = read(n);
  if (!r || !fs.existsSync(`parts/${n}.ready`)) return null;
  const { readyS } = JSON.parse(fs.readFileSync(`parts/${n}.ready`, "utf8"));
  const ps = r.perSecond, tail = ps.slice(-30), steady = tail.reduce((a, b) => a + b, 0) / tail.length;
  const first = ps.findIndex((v) => v >= 0.9 * steady);
  return { ...meta(n), readyS: +readyS.toFixed(2), connectS: r.connectS, steadyRoundTripsPerS: Math.round(steady),
    secondsOfLoadTo90pct: first, processStartTo90pctS: +(readyS + r.connectS + first).toFixed(1), perSecond: ps };
};
const result = {
  comparison: "interactions-server vs socket.io emitWithAck (room)",
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(), node: process.version,
    java: execSync("java -version 2>&1").toString().trim().split("\n")[0],
    socketIo: version("socket.io"), socketIoClient: version("socket.io-client"),
    serverJar: jar, javaOpts: process.env.JAVA_OPTS || "-Xmx4g",
  },
  load,
  idle: { socketio: withMeta("sio-idle"), ours: withMeta("ours-idle"), oursSse: withMeta("ours-idle-sse") },
  churn: { ours: withMeta("ours-churn") },
  warmup: { socketio: warmup("sio-warmup"), ours: warmup("ours-warmup") },
};
fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
EOF
note "wrote $OUT (work dir $WORK)"
node -e '
const r = require(process.argv[1]);
for (const l of r.load) for (const [k, v] of [["socketio", l.socketio], ["ours", l.ours]]) if (v)
  console.log(`C=${l.concurrency} ${k.padEnd(8)} ${v.roundTripsPerS} rt/s  p50 ${v.latencyMs.p50}  p95 ${v.latencyMs.p95}  p99 ${v.latencyMs.p99} ms  errors ${v.errorCount}  loadavg ${v.loadavgBefore}`);
for (const l of r.load) if (l.ratio) console.log(`C=${l.concurrency} ratio ours/socketio: rt/s ${l.ratio.roundTripsPerS}, p99 ${l.ratio.p99}`);
if (r.idle.socketio) console.log("idle socketio per connection:", JSON.stringify(r.idle.socketio.perConnection));
if (r.idle.ours) console.log("idle ours per connection:", JSON.stringify(r.idle.ours.perConnection));
if (r.idle.oursSse) console.log("idle ours per SSE connection:", JSON.stringify(r.idle.oursSse.perConnection));
for (const [k, w] of Object.entries(r.warmup)) if (w)
  console.log(`warm-up ${k}: ready ${w.readyS} s, clients ${w.connectS} s, 90 % of ${w.steadyRoundTripsPerS} rt/s after ${w.secondsOfLoadTo90pct} s of load = ${w.processStartTo90pctS} s from process start`);
if (r.churn.ours) console.log("churn ours:", JSON.stringify(r.churn.ours.retainedBytesPerCycle), "neverCompleted", r.churn.ours.neverCompletedAsks);
' "$OUT"
