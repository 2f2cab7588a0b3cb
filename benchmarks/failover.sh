#!/usr/bin/env bash
# Issue 11's failover benchmark (not a test): three nodes of scripts/cluster.sh on a fresh PostgreSQL database, SESSIONS
# sessions all hosted on node VICTIM with one WebSocket client each on the two other nodes, PENDING of them with one
# pending interaction; then kill -9 of node VICTIM, timed by FailoverBenchmark until every pending interaction is back
# and every client replayed. See docs/BENCHMARKS.md, "Cluster deployment (issue 11)".
#
#   benchmarks/failover.sh [STABLE_AFTER [SESSIONS [PENDING [VICTIM]]]]      e.g.  benchmarks/failover.sh 20s 10000 1000 3
#
# STABLE_AFTER becomes ORCHESTRATOR_CLUSTER_STABLE_AFTER (split-brain-resolver.stable-after; the server's default is
# 20s). Every other server setting is the default. The database is interactions_bench (its tables are dropped first).
# Build first:  mvn -o -B -q -pl benchmarks,server -am package dependency:build-classpath -DskipTests \
#                   -Dmdep.outputFile=target/classpath.txt
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stable_after=${1:-20s}
sessions=${2:-10000}
pending=${3:-1000}
victim=${4:-3}

export ORCHESTRATOR_JDBC_URL=${ORCHESTRATOR_JDBC_URL:-jdbc:postgresql://127.0.0.1:5432/interactions_bench}
export ORCHESTRATOR_JDBC_USER=${ORCHESTRATOR_JDBC_USER:-interactions} ORCHESTRATOR_JDBC_PASSWORD=${ORCHESTRATOR_JDBC_PASSWORD:-interactions}
export ORCHESTRATOR_CLUSTER_STABLE_AFTER=$stable_after
# Pekko's cluster and sharding messages at INFO in the node logs (unreachable, downing, removal), to see where the time goes.
export JAVA_OPTS=${JAVA_OPTS:--Xmx3g -DPEKKO_LOG_LEVEL=INFO}
export ORCHESTRATOR_CLUSTER_STATE=${ORCHESTRATOR_CLUSTER_STATE:-$root/.cluster/failover}
ulimit -n "$(ulimit -Hn)"

# Another engineer's test suite shares the machine: wait until no Surefire JVM runs.
while pgrep -f surefire >/dev/null; do
  echo "$(date -u +%T) a Surefire JVM is running; waiting"
  sleep 30
done
echo "== $(date -u +%FT%TZ) load average before: $(cut -d' ' -f1-3 /proc/loadavg); ulimit -n $(ulimit -n); stable-after $stable_after"

PGPASSWORD=$ORCHESTRATOR_JDBC_PASSWORD psql -q -h 127.0.0.1 -U "$ORCHESTRATOR_JDBC_USER" -d interactions_bench \
  -c 'DROP TABLE IF EXISTS event_tag, event_journal, snapshot, durable_state CASCADE'
rm -rf "$ORCHESTRATOR_CLUSTER_STATE"
trap '"$root/scripts/cluster.sh" down || true' EXIT
"$root/scripts/cluster.sh" up
sleep 5

cd "$root/benchmarks"
status=0
java -Xmx4g -XX:+UseG1GC -Dlogback.configurationFile=logback-benchmarks.xml \
  -cp "target/classes:$(cat target/classpath.txt)" dev.interactions.benchmarks.FailoverBenchmark \
  --sessions "$sessions" --pending "$pending" --victim "$victim" --state "$ORCHESTRATOR_CLUSTER_STATE" \
  --label "stable-after=$stable_after" || status=$?
echo "== $(date -u +%FT%TZ) load average after: $(cut -d' ' -f1-3 /proc/loadavg); benchmark exit $status"

# Where the time went, from the surviving nodes' logs.
for node in 1 2 3; do
  [[ $node == "$victim" ]] && continue
  log=$ORCHESTRATOR_CLUSTER_STATE/node-$node.log
  echo "-- node $node"
  grep -E 'UNREACHABLE|SBR|Leader is removing|is removing|Member removed|downing|Downing|Marking' "$log" | tail -n 12 || true
  echo "   sessions recovered here: $(grep -c 'recovered .* pending interactions' "$log" || true)," \
    "first $(grep 'recovered .* pending interactions' "$log" | head -1 | cut -c1-12)," \
    "last $(grep 'recovered .* pending interactions' "$log" | tail -1 | cut -c1-12)"
done
exit $status
