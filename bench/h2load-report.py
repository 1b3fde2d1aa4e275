#!/usr/bin/env python3
"""Runs h2load and prints the RESULT line that bench/measure.py reads from wrk (bench/wrk-report.lua).

Usage: h2load-report.py SECONDS h2load ARGS... URL
h2load runs for SECONDS (-D) with a per-request log (--log-file), from which the latency percentiles come; the
log is deleted afterwards. Errors are h2load's failed, errored and timed-out requests; non2xx its other statuses.
"""
import os
import re
import subprocess
import sys
import tempfile


def main():
    seconds, cmd = int(sys.argv[1]), sys.argv[2:]
    fd, log = tempfile.mkstemp(prefix="h2load-", suffix=".log")
    os.close(fd)
    try:
        url = cmd[-1]
        out = subprocess.run(cmd[:-1] + ["-D", str(seconds), "--log-file=" + log, url], capture_output=True,
                             text=True).stdout
        done = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                         r"(\d+) errored, (\d+) timeout", out)
        codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
        finished = re.search(r"finished in ([\d.]+)(m?s)", out)
        if not (done and codes and finished):
            print(out[-2000:])
            sys.exit(1)
        elapsed = []
        with open(log) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    elapsed.append(int(parts[2]))
        elapsed.sort()

        def pct(p):
            return elapsed[min(len(elapsed) - 1, int(len(elapsed) * p / 100))] if elapsed else 0

        duration = float(finished.group(1)) * (1 if finished.group(2) == "s" else 0.001)
        print("RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d" % (
            int(done.group(3)), duration * 1e6, pct(50), pct(90), pct(99), elapsed[-1] if elapsed else 0,
            int(done.group(5)) + int(done.group(6)) + int(done.group(7)),
            int(codes.group(2)) + int(codes.group(3)) + int(codes.group(4))))
    finally:
        os.unlink(log)


if __name__ == "__main__":
    main()
