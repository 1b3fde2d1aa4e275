#!/usr/bin/env bash
# System calls per request: strace -c on each balancer during a short wrk run, after a warm-up. strace slows the
# traced process several times over, so read the counts per request, never the throughput. Same set-up as
# run.sh (balancers on one pinned core, NGINX backends and wrk on the other).
#
#   bench/syscalls.sh                                           # haproxy and jvm-tuned
#   BALANCERS="jvm-tuned jvm-x" JAR_jvm_x=/path/quarkus-run.jar JVM_OPTS_jvm_x="..." bench/syscalls.sh
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BALANCERS=${BALANCERS:-"haproxy jvm-tuned"}
source "$HERE/run.sh"
WARM=${WARM:-20}
RUN_SECONDS=${RUN_SECONDS:-8}

command -v strace >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y strace; }
ensure_tools
start_fast_backends
for lb in $BALANCERS; do start_balancer "$lb" "${FAST_PORTS[@]}"; done
for lb in $BALANCERS; do warm_up "$lb" "$WARM"; done
for lb in $BALANCERS; do
    timeout $(( RUN_SECONDS + 10 )) strace -c -f -p "${LB_PID[$lb]}" -o "$OUT/strace-$lb.txt" 2>/dev/null &
    tracer=$!
    sleep 1
    $(wrk_cmd "$lb" "$RUN_SECONDS") > "$OUT/strace-wrk-$lb.txt"
    kill -INT "$tracer" 2>/dev/null || true
    wait "$tracer" || true
    requests=$(grep -o 'requests=[0-9]*' "$OUT/strace-wrk-$lb.txt" | cut -d= -f2)
    echo "== $lb: $requests requests; calls per request by system call"
    awk -v r="$requests" '$4 ~ /^[0-9]+$/ && $NF != "total" { printf "  %-16s %8.3f\n", $NF, $4 / r }' \
        "$OUT/strace-$lb.txt" | sort -k2 -nr | head -12
done
stop_balancers
