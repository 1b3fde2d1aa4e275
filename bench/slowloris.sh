#!/usr/bin/env bash
# Slow clients at the front door (issue 24, part 2), run by hand, never in CI. Results: docs/admission.md.
#
# For each balancer in turn (this one, HAProxy, NGINX), alone on core LB_CPU, in front of one backend
# (bench/Backend.java, reads the whole request body, answers after 1 ms; on core LOAD_CPU with everything else):
#   headers  slowhttptest -H: HEADER_CONNS connections opened at HEADER_RATE/s, each sending one more header line
#            every 5 s and never the end of its head, for HEADER_LENGTH s (slowloris)
#   body     slowhttptest -B: BODY_CONNS connections opened at BODY_RATE/s, each POSTing an 8 KiB body 10 bytes
#            every BODY_INTERVAL s, for BODY_LENGTH s (R-U-Dead-Yet)
# while bench/probe.py opens a fresh connection for one GET every 100 ms (2 s timeout) for the whole attack.
# Every balancer gets a 10 s request-head timeout and a 10 s body idle timeout (HAProxy: `timeout http-request
# 10s`, `timeout client 10s`; NGINX: `client_header_timeout 10s`, `client_body_timeout 10s`; this one:
# lb.timeout.request-header=10s and lb.timeout.request-body-idle=10s when the build has them) and a 75 s idle
# timeout between requests. Reported per balancer and mode (one JSON line each in $OUT/results.jsonl, a table in
# $OUT/summary.md, both by bench/slowloris-result.py): the probe's answers and latency; the slow connections the
# balancer held (server-side sockets sampled with ss every second: the peak, and the count 2 s before the attack
# ends, when slowhttptest has not yet closed its own); when slowhttptest saw the first of them closed by the
# server, and how many it saw closed in all.
#
# Usage: bench/slowloris.sh [BALANCERS] [MODES]      e.g. bench/slowloris.sh "lb haproxy nginx" "headers body"
# Env:   JAR=target/quarkus-app/quarkus-run.jar LABEL=after OUT=/tmp/lb-slowloris-$LABEL HEADER_CONNS=8000 ...
# The file-descriptor hard limit here is 20 000: HAProxy needs two per connection it accepts, so 8 000 slow
# connections (not the issue's 10 000) is what all three can be offered alike.
# Loopback only; every wait is bounded; everything started is stopped on exit.
set -euo pipefail
source "$(dirname "$0")/fault-common.sh"

