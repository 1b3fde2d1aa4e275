#!/usr/bin/env bash
# Benchmarks this balancer against HAProxy and NGINX on loopback. Run by hand, never in CI:
#
#   bench/run.sh                     # everything: startup, scenarios "fast", "paced" and "slow"
#   SCENARIOS=fast ROUNDS=1 DURATION=10 bench/run.sh    # a quick look
#   SCENARIOS=routes bench/run.sh    # 50 routes against the single catch-all, same build and flags
#   SCENARIOS=accesslog bench/run.sh # the access log on, written to a file, against the log off
#   SCENARIOS="h2 tls tls-new" BALANCERS="haproxy nginx jvm-tuned" bench/run.sh   # HTTP/2 and TLS at the edge
#
# CPU budget: every balancer is pinned to the same single core (LB_CPU, default 1) with taskset, and runs
# one worker: HAProxy `nbthread 1`, NGINX `worker_processes 1`, the JVM with one Vert.x event loop
# (-Dquarkus.vertx.event-loops-pool-size=1). The JVM's GC and JIT threads share that core too, so the JVM
# gets exactly the same CPU as the others. Backends and wrk run on the other core (LOAD_CPU, default 0).
# Only one balancer is under load at a time; rounds are interleaved (order rotates every round).
# Scenarios: fast (closed loop: 64 connections, each sending its next request when a response arrives), paced
# (the same backends offered RATE req/s: latency at equal load, bench/paced.lua), slow (2/10/50 ms backends),
# routes (as fast, jvm-tuned with its one catch-all route against jvm-routes: the same build and flags with 50
# routes of mixed hosts and prefixes in front, none of which the load matches, so every request walks the
# whole table before it reaches the catch-all), accesslog (as fast, jvm-tuned against jvm-accesslog: the same
# build and flags with lb.access-log.enabled=true and the io.lb.access category on an asynchronous file handler
# that discards lines when its queue is full, as docs/observing.md recommends; the lines each run wrote are counted
# against its requests, so a discarding log cannot pass for a cheap one), h2 (h2load -c16 -m10: 16 cleartext HTTP/2 connections with 10
# streams each, prior knowledge: HAProxy `bind ... proto h2`, NGINX `listen ... http2`, the balancer's plain port),
# tls (wrk over TLS with keep-alive, HTTP/1.1: HAProxy `bind ... ssl crt`, NGINX `listen ... ssl`, the balancer's
# quarkus.http.ssl-port) and tls-new (the same with `Connection: close`, bench/wrk-close.lua: every request a new
# TCP connection and a TLS handshake). The TLS certificate is a self-signed RSA 2048 one made
# with openssl for the run; TLS 1.3 is what wrk and all three balancers agree on.
#
# Everything listens on and targets 127.0.0.1 only; every wait is bounded; all started processes are
# stopped on exit. Results: $OUT/results.jsonl (one JSON line per measured run), $OUT/summary.md.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${OUT:-/tmp/lb-bench}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}          # seconds per measured wrk run
WARMUP=${WARMUP:-15}              # seconds of unmeasured load per balancer and scenario before round 1
WARMUP_CYCLES=${WARMUP_CYCLES:-4} # the warm-up is split into this many wrk runs, WARMUP_PAUSE seconds apart
WARMUP_PAUSE=${WARMUP_PAUSE:-6}   # longer than lb.client.keep-alive-timeout (4 s): see warm_up
CONNS=${CONNS:-64}
H2_CLIENTS=${H2_CLIENTS:-16}       # scenario h2: h2load connections...
H2_STREAMS=${H2_STREAMS:-10}       # ...and concurrent streams on each
WRK_THREADS=${WRK_THREADS:-1}
SCENARIOS=${SCENARIOS:-"startup fast paced slow"}
RATE=${RATE:-20000}               # scenario paced: requests/s offered to each balancer (below all their capacities)
export RATE WRK_THREADS           # read by paced.lua
# Scenario paced: after the full-speed warm-up, this much load at RATE before round 1, so that the first round
# does not also measure the JIT adapting to the new traffic pattern (set 0 to include that). The JIT's relearning
# after an emptied connection pool is the full-speed warm-up's job (WARMUP_PAUSE; see warm_up).
PACED_WARMUP=${PACED_WARMUP:-30}
BALANCERS=${BALANCERS:-"haproxy nginx jvm jvm-tuned"}
STARTUP_RUNS=${STARTUP_RUNS:-5}
LB_CPU=${LB_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
MAX_FOREIGN=${MAX_FOREIGN:-15}    # % of a core used by other processes above which a run is repeated
MAX_TRIES=${MAX_TRIES:-3}
QUIET_WAIT=${QUIET_WAIT:-180}     # before each run, wait up to this many seconds for the machine to be idle
# The JVM balancer runs in variants, each a name starting with "jvm" and its own flags (docs/benchmarks.md):
#   jvm        the application as shipped: default configuration, default JVM ergonomics (under taskset the JVM
#              sees one CPU and so picks SerialGC; max heap is 1/4 of RAM)
#   jvm-tuned  the documented flags (JVM_OPTS_jvm_tuned, the same as src/main/docker/Dockerfile.jvm's apart from
#              the fixed heap sizes): SerialGC, bounded heap/metaspace/code cache/direct memory, C2 thresholds
#              10x higher (fewer C2 compilations competing with start-up on one core), and an AppCDS archive
#              made before the first start (CDS_jvm_tuned=1; see appcds_archive): started the way the image
#              starts it
# Add variants with BALANCERS="... jvm-x" and JVM_OPTS_jvm_x="..." (and JAR_jvm_x=path/to/quarkus-run.jar to
# run another build of the balancer, CDS_jvm_x=1 to give it an AppCDS archive (CDS_jvm_x=static: Quarkus' own), JAVA_jvm_x=/path/to/bin/java to run
# it on another JVM than the `java` on the PATH, AOT_jvm_x=1 to give a JDK 25+ variant a Leyden AOT cache from
# Quarkus' generate mode (AOT_jvm_x=trained: from a training run), SPLIT_jvm_x=1 to leave the event loop alone on
# its core, see split_event_loop).
LB_QUARKUS_OPTS=${LB_QUARKUS_OPTS:-"-Dquarkus.vertx.event-loops-pool-size=1"}
JVM_OPTS_jvm=${JVM_OPTS_jvm:-""}
JVM_OPTS_jvm_tuned=${JVM_OPTS_jvm_tuned:-"-XX:+UseSerialGC -Xms96m -Xmx96m -Xmn64m -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -Xss512k -XX:MaxDirectMemorySize=64m -XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 -XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000 -XX:TrimNativeHeapInterval=30000 -Dquarkus.vertx.prefer-native-transport=true"}
CDS_jvm_tuned=${CDS_jvm_tuned:-1}
ROUTES_CONFIG=${ROUTES_CONFIG:-$OUT/routes50.properties}
JVM_OPTS_jvm_routes=${JVM_OPTS_jvm_routes:-"$JVM_OPTS_jvm_tuned -Dquarkus.config.locations=$ROUTES_CONFIG"}
CDS_jvm_routes=${CDS_jvm_routes:-$CDS_jvm_tuned}
BALANCERS_routes=${BALANCERS_routes:-"jvm-tuned jvm-routes"}
# Each log-on variant (a name starting with jvm-accesslog) reads $OUT/accesslog-<variant>.properties and writes
# $OUT/access-<variant>.log: Quarkus rotates a log file when a process opens it, so two processes must not share one.
JVM_OPTS_jvm_accesslog=${JVM_OPTS_jvm_accesslog:-"$JVM_OPTS_jvm_tuned -Dquarkus.config.locations=$OUT/accesslog-jvm-accesslog.properties"}
CDS_jvm_accesslog=${CDS_jvm_accesslog:-$CDS_jvm_tuned}
BALANCERS_accesslog=${BALANCERS_accesslog:-"jvm-tuned jvm-accesslog"}
JAR=${JAR:-$ROOT/target/quarkus-app/quarkus-run.jar}

FAST_PORTS=(18081 18082 18083)
H2_OFFSET=10                      # HAProxy's and NGINX's h2c listener: their port + 10 (the balancer's plain port speaks h2c)
TLS_OFFSET=50                     # every balancer's TLS listener: its port + 50
TLS_DIR=${TLS_DIR:-$OUT/tls}
SLOW_SPECS=(18091:2 18092:10 18093:50)
SLOW_PORTS=(18091 18092 18093)
declare -A LB_PORT=([haproxy]=18100 [nginx]=18200)
declare -A MGMT_PORT=()
next_port=18300
for lb in $BALANCERS $BALANCERS_routes $BALANCERS_accesslog jvm ${VARIANT:-}; do
    if [[ $lb == jvm* && -z ${LB_PORT[$lb]:-} ]]; then
        LB_PORT[$lb]=$next_port
        MGMT_PORT[$lb]=$(( next_port + 1000 ))
        next_port=$(( next_port + 100 ))
    fi
done

declare -A LB_PID=()
BACKEND_PIDS=()
STARTED=()

log() { printf '%s [bench] %s (load %s)\n' "$(date +%T)" "$*" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2; }

cleanup() {
    for pid in "${STARTED[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED[@]}"; do
        stop_pid "$pid"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop_pid PID: SIGTERM, then SIGKILL after 15 s (a JVM thrashing in GC may not exit on SIGTERM).
stop_pid() {
    kill "$1" 2>/dev/null || true
    for _ in $(seq 1 150); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# wait_http URL SECONDS: until URL answers 200, polling every 20 ms; fails after SECONDS.
wait_http() {
    local url=$1 deadline=$(( $(date +%s) + $2 ))
    while (( $(date +%s) < deadline )); do
        if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true) == 200 ]]; then
            return 0
        fi
        sleep 0.02
    done
    echo "no 200 from $url within $2 s" >&2
    return 1
}

