#!/usr/bin/env bash
# The tail after a quiet spell: each variant alone, warmed up as run.sh does (plus 30 s at RATE), then 10 s paced
# runs (bench/paced.lua) after each idle spell of IDLES seconds. Per run: wrk's percentiles, the compiler threads'
# CPU (jit_ms: the JIT recompiling what it had not seen under load), compiled methods made not entrant (needs
# -XX:+PrintCompilation, added here), the balancer's major page faults and the machine's steal time.
#
#   bench/idle.sh                                         # jvm-tuned, idle spells of 70 1 70 1 70 1 s
#   VARIANTS="jvm-tuned jvm-x" JVM_OPTS_jvm_x="..." IDLES="70 1" bench/idle.sh
#   WARMUP_PAUSE=1 bench/idle.sh                          # a warm-up without quiet spells between its runs
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VARIANTS=${VARIANTS:-jvm-tuned}
BALANCERS=$VARIANTS
source "$HERE/run.sh"
IDLES=${IDLES:-"70 1 70 1 70 1"}
JVM_EXTRA_OPTS="${JVM_EXTRA_OPTS:-} -XX:+PrintCompilation"

compiler_ticks() { # compiler_ticks PID: CPU ticks used so far by the JVM's compiler threads
    local task sum=0
    for task in /proc/"$1"/task/*; do
        if grep -q Compiler "$task/comm"; then sum=$(( sum + $(awk '{print $14 + $15}' "$task/stat") )); fi
    done
    echo "$sum"
}
major_faults() { awk '{print $12}' /proc/"$1"/stat; }
steal_ticks() { awk '/^cpu /{print $9}' /proc/stat; }
not_entrant() { grep -c 'made not entrant' "$OUT/$1.log"; }

ensure_tools
start_fast_backends
tick_ms=$(( 1000 / $(getconf CLK_TCK) ))
for lb in $VARIANTS; do
    start_balancer "$lb" "${FAST_PORTS[@]}"
    pid=${LB_PID[$lb]}
    warm_up "$lb" 20
    warm_up_paced "$lb" 30
    for idle in $IDLES; do
        sleep "$idle"
        ne0=$(not_entrant "$lb") jit0=$(compiler_ticks "$pid") flt0=$(major_faults "$pid") st0=$(steal_ticks)
        result=$($(wrk_cmd "$lb" 10 paced.lua) | grep RESULT | sed 's/^RESULT //;s/ max_us.*//;s/requests=[0-9]* duration_us=[0-9]* //')
        echo "$(date +%T) $lb idle=${idle}s $result jit_ms=$(( ($(compiler_ticks "$pid") - jit0) * tick_ms ))" \
            "not_entrant=$(( $(not_entrant "$lb") - ne0 )) major_faults=$(( $(major_faults "$pid") - flt0 ))" \
            "steal_ms=$(( ($(steal_ticks) - st0) * tick_ms ))"
    done
    stop_balancers
done
