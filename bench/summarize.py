#!/usr/bin/env python3
"""Turns bench/run.sh's results.jsonl into markdown tables: medians over rounds, ratios to HAProxy."""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ORDER = ["haproxy", "nginx", "jvm", "jvm-tuned"]


def med(values):
    return statistics.median(values) if values else float("nan")


startup = [r for r in rows if r.get("scenario") == "startup"]
if startup:
    print("### Startup to ready (JVM balancer)\n")
    print("| variant | CPUs | runs | median ms | min ms | max ms | median CPU ms to ready |")
    print("|---|---|---|---|---|---|---|")
    for name in sorted({r.get("name", "jvm") for r in startup}):
        for pinned in ("yes", "no"):
            runs = [r for r in startup if r["pinned"] == pinned and r.get("name", "jvm") == name]
            ms = [r["ready_ms"] for r in runs]
            cpu = [r["cpu_ms"] for r in runs if "cpu_ms" in r]  # runs before 2026-12-02 did not record it
            if ms:
                label = "1 (taskset, as benchmarked)" if pinned == "yes" else "all"
                cpu_median = f"{med(cpu):.0f}" if cpu else "-"
                print(f"| {name} | {label} | {len(ms)} | {med(ms):.0f} | {min(ms)} | {max(ms)} | {cpu_median} |")
    print()