ensure_tools() {
    local missing=()
    command -v haproxy >/dev/null || missing+=(haproxy)
    command -v nginx >/dev/null || missing+=(nginx-light)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v taskset >/dev/null || missing+=(util-linux)
    command -v h2load >/dev/null || missing+=(nghttp2-client)
    command -v openssl >/dev/null || missing+=(openssl)
    if (( ${#missing[@]} )); then
        log "installing ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    fi
    # The delayed backend prefers a JDK with virtual threads (21+); JDK 17 works with a thread pool.
    BACKEND_JAVA=${BACKEND_JAVA:-}
    if [[ -z $BACKEND_JAVA ]]; then
        for candidate in /usr/lib/jvm/temurin-2[1-9]*/bin/java /usr/lib/jvm/java-2[1-9]*/bin/java; do
            [[ -x $candidate ]] && BACKEND_JAVA=$candidate && break
        done
        BACKEND_JAVA=${BACKEND_JAVA:-java}
    fi
    if [[ ! -f $JAR ]]; then
        log "building the balancer"
        (cd "$ROOT" && ./mvnw -B package -DskipTests)
    fi
    mkdir -p "$OUT"
    make_tls_cert   # HAProxy's and NGINX's configurations name it in every scenario
}

start_fast_backends() {
    local dir=$OUT/backends-nginx servers=""
    mkdir -p "$dir"
    for port in "${FAST_PORTS[@]}"; do
        servers+="
    server {
        listen 127.0.0.1:$port reuseport backlog=4096;
        location / {
            add_header X-Backend b$port;
            return 200 \"hello from b$port\\n\";
        }
    }"
    done
    cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    default_type text/plain;
$servers
}
EOF
    taskset -c "$LOAD_CPU" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
    BACKEND_PIDS=($!)
    STARTED+=($!)
    for port in "${FAST_PORTS[@]}"; do wait_http "http://127.0.0.1:$port/" 10; done
}

start_slow_backends() {
    taskset -c "$LOAD_CPU" "$BACKEND_JAVA" -Dsun.net.httpserver.nodelay=true -Xmx256m \
        "$HERE/Backend.java" "${SLOW_SPECS[@]}" --max-seconds=3600 > "$OUT/backend-slow.log" 2>&1 &
    BACKEND_PIDS=($!)
    STARTED+=($!)
    for port in "${SLOW_PORTS[@]}"; do wait_http "http://127.0.0.1:$port/__count" 30; done
    # warm the backend JVM itself, straight, so that its JIT does not colour the first balancer's numbers
    taskset -c "$LOAD_CPU" wrk -t1 -c32 -d5s "http://127.0.0.1:${SLOW_PORTS[0]}/" > /dev/null
}

stop_backends() {
    for pid in "${BACKEND_PIDS[@]}"; do stop_pid "$pid"; done
    BACKEND_PIDS=()
}

start_haproxy() {
    local dir=$OUT/haproxy servers="" i=0
    mkdir -p "$dir"
    for port in "$@"; do
        i=$((i + 1))
        servers+="    server b$i 127.0.0.1:$port
"
    done
    cat > "$dir/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 8000
defaults
    mode http
    option http-keep-alive
    option forwardfor
    http-reuse always
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
frontend fe
    bind 127.0.0.1:${LB_PORT[haproxy]}
    default_backend be
frontend fe_h2
    bind 127.0.0.1:$(( LB_PORT[haproxy] + H2_OFFSET )) proto h2
    default_backend be
frontend fe_tls
    bind 127.0.0.1:$(( LB_PORT[haproxy] + TLS_OFFSET )) ssl crt $TLS_DIR/combined.pem alpn h2,http/1.1
    default_backend be
backend be
    balance leastconn
$servers
EOF
    taskset -c "$LB_CPU" haproxy -db -f "$dir/haproxy.cfg" > "$dir/haproxy.log" 2>&1 &
    LB_PID[haproxy]=$!
    STARTED+=($!)
    wait_http "http://127.0.0.1:${LB_PORT[haproxy]}/" 10
}

start_nginx_lb() {
    local dir=$OUT/nginx-lb servers=""
    mkdir -p "$dir"
    for port in "$@"; do servers+="        server 127.0.0.1:$port;
"; done
    cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    upstream be {
        least_conn;
$servers        keepalive 256;
        keepalive_requests 1000000;
        keepalive_timeout 60s;
    }
    server {
        listen 127.0.0.1:${LB_PORT[nginx]} backlog=4096;
        listen 127.0.0.1:$(( LB_PORT[nginx] + H2_OFFSET )) backlog=4096 http2;
        listen 127.0.0.1:$(( LB_PORT[nginx] + TLS_OFFSET )) backlog=4096 ssl http2;
        ssl_certificate $TLS_DIR/cert.pem;
        ssl_certificate_key $TLS_DIR/key.pem;
        ssl_session_cache shared:SSL:10m;
        location / {
            proxy_pass http://be;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
}
EOF
    taskset -c "$LB_CPU" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
    LB_PID[nginx]=$!
    STARTED+=($!)
    wait_http "http://127.0.0.1:${LB_PORT[nginx]}/" 10
}

jvm_opts() { # jvm_opts VARIANT: the variant's JVM flags
    local var="JVM_OPTS_${1//-/_}"
    echo "${!var:-}"
}

java_of() { # java_of VARIANT: the variant's java launcher
    local var="JAVA_${1//-/_}"
    echo "${!var:-java}"
}

# appcds_archive VARIANT JAR: prints the path of an AppCDS archive for this variant, made on first use the way
# Dockerfile.jvm makes it: bin/appcds-train.sh (a full start, proxied requests and probes, then SIGTERM) under
# -XX:ArchiveClassesAtExit, with the same JVM, flags and jar as the runs that use it (the JVM refuses an archive
# otherwise). With CDS_<variant>=static, Quarkus' generate mode instead (static init only, then exit: what
# quarkus.package.jar.appcds.enabled runs at build time). With AOT_<variant>=1 (a JDK 25+ launcher in
# JAVA_<variant>), the generate mode writes a Leyden AOT cache (JEP 483/514: classes loaded and linked ahead of
# time) with -XX:AOTCacheOutput instead; with AOT_<variant>=trained, bin/appcds-train.sh writes it.
declare -A CDS_ARCHIVE=()
appcds_archive() {
    local variant=$1 jar=$2 archive="$OUT/app-cds-$1.jsa" kind
    if [[ -z ${CDS_ARCHIVE[$variant]:-} ]]; then
        kind=$(archive_kind "$variant")
        if [[ $kind == aot* ]]; then archive="$OUT/app-$variant.aot"; fi
        rm -f "$archive"
        # shellcheck disable=SC2046
        case $kind in
            cds|aot-trained) JAVA=$(java_of "$variant") "$ROOT/bin/appcds-train.sh" "$jar" "$archive" $(jvm_opts "$variant") ;;
            aot) "$(java_of "$variant")" $(jvm_opts "$variant") -XX:AOTCacheOutput="$archive" \
                     -Dquarkus.appcds.generate=true -jar "$jar" ;;
            *) "$(java_of "$variant")" $(jvm_opts "$variant") -XX:ArchiveClassesAtExit="$archive" \
                   -Dquarkus.appcds.generate=true -jar "$jar" ;;
        esac > "$OUT/app-cds-$variant.log" 2>&1 || { echo "AppCDS archive for $variant failed, see $OUT" >&2; return 1; }
        CDS_ARCHIVE[$variant]=$archive
    fi
    echo "${CDS_ARCHIVE[$variant]}"
}

