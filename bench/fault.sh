#!/usr/bin/env bash
# Fault benchmark, run by hand, not in CI. See docs/fault-tolerance.md for results and reasoning.
#
# Three backends (bench/FaultBackend.java, one JVM each, DELAY_MS per request) behind a balancer under constant
# wrk load (CONNS connections, DURATION seconds). One fault per run, always on backend 3:
#   kill    kill -9 of its process at t = FAULT_AT s (in-flight requests and pooled connections die)
#   refuse  its process is kill -9'ed 1 s before the measured run starts, after the balancer saw it healthy
#           and had pooled connections to it, and never restarted: its port refuses every connection
#   hang    kill -STOP of its process at t = FAULT_AT s (the kernel still accepts connections, nothing answers);
#           kill -CONT after the run
#   none    no fault: a control run, to see the latency tail the machine itself produces
# Balancers: lb (this project, target/quarkus-app), haproxy, nginx - configured with the same timeouts
# (connect 1 s, per-try response 1 s, 3 tries in all, checks every 2 s fall 3 rise 2 where supported).
#
# Usage: bench/fault.sh [BALANCERS] [FAULTS]     e.g.  bench/fault.sh "lb haproxy nginx" "kill refuse hang"
# Env:   DURATION=30 FAULT_AT=10 CONNS=32 THREADS=2 DELAY_MS=5 WARMUP=5 SETTLE=5 BASE_PORT=27100 OUT=/tmp/lb-fault-...
# Needs: java 17+, wrk, haproxy, nginx, curl; ./mvnw -B package -DskipTests done beforehand.
set -euo pipefail
source "$(dirname "$0")/fault-common.sh"

BALANCERS=${1:-"lb haproxy nginx"}
FAULTS=${2:-"kill refuse hang"}
DURATION=${DURATION:-30}
FAULT_AT=${FAULT_AT:-10}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DELAY_MS=${DELAY_MS:-5}
WARMUP=${WARMUP:-5}
SETTLE=${SETTLE:-5}
BASE_PORT=${BASE_PORT:-27100}
OUT=${OUT:-/tmp/lb-fault-$(date +%Y%m%d-%H%M%S)}
export SLOW_MS=${SLOW_MS:-900}

B1=$((BASE_PORT + 1)); B2=$((BASE_PORT + 2)); B3=$((BASE_PORT + 3))
LB_PORT=$((BASE_PORT + 80)); LB_MGMT=$((BASE_PORT + 90))
HA_PORT=$((BASE_PORT + 81)); HA_STATS=$((BASE_PORT + 91))
NG_PORT=$((BASE_PORT + 82))

need java javac wrk curl ss
[[ $BALANCERS == *haproxy* ]] && need haproxy
[[ $BALANCERS == *nginx* ]] && need nginx
[[ $BALANCERS == *lb* && ! -f $LB_JAR ]] && { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 1; }
mkdir -p "$OUT"
trap cleanup EXIT INT TERM
compile_backend

HA_CHECK="inter 2s fall 3 rise 2"
LB_OPTS=(
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=$LB_PORT
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=$LB_MGMT
  -Dlb.timeout.connect=1s -Dlb.timeout.response=1s -Dlb.retry.max-attempts=3
  -Dlb.health.interval=2s -Dlb.health.down-interval=2s -Dlb.health.timeout=1s
  -Dlb.health.fall=3 -Dlb.health.rise=2
  -Dlb.shutdown.readiness-delay=0s
)

run_one() { # BALANCER FAULT
  local bal=$1 fault=$2 dir="$OUT/$1-$2" b3pid wrkpid
  mkdir -p "$dir"
  log "=== $bal / $fault (load: $(cut -d' ' -f1-3 /proc/loadavg)) ==="
  wait_port_free "$B3" 10 || true
  start_backend "$B1" "$DELAY_MS" "$dir/backends.log" || return 1
  start_backend "$B2" "$DELAY_MS" "$dir/backends.log" || return 1
  start_backend "$B3" "$DELAY_MS" "$dir/backends.log" || return 1; b3pid=$BACKEND_PID
  start_balancer "$bal" "$dir" || { log "$bal did not start, see $dir"; return 1; }
  # Warm-up: JIT for the JVM balancer, pooled keep-alive connections to all three backends for everyone.
  timeout $((WARMUP + 20)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 10s "$BAL_URL" >"$dir/warmup.txt" 2>&1 || true
  # Let the warm-up's own end settle: wrk closes its connections mid-exchange, and this balancer can then mark
  # healthy backends DOWN for a few seconds (a defect, see docs/fault-tolerance.md); the runs measure the fault.
  sleep "$SETTLE"

  if [[ $fault == refuse ]]; then
    kill -KILL "$b3pid"; log "backend 3 (pid $b3pid) killed before the run; its port now refuses"
    sleep 1
  fi
  echo "load before run: $(cut -d' ' -f1-3 /proc/loadavg)" >"$dir/summary.txt"
  timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency \
    -s "$BENCH_DIR/fault.lua" "$BAL_URL" >"$dir/wrk.txt" 2>&1 &
  wrkpid=$!
  if [[ $fault == kill || $fault == hang ]]; then
    sleep "$FAULT_AT"
    if [[ $fault == kill ]]; then kill -KILL "$b3pid"; log "t=${FAULT_AT}s: kill -9 backend 3 (pid $b3pid)"
    else kill -STOP "$b3pid"; log "t=${FAULT_AT}s: kill -STOP backend 3 (pid $b3pid)"; fi
  fi
  wait "$wrkpid" || log "wrk exited non-zero"
  echo "load after run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$dir/summary.txt"
  grep RESULT "$dir/wrk.txt" >>"$dir/summary.txt" || echo "RESULT missing" >>"$dir/summary.txt"
  balancer_evidence "$bal" "$dir" >>"$dir/summary.txt" 2>&1 || true
  if [[ $fault == hang ]]; then
    kill -CONT "$b3pid" 2>/dev/null || true; log "kill -CONT backend 3"
  fi
  if [[ $bal == lb ]]; then
    sleep 3
    echo "active connections 3 s after the load stopped (and after CONT): $(lb_active_sum "$LB_MGMT")" >>"$dir/summary.txt"
  fi
  stop_pid "$BAL_PID"
  cleanup   # the backends
  cat "$dir/summary.txt"
}

run_matrix "fault bench (DURATION=$DURATION FAULT_AT=$FAULT_AT CONNS=$CONNS THREADS=$THREADS DELAY_MS=$DELAY_MS WARMUP=$WARMUP SETTLE=$SETTLE SLOW_MS=$SLOW_MS)" "$FAULTS" "$BALANCERS"
