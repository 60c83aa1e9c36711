"""The organization-scale figures of scripts/bench: runs trailwatch (and, given one, a baseline
build, alternating with it) against tests/support/fake_aws.py, and prints each figure next to
its goal ("met" / "NOT met"; "cannot tell" when a call of the runs was not in the fake's
recording), the fake's own figures, and the ratios to the baseline.

    bench_scale.py FAKE_URL TW BASELINE RUNS LABEL ACCOUNTS DELAY_MS DEPTH GOALS... -- ARGS...

GOALS are `wall=S` (seconds), `wall-ratio=R` (times the run's round trips alone), `cpu=MS`
(per account), `mem=MB`, `mem-ratio=R:FILE` (times the peak saved in FILE), `save=FILE` (saves
this run's peak memory there) and `depth` (prints each account's depth in round trips and, for
`plan`, where its time beyond the delays went, from the fake's trace). BASELINE is "" for none.
Each binary's peak memory is its own (wait4).
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fake_get(fake, path):
    with OPENER.open(fake + path) as answer:
        return json.load(answer)


def run_once(argv):
    """Runs argv; returns its stdout, exit status, wall seconds, CPU seconds and peak MB."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    return text, child.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def assumed_accounts(trace):
    """The fake's trace (received, answered, key, operation) as each assumed account's calls
    (signed with its own key: AssumeRole, signed by the run's credentials, is not among them),
    each a (received, answered) pair."""
    by_key = {}
    for received, answered, key, _operation in trace:
        if key.startswith("ASIA"):
            by_key.setdefault(key, []).append((received, answered))
    return list(by_key.values())


def account_depths(trace):
    """Each assumed account's round trips, from the fake's trace: its calls in sequential
    layers; a call received before every earlier answer left is in the same layer."""
    depths = []
    for calls in assumed_accounts(trace):
        layers, end = 0, -1.0
        for received, answered in sorted(calls):
            if received >= end:
                layers += 1
                end = answered
            else:
                end = max(end, answered)
        depths.append(layers)
    return sorted(depths)


def critical_paths(trace, delay):
    """Where each assumed account's time went, from its first call received to its last answer
    sent: walking back from the last answer, each call on the path is the one whose answer was
    sent last before the next one was received. The span splits exactly into the path's calls
    held by the fake (the delay, and how late it answered beyond it) and the rest: from the
    account's first call to the path's first, and from each answer to the next call received
    (trailwatch handling the answer and sending, loopback, the fake reading it). Returns the
    sorted per-account sums (late, rest), in seconds."""
    late, rest = [], []
    for calls in assumed_accounts(trace):
        by_answer = sorted(calls, key=lambda c: c[1])
        received, answered = by_answer[-1]
        late_sum, rest_sum = 0.0, 0.0
        while True:
            late_sum += answered - received - delay / 1000
            before = [c for c in by_answer if c[1] < received]
            if not before:
                break
            rest_sum += received - before[-1][1]
            received, answered = before[-1]
        late.append(late_sum)
        rest.append(rest_sum + received - min(c[0] for c in calls))
    return sorted(late), sorted(rest)


def percentile(ordered, share):
    """The value at `share` (0 to 1) of a sorted list, by nearest rank from below."""
    return ordered[int(share * (len(ordered) - 1))]


def is_apply(doc):
    """True for `apply`'s JSON document (its totals), false for `plan`'s."""
    return "totals" in doc


def parse_goals(words):
    goals = {}
    for word in words:
        key, _, value = word.partition("=")
        goals[key] = value
    return goals


def verdict(value, limit, missed=0):
    """"met" or "NOT met"; none when some call of the runs was not in the recording (the SDK's
    retries of it counted too): the fake answered it with a 500, so the figure is of a run that
    did less (or retried more) than the account asks for."""
    if missed:
        return f"cannot tell: {missed} call(s) of these runs were not in the recording"
    return "met" if value <= limit else "NOT met"