archive_kind() { # archive_kind VARIANT: "aot" (AOT_<variant>=1), "cds" (CDS_<variant>=1), "static" or nothing
    local cdsvar="CDS_${1//-/_}" aotvar="AOT_${1//-/_}"
    if [[ ${!aotvar:-0} == 1 ]]; then echo aot; elif [[ ${!aotvar:-0} == trained ]]; then echo aot-trained; elif [[ ${!cdsvar:-0} == 1 ]]; then echo cds
    elif [[ ${!cdsvar:-0} == static ]]; then echo static; fi
}

# start_jvm VARIANT PORT...: starts the balancer; READY_MS: milliseconds from process start to ready;
# READY_CPU_MS: CPU time (user + system, all threads) the process used until then, less disturbed by the
# machine's neighbours than the wall-clock time.
READY_MS=0
READY_CPU_MS=0
start_jvm() {
    local variant=$1 backends="" t0 t1 jarvar="JAR_${1//-/_}" cds_opts=""
    shift
    local jar=${!jarvar:-$JAR}
    for port in "$@"; do backends+="${backends:+,}http://127.0.0.1:$port"; done
    case $(archive_kind "$variant") in
        aot*) appcds_archive "$variant" "$jar" > /dev/null    # not in a subshell: the archive is made once per run
             cds_opts="-XX:AOTCache=${CDS_ARCHIVE[$variant]}" ;;
        cds|static) appcds_archive "$variant" "$jar" > /dev/null
             cds_opts="-XX:SharedArchiveFile=${CDS_ARCHIVE[$variant]}" ;;
    esac
    local java opts
    java=$(java_of "$variant") opts=$(jvm_opts "$variant")
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    LB_BACKENDS=$backends taskset -c "$LB_CPU" "$java" $opts $cds_opts $LB_QUARKUS_OPTS \
        -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="${LB_PORT[$variant]}" \
        -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="${MGMT_PORT[$variant]}" \
        $(jvm_tls_opts "$variant") ${JVM_EXTRA_OPTS:-} -jar "$jar" > "$OUT/$variant.log" 2>&1 &
    LB_PID[$variant]=$!
    STARTED+=($!)
    wait_http "http://127.0.0.1:${MGMT_PORT[$variant]}/q/health/ready" 60
    t1=$(date +%s%N)
    READY_MS=$(( (t1 - t0) / 1000000 ))
    READY_CPU_MS=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/${LB_PID[$variant]}/stat")
    local splitvar="SPLIT_${variant//-/_}"
    if [[ ${!splitvar:-0} == 1 ]]; then split_event_loop "${LB_PID[$variant]}"; fi
}

