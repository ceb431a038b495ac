"""The world's building blocks: addresses, MX host classes, and the World that collects DNS
records, policy hosts, MX hosts and truth rows while the kinds (world_kinds.py) describe domains.

The truth of a domain is written from intent: each kind states its status and the findings that
must appear; MX results follow from the MX host classes below and the policy's mx patterns, with
the precedence of spec/verdicts.md.  Nothing here runs a scanner.
"""
import hashlib
import json
import os

# ------------------------------------------------------------------ loopback addresses
# WORLD_NET (default 127.0) is the first two octets of every server address, so that two worlds
# can also run side by side on different addresses; it is part of the generation cache key.
NET = os.environ.get("WORLD_NET", "127.0")
assert NET.startswith("127."), "the world lives on loopback only"
NGINX_IPS = [NET + ".1.%d" % i for i in (1, 2, 3, 4)]                # the policy web servers
NGINX_TLS10_IP = NET + ".1.10"                                      # nginx speaking TLS 1.0/1.1 only
HTTPS_TARPIT = {"silent": NET + ".1.20", "close": NET + ".1.21",    # Python mocks (tarpit.py)
                "garbage": NET + ".1.22", "endless": NET + ".1.23"}
HTTPS_REFUSED_IP = NET + ".1.250"                                   # nothing listens here
SMTP_TARPIT = {"silent": NET + ".5.1", "greet421": NET + ".5.2", "trickle": NET + ".5.3",
               "tls-garbage": NET + ".5.4", "tls-close": NET + ".5.5"}
SMTP_REFUSED_IP = NET + ".5.250"
DEAD_DNS_IP = NET + ".0.9"                                          # "dead.test." is delegated here
WEB_IP = NET + ".1.1"                                               # A record of domains' apexes


