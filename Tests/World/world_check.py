#!/usr/bin/env python3
"""Check that the running world answers as truth.jsonl says, with independent tools only:
dig (through unbound), curl (--resolve pinning, --cacert, no redirects) and openssl s_client.

    world_check.py DIR [--per-kind K] [--min-rows M] [--seed S] [--threads T]

Samples K rows of every kind (at least M rows in all), prints every mismatch, exits 1 on any.
"""
import argparse
import collections
import concurrent.futures
import datetime
import functools
import hashlib
import json
import os
import random
import re
import socket
import subprocess
import sys
import time

from cryptography import x509

A = None          # parsed arguments
PORTS = {}
CA = ""
SIGNED = [False]
UNTRUSTED_CODES = {"2", "18", "19", "20", "21"}


def run(cmd, timeout=15, data=b""):
    try:
        p = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")
    except subprocess.TimeoutExpired as e:
        return -9, (e.stdout or b"").decode("latin-1"), "timeout"


# ------------------------------------------------------------------------ DNS
def txt_strings(rdata):
    """dig's presentation of TXT rdata -> list of byte strings."""
    out = []
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', rdata):
        s, b, i = m.group(1), bytearray(), 0
        while i < len(s):
            if s[i] == "\\" and s[i + 1:i + 4].isdigit():
                b.append(int(s[i + 1:i + 4]))
                i += 4
            elif s[i] == "\\":
                b.append(ord(s[i + 1]))
                i += 2
            else:
                b.append(ord(s[i]))
                i += 1
        out.append(bytes(b))
    return out


def dig(name, rtype, *extra):
    """-> (rcode or 'TIMEOUT', set of flags, [(owner, type, rdata)])"""
    rc, out, _ = run(["dig", "+time=3", "+tries=2", "+dnssec", "-p", PORTS["dns"], "@" + PORTS["ip"],
                      name, rtype, "+noall", "+comments", "+answer"] + list(extra), timeout=20)
    st = re.search(r"status: (\w+)", out)
    if not st:
        return "TIMEOUT", set(), []
    flags = set(re.search(r"flags: ([\w ]*);", out).group(1).split())
    ans = []
    for line in out.splitlines():
        if line and not line.startswith(";"):
            f = line.split(None, 4)
            if len(f) == 5 and f[3] != "RRSIG":
                ans.append((f[0].rstrip(".").lower(), f[3], f[4]))
    return st.group(1), flags, ans


def is_record(joined, prefix):
    """spec/verdicts.md: begins with prefix followed by ';', by WSP then ';', or the end."""
    if not joined.startswith(prefix):
        return False
    rest = joined[len(prefix):].lstrip(b" \t")
    return rest == b"" and joined == prefix or rest.startswith(b";")


def sts_records(ans, prefix=b"v=STSv1"):
    recs = [txt_strings(r) for _, t, r in ans if t == "TXT"]
    return [s for s in recs if is_record(b"".join(s), prefix)]


# ------------------------------------------------------------------------ TLS
def s_client(ip, port, host, starttls=False, sni=True, extra=()):
    cmd = ["openssl", "s_client", "-connect", "%s:%s" % (ip if ":" not in ip else "[%s]" % ip, port),
           "-CAfile", CA, "-verify_hostname", host]
    if sni:
        cmd += ["-servername", host]
    else:
        cmd += ["-noservername"]
    if starttls:
        cmd += ["-starttls", "smtp"]
    rc, out, err = run(cmd + list(extra), timeout=10)
    code = re.search(r"Verify return code: (\d+)", out)
    cipher = re.search(r"Cipher is (\S+)", out)
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
    cert = x509.load_pem_x509_certificate(pem.group(0).encode()) if pem else None
    return {"ok": bool(cipher and cipher.group(1) != "(NONE)"), "code": code.group(1) if code else None,
            "cert": cert, "out": out + err}


def dns_ids(cert):
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value \
            .get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        return []                                   # no SAN: no DNS-ID (no CN fallback)


def name_ok(cert, host):
    return any(n.lower() == host or (n.startswith("*.") and "." in host and host.split(".", 1)[1] == n[2:].lower())
               for n in dns_ids(cert))


