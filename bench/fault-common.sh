# Shared helpers for bench/fault.sh, bench/rolling.sh and bench/soak.sh (sourced, not run). Loopback only; every wait is bounded.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
LB_JAR=${LB_JAR:-"$REPO_DIR/target/quarkus-app/quarkus-run.jar"}

# PIDs of everything this script started; cleanup() stops them (SIGCONT first, in case one is stopped).
STARTED_PIDS=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "missing command: $c (apt-get install -y haproxy nginx-light wrk)" >&2; exit 1; }
  done
}

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}

# Stop one process we started (bounded: TERM, up to 5 s, then KILL) and forget it.
stop_pid() {
  local pid=$1 p keep=()
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${STARTED_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  STARTED_PIDS=("${keep[@]}")
}

# Wait (at most $2 seconds) until URL $1 answers with any HTTP 2xx.
wait_http() {
  local url=$1 limit=${2:-30} deadline=$((SECONDS + ${2:-30}))
  while ((SECONDS < deadline)); do
    curl -fsS -m 1 -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  log "timeout after ${limit}s waiting for $url"
  return 1
}

# Wait (at most $2 seconds) until nothing listens on 127.0.0.1:$1 (a port is free again).
wait_port_free() {
  local port=$1 deadline=$((SECONDS + ${2:-10}))
  while ((SECONDS < deadline)); do
    ss -Hltn "sport = :$port" | grep -q . || return 0
    sleep 0.2
  done
  log "port $port still in use"
  return 1
}

# Compile FaultBackend once per script run (faster restarts than `java FaultBackend.java` each time).
FB_CLASSES=""
compile_backend() {
  FB_CLASSES=$(mktemp -d /tmp/faultbackend.XXXXXX)
  javac -d "$FB_CLASSES" "$BENCH_DIR/FaultBackend.java"
}

# start_backend PORT DELAY_MS LOGFILE -> sets BACKEND_PID. Small JVM: these are test fixtures.
BACKEND_PID=""
start_backend() {
  local port=$1 delay=$2 logf=$3
  java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$FB_CLASSES" FaultBackend "$port" "$delay" 64 \
    >>"$logf" 2>&1 &
  BACKEND_PID=$!
  STARTED_PIDS+=("$BACKEND_PID")
  wait_http "http://127.0.0.1:$port/" 30
}

# Prometheus scrape of our balancer, lb_* series only.
lb_metrics() {
  curl -fsS -m 5 "http://127.0.0.1:$1/q/metrics" 2>/dev/null | grep -E '^lb_' || true
}

# Sum of lb_backend_active_connections over all backends (or "?").
lb_active_sum() {
  lb_metrics "$1" | awk '/^lb_backend_active_connections/ {s+=$2; n++} END {if (n) printf "%d", s; else printf "?"}'
}

# ---- balancers (the caller sets B1..B3, LB_PORT, LB_MGMT, HA_PORT, HA_STATS, NG_PORT, LB_OPTS and HA_CHECK) -----
# All three balancers get the same timeouts: connect 1 s, per-try response 1 s, 3 tries; HAProxy's and this
# balancer's probe cadence come from the caller (HA_CHECK, LB_OPTS); NGINX has passive detection only.

write_haproxy_cfg() {
  cat >"$1/haproxy.cfg" <<EOF
global
    maxconn 4000
    # nbthread: default = number of CPUs (2 here)

defaults
    mode http
    option http-keep-alive
    timeout connect 1s
    timeout server  1s
    timeout client  30s
    timeout check   1s
    retries 2
    option redispatch 1
    retry-on all-retryable-errors

frontend fe
    bind 127.0.0.1:$HA_PORT
    default_backend be

backend be
    balance leastconn
    option httpchk GET /
    default-server check $HA_CHECK observe layer4 error-limit 1 on-error mark-down
    server b1 127.0.0.1:$B1
    server b2 127.0.0.1:$B2
    server b3 127.0.0.1:$B3

listen stats
    bind 127.0.0.1:$HA_STATS
    stats enable
    stats uri /stats
EOF
}

write_nginx_cfg() {
  mkdir -p "$1/nginx"
  cat >"$1/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $1/nginx/nginx.pid;
error_log $1/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    upstream be {
        least_conn;
        server 127.0.0.1:$B1 max_fails=1 fail_timeout=10s;
        server 127.0.0.1:$B2 max_fails=1 fail_timeout=10s;
        server 127.0.0.1:$B3 max_fails=1 fail_timeout=10s;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NG_PORT;
        location / {
            proxy_pass http://be;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 1s;
            proxy_read_timeout 1s;
            proxy_send_timeout 1s;
        }
    }
}
EOF
}