BALANCERS=${1:-"lb haproxy nginx"}
MODES=${2:-"headers body"}
LABEL=${LABEL:-after}
JAR=${JAR:-$LB_JAR}
OUT=${OUT:-/tmp/lb-slowloris-$LABEL}
HEADER_CONNS=${HEADER_CONNS:-8000}
HEADER_RATE=${HEADER_RATE:-800}
HEADER_LENGTH=${HEADER_LENGTH:-40}
BODY_CONNS=${BODY_CONNS:-2000}
BODY_RATE=${BODY_RATE:-400}
BODY_LENGTH=${BODY_LENGTH:-30}
BODY_INTERVAL=${BODY_INTERVAL:-15}
LB_CPU=${LB_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
BASE_PORT=${BASE_PORT:-28100}
BACKEND_PORT=$((BASE_PORT + 1))
declare -A PORT=([lb]=$((BASE_PORT + 10)) [haproxy]=$((BASE_PORT + 20)) [nginx]=$((BASE_PORT + 30)))
LB_MGMT=$((BASE_PORT + 11))

need java slowhttptest haproxy nginx curl ss python3 taskset
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$OUT"
: > "$OUT/results.jsonl"
ulimit -n "$(ulimit -Hn)"

BACKEND_JAVA=java
for candidate in /usr/lib/jvm/temurin-2[1-9]*/bin/java; do [[ -x $candidate ]] && BACKEND_JAVA=$candidate; done

start_backend_once() {
  taskset -c "$LOAD_CPU" "$BACKEND_JAVA" -Xmx256m "$BENCH_DIR/Backend.java" "$BACKEND_PORT:1" --max-seconds=1800 \
    >"$OUT/backend.log" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_http "http://127.0.0.1:$BACKEND_PORT/__count" 60
}

# The build under test knows the admission keys if it has their classes (an older build would refuse them).
lb_admission_opts() {
  local app
  app=$(dirname "$JAR")/app
  if unzip -l "$app"/*.jar 2>/dev/null | grep -q 'io/lb/server/HeadWatch.class'; then
    echo "-Dlb.timeout.request-header=10s -Dlb.timeout.request-body-idle=10s"
  fi
}

BAL_PID=""
start_balancer() { # NAME DIR
  local name=$1 dir=$2 port=${PORT[$1]}
  case $name in
    lb)
      # shellcheck disable=SC2046
      taskset -c "$LB_CPU" java -XX:+UseSerialGC -Xmx512m \
        -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
        -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$LB_MGMT" \
        -Dquarkus.vertx.event-loops-pool-size=1 -Dlb.shutdown.readiness-delay=0s \
        -Dlb.backends="http://127.0.0.1:$BACKEND_PORT" $(lb_admission_opts) \
        -jar "$JAR" >"$dir/lb.log" 2>&1 &
      BAL_PID=$!
      STARTED_PIDS+=("$BAL_PID")
      wait_http "http://127.0.0.1:$LB_MGMT/q/health/ready" 60 ;;
    haproxy)
      cat >"$dir/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 9000
defaults
    mode http
    option http-keep-alive
    timeout connect 2s
    timeout server 30s
    timeout http-request 10s
    timeout client 10s
    timeout http-keep-alive 75s
frontend fe
    bind 127.0.0.1:$port
    default_backend be
backend be
    server b1 127.0.0.1:$BACKEND_PORT
EOF
      taskset -c "$LB_CPU" haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
      BAL_PID=$!
      STARTED_PIDS+=("$BAL_PID") ;;
    nginx)
      cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 19000;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 18000; }
http {
    access_log off;
    client_header_timeout 10s;
    client_body_timeout 10s;
    keepalive_timeout 75s;
    upstream be {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            proxy_pass http://be;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
      taskset -c "$LB_CPU" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' >"$dir/nginx.log" 2>&1 &
      BAL_PID=$!
      STARTED_PIDS+=("$BAL_PID") ;;
  esac
  wait_http "http://127.0.0.1:$port/" 30
}

# established server-side sockets of the balancer's port, once a second, until the file $1.stop exists
sample_sockets() {
  local port=$1 file=$2
  while [[ ! -e $file.stop ]]; do
    echo "$(date +%s) $(ss -Htn state established "( sport = :$port )" | wc -l)" >>"$file"
    sleep 1
  done
}

run_one() { # BALANCER MODE
  local name=$1 mode=$2 dir="$OUT/$1-$2" port=${PORT[$1]} length args
  mkdir -p "$dir"
  start_balancer "$name" "$dir"
  case $mode in
    headers) length=$HEADER_LENGTH
      args=(-H -c "$HEADER_CONNS" -r "$HEADER_RATE" -i 5 -l "$HEADER_LENGTH") ;;
    body) length=$BODY_LENGTH
      args=(-B -c "$BODY_CONNS" -r "$BODY_RATE" -i "$BODY_INTERVAL" -s 8192 -x 10 -l "$BODY_LENGTH") ;;
  esac
  log "$LABEL $name $mode: slowhttptest ${args[*]}"
  sample_sockets "$port" "$dir/sockets" &
  local sampler=$!
  taskset -c "$LOAD_CPU" python3 "$BENCH_DIR/probe.py" 127.0.0.1 "$port" "$length" 0.1 2 >"$dir/probe.json" &
  local probe=$!
  taskset -c "$LOAD_CPU" slowhttptest "${args[@]}" -u "http://127.0.0.1:$port/" -p 3 -g -o "$dir/slowhttptest" \
    >"$dir/slowhttptest.log" 2>&1 || true
  touch "$dir/sockets.stop"
  wait "$probe" || true
  wait "$sampler" || true
  local rejected="null"
  if [[ $name == lb ]]; then
    rejected=$(lb_metrics "$LB_MGMT" | awk '/^lb_rejected_total/ {gsub(/.*reason="|".*/, "", $1); printf "%s\"%s\":%d", (n++ ? "," : "{"), $1, $2} END {print n ? "}" : "null"}')
  fi
  stop_pid "$BAL_PID"
  python3 "$BENCH_DIR/slowloris-result.py" "$name" "$mode" "$LABEL" "$dir" "$length" "$rejected" >>"$OUT/results.jsonl"
  tail -1 "$OUT/results.jsonl" >&2
}

start_backend_once
for mode in $MODES; do
  for name in $BALANCERS; do
    run_one "$name" "$mode"
  done
done

python3 "$BENCH_DIR/slowloris-result.py" --table "$OUT/results.jsonl" >"$OUT/summary.md"
cat "$OUT/summary.md"