# split_event_loop PID (SPLIT_<variant>=1): the Vert.x event loop keeps LB_CPU to itself and every other thread of
# the JVM (JIT compilers, GC, JMX notifications, timers) moves to LOAD_CPU, with wrk and the backends: tells how
# much of the JVM's tail comes from its own threads sharing the event loop's core. Threads started later inherit
# their creator's CPU.
split_event_loop() {
    local task tid
    for task in /proc/"$1"/task/*; do
        tid=${task##*/}
        if [[ $(cat "$task/comm") == vert.x-eventloo* ]]; then
            taskset -p -c "$LB_CPU" "$tid" > /dev/null
        else
            taskset -p -c "$LOAD_CPU" "$tid" > /dev/null
        fi
    done
}

# jvm_tls_opts VARIANT: in the TLS scenarios, the balancer's TLS listener on LB_PORT + TLS_OFFSET (only then: it
# loads the TLS engine at start).
jvm_tls_opts() {
    if [[ ${LB_TLS:-0} == 1 ]]; then
        echo "-Dquarkus.http.ssl-port=$(( LB_PORT[$1] + TLS_OFFSET )) -Dquarkus.http.ssl.certificate.files=$TLS_DIR/cert.pem -Dquarkus.http.ssl.certificate.key-files=$TLS_DIR/key.pem"
    fi
}

