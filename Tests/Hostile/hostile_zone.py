"""The hostile world's names, addresses and misbehaviours, built from one config (stdlib only).

Shared by hostile_dns.py (what it answers), hostile_servers.py (which policy it serves, where
its canaries listen) and run.py (the scan inputs, the exclusion list, the certificate's names).
Names are tuples of raw label bytes, so that a label may hold a '.', '@', '/' or ':' byte: legal
on the wire, and exactly what a hostile zone can send a scanner.

Address plan (NET is HOSTILE_NET, default 127.77):
  NET.0.1            the DNS server (UDP and TCP, port dns_port)
  NET.0.10           honest HTTPS (https_port: the policies) and honest SMTP with STARTTLS (smtp_port)
  NET.0.30,32,33     SMTP tarpits that accept and never greet
  NET.0.31           SMTP tarpit that greets with continuation lines, one byte a second
  NET.0.40           HTTPS with room for few connections at once, the rest held unanswered
  NET.0.64/28        EXCLUDED (the scan's --exclude): canaries on .66-.71 record any connection
  NET.0.80           canary, NOT excluded: the address the hostile names' own A records give
  NET.0.81           nothing listens (the A record of the IP-literal-looking MX name)
  NET.0.10 port 5797 and 127.0.0.1 port 5799: canaries on ports a name can smuggle into a URL
"""

TXT, A, AAAA, CNAME, MX = 16, 1, 28, 5, 15
STS = b"v=STSv1; id=1"
ZONE = "hostile.test"


def name(text):
    """'a.b.test' -> (b'a', b'b', b'test'); lower case, no final dot."""
    return tuple(l.encode() for l in text.lower().rstrip(".").split("."))


def text(n):
    return ".".join(l.decode("latin-1") for l in n)


