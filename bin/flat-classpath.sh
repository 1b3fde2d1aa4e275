#!/usr/bin/env bash
# Writes a java argument file that runs the packaged balancer with every jar on one flat class path, for a
# faster start with an AppCDS archive.
#
#   bin/flat-classpath.sh APP_DIR [ARGFILE]
#   bin/flat-classpath.sh target/quarkus-app                      # writes target/quarkus-app/flat-classpath.args
#   java -XX:+UseSerialGC @target/quarkus-app/flat-classpath.args  # instead of -jar target/quarkus-app/quarkus-run.jar
#
# `java -jar quarkus-run.jar` loads the application and its libraries through Quarkus' own class loader. The JVM's
# class data sharing serves such a loader only half: even a class that is in the archive is read and inflated from
# its jar again at every start, so that the JVM can compare it with the archived one. Classes of the JVM's own
# application class loader come straight from the archive, and the archive can also hold those that were loaded
# but not yet linked when it was written (the 328 Fabric8 model classes every start loads, for one). On one core
# that took start to ready from 1.46 to 1.22 s (docs/benchmarks.md, tenth pass). The same jars, the same
# generated main class, the same configuration: only the class loader changes.
#
# Order matters in one place: quarkus/transformed-bytecode.jar holds classes Quarkus rewrote at build time, and
# must come before the jars holding their originals (a start fails otherwise). No other class is in two jars of
# this build (checked by AppCdsTrainingIT). Paths are made absolute: start java from any directory, and an AppCDS
# archive trained with this file matches the class path of every start with it.
set -euo pipefail

if (( $# < 1 )); then
    sed -n '2,7p' "$0" >&2
    exit 2
fi
app=$(cd "$1" && pwd)
argfile=${2:-$app/flat-classpath.args}

[[ -f $app/quarkus-run.jar && -f $app/quarkus/generated-bytecode.jar ]] \
    || { echo "flat-classpath: $app is not a Quarkus fast-jar directory (target/quarkus-app)" >&2; exit 1; }

shopt -s nullglob
jars=()
[[ -f $app/quarkus/transformed-bytecode.jar ]] && jars+=("$app/quarkus/transformed-bytecode.jar")
jars+=("$app/quarkus/generated-bytecode.jar" "$app"/app/*.jar "$app"/lib/boot/*.jar "$app"/lib/main/*.jar)
classpath=$(IFS=:; echo "${jars[*]}")

# What QuarkusEntryPoint and quarkus-run.jar's manifest would have set. (QuarkusEntryPoint also gives the common
# ForkJoinPool's threads Quarkus' class loader as context class loader; here the JVM's loader is the application's.)
cat > "$argfile" <<EOF
-Djava.util.logging.manager=org.jboss.logmanager.LogManager
--add-opens=java.base/java.lang=ALL-UNNAMED
--enable-native-access=ALL-UNNAMED
-cp
"$classpath"
io.quarkus.runner.GeneratedMain
EOF
echo "flat-classpath: $argfile written (${#jars[@]} jars)"