# make_tls_cert: a self-signed RSA 2048 certificate for 127.0.0.1 in TLS_DIR (cert.pem, key.pem, and combined.pem
# for HAProxy's crt).
make_tls_cert() {
    mkdir -p "$TLS_DIR"
    if [[ ! -f $TLS_DIR/combined.pem ]]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=127.0.0.1 \
            -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
            -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2> "$TLS_DIR/openssl.log"
        cat "$TLS_DIR/cert.pem" "$TLS_DIR/key.pem" > "$TLS_DIR/combined.pem"
    fi
}

start_balancer() {
    local lb=$1
    shift
    case $lb in
        haproxy) start_haproxy "$@" ;;
        nginx) start_nginx_lb "$@" ;;
        jvm*) start_jvm "$lb" "$@" ;;
    esac
}

stop_balancers() {
    for lb in "${!LB_PID[@]}"; do stop_pid "${LB_PID[$lb]}"; done
    LB_PID=()
}

# warm_up LB SECONDS: unmeasured load in WARMUP_CYCLES wrk runs, WARMUP_PAUSE seconds apart. Every measured run
# opens and closes its connections and follows an idle gap (the other balancers' turns) long enough for the
# balancers to close their idle backend connections; one long warm-up run never does either, and the JVM's JIT
# then deoptimises its hot code at the first round's start and end (the branches for closing connections, an
# idle event loop and an emptied backend pool were never profiled) and spends the first seconds of round 1
# recompiling it on the balancer's core (bench/idle.sh). Several cycles with pauses longer
# than lb.client.keep-alive-timeout let it see those paths before measuring, as a server with connection churn
# and quiet spells does. Same rule for every balancer.
warm_up() {
    local lb=$1 each=$(( ($2 + WARMUP_CYCLES - 1) / WARMUP_CYCLES )) cycle
    log "warming $lb up: $WARMUP_CYCLES x ${each}s"
    for (( cycle = 1; cycle <= WARMUP_CYCLES; cycle++ )); do
        $(wrk_cmd "$lb" "$each") > /dev/null
        sleep "$WARMUP_PAUSE"
    done
}