def tls_verdict(t, host):
    """Classify an s_client result in verdicts.md's terms; when several causes hold, the first
    of host-mismatch, expired, not-trusted wins (openssl itself reports only the first error
    it meets, so name and dates are read from the certificate)."""
    if not t["ok"]:
        return "tls-failure"
    c = t["cert"]
    if c is None or not name_ok(c, host):
        return "certificate-host-mismatch"
    now = datetime.datetime.now(datetime.timezone.utc)
    if not c.not_valid_before_utc <= now <= c.not_valid_after_utc:
        return "certificate-expired"
    if t["code"] in UNTRUSTED_CODES:
        return "certificate-not-trusted"
    return "pass" if t["code"] == "0" else "other:%s" % t["code"]


@functools.lru_cache(maxsize=None)
def addresses(host):
    """A records, or AAAA ones when there is no A (MX hosts are shared: cached)."""
    st, _, ans = dig(host, "A")
    ips = [r for _, t, r in ans if t == "A"]
    if st == "NOERROR" and not ips:
        st, _, ans = dig(host, "AAAA")
        ips = [r for _, t, r in ans if t == "AAAA"]
    return st, ips


@functools.lru_cache(maxsize=None)
def smtp_tls(ip, port, host):
    return s_client(ip, port, host, starttls=True)


def smtp_greeting(ip, port):
    try:
        with socket.create_connection((ip, int(port)), timeout=3) as s:
            s.settimeout(3)
            return s.recv(512).decode("latin-1")
    except OSError as e:
        return "ERR:" + e.__class__.__name__


# ------------------------------------------------------------------------ per-row checks
def check_row(r, D):
    bad = []

    def expect(cond, what):
        if not cond:
            bad.append("%s [%s]: %s" % (r["domain"] or r["input"], r["kind"], what))
    d, status = r["domain"], r["status"]
    if status == "invalid-input":
        return bad
    if status == "excluded":
        expect(d in open(os.path.join(D, "exclude.txt")).read().split(), "not in exclude.txt")
        return bad
    # answers from the signed test. zone, not through a CNAME elsewhere, carry the AD bit
    signed_direct = SIGNED[0] and d.endswith(".test") and not d.endswith(".dead.test")
    # -------------------------------------------------------- _mta-sts TXT
    st, flags, ans = dig("_mta-sts." + d, "TXT")
    recs = sts_records(ans)
    if status == "dns-error":
        expect(st in ("SERVFAIL", "TIMEOUT"), "_mta-sts TXT: want SERVFAIL, got %s" % st)
    elif status == "no-record":
        expect(st in ("NXDOMAIN", "NOERROR") and not recs, "_mta-sts TXT: want no STS record, got %s %s" % (st, recs))
    else:
        want = 2 if "txt-multiple-sts-records" in r["findings"] else 1
        expect(st == "NOERROR" and len(recs) == want, "_mta-sts TXT: want %d STS record(s), got %s %s" % (want, st, recs))
        cname = any(t == "CNAME" for _, t, _ in ans)
        expect(cname == ("txt-cname" in r["findings"]), "_mta-sts CNAME presence %s" % cname)
        if "txt-multi-string" in r["findings"]:
            expect(recs and len(recs[0]) > 1, "STS record is not multi-string")
        if signed_direct and not cname:
            expect("ad" in flags, "_mta-sts TXT answer lacks the AD bit")
        if r["kind"] == "txt-big-tcp":
            _, f2, _ = dig("_mta-sts." + d, "TXT", "+ignore", "+notcp", "+bufsize=1232")
            expect("tc" in f2, "big TXT RRset not truncated over UDP")
    # -------------------------------------------------------- MX
    st, flags, ans = dig(d, "MX")
    mxs = sorted((int(rd.split()[0]), rd.split()[1].rstrip(".").lower()) for _, t, rd in ans if t == "MX")
    if r["mx_status"] == "dns-error":
        expect(st in ("SERVFAIL", "TIMEOUT"), "MX: want SERVFAIL, got %s" % st)
    elif r["mx_status"] == "null-mx":
        expect(mxs == [(0, "")], "MX: want null MX, got %s" % mxs)
    elif "mx-implicit" in r["findings"]:
        expect(st in ("NOERROR", "NXDOMAIN") and not mxs, "MX: want none, got %s %s" % (st, mxs))
    else:
        want = sorted((m["preference"], m["host"]) for m in r["mx"])
        expect(mxs == want, "MX: want %s, got %s" % (want, mxs))
        if signed_direct and mxs:
            expect("ad" in flags, "MX answer lacks the AD bit")
    # -------------------------------------------------------- TLS-RPT
    st, _, ans = dig("_smtp._tls." + d, "TXT")
    recs = [b"".join(s) for s in sts_records(ans, b"v=TLSRPTv1")]
    got = ("dns-error" if st in ("SERVFAIL", "TIMEOUT") else "absent" if not recs else
           "multiple" if len(recs) > 1 else
           "valid" if re.search(rb"rua=(mailto:|https:)[^!;]*$", recs[0]) else "invalid")
    expect(got == r["tlsrpt"], "TLS-RPT: want %s, got %s %s" % (r["tlsrpt"], got, recs))
    if status in ("policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"):
        check_policy(r, D, expect)
    for m in r["mx"]:
        if m["result"] is not None:
            check_mx(r, m, expect)
    return bad


