#!/usr/bin/env bash
# Cost of the metrics: the same round-trip load (the shared harness's socketio-load.mjs with our adapter) against the
# server jar with metrics off, metrics on (our own metrics, the default), and metrics with Kanela's Pekko
# instrumentation, alternating by round, each on a fresh JVM. Figures in docs/BENCHMARKS.md.
#
#   WORK=/tmp/peers-run.XXXXXX ROUNDS="1 2 3 4 5" bash benchmarks/peers/instrumentation-cost.sh
# WORK is a directory prepared by run.sh (the harness with its node_modules and lib/clients/interactions.mjs).
set -uo pipefail
JAR=${JAR:-/tmp/bench-server.jar}
PORT=${PORT:-18190}
RESULTS=${RESULTS:-/tmp/instrumentation-cost}
cd "${WORK:?a directory prepared by run.sh}"
mkdir -p "$RESULTS"
run() { # label, extra java flags
  local label=$1; shift
  java -Xmx4g -Dorchestrator.http.port=$PORT -Dorchestrator.transport.max-connections=30000 \
    -Dorchestrator.node.max-sessions=200000 "$@" -jar $JAR > $RESULTS/$label.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.1; done
  local la; la=$(cut -d' ' -f1-3 /proc/loadavg)
  node socketio-load.mjs --client=interactions --url="http://127.0.0.1:$PORT" \
    --ask-path='/v1/sessions/{sid}/interactions?waitMs=6000' --expect='"ok":true' --stats-path='' \
    --server-pid=$pid --sessions=300 --concurrency=64 --duration=20 --warmup=10 --timeout-ms=5000 \
    --out=$RESULTS/$label.json >/dev/null 2>&1
  if [[ $label == *instrumented* ]]; then curl -s "http://127.0.0.1:$PORT/metrics" | grep -c '^pekko_group' > $RESULTS/$label.groups; fi
  kill $pid; wait $pid 2>/dev/null
  echo "$label loadavg-before=$la $(jq -c '{roundTripsPerS, p50: .latencyMs.p50, p99: .latencyMs.p99, errorCount, cpu}' $RESULTS/$label.json)"
}
for round in ${ROUNDS:-1 2}; do
  run "r$round-metrics-off" -Dorchestrator.metrics.enabled=false
  run "r$round-metrics-on" -Dorchestrator.metrics.instrumentation=off
  run "r$round-instrumented" -Dorchestrator.metrics.instrumentation=on
done