# warm_up_paced LB SECONDS: unmeasured load at RATE req/s (bench/paced.lua).
warm_up_paced() {
    log "warming $1 up at $RATE req/s: ${2}s"
    $(wrk_cmd "$1" "$2" paced.lua) > /dev/null
}

# wrk_cmd LB SECONDS [SCRIPT]: the load of the current SCENARIO: wrk at full speed, or with SCRIPT (paced.lua: at
# RATE req/s); over TLS for tls and tls-new (with Connection: close for tls-new, which wrk's -H would drop: it
# takes only "Name: value" with the space, and a word-split command cannot carry one); h2load for h2. Each prints the
# RESULT line of bench/wrk-report.lua.
wrk_cmd() {
    local port=${LB_PORT[$1]}
    case ${SCENARIO:-} in
        h2)
            [[ $1 == jvm* ]] || port=$(( port + H2_OFFSET ))
            echo taskset -c "$LOAD_CPU" python3 "$HERE/h2load-report.py" "$2" h2load -c"$H2_CLIENTS" -m"$H2_STREAMS" \
                -t1 "http://127.0.0.1:$port/" ;;
        tls)
            echo taskset -c "$LOAD_CPU" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$2"s --latency -s "$HERE/wrk-report.lua" \
                "https://127.0.0.1:$(( port + TLS_OFFSET ))/" ;;
        tls-new)
            echo taskset -c "$LOAD_CPU" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$2"s --latency -s "$HERE/wrk-close.lua" \
                "https://127.0.0.1:$(( port + TLS_OFFSET ))/" ;;
        *)
            echo taskset -c "$LOAD_CPU" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$2"s --latency -s "$HERE/${3:-wrk-report.lua}" \
                "http://127.0.0.1:$port/" ;;
    esac
}

measure_script() { # measure_script SCENARIO: the wrk script of the scenario's measured runs
    if [[ $1 == paced ]]; then echo paced.lua; else echo wrk-report.lua; fi
}

