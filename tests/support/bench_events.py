#!/usr/bin/env python3
"""The event benchmarks of `scripts/bench` (PATTERN=1): `trailwatch pattern test` against `jq`
doing the equivalent `select` on the same JSON-lines file, `pattern test --language eventbridge`
against the filter pattern of the same events (the ratio of their times), `trailwatch backtest` over the same
events written as gzipped CloudTrail log files, at two archive sizes, and the peak memory of
`pattern test` over one gzipped CloudTrail log file of BIG_GB (4 by default) GB decompressed next
to its peak over a small one.

    bench_events.py TRAILWATCH EVENTS.jsonl WORKDIR RUNS [BASELINE]

Prints figures; asserts nothing. Needs jq and /usr/bin/time. Each figure is the median of RUNS
runs, the programs alternating, so a noisy machine affects them alike. BASELINE, another
trailwatch binary (an earlier build), is run the same way beside this one in `pattern test` and
`backtest`, and the ratio of their medians printed: a comparison made in the same run.
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
# The same events as an EventBridge rule names them.
EVENT_PATTERN = json.dumps({"detail": {"eventName": IAM_NAMES}})
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


def with_baseline(commands, baseline):
    """The commands, and the first of them run by the baseline binary when there is one."""
    if not baseline:
        return commands
    first = next(iter(commands.values()))
    return commands | {"baseline": [baseline] + first[1:]}


def print_baseline(m, name):
    """This build's median wall time against the baseline's, when there is one."""
    if "baseline" in m:
        this, before = m[name][0], m["baseline"][0]
        print(f"  vs baseline (same run, alternating): {before:.2f} s -> {this:.2f} s wall "
              f"(ratio {this / before:.2f}), peak {m['baseline'][2]:.0f} MB -> {m[name][2]:.0f} MB")


def pattern_vs_jq(tw, events, runs, baseline):
    size = os.path.getsize(events)
    lines = sum(1 for _ in open(events, "rb"))
    m = medians(with_baseline({"trailwatch": [tw, "pattern", "test", PATTERN, events],
                               "jq": ["jq", "-c", JQ, events]}, baseline), runs)
    matched_tw = m["trailwatch"][3].decode().strip().splitlines()[-1]
    matched_jq = len(m["jq"][3].splitlines())
    print(f"pattern test vs jq on {lines} events ({size / 1e6:.0f} MB of JSON lines), the 16-name IAM pattern, median of {runs}:")
    for name, (wall, cpu, mem, _) in m.items():
        print(f"  {name:<10} {wall:6.2f} s wall, {cpu:6.2f} s CPU, {lines / wall:9.0f} events/s, {size / 1e6 / wall:6.0f} MB/s, peak {mem:.0f} MB")
    print(f"  ratio: {m['jq'][0] / m['trailwatch'][0]:.1f}x jq's events per second (goal >= 10x); "
          f"trailwatch: {matched_tw}; jq: {matched_jq} matches")
    print_baseline(m, "trailwatch")


def eventbridge_vs_filter(tw, events, runs):
    """`pattern test --language eventbridge` against the filter pattern of the same events."""
    lines = sum(1 for _ in open(events, "rb"))
    m = medians({"filter": [tw, "pattern", "test", PATTERN, events],
                 "eventbridge": [tw, "pattern", "test", "--language", "eventbridge", EVENT_PATTERN, events]},
                runs)
    print(f"pattern test --language eventbridge vs the filter pattern on {lines} events, the same 16 IAM names, median of {runs}:")
    for name, (wall, cpu, mem, out) in m.items():
        print(f"  {name:<12} {wall:6.2f} s wall, {lines / wall:9.0f} events/s, peak {mem:.0f} MB, "
              f"{out.decode().strip().splitlines()[-1]}")
    print(f"  ratio: the event pattern takes {m['eventbridge'][0] / m['filter'][0]:.2f}x the filter pattern's time (goal <= 2x)")


def write_archive(events, folder, files):
    """The events as `files` gzipped CloudTrail log files ({"Records": [...]}) in `folder`."""
    os.makedirs(folder, exist_ok=True)
    lines = open(events, encoding="utf-8").read().splitlines()
    per = max(1, len(lines) // files)
    for i in range(files):
        chunk = lines[i * per:(i + 1) * per]
        with gzip.open(os.path.join(folder, f"{i:05}.json.gz"), "wt", compresslevel=6) as f:
            f.write('{"Records":[' + ",".join(chunk) + "]}")


def backtest(tw, events, work, runs, baseline):
    cores = os.cpu_count()
    print(f"backtest --published-only, every control of the newest benchmark, {cores} cores, median of {runs}:")
    for copies in (1, 2):
        folder = os.path.join(work, f"archive-{copies}")
        for c in range(copies):
            write_archive(events, os.path.join(folder, str(c)), 100)
        m = medians(with_baseline({"backtest": [tw, "backtest", "--published-only", "--json", folder]},
                                  baseline), runs)
        wall, cpu, mem, out = m["backtest"]
        doc = json.loads(out)
        read = doc["input"]
        print(f"  {read['files']} files, {read['events']} events, {read['bytes'] / 1e6:.0f} MB decompressed: "
              f"{wall:.2f} s wall, {read['bytes'] / 1e6 / wall:.0f} MB/s, CPU {cpu:.2f} s ({cpu / wall:.1f} cores busy), peak memory {mem:.0f} MB")
        print_baseline(m, "backtest")


def write_cloudtrail_gz(path, block, size):
    """A gzipped CloudTrail log file of at least `size` bytes decompressed: the records of
    `block` over and over, written a chunk at a time (never whole in memory); returns how many
    records and bytes."""
    repeat = max(1, (1 << 20) // len(",".join(block)))
    chunk = ",".join(block * repeat)
    records, written = 0, 0
    with gzip.open(path, "wt", compresslevel=1, encoding="utf-8") as f:
        for part in ['{"Records":[', chunk]:
            written += f.write(part)
        records += len(block) * repeat
        while written < size:
            written += f.write("," + chunk)
            records += len(block) * repeat
        written += f.write("]}")
    return records, written


def bounded_memory(tw, events, work):
    """Peak memory of `pattern test` over one gzipped CloudTrail log file of BIG_GB GB
    decompressed (a single JSON object, read as a stream) against its peak over a 1 MB one."""
    size = float(os.environ.get("BIG_GB", "4")) * 1e9
    with open(events, encoding="utf-8") as f:
        # 20 records that the pattern does not match (about 24 KB: gzip's window holds them).
        others = (line.rstrip("\n") for line in f if json.loads(line)["eventName"] not in IAM_NAMES)
        block = [next(others) for _ in range(20)]
    big, small = os.path.join(work, "big.json.gz"), os.path.join(work, "small.json.gz")
    start = time.monotonic()
    records, size = write_cloudtrail_gz(big, block, size)
    written = time.monotonic() - start
    write_cloudtrail_gz(small, block, 1e6)
    print(f"pattern test over one gzipped CloudTrail log file of {size / 1e9:.1f} GB decompressed "
          f"({os.path.getsize(big) / 1e6:.0f} MB gzipped, {records} records, written in {written:.0f} s), once:")
    wall, cpu, big_mem, out = run([tw, "pattern", "test", PATTERN, big])
    print(f"  {wall:.1f} s wall, {size / 1e6 / wall:.0f} MB/s decompressed, peak {big_mem:.1f} MB; "
          f"{out.decode().strip().splitlines()[-1]}")
    small_mem = max(run([tw, "pattern", "test", PATTERN, small])[2] for _ in range(3))
    print(f"  a 1 MB one: peak {small_mem:.1f} MB; ratio {big_mem / small_mem:.2f} "
          f"(1.0: memory does not grow with the input)")
    os.remove(big)


def main():
    tw, events, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    baseline = sys.argv[5] if len(sys.argv) > 5 else ""
    pattern_vs_jq(tw, events, runs, baseline)
    eventbridge_vs_filter(tw, events, runs)
    backtest(tw, events, work, runs, baseline)
    bounded_memory(tw, events, work)


if __name__ == "__main__":
    main()
