#!/usr/bin/env python3
"""bench/cpu_split.py (make bench's CPU split) against databases built here with known answers.

    Tests/bench_split_check.py

Three small databases in the shape mtasts writes (scans.flags, domains, evidence JSON), built
with a known number of TLS connections each: policy fetches that connected and one that did not,
MX probes shared by several domains (one session per (host, address) pair), a probe that never
connected, addresses that spoke TLS (one session without SNI each, unless the scan's flags say
no_sni_probe). The CPU of each is made from chosen costs a (per domain) and b (per connection);
the script must count the connections as built and find a and b again. Bad arguments must give a
message and exit 1. Prints 'bench-split: N passed, M failed' last.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SPLIT = os.path.join(HERE, "..", "bench", "cpu_split.py")
passed = failed = 0


def check(good, text):
    global passed, failed
    print(("bench-split ok: " if good else "bench-split FAILED: ") + text)
    passed, failed = passed + bool(good), failed + (not good)


def probe(address, connected, tls):
    p = {"address": address, "outcome": "completed" if tls else "connect-failed"}
    p["facts"] = {"connectMicros": 900 if connected else 0}
    if tls:
        p["tls"] = {"version": "TLSv1.3"}
    return p


def build(path, n_domains, own_hosts, no_sni):
    """A scan of n_domains: 10 with a record whose policy fetch connected, 1 whose fetch did not;
    each of the 11 names the provider's two hosts, both on 10.0.0.1 (two pairs, one address:
    the session without SNI is per address) and, for the first
    own_hosts of them, an own host on an own address speaking TLS; one more host that refused the
    connection. Returns the connections expected: (fetches, pairs, addresses without SNI)."""
    con = sqlite3.connect(path)
    con.executescript("create table scans (id integer primary key, flags text);"
                      "create table domains (id integer primary key, domain text);"
                      "create table evidence (domain_id integer, format integer, json text);")
    con.execute("insert into scans (flags) values (?)", (json.dumps({"no_smtp": False, "no_sni_probe": no_sni}),))
    for i in range(n_domains):
        con.execute("insert into domains (id, domain) values (?, ?)", (i + 1, "d%d.test" % i))
        if i >= 11:
            continue   # no record: no evidence of a fetch or probe (as a no-record domain)
        hosts = [{"name": "mx1.provider.example", "probes": [probe("10.0.0.1", True, True)]},
                 {"name": "mx2.provider.example", "probes": [probe("10.0.0.1", True, True)]},
                 {"name": "refused.example", "probes": [probe("10.0.0.9", False, False)]}]
        if i < own_hosts:
            hosts.append({"name": "mx.d%d.test" % i, "probes": [probe("10.1.0.%d" % i, True, True)]})
        ev = {"domain": "d%d.test" % i, "mx": {"hosts": hosts},
              "policyFetch": {"facts": {"connectMicros": 0 if i == 10 else 500}}}
        con.execute("insert into evidence values (?, 3, ?)", (i + 1, json.dumps(ev)))
    con.commit()
    con.close()
    return 10, 2 + own_hosts, 0 if no_sni else 1 + own_hosts


def main():
    a, b = 50e-6, 2e-3   # the chosen costs: 50 µs per domain, 2 ms per connection
    with tempfile.TemporaryDirectory() as t:
        args = []
        for name, n, own, no_sni in (("few", 2000, 0, False), ("own", 2000, 8, False), ("nosni", 3000, 8, True)):
            db = os.path.join(t, name + ".db")
            f, s, w = build(db, n, own, no_sni)
            cpu = a * n + b * (f + s + w)
            args.append("%s:%.6f" % (db, cpu))
            out = subprocess.run([sys.executable, SPLIT, "%s:%.6f" % (db, cpu)], capture_output=True, text=True).stdout
            want = "%d domains %7d TLS connections (%d fetches, %d with SNI, %d without)" % (n, f + s + w, f, s, w)
            check(want in re.sub(r"^\s*\S+\s+", "", out.splitlines()[0]) if out else False,
                  "%s: counted as built (%s); got %r" % (name, want, out.splitlines()[0] if out else ""))
        p = subprocess.run([sys.executable, SPLIT, *args], capture_output=True, text=True)
        m = re.search(r"([-\d.]+) µs per domain \+ ([-\d.]+) µs per TLS connection", p.stdout)
        got = (float(m.group(1)), float(m.group(2))) if m else None
        check(got is not None and abs(got[0] - a * 1e6) < 0.2 and abs(got[1] - b * 1e6) < 1,
              "the fit finds a = %.1f µs, b = %.0f µs again: %s" % (a * 1e6, b * 1e6, got))
        # Scans that differ in nothing but size cannot be split: said, not a division by zero.
        one = args[0].rsplit(":", 1)[0]
        p = subprocess.run([sys.executable, SPLIT, one + ":0.2", one + ":0.2"], capture_output=True, text=True)
        check(p.returncode == 0 and "too little" in p.stdout, "two identical scans: %r" % p.stdout.strip()[-80:])
        for bad in (["x"], [t + ":1"], ["/dev/null:1"], [os.path.join(t, "missing.db") + ":1"], [one + ":fast"], []):
            p = subprocess.run([sys.executable, SPLIT, *bad], capture_output=True, text=True)
            check(p.returncode == 1 and p.stderr.strip() and "Traceback" not in p.stderr,
                  "%s: exit %d, %r" % (bad, p.returncode, p.stderr.strip()[:90]))
    print("bench-split: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
