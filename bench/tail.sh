#!/usr/bin/env bash
# The tail of the latency distribution (p50 ... p99.9 and the maximum, bench/wrk-tail.lua) of each balancer in
# SCENARIO (fast or tls: wrk -c64 with keep-alive, as in run.sh), ROUNDS interleaved rounds after the same warm-up
# as run.sh. The p99 of run.sh says how many requests wait; this says how long the worst ones wait.
#
#   bench/tail.sh                                              # tls: haproxy and jvm-tuned, 3 rounds
#   SCENARIO=fast BALANCERS="haproxy jvm-tuned jvm-x" JVM_OPTS_jvm_x="..." bench/tail.sh
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BALANCERS=${BALANCERS:-"haproxy jvm-tuned"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-20}
WARMUP_CYCLES=${WARMUP_CYCLES:-2}
source "$HERE/run.sh"
SCENARIO=${SCENARIO:-tls}

ensure_tools
make_tls_cert
start_fast_backends
LB_TLS=1
for lb in $BALANCERS; do start_balancer "$lb" "${FAST_PORTS[@]}"; done
for lb in $BALANCERS; do warm_up "$lb" "$WARMUP"; done
for (( round = 1; round <= ROUNDS; round++ )); do
    for lb in $BALANCERS; do
        sleep "$WARMUP_PAUSE"
        if [[ $SCENARIO == tls ]]; then url="https://127.0.0.1:$(( LB_PORT[$lb] + TLS_OFFSET ))/"; else url="http://127.0.0.1:${LB_PORT[$lb]}/"; fi
        echo "$SCENARIO round $round $lb: $(taskset -c "$LOAD_CPU" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION"s \
            -s "$HERE/wrk-tail.lua" "$url" | grep '^TAIL' | cut -c6-)"
    done
done
stop_balancers
stop_backends
