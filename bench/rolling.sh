#!/usr/bin/env bash
# Rolling-restart benchmark, run by hand, not in CI. Results and reasoning: docs/fault-tolerance.md.
#
# Three backends (bench/FaultBackend.java, one JVM each, DELAY_MS per request) behind a balancer under constant
# wrk load (CONNS connections, DURATION seconds). Every PERIOD seconds the next backend in turn is kill -9'ed with
# requests in flight and started again DOWN_FOR seconds later on the same port. Each period in PERIODS is run
# against each balancer, one after the other, in one invocation.
# Probe cadence, the same for HAProxy and this balancer: every 20 s, every 2 s while DOWN (or failing), rise 2,
# fall 3, and a connection error marks a backend DOWN at once (HAProxy: observe layer4 on-error mark-down). NGINX
# has passive detection only (max_fails=1 fail_timeout=10s). Timeouts: connect 1 s, per try 1 s, 3 tries.
#
# Usage: bench/rolling.sh [BALANCERS] [PERIODS]    e.g.  bench/rolling.sh "lb haproxy nginx" "4 10"
# Env:   DURATION=60 DOWN_FOR=2 CONNS=32 THREADS=2 DELAY_MS=20 WARMUP=5 SETTLE=3 BASE_PORT=27300 OUT=/tmp/lb-rolling-...
# Needs: java 17+, wrk, haproxy, nginx, curl; ./mvnw -B package -DskipTests done beforehand.
set -euo pipefail
source "$(dirname "$0")/fault-common.sh"

BALANCERS=${1:-"lb haproxy nginx"}
PERIODS=${2:-"4 10"}
DURATION=${DURATION:-60}
DOWN_FOR=${DOWN_FOR:-2}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DELAY_MS=${DELAY_MS:-20}
WARMUP=${WARMUP:-5}
SETTLE=${SETTLE:-3}
BASE_PORT=${BASE_PORT:-27300}
OUT=${OUT:-/tmp/lb-rolling-$(date +%Y%m%d-%H%M%S)}

B1=$((BASE_PORT + 1)); B2=$((BASE_PORT + 2)); B3=$((BASE_PORT + 3))
LB_PORT=$((BASE_PORT + 80)); LB_MGMT=$((BASE_PORT + 90))
HA_PORT=$((BASE_PORT + 81)); HA_STATS=$((BASE_PORT + 91))
NG_PORT=$((BASE_PORT + 82))
HA_CHECK="inter 20s fastinter 2s downinter 2s fall 3 rise 2"
LB_OPTS=(
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=$LB_PORT
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=$LB_MGMT
  -Dlb.timeout.connect=1s -Dlb.timeout.response=1s -Dlb.retry.max-attempts=3
  -Dlb.health.interval=20s -Dlb.health.down-interval=2s -Dlb.health.timeout=1s
  -Dlb.health.fall=3 -Dlb.health.rise=2
  -Dlb.shutdown.readiness-delay=0s
)

need java javac wrk curl ss
[[ $BALANCERS == *haproxy* ]] && need haproxy
[[ $BALANCERS == *nginx* ]] && need nginx
[[ $BALANCERS == *lb* && ! -f $LB_JAR ]] && { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 1; }
mkdir -p "$OUT"
trap cleanup EXIT INT TERM
compile_backend

run_one() { # BALANCER PERIOD (e.g. 4s)
  local bal=$1 period=${2%s} dir="$OUT/$1-$2" wrkpid victim port ports=("$B1" "$B2" "$B3") pids=()
  mkdir -p "$dir"
  log "=== $bal / restart every ${period}s (load: $(cut -d' ' -f1-3 /proc/loadavg)) ==="
  for port in "${ports[@]}"; do
    wait_port_free "$port" 10 || true
    start_backend "$port" "$DELAY_MS" "$dir/backends.log" || return 1
    pids+=("$BACKEND_PID")
  done
  start_balancer "$bal" "$dir" || { log "$bal did not start, see $dir"; return 1; }
  timeout $((WARMUP + 20)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 10s "$BAL_URL" >"$dir/warmup.txt" 2>&1 || true
  sleep "$SETTLE"
  echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)" >"$dir/summary.txt"
  timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency \
    -s "$BENCH_DIR/rolling.lua" "$BAL_URL" >"$dir/wrk.txt" 2>&1 &
  wrkpid=$!
  local start=$SECONDS i=0 next=$period
  while ((next + DOWN_FOR < DURATION)); do
    ((start + next > SECONDS)) && sleep $((start + next - SECONDS))
    victim=$((i % 3))
    kill -KILL "${pids[$victim]}" 2>/dev/null || true
    log "t=$((SECONDS - start))s: kill -9 backend $((victim + 1)) (port ${ports[$victim]})"
    sleep "$DOWN_FOR"
    java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$FB_CLASSES" FaultBackend "${ports[$victim]}" \
      "$DELAY_MS" 64 >>"$dir/backends.log" 2>&1 &
    pids[$victim]=$!; STARTED_PIDS+=("${pids[$victim]}")
    i=$((i + 1)); next=$((next + period))
  done
  wait "$wrkpid" || log "wrk exited non-zero"
  echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$dir/summary.txt"
  grep RESULT "$dir/wrk.txt" >>"$dir/summary.txt" || echo "RESULT missing" >>"$dir/summary.txt"
  balancer_evidence "$bal" "$dir" >>"$dir/summary.txt" 2>&1 || true
  if [[ $bal == lb ]]; then
    sleep 3
    echo "active connections 3 s after the load stopped: $(lb_active_sum "$LB_MGMT")" >>"$dir/summary.txt"
  fi
  stop_pid "$BAL_PID"
  cleanup
  cat "$dir/summary.txt"
}

cases=""
for period in $PERIODS; do cases+="${period}s "; done
run_matrix "rolling-restart bench (DURATION=$DURATION DOWN_FOR=$DOWN_FOR CONNS=$CONNS THREADS=$THREADS DELAY_MS=$DELAY_MS WARMUP=$WARMUP SETTLE=$SETTLE)" "$cases" "$BALANCERS"
