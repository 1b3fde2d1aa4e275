# Shared helpers for bench/fault.sh and bench/soak.sh (sourced, not run). Loopback only; every wait is bounded.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
LB_JAR="$REPO_DIR/target/quarkus-app/quarkus-run.jar"

# PIDs of everything this script started; cleanup() stops them (SIGCONT first, in case one is stopped).
STARTED_PIDS=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "missing command: $c (apt-get install -y haproxy nginx-light wrk)" >&2; exit 1; }
  done
}

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}

# Stop one process we started (bounded: TERM, up to 5 s, then KILL) and forget it.
stop_pid() {
  local pid=$1 p keep=()
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${STARTED_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  STARTED_PIDS=("${keep[@]}")
}

# Wait (at most $2 seconds) until URL $1 answers with any HTTP 2xx.
wait_http() {
  local url=$1 limit=${2:-30} deadline=$((SECONDS + ${2:-30}))
  while ((SECONDS < deadline)); do
    curl -fsS -m 1 -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  log "timeout after ${limit}s waiting for $url"
  return 1
}

# Wait (at most $2 seconds) until nothing listens on 127.0.0.1:$1 (a port is free again).
wait_port_free() {
  local port=$1 deadline=$((SECONDS + ${2:-10}))
  while ((SECONDS < deadline)); do
    ss -Hltn "sport = :$port" | grep -q . || return 0
    sleep 0.2
  done
  log "port $port still in use"
  return 1
}

# Compile FaultBackend once per script run (faster restarts than `java FaultBackend.java` each time).
FB_CLASSES=""
compile_backend() {
  FB_CLASSES=$(mktemp -d /tmp/faultbackend.XXXXXX)
  javac -d "$FB_CLASSES" "$BENCH_DIR/FaultBackend.java"
}

# start_backend PORT DELAY_MS LOGFILE -> sets BACKEND_PID. Small JVM: these are test fixtures.
BACKEND_PID=""
start_backend() {
  local port=$1 delay=$2 logf=$3
  java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$FB_CLASSES" FaultBackend "$port" "$delay" 64 \
    >>"$logf" 2>&1 &
  BACKEND_PID=$!
  STARTED_PIDS+=("$BACKEND_PID")
  wait_http "http://127.0.0.1:$port/" 30
}

# Prometheus scrape of our balancer, lb_* series only.
lb_metrics() {
  curl -fsS -m 5 "http://127.0.0.1:$1/q/metrics" 2>/dev/null | grep -E '^lb_' || true
}

# Sum of lb_backend_active_connections over all backends (or "?").
lb_active_sum() {
  lb_metrics "$1" | awk '/^lb_backend_active_connections/ {s+=$2; n++} END {if (n) printf "%d", s; else printf "?"}'
}
