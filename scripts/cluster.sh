#!/usr/bin/env bash
# The topology of docker-compose.yml without Docker: three orchestrator nodes as plain JVM processes on loopback,
# sharing one PostgreSQL.
#
#   scripts/cluster.sh up        start the nodes that are not running, wait until each answers /health/ready
#   scripts/cluster.sh down      SIGTERM every node and wait until they have exited (graceful shutdown)
#   scripts/cluster.sh kill9 N   kill -9 node N (1-3), as a crash
#   scripts/cluster.sh status    each node's pid, ports and /health/ready answer; exit 0 only when all are ready
#
# Node N listens for HTTP on 127.0.0.1:808N and for the cluster on 127.0.0.1:2552N; every node gets all three as seed
# nodes. The database comes from the environment (ORCHESTRATOR_JDBC_URL, ORCHESTRATOR_JDBC_USER,
# ORCHESTRATOR_JDBC_PASSWORD; driver and profile default to PostgreSQL's). Pid files and logs are kept under
# ORCHESTRATOR_CLUSTER_STATE (default .cluster/ in the repository, git-ignored); JAVA_OPTS is passed to every JVM.
# Loopback only, so auth stays off (the server allows that on loopback addresses).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${ORCHESTRATOR_CLUSTER_STATE:-$root/.cluster}
jar=$root/server/target/interactions-server.jar
nodes=(1 2 3)
seed_nodes=127.0.0.1:25521,127.0.0.1:25522,127.0.0.1:25523
# Start-up includes connecting to the database and applying the schema; a cold JVM on a busy machine takes a while.
ready_timeout=${ORCHESTRATOR_CLUSTER_READY_TIMEOUT:-120}
# A graceful shutdown takes up to orchestrator.http.shutdown-deadline plus Pekko's coordinated-shutdown phases (35 s).
stop_timeout=${ORCHESTRATOR_CLUSTER_STOP_TIMEOUT:-60}

