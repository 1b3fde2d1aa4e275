#!/usr/bin/env bash
# Soak, run by hand, not in CI. See docs/soak.md for results.
#
# DURATION seconds (default 600) of wrk load (CONNS=32 connections) through the balancer to three FaultBackends
# (DELAY_MS=10 each) while backend 3 flaps: every 30 s it is kill -9'ed at t = 15, 45, 75, ... and started
# again on the same port at t = 30, 60, 90, ... (down 15 s, up 15 s). Every 10 s the balancer's RSS
# (/proc/PID/status VmRSS) and a few JVM gauges are sampled. After the load stops: every backend's
# lb_backend_active_connections (must be 0) and the failed requests (idempotent GETs: aim 0).
#
# The balancer runs with the product's defaults (README): only the ports are set, and JVM options come from
# LB_JAVA_OPTS (default: none, i.e. the JVM's default heap, up to 1/4 of RAM). LB_JAVA_OPTS=-Xmx256m is the
# stricter variant (see docs/soak.md: it ends in OutOfMemoryError within a minute at ~2 000 req/s).
#
# Usage: bench/soak.sh      Env: DURATION=600 CONNS=32 THREADS=2 DELAY_MS=10 BASE_PORT=27200 OUT=/tmp/lb-soak-...
set -euo pipefail
source "$(dirname "$0")/fault-common.sh"

DURATION=${DURATION:-600}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DELAY_MS=${DELAY_MS:-10}
BASE_PORT=${BASE_PORT:-27200}
LB_JAVA_OPTS=${LB_JAVA_OPTS:-}
OUT=${OUT:-/tmp/lb-soak-$(date +%Y%m%d-%H%M%S)}
export SLOW_MS=${SLOW_MS:-1000}

B1=$((BASE_PORT + 1)); B2=$((BASE_PORT + 2)); B3=$((BASE_PORT + 3))
LB_PORT=$((BASE_PORT + 80)); LB_MGMT=$((BASE_PORT + 90))

need java javac wrk curl ss
[[ -f $LB_JAR ]] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 1; }
mkdir -p "$OUT"
trap cleanup EXIT INT TERM
compile_backend

log "soak: LB_JAVA_OPTS='$LB_JAVA_OPTS', ${DURATION}s, $CONNS connections, backend delay ${DELAY_MS} ms, out $OUT (load: $(cut -d' ' -f1-3 /proc/loadavg))"
start_backend "$B1" "$DELAY_MS" "$OUT/backends.log"
start_backend "$B2" "$DELAY_MS" "$OUT/backends.log"
start_backend "$B3" "$DELAY_MS" "$OUT/backends.log"; B3_PID=$BACKEND_PID

# shellcheck disable=SC2086
LB_BACKENDS="http://127.0.0.1:$B1,http://127.0.0.1:$B2,http://127.0.0.1:$B3" \
  java $LB_JAVA_OPTS -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=$LB_PORT \
  -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=$LB_MGMT -Dlb.shutdown.readiness-delay=0s \
  -jar "$LB_JAR" >"$OUT/lb.log" 2>&1 &
LB_PID=$!; STARTED_PIDS+=("$LB_PID")
wait_http "http://127.0.0.1:$LB_MGMT/q/health/ready" 60

metric() { # NAME-REGEX from the full scrape (JVM series included)
  curl -fsS -m 3 "http://127.0.0.1:$LB_MGMT/q/metrics" 2>/dev/null | awk -v re="$1" '$0 ~ re {s+=$NF} END {printf "%.0f", s}'
}
sample() { # t
  local rss
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$LB_PID/status")
  printf '%s,%s,%s,%s,%s,%s,%s\n' "$1" "$rss" \
    "$(metric '^jvm_memory_used_bytes\\{area="heap"')" \
    "$(metric '^jvm_memory_used_bytes\\{area="nonheap"')" \
    "$(metric '^jvm_gc_live_data_size_bytes')" \
    "$(metric '^lb_backend_active_connections')" \
    "$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/samples.csv"
}
echo "t_s,rss_kb,heap_used_b,nonheap_used_b,gc_live_data_b,active_sum,load1" >"$OUT/samples.csv"

timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency \
  -s "$BENCH_DIR/fault.lua" "http://127.0.0.1:$LB_PORT/" >"$OUT/wrk.txt" 2>&1 &
WRK_PID=$!; STARTED_PIDS+=("$WRK_PID")
START=$SECONDS
sample 0
flaps=0
# 5-second ticks on an absolute schedule; bounded by DURATION.
for ((t = 5; t <= DURATION; t += 5)); do
  while ((SECONDS - START < t)); do sleep 0.2; done
  if ((t % 30 == 15)) && ((t + 15 <= DURATION)); then
    kill -KILL "$B3_PID" 2>/dev/null || true
    wait "$B3_PID" 2>/dev/null || true
    flaps=$((flaps + 1)); echo "t=${t}s kill -9 backend 3 (flap $flaps)" >>"$OUT/events.txt"
  elif ((t % 30 == 0)) && ! kill -0 "$B3_PID" 2>/dev/null; then
    wait_port_free "$B3" 5 || true
    start_backend "$B3" "$DELAY_MS" "$OUT/backends.log" || true; B3_PID=$BACKEND_PID
    echo "t=${t}s backend 3 started again (pid $B3_PID)" >>"$OUT/events.txt"
  fi
  ((t % 10 == 0)) && sample "$t"
done
wait "$WRK_PID" || log "wrk exited non-zero"
log "load stopped (load: $(cut -d' ' -f1-3 /proc/loadavg))"
sleep 3
{
  echo "== after the load stopped (+3 s) =="
  echo "active connections per backend (must all be 0):"
  curl -fsS -m 5 "http://127.0.0.1:$LB_MGMT/q/metrics" | grep -E '^lb_backend_active_connections' || echo "  (scrape failed)"
  curl -fsS -m 5 "http://127.0.0.1:$LB_MGMT/q/metrics" |
    grep -E '^lb_(backend_up|requests_total|retries_total|retries_abandoned_total|backend_ejections_total)' |
    grep -v ' 0.0$' || true
  echo "== wrk =="; grep -E 'RESULT|Latency|requests in|Requests/sec' "$OUT/wrk.txt" || true
  echo "flaps: $flaps"
  echo "balancer still running: $(kill -0 "$LB_PID" 2>/dev/null && echo yes || echo NO)"
  echo "OutOfMemoryError lines: $(grep -c OutOfMemoryError "$OUT/lb.log" || true)"
  echo "state changes logged: $(grep -c -E 'backend .* (DOWN|UP)' "$OUT/lb.log" || true); ERROR lines: $(grep -c ERROR "$OUT/lb.log" || true)"
} | tee "$OUT/result.txt"
echo "== RSS samples (kB) =="; column -s, -t "$OUT/samples.csv"
awk -F, 'NR>1 && $1==60 {a=$2} NR>1 {b=$2; t=$1} END {if (a) printf "RSS minute 1: %d kB, end (t=%ss): %d kB, growth %.1f %%\n", a, t, b, (b-a)*100/a}' \
  "$OUT/samples.csv" | tee -a "$OUT/result.txt"