def postfix_ip(i):
    """Postfix listener number i (0-based) -> 127.0.2.1 ... 127.0.2.250, 127.0.3.1 ... 127.0.4.250"""
    assert i < 750, "too many postfix listeners: raise GROUP_SIZE"
    return "%s.%d.%d" % (NET, 2 + i // 250, 1 + i % 250)


# ------------------------------------------------------------------ MX host classes
# class -> (result when probed, extra findings that must appear, how it is served)
# "pf:<cert variant>" = a postfix listener whose one certificate (same with and without SNI)
# names every host of its group; "pf-*" are special postfix listeners; "tarpit:<mode>" the mock.
MX_CLASSES = {
    "provider":          ("pass", [], "provider"),
    "good":              ("pass", [], "pf:good"),
    "inter":             ("pass", [], "pf:inter"),
    "dane":              ("pass", ["dane-tlsa"], "pf:good"),
    # DANE (RFC 7672) cases: the TLSA records of each class are in DANE_CLASSES below
    "dane-ee-full":      ("pass", ["dane-tlsa"], "pf:good"),
    "dane-ee-512":       ("pass", ["dane-tlsa"], "pf:good"),
    "dane-ta-cert":      ("pass", ["dane-tlsa"], "pf:inter"),
    "dane-ta-full":      ("pass", ["dane-tlsa"], "pf:inter"),
    "dane-ta-spki-512":  ("pass", ["dane-tlsa"], "pf:inter"),
    "dane-mismatch":     ("pass", ["dane-tlsa", "dane-mismatch"], "pf:good"),
    "dane-ta-absent":    ("pass", ["dane-tlsa", "dane-mismatch"], "pf:good"),
    "dane-unusable":     ("pass", ["dane-tlsa", "dane-unusable"], "pf:good"),
    "dane-notls":        ("starttls-not-supported", ["dane-tlsa", "dane-no-tls"], "pf-notls"),
    "dane-unsigned":     ("pass", ["dane-tlsa", "dane-tlsa-unsigned"], "pf:good"),
    # the TLSA RRset is bogus: the resolver returns SERVFAIL, no record is seen (no dane-tlsa)
    "dane-bogus":        ("pass", ["dane-lookup-failed"], "pf:good"),
    # leaf from an impostor key under the intermediate's name, with the real intermediate: OpenSSL
    # finds no issuer that signed the leaf (not trusted), and DANE-TA for the intermediate fails
    "dane-ta-forged":    ("certificate-not-trusted", ["dane-tlsa", "dane-mismatch"], "pf:inter-forged"),
    # the intermediate published by its key alone (2 1 0) and left out of the chain (RFC 7671
    # §5.2.2): not trusted by WebPKI rules (no intermediate), authenticated by DANE
    "dane-ta-key-absent": ("certificate-not-trusted", ["dane-tlsa"], "pf:missing-inter"),
    "sni":               ("pass", ["mx-sni-dependent"], "pf-sni"),
    "dead-addr":         ("pass", [], "pf:good+refused"),
    "silent-addr":       ("pass", [], "pf:good+silent"),
    "nostarttls":        ("starttls-not-supported", [], "pf-notls"),
    "wrongname":         ("certificate-host-mismatch", [], "pf:wrongname"),
    "cnonly":            ("certificate-host-mismatch", [], "pf:cnonly"),
    "expired-wrongname": ("certificate-host-mismatch", ["mx-cert-expired"], "pf:expired-wrongname"),
    "expired":           ("certificate-expired", [], "pf:expired"),
    "notyet":            ("certificate-expired", [], "pf:notyet"),
    "untrusted":         ("certificate-not-trusted", [], "pf:untrusted"),
    "selfsigned":        ("certificate-not-trusted", [], "pf:selfsigned"),
    "missing-inter":     ("certificate-not-trusted", [], "pf:missing-inter"),
    "tls10":             ("tls-failure", [], "pf-tls10"),
    "tls-garbage":       ("tls-failure", [], "tarpit:tls-garbage"),
    "tls-close":         ("tls-failure", [], "tarpit:tls-close"),
    "noaddr":            ("unreachable", [], "noaddr"),
    "nxdomain":          ("unreachable", [], "nxdomain"),
    "refused":           ("unreachable", [], "refused"),
    "silent":            ("unreachable", [], "tarpit:silent"),
    "greet421":          ("unreachable", [], "tarpit:greet421"),
    "trickle":           ("unreachable", [], "tarpit:trickle"),
    "servfail":          ("dns-error", [], "servfail"),
    # realistic profile: self-hosted MX of domains without MTA-STS, never probed by default;
    # one shared listener whose certificate names none of them (what a probe-all scan would see)
    "bulk":              ("certificate-host-mismatch", [], "pf-bulk"),
}
# DANE classes -> (TLSA records as (usage, selector, matching type, what they hash), the DANE
# result of the host, whether its zone is signed). What the records name: the shared leaf key's
# SubjectPublicKeyInfo, the intermediate CA's certificate or key (served in the chain only by
# "pf:inter" listeners), the untrusted CA's key (presented by no MX host). Usage 1 (PKIX-EE) and
# matching type 3 are unusable for SMTP (RFC 7672 §3.1.3, RFC 6698 §2.1.3). Hosts of
# "dane-unsigned" live in the unsigned example. zone: their TLSA answers carry no AD bit. The
# RRSIG over each "dane-bogus" host's TLSA RRset is broken after signing (gen_world.py,
# break_tlsa_signatures), so the validating resolver answers SERVFAIL: a failed lookup, and an
# RFC 7672 sender defers (§2.2: it cannot tell whether DANE applies).
DANE_CLASSES = {
    "dane":             ([(3, 1, 1, "leaf-spki")], "authenticated", True),
    "dane-ee-full":     ([(3, 1, 0, "leaf-spki")], "authenticated", True),
    "dane-ee-512":      ([(3, 1, 2, "leaf-spki")], "authenticated", True),
    "dane-ta-cert":     ([(2, 0, 1, "inter-cert")], "authenticated", True),
    "dane-ta-full":     ([(2, 0, 0, "inter-cert")], "authenticated", True),
    "dane-ta-spki-512": ([(2, 1, 2, "inter-spki")], "authenticated", True),
    "dane-mismatch":    ([(3, 1, 1, "untrusted-spki")], "mismatch", True),
    "dane-ta-absent":   ([(2, 0, 1, "inter-cert")], "mismatch", True),
    "dane-unusable":    ([(1, 1, 1, "leaf-spki"), (3, 1, 3, "leaf-spki")], "unusable", True),
    "dane-notls":       ([(3, 1, 1, "leaf-spki")], "no-tls", True),
    "dane-unsigned":    ([(3, 1, 1, "leaf-spki")], "not-applicable", False),
    "dane-bogus":       ([(3, 1, 1, "leaf-spki")], "lookup-failed", True),
    "dane-ta-forged":   ([(2, 0, 1, "inter-cert")], "mismatch", True),
    "dane-ta-key-absent": ([(2, 1, 0, "inter-spki")], "authenticated", True),
}
# MX classes whose host has no address: no sender connects, DANE is not judged (RFC 7672 §2.2.2)
NO_ADDRESS_CLASSES = {"noaddr", "nxdomain", "servfail"}
RESULT_FINDING = {
    "pattern-mismatch": "mx-pattern-mismatch", "starttls-not-supported": "mx-starttls-not-supported",
    "certificate-host-mismatch": "mx-cert-host-mismatch", "certificate-expired": "mx-cert-expired",
    "certificate-not-trusted": "mx-cert-not-trusted", "tls-failure": "mx-tls-failure",
    "unreachable": "mx-unreachable", "dns-error": "mx-dns-error",
}
# statuses from which MX hosts are probed (the domain has an STS record)
PROBED_STATUSES = {"record-invalid", "policy-fetch-error", "policy-webpki-invalid",
                   "policy-invalid", "valid"}
GROUP_SIZE = 100          # hosts named by one multi-SAN certificate / one postfix listener

PROVIDERS = ["provider1.example", "provider2.example", "provider3.example", "provider4.example"]

# DNS operators: the NS sets of domains with an `_mta-sts` record (asked only for those).  name ->
# NS hosts; "self" is ns1/ns2 under the domain itself, "mixed" spans two operators (the report
# counts such a domain once for each).  Answered by unbound's local-data (ns_local.conf): an NS
# RRset at a name inside NSD's test. zone would be a zone cut, a delegation of the domain.
NS_SETS = {
    "provider1": ["ns1.provider1.example", "ns2.provider1.example"],
    "provider2": ["ns1.provider2.example", "ns2.provider2.example"],
    "dns-one": ["a.ns.dns-one.example", "b.ns.dns-one.example"],
    "cloud-dns": ["ns-1.cloud-dns.example", "ns-2.cloud-dns.example", "ns-3.cloud-dns.example"],
    "self": None,
    "mixed": ["ns1.provider1.example", "a.ns.dns-one.example"],
}
NS_WEIGHTS_REALISTIC = [35, 15, 20, 10, 10, 10]          # percent, in NS_SETS order


def provider_mx(p):
    return [(10, "mx1." + p), (20, "mx2." + p)]


def txt_rdata(*strings):
    """Zone-file TXT rdata: each string quoted, `"` and `\\` escaped, non-ASCII as \\DDD."""
    out = []
    for s in strings:
        b = s.encode("utf-8") if isinstance(s, str) else s
        q = "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else
                    ("\\" + chr(c) if c in (34, 92) else "\\%03d" % c) for c in b)
        out.append('"%s"' % q)
    return " ".join(out)


