#!/usr/bin/env python3
"""Generate the mtasts test world: zones, PKI, policies, server tables, scan input and truth.

    gen_world.py DIR [--profile test|realistic] [--n N] [--seed S] [--epoch E] [--jobs J]

Deterministic: the same profile, n, seed and epoch give byte-identical files, certificates
(RFC 6979 ECDSA) and the signed zone (Ed25519) included.  Nothing reads the clock.  Server configurations (ports) are rendered separately by world_conf.py.
"""
import argparse
import base64
import collections
import json
import os
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world_certs  # noqa: E402
import world_kinds as K  # noqa: E402
from world_model import (DANE_CLASSES, DEAD_DNS_IP, GROUP_SIZE, HTTPS_TARPIT, MX_CLASSES, NGINX_IPS,  # noqa: E402
                         NGINX_TLS10_IP, PROBED_STATUSES, PROVIDERS, SMTP_REFUSED_IP,
                         SMTP_TARPIT, World, postfix_ip, provider_mx, sid)

STATUSES = ["invalid-input", "excluded", "dns-error", "no-record", "record-invalid",
            "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"]
MX_STATUSES = ["all-pass", "partial", "none-pass", "null-mx", "dns-error", "not-probed"]
MX_RESULTS = ["pass", "pattern-mismatch", "starttls-not-supported", "certificate-host-mismatch",
              "certificate-expired", "certificate-not-trusted", "tls-failure", "unreachable",
              "dns-error"]
FINDINGS = """txt-multiple-sts-records txt-syntax-error txt-missing-id txt-invalid-id txt-not-ascii
txt-space-before-semicolon txt-unknown-field txt-multi-string txt-cname policy-host-nxdomain
policy-host-no-address policy-connect-failed policy-timeout policy-tls-handshake-failed
policy-tls-version-too-old policy-cert-not-trusted policy-cert-expired policy-cert-host-mismatch
policy-http-status policy-redirect policy-too-large policy-content-type policy-empty policy-bom
policy-bare-cr policy-lf-line-endings policy-mixed-line-endings policy-blank-line
policy-leading-whitespace policy-malformed-line policy-missing-version policy-invalid-version
policy-missing-mode policy-invalid-mode policy-missing-max-age policy-invalid-max-age
policy-max-age-too-large policy-max-age-short policy-missing-mx policy-invalid-mx-pattern
policy-duplicate-key policy-unknown-key policy-version-not-first policy-wildcard-mx
mx-pattern-mismatch mx-starttls-not-supported mx-cert-host-mismatch mx-cert-expired
mx-cert-not-trusted mx-tls-failure mx-unreachable mx-null mx-implicit mx-dns-error
mx-sni-dependent enforce-blocks-all-mx testing-would-fail tlsrpt-missing tlsrpt-invalid
tlsrpt-multiple dane-tlsa dane-mismatch dane-no-tls dane-unusable dane-partial
dane-tlsa-unsigned dane-lookup-failed mx-provider-migrated""".split()
# Only a second scan can show these: policy-changed-id-unchanged policy-id-changed-body-same
# mode-changed record-removed: epoch 2 (--epoch 2, world_kinds.CHANGES) is where they come from,
# checked against transitions.jsonl by Tests/E2E/epochs.sh.
TLSRPT = ["valid", "absent", "invalid", "multiple", "dns-error"]
INVALID_INPUTS = ["not a domain", "-bad-.test", "x" * 64 + ".test", "a..b.test", "bad!char.test",
                  ".".join(["a" * 60] * 5) + ".test"]
MIN_COUNT = 3


