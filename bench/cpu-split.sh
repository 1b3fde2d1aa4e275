#!/usr/bin/env bash
# Where each balancer's CPU goes per request: user and kernel microseconds per request (from /proc/PID/stat),
# req/s, p99 and peak RSS, for quick A/B comparisons between builds or flags. Same set-up as run.sh (balancers on
# one pinned core, NGINX backends and wrk on the other), but no quiet-machine checks: interleave ROUNDS and take
# medians.
#
#   bench/cpu-split.sh                                          # haproxy and jvm-tuned, 2 rounds of 10 s
#   BALANCERS="jvm-tuned jvm-x" JVM_OPTS_jvm_x="..." JAR_jvm_x=/path/quarkus-run.jar ROUNDS=5 bench/cpu-split.sh
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BALANCERS=${BALANCERS:-"haproxy jvm-tuned"}
source "$HERE/run.sh"
WARM=${WARM:-20}
RUN_SECONDS=${RUN_SECONDS:-10}

cpu_ticks() { # cpu_ticks PID...: summed utime and stime (clock ticks)
    for p in "$@"; do awk '{print $14, $15}' "/proc/$p/stat"; done | awk '{u += $1; s += $2} END {print u, s}'
}

ensure_tools
start_fast_backends
for lb in $BALANCERS; do start_balancer "$lb" "${FAST_PORTS[@]}"; done
for lb in $BALANCERS; do
    warm_up "$lb" "$WARM"
done
hz=$(getconf CLK_TCK)
for round in $(seq 1 "${ROUNDS:-2}"); do
    for lb in $BALANCERS; do
        pid=${LB_PID[$lb]}
        # shellcheck disable=SC2046
        read -r u0 s0 < <(cpu_ticks "$pid" $(pgrep -P "$pid" || true))
        $(wrk_cmd "$lb" "$RUN_SECONDS") > "$OUT/cpu-split-$lb.txt"
        # shellcheck disable=SC2046
        read -r u1 s1 < <(cpu_ticks "$pid" $(pgrep -P "$pid" || true))
        requests=$(grep -o 'requests=[0-9]*' "$OUT/cpu-split-$lb.txt" | cut -d= -f2)
        p99=$(grep -o 'p99_us=[0-9]*' "$OUT/cpu-split-$lb.txt" | cut -d= -f2)
        rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
        python3 -c "
u = ($u1 - $u0) / $hz; s = ($s1 - $s0) / $hz; r = $requests
print('round %s %-12s %7.0f req/s  user %5.2f us/req  kernel %5.2f us/req  p99 %6.2f ms  peak RSS %5.1f MiB'
      % ($round, '$lb', r / $RUN_SECONDS, u * 1e6 / r, s * 1e6 / r, $p99 / 1000, $rss / 1024))"
    done
done
stop_balancers