def pattern_matches(pattern, host):
    """RFC 8461 §4.1 / App. B: exact, or '*.' + rest matching exactly one left-most label."""
    p, h = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if p.startswith("*."):
        return "." in h and h.split(".", 1)[1] == p[2:]
    return p == h


def provider_migrated(patterns, hosts, domain):
    """docs/VERDICTS.md mx-provider-migrated, written again here from the rule's text: no host
    matches a pattern, the hosts' parents share a suffix N of two labels or more, no pattern's
    base (without '*.') is N or under N, and N is not the domain nor under it."""
    hosts = [h.lower().rstrip(".") for h in hosts]
    if not patterns or not hosts or any(pattern_matches(p, h) for p in patterns for h in hosts):
        return False
    parents = [h.split(".")[1:] for h in hosts]
    if any(len(p) < 2 for p in parents):
        return False
    n = min(len(p) for p in parents)
    while n > 0 and len({tuple(p[len(p) - n:]) for p in parents}) != 1:
        n -= 1
    if n < 2:
        return False
    ns = ".".join(parents[0][len(parents[0]) - n:])
    if ns == domain or ns.endswith("." + domain):
        return False
    bases = [p.lower().rstrip(".")[2:] if p.startswith("*.") else p.lower().rstrip(".") for p in patterns]
    return not any(b == ns or b.endswith("." + ns) for b in bases)


def sid(name, epoch):
    """A policy id (1-32 alphanumerics), stable per domain and epoch."""
    return "%d%s" % (epoch, hashlib.sha256(name.encode()).hexdigest()[:12])


