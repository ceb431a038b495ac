#!/usr/bin/env python3
"""Which domains of a latency world never answer (bench/latency/README.md), computed here in Python
independently of the delay proxy's C code from the same documented rule:

    zone(name)  = its last two labels, lower case
    dead(zone)  = zone is "<label>.test" and splitmix64(fnv1a64(zone)) % 1000 < DEAD_PERMILLE
    delay(zone) = min(MAX, MEDIAN * exp(SIGMA * z)), z from Box-Muller on the two 32-bit halves
                  of fnv1a64(zone)

    latency_truth.py WORLD_DIR [DEAD_PERMILLE]  -> WORLD_DIR/latency/truth.jsonl, one line per domain:
        {"domain", "line", "dead": the domain's own zone never answers,
         "mx_dead": some MX host of the domain is in a dead zone, "base_status": truth.jsonl's status}
    and a summary on stdout.
"""
import json
import math
import os
import sys

M64 = (1 << 64) - 1


def fnv1a64(s):
    h = 1469598103934665603
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) & M64
    return h


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def zone(name):
    labels = name.rstrip(".").lower().split(".")
    return ".".join(labels[-2:])


def dead(z, permille):
    labels = z.split(".")
    return len(labels) == 2 and labels[1] == "test" and splitmix64(fnv1a64(z)) % 1000 < permille


def delay_ms(z, median, sigma, cap):
    h = fnv1a64(z)
    u1 = ((h & 0xFFFFFFFF) + 0.5) / 4294967296.0
    u2 = ((h >> 32) + 0.5) / 4294967296.0
    return min(cap, median * math.exp(sigma * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)))


def main():
    D = sys.argv[1]
    permille = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("WORLD_DEAD_PERMILLE", "10"))
    rows, n_dead, n_mx_dead = [], 0, 0
    with open(os.path.join(D, "truth.jsonl")) as f:
        for line_no, line in enumerate(f, 1):
            t = json.loads(line)
            d = t["domain"] is not None and dead(zone(t["domain"]), permille)
            mxd = any(dead(zone(m["host"]), permille) for m in t.get("mx") or [])
            n_dead += d
            n_mx_dead += mxd and not d
            rows.append({"domain": t["domain"], "dead": d, "mx_dead": mxd, "base_status": t["status"]})
    os.makedirs(os.path.join(D, "latency"), exist_ok=True)
    with open(os.path.join(D, "latency", "truth.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print("latency truth: %d domains, %d in zones that never answer (%.2f%%), %d more with an MX host in one"
          % (len(rows), n_dead, 100.0 * n_dead / max(1, len(rows)), n_mx_dead))


if __name__ == "__main__":
    main()