def check_policy(r, D, expect):
    host, f = "mta-sts." + r["domain"], set(r["findings"])
    st, ips = addresses(host)
    if "policy-host-nxdomain" in f:
        return expect(st == "NXDOMAIN", "policy host: want NXDOMAIN, got %s" % st)
    if "policy-host-no-address" in f:
        return expect(st == "NOERROR" and not ips, "policy host: want no address, got %s %s" % (st, ips))
    expect(ips, "policy host has no address")
    if not ips:
        return
    ip, port = ips[0], PORTS["https"]
    url = "https://%s:%s/.well-known/mta-sts.txt" % (host, port)
    curl = ["curl", "-s", "-o", "-", "--cacert", CA, "--resolve", "%s:%s:%s" % (host, port, ip),
            "-w", "\n%{http_code} %{size_download} %{content_type}", "-m", "4", url]
    rc, out, _ = run(curl, timeout=10)
    meta = out.rsplit("\n", 1)[-1].split(" ", 2) if out else ["000", "0", ""]
    code, size, ctype = meta[0], int(meta[1] or 0), meta[2] if len(meta) > 2 else ""
    if "policy-connect-failed" in f:
        return expect(rc == 7, "policy: want connection refused (curl 7), got %s" % rc)
    if "policy-timeout" in f:
        return expect(rc == 28 and size < 200, "policy: want a timeout (curl 28), got %s size %d" % (rc, size))
    if "policy-too-large" in f:
        return expect(size > 65536, "policy: want > 65536 bytes, got %d (curl %s)" % (size, rc))
    if "policy-redirect" in f:
        return expect(code.startswith("3"), "policy: want a 3xx, got %s" % code)
    if "policy-http-status" in f:
        return expect(code not in ("200", "000") and not code.startswith("3"), "policy: want an error status, got %s" % code)
    pki = {"policy-cert-expired": "certificate-expired", "policy-cert-host-mismatch": "certificate-host-mismatch",
           "policy-cert-not-trusted": "certificate-not-trusted", "policy-tls-handshake-failed": "tls-failure"}
    for finding, want in pki.items():
        if finding in f:
            got = tls_verdict(s_client(ip, port, host), host)
            return expect(got == want, "policy host TLS: want %s, got %s" % (want, got))
    if "policy-tls-version-too-old" in f:
        new = s_client(ip, port, host, extra=["-tls1_2"])
        old = s_client(ip, port, host, extra=["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"])
        return expect(not new["ok"] and old["ok"], "policy host: want TLS 1.0 only (1.2 ok=%s, 1.0 ok=%s)"
                      % (new["ok"], old["ok"]))
    expect(rc == 0 and code == "200", "policy: want 200, got curl %s http %s" % (rc, code))
    body = out.rsplit("\n", 1)[0].encode("latin-1") if "\n" in out else b""
    want_body = open(os.path.join(D, "www", host + ".txt"), "rb").read()
    expect(body == want_body, "policy body differs from www/%s.txt" % host)
    if "policy-content-type" in f:
        expect(not ctype.startswith("text/plain"), "policy: want a non text/plain type, got %s" % ctype)
    else:
        expect(ctype.split(";")[0].strip() == "text/plain", "policy: want text/plain, got %s" % ctype)
    if r["status"] == "valid":
        modes = re.findall(rb"^mode:[ \t]*(\w+)", body, re.M)
        expect(modes and modes[0].decode() == r["mode"], "policy mode %s, truth %s" % (modes[:1], r["mode"]))
        pats = [p.decode().lower() for p in re.findall(rb"^mx:[ \t]*(\S+)", body, re.M)]
        for m in r["mx"]:
            if r["mode"] == "none" or m["result"] is None:
                continue
            h = m["host"]
            match = any(p == h or (p.startswith("*.") and "." in h and h.split(".", 1)[1] == p[2:]) for p in pats)
            expect(match == (m["result"] != "pattern-mismatch"),
                   "MX %s vs policy patterns %s: match=%s, result %s" % (h, pats, match, m["result"]))


