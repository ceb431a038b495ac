#!/usr/bin/env python3
"""Splits mtasts's CPU into a cost per TLS connection and a cost per domain (make bench).

    bench/cpu_split.py DB:CPU_SECONDS [DB:CPU_SECONDS ...]

Each argument is one scan: its database and the CPU (user+sys, from /usr/bin/time) the scan
took. The TLS connections of a scan are counted from its stored evidence, not from the scanner's
own counters, so the fit does not trust the code it measures:

  - policy fetches: domains whose evidence has a policy fetch that connected (facts.connectMicros);
  - STARTTLS sessions with SNI: distinct (MX host, address) pairs whose probe connected (the scan
    probes each pair once and shares the result among the domains naming it, ProbeCache);
  - STARTTLS sessions without SNI: distinct addresses whose probe reached TLS, unless the scan ran
    with --no-sni-probe (the flag is read from scans.flags); one per address, as ProbeCache does.

Then CPU = a x domains + b x connections, by least squares over the scans (no intercept: the
process's fixed start-up cost is a few ms and lands in a). Runs of one world differ only in the
connections (full, --no-sni-probe, --no-smtp), so b is the slope between them and a the rest.
What b holds: everything a connection brings with it, the TLS handshake and certificate
checks, the SMTP dialogue, curl's bookkeeping, and the MX hosts' own A/AAAA/TLSA lookups in a
--no-smtp comparison (a --no-smtp scan skips them too). Prints one line per scan, then the fit.
"""
import json
import sqlite3
import sys


def connections(db):
    """(domains, policy fetches, SNI sessions, no-SNI sessions) counted from the database."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    (domains,) = con.execute("select count(*) from domains").fetchone()
    (flags,) = con.execute("select flags from scans order by id desc limit 1").fetchone()
    no_sni = bool(json.loads(flags or "{}").get("no_sni_probe", False))
    fetches, pairs, tls_addresses = 0, set(), set()
    for (text,) in con.execute("select json from evidence"):
        ev = json.loads(text)
        fetch = ev.get("policyFetch") or {}
        if (fetch.get("facts") or {}).get("connectMicros", 0) > 0:
            fetches += 1
        for host in (ev.get("mx") or {}).get("hosts") or []:
            for probe in host.get("probes") or []:
                if (probe.get("facts") or {}).get("connectMicros", 0) > 0:
                    pairs.add((host.get("name"), probe.get("address")))
                if probe.get("tls") is not None:
                    tls_addresses.add(probe.get("address"))
    con.close()
    return domains, fetches, len(pairs), 0 if no_sni else len(tls_addresses)


def fit(rows):
    """Least squares of cpu = a*d + b*c over rows of (d, c, cpu); None when singular."""
    sdd = sum(d * d for d, _, _ in rows)
    scc = sum(c * c for _, c, _ in rows)
    sdc = sum(d * c for d, c, _ in rows)
    sdy = sum(d * y for d, _, y in rows)
    scy = sum(c * y for _, c, y in rows)
    det = sdd * scc - sdc * sdc
    if abs(det) <= 1e-9 * max(1.0, sdd * scc):
        return None
    return (sdy * scc - scy * sdc) / det, (scy * sdd - sdy * sdc) / det


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 1
    rows = []
    for arg in argv[1:]:
        db, _, cpu = arg.rpartition(":")
        try:
            cpu_s = float(cpu)
        except ValueError:
            print(f"cpu_split: '{arg}' is not DB:CPU_SECONDS", file=sys.stderr)
            return 1
        try:
            d, f, s, n = connections(db)
        except (sqlite3.Error, TypeError, ValueError) as e:   # not a scan database, or no scan in it
            print(f"cpu_split: {db}: not a readable mtasts scan database ({e})", file=sys.stderr)
            return 1
        rows.append((d, f + s + n, cpu_s))
        print(f"  {db.rsplit('/', 1)[-1]:<22} {d:>8} domains {f + s + n:>7} TLS connections "
              f"({f} fetches, {s} with SNI, {n} without)  CPU {cpu_s:.2f} s")
    ab = fit(rows)
    if ab is None:
        print("cpu split: the scans differ too little in connections per domain to separate the two costs")
        return 0
    a, b = ab
    resid = [y - a * d - b * c for d, c, y in rows]
    rms = (sum(r * r for r in resid) / len(resid)) ** 0.5
    print(f"cpu split (least squares over {len(rows)} scans): {a * 1e6:.1f} µs per domain + "
          f"{b * 1e6:.0f} µs per TLS connection (rms residual {rms:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
