#!/usr/bin/env bash
# One-hour soak (issue 12, item 6): the server on its default store (H2 file), 10,000 WebSocket clients churning over
# 2,500 sessions, 200 requesters, every fate (the load tool's default mix). Every SAMPLE_EVERY the sampler forces a
# full GC (jcmd GC.run) and reads the heap used after it (jcmd GC.heap_info), the server's file descriptors and
# threads (/proc) and the load average. At the end: the load tool's verdict (0 errors, 0 hung, gauges back to 0), and
# the least-squares slope of the forced-GC heap series. Needs a quiet machine: nothing else running.
#
#   bash benchmarks/soak.sh                                   # 60 minutes
#   DURATION=10m SAMPLE_EVERY=60 bash benchmarks/soak.sh      # a short check of the procedure
#
# Output: benchmarks/results/soak-<UTC stamp>/ (samples.tsv, loadtool.txt, report.json, server.log, summary.txt,
# histogram-after.txt: the live classes once the load has ended and the server has settled).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
DURATION=${DURATION:-60m}
SAMPLE_EVERY=${SAMPLE_EVERY:-300} # seconds between forced-GC readings
CLIENTS=${CLIENTS:-10000}
SESSIONS=${SESSIONS:-2500}
REQUESTERS=${REQUESTERS:-200}
PORT=${PORT:-18400}
CLUSTER_PORT=${CLUSTER_PORT:-25540}
JAVA_OPTS=${JAVA_OPTS:-"-Xmx4g"}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$HERE/results/soak-$STAMP"
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/soak-data.XXXXXX) # the default store's file, outside the repo
SERVER_PID=""; SAMPLER_PID=""
cleanup() { # on every exit, also a failed one: the copied jars and the database go with the run
  [[ -n "$SAMPLER_PID" ]] && kill "$SAMPLER_PID" 2>/dev/null || true
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT
# Copies of the jars (the server's with its lib/), so that a build during the hour cannot change them underneath.
mkdir -p "$DATA/jars"
cp -r "$REPO/server/target/interactions-server.jar" "$REPO/server/target/lib" "$REPO/loadtool/target/interactions-loadtool.jar" "$DATA/jars/"
SERVER_JAR=$DATA/jars/interactions-server.jar
LOADTOOL_JAR=$DATA/jars/interactions-loadtool.jar

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < CLIENTS + 2000 )); then
  echo "ulimit -n is $(ulimit -n); need more than $((CLIENTS + 2000))" >&2
  exit 1
fi

note() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
note "load average before: $(cut -d' ' -f1-3 /proc/loadavg); output in $OUT"
# shellcheck disable=SC2086
(cd "$DATA" && ORCHESTRATOR_CLUSTER_PORT="$CLUSTER_PORT" exec java $JAVA_OPTS -Dorchestrator.http.port="$PORT" \
  -Dorchestrator.transport.max-connections=30000 -jar "$SERVER_JAR") >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "server not ready; see $OUT/server.log" >&2; exit 1; }

# Heap used after a forced full GC, in bytes (G1's "garbage-first heap total …, used …K" line).
heap_after_full_gc() {
  jcmd "$SERVER_PID" GC.run >/dev/null
  jcmd "$SERVER_PID" GC.heap_info | awk '/garbage-first heap/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); print v * 1024 } }'
}
sample() { # seconds since start, phase
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(heap_after_full_gc)" "$(ls "/proc/$SERVER_PID/fd" | wc -l)" \
    "$(ls "/proc/$SERVER_PID/task" | wc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
printf 'seconds\tphase\theap_used_after_full_gc_bytes\tfds\tthreads\tloadavg\n' >"$OUT/samples.tsv"
START=$(date +%s)
sample 0 before >>"$OUT/samples.tsv"
(
  while sleep "$SAMPLE_EVERY"; do sample "$(( $(date +%s) - START ))" load >>"$OUT/samples.tsv"; done
) &
SAMPLER_PID=$!

note "load: $CLIENTS clients, $SESSIONS sessions, $REQUESTERS requesters, $DURATION"
set +e
java -Xmx2g -jar "$LOADTOOL_JAR" --url "http://127.0.0.1:$PORT" --clients "$CLIENTS" --sessions "$SESSIONS" \
  --requesters "$REQUESTERS" --duration "$DURATION" --settle 2m --progress 30s --report "$OUT/report.json" \
  >"$OUT/loadtool.txt" 2>&1
STATUS=$?
set -e
kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
sample "$(( $(date +%s) - START ))" after >>"$OUT/samples.tsv"
# What is still live once everything has ended (after the full GC of the last reading).
jcmd "$SERVER_PID" GC.class_histogram | head -60 >"$OUT/histogram-after.txt"

{
  echo "load tool exit status: $STATUS (0: no hung interaction, gauges back to baseline)"
  grep -E '^(errors|hung)|round trips' "$OUT/loadtool.txt" | head -5 || true
  # Least squares over the samples taken under load (heap after a forced full GC against time).
  awk -F'\t' '$2 == "load" { n++; x = $1 / 3600; y = $3 / 1e6; sx += x; sy += y; sxx += x * x; sxy += x * y }
    END { if (n > 1) printf "heap after forced full GC: %d samples under load, slope %.3f MB/hour\n", n, (n * sxy - sx * sy) / (n * sxx - sx * sx) }' \
    "$OUT/samples.tsv"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/summary.txt"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
exit "$STATUS"
