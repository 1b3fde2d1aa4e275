#!/usr/bin/env python3
"""Summarises async-profiler's collapsed stacks (bench/async-profile.sh).

Usage: collapsed-top.py FILE.collapsed cpu|alloc [TOP]
  cpu:   share of samples by code owner (kernel, Netty, Vert.x, Quarkus, this project, ...), kernel time by
         system call, top self frames
  alloc: bytes by allocated class, and by allocation site (the class and the four frames that allocated it)
"""
import sys
from collections import Counter

path, mode = sys.argv[1], sys.argv[2]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 25

stacks = []
with open(path) as f:
    for line in f:
        frames, _, count = line.rstrip("\n").rpartition(" ")
        stacks.append((frames.split(";"), int(count)))
total = sum(n for _, n in stacks) or 1

OWNERS = (("io/lb/", "this project"), ("io/netty/", "netty"), ("io/vertx/ext/web", "vert.x web"),
          ("io/vertx/", "vert.x core"), ("io/quarkus/", "quarkus"), ("io/micrometer", "micrometer"),
          ("io/smallrye", "smallrye"), ("java/", "jdk"), ("jdk/", "jdk"), ("sun/", "jdk"))


def owner(frame):
    if frame.endswith("_[k]"):
        return "kernel"
    for prefix, name in OWNERS:
        if frame.startswith(prefix):
            return name
    return "jvm and native (GC, JIT stubs, libc, vdso)"


def show(counter, limit):
    for key, value in counter.most_common(limit):
        print(f"  {value * 100 / total:5.1f}%  {key}")


if mode == "cpu":
    print(f"{total} samples")
    owners, leaves = Counter(), Counter()
    for frames, n in stacks:
        owners[owner(frames[-1])] += n
        leaves[frames[-1]] += n
    print("-- self time by owner of the top frame")
    show(owners, 20)
    print("-- kernel time by system call")
    syscalls = Counter()
    for frames, n in stacks:
        if frames[-1].endswith("_[k]"):
            entry = next((f for f in frames if f.startswith("__x64_sys_") or f.startswith("__arm64_sys_")),
                         "other (interrupts, faults)")
            syscalls[entry.replace("_[k]", "")] += n
    show(syscalls, 10)
    print("-- top self frames")
    show(leaves, top)
elif mode == "alloc":
    print(f"{total} bytes allocated in the sampled allocations")
    classes, sites = Counter(), Counter()
    for frames, n in stacks:
        classes[frames[-1]] += n
        site = " <- ".join(f.split("/")[-1] for f in reversed(frames[-5:-1]))
        sites[f"{frames[-1]} @ {site}"] += n
    print("-- by class")
    show(classes, top)
    print("-- by allocation site")
    show(sites, top)
else:
    sys.exit(f"unknown mode {mode}: cpu or alloc")