def check_mx(r, m, expect):
    host, res, port = m["host"], m["result"], PORTS["smtp"]
    st, ips = addresses(host)
    if res == "dns-error":
        return expect(st in ("SERVFAIL", "TIMEOUT"), "MX %s: want SERVFAIL, got %s" % (host, st))
    if res == "pattern-mismatch":
        return                                  # checked against the policy body
    if res == "unreachable":
        if not ips:
            return expect(st in ("NXDOMAIN", "NOERROR"), "MX %s: no address but %s" % (host, st))
        for ip in ips:
            g = smtp_greeting(ip, port)
            expect(not g.startswith("220 ") or g.count("\n") == 0 and not g.endswith("\r\n"),
                   "MX %s at %s: want no usable greeting, got %r" % (host, ip, g[:60]))
        return
    verdicts = []
    for ip in ips:
        t = smtp_tls(ip, port, host)
        v = "starttls-not-supported" if "Didn't find STARTTLS" in t["out"] else tls_verdict(t, host)
        verdicts.append(v)
        if "mx-sni-dependent" in r["findings"] and v == "pass":
            t2 = s_client(ip, port, host, starttls=True, sni=False)
            expect(t2["cert"] is not None and t2["cert"] != t["cert"], "MX %s: same certificate without SNI" % host)
    if res == "pass":
        expect("pass" in verdicts, "MX %s: want a passing address, got %s" % (host, verdicts))
    else:
        expect(verdicts and all(v == res for v in verdicts), "MX %s: want %s, got %s" % (host, res, verdicts))
    want = ((r.get("dane") or {}).get("hosts") or {}).get(host)
    if want is not None and ips:
        got = dane_verdict(host, ips[0], port)
        expect(got == want or (want == "unjudged" and got == "not-applicable"),
               "MX %s: DANE by dig and openssl is %s, truth %s" % (host, got, want))


def openssl_bytes(args, data):
    p = subprocess.run(["openssl"] + args, input=data, capture_output=True, timeout=15)
    return p.stdout if p.returncode == 0 else None


