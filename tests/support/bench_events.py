#!/usr/bin/env python3
"""The event benchmarks of `scripts/bench` (PATTERN=1): `trailwatch pattern test` against `jq`
doing the equivalent `select` on the same JSON-lines file, and `trailwatch backtest` over the
same events written as gzipped CloudTrail log files, at two archive sizes.

    bench_events.py TRAILWATCH EVENTS.jsonl WORKDIR RUNS

Prints figures; asserts nothing. Needs jq and /usr/bin/time. Each figure is the median of RUNS runs, the two programs
alternating, so a noisy machine affects both alike.
"""

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

IAM_NAMES = [
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
    "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
    "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
    "AttachGroupPolicy", "DetachGroupPolicy",
]
PATTERN = "{" + "||".join(f"($.eventName={n})" for n in IAM_NAMES) + "}"
JQ = "select(" + " or ".join(f'.eventName=="{n}"' for n in IAM_NAMES) + ")"


def run(argv):
    """(wall seconds, CPU seconds, peak memory MB, stdout) of one run. The peak is measured by
    /usr/bin/time: a child of this (large) Python process would inherit its peak at exec."""
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.monotonic()
        child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name] + argv,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        if status != 0:
            sys.exit(f"error: {argv[0]} exited with {status}")
        return wall, usage.ru_utime + usage.ru_stime, int(peak.read().split()[-1]) / 1024, out


def medians(commands, runs):
    """Per command: median wall, median CPU, peak memory, last stdout."""
    results = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            results[name].append(run(argv))
    return {
        name: (
            statistics.median(r[0] for r in rs),
            statistics.median(r[1] for r in rs),
            max(r[2] for r in rs),
            rs[-1][3],
        )
        for name, rs in results.items()
    }


def pattern_vs_jq(tw, events, runs):
    size = os.path.getsize(events)
    lines = sum(1 for _ in open(events, "rb"))
    m = medians({"trailwatch": [tw, "pattern", "test", PATTERN, events], "jq": ["jq", "-c", JQ, events]}, runs)
    matched_tw = m["trailwatch"][3].decode().strip().splitlines()[-1]
    matched_jq = len(m["jq"][3].splitlines())
    print(f"pattern test vs jq on {lines} events ({size / 1e6:.0f} MB of JSON lines), the 16-name IAM pattern, median of {runs}:")
    for name, (wall, cpu, mem, _) in m.items():
        print(f"  {name:<10} {wall:6.2f} s wall, {cpu:6.2f} s CPU, {lines / wall:9.0f} events/s, {size / 1e6 / wall:6.0f} MB/s, peak {mem:.0f} MB")
    print(f"  ratio: {m['jq'][0] / m['trailwatch'][0]:.1f}x jq's events per second (goal >= 10x); "
          f"trailwatch: {matched_tw}; jq: {matched_jq} matches")


def write_archive(events, folder, files):
    """The events as `files` gzipped CloudTrail log files ({"Records": [...]}) in `folder`."""
    os.makedirs(folder, exist_ok=True)
    lines = open(events, encoding="utf-8").read().splitlines()
    per = max(1, len(lines) // files)
    for i in range(files):
        chunk = lines[i * per:(i + 1) * per]
        with gzip.open(os.path.join(folder, f"{i:05}.json.gz"), "wt", compresslevel=6) as f:
            f.write('{"Records":[' + ",".join(chunk) + "]}")


def backtest(tw, events, work, runs):
    cores = os.cpu_count()
    print(f"backtest --published-only, every control of the newest benchmark, {cores} cores, median of {runs}:")
    for copies in (1, 2):
        folder = os.path.join(work, f"archive-{copies}")
        for c in range(copies):
            write_archive(events, os.path.join(folder, str(c)), 100)
        m = medians({"backtest": [tw, "backtest", "--published-only", "--json", folder]}, runs)
        wall, cpu, mem, out = m["backtest"]
        doc = json.loads(out)
        read = doc["input"]
        print(f"  {read['files']} files, {read['events']} events, {read['bytes'] / 1e6:.0f} MB decompressed: "
              f"{wall:.2f} s wall, {read['bytes'] / 1e6 / wall:.0f} MB/s, CPU {cpu:.2f} s ({cpu / wall:.1f} cores busy), peak memory {mem:.0f} MB")


def main():
    tw, events, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    pattern_vs_jq(tw, events, runs)
    backtest(tw, events, work, runs)


if __name__ == "__main__":
    main()
