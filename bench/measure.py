#!/usr/bin/env python3
"""One measured wrk run against one balancer, plus the process accounting around it.

Usage: measure.py --name NAME --pid PID [--tag K=V ...] [--backend-pid PID ...] [--count-port PORT ...] -- wrk ARGS...

Prints one JSON object on stdout with:
  requests, rps, p50_ms, p90_ms, p99_ms, errors   (from wrk and bench/wrk-report.lua)
  cpu_s          balancer CPU seconds (utime+stime of PID and all its descendants) during the run
  cpu_s_per_100k balancer CPU seconds per 100 000 requests
  rss_hwm_mb     peak RSS (VmHWM) of the balancer's processes, summed, in MiB
  load1          1-minute load average just before the run
  foreign_cpu_pct CPU used during the run by processes that are not the balancer, the backends or wrk,
                 in % of one core: other builds on the machine. A run with a high value is disturbed.
  idle_busy_pct  (with --quiet PCT:SECONDS) CPU busy % of one core measured over 2 s before the run, after
                 waiting up to SECONDS for it to fall to PCT or below; waited_for_quiet_s says how long
  shares         (with --count-port) requests each delayed backend counted during the run
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def tree(pid):
    kids = children_map()
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen


def ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): utime is field 14, stime field 15
        total += int(fields[11]) + int(fields[12])
    return total


def hwm_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def busy_ticks():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    values = [int(v) for v in parts]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle


def wait_for_quiet(max_pct, max_wait):
    """Waits (at most max_wait s) until the machine's CPUs are idle but for max_pct % of one core over 2 s."""
    start = time.monotonic()
    while True:
        b0 = busy_ticks()
        time.sleep(2)
        pct = 100 * (busy_ticks() - b0) / CLK_TCK / 2
        waited = time.monotonic() - start
        if pct <= max_pct or waited >= max_wait:
            return round(pct, 1), round(waited, 1)


def counts(ports):
    result = {}
    for port in ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__count", timeout=5) as r:
            result[str(port)] = int(r.read().decode().strip())
    return result


def reset(ports):
    for port in ports:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/__reset", timeout=5).read()


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    opts, wrk = args[:sep], args[sep + 1:]
    name, pid, backend_pids, count_ports, tags = None, None, [], [], {}
    quiet_pct, quiet_wait = None, 0
    i = 0
    while i < len(opts):
        if opts[i] == "--name":
            name = opts[i + 1]
        elif opts[i] == "--pid":
            pid = int(opts[i + 1])
        elif opts[i] == "--backend-pid":
            backend_pids.append(int(opts[i + 1]))
        elif opts[i] == "--tag":
            key, _, value = opts[i + 1].partition("=")
            tags[key] = value
        elif opts[i] == "--quiet":
            quiet_pct, quiet_wait = (float(x) for x in opts[i + 1].split(":"))
        elif opts[i] == "--count-port":
            count_ports.append(int(opts[i + 1]))
        i += 2
    lb = tree(pid)
    backends = [p for b in backend_pids for p in tree(b)]
    idle_pct, waited = wait_for_quiet(quiet_pct, quiet_wait) if quiet_pct is not None else (None, 0)
    if count_ports:
        reset(count_ports)
    with open("/proc/loadavg") as f:
        load1 = float(f.read().split()[0])
    lb0, be0, busy0, t0 = ticks(lb), ticks(backends), busy_ticks(), time.monotonic()
    proc = subprocess.Popen(wrk, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    lb1, be1, busy1, t1 = ticks(lb), ticks(backends), busy_ticks(), time.monotonic()
    wrk_ticks = (usage.ru_utime + usage.ru_stime) * CLK_TCK
    line = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        print(json.dumps({"name": name, "error": out[-2000:]}))
        sys.exit(1)
    r = dict(kv.split("=") for kv in line.split()[1:])
    requests = int(r["requests"])
    duration = int(r["duration_us"]) / 1e6
    cpu_s = (lb1 - lb0) / CLK_TCK
    foreign = (busy1 - busy0) - (lb1 - lb0) - (be1 - be0) - wrk_ticks
    result = dict(tags)
    result.update({
        "name": name,
        "requests": requests,
        "rps": round(requests / duration, 1),
        "p50_ms": int(r["p50_us"]) / 1000,
        "p90_ms": int(r["p90_us"]) / 1000,
        "p99_ms": int(r["p99_us"]) / 1000,
        "errors": int(r["errors"]) + int(r["non2xx"]),
        "cpu_s": round(cpu_s, 2),
        "cpu_s_per_100k": round(cpu_s / requests * 100_000, 3) if requests else None,
        "backend_cpu_s": round((be1 - be0) / CLK_TCK, 2),
        "wrk_cpu_s": round(wrk_ticks / CLK_TCK, 2),
        "rss_hwm_mb": round(hwm_kb(lb) / 1024, 1),
        "load1": load1,
        "idle_busy_pct": idle_pct,
        "waited_for_quiet_s": waited,
        "foreign_cpu_pct": round(100 * foreign / CLK_TCK / (t1 - t0), 1),
    })
    if count_ports:
        result["shares"] = counts(count_ports)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