class Zone:
    def __init__(self, cfg):
        self.cfg = cfg
        net = cfg["net"]
        self.addr = lambda last: "%s.%s" % (net, last)
        self.rr = {}          # name -> {type: [rdata spec]}
        self.cname = {}       # name -> target name
        self.behaviour = {}   # (name, type) -> 'tc-close' | 'tc-empty' | 'drop' | 'tcp-slow'
        self.policies = {}    # policy host (text) -> domain (text): what the HTTPS servers serve
        self.inputs = {}      # group -> [domain text]
        self.build()

    # -- helpers ------------------------------------------------------------------------------
    def add(self, n, t, data):
        if isinstance(n, str):
            n = name(n)
        self.rr.setdefault(n, {}).setdefault(t, []).append(data)

    def sts_domain(self, d, group, mx=None, policy_at="0.10", txt=None):
        """A domain with a valid STS record, a policy host at `policy_at`, and MX hosts."""
        self.add("_mta-sts." + d, TXT, txt or [STS])
        self.add("mta-sts." + d, A, self.addr(policy_at))
        self.policies["mta-sts." + d] = d
        for pref, target in (mx if mx is not None else [(10, name("mx." + ZONE))]):
            self.add(d, MX, (pref, target))
        self.inputs.setdefault(group, []).append(d)

    # -- the world ----------------------------------------------------------------------------
    def build(self):
        z = ZONE
        self.add("mx." + z, A, self.addr("0.10"))
        smtp = self.cfg["smtp_port"]

        # Plain good domains, answered over UDP; and one true no-record domain.
        for d in ("good-a", "good-b", "good-c"):
            self.sts_domain("%s.%s" % (d, z), "dns")
        self.add("norecord." + z, MX, (10, name("mx." + z)))
        self.inputs["dns"].append("norecord." + z)
        # Good domains whose STS answer is too big for UDP (a 1500-byte unrelated TXT record
        # beside it; mtasts asks with EDNS 1232): they come over TCP, slowly, so that they are
        # in flight on the same TCP connection when the tc-close answer below closes it
        # (issue 14, item 5).
        for i in range(1, 13):
            d = "tcgood-%02d.%s" % (i, z)
            self.sts_domain(d, "dns", txt=[STS])
            self.add("_mta-sts." + d, TXT, [b"filler=" + b"x" * 243] + [b"y" * 250] * 5)
            self.behaviour[(name("_mta-sts." + d), TXT)] = "tcp-slow"

        # Item 5: answers that must be dns-error, not no-record.
        d = "cname-loop." + z
        self.cname[name("_mta-sts." + d)] = name("_mta-sts.loop-b." + z)
        self.cname[name("_mta-sts.loop-b." + z)] = name("_mta-sts." + d)
        self.add(d, MX, (10, name("mx." + z)))
        self.inputs["dns"].append(d)
        d = "cname-long." + z
        prev = name("_mta-sts." + d)
        for hop in range(1, 21):      # 20 CNAMEs, the last target holding a valid STS record
            nxt = name("hop%02d.chain.%s" % (hop, z))
            self.cname[prev] = nxt
            prev = nxt
        self.add(prev, TXT, [STS])
        self.add("mta-sts." + d, A, self.addr("0.10"))
        self.policies["mta-sts." + d] = d
        self.add(d, MX, (10, name("mx." + z)))
        self.inputs["dns"].append(d)
        for kind in ("tc-close", "tc-empty"):
            d = "%s.%s" % (kind, z)
            self.sts_domain(d, "dns")
            self.behaviour[(name("_mta-sts." + d), TXT)] = kind
        # Item 4: a name whose every query is dropped (the deadline case).
        d = "silent." + z
        self.inputs["dns"].append(d)
        for t in (TXT, MX, A, AAAA):
            self.behaviour[(name(d), t)] = "drop"
            self.behaviour[(name("_mta-sts." + d), t)] = "drop"
            self.behaviour[(name("_smtp._tls." + d), t)] = "drop"
            self.behaviour[(name("mta-sts." + d), t)] = "drop"

        # Issue 19 follow-up: a host whose A lookup SERVFAILs while AAAA says NODATA (as unbound
        # did under load) has an unknown address, not none: the policy host's (a DNS error of
        # the fetch, never policy-host-no-address's "no address") and an MX host's (mx-dns-error,
        # never mx-unreachable). Both names exist (an A record), so AAAA is a true NODATA.
        d = "phservfail." + z
        self.sts_domain(d, "dns")
        self.behaviour[(name("mta-sts." + d), A)] = "servfail"
        d = "mxservfail." + z
        self.sts_domain(d, "dns", mx=[(10, name("mx." + d))])
        self.add("mx." + d, A, self.addr("0.10"))
        self.behaviour[(name("mx." + d), A)] = "servfail"

        # Item 1: MX targets that are legal DNS names but not host names. Each would make a
        # URL built from it reach its own canary (see the module doc); their A records point
        # at the NET.0.80 canary.
        lure = self.addr("0.80")
        net = self.cfg["net"].encode()
        hostile = {
            "mx-at":     (b"u@" + net.split(b".")[0],) + tuple(net.split(b".")[1:]) + (b"0", b"66"),
            "mx-slash":  tuple(net.split(b".")) + (b"0", b"67/x"),
            "mx-colon":  tuple(net.split(b".")) + (b"0", b"10:5797/"),
            "mx-colon-lo": (b"127", b"0", b"0", b"1:5799/"),
            "mx-dot":    (net + b".0.68",),                   # one label holding dots
            "mx-iplit":  tuple(net.split(b".")) + (b"0", b"69"),  # looks like an IP literal
        }
        for case, target in hostile.items():
            d = "%s.%s" % (case, z)
            self.sts_domain(d, "dns", mx=[(10, target)])
            self.add(target, A, self.addr("0.81") if case == "mx-iplit" else lure)
        # The policy host is a CNAME to a hostile name (with an A record at the canary).
        d = "pcname." + z
        self.add("_mta-sts." + d, TXT, [STS])
        self.cname[name("mta-sts." + d)] = (b"u@" + net.split(b".")[0],) + tuple(net.split(b".")[1:]) + (b"0", b"70")
        self.add(self.cname[name("mta-sts." + d)], A, lure)
        self.policies["mta-sts." + d] = d
        self.add(d, MX, (10, name("mx." + z)))
        self.inputs["dns"].append(d)

        # An MX target that is a good name, but whose address answer is a CNAME to a hostile
        # name (with an A record at the canary): CNAME targets are names from an answer too.
        d = "mxcname." + z
        self.sts_domain(d, "dns", mx=[(10, name("mx." + d))])
        cn = (b"u@" + net.split(b".")[0],) + tuple(net.split(b".")[1:]) + (b"0", b"71")
        self.cname[name("mx." + d)] = cn
        self.add(cn, A, lure)

        # Item 4: many MX hosts on one tarpit address each.
        for d, n, at in (("many", 100, "0.30"), ("trickle", 30, "0.31")):
            dom = "%s.%s" % (d, z)
            mx = []
            for i in range(1, n + 1):
                h = name("mx%03d.%s" % (i, dom))
                mx.append((10 + i, h))
                self.add(h, A, self.addr(at))
            self.sts_domain(dom, "tarpit", mx=mx)
        # The Ctrl-C group: three 100-MX tarpit domains (one tarpit address each) and good ones.
        for k, at in ((1, "0.30"), (2, "0.32"), (3, "0.33")):
            dom = "sigint-many%d.%s" % (k, z)
            mx = []
            for i in range(1, 101):
                h = name("mx%03d.%s" % (i, dom))
                mx.append((10 + i, h))
                self.add(h, A, self.addr(at))
            self.sts_domain(dom, "sigint", mx=mx)
        for i in range(1, 11):
            self.sts_domain("sigint-good%02d.%s" % (i, z), "sigint")

        # Item 6: many policy hosts on one address, served by a server with little room.
        for i in range(1, self.cfg["polite_n"] + 1):
            self.sts_domain("p%04d.pol.%s" % (i, z), "polite", policy_at="0.40")

    def policy_hosts(self):
        return sorted(self.policies)