for scenario in ("fast", "paced", "slow", "h2", "tls", "tls-new"):
    runs = [r for r in rows if r.get("scenario") == scenario and "rps" in r]
    if not runs:
        continue
    by = defaultdict(list)
    for r in runs:
        by[r["name"]].append(r)
    agg = {}
    for name, rs in by.items():
        agg[name] = {
            "rounds": len(rs),
            "rps": med([r["rps"] for r in rs]),
            "p50": med([r["p50_ms"] for r in rs]),
            "p99": med([r["p99_ms"] for r in rs]),
            "cpu": med([r["cpu_s_per_100k"] for r in rs]),
            "rss": max(r["rss_hwm_mb"] for r in rs),
            "errors": sum(r["errors"] for r in rs),
            "load": max(r["load1"] for r in rs),
            "foreign": max(r["foreign_cpu_pct"] for r in rs),
        }
    base = agg.get("haproxy")
    # The machine's speed drifts during a run: each round's ratio to HAProxy's run of the same round is the fairer one.
    haproxy_by_round = {r["round"]: r for r in by.get("haproxy", [])}

    def paired(name, key):
        ratios = [r[key] / haproxy_by_round[r["round"]][key] for r in by[name] if r["round"] in haproxy_by_round]
        return f"{med(ratios):.2f}×" if ratios else "-"

    for name, a in agg.items():
        a["paired"] = paired(name, "rps")
        a["paired_p99"] = paired(name, "p99_ms")

    def ratio(name, key):
        if not base or not base[key]:
            return "-"
        return f"{agg[name][key] / base[key]:.2f}×"

    print(f"### Scenario {scenario}: medians of {max(a['rounds'] for a in agg.values())} rounds\n")
    print("| balancer | req/s | p50 ms | p99 ms | CPU s / 100k req | peak RSS MiB | errors "
          "| req/s vs HAProxy | paired rounds | p99 vs HAProxy | paired rounds | CPU vs HAProxy | RSS vs HAProxy "
          "| max load1 | max foreign CPU % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in [n for n in ORDER if n in agg] + [n for n in agg if n not in ORDER]:
        a = agg[name]
        print(f"| {name} | {a['rps']:.0f} | {a['p50']:.2f} | {a['p99']:.2f} | {a['cpu']:.2f} | {a['rss']:.1f} "
              f"| {a['errors']} | {ratio(name, 'rps')} | {a['paired']} | {ratio(name, 'p99')} | {a['paired_p99']} "
              f"| {ratio(name, 'cpu')} "
              f"| {ratio(name, 'rss')} | {a['load']:.2f} | {a['foreign']:.1f} |")
    print()
    if any("shares" in r for r in runs):
        print(f"Share of requests per backend (scenario {scenario}, all rounds added up):\n")
        ports = sorted({p for r in runs if "shares" in r for p in r["shares"]})
        print("| balancer | " + " | ".join(ports) + " |")
        print("|---|" + "---|" * len(ports))
        for name in [n for n in ORDER if n in by] + [n for n in by if n not in ORDER]:
            totals = defaultdict(int)
            for r in by[name]:
                for p, c in r.get("shares", {}).items():
                    totals[p] += c
            s = sum(totals.values()) or 1
            print(f"| {name} | " + " | ".join(f"{100 * totals[p] / s:.1f} %" for p in ports) + " |")
        print()
    print("Per run:\n")
    print("| round | try | balancer | req/s | p50 ms | p90 ms | p99 ms | CPU s/100k | RSS MiB | load1 | foreign CPU % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        print(f"| {r['round']} | {r.get('try', 1)} | {r['name']} | {r['rps']:.0f} | {r['p50_ms']:.2f} "
              f"| {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['cpu_s_per_100k']:.2f} | {r['rss_hwm_mb']:.1f} | {r['load1']:.2f} "
              f"| {r['foreign_cpu_pct']:.1f} |")
    print()

# Scenario routes: the same build with 50 routes against its single catch-all, round by round.
routes = [r for r in rows if r.get("scenario") == "routes" and "rps" in r]
if routes:
    by = defaultdict(list)
    for r in routes:
        by[r["name"]].append(r)
    base_by_round = {r["round"]: r for r in by.get("jvm-tuned", [])}
    print(f"### Scenario routes: 50 routes against the catch-all, medians of {len(base_by_round)} rounds\n")
    print("| balancer | req/s | p50 ms | p99 ms | CPU s / 100k req | req/s vs catch-all | paired rounds |")
    print("|---|---|---|---|---|---|---|")
    base_rps = med([r["rps"] for r in by["jvm-tuned"]]) if "jvm-tuned" in by else None
    for name, rs in by.items():
        rps = med([r["rps"] for r in rs])
        paired = [r["rps"] / base_by_round[r["round"]]["rps"] for r in rs if r["round"] in base_by_round]
        print(f"| {name} | {rps:.0f} | {med([r['p50_ms'] for r in rs]):.2f} | {med([r['p99_ms'] for r in rs]):.2f} "
              f"| {med([r['cpu_s_per_100k'] for r in rs]):.2f} "
              f"| {f'{rps / base_rps:.3f}×' if base_rps else '-'} | {f'{med(paired):.3f}×' if paired else '-'} |")
    print()

# Scenario accesslog: the same build with the access log on (to a file) against it off, round by round; each
# variant other than jvm-tuned (the log off) is paired with jvm-tuned's run of the same round.
logged = [r for r in rows if r.get("scenario") == "accesslog" and "rps" in r]
if logged:
    by = defaultdict(list)
    for r in logged:
        by[r["name"]].append(r)
    base_by_round = {r["round"]: r for r in by.get("jvm-tuned", [])}
    print(f"### Scenario accesslog: the access log on, to a file, against it off, {len(base_by_round)} rounds\n")
    print("| round | variant | log off req/s | log on req/s | ratio | CPU s / 100k off / on | p99 ms off / on "
          "| lines written / requests |")
    print("|---|---|---|---|---|---|---|---|")
    for name in [n for n in by if n != "jvm-tuned"]:
        ratios = []
        for r in sorted(by[name], key=lambda r: int(r["round"])):
            base = base_by_round.get(r["round"])
            if not base:
                continue
            ratios.append(r["rps"] / base["rps"])
            print(f"| {r['round']} | {name} | {base['rps']:.0f} | {r['rps']:.0f} | {ratios[-1]:.3f}× "
                  f"| {base['cpu_s_per_100k']:.2f} / {r['cpu_s_per_100k']:.2f} | {base['p99_ms']:.2f} / {r['p99_ms']:.2f} "
                  f"| {r.get('log_lines', 0)} / {r['requests']} |")
        if ratios:
            cpu = med([r["cpu_s_per_100k"] for r in by[name]]) / med([b["cpu_s_per_100k"] for b in base_by_round.values()])
            print(f"| **median** | {name} | {med([b['rps'] for b in base_by_round.values()]):.0f} "
                  f"| {med([r['rps'] for r in by[name]]):.0f} | **{med(ratios):.3f}×** | CPU ratio {cpu:.3f}× | | |")
    print()