def dane_verdict(host, ip, port):
    """The host's DANE result (RFC 7672) by dig and openssl alone: the TLSA RRset and its AD
    bit from unbound; the chain the server presents (s_client -showcerts); each certificate's
    DER and SubjectPublicKeyInfo DER from `openssl x509` / `openssl pkey`; digests by hashlib.
    DANE-EE(3) must match the leaf; DANE-TA(2) a certificate above it, with the leaf naming the
    host and each certificate up to it issued by the next (names and signature, by the
    `cryptography` package's verify_directly_issued_by); PKIX usages and unknown selectors or
    matching types are unusable."""
    st, flags, ans = dig("_25._tcp." + host, "TLSA")
    records = []
    for _, t, rd in ans:
        if t == "TLSA":
            f = rd.split()
            records.append((int(f[0]), int(f[1]), int(f[2]), bytes.fromhex("".join(f[3:]))))
    if st in ("SERVFAIL", "TIMEOUT"):
        return "lookup-failed"
    if not records or "ad" not in flags:
        return "not-applicable"
    usable = [x for x in records if x[0] in (2, 3) and x[1] in (0, 1) and x[2] in (0, 1, 2)
              and len(x[3]) == {0: len(x[3]) or -1, 1: 32, 2: 64}[x[2]]]
    if not usable:
        return "unusable"
    t = s_client(ip, port, host, starttls=True, extra=("-showcerts",))
    if "Didn't find STARTTLS" in t["out"] or not t["ok"]:
        return "no-tls"
    pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", t["out"], re.S)
    chain = []
    for pem in pems:
        der = openssl_bytes(["x509", "-outform", "DER"], pem.encode())
        pub = openssl_bytes(["x509", "-pubkey", "-noout"], pem.encode())
        spki = pub and openssl_bytes(["pkey", "-pubin", "-outform", "DER"], pub)
        chain.append((der, spki))

    def key_signed(spki, cert):
        """A TA key not in the chain (RFC 7671 §5.2.2): did it sign `cert`? EC, RSA, Ed25519."""
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
        from cryptography.hazmat.primitives.serialization import load_der_public_key
        try:
            key, c = load_der_public_key(spki), x509.load_der_x509_certificate(cert[0])
            if isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
            elif isinstance(key, rsa.RSAPublicKey):
                key.verify(c.signature, c.tbs_certificate_bytes, padding.PKCS1v15(), c.signature_hash_algorithm)
            elif isinstance(key, ed25519.Ed25519PublicKey):
                key.verify(c.signature, c.tbs_certificate_bytes)
            else:
                return False
            return True
        except Exception:
            return False

    def issued(lower, upper):
        try:
            x509.load_der_x509_certificate(lower[0]).verify_directly_issued_by(x509.load_der_x509_certificate(upper[0]))
            return True
        except Exception:
            return False

    def assoc(cert, selector, mtype):
        data = cert[selector]
        return data if mtype == 0 else (hashlib.sha256 if mtype == 1 else hashlib.sha512)(data).digest()
    for usage, selector, mtype, data in usable:
        if usage == 3 and chain and assoc(chain[0], selector, mtype) == data:
            return "authenticated"
        if usage == 2 and t["cert"] is not None and name_ok(t["cert"], host):
            for k in range(1, len(chain)):
                if not issued(chain[k - 1], chain[k]):
                    break
                if assoc(chain[k], selector, mtype) == data:
                    return "authenticated"
            linked = all(issued(chain[k - 1], chain[k]) for k in range(1, len(chain)))
            if selector == 1 and mtype == 0 and chain and linked and \
                    not any(assoc(c, 1, 0) == data for c in chain) and key_signed(data, chain[-1]):
                return "authenticated"
    return "mismatch"


def main():
    global A, CA
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--per-kind", type=int, default=2)
    ap.add_argument("--min-rows", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=48)
    A = ap.parse_args()
    D = os.path.abspath(A.dir)
    env = dict(l.strip().split("=", 1) for l in open(os.path.join(D, "ports.env")) if "=" in l)
    PORTS.update(dns=os.environ.get("WORLD_DNS_PORT", env["WORLD_DNS_PORT"]),
                 ip=os.environ.get("WORLD_DNS_IP", env["WORLD_DNS_IP"]),
                 https=os.environ.get("WORLD_HTTPS_PORT", env["WORLD_HTTPS_PORT"]),
                 smtp=os.environ.get("WORLD_SMTP_PORT", env["WORLD_SMTP_PORT"]))
    CA = os.path.join(D, "ca", "ca.crt")
    SIGNED[0] = json.load(open(os.path.join(D, "world.json")))["signed"]
    by_kind = collections.defaultdict(list)
    with open(os.path.join(D, "truth.jsonl")) as fh:
        for line in fh:
            r = json.loads(line)
            by_kind[r["kind"]].append(r)
    rng = random.Random(A.seed)
    sample = []
    for k in sorted(by_kind):
        sample += rng.sample(by_kind[k], min(A.per_kind, len(by_kind[k])))
    rest = [r for k in sorted(by_kind) for r in by_kind[k] if r not in sample] if len(sample) < A.min_rows else []
    sample += rng.sample(rest, min(len(rest), A.min_rows - len(sample))) if rest else []
    t0 = time.time()
    bad = []
    with concurrent.futures.ThreadPoolExecutor(A.threads) as ex:
        for res in ex.map(lambda r: check_row(r, D), sample):
            bad += res
    for b in bad:
        print("MISMATCH " + b)
    kinds = len({r["kind"] for r in sample})
    print("world-check: %d rows of %d kinds checked in %.1fs: %d mismatch(es)"
          % (len(sample), kinds, time.time() - t0, len(bad)))
    print("%d passed, %d failed" % (len(sample) - len({b.split(" [")[0] for b in bad}),
                                    len({b.split(" [")[0] for b in bad})))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