class World:
    def __init__(self, profile, seed, epoch):
        self.profile, self.seed, self.epoch = profile, seed, epoch
        self.zone_test = []          # lines of the test. zone (absolute names)
        self.zone_example = []       # lines of the example. zone (providers)
        self.policy_hosts = {}       # host -> {"cert": variant, "names": [...], "body": bytes, "fault": str}
        self.mx_hosts = {}           # host -> class (hosts in test. created by the world)
        self.tlsa_hosts = set()
        self.sni_hosts = []
        self.exclude = []
        self.queries = []            # dnsperf lines
        self.hosts_asked = set()     # MX hosts whose lookups are already in the mix
        self.ns_local = []           # unbound local-data lines: the NS sets (NS_SETS)

    def _h(self, s, mod):
        return int(hashlib.sha256(s.encode()).hexdigest()[:8], 16) % mod

    def pick_provider(self, d):
        """Test: the four providers evenly.  Realistic: concentrated, like the real internet."""
        x = self._h(d + "/mx", 100)
        if self.profile == "test":
            return PROVIDERS[x % 4]
        return PROVIDERS[0 if x < 45 else 1 if x < 70 else 2 if x < 85 else 3]

    def pick_ns(self, d):
        """The NS hosts of domain d: test evenly over NS_SETS, realistic by NS_WEIGHTS_REALISTIC."""
        names = list(NS_SETS)
        x = self._h(d + "/ns", 100)
        if self.profile == "test":
            name = names[x % len(names)]
        else:
            acc = 0
            for name, wt in zip(names, NS_WEIGHTS_REALISTIC):
                acc += wt
                if x < acc:
                    break
        return NS_SETS[name] or ["ns1." + d, "ns2." + d]

    def publish_ns(self, d):
        hosts = self.pick_ns(d)
        for host in hosts:
            self.ns_local.append('local-data: "%s. 3600 IN NS %s."' % (d, host))
        return hosts

    def default_tlsrpt(self, d, sts):
        x = self._h(d + "/rpt", 1000)
        if self.profile == "test":
            return "valid" if sts or x < 200 else "absent"
        return "valid" if x < (600 if sts else 25) else "absent"

    # -------------------------------------------------------------- DNS helpers
    def rr(self, owner, rtype, rdata, ttl=3600):
        zone = self.zone_example if owner.endswith(".example") else self.zone_test
        zone.append("%s. %d IN %s %s" % (owner, ttl, rtype, rdata))

    def policy_host(self, host, cert="good", body=b"", fault="", names=None, ip=None):
        """Serve https://host/.well-known/mta-sts.txt from nginx (or the ip given)."""
        self.policy_hosts[host] = {"cert": cert, "names": names or [host], "body": body,
                                   "fault": fault}
        if ip is not False:
            self.rr(host, "A", ip or NGINX_IPS[int(hashlib.md5(host.encode()).hexdigest(), 16) % 4])

    def mx_host(self, host, cls):
        """Create MX host `host` (inside test.) of the given class; A records come at finish()."""
        if cls == "provider":
            return
        prev = self.mx_hosts.get(host)
        assert prev in (None, cls), (host, prev, cls)
        self.mx_hosts[host] = cls

    # -------------------------------------------------------------- truth
    def truth(self, *, input, domain, kind, status, mode=None, mx=None, patterns=None,
              mx_lookup="ok", findings=(), tlsrpt="valid", ns=None):
        """Build the truth row.

        mx: list of (preference, host, class) as published (None: no MX record -> implicit MX);
        mx_lookup: ok | null | servfail; patterns: the policy's mx patterns when it is usable.
        ns: the NS hosts published for the domain (None: none; the NS lookup then fails or is
        empty, or is not made: a scanner asks NS only for domains with a record).
        """
        f = list(findings)
        rows, probed = [], status in PROBED_STATUSES
        # issue 17: from the names alone, for a usable policy and a published MX set
        if status == "valid" and mode in ("testing", "enforce") and mx_lookup == "ok" and mx and \
                provider_migrated(patterns, [host for _, host, _ in mx], domain):
            f.append("mx-provider-migrated")
        results = []
        if mx_lookup == "servfail":
            mx_status, f = "dns-error", f + ["mx-dns-error"]
        elif mx_lookup == "null":
            mx_status, f = "null-mx", f + ["mx-null"]
        else:
            if mx is None:                       # implicit MX: the domain itself, preference 0
                mx, f = [(0, domain, self.mx_hosts.get(domain, "provider"))], f + ["mx-implicit"]
            for pref, host, cls in sorted(mx, key=lambda m: (m[0], m[1])):
                res = None
                if probed:
                    res, extra, _ = MX_CLASSES[cls]
                    f += extra
                    if status == "valid" and mode in ("testing", "enforce") and \
                            not any(pattern_matches(p, host) for p in patterns or []):
                        if res != "pass":               # every cause still appears as a finding
                            f.append(RESULT_FINDING[res])
                        res = "pattern-mismatch"
                    if res != "pass":
                        f.append(RESULT_FINDING[res])
                    results.append(res)
                rows.append({"host": host, "preference": pref, "result": res})
            if not probed:
                mx_status = "not-probed"
            elif all(r == "pass" for r in results):
                mx_status = "all-pass"
            elif any(r == "pass" for r in results):
                mx_status = "partial"
            else:
                mx_status = "none-pass"
        if status == "valid" and mx_status == "none-pass":
            f += {"enforce": ["enforce-blocks-all-mx"], "testing": ["testing-would-fail"]}.get(mode, [])
        dane = self.dane_truth(rows, mx_lookup, probed, status, mode)
        if dane and dane["partial"]:
            f.append("dane-partial")
        if status == "valid" and tlsrpt == "absent":
            f.append("tlsrpt-missing")
        if tlsrpt in ("invalid", "multiple"):
            f.append("tlsrpt-" + tlsrpt)
        return {"input": input, "domain": domain, "kind": kind, "status": status,
                "mode": mode if status == "valid" else None, "mx_status": mx_status, "mx": rows,
                "findings": sorted(set(f)), "tlsrpt": tlsrpt, "ns": ns,
                "dane": dane and {k: dane[k] for k in ("status", "delivery", "hosts")}}

    def dane_truth(self, rows, mx_lookup, probed, status, mode):
        """The DANE result (RFC 7672) of each probed MX host, the domain's DANE status and what a
        sender doing DANE and MTA-STS would do (RFC 8461 §2), from the classes the world gave the
        hosts; nothing here asks mtasts.  None when the hosts are not probed."""
        if not probed or mx_lookup != "ok":
            return None
        hosts, secure, delivery = {}, set(), {}
        sts = mode if status == "valid" and mode in ("enforce", "testing") else None
        for m in rows:
            cls = self.mx_hosts.get(m["host"], "provider")
            if cls in NO_ADDRESS_CLASSES:
                hosts[m["host"]] = "unjudged"
            elif cls in DANE_CLASSES:
                hosts[m["host"]] = DANE_CLASSES[cls][1]
                if DANE_CLASSES[cls][2]:
                    secure.add(m["host"])
            else:
                hosts[m["host"]] = "not-applicable"
            h, res = hosts[m["host"]], m["result"]
            if h == "authenticated":
                delivery[m["host"]] = "authenticated"
            elif h == "unusable":
                delivery[m["host"]] = "unauthenticated"
            elif h in ("mismatch", "no-tls", "lookup-failed"):
                delivery[m["host"]] = "defer"
            elif res in ("unreachable", "dns-error"):
                delivery[m["host"]] = "defer"
            elif sts == "enforce":
                delivery[m["host"]] = "authenticated" if res == "pass" else "defer"
            elif sts == "testing":
                delivery[m["host"]] = "authenticated" if res == "pass" else "unauthenticated"
            else:
                delivery[m["host"]] = "unauthenticated"
        statuses = set(hosts.values())
        without = [x for x, s in hosts.items() if s == "not-applicable"]
        partial = bool(secure) and bool(without)
        if statuses <= {"unjudged"}:
            st = "not-probed"
        elif not secure:
            st = "none"
        elif statuses & {"mismatch", "no-tls"}:
            st = "mismatch"
        elif "lookup-failed" in statuses:
            st = "lookup-failed"
        elif "unusable" in statuses:
            st = "unusable"
        elif without:
            st = "partial"
        else:
            st = "all-authenticated"
        d = set(delivery.values())
        dom = (None if not d else "defer" if d == {"defer"} else "partly-deferred" if "defer" in d else
               "authenticated" if d == {"authenticated"} else "unauthenticated")
        return {"status": st, "delivery": dom, "hosts": hosts, "partial": partial}

    @staticmethod
    def dumps(row):
        return json.dumps(row, sort_keys=True, separators=(",", ":"))
