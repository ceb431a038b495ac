#!/usr/bin/env python3
"""A latency-world scan against the truth: what the latency cost beyond the zones that truly never
answer.  count.py DB WORLD_DIR  (WORLD_DIR/truth.jsonl from the generator, WORLD_DIR/latency/
truth.jsonl from latency_truth.py). Prints one line of key=value counts:

  dead_zone          domains whose own zone never answers (the latency truth)
  dead_as_dns_error  of those, how many the scan stored as dns-error (expected: all)
  status_diff        domains NOT in a dead zone whose status differs from truth.jsonl's
  status_dns_error   of those, stored dns-error (a DNS answer lost or too late)
  mx_diff            domains not in a dead zone (nor with an MX host in one) whose mx_status differs
  tlsrpt_dns_error   domains not in a dead zone with tlsrpt_status dns-error where truth has none
  timeouts           findings that name a timeout or the deadline (policy-timeout, scan-deadline)
                     beyond those the truth lists
Exit 0; 1 when the files cannot be read.
"""
import json
import sqlite3
import sys
from collections import Counter


def main():
    db, D = sys.argv[1], sys.argv[2]
    truth, lat = {}, {}
    for line in open(f"{D}/truth.jsonl"):
        t = json.loads(line)
        truth[t["domain"] or t["input"]] = t
    for line in open(f"{D}/latency/truth.jsonl"):
        r = json.loads(line)
        if r["domain"]:
            lat[r["domain"]] = r
    con = sqlite3.connect(db)
    rows = con.execute("select d.id, coalesce(d.domain, d.input), d.status, d.mx_status, d.tlsrpt_status "
                       "from domains d").fetchall()
    findings = {}
    for did, code in con.execute("select domain_id, code from findings"):
        findings.setdefault(did, []).append(code)
    c = Counter()
    diffs = Counter()
    for did, name, status, mx_status, tlsrpt in rows:
        t = truth.get(name)
        if t is None:       # an input line of the world's list: the key is "rank,domain"
            t = next((v for v in truth.values() if v["input"] == name), None)
        if t is None:
            c["unmatched"] += 1
            continue
        lr = lat.get(name, {"dead": False, "mx_dead": False})
        c["domains"] += 1
        if lr["dead"]:
            c["dead_zone"] += 1
            c["dead_as_dns_error"] += status == "dns-error"
            continue
        if t["status"] == "excluded":   # the bench passes no --exclude: scanned like any other
            continue
        if status != t["status"]:
            c["status_diff"] += 1
            c["status_dns_error"] += status == "dns-error"
            diffs[f"{t['status']}->{status}"] += 1
        if not lr["mx_dead"] and mx_status != t["mx_status"]:
            c["mx_diff"] += 1
            diffs[f"mx {t['mx_status']}->{mx_status}"] += 1
        if tlsrpt == "dns-error" and t["tlsrpt"] != "dns-error":
            c["tlsrpt_dns_error"] += 1
        want = Counter(t["findings"])
        for code in findings.get(did, []):
            if code in ("policy-timeout", "scan-deadline") and want[code] == 0:
                c["timeouts"] += 1
    keys = ["domains", "dead_zone", "dead_as_dns_error", "status_diff", "status_dns_error", "mx_diff",
            "tlsrpt_dns_error", "timeouts", "unmatched"]
    print(" ".join(f"{k}={c[k]}" for k in keys))
    if diffs:
        print("  differences: " + ", ".join(f"{k}: {v}" for k, v in diffs.most_common(8)))


if __name__ == "__main__":
    main()
