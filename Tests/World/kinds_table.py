#!/usr/bin/env python3
"""Print the README's table of kinds from a generated truth.jsonl (first row of each kind).

    kinds_table.py DIR/truth.jsonl
"""
import collections
import json
import sys

first, counts = {}, collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    counts[r["kind"]] += 1
    first.setdefault(r["kind"], r)
print("| kind | rows | status | mode | mx_status | MX results | findings that must appear | tlsrpt |")
print("|---|---|---|---|---|---|---|---|")
for k in sorted(first):
    r = first[k]
    res = ", ".join(sorted({str(m["result"]) for m in r["mx"]})).replace("None", "null") or "-"
    print("| `%s` | %d | %s | %s | %s | %s | %s | %s |" % (
        k, counts[k], r["status"], r["mode"] or "-", r["mx_status"], res,
        ", ".join(r["findings"]) or "-", r["tlsrpt"] or "-"))
