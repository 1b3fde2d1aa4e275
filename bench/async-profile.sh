#!/usr/bin/env bash
# Profiles the JVM balancer under wrk load with async-profiler: CPU including kernel frames (what JFR cannot
# see: here more than half of the time is in the kernel) and allocations by size, without safepoint bias.
# async-profiler is downloaded from Maven Central into $OUT (tools.profiler:async-profiler) and loaded into the
# running balancer with jcmd after the warm-up. Same set-up as run.sh.
#
#   bench/async-profile.sh                          # jvm-tuned: cpu then alloc, 15 s each; summary on stdout
#   VARIANT=jvm-x JAR_jvm_x=... JVM_OPTS_jvm_x="..." EVENTS="cpu" bench/async-profile.sh
#   SCENARIO=h2 EVENTS=cpu bench/async-profile.sh    # the load of run.sh's h2 scenario (h2load -c16 -m10) instead
#
# Output: $OUT/ap-<event>.collapsed (collapsed stacks: flame-graph input), summarised by collapsed-top.py.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/run.sh"
VARIANT=${VARIANT:-jvm-tuned}
EVENTS=${EVENTS:-"cpu alloc"}
AP_SECONDS=${AP_SECONDS:-15}
AP_VERSION=${AP_VERSION:-4.2}
WARM=${WARM:-40}

lib=$OUT/async-profiler-$AP_VERSION/linux-x64/libasyncProfiler.so
if [[ ! -f $lib ]]; then
    mkdir -p "$OUT/async-profiler-$AP_VERSION"
    curl -fsSL -o "$OUT/async-profiler-$AP_VERSION.jar" \
        "https://repo.maven.apache.org/maven2/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/').jar"
    (cd "$OUT/async-profiler-$AP_VERSION" && unzip -q -o "../async-profiler-$AP_VERSION.jar")
    lib=$(find "$OUT/async-profiler-$AP_VERSION" -name libasyncProfiler.so | head -1)
fi

ensure_tools
start_fast_backends
start_balancer "$VARIANT" "${FAST_PORTS[@]}"
warm_up "$VARIANT" "$WARM"
pid=${LB_PID[$VARIANT]}
for event in $EVENTS; do
    options=interval=1ms
    [[ $event == alloc ]] && options=interval=65536,total    # a sample every 64 KiB; counted in bytes
    $(wrk_cmd "$VARIANT" $(( AP_SECONDS + 4 ))) > "$OUT/ap-wrk-$event.txt" &
    load=$!
    sleep 2
    # the options travel as one quoted argument: jcmd would split name=value pairs otherwise
    jcmd "$pid" JVMTI.agent_load "$lib" \
        "\"start,event=$event,$options,file=$OUT/ap-$event.collapsed,collapsed,timeout=$AP_SECONDS\"" >/dev/null
    wait "$load"
    sleep 1
    log "$event: $(grep -o 'requests=[0-9]*' "$OUT/ap-wrk-$event.txt")"
done
stop_balancers
for event in $EVENTS; do
    echo "== $event"
    python3 "$HERE/collapsed-top.py" "$OUT/ap-$event.collapsed" "$event"
done