# measure SCENARIO ROUND LB [measure.py options]: one run, repeated if another process disturbed it.
measure() {
    local scenario=$1 round=$2 lb=$3 try line foreign
    shift 3
    local backend_opts=() lines_before=0
    for pid in "${BACKEND_PIDS[@]}"; do backend_opts+=(--backend-pid "$pid"); done
    for (( try = 1; try <= MAX_TRIES; try++ )); do
        if [[ $lb == jvm-accesslog* ]]; then lines_before=$(access_log_lines "$lb"); fi
        # shellcheck disable=SC2046
        line=$(python3 "$HERE/measure.py" --name "$lb" --pid "${LB_PID[$lb]}" --tag scenario="$scenario" \
            --tag round="$round" --tag try="$try" --quiet "$MAX_FOREIGN:$QUIET_WAIT" "${backend_opts[@]}" "$@" -- \
            $(wrk_cmd "$lb" "$DURATION" "$(measure_script "$scenario")"))
        if [[ $lb == jvm-accesslog* ]]; then
            sleep 1 # the asynchronous handler's queue drains
            line=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["log_lines"]=int(sys.argv[2]); print(json.dumps(r))' \
                "$line" $(( $(access_log_lines "$lb") - lines_before )))
        fi
        foreign=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["foreign_cpu_pct"])' "$line")
        log "$scenario r$round $lb: $line"
        if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
            "$foreign" "$MAX_FOREIGN" || (( try == MAX_TRIES )); then
            echo "$line" >> "$OUT/results.jsonl"
            return 0
        fi
        log "another process used ${foreign}% of a core during that run: repeating it"
        sleep 5
    done
}

# write_routes_config FILE: 50 routes to the default pool, half by host (exact and wildcard), half by path
# prefix; the benchmark's requests (Host 127.0.0.1, path /) match none of them and reach the catch-all.
write_routes_config() {
    local file=$1 i
    : > "$file"
    for (( i = 0; i < 50; i++ )); do
        echo "lb.routes.r$i.pool=default" >> "$file"
        case $(( i % 4 )) in
            0) echo "lb.routes.r$i.host=svc$i.example.com" >> "$file" ;;
            1) echo "lb.routes.r$i.host=*.zone$i.example.com" >> "$file" ;;
            2) echo "lb.routes.r$i.path-prefix=/svc$i" >> "$file" ;;
            3) echo "lb.routes.r$i.host=api$i.example.com" >> "$file"
               echo "lb.routes.r$i.path-prefix=/v$i" >> "$file" ;;
        esac
    done
}

# write_accesslog_configs: for each log-on variant, the access log on, in text format, to $OUT/access-<variant>.log
# through an asynchronous file handler that discards lines when its queue is full (docs/observing.md); the console
# stays as shipped. Rotation by size is pushed out of the way: Quarkus' default, 10M, would rotate every few
# seconds here and delete the lines the run counts.
write_accesslog_configs() {
    local variant
    for variant in $BALANCERS_accesslog; do
        [[ $variant == jvm-accesslog* ]] || continue
        rm -f "$OUT/access-$variant.log"
        cat > "$OUT/accesslog-$variant.properties" <<EOF
lb.access-log.enabled=true
quarkus.log.handler.file."access-file".enabled=true
quarkus.log.handler.file."access-file".path=$OUT/access-$variant.log
quarkus.log.handler.file."access-file".format=%s%n
quarkus.log.handler.file."access-file".async=true
quarkus.log.handler.file."access-file".async.overflow=discard
quarkus.log.handler.file."access-file".rotation.max-file-size=20G
quarkus.log.category."io.lb.access".handlers=access-file
EOF
    done
}

access_log_lines() { # access_log_lines VARIANT
    if [[ -f $OUT/access-$1.log ]]; then wc -l < "$OUT/access-$1.log"; else echo 0; fi
}

scenario() { # scenario NAME PORTS...
    local name=$1
    shift
    SCENARIO=$name
    local ports=("$@") count_opts=()
    if [[ $name == slow ]]; then
        for port in "${ports[@]}"; do count_opts+=(--count-port "$port"); done
    fi
    local var="BALANCERS_${name//-/_}"
    local balancers=${!var:-$BALANCERS}    # BALANCERS_fast / BALANCERS_slow narrow the set per scenario
    for lb in $balancers; do start_balancer "$lb" "${ports[@]}"; done
    for lb in $balancers; do
        warm_up "$lb" "$WARMUP"
        if [[ $name == paced && $PACED_WARMUP -gt 0 ]]; then warm_up_paced "$lb" "$PACED_WARMUP"; fi
    done
    local order=($balancers)
    for (( round = 1; round <= ROUNDS; round++ )); do
        for lb in "${order[@]}"; do measure "$name" "$round" "$lb" "${count_opts[@]}"; done
        order=("${order[@]:1}" "${order[0]}")
    done
    stop_balancers
}

