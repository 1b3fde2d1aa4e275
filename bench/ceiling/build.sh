#!/usr/bin/env bash
# Builds bench/ceiling/NettyCeilingProxy.java into a runnable jar against the Netty and Vert.x jars of a packaged balancer,
# so that it runs on exactly the Netty, tcnative (BoringSSL), epoll and Vert.x versions the balancer ships:
#
#   bench/ceiling/build.sh [APP_DIR] [OUT_DIR]    # APP_DIR default target/quarkus-app, OUT_DIR default /tmp/lb-ceiling
#   SCENARIOS="h2 tls" BALANCERS="haproxy jvm-tuned jvm-ceil jvm-vceil" JAR_jvm_ceil=/tmp/lb-ceiling/ceiling.jar \
#       JVM_OPTS_jvm_ceil="$T" JAR_jvm_vceil=/tmp/lb-ceiling/ceiling.jar JVM_OPTS_jvm_vceil="$T -Dceiling.front=vertx" bench/run.sh
#
# The jar reads the properties and the LB_BACKENDS variable that run.sh gives every jvm variant.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
APP=${1:-$HERE/../../target/quarkus-app}
OUT=${2:-/tmp/lb-ceiling}
rm -rf "$OUT" && mkdir -p "$OUT/lib" "$OUT/classes"
i=0
for jar in "$APP"/lib/main/io.netty.*.jar "$APP"/lib/main/io.vertx.vertx-core-*.jar "$APP"/lib/main/com.fasterxml.jackson.core.jackson-core-*.jar; do
    i=$((i + 1))
    ln -s "$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")" "$OUT/lib/n$i.jar"
done
(( i > 0 )) || { echo "no Netty jars under $APP/lib/main: package the balancer first (./mvnw package)" >&2; exit 1; }
cd "$OUT"
javac --release 17 -cp "$(ls lib/*.jar | tr '\n' ':')" -d classes "$HERE/NettyCeilingProxy.java"
printf 'Main-Class: NettyCeilingProxy\nClass-Path: %s\n' "$(ls lib/*.jar | tr '\n' ' ')" > manifest.txt
jar cfm ceiling.jar manifest.txt -C classes .
echo "$OUT/ceiling.jar"
