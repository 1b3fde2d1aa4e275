#!/usr/bin/env bash
# What else runs on the balancer's core, and how long its event loop waits for the CPU: `perf sched` on LB_CPU for
# 8 s while wrk offers RATE req/s (bench/paced.lua) after a warm-up. Prints wrk's result line and perf's
# per-thread scheduling summary (runtime, switches, average and worst wait to run), sorted by the worst wait.
# Same set-up as run.sh (all listed balancers are started first, then measured one at a time).
#
#   bench/sched.sh                                  # jvm-tuned at 20 000 req/s
#   BALANCERS="haproxy jvm-tuned" RATE=5000 bench/sched.sh
#   perf sched timehist -i $OUT/sched-jvm-tuned.data   # then: who ran while the event loop waited
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BALANCERS=${BALANCERS:-jvm-tuned}
source "$HERE/run.sh"
WARM=${WARM:-20}

ensure_tools
command -v perf > /dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
start_fast_backends
for lb in $BALANCERS; do start_balancer "$lb" "${FAST_PORTS[@]}"; done
for lb in $BALANCERS; do
    warm_up "$lb" "$WARM"
    warm_up_paced "$lb" 15
    $(wrk_cmd "$lb" 14 paced.lua) > "$OUT/sched-wrk-$lb.txt" &
    wrk_pid=$!
    sleep 2
    perf sched record -C "$LB_CPU" -o "$OUT/sched-$lb.data" -- sleep 8 2> /dev/null
    wait "$wrk_pid"
    echo "== $lb: $(grep RESULT "$OUT/sched-wrk-$lb.txt")"
    perf sched latency -i "$OUT/sched-$lb.data" --sort max 2> /dev/null | sed -n '2,16p'
done
stop_balancers