startup() { # runs interleaved (run i of every variant, then run i+1): the machine's speed drifts
    local ms reported variant
    for pinned in ${STARTUP_PINNED:-yes no}; do
        for (( i = 1; i <= STARTUP_RUNS; i++ )); do
            for variant in ${STARTUP_VARIANTS:-$BALANCERS}; do
                [[ $variant == jvm* ]] || continue
                python3 -c "import sys; sys.path.insert(0, '$HERE'); import measure; measure.wait_for_quiet($MAX_FOREIGN, ${STARTUP_QUIET_WAIT:-30})"
                if [[ $pinned == yes ]]; then
                    start_jvm "$variant" "${FAST_PORTS[@]}"
                else
                    LB_CPU=0-$(( $(nproc) - 1 )) start_jvm "$variant" "${FAST_PORTS[@]}"
                fi
                ms=$READY_MS
                reported=$(grep -o 'started in [0-9.]*s' "$OUT/$variant.log" | head -1 || true)
                log "startup $variant pinned=$pinned run $i: ${ms} ms to ready, ${READY_CPU_MS} ms of CPU ($reported)"
                printf '{"scenario":"startup","name":"%s","pinned":"%s","run":%d,"ready_ms":%d,"cpu_ms":%d,"quarkus":"%s"}\n' \
                    "$variant" "$pinned" "$i" "$ms" "$READY_CPU_MS" "$reported" >> "$OUT/results.jsonl"
                stop_balancers
            done
        done
    done
}

main() {
    ensure_tools
    : > "$OUT/results.jsonl"
    {
        echo "date: $(date -u +%FT%TZ)"
        echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
        echo "memory: $(free -h | awk '/Mem:/ {print $2}')"
        echo "haproxy: $(haproxy -v | head -1)"
        echo "nginx: $(nginx -v 2>&1)"
        echo "java: $(java -version 2>&1 | head -2 | tail -1)"
        echo "wrk: $(wrk -v 2>&1 | head -1)"
        for lb in $BALANCERS; do
            local kind
            kind=$(archive_kind "$lb")
            [[ $lb == jvm* ]] && echo "$lb: $("$(java_of "$lb")" -version 2>&1 | head -1); $(jvm_opts "$lb") $LB_QUARKUS_OPTS ${JVM_EXTRA_OPTS:-}${kind:+ + $kind archive}"
        done
        echo "wrk: -t$WRK_THREADS -c$CONNS -d${DURATION}s x $ROUNDS rounds, warm-up ${WARMUP}s in $WARMUP_CYCLES runs ${WARMUP_PAUSE}s apart; balancers on cpu $LB_CPU, backends+wrk on cpu $LOAD_CPU"
    } > "$OUT/environment.txt"
    cat "$OUT/environment.txt" >&2
    for s in $SCENARIOS; do
        case $s in
            startup)
                start_fast_backends
                startup
                stop_backends ;;
            fast)
                start_fast_backends
                scenario fast "${FAST_PORTS[@]}"
                stop_backends ;;
            paced)
                start_fast_backends
                scenario paced "${FAST_PORTS[@]}"
                stop_backends ;;
            slow)
                start_slow_backends
                scenario slow "${SLOW_PORTS[@]}"
                stop_backends ;;
            h2)
                start_fast_backends
                scenario h2 "${FAST_PORTS[@]}"
                stop_backends ;;
            tls|tls-new)
                make_tls_cert
                start_fast_backends
                LB_TLS=1 scenario "$s" "${FAST_PORTS[@]}"
                stop_backends ;;
            routes)
                write_routes_config "$ROUTES_CONFIG"
                start_fast_backends
                scenario routes "${FAST_PORTS[@]}"
                stop_backends ;;
            accesslog)
                write_accesslog_configs
                start_fast_backends
                scenario accesslog "${FAST_PORTS[@]}"
                stop_backends ;;
        esac
    done
    python3 "$HERE/summarize.py" "$OUT/results.jsonl" | tee "$OUT/summary.md"
}

# bench/profile.sh sources this file for its functions
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