# ---------------------------------------------------------------------------- scan input
def plan_test(n, seed):
    """[(kind, domain-as-written)] for the test profile: every special kind `s` times, filler."""
    s = max(MIN_COUNT + 2, n // 2000)
    rows = [(k, i) for k in K.SPECIAL for i in range(1, s + 1)]
    rest = n - len(rows) - len(INVALID_INPUTS)
    if rest < len(K.FILLER):
        sys.exit("gen_world: --n %d is too small for the test profile (need %d)"
                 % (n, len(rows) + len(INVALID_INPUTS) + len(K.FILLER)))
    tot = sum(wt for wt, _ in K.FILLER.values())
    counts = {k: rest * wt // tot for k, (wt, _) in K.FILLER.items()}
    counts["no-sts"] += rest - sum(counts.values())
    rows += [(k, i) for k, c in counts.items() for i in range(1, c + 1)]
    random.Random(seed).shuffle(rows)
    out = []
    for kind, i in rows:
        d = "%s-%d.%s" % (kind, i, "dead.test" if kind == "sts-servfail-deleg" else "test")
        written = d.upper().replace(".TEST", ".Test") + "." if kind == "case-variant" else d
        out.append((kind, d, written))
    return out


def plan_realistic(n, seed):
    rng = random.Random(seed)
    kinds, weights = zip(*K.REALISTIC.items())
    cum, acc = [], 0
    for wt in weights:
        acc += wt
        cum.append(acc)
    width = max(7, len(str(n)))
    out = []
    import bisect
    for i in range(1, n - len(INVALID_INPUTS) + 1):
        kind = kinds[bisect.bisect_right(cum, rng.random() * acc)]
        d = "d%0*d.%s" % (width, i, "dead.test" if kind == "sts-servfail-deleg" else "test")
        out.append((kind, d, d))
    for j in rng.sample(range(len(out)), min(5, len(out))):   # a few exclusions
        if out[j][0].startswith("no-sts"):
            out[j] = ("excluded", out[j][1], out[j][2])
    return out


def input_lines(plan, seed):
    """Tranco-style lines: [(line, kind, domain)]; invalid/duplicate/comment/blank mixed in."""
    rng = random.Random(seed + 1)
    items = [("d", kind, d, written) for kind, d, written in plan]
    for bad in INVALID_INPUTS:
        items.insert(rng.randrange(len(items) + 1), ("bad", "invalid-input", None, bad))
    out, rank = [("# mtasts test world: rank,domain (Tranco style)", None, None)], 0
    for j, (_, kind, d, written) in enumerate(items):
        rank += 1
        line = "%d,%s" % (rank, written)
        if j == 7:
            line = "  " + line + "  "        # surrounding spaces: the input is trimmed
        out.append((line, kind, d))
        if j == len(items) // 2:
            out.append(("", None, None))     # a blank line
            out.append(("# a comment in the middle", None, None))
    dup = next(d for _, kind, d, _ in items if kind and kind.startswith("plain-"))
    out.append(("%d,%s" % (rank + 1, dup), "duplicate", dup))
    return out


# ---------------------------------------------------------------------------- epoch 2
CHANGES_PER_KIND = 5          # domains per change (test profile; realistic: as many as exist, up to 5)


def plan_changes(plan, seed, profile):
    """{domain: change}: CHANGES_PER_KIND domains of each change of world_kinds.CHANGES, drawn
    with the seed from the epoch-1 domains of the change's source kind, none drawn twice."""
    rng = random.Random("mtasts-world/%s/epoch2" % seed)
    pool = collections.defaultdict(list)
    for kind, d, _ in plan:
        pool[kind].append(d)
    chosen = {}
    for change, (source, _, _) in K.CHANGES.items():
        cands = [d for d in pool[source] if d not in chosen]
        if profile == "test" and len(cands) < CHANGES_PER_KIND:
            sys.exit("gen_world: too few %s domains for the epoch-2 change %s" % (source, change))
        for d in rng.sample(cands, min(CHANGES_PER_KIND, len(cands))):
            chosen[d] = change
    return chosen


def diff_side(w, row, id_epoch):
    """What `mtasts diff` compares of one scan's row (analysis/REPORTS.md), from the intent:
    status, mode, mx_status, the record id (when there is a record), the policy body (when a
    body is fetched: here, valid policies) and the MX host names."""
    d = row["domain"]
    has_record = row["status"] in PROBED_STATUSES
    body = w.policy_hosts.get("mta-sts." + d, {}).get("body") if row["status"] == "valid" else None
    return {"status": row["status"], "mode": row["mode"], "mx_status": row["mx_status"],
            "record": has_record, "id": sid(d, id_epoch) if has_record else None, "body": body,
            "hosts": sorted(m["host"] for m in row["mx"])}


def expected_transitions(change, kind, old_row, old_w, new_row, new_w, new_opts):
    """The transitions `mtasts diff` names for one changed domain and the cross-scan findings,
    by the definitions of analysis/REPORTS.md; the findings must be the ones the change intends."""
    assert {old_row["status"], new_row["status"]} <= {"valid", "no-record", "policy-webpki-invalid"}, \
        (change, old_row["status"], new_row["status"])   # statuses whose stored body is known here
    o, n = diff_side(old_w, old_row, 1), diff_side(new_w, new_row, new_opts["id_epoch"])
    t = []
    if o["status"] != n["status"]:
        t.append(("status", "%s -> %s" % (o["status"], n["status"])))
    if o["mode"] and n["mode"] and o["mode"] != n["mode"]:
        t.append(("mode", "%s -> %s" % (o["mode"], n["mode"])))
    if o["mx_status"] != n["mx_status"]:
        t.append(("mx_status", "%s -> %s" % (o["mx_status"], n["mx_status"])))
    if o["record"] != n["record"]:
        t.append(("record", "record added" if n["record"] else "record removed"))
    if o["record"] and n["record"] and o["id"] != n["id"]:
        t.append(("policy_id", "policy id changed"))
    if o["body"] is not None and n["body"] is not None and o["body"] != n["body"]:
        t.append(("policy_body", "policy body changed"))
    if o["hosts"] != n["hosts"]:
        t.append(("mx_set", "MX set changed"))
    both_valid = o["status"] == n["status"] == "valid"
    f = []
    if both_valid and o["id"] == n["id"] and o["body"] != n["body"]:
        f.append("policy-changed-id-unchanged")
    if both_valid and o["id"] != n["id"] and o["body"] == n["body"]:
        f.append("policy-id-changed-body-same")
    if both_valid and o["mode"] != n["mode"]:
        f.append("mode-changed")
    if o["record"] and n["status"] == "no-record":
        f.append("record-removed")
    if sorted(f) != sorted(K.CHANGES[change][2]):
        sys.exit("gen_world: change %s of %s gives the cross-scan findings %s, not the intended %s"
                 % (change, new_row["domain"], f, K.CHANGES[change][2]))
    if not t:
        sys.exit("gen_world: change %s of %s changes nothing a diff sees" % (change, new_row["domain"]))
    return {"domain": new_row["domain"], "change": change, "kind_epoch1": kind,
            "old": {"status": o["status"], "mode": o["mode"], "mx_status": o["mx_status"]},
            "new": {"status": n["status"], "mode": n["mode"], "mx_status": n["mx_status"]},
            "transitions": [{"kind": k, "transition": x} for k, x in t],
            "findings": sorted(f)}


def write_transitions(D, transitions, profile):
    with open(os.path.join(D, "transitions.jsonl"), "w") as f:
        for r in transitions:
            f.write(World.dumps(r) + "\n")
    if profile == "test":
        got = collections.Counter(r["change"] for r in transitions)
        missing = [c for c in K.CHANGES if got[c] < MIN_COUNT]
        if missing:
            sys.exit("gen_world: epoch 2 coverage check failed: missing changes %s" % missing)


# ---------------------------------------------------------------------------- DNSSEC
def write_dnssec_keys(seed, zdir):
    """Deterministic KSK/ZSK in BIND/ldns format; returns the key bases.  Ed25519 (algorithm 15)
    signs deterministically, so with fixed inception/expiration the signed zone is
    byte-identical for the same seed too."""
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives import serialization as ser
    import hashlib
    bases = []
    for name, flags in (("ksk", 257), ("zsk", 256)):
        raw = hashlib.sha256(("mtasts-world/%s/dnssec-%s" % (seed, name)).encode()).digest()
        k = ed25519.Ed25519PrivateKey.from_private_bytes(raw)
        pub = base64.b64encode(k.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)).decode()
        base = os.path.join(zdir, "Ktest." + name)
        with open(base + ".key", "w") as f:
            f.write("test. 3600 IN DNSKEY %d 3 15 %s\n" % (flags, pub))
        with open(base + ".private", "w") as f:
            f.write("Private-key-format: v1.2\nAlgorithm: 15 (ED25519)\nPrivateKey: %s\n"
                    % base64.b64encode(raw).decode())
        bases.append(base)
    shutil.copy(bases[0] + ".key", os.path.join(zdir, "test.anchor"))   # unbound trust anchor
    return bases


def sign_test_zone(seed, zdir):
    bases = write_dnssec_keys(seed, zdir)
    # fixed validity: inception 2024-01-01, expiration 2036-12-31 (scans happen 2026 and later)
    subprocess.run(["ldns-signzone", "-i", "20240101000000", "-e", "20361231000000",
                    "-o", "test.", "-f", os.path.join(zdir, "test.zone.signed"),
                    os.path.join(zdir, "test.zone")] + bases, check=True)


def break_tlsa_signatures(zdir, hosts):
    """Makes the TLSA RRsets of `hosts` bogus (RFC 4035 §5.5): in the signed zone, the RRSIG
    covering each one gets its first signature byte flipped, so it no longer verifies under the
    zone's key and the validating unbound answers SERVFAIL (the A/AAAA RRsets stay valid, so the
    host is still reached). Returns how many signatures were broken; each host must have one."""
    owners = {("_25._tcp." + h + ".").lower() for h in hosts}
    path = os.path.join(zdir, "test.zone.signed")
    lines, broken = [], set()
    for line in open(path):
        f = line.split()
        # ldns-signzone writes one record a line: owner TTL IN RRSIG covered alg labels ttl
        # expiration inception keytag signer signature (base64, no spaces)
        if len(f) >= 13 and f[3] == "RRSIG" and f[4] == "TLSA" and f[0].lower() in owners:
            sig = bytearray(base64.b64decode("".join(f[12:])))
            sig[0] ^= 0xFF
            f = f[:12] + [base64.b64encode(bytes(sig)).decode()]
            line = "\t".join(f) + "\n"
            broken.add(f[0].lower())
        lines.append(line)
    missing = owners - broken
    if missing:
        sys.exit("gen_world: no TLSA RRSIG to break for %s" % sorted(missing))
    with open(path, "w") as out:
        out.writelines(lines)
    return len(broken)


# ---------------------------------------------------------------------------- finish
def soa(zone):
    ns = "ns." + zone if zone != "." else "ns.root."
    # SOA minimum 3600: negative answers (most of a scan's) stay cached for an hour, so a second
    # pass over a 1M query file (minutes long) is served from unbound's cache
    return ("$TTL 3600\n{z} 3600 IN SOA {ns} hostmaster.{ns} 1 3600 600 86400 3600\n"
            "{z} 3600 IN NS {ns}\n{ns} 3600 IN A 127.0.0.1\n").format(z=zone, ns=ns)


def finish(w, D):
    """Place MX hosts on listeners, write zones, certificates, www, tables."""
    listeners, cert_work, sni_map = [], [], []
    addr = collections.defaultdict(list)          # host -> A records
    # providers: each host its own listener address, one certificate per provider
    for p in PROVIDERS:
        hosts = [h for _, h in provider_mx(p)]
        cert = "certs/mx-%s.crt" % p.split(".")[0]
        cert_work.append((cert, "good", hosts))
        for h in hosts:
            ip = postfix_ip(len(listeners))
            listeners.append({"ip": ip, "tls": "may", "cert": cert})
            addr[h].append(ip)
    groups, special = collections.defaultdict(list), collections.defaultdict(list)
    for host, cls in sorted(w.mx_hosts.items()):
        served = MX_CLASSES[cls][2]
        if served.startswith("pf:"):
            variant, _, extra = served[3:].partition("+")
            groups[variant].append(host)
            if extra == "refused":
                addr[host].append(SMTP_REFUSED_IP)
            elif extra == "silent":
                addr[host].append(SMTP_TARPIT["silent"])
        elif served.startswith("pf-"):
            special[served].append(host)
        elif served.startswith("tarpit:"):
            addr[host].append(SMTP_TARPIT[served[7:]])
        elif served == "refused":
            addr[host].append(SMTP_REFUSED_IP)
        elif served == "noaddr":
            w.rr(host, "TXT", '"this MX host has no address"')
        for usage, selector, mtype, what in DANE_CLASSES.get(cls, ([], None, None))[0]:
            w.rr("_25._tcp." + host, "TLSA", "%d %d %d %s" % (usage, selector, mtype, w.pki.tlsa_data(what, mtype)))

    def add(hosts, tls, variant, tag, size=GROUP_SIZE):
        for i in range(0, len(hosts), size):
            chunk = hosts[i:i + size]
            cert = "certs/mx-%s-%d.crt" % (tag, i // size) if variant else None
            if cert:
                cert_work.append((cert, variant, chunk))
            ip = postfix_ip(len(listeners))
            listeners.append({"ip": ip, "tls": tls, "cert": cert})
            for h in chunk:
                addr[h].insert(0, ip)
    for variant in sorted(groups):
        add(groups[variant], "may", variant, variant, 1 if variant == "cnonly" else GROUP_SIZE)
    add(special["pf-notls"], "none", None, "notls", 10 ** 9)
    add(special["pf-tls10"], "tls10", "good", "tls10")
    add(special["pf-bulk"], "may", "wrongname", "bulk", 10 ** 9)
    if special["pf-sni"]:       # right certificate only with SNI; without, somebody else's
        add(special["pf-sni"], "may", "wrongname", "sni-default", 10 ** 9)
        listeners[-1]["sni"] = True
        for h in special["pf-sni"]:
            cert_work.append(("certs/%s.crt" % h, "good", [h]))
            sni_map.append(h)
    for host in sorted(addr):
        for ip in addr[host]:
            w.rr(host, "A", ip)
    # policy hosts: a certificate each (chosen by SNI in nginx), the body in www/
    faults = []
    for host, p in sorted(w.policy_hosts.items()):
        cert_work.append(("certs/%s.crt" % host, p["cert"], p["names"]))
        with open(os.path.join(D, "www", host + ".txt"), "wb") as f:
            f.write(p["body"])
        if p["fault"]:
            faults.append("%s %s;\n" % (host, p["fault"]))
    with open(os.path.join(D, "faults.map"), "w") as f:
        f.writelines(faults)
    # zones
    z = os.path.join(D, "zones")
    with open(os.path.join(z, "root.zone"), "w") as f:
        f.write(soa(".") + "test. 3600 IN NS ns.test.\nns.test. 3600 IN A 127.0.0.1\n"
                "example. 3600 IN NS ns.example.\nns.example. 3600 IN A 127.0.0.1\n")
    with open(os.path.join(z, "test.zone"), "w") as f:
        f.write(soa("test.") + "dead.test. 3600 IN NS ns.dead.test.\n"
                "ns.dead.test. 3600 IN A %s\n" % DEAD_DNS_IP)
        f.write("\n".join(w.zone_test) + "\n")
    with open(os.path.join(z, "example.zone"), "w") as f:
        f.write(soa("example.") + "\n".join(w.zone_example) + "\n")
    return listeners, cert_work, sni_map


def write_truth(D, rows, profile):
    summary = {"status": collections.Counter(), "mx_status": collections.Counter(),
               "mx_result": collections.Counter(), "finding": collections.Counter(),
               "tlsrpt": collections.Counter(), "kind": collections.Counter()}
    with open(os.path.join(D, "truth.jsonl"), "w") as f:
        for r in rows:
            f.write(World.dumps(r) + "\n")
            summary["status"][r["status"]] += 1
            summary["mx_status"][r["mx_status"]] += 1
            summary["tlsrpt"][str(r["tlsrpt"])] += 1
            summary["kind"][r["kind"]] += 1
            for m in r["mx"]:
                summary["mx_result"][str(m["result"])] += 1
            for c in r["findings"]:
                summary["finding"][c] += 1
    out = {k: dict(sorted(v.items())) for k, v in summary.items()}
    out["rows"] = len(rows)
    with open(os.path.join(D, "truth_summary.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    if profile == "test":                      # the test profile must cover the vocabulary
        missing = []
        for key, words in (("status", STATUSES), ("mx_status", MX_STATUSES),
                           ("mx_result", MX_RESULTS), ("finding", FINDINGS), ("tlsrpt", TLSRPT)):
            missing += ["%s=%s (%d)" % (key, x, out[key].get(x, 0)) for x in words
                        if out[key].get(x, 0) < MIN_COUNT]
        unknown = set(out["finding"]) - set(FINDINGS)
        if missing or unknown:
            sys.exit("gen_world: coverage check failed: missing %s; unknown findings %s"
                     % (missing, sorted(unknown)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("dir")
    ap.add_argument("--profile", choices=["test", "realistic"], default="test")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epoch", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--sign", choices=["auto", "yes", "no"], default="auto",
                    help="DNSSEC-sign test. (auto: test profile only; 1M zones take long)")
    a = ap.parse_args()
    if a.epoch not in (1, 2):
        sys.exit("gen_world: --epoch is 1 (the world) or 2 (the same world after the changes of "
                 "world_kinds.CHANGES)")
    n = a.n or (10000 if a.profile == "test" else 1000000)
    D = os.path.abspath(a.dir)
    t0 = time.time()
    for sub in ("zones", "certs", "www", "ca"):
        shutil.rmtree(os.path.join(D, sub), ignore_errors=True)
        os.makedirs(os.path.join(D, sub))
    w = World(a.profile, a.seed, a.epoch)
    w.pki = world_certs.PKI(a.seed)
    w.pki.write_ca_files(os.path.join(D, "ca"))
    K.provider_records(w)
    plan = plan_test(n, a.seed) if a.profile == "test" else plan_realistic(n, a.seed)
    changes = plan_changes(plan, a.seed, a.profile) if a.epoch == 2 else {}
    before = World(a.profile, a.seed, 1)         # epoch 2: the changed domains as in epoch 1
    transitions = []
    rows, seen = [], set()
    with open(os.path.join(D, "domains.txt"), "w") as f:
        for line, kind, d in input_lines(plan, a.seed):
            f.write(line + "\n")
            if kind is None or kind == "duplicate":
                continue
            inp = line.strip()
            if kind == "invalid-input":
                rows.append({"input": inp, "domain": None, "kind": kind, "status": "invalid-input",
                             "mode": None, "mx_status": "not-probed", "mx": [], "findings": [],
                             "tlsrpt": None, "ns": None})
                continue
            assert d not in seen, d
            seen.add(d)
            opts = K.options(kind if kind != "excluded" or a.profile == "test" else "no-sts", d)
            if kind == "excluded":
                opts["excluded"] = True
            opts["id_epoch"] = 1                 # ids change only where a change bumps them
            if d in changes:
                change = changes[d]
                old = K.build(before, d, kind, inp, **opts)
                opts = dict(K.CHANGES[change][1](w, d, opts))
                opts.setdefault("id_epoch", 1)
                row = K.build(w, d, "e2-" + change, inp, **opts)
                transitions.append(expected_transitions(change, kind, old, before, row, w, opts))
                rows.append(row)
                continue
            rows.append(K.build(w, d, kind, inp, **opts))
    t_model = time.time() - t0
    listeners, cert_work, sni_map = finish(w, D)
    with open(os.path.join(D, "exclude.txt"), "w") as f:
        f.write("".join(d + "\n" for d in w.exclude))
    with open(os.path.join(D, "queries.txt"), "w") as f:
        f.write("\n".join(w.queries) + "\n")
    with open(os.path.join(D, "ns_local.conf"), "w") as f:      # included by unbound.conf
        f.write("".join("  " + x + "\n" for x in w.ns_local))
    summary = write_truth(D, rows, a.profile)
    if a.epoch == 2:
        write_transitions(D, transitions, a.profile)
    t1 = time.time()
    signed = a.sign == "yes" or (a.sign == "auto" and a.profile == "test")
    if signed:
        sign_test_zone(a.seed, os.path.join(D, "zones"))
        break_tlsa_signatures(os.path.join(D, "zones"), [h for h, c in w.mx_hosts.items() if c == "dane-bogus"])
    t_sign = time.time() - t1
    t1 = time.time()
    ncert = world_certs.write_certs(a.seed, [(os.path.join(D, p), v, nm) for p, v, nm in cert_work],
                                    a.jobs)
    t_certs = time.time() - t1
    meta = {"profile": a.profile, "n": n, "seed": a.seed, "epoch": a.epoch, "signed": signed,
            "listeners": listeners, "sni_hosts": sni_map, "nginx_ips": NGINX_IPS,
            "nginx_tls10_ip": NGINX_TLS10_IP, "https_tarpit": HTTPS_TARPIT,
            "smtp_tarpit": SMTP_TARPIT, "dead_dns_ip": DEAD_DNS_IP,
            "policy_hosts": len(w.policy_hosts), "mx_hosts": len(w.mx_hosts), "certs": ncert}
    with open(os.path.join(D, "world.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("gen_world: %s n=%d rows=%d policy_hosts=%d mx_listeners=%d certs=%d "
          "model=%.1fs sign=%.1fs certs=%.1fs total=%.1fs peak_rss=%dMB"
          % (a.profile, n, summary["rows"], len(w.policy_hosts), len(listeners), ncert,
             t_model, t_sign, t_certs, time.time() - t0, peak), file=sys.stderr)


if __name__ == "__main__":
    main()
