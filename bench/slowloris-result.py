#!/usr/bin/env python3
"""bench/slowloris.sh's figures for one run, from the files it left in the run's directory, as one JSON line:

    slowloris-result.py BALANCER MODE LABEL DIR LENGTH REJECTED_JSON
    slowloris-result.py --table RESULTS.jsonl     (the Markdown table of docs/admission.md)
"""
import csv
import json
import sys


def result(name, mode, label, d, length, rejected):
    probe = json.load(open(f"{d}/probe.json"))
    samples = [tuple(map(int, line.split())) for line in open(f"{d}/sockets") if line.strip()]
    start = samples[0][0] if samples else 0
    before_end = [n for t, n in samples if t <= start + length - 2]
    rows = list(csv.DictReader(open(f"{d}/slowhttptest.csv")))

    def col(row, prefix):
        return int(next(v for k, v in row.items() if k.strip().lower().startswith(prefix)))

    first_connected = next((col(r, "seconds") for r in rows if col(r, "connected") > 0), None)
    first_closed = next((col(r, "seconds") for r in rows if col(r, "closed") > 0), None)
    return {"label": label, "balancer": name, "mode": mode, "probe": probe,
            "sockets_peak": max((n for _, n in samples), default=0),
            "sockets_before_end": before_end[-1] if before_end else 0,
            "slow_connected_peak": max((col(r, "connected") for r in rows), default=0),
            "slow_closed": col(rows[-1], "closed") if rows else 0,
            "first_close_after_s": None if first_closed is None or first_connected is None
            else first_closed - first_connected,
            "rejected": rejected}


def table(path):
    print("| build | balancer | mode | probe ok/sent | probe p50 / p99 / max ms | slow sockets peak / 2 s before end"
          " | first closed after | closed by server |")
    print("|---|---|---|---|---|---|---|---|")
    for line in open(path):
        r = json.loads(line)
        p = r["probe"]
        first = "never" if r["first_close_after_s"] is None else f'{r["first_close_after_s"]} s'
        print(f'| {r["label"]} | {r["balancer"]} | {r["mode"]} | {p["ok"]}/{p["sent"]} | {p["p50_ms"]} / '
              f'{p["p99_ms"]} / {p["max_ms"]} | {r["sockets_peak"]} / {r["sockets_before_end"]} | {first} | '
              f'{r["slow_closed"]} |')


if __name__ == "__main__":
    if sys.argv[1] == "--table":
        table(sys.argv[2])
    else:
        n, m, label, d, length, rejected = sys.argv[1:7]
        print(json.dumps(result(n, m, label, d, int(length), json.loads(rejected))))