usage() {
  echo "usage:" >&2
  sed -n '5,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

fail() {
  echo "cluster.sh: $*" >&2
  exit 1
}

http_port() { echo $((8080 + $1)); }
cluster_port() { echo $((25520 + $1)); }
pid_file() { echo "$state/node-$1.pid"; }
log_file() { echo "$state/node-$1.log"; }

# True when process $1 is a server JVM: a pid alone may have been reused by another program since.
is_server() {
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'interactions-server.jar'
}

# The pid of node $1 when it is running; nothing otherwise. A pid file whose process is gone (or is no server) is
# stale and removed.
running_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  if [[ $pid =~ ^[0-9]+$ ]] && is_server "$pid"; then
    echo "$pid"
  else
    rm -f "$file"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# GET /health/ready of node $1 as "<HTTP status> <status field>" (e.g. "200 ready", "503 not_ready"), or "unreachable".
readiness() {
  local answer
  if answer=$(curl -s --max-time 3 -w '\n%{http_code}' "http://127.0.0.1:$(http_port "$1")/health/ready"); then
    # The report's own status is its first field: {"status":"ready","checks":[…]}.
    echo "${answer##*$'\n'} $(sed -n 's/^{"status":"\([a-z_]*\)".*/\1/p' <<<"${answer%$'\n'*}")"
  else
    echo unreachable
  fi
}

require_database() {
  local missing=()
  for name in ORCHESTRATOR_JDBC_URL ORCHESTRATOR_JDBC_USER ORCHESTRATOR_JDBC_PASSWORD; do
    [[ -n ${!name+set} ]] || missing+=("$name")
  done
  if ((${#missing[@]})); then
    fail "set ${missing[*]}: the nodes share one PostgreSQL, e.g.
  export ORCHESTRATOR_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/interactions
  export ORCHESTRATOR_JDBC_USER=interactions ORCHESTRATOR_JDBC_PASSWORD=interactions"
  fi
  # Each node would otherwise open its own H2 file: separate databases, not one cluster.
  [[ $ORCHESTRATOR_JDBC_URL == jdbc:postgresql:* ]] \
    || fail "ORCHESTRATOR_JDBC_URL must be a PostgreSQL URL (jdbc:postgresql://…), not '$ORCHESTRATOR_JDBC_URL'"
}

build_if_missing() {
  [[ -f $jar ]] && return 0
  echo "building $jar (mvn -B -q -DskipTests -pl server -am package)"
  (cd "$root" && mvn -B -q -DskipTests -pl server -am package) || fail "the build failed"
}

start_node() {
  local node=$1 pid
  pid=$(running_pid "$node")
  if [[ -n $pid ]]; then
    echo "node $node already running (pid $pid)"
    return 0
  fi
  for port in "$(http_port "$node")" "$(cluster_port "$node")"; do
    port_in_use "$port" && fail "node $node: port $port is already in use by another process"
  done
  mkdir -p "$state/node-$node"
  echo "=== $(date -u +%FT%TZ) starting node $node" >>"$(log_file "$node")"
  # The working directory is the node's own, so that nothing a node writes relative to it lands in the repository.
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  (
    cd "$state/node-$node"
    exec env \
      ORCHESTRATOR_HTTP_HOST=127.0.0.1 \
      ORCHESTRATOR_HTTP_PORT="$(http_port "$node")" \
      ORCHESTRATOR_CLUSTER_HOST=127.0.0.1 \
      ORCHESTRATOR_CLUSTER_PORT="$(cluster_port "$node")" \
      ORCHESTRATOR_SEED_NODES="$seed_nodes" \
      ORCHESTRATOR_JDBC_DRIVER="${ORCHESTRATOR_JDBC_DRIVER:-org.postgresql.Driver}" \
      ORCHESTRATOR_JDBC_PROFILE="${ORCHESTRATOR_JDBC_PROFILE:-slick.jdbc.PostgresProfile\$}" \
      nohup java ${JAVA_OPTS:-} -jar "$jar" >>"$(log_file "$node")" 2>&1 </dev/null
  ) &
  pid=$!
  echo "$pid" >"$(pid_file "$node")"
  # Until the subshell has exec'd java, the pid is not yet recognisable as a server (see running_pid).
  for _ in $(seq 50); do
    is_server "$pid" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "node $node started (pid $pid): http 127.0.0.1:$(http_port "$node"), cluster 127.0.0.1:$(cluster_port "$node")"
}

await_ready() {
  local node=$1 deadline=$((SECONDS + ready_timeout)) answer
  while ((SECONDS < deadline)); do
    if [[ -z $(running_pid "$node") ]]; then
      echo "node $node exited while starting; the end of $(log_file "$node"):" >&2
      tail -n 20 "$(log_file "$node")" >&2
      exit 1
    fi
    answer=$(readiness "$node")
    if [[ $answer == 200\ * ]]; then
      echo "node $node ready"
      return 0
    fi
    sleep 1
  done
  fail "node $node not ready within ${ready_timeout} s (last answer: $answer); see $(log_file "$node")"
}

up() {
  require_database
  build_if_missing
  mkdir -p "$state"
  # Node 1 first, and alone: it creates the schema (concurrent CREATE TABLE IF NOT EXISTS can fail in PostgreSQL) and,
  # as the first seed node, forms the cluster that the others join.
  start_node 1
  await_ready 1
  for node in "${nodes[@]:1}"; do start_node "$node"; done
  for node in "${nodes[@]:1}"; do await_ready "$node"; done
  status
}

down() {
  local stopping=() pid deadline=$((SECONDS + stop_timeout))
  for node in "${nodes[@]}"; do
    pid=$(running_pid "$node")
    if [[ -n $pid ]]; then
      kill -TERM "$pid"
      stopping+=("$node")
      echo "node $node: SIGTERM sent (pid $pid)"
    fi
  done
  ((${#stopping[@]})) || { echo "no node running"; return 0; }
  for node in "${stopping[@]}"; do
    while [[ -n $(running_pid "$node") ]]; do
      ((SECONDS < deadline)) || fail "node $node still running after ${stop_timeout} s; scripts/cluster.sh kill9 $node"
      sleep 0.2
    done
    echo "node $node stopped"
  done
}

kill9() {
  local node=${1:-} pid
  [[ $node =~ ^[1-3]$ ]] || fail "kill9 needs a node number, 1 to 3"
  pid=$(running_pid "$node")
  if [[ -z $pid ]]; then
    echo "node $node is not running"
    return 0
  fi
  kill -KILL "$pid"
  while [[ -n $(running_pid "$node") ]]; do sleep 0.1; done
  echo "node $node killed (pid $pid, SIGKILL)"
}

status() {
  local all_ready=true pid answer
  printf '%-5s %-8s %-15s %-17s %s\n' node pid http cluster /health/ready
  for node in "${nodes[@]}"; do
    pid=$(running_pid "$node")
    if [[ -n $pid ]]; then
      answer=$(readiness "$node")
    else
      pid=-
      answer="not running"
    fi
    [[ $answer == 200\ * ]] || all_ready=false
    printf '%-5s %-8s %-15s %-17s %s\n' "$node" "$pid" "127.0.0.1:$(http_port "$node")" \
      "127.0.0.1:$(cluster_port "$node")" "$answer"
  done
  $all_ready
}

case ${1:-} in
  up) up ;;
  down) down ;;
  kill9) kill9 "${2:-}" ;;
  status) status ;;
  *) usage ;;
esac
