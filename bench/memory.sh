#!/usr/bin/env bash
# Where the JVM balancer's resident memory goes under load: after a warm-up and a 10 s wrk run, prints the
# process' peak and current RSS (anonymous and file-backed) and the JVM's Native Memory Tracking summary
# (committed KB per area: heap, class metadata, CDS archive, code cache, threads...). Same set-up as run.sh.
#
#   bench/memory.sh                                        # jvm-tuned
#   BALANCERS="jvm-tuned jvm-x" JVM_OPTS_jvm_x="..." bench/memory.sh
#
# NMT itself costs about 2 MB of RSS and a little CPU: use run.sh's figures for RSS targets, this for the split.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BALANCERS=${BALANCERS:-jvm-tuned}
source "$HERE/run.sh"
WARM=${WARM:-20}
JVM_EXTRA_OPTS="${JVM_EXTRA_OPTS:-} -XX:NativeMemoryTracking=summary"

jcmd_of() { # jcmd_of VARIANT: the jcmd next to the variant's java
    local java
    java=$(readlink -f "$(command -v "$(java_of "$1")")")
    echo "$(dirname "$java")/jcmd"
}

ensure_tools
start_fast_backends
for lb in $BALANCERS; do start_balancer "$lb" "${FAST_PORTS[@]}"; done
for lb in $BALANCERS; do
    warm_up "$lb" "$WARM"
    pid=${LB_PID[$lb]}
    $(wrk_cmd "$lb" 10) > "$OUT/memory-wrk-$lb.txt"
    echo "== $lb: $(grep -o 'requests=[0-9]*' "$OUT/memory-wrk-$lb.txt") in 10 s"
    grep -E 'VmHWM|VmRSS|RssAnon|RssFile' "/proc/$pid/status"
    "$(jcmd_of "$lb")" "$pid" VM.native_memory summary > "$OUT/memory-nmt-$lb.txt"
    grep -o '^Total: .*' "$OUT/memory-nmt-$lb.txt"
    sed -nE 's/^(-? *[A-Za-z][A-Za-z ]*[a-z]) \(reserved=[0-9]+KB, committed=([0-9]+KB)\).*/\1 committed=\2/p' \
        "$OUT/memory-nmt-$lb.txt" | sed -E 's/^-? *//' | sort -t= -k2 -rn
done
stop_balancers
