#!/usr/bin/env python3
"""make bench-latency's steady rate (bench/latency/steady.py) against runs built here with known
answers.

    Tests/bench_latency_check.py

Each run is written the way the bench records it: a scan's stderr with each line stamped by the
second it arrived, or dnsperf -S 1 output. Each has a ramp, a constant middle and a long tail at
a rate chosen here; the steady rate must be the middle's rate, not the whole run's (the tail of
never-answered names is what the bench leaves out on both sides). Too few points must give "-",
and bad arguments a message and exit 1. Prints 'bench-latency: N passed, M failed' last.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STEADY = os.path.join(HERE, "..", "bench", "latency", "steady.py")
passed = failed = 0


def check(good, text):
    global passed, failed
    print(("bench-latency ok: " if good else "bench-latency FAILED: ") + text)
    passed, failed = passed + bool(good), failed + (not good)


def steady(kind, text):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        r = subprocess.run([sys.executable, STEADY, kind, f.name], capture_output=True, text=True)
        return r.returncode, r.stdout.strip(), r.stderr
    finally:
        os.unlink(f.name)


def near(out, want):
    """Whether steady.py printed a number within 1 of `want`."""
    try:
        return abs(float(out) - want) < 1
    except ValueError:
        return False


def scan_run(per_second):
    """Stamped progress lines as `mtasts scan` writes them, one a second from t=1000."""
    lines, done = [], 0
    for i, n in enumerate(per_second, 1):
        done += n
        lines.append(f"{1000 + i}.000 {done} done  {n}/s  in flight 10000  no-record {done}")
        if i == 3:
            lines.append(f"{1000 + i}.500 warning: a line that is not progress")
    lines.append(f"{1000 + len(per_second)}.900 scan 1: {done} domains in {len(per_second)}.9s")
    return "\n".join(lines) + "\n"


def dnsperf_run(per_second):
    head = ["DNS Performance Testing Tool", "[Status] Sending queries (to 127.0.0.1:5600)"]
    body = [f"{1796300000 + i}.000000: {q:.6f}" for i, q in enumerate(per_second, 1)]
    tail = ["[Timeout] Query timed out: msg id 1", "[Status] Testing complete (end of file)",
            "  Queries per second:   1234.5"]
    return "\n".join(head + body + tail) + "\n"


def main():
    # A scan: 2 s of ramp at 1000/s, 20 s at 4000/s, then 15 s of tail at 20/s. 10% of the
    # 82,300 done falls at 8230 (in the middle), 90% at 74070 (still in the middle): 4000/s.
    # The whole run is 82,300 / 37 s = 2224/s.
    run = [1000, 1000] + [4000] * 20 + [20] * 15
    rc, out, _ = steady("scan", scan_run(run))
    check(rc == 0 and near(out, 4000), f"scan: steady rate of the middle is 4000/s (got {out!r})")

    # The middle's rate changes halfway (3000/s then 5000/s, 10 s each, 2 s ramps at 500/s):
    # total 82,000; 10% = 8200 at 1 + (8200 - 1000) / 3000 s into the middle, 90% = 73,800.
    run = [500, 500] + [3000] * 10 + [5000] * 10 + [500, 500]
    total = sum(run)
    pts = [0]
    for n in run:
        pts.append(pts[-1] + n)
    def when(target):
        for i in range(len(run)):
            if pts[i] <= target <= pts[i + 1]:
                return i + (target - pts[i]) / run[i]
    expect = 0.8 * total / (when(0.9 * total) - when(0.1 * total))
    rc, out, _ = steady("scan", scan_run(run))
    check(rc == 0 and near(out, expect),
          f"scan: a middle of two rates gives {expect:.1f}/s, worked out by hand here (got {out!r})")

    # dnsperf: 1 s at 2000 q/s, 20 s at 12000, then 10 s where only the lost queries time out.
    rc, out, _ = steady("dnsperf", dnsperf_run([2000] + [12000] * 20 + [0] * 10))
    check(rc == 0 and near(out, 12000), f"dnsperf: steady rate of the middle is 12000/s (got {out!r})")

    rc, out, _ = steady("scan", scan_run([100, 100]))
    check(rc == 0 and out == "-", f"scan: two progress lines are too few, '-' (got {out!r})")
    rc, out, _ = steady("dnsperf", "Statistics:\n  Queries per second: 1.0\n")
    check(rc == 0 and out == "-", f"dnsperf: no -S lines, '-' (got {out!r})")

    r = subprocess.run([sys.executable, STEADY, "resperf", "/dev/null"], capture_output=True, text=True)
    check(r.returncode == 1 and "usage" in r.stderr, "an unknown kind: usage and exit 1")

    print(f"bench-latency: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