BAL_PID=""
start_balancer() { # NAME RUNDIR -> URL on stdout via BAL_URL
  local name=$1 dir=$2
  case $name in
    lb)
      LB_BACKENDS="http://127.0.0.1:$B1,http://127.0.0.1:$B2,http://127.0.0.1:$B3" \
        java "${LB_OPTS[@]}" -jar "$LB_JAR" >"$dir/lb.log" 2>&1 &
      BAL_PID=$!; STARTED_PIDS+=("$BAL_PID")
      wait_http "http://127.0.0.1:$LB_MGMT/q/health/ready" 60
      BAL_URL="http://127.0.0.1:$LB_PORT/" ;;
    haproxy)
      write_haproxy_cfg "$dir"
      haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
      BAL_PID=$!; STARTED_PIDS+=("$BAL_PID")
      BAL_URL="http://127.0.0.1:$HA_PORT/"
      wait_http "$BAL_URL" 20 ;;
    nginx)
      write_nginx_cfg "$dir"
      nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g 'daemon off;' >"$dir/nginx.log" 2>&1 &
      BAL_PID=$!; STARTED_PIDS+=("$BAL_PID")
      BAL_URL="http://127.0.0.1:$NG_PORT/"
      wait_http "$BAL_URL" 20 ;;
  esac
}

# Balancer-side evidence after a run (appended to the run's summary).
balancer_evidence() { # NAME RUNDIR
  local name=$1 dir=$2
  case $name in
    lb)
      lb_metrics "$LB_MGMT" >"$dir/metrics.txt"
      grep -E '^lb_(requests_total|retries_total|retries_abandoned_total|backend_active_connections|backend_up|backend_ejections_total|pool_panics_total)' \
        "$dir/metrics.txt" | grep -v ' 0.0$' || true
      echo "state changes:"; grep -E ' (DOWN|UP|EJECTED|back from)' "$dir/lb.log" | grep -i backend | head -20 || true
      echo "errors in log: $(grep -c -E 'ERROR|Exception' "$dir/lb.log" || true)" ;;
    haproxy)
      curl -fsS -m 5 "http://127.0.0.1:$HA_STATS/stats;csv" >"$dir/haproxy-stats.csv" || true
      # pxname,svname,...: pick the columns that tell the story
      awk -F, 'NR==1 {for (i=1;i<=NF;i++) c[$i]=i; next}
               $1=="be" {printf "%s stot=%s econ=%s eresp=%s wretr=%s wredis=%s status=%s chkfail=%s hrsp_5xx=%s\n",
                 $2,$c["stot"],$c["econ"],$c["eresp"],$c["wretr"],$c["wredis"],$c["status"],$c["chkfail"],$c["hrsp_5xx"]}' \
        "$dir/haproxy-stats.csv"
      echo "haproxy log:"; grep -E 'DOWN|UP' "$dir/haproxy.log" | head -10 || true ;;
    nginx)
      echo "error.log: $(grep -c 'upstream timed out' "$dir/nginx/error.log" || true) 'upstream timed out'," \
        "$(grep -c 'Connection refused' "$dir/nginx/error.log" || true) 'Connection refused'," \
        "$(grep -c 'prematurely closed' "$dir/nginx/error.log" || true) 'prematurely closed'," \
        "$(grep -c 'no live upstreams' "$dir/nginx/error.log" || true) 'no live upstreams'," \
        "$(grep -c 'reset by peer' "$dir/nginx/error.log" || true) 'reset by peer'" ;;
  esac
}

# Runs run_one BALANCER CASE (the caller's) for every case and balancer, into $OUT/BALANCER-CASE, then prints the
# RESULT line of each. Not in a pipeline: run_one must run in this shell, where STARTED_PIDS and the EXIT trap live.
run_matrix() { # HEADER (lines for README.txt) CASES BALANCERS
  local header=$1 cases=$2 balancers=$3 case bal
  printf '# %s %s on %s CPUs, %s\n' "$header" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" | tee "$OUT/README.txt"
  for case in $cases; do
    for bal in $balancers; do
      run_one "$bal" "$case" >>"$OUT/all.txt" 2>&1 || log "run $bal/$case failed"
      cleanup
      tail -n 40 "$OUT/$bal-$case/summary.txt" 2>/dev/null || tail -n 5 "$OUT/all.txt"
    done
  done
  echo; echo "== summary ($OUT) =="
  for case in $cases; do
    for bal in $balancers; do
      printf '%-8s %-7s %s\n' "$bal" "$case" "$(grep -h RESULT "$OUT/$bal-$case/summary.txt" 2>/dev/null | sed 's/^RESULT //')"
    done
  done | tee "$OUT/summary.txt"
}
