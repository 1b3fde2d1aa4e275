#!/usr/bin/env python3
"""Aggregates a JFR recording: where the CPU goes (top self frames, top inclusive methods, by package),
which threads use the CPU, what is allocated, and how much GC there was.

Usage: jfr-top.py FILE.jfr [TOP]
"""
import json
import subprocess
import sys
from collections import Counter, defaultdict

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25


def events(names):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", names, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame):
    m = frame["method"]
    return f'{m["type"]["name"]}.{m["name"]}'.replace("/", ".")


def package_group(name):
    for prefix, group in (("io.lb.", "io.lb (this project)"), ("io.netty.", "netty"), ("io.vertx.", "vert.x"),
                          ("io.quarkus.", "quarkus"), ("io.micrometer.", "micrometer"), ("io.smallrye.", "smallrye"),
                          ("java.", "jdk"), ("jdk.", "jdk"), ("sun.", "jdk")):
        if name.startswith(prefix):
            return group
    return "other"


samples = events("jdk.ExecutionSample")
self_counts, incl_counts, groups, lb_incl = Counter(), Counter(), Counter(), Counter()
for e in samples:
    frames = [frame_name(f) for f in (e["values"]["stackTrace"] or {}).get("frames", [])]
    if not frames:
        continue
    self_counts[frames[0]] += 1
    groups[package_group(frames[0])] += 1
    for name in set(frames):
        incl_counts[name] += 1
n = sum(self_counts.values()) or 1
print(f"== {n} execution samples (Java code on Java threads; native/syscall time is not in these)\n")
print("-- self time by package of the top frame")
for g, c in groups.most_common():
    print(f"{100 * c / n:6.1f}%  {g}")
print(f"\n-- top {top} self frames")
for name, c in self_counts.most_common(top):
    print(f"{100 * c / n:6.1f}%  {name}")
print(f"\n-- top {top} inclusive methods (share of samples with the method anywhere on the stack)")
for name, c in incl_counts.most_common(top):
    print(f"{100 * c / n:6.1f}%  {name}")
print("\n-- io.lb methods, inclusive")
for name, c in sorted(((k, v) for k, v in incl_counts.items() if k.startswith("io.lb.")), key=lambda kv: -kv[1])[:top]:
    print(f"{100 * c / n:6.1f}%  {name}")

natives = events("jdk.NativeMethodSample")
nat = Counter(frame_name(e["values"]["stackTrace"]["frames"][0]) for e in natives
              if e["values"].get("stackTrace") and e["values"]["stackTrace"]["frames"])
print(f"\n-- {len(natives)} native method samples (threads in native code, incl. blocked in epoll), top 8")
for name, c in nat.most_common(8):
    print(f"{100 * c / max(1, len(natives)):6.1f}%  {name}")

loads = defaultdict(list)
for e in events("jdk.ThreadCPULoad"):
    v = e["values"]
    thread = (v.get("eventThread") or {}).get("javaName") or (v.get("eventThread") or {}).get("osName") or "?"
    loads[thread].append(v["user"] + v["system"])
print("\n-- threads by mean CPU load (share of the machine's CPUs the JVM sees)")
for thread, vals in sorted(loads.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))[:12]:
    print(f"{100 * sum(vals) / len(vals):6.1f}%  {thread}")

alloc = Counter()
for e in events("jdk.ObjectAllocationSample"):
    v = e["values"]
    alloc[v["objectClass"]["name"].replace("/", ".")] += v["weight"]
total = sum(alloc.values()) or 1
print(f"\n-- allocation by class (sampled weight, {total / 2**20:.0f} MiB total), top 15")
for cls, w in alloc.most_common(15):
    print(f"{100 * w / total:6.1f}%  {w / 2**20:8.1f} MiB  {cls}")
alloc_sites = Counter()
for e in events("jdk.ObjectAllocationSample"):
    v = e["values"]
    frames = [frame_name(f) for f in (v.get("stackTrace") or {}).get("frames", [])]
    site = next((f for f in frames if f.startswith("io.lb.")), frames[0] if frames else "?")
    alloc_sites[site] += v["weight"]
print("\n-- allocation by first io.lb frame on the stack (else top frame), top 12")
for site, w in alloc_sites.most_common(12):
    print(f"{100 * w / total:6.1f}%  {site}")

gcs = events("jdk.GarbageCollection")
names = Counter(e["values"]["name"] for e in gcs)
print(f"\n-- {len(gcs)} garbage collections: " + ", ".join(f"{n} {k}" for k, n in names.most_common()))
