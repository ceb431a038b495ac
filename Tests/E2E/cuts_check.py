#!/usr/bin/env python3
"""The report's standard cuts, recomputed from `mtasts export --format csv` with pandas and DuckDB,
never from mtasts's own tables or views, and compared with `mtasts report --csv-dir`.

    cuts_check.py EXPORT.csv REPORT_CSV_DIR PSL_FILE [DB SCAN_ID [TRUTH.jsonl]]

Tables checked, cell by cell (counts exactly, shares to 6 decimals): mail_domains, rank_buckets,
tld, misconfiguration, delivery_impact, mx_providers (the report must be run with a --top large
enough to list every provider and suffix); with DB and SCAN_ID also policy_providers, from the
stored evidence JSON read with Python's sqlite3 and json (the export does not carry it); with TRUTH
also dns_operators, from the NS sets the world generator published (never from the scan's answers).
Definitions: analysis/REPORTS.md. Prints one line per
table and 'cuts-check: N passed, M failed'.
"""
import sys

import duckdb
import pandas as pd

SCANNED_OUT = {"invalid-input", "excluded"}
RECORD = {"record-invalid", "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"}


# ---- a Public Suffix List of our own (publicsuffix.org's formal algorithm), ICANN section only
def load_psl(path):
    rules, wild, exc = set(), set(), set()
    for raw in open(path, encoding="utf-8"):
        if "===END ICANN DOMAINS===" in raw:
            break
        line = raw.strip().split(" ")[0] if raw.strip() else ""
        if not line or line.startswith("//"):
            continue
        bang = line.startswith("!")
        body = line[1:] if bang else line
        labels = []
        for l in body.split("."):
            try:
                labels.append(l if l == "*" else l.encode("idna").decode("ascii").lower())
            except UnicodeError:
                labels.append(l.lower())
        rule = ".".join(labels)
        if bang:
            exc.add(rule)
        elif rule.startswith("*."):
            wild.add(rule[2:])
        else:
            rules.add(rule)
    return rules, wild, exc


def suffix_len(labels, psl):
    rules, wild, exc = psl
    best = 1
    for i in range(len(labels)):
        name = ".".join(labels[i:])
        if name in exc:
            return len(labels) - i - 1
        if name in rules:
            best = max(best, len(labels) - i)
        if i + 1 < len(labels) and ".".join(labels[i + 1:]) in wild:
            best = max(best, len(labels) - i)
    return best


def public_suffix(host, psl):
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2:
        return ".".join(labels)
    return ".".join(labels[-min(suffix_len(labels, psl), len(labels)):])


def registrable(host, psl):
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2:
        return ".".join(labels)
    n = suffix_len(labels, psl)
    return host.lower().rstrip(".") if n >= len(labels) else ".".join(labels[-(n + 1):])


def sh(n, d):
    return None if d == 0 else n / d


