#!/usr/bin/env bash
# Makes an AppCDS archive (or, on JDK 25+, an AOT cache) from a training run of the packaged balancer, for a
# faster start.
#
#   bin/appcds-train.sh JAR ARCHIVE [JAVA_OPTION...]       ARCHIVE ending in .aot: a JDK 25+ AOT cache
#   bin/appcds-train.sh target/quarkus-app/quarkus-run.jar target/quarkus-app/app-cds-trained.jsa -XX:+UseSerialGC
#   java -XX:SharedArchiveFile=target/quarkus-app/app-cds-trained.jsa -XX:+UseSerialGC \
#        -jar target/quarkus-app/quarkus-run.jar
#
# Quarkus' own archive (the build's app-cds.jsa) holds the classes of static initialisation only. This one holds
# every class a real start loads, and those of the first proxied requests and probes: the run starts the balancer,
# proxies requests to its own management interface (so no backend is needed), calls every management endpoint,
# then stops it with SIGTERM; the JVM writes the archive as it exits (-XX:ArchiveClassesAtExit, or
# -XX:AOTCacheOutput for .aot). Figures: docs/benchmarks.md, "Start-up and packaging".
#
# An archive only works for the JVM that made it and for the jar path exactly as given here: start the balancer
# with the same `java` and the same JAR argument (a JVM that cannot use it starts without it, and says why with
# -Xlog:cds). Pass the JVM options you run with (GC, heap): the archive is checked against some of them.
#
# Environment: JAVA (default: java), TRAINING_TRAFFIC_PORT (18080) and TRAINING_MANAGEMENT_PORT (19000), loopback
# ports free for the length of the run; TRAINING_REQUESTS (20) per endpoint.
set -euo pipefail

if (( $# < 2 )); then
    sed -n '2,7p' "$0" >&2
    exit 2
fi
jar=$1 archive=$2
shift 2
java=${JAVA:-java}
traffic_port=${TRAINING_TRAFFIC_PORT:-18080}
management_port=${TRAINING_MANAGEMENT_PORT:-19000}
requests=${TRAINING_REQUESTS:-20}
log=$(mktemp "${TMPDIR:-/tmp}/appcds-train.XXXXXX.log")

# http PORT METHOD PATH: one request on its own connection (bash' /dev/tcp: no curl needed in a slim image);
# prints the status code, or nothing when the connection is refused.
http() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1"
        printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello' "$2" "$3" >&3
        read -r _ status _ <&3 && echo "$status"
        cat <&3 > /dev/null
    ) 2> /dev/null || true
}

rm -f "$archive"
# ARCHIVE ending in .aot: a JDK 25+ AOT cache (JEP 483/514), written by the same training run.
if [[ $archive == *.aot ]]; then archive_option=-XX:AOTCacheOutput="$archive"; else archive_option=-XX:ArchiveClassesAtExit="$archive"; fi
LB_BACKENDS="http://127.0.0.1:$management_port" "$java" "$@" "$archive_option" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$traffic_port" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$management_port" \
    -Dlb.health.path=/q/health/live -Dlb.shutdown.readiness-delay=0s -jar "$jar" > "$log" 2>&1 &
pid=$!

for (( tries = 0; ; tries++ )); do
    [[ $(http "$management_port" GET /q/health/ready) == 200 ]] && break
    if ! kill -0 "$pid" 2> /dev/null || (( tries > 600 )); then
        echo "appcds-train: the balancer did not become ready; its output ($log):" >&2
        tail -20 "$log" >&2
        kill -KILL "$pid" 2> /dev/null || true
        exit 1
    fi
    sleep 0.1
done

proxied=0
for (( i = 0; i < requests; i++ )); do
    for path in /q/health/live /q/metrics /lb/backends /no-such-path; do
        [[ $(http "$traffic_port" GET "$path") =~ ^[2-4] ]] && proxied=$(( proxied + 1 ))
    done
    http "$traffic_port" POST /q/health/live > /dev/null
    for path in /q/health/ready /q/health/started /q/metrics /lb/backends /lb/dashboard; do
        http "$management_port" GET "$path" > /dev/null
    done
done

kill -TERM "$pid" 2> /dev/null || true # already gone: the check below says so
wait "$pid" || true                      # 143: terminated by SIGTERM, as expected
if (( proxied == 0 )) || [[ ! -s $archive ]]; then
    echo "appcds-train: no archive written ($proxied requests proxied); the balancer's output ($log):" >&2
    tail -20 "$log" >&2
    exit 1
fi
rm -f "$log"
echo "appcds-train: $archive written ($(( $(stat -c %s "$archive") / 1048576 )) MiB, $proxied requests proxied)"
