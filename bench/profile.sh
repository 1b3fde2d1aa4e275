#!/usr/bin/env bash
# Profiles the JVM balancer under wrk load with Java Flight Recorder, on the same CPU budget as run.sh
# (balancer pinned to one core, one event loop; three NGINX backends and wrk on the other core).
#
#   bench/profile.sh                       # JFR to $OUT/lb.jfr, report to $OUT/profile.txt
#   JVM_EXTRA_OPTS="-Dquarkus.vertx.prefer-native-transport=true" bench/profile.sh
#
# Load: WARMUP seconds unrecorded, then PROFILE_SECONDS recorded (JFR settings=profile).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/run.sh"
PROFILE_SECONDS=${PROFILE_SECONDS:-30}
JFR_FILE=${JFR_FILE:-$OUT/lb.jfr}

ensure_tools
start_fast_backends
JVM_EXTRA_OPTS="${JVM_EXTRA_OPTS:-} -XX:StartFlightRecording=delay=${WARMUP}s,duration=${PROFILE_SECONDS}s,filename=$JFR_FILE,settings=profile"
rm -f "$JFR_FILE"
start_jvm "${FAST_PORTS[@]}"
log "profiling: ${WARMUP}s warm-up, then ${PROFILE_SECONDS}s recorded"
$(wrk_cmd jvm $(( WARMUP + PROFILE_SECONDS + 3 ))) | tee "$OUT/profile-wrk.txt" >&2
for _ in $(seq 1 100); do [[ -s $JFR_FILE ]] && break; sleep 0.1; done
sleep 1
stop_balancers
jfr summary "$JFR_FILE" > "$OUT/jfr-summary.txt"
python3 "$HERE/jfr-top.py" "$JFR_FILE" | tee "$OUT/profile.txt"