def main():
    export, rdir, psl_path = sys.argv[1:4]
    db, scan_id = (sys.argv[4], int(sys.argv[5])) if len(sys.argv) > 5 else (None, None)
    truth_path = sys.argv[6] if len(sys.argv) > 6 else None
    psl = load_psl(psl_path)
    e = pd.read_csv(export, dtype=str, keep_default_na=False)
    # formula-inert cells: a leading ' was added to cells starting with = + - @; undo for the codes
    d = e[~e["status"].isin(SCANNED_OUT)].copy()
    d["rank"] = pd.to_numeric(d["rank"], errors="coerce")
    hosts = d["mx_hosts"].str.split(" ")
    d["mail"] = (~d["mx_status"].isin(["null-mx", "dns-error"])) & hosts.map(lambda hs: any(h not in ("", ".") for h in hs))
    d["record"] = d["status"].isin(RECORD)
    d["valid"] = d["status"] == "valid"
    d["enforce"] = d["valid"] & (d["mode"] == "enforce")
    codes = d["findings"].str.split(" ")
    d["blocks"] = codes.map(lambda c: "enforce-blocks-all-mx" in c)
    d["twf"] = codes.map(lambda c: "testing-would-fail" in c)
    d["suffix"] = d["domain"].map(lambda x: public_suffix(x, psl))

    passed = failed = 0

    def compare(name, key, want_rows, cols):
        nonlocal passed, failed
        got = pd.read_csv(f"{rdir}/{name}.csv", dtype=str, keep_default_na=False)
        got_rows = {}
        for _, r in got.iterrows():
            got_rows[r[key]] = [None if r[c] == "" else (float(r[c]) if "share" in c else int(r[c])) for c in cols]
        def same(g, w):   # shares: the CSV has 6 decimals (rounded half up; Python rounds half even)
            return g is not None and len(g) == len(w) and all(
                (a is None) == (b is None) and (a is None or abs(a - b) <= 1.5e-6) for a, b in zip(g, w))
        bad = []
        for k, w in want_rows.items():
            if not same(got_rows.get(k), w):
                bad.append(f"{k}: report {got_rows.get(k)}, recomputed {w}")
        extra = set(got_rows) - set(want_rows)
        if extra:
            bad.append(f"rows only in the report: {sorted(extra)}")
        if not want_rows:
            bad.append("nothing to compare")
        if bad:
            failed += 1
            print(f"cuts-check FAIL {name}:\n  " + "\n  ".join(bad[:10]))
        else:
            passed += 1
            print(f"cuts-check ok   {name}: {len(want_rows)} rows agree")

    # mail_domains (pandas)
    m = d[d["mail"]]
    a_n, m_n = len(d), len(m)
    want = {"domains": [a_n, sh(a_n, a_n), m_n, sh(m_n, a_n)]}
    for label, col in [("MTA-STS record", "record"), ("MTA-STS valid", "valid"), ("valid, mode enforce", "enforce"),
                       ("enforce-blocks-all-mx", "blocks")]:
        x, y = int(d[col].sum()), int(m[col].sum())
        want[label] = [x, sh(x, a_n), y, sh(y, m_n)]
    compare("mail_domains", "measure", want, ["all_scanned", "share_of_scanned", "mail_domains", "share_of_mail_domains"])

    cut_cols = ["domains", "mail_domains", "with_record", "record_share_of_scanned", "record_share_of_mail", "valid",
                "valid_share_of_scanned", "enforce", "enforce_share_of_valid", "enforce_blocks_all_mx"]

    # rank buckets (DuckDB over the pandas frame)
    con = duckdb.connect()
    con.register("d", d[["rank", "mail", "record", "valid", "enforce", "blocks"]])
    want, prev = {}, None
    for name, top in [("top 1k", 1000), ("top 10k", 10000), ("top 100k", 100000), ("top 1M", 1000000), ("all ranked", None)]:
        cond = "rank IS NOT NULL" + ("" if top is None else f" AND rank <= {top}")
        r = con.execute(f"""SELECT count(*), count(*) FILTER (WHERE mail), count(*) FILTER (WHERE record),
                                   count(*) FILTER (WHERE record AND mail), count(*) FILTER (WHERE valid),
                                   count(*) FILTER (WHERE enforce), count(*) FILTER (WHERE blocks) FROM d WHERE {cond}""").fetchone()
        n, mail, rec, recm, val, enf, blk = (int(x) for x in r)
        row = [n, mail, rec, sh(rec, n), sh(recm, mail), val, sh(val, n), enf, sh(enf, val), blk]
        if top is not None and (n == 0 or row == prev):
            continue       # the report leaves out empty buckets and repeats of the bucket below
        prev = row if top is not None else prev
        want[name] = row
    unr = d[d["rank"].isna()]
    if len(unr):
        n, mail = len(unr), int(unr["mail"].sum())
        rec, recm = int(unr["record"].sum()), int((unr["record"] & unr["mail"]).sum())
        val, enf = int(unr["valid"].sum()), int(unr["enforce"].sum())
        want["unranked"] = [n, mail, rec, sh(rec, n), sh(recm, mail), val, sh(val, n), enf, sh(enf, val), int(unr["blocks"].sum())]
    compare("rank_buckets", "bucket", want, cut_cols)

    # TLD (public suffix; pandas groupby)
    want = {}
    for suf, g in d.groupby("suffix"):
        n, mail = len(g), int(g["mail"].sum())
        rec, recm = int(g["record"].sum()), int((g["record"] & g["mail"]).sum())
        val, enf = int(g["valid"].sum()), int(g["enforce"].sum())
        want[suf] = [n, mail, rec, sh(rec, n), sh(recm, mail), val, sh(val, n), enf, sh(enf, val), int(g["blocks"].sum())]
    compare("tld", "public_suffix", want, cut_cols)

    # misconfiguration among domains with a record
    r = d[d["record"]]
    cat = r["status"].where(r["status"] != "valid",
                            r["mx_status"].map(lambda s: "mx-not-all-pass" if s in ("partial", "none-pass") else None))
    counts = cat.dropna().value_counts()
    nrec = len(r)
    want = {c: [int(counts.get(c, 0)), sh(int(counts.get(c, 0)), nrec)]
            for c in ["record-invalid", "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "mx-not-all-pass"]}
    want["any of the above"] = [int(counts.sum()), sh(int(counts.sum()), nrec)]
    compare("misconfiguration", "category", want, ["domains", "share_of_record"])

    # delivery impact
    b, t = int(d["blocks"].sum()), int(d["twf"].sum())
    want = {"enforce-blocks-all-mx": [b, sh(b, a_n), sh(int(m["blocks"].sum()), m_n), sh(b, nrec), sh(b, int(d["enforce"].sum()))],
            "testing-would-fail": [t, sh(t, a_n), None, sh(t, nrec), None]}
    compare("delivery_impact", "finding", want,
            ["domains", "share_of_scanned", "share_of_mail_domains", "share_of_record", "share_of_valid_enforce"])

    # MX providers: registrable domain of the MX hosts, the domain's own as "(self-hosted)"
    prov = {}
    d["misconfigured"] = d["record"] & ((d["status"] != "valid") | d["mx_status"].isin(["partial", "none-pass"]))
    for _, row in d.iterrows():
        own = registrable(row["domain"], psl)
        groups = set()
        for h in row["mx_hosts"].split(" "):
            if h in ("", "."):
                continue
            g = registrable(h, psl)
            groups.add("(self-hosted)" if g == own else g)
        for g in groups:
            p = prov.setdefault(g, [0, 0, 0, 0])
            p[0] += 1
            p[1] += bool(row["record"])
            p[2] += bool(row["valid"])
            p[3] += bool(row["misconfigured"])
    want = {g: [v[0], sh(v[0], a_n), v[1], sh(v[1], nrec), sh(v[1], v[0]), v[2], v[3], sh(v[3], v[1])] for g, v in prov.items()}
    compare("mx_providers", "provider", want, ["domains", "share_of_scanned", "domains_with_record", "share_of_record",
                                               "record_share_of_provider", "valid", "misconfigured", "misconfigured_share_of_record"])

    # policy host providers, from the stored evidence (sqlite3 + json, not mtasts)
    if db:
        import json
        import sqlite3
        flags = d.set_index("domain")[["valid", "enforce", "misconfigured"]].to_dict("index")
        pp = {}
        for domain, ev in sqlite3.connect(db).execute(
                "SELECT d.domain, e.json FROM domains d JOIN evidence e ON e.domain_id = d.id "
                "WHERE d.scan_id = ? AND d.status IN ('record-invalid', 'policy-fetch-error', 'policy-webpki-invalid', "
                "'policy-invalid', 'valid')", (scan_id,)):
            e = json.loads(ev)
            chain = (e.get("txt") or {}).get("cnameChain") or []
            leaf = (((e.get("policyFetch") or {}).get("tls")) or {}).get("leafDNSNames") or []
            if chain:
                name, basis = registrable(chain[-1], psl), "cname"
            elif not leaf:
                name, basis = "(no certificate)", "no certificate"
            else:
                names = [n[2:] if n.startswith("*.") else n for n in leaf]
                own = registrable(domain, psl)
                if any(registrable(n, psl) == own for n in names):
                    name, basis = "(own name)", "own name"
                else:
                    name, basis = registrable(names[0], psl), "certificate"
            f = flags[domain]
            p = pp.setdefault(name, [0, 0, 0, 0])
            p[0] += 1; p[1] += bool(f["valid"]); p[2] += bool(f["enforce"]); p[3] += bool(f["misconfigured"])
        want = {k: [v[0], sh(v[0], nrec), v[1], v[2], v[3], sh(v[3], v[0])] for k, v in pp.items()}
        compare("policy_providers", "provider", want, ["domains_with_record", "share_of_record", "valid", "enforce",
                                                       "misconfigured", "misconfigured_share_of_provider"])

    # DNS operators (domains with a record), from the generator's truth: the NS hosts it published;
    # none published means the apex is an alias into the dead zone, so the lookup fails. A domain
    # counts once per registrable domain of its NS hosts, its own as "(self-hosted)".
    if truth_path:
        import json
        ns = {r["domain"]: r.get("ns") for r in map(json.loads, open(truth_path)) if r.get("domain")}
        ops = {}
        for _, row in d[d["record"]].iterrows():
            hosts = ns[row["domain"]]
            if hosts is None:
                names = {"(lookup failed)"}
            else:
                own = registrable(row["domain"], psl)
                names = {"(self-hosted)" if registrable(h, psl) == own else registrable(h, psl) for h in hosts}
            for g in names:
                p = ops.setdefault(g, [0, 0, 0, 0])
                p[0] += 1; p[1] += bool(row["valid"]); p[2] += bool(row["enforce"]); p[3] += bool(row["misconfigured"])
        want = {k: [v[0], sh(v[0], nrec), v[1], v[2], v[3], sh(v[3], v[0])] for k, v in ops.items()}
        compare("dns_operators", "operator", want, ["domains_with_record", "share_of_record", "valid", "enforce",
                                                    "misconfigured", "misconfigured_share_of_operator"])

    print(f"cuts-check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
