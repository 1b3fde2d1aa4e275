#!/usr/bin/env bash
# Profiles the JVM balancer under wrk load with Java Flight Recorder, on the same CPU budget as run.sh
# (balancer pinned to one core, one event loop; three NGINX backends and wrk on the other core).
#
#   bench/profile.sh                       # JFR to $OUT/lb.jfr, report to $OUT/profile.txt
#   VARIANT=jvm-x JVM_OPTS_jvm_x="-Xmx256m" bench/profile.sh   # another variant (see run.sh)
#
# Load: WARMUP seconds unrecorded, then PROFILE_SECONDS recorded (JFR settings=profile). SAMPLE_MS=1 samples Java
# stacks every millisecond instead of every 10 to 20 (a copy of the JDK's profile.jfc with that period).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/run.sh"
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
JFR_FILE=${JFR_FILE:-$OUT/lb.jfr}
VARIANT=${VARIANT:-jvm}            # which JVM variant of run.sh to profile (jvm, jvm-tuned, ...)

ensure_tools
start_fast_backends
JFR_SETTINGS=profile
if [[ -n ${SAMPLE_MS:-} ]]; then
    JFR_SETTINGS=$OUT/sampling.jfc
    java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    sed "s|<setting name=\"period\" control=\"method-sampling-java-interval\">[^<]*<|<setting name=\"period\" control=\"method-sampling-java-interval\">${SAMPLE_MS} ms<|" \
        "$java_home/lib/jfr/profile.jfc" > "$JFR_SETTINGS"
fi
JVM_EXTRA_OPTS="${JVM_EXTRA_OPTS:-} -XX:StartFlightRecording=name=bench,delay=${WARMUP}s,settings=$JFR_SETTINGS"
rm -f "$JFR_FILE"
start_jvm "$VARIANT" "${FAST_PORTS[@]}"
log "profiling: ${WARMUP}s warm-up, then ${PROFILE_SECONDS}s recorded"
$(wrk_cmd "$VARIANT" $(( WARMUP + PROFILE_SECONDS ))) | tee "$OUT/profile-wrk.txt" >&2
jcmd "${LB_PID[$VARIANT]}" JFR.stop name=bench filename="$JFR_FILE" >&2
stop_balancers
jfr summary "$JFR_FILE" > "$OUT/jfr-summary.txt"
python3 "$HERE/jfr-top.py" "$JFR_FILE" | tee "$OUT/profile.txt"
