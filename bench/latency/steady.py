#!/usr/bin/env python3
"""The steady rate of a run: completions per second between the moments when 10% and when 90% of
all completions were done, leaving out the ramp at the start and the tail at the end.

    steady.py scan FILE     FILE: `mtasts scan` stderr, each line prefixed by the second it
                            arrived at (stamp.py); progress lines read "<done> done ..."
    steady.py dnsperf FILE  FILE: dnsperf -S 1 output; lines "<unix time>: <queries/s in the
                            interval that ended then>"

Prints the rate (a number), or "-" when the file has too few points.

Why: a run's wall time ends with a tail that does not depend on throughput. The last queries for
zones that never answer are waited for (`mtasts scan`: (retries + 1) x --timeout, 15 s at the
bench's --timeout 5; dnsperf: its -t). On a 100k world at ~4000 domains/s that tail is a third of
the run; on a survey of millions it is nothing. dnsperf's own "Queries per second" leaves its tail
out, so a scan's whole-run rate against it understated the scanner. Both sides are measured the
same way here; the whole-run rates are printed beside (bench/latency/README.md).
"""
import sys


def scan_points(path):
    pts = []
    for line in open(path, errors="replace"):
        f = line.split()
        if len(f) >= 3 and f[2] == "done" and f[1].isdigit():
            pts.append((float(f[0]), int(f[1])))
    return pts


def dnsperf_points(path):
    pts, total, prev = [], 0.0, None
    for line in open(path, errors="replace"):
        f = line.strip().split(": ")
        if len(f) != 2:
            continue
        try:
            t, qps = float(f[0]), float(f[1])
        except ValueError:
            continue
        if prev is not None:
            total += qps * (t - prev)
            pts.append((t, total))
        else:
            pts.append((t - 1.0, 0.0))       # -S 1: the first line closes the first second
            total += qps
            pts.append((t, total))
        prev = t
    return pts


def crossing(pts, target):
    """The time at which the cumulative count reached `target`, interpolated between points."""
    for (t0, n0), (t1, n1) in zip(pts, pts[1:]):
        if n0 <= target <= n1 and n1 > n0:
            return t0 + (t1 - t0) * (target - n0) / (n1 - n0)
    return None


def steady(pts):
    if len(pts) < 4:
        return None
    total = pts[-1][1]
    a, b = crossing(pts, 0.1 * total), crossing(pts, 0.9 * total)
    if a is None or b is None or b <= a:
        return None
    return 0.8 * total / (b - a)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("scan", "dnsperf"):
        sys.exit("usage: steady.py scan|dnsperf FILE")
    pts = (scan_points if sys.argv[1] == "scan" else dnsperf_points)(sys.argv[2])
    r = steady(pts)
    print("-" if r is None else f"{r:.1f}")


if __name__ == "__main__":
    main()
