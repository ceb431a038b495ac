#!/usr/bin/env python3
"""Compare `mtasts export --format jsonl` with the world's ground truth, domain by domain.

Usage: compare_truth.py TRUTH.jsonl EXPORT.jsonl [--max-print N]
Checks, for every truth row: status, mode, mx_status, each MX host's result (by host name), that
every finding the truth requires appears in the export, and (truth rows with `dane`) the DANE
status, the combined delivery and each MX host's DANE result. Prints every disagreement by domain
and kind, a table of disagreements by kind, and a last line 'e2e-truth: N passed, M failed'.
Exit status 1 on any disagreement. The truth comes from the world generator's intent, never from
mtasts.
"""
import collections, json, sys


def key(row):
    return row.get("domain") or ("input:" + row["input"])


def main():
    truth_path, export_path = sys.argv[1], sys.argv[2]
    max_print = int(sys.argv[sys.argv.index("--max-print") + 1]) if "--max-print" in sys.argv else 400
    exported = {}
    dup = 0
    for line in open(export_path):
        row = json.loads(line)
        k = key(row)
        if k in exported:
            dup += 1
        exported[k] = row
    passed = failed = printed = 0
    by_kind = collections.Counter()
    for line in open(truth_path):
        t = json.loads(line)
        k = key(t)
        e = exported.pop(k, None)
        problems = []
        if e is None:
            problems.append("missing from export")
        else:
            for field in ("status", "mode", "mx_status"):
                if t.get(field) != e.get(field):
                    problems.append("%s: truth %r, scan %r" % (field, t.get(field), e.get(field)))
            if "mx" in t and t["mx"] is not None:
                got = {m["host"]: m.get("result") for m in (e.get("mx") or [])}
                for m in t["mx"]:
                    if got.get(m["host"], "<absent>") != m.get("result"):
                        problems.append("mx %s: truth %r, scan %r" % (m["host"], m.get("result"), got.get(m["host"], "<absent>")))
            codes = {f["code"] for f in (e.get("findings") or [])}
            for c in t.get("findings", []):
                if c not in codes:
                    problems.append("finding %s missing" % c)
            # DANE (RFC 7672) and DANE beside MTA-STS (RFC 8461 §2): the domain's DANE status,
            # the combined delivery, and each MX host's DANE result (null when not probed).
            if "dane" in t:
                td, ed = t["dane"] or {}, e.get("dane") or {}
                for field in ("status", "delivery"):
                    if td.get(field) != ed.get(field):
                        problems.append("dane %s: truth %r, scan %r" % (field, td.get(field), ed.get(field)))
                got = {m["host"]: m.get("dane") for m in (e.get("mx") or [])}
                for host, want in (td.get("hosts") or {}).items():
                    if got.get(host, "<absent>") != want:
                        problems.append("dane of %s: truth %r, scan %r" % (host, want, got.get(host, "<absent>")))
            if "tlsrpt" in t and t["tlsrpt"] is not None and (e.get("tlsrpt") or {}).get("status") != t["tlsrpt"]:
                problems.append("tlsrpt: truth %r, scan %r" % (t["tlsrpt"], (e.get("tlsrpt") or {}).get("status")))
        if problems:
            failed += 1
            by_kind[t.get("kind", "?")] += 1
            if printed < max_print:
                print("DISAGREE %s [%s]: %s" % (k, t.get("kind", "?"), "; ".join(problems)))
                printed += 1
        else:
            passed += 1
    for k in exported:
        print("EXTRA in export, not in truth: %s" % k)
        failed += 1
    if dup:
        print("DUPLICATE rows in export: %d" % dup)
        failed += dup
    if by_kind:
        print("disagreements by kind:")
        for kind, n in by_kind.most_common():
            print("  %6d  %s" % (n, kind))
    print("e2e-truth: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