def main():
    split = sys.argv.index("--")
    fake, tw, baseline, runs, label, n, delay, depth = sys.argv[1:9]
    goals, args = parse_goals(sys.argv[9:split]), sys.argv[split + 1:]
    runs, n, delay, depth = int(runs), int(n), float(delay), int(depth)
    binaries = {"this": tw} | ({"baseline": baseline} if baseline else {})
    figures = {name: {"wall": [], "cpu": [], "peak": []} for name in binaries}
    stats, traces, last = [], [], None
    missed = {name: 0 for name in binaries}
    for _ in range(runs):
        for name, binary in binaries.items():
            fake_get(fake, f"/__fake/reset?delay_ms={delay}")
            text, code, wall, cpu, peak = run_once([binary] + args)
            for key, value in (("wall", wall), ("cpu", cpu), ("peak", peak)):
                figures[name][key].append(value)
            run_stats = fake_get(fake, "/__fake/stats")
            missed[name] += run_stats["misses"]
            if name == "this":
                last = (text, code)
                stats.append(run_stats)
                if "depth" in goals:
                    traces.append(fake_get(fake, "/__fake/trace"))
    this = figures["this"]
    wall = statistics.median(this["wall"])
    cpu_ms = statistics.median(this["cpu"]) / n * 1000
    peak = max(this["peak"])
    depths = account_depths(traces[-1]) if traces else []
    s = stats[this["wall"].index(sorted(this["wall"])[len(this["wall"]) // 2])]
    assumes = s["calls"].get("AssumeRole", 0) / n
    if depths:
        depth = round(statistics.median(depths) + assumes)
    floor = delay / 1000 * (1 + math.ceil(n / 64) * depth)
    print(headline(label, last, (wall, this["wall"], runs), (cpu_ms, peak, floor), goals, missed["this"]))
    print(f"  calls answered by the fake: {s['total']} ({', '.join(f'{k} {v}' for k, v in sorted(s['calls'].items()))}), "
          f"on {s['connections']} connections ({s['total'] / n:.1f} calls per account, trailwatch's CPU "
          f"{1000 * cpu_ms / max(s['total'] / n, 1):.0f} us a call); the run's round trips alone take {floor:.2f} s"
          + each_account(last[0], delay))
    if depths:
        print(f"  each account's depth in round trips: {statistics.median(depths) + assumes:g} (median; "
              f"{depths[0] + assumes:g}-{depths[-1] + assumes:g}): {assumes:g} AssumeRole and "
              f"{statistics.median(depths):g} round trips of its own calls (see docs/benchmarks.md for the least it could be)")
    if depths and not is_apply(json.loads(last[0])):
        # Not for apply: there an account's path waits for every account's plan before it writes.
        late, rest = critical_paths(traces[-1], delay)
        print(f"  along each account's slowest path of calls, beyond the delay: the fake's late answers "
              f"{1000 * statistics.median(late):.1f} ms in all (median; 90th percentile "
              f"{1000 * percentile(late, 0.9):.1f}), the time from an answer to the next call "
              f"{1000 * statistics.median(rest):.1f} ms (median; 90th percentile "
              f"{1000 * percentile(rest, 0.9):.1f}: trailwatch, loopback and the fake's reading; "
              f"the last run's trace)")
    print(f"  the fake: {s['total'] / wall:.0f} calls/s, up to {s['peak_in_flight']} in flight, busy "
          f"{100 * s['cpu_s'] / wall:.0f} % of the run ({1000 * s['cpu_s'] / max(s['total'], 1):.2f} ms of CPU a "
          f"call), answers sent {s['late_ms_median']:.1f} ms late (median; 99th percentile "
          f"{s['late_ms_p99']:.1f} ms), {s['misses']} not in the recording")
    for miss in s["first_misses"]:
        print(f"  not in the recording: {miss}")
    if "save" in goals:
        # A run the fake could not answer in full is no reference: "missed" makes the ratio
        # against it "cannot tell".
        with open(goals["save"], "w") as f:
            f.write("missed\n" if missed["this"] else f"{peak}\n")
    if baseline:
        print(compared(figures, n))
        if missed["baseline"]:
            print(f"  the baseline's runs: {missed['baseline']} call(s) not in the recording, "
                  "so its figures are of runs that did less than the account asks for")


def headline(label, last, walls, figures, goals, missed):
    (text, code), (wall, all_walls, runs), (cpu_ms, peak, floor) = last, walls, figures
    doc = json.loads(text)
    if is_apply(doc):
        result = ", ".join(f"{v} {k}" for k, v in doc["totals"].items())
    else:
        accounts = doc["summary"]["accounts"]
        read = sum(a["status"] == "ok" for a in accounts)
        result = f"{read} of {len(accounts)} read, {sum(a.get('actions', 0) for a in accounts)} actions"
    line = (f"{label}: exit {code} ({result}), wall {wall:.2f} s (median of {runs}; "
            f"{min(all_walls):.2f}-{max(all_walls):.2f})")
    # Each goal's figure is printed again to the millisecond (or the thousandth), so that one that
    # rounds to its goal shows why it is not met.
    if "wall" in goals:
        line += f" (goal <= {goals['wall']} s: {wall:.3f} s, {verdict(wall, float(goals['wall']), missed)})"
    if "wall-ratio" in goals:
        limit = float(goals["wall-ratio"])
        line += (f" (goal <= {limit:.2f} x the round trips alone, {floor:.2f} s: ratio "
                 f"{wall / floor:.3f}, {verdict(wall / floor, limit, missed)})")
    line += f", trailwatch CPU {cpu_ms:.2f} ms/account"
    if "cpu" in goals:
        line += f" (goal <= {goals['cpu']} ms: {cpu_ms:.3f} ms, {verdict(cpu_ms, float(goals['cpu']), missed)})"
    line += f", peak memory {peak:.1f} MB"
    if "mem" in goals:
        line += f" (goal <= {goals['mem']} MB: {peak:.3f} MB, {verdict(peak, float(goals['mem']), missed)})"
    if "mem-ratio" in goals:
        line += mem_ratio(goals["mem-ratio"], peak, missed)
    return line


def mem_ratio(goal, peak, missed):
    """The memory goal relative to a figure an earlier run saved (`save=FILE`), which says
    "missed" when that run was not answered in full."""
    limit, _, path = goal.partition(":")
    with open(path) as f:
        saved = f.read().strip()
    if saved == "missed":
        return (f" (goal <= {float(limit):g} x the 1,000-account figure: cannot tell: the runs "
                "that figure comes from had calls not in the recording)")
    reference = float(saved)
    return (f" (goal <= {float(limit):g} x the 1,000-account figure, {reference:.1f} MB: ratio "
            f"{peak / reference:.3f}, {verdict(peak / reference, float(limit), missed)})")


def each_account(text, delay):
    doc = json.loads(text)
    if is_apply(doc):
        return ""
    per = sorted(a["wall_ms"] for a in doc["summary"]["accounts"])
    return (f"; each account took {per[len(per) // 2] / 1000:.2f} s (median; "
            f"{per[0] / 1000:.2f}-{per[-1] / 1000:.2f}) from its start, its round trips alone "
            f"{4 * delay / 1000:.2f} s")


def compared(figures, n):
    this, base = figures["this"], figures["baseline"]
    bw, w = statistics.median(base["wall"]), statistics.median(this["wall"])
    bc, c = (statistics.median(f["cpu"]) / n * 1000 for f in (base, this))
    bp, p = max(base["peak"]), max(this["peak"])
    return (f"  vs baseline (same run, alternating): wall {bw:.2f} s -> {w:.2f} s (ratio {w / bw:.2f}), "
            f"CPU {bc:.2f} -> {c:.2f} ms/account (ratio {c / bc:.2f}), peak memory {bp:.1f} -> "
            f"{p:.1f} MB (ratio {p / bp:.2f})")


if __name__ == "__main__":
    main()
