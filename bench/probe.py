#!/usr/bin/env python3
"""A normal client next to an attack: a fresh connection and one GET every INTERVAL seconds, for DURATION seconds.

Usage: probe.py HOST PORT DURATION [INTERVAL=0.1] [TIMEOUT=2]
Prints one JSON line: requests sent, answered 200, failed (error, timeout or other status), latency percentiles of
the 200s in ms. A fresh connection each time on purpose: slow clients exhaust connection slots, which a kept-alive
probe would never notice.
"""
import json
import socket
import sys
import time


def one(host, port, timeout):
    start = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(max(0.001, timeout - (time.monotonic() - start)))
            s.sendall(b"GET /probe HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "garbage"
    except (OSError, socket.timeout) as e:
        status = type(e).__name__
    return status, (time.monotonic() - start) * 1000


def main():
    host, port, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
    end = time.monotonic() + duration
    ok, failures, statuses = [], 0, {}
    next_at = time.monotonic()
    while time.monotonic() < end:
        status, millis = one(host, port, timeout)
        statuses[status] = statuses.get(status, 0) + 1
        if status == "200":
            ok.append(millis)
        else:
            failures += 1
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
    ok.sort()

    def pct(p):
        return round(ok[min(len(ok) - 1, int(p / 100 * len(ok)))], 1) if ok else None

    print(json.dumps({"sent": len(ok) + failures, "ok": len(ok), "failed": failures, "statuses": statuses,
                      "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": round(ok[-1], 1) if ok else None}))


if __name__ == "__main__":
    main()
