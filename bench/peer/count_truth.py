#!/usr/bin/env python3
"""Counts the peer's results (peer.py's JSON lines) against the test world's truth.jsonl, to
show that the peer did the work: looked up every record and fetched every policy.

    count_truth.py PEER.jsonl WORLD/truth.jsonl

What postfix-mta-sts-resolver is expected to answer for each truth status (its own rules, not
mtasts's; see resolver.py of the library):

  valid, mode M          VALID with a policy in mode M (it fetched and parsed the policy)
  no-record              NONE
  record-invalid         NONE (the library ignores a record that is not exactly one valid one)
  policy-fetch-error,
  policy-invalid,
  policy-webpki-invalid,
  dns-error              FETCH_ERROR
  excluded, invalid-input  not compared (the bench passes no --exclude; the library gets no
                         invalid-name check of its own)

Beside the STS verdict: the MX hosts (truth's list, an implicit MX as the domain itself at
preference 0, an empty list for a null MX or a failed lookup) and the TLS-RPT record (truth
valid or invalid = one v=TLSRPTv1 record present; absent; multiple; dns-error = a lookup error).
Prints agreement per truth class and overall; exits 0 (disagreement is information, not an
error), 1 when a file cannot be read or no row could be compared.
"""
import json
import sys
from collections import Counter, defaultdict

EXPECTED_STS = {
    "no-record": "NONE",
    "record-invalid": "NONE",
    "policy-fetch-error": "FETCH_ERROR",
    "policy-invalid": "FETCH_ERROR",
    "policy-webpki-invalid": "FETCH_ERROR",
    "dns-error": "FETCH_ERROR",
}
EXPECTED_TLSRPT = {"valid": "present", "invalid": "present", "absent": "absent",
                   "multiple": "multiple"}


def peer_mx(row):
    mx = row["mx"]
    if mx in ("nodata", "nxdomain"):
        return [(0, row["domain"])]          # implicit MX, as the truth writes it
    if isinstance(mx, str):
        return []                            # a failed lookup
    hosts = [(p, h) for p, h in mx if h]     # a null MX ("." -> "") lists nothing
    return sorted(hosts)


def pct(a, n):
    return f"{100.0 * a / n:6.2f}%" if n else "     -"


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    peer = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            peer[r["domain"]] = r
    truth = []
    with open(sys.argv[2], encoding="utf-8") as f:
        truth = [json.loads(line) for line in f]

    sts = defaultdict(lambda: [0, 0, Counter()])   # class -> [n, agreed, what the peer said]
    mx_n = mx_ok = tls_n = tls_ok = missing = skipped = 0
    fetched = 0
    for t in truth:
        if t["status"] in ("excluded", "invalid-input") or t["domain"] is None:
            skipped += 1
            continue
        r = peer.get(t["domain"])
        if r is None:
            missing += 1
            continue
        if t["status"] == "valid":
            cls, want = f"valid {t['mode']}", ("VALID", t["mode"])
            got = (r["sts"], r["mode"])
        else:
            cls, want = t["status"], EXPECTED_STS.get(t["status"], "?")
            got = r["sts"]
        e = sts[cls]
        e[0] += 1
        e[1] += got == want
        e[2][r["sts"] + (f" {r['mode']}" if r["mode"] else "")] += 1
        if r["sts"] == "VALID":
            fetched += 1
        mx_n += 1
        mx_ok += peer_mx(r) == sorted((m["preference"], m["host"]) for m in t["mx"])
        if t["tlsrpt"] is not None:
            tls_n += 1
            want_t = EXPECTED_TLSRPT.get(t["tlsrpt"])
            got_t = r["tlsrpt"]
            tls_ok += (got_t == want_t) if want_t else got_t.startswith("error")

    compared = sum(e[0] for e in sts.values())
    if not compared:
        print("count_truth: no row compared", file=sys.stderr)
        return 1
    print(f"peer vs truth: {compared} domains compared ({skipped} excluded/invalid-input "
          f"not compared, {missing} missing from the peer's output)")
    print(f"  {'truth class':24s} {'n':>7s} {'agree':>7s} {'':>7s}  the peer said")
    for cls in sorted(sts, key=lambda c: (-sts[c][0], c)):
        n, ok, said = sts[cls]
        print(f"  {cls:24s} {n:7d} {ok:7d} {pct(ok, n)}  "
              + ", ".join(f"{k}: {v}" for k, v in said.most_common()))
    agreed = sum(e[1] for e in sts.values())
    print(f"  {'STS verdict, all':24s} {compared:7d} {agreed:7d} {pct(agreed, compared)}")
    print(f"  {'MX host list':24s} {mx_n:7d} {mx_ok:7d} {pct(mx_ok, mx_n)}")
    print(f"  {'TLS-RPT record':24s} {tls_n:7d} {tls_ok:7d} {pct(tls_ok, tls_n)}")
    print(f"  policies fetched and accepted by the library: {fetched}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
