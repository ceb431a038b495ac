"""Every kind of domain the world knows, and what a scan with default flags must say about it.

A kind is a function of the domain name returning options for `build()`: the DNS records, the
policy host, the MX set, and the intended status and findings.  `build()` writes the records
into the World and returns the truth row.  Derived findings (mx-*, enforce-blocks-all-mx,
testing-would-fail, tlsrpt-*, mx-implicit, mx-null) are added by World.truth().
"""
import hashlib

from world_model import (HTTPS_REFUSED_IP, HTTPS_TARPIT, NGINX_IPS, NGINX_TLS10_IP, PROVIDERS,
                         WEB_IP, provider_mx, sid, txt_rdata)

CRLF = "\r\n"


def h(d, mod):
    return int(hashlib.sha256(d.encode()).hexdigest()[:8], 16) % mod


def body(lines, eol=CRLF, final=True):
    return (eol.join(lines) + (eol if final else "")).encode("utf-8")


def lines(mode="enforce", pats=(), max_age="604800"):
    return ["version: STSv1", "mode: " + mode] + ["mx: " + p for p in pats] + ["max_age: " + max_age]


def label(d):
    return d.split(".")[0]


def build(w, d, kind, inp, *, txt="default", phost="nginx", cert="good", cert_names=None,
          fault="", body_fn=None, mode="enforce", mx="provider", patterns=None, mx_lookup="ok",
          tlsrpt=None, status="valid", findings=(), apex=None, excluded=False, extra=(),
          id_epoch=None):
    """Write domain d's records into w and return its truth row (see module doc).

    id_epoch: the epoch whose policy id the record carries (default the world's).  Epoch 2
    keeps the epoch-1 id of every domain whose id it does not bump on purpose."""
    rr = w.rr
    if d.endswith(".dead.test"):          # below the dead delegation: no record can exist
        rr = lambda *a: None
    for owner, rtype, rdata in extra:
        rr(owner, rtype, rdata)
    ident = sid(d, id_epoch or w.epoch)
    # ---------------------------------------------------------------- _mta-sts TXT
    if txt == "default":
        txt = [["v=STSv1; id=" + ident]]
    if isinstance(txt, tuple):                 # ("cname", target)
        rr("_mta-sts." + d, "CNAME", txt[1] + ".")
    elif txt:
        for strings in txt:
            rr("_mta-sts." + d, "TXT", txt_rdata(*[s.replace("ID", ident) for s in strings]))
    # ---------------------------------------------------------------- MX set
    if mx == "provider":
        mx = [(p, host, "provider") for p, host in provider_mx(w.pick_provider(d))]
    if mx_lookup == "null":
        rr(d, "MX", "0 .")
        mx = []
    elif mx_lookup == "servfail":                # the apex is an alias into the dead zone
        rr(d, "CNAME", "%s.dead.test." % label(d))
        mx = []
    elif mx:
        for pref, host, cls in mx:
            rr(d, "MX", "%d %s." % (pref, host))
            w.mx_host(host, cls)
    if apex:                                     # apex address: implicit MX host or web site
        w.mx_host(d, apex) if apex != "web" else rr(d, "A", WEB_IP)
    if patterns is None:
        # implicit MX: the domain itself; null MX or a failed MX lookup: the policy still
        # names an MX (a policy of mode testing/enforce without any mx line would be invalid)
        patterns = [host for _, host, _ in (mx or [])] or ([d] if mx is None else ["mx." + d])
    # ---------------------------------------------------------------- policy host
    ph = "mta-sts." + d
    if phost == "nginx" or (isinstance(phost, tuple) and phost[0] in ("ip", "cname", "aaaa")):
        b = body_fn(patterns) if body_fn else body(lines(mode, patterns))
        ip = None
        if isinstance(phost, tuple):
            if phost[0] == "cname":
                rr(ph, "CNAME", phost[1] + ".")
                ip = False
            elif phost[0] == "aaaa":
                rr(ph, "AAAA", "::1")
                ip = False
            else:
                ip = phost[1]
        w.policy_host(ph, cert=cert, body=b, fault=fault, names=cert_names, ip=ip)
    elif phost == "nodata":
        rr(ph, "TXT", txt_rdata("this name has no address"))
    # ---------------------------------------------------------------- TLS-RPT
    if tlsrpt is None:
        tlsrpt = w.default_tlsrpt(d, txt is not None and status != "no-record")
    rua = "v=TLSRPTv1; rua=mailto:tlsrpt@" + d
    t = "_smtp._tls." + d
    if tlsrpt == "valid":
        rr(t, "TXT", txt_rdata(rua))
    elif tlsrpt == "multiple":
        rr(t, "TXT", txt_rdata(rua))
        rr(t, "TXT", txt_rdata("v=TLSRPTv1; rua=https://tlsrpt.provider1.example/v1"))
    elif tlsrpt in ("invalid", "invalid-bang"):
        rr(t, "TXT", txt_rdata("v=TLSRPTv1;" if tlsrpt == "invalid" else rua + "!10m"))
        tlsrpt = "invalid"
    elif tlsrpt == "other-version":             # not a TLS-RPT record: absent
        rr(t, "TXT", txt_rdata("v=TLSRPTv2; rua=mailto:tlsrpt@" + d))
        tlsrpt = "absent"
    elif tlsrpt == "dns-error":
        rr(t, "CNAME", "rpt.%s.dead.test." % label(d))
    if excluded:
        w.exclude.append(d)
        return {"input": inp, "domain": d, "kind": kind, "status": "excluded", "mode": None,
                "mx_status": "not-probed", "mx": [], "findings": [], "tlsrpt": None}
    # queries a scanner sends for this domain (dnsperf mix)
    q = w.queries
    q += ["_mta-sts.%s TXT" % d, "%s MX" % d, "_smtp._tls.%s TXT" % d]
    ns = None
    if status not in ("dns-error", "no-record"):
        q += ["mta-sts.%s A" % d, "mta-sts.%s AAAA" % d]
        # With a record the scanner asks the NS set too (the DNS-operator axis). A domain whose
        # apex is an alias into the dead zone has none: its NS lookup fails.
        q.append("%s NS" % d)
        if mx_lookup != "servfail":
            ns = w.publish_ns(d)
        for _, host, _ in mx or []:
            # The scanner looks an MX host up once per scan (ProbeCache.lookups), however many
            # domains name it (its failed lookups again, but those hosts are few).
            if host not in w.hosts_asked:
                w.hosts_asked.add(host)
                q += ["%s A" % host, "%s AAAA" % host, "_25._tcp.%s TLSA" % host]
    return w.truth(input=inp, domain=d, kind=kind, status=status, mode=mode,
                   mx=mx if mx_lookup == "ok" else None, patterns=patterns, mx_lookup=mx_lookup,
                   findings=findings, tlsrpt=tlsrpt, ns=ns)


def own(d, cls, name="mx"):
    return [(10, "%s.%s" % (name, d), cls)]


def mxk(cls, **kw):
    """A kind whose single own MX host is of class cls (enforce, exact pattern)."""
    return lambda d: dict(mx=own(d, cls), **kw)


def pol_err(finding, **kw):
    return lambda d: dict(status="policy-fetch-error", findings=[finding], **kw)


def webpki(finding, **kw):
    return lambda d: dict(status="policy-webpki-invalid", findings=[finding], **kw)


def bad_body(finding, fn):
    return lambda d: dict(status="policy-invalid", findings=[finding], body_fn=fn)


def ok_body(finding, fn, mode="enforce"):
    return lambda d: dict(findings=[finding] if finding else [], body_fn=fn, mode=mode)


def rec_inv(finding, *records):
    return lambda d: dict(status="record-invalid", findings=[finding], txt=[list(r) for r in records])


def txt_ok(finding, *records):
    return lambda d: dict(findings=[finding] if finding else [], txt=[list(r) for r in records])


def no_rec(**kw):
    return lambda d: dict(status="no-record", phost=None, **kw)


def padded(n):
    """A valid policy of exactly n bytes (CRLF), padded with an unknown key."""
    def fn(pats):
        head = body(lines("enforce", pats))
        pad = n - len(head) - len(b"x_padding: " + CRLF.encode())
        return head + b"x_padding: " + b"a" * pad + CRLF.encode()
    return fn


# Special kinds: each appears `special` times in the test profile (name -> options(d)).
SPECIAL = {
    # ---- input handling (rows are made by gen_world: these only shape the world)
    "case-variant": lambda d: {},
    "excluded": lambda d: dict(excluded=True),
    # ---- DNS failures
    "sts-servfail-deleg": lambda d: dict(status="dns-error", txt=None, phost=None, mx=None,
                                         mx_lookup="servfail", tlsrpt="dns-error"),
    "sts-servfail-cname": lambda d: dict(status="dns-error", txt=("cname", "sts.%s.dead.test" % label(d))),
    "nxdomain": no_rec(txt=None, mx=None, tlsrpt="absent"),
    # ---- TXT that is no STS record -> no-record
    # _mta-sts exists as an empty non-terminal: NOERROR without data (NODATA)
    "txt-nodata": lambda d: dict(status="no-record", phost=None, txt=None,
                                 extra=[("x._mta-sts." + d, "TXT", '"below an empty non-terminal"')]),
    "txt-other-only": no_rec(txt=[["v=spf1 -all"]]),
    "txt-stsv12": no_rec(txt=[["v=STSv12; id=ID"]]),
    "txt-stsv1-suffix": no_rec(txt=[["v=STSv1-x; id=ID"]]),
    "txt-lowercase": no_rec(txt=[["v=stsv1; id=ID"]]),
    "txt-dangling-cname": no_rec(txt=("cname", "_mta-sts.gone.example")),
    # ---- invalid STS records -> record-invalid (MX probed, TLS checks only)
    "txt-multiple": rec_inv("txt-multiple-sts-records", ["v=STSv1; id=ID"], ["v=STSv1; id=other1"]),
    "txt-syntax-bare-field": rec_inv("txt-syntax-error", ["v=STSv1; id=ID; foo"]),
    "txt-syntax-double-semicolon": rec_inv("txt-syntax-error", ["v=STSv1; id=ID;;"]),
    "txt-missing-id": rec_inv("txt-missing-id", ["v=STSv1;"]),
    "txt-version-only": rec_inv("txt-missing-id", ["v=STSv1"]),
    "txt-invalid-id": rec_inv("txt-invalid-id", ["v=STSv1; id=2024-01-01"]),
    "txt-id-too-long": rec_inv("txt-invalid-id", ["v=STSv1; id=" + "a1" * 16 + "x"]),
    "txt-not-ascii": rec_inv("txt-not-ascii", ["v=STSv1; id=ID; note=caf\u00e9"]),
    "record-invalid-mx-fail": lambda d: dict(status="record-invalid", mx=own(d, "expired"),
                                             findings=["txt-multiple-sts-records"],
                                             txt=[["v=STSv1; id=ID"], ["v=STSv1; id=other2"]]),
    # ---- valid STS records with something to note
    "txt-space-semicolon": txt_ok("txt-space-before-semicolon", ["v=STSv1 ; id=ID"]),
    "txt-unknown-field": txt_ok("txt-unknown-field", ["v=STSv1; id=ID; ext=1"]),
    "txt-multi-string": txt_ok("txt-multi-string", ["v=STSv1; ", "id=ID;"]),
    "txt-split-token": txt_ok("txt-multi-string", ["v=STS", "v1; id=ID"]),
    "txt-with-others": txt_ok(None, ["v=spf1 -all"], ["v=STSv1; id=ID"], ["site-verification=abc123"]),
    "txt-big-tcp": txt_ok(None, ["v=STSv1; id=ID"],
                          *[["filler-%02d-" % i + "x" * 240] for i in range(18)]),
    "txt-cname": lambda d: dict(findings=["txt-cname"], txt=("cname", "_mta-sts.provider1.example")),
    "txt-cname-chain": lambda d: dict(findings=["txt-cname"], txt=("cname", "sts-hop." + d),
                                      extra=[("sts-hop." + d, "CNAME", "_mta-sts.provider2.example.")]),
    # ---- TLS-RPT
    "tlsrpt-absent": lambda d: dict(tlsrpt="absent"),
    "tlsrpt-other-version": lambda d: dict(tlsrpt="other-version"),
    "tlsrpt-invalid-norua": lambda d: dict(tlsrpt="invalid"),
    "tlsrpt-invalid-bang": lambda d: dict(tlsrpt="invalid-bang"),
    "tlsrpt-multiple": lambda d: dict(tlsrpt="multiple"),
    "tlsrpt-servfail": lambda d: dict(tlsrpt="dns-error"),
    # ---- policy host and fetch -> policy-fetch-error
    "policy-host-nxdomain": pol_err("policy-host-nxdomain", phost=None),
    "policy-host-nodata": pol_err("policy-host-no-address", phost="nodata"),
    "policy-host-cname-dangling": pol_err("policy-host-nxdomain", phost=("cname", "mta-sts.gone.example")),
    "policy-refused": pol_err("policy-connect-failed", phost=("ip", HTTPS_REFUSED_IP)),
    "policy-silent": pol_err("policy-timeout", phost=("ip", HTTPS_TARPIT["silent"])),
    "policy-trickle": pol_err("policy-timeout", fault="trickle",
                              body_fn=lambda p: body(lines("enforce", p) + ["x_pad: " + "a" * 2000])),
    "policy-endless": pol_err("policy-too-large", phost=("ip", HTTPS_TARPIT["endless"])),
    "policy-404": pol_err("policy-http-status", fault="notfound"),
    "policy-500": pol_err("policy-http-status", fault="error500"),
    "policy-301": pol_err("policy-redirect", fault="redirect301"),
    "policy-302": pol_err("policy-redirect", fault="redirect302"),
    "policy-too-large-70k": pol_err("policy-too-large", body_fn=padded(70000)),
    "policy-size-65537": pol_err("policy-too-large", body_fn=padded(65537)),
    "policy-size-65536": ok_body("policy-unknown-key", padded(65536)),
    "fetch-error-mx-partial": lambda d: dict(status="policy-fetch-error", fault="notfound",
                                             findings=["policy-http-status"],
                                             mx=[(10, "mx1." + d, "good"), (20, "mx2." + d, "nostarttls")]),
    # ---- policy host PKI/TLS -> policy-webpki-invalid
    "policy-expired": webpki("policy-cert-expired", cert="expired"),
    "policy-notyet": webpki("policy-cert-expired", cert="notyet"),
    "policy-wrong-name": webpki("policy-cert-host-mismatch", cert="wrongname"),
    "policy-cn-only": webpki("policy-cert-host-mismatch", cert="cnonly"),
    "policy-untrusted": webpki("policy-cert-not-trusted", cert="untrusted"),
    "policy-self-signed": webpki("policy-cert-not-trusted", cert="selfsigned"),
    "policy-missing-intermediate": webpki("policy-cert-not-trusted", cert="missing-inter"),
    "policy-tls10": webpki("policy-tls-version-too-old", phost=("ip", NGINX_TLS10_IP)),
    "policy-tls-close": webpki("policy-tls-handshake-failed", phost=("ip", HTTPS_TARPIT["close"])),
    "policy-tls-garbage": webpki("policy-tls-handshake-failed", phost=("ip", HTTPS_TARPIT["garbage"])),
    "policy-with-intermediate": lambda d: dict(cert="inter"),
    "policy-wildcard-cert": lambda d: dict(cert_names=["*." + d]),
    "policy-host-cname": lambda d: dict(phost=("cname", "mta-sts.provider2.example")),
    "policy-host-aaaa-only": lambda d: dict(phost=("aaaa",)),
    # ---- media type
    "policy-html": lambda d: dict(status="policy-invalid", fault="html", findings=["policy-content-type"]),
    "policy-utf8": lambda d: dict(fault="utf8"),
    # ---- policy body errors -> policy-invalid
    "body-empty": bad_body("policy-empty", lambda p: b""),
    "body-bom": bad_body("policy-bom", lambda p: b"\xef\xbb\xbf" + body(lines("enforce", p))),
    "body-bare-cr": bad_body("policy-bare-cr", lambda p: body(lines("enforce", p), eol="\r")),
    "body-leading-ws": bad_body("policy-leading-whitespace",
                                lambda p: body([" " + x if x.startswith("mode") else x for x in lines("enforce", p)])),
    "body-malformed": bad_body("policy-malformed-line", lambda p: body(lines("enforce", p) + ["this line has no colon"])),
    "body-no-version": bad_body("policy-missing-version", lambda p: body(lines("enforce", p)[1:])),
    "body-bad-version": bad_body("policy-invalid-version",
                                 lambda p: body(["version: STSv2"] + lines("enforce", p)[1:])),
    "body-no-mode": bad_body("policy-missing-mode", lambda p: body([x for x in lines("enforce", p) if not x.startswith("mode")])),
    "body-mode-capital": bad_body("policy-invalid-mode", lambda p: body(lines("Enforce", p))),
    "body-mode-report": bad_body("policy-invalid-mode", lambda p: body(lines("report", p))),
    "body-no-max-age": bad_body("policy-missing-max-age", lambda p: body(lines("enforce", p)[:-1])),
    "body-max-age-units": bad_body("policy-invalid-max-age", lambda p: body(lines("enforce", p, "1d"))),
    # above the prose's maximum 31557600 (the ABNF allows 10 digits): an invalid field
    "body-max-age-too-large": bad_body("policy-max-age-too-large", lambda p: body(lines("enforce", p, "40000000"))),
    "body-max-age-11-digits": bad_body("policy-invalid-max-age", lambda p: body(lines("enforce", p, "10000000000"))),
    "body-no-mx-enforce": bad_body("policy-missing-mx", lambda p: body(lines("enforce", []))),
    "body-no-mx-testing": lambda d: dict(status="policy-invalid", findings=["policy-missing-mx"],
                                         mode="testing", body_fn=lambda p: body(lines("testing", []))),
    "body-mx-double-wildcard": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", ["*.*.provider1.example"]))),
    "body-mx-partial-wildcard": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", ["mx*.provider1.example"]))),
    "body-mx-star": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", ["*"]))),
    "body-mx-ip": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", ["127.0.2.1"]))),
    "body-mx-port": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", [p[0] + ":25"] + p[1:]))),
    "body-mx-two-hosts": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", [" ".join(p)]))),
    "body-mx-trailing-dot": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", [x + "." for x in p]))),
    "body-mx-one-bad": bad_body("policy-invalid-mx-pattern", lambda p: body(lines("enforce", p + ["*.*.bad.example"]))),
    "policy-invalid-mx-fail": lambda d: dict(status="policy-invalid", findings=["policy-invalid-mode"],
                                             mx=own(d, "nostarttls"), body_fn=lambda p: body(lines("Enforce", p))),
    # ---- policy bodies that are still valid
    "body-lf": ok_body("policy-lf-line-endings", lambda p: body(lines("enforce", p), eol="\n")),
    "body-mixed-eol": ok_body("policy-mixed-line-endings",
                              lambda p: "".join(x + ("\n" if i % 2 else CRLF) for i, x in enumerate(lines("enforce", p))).encode()),
    "body-blank-line": ok_body("policy-blank-line", lambda p: body(lines("enforce", p)[:2] + [""] + lines("enforce", p)[2:])),
    "body-max-age-short": ok_body("policy-max-age-short", lambda p: body(lines("enforce", p, "3600"))),
    "body-none-no-mx": ok_body(None, lambda p: body(lines("none", [])), mode="none"),
    "body-dup-key": ok_body("policy-duplicate-key", lambda p: body(lines("enforce", p) + ["mode: testing"])),
    "body-unknown-key": ok_body("policy-unknown-key", lambda p: body(lines("enforce", p) + ["comment: hello"])),
    "body-version-not-first": ok_body("policy-version-not-first", lambda p: body(lines("enforce", p)[1:] + ["version: STSv1"])),
    # provider MX mx1/mx2.providerN.example published as "*.providerN.example": both match
    "body-wildcard-mx": ok_body("policy-wildcard-mx",
                                lambda p: body(lines("enforce", sorted({"*." + x.split(".", 1)[1] for x in p})))),
    "body-trailing-ws": ok_body(None, lambda p: body([x + " \t" for x in lines("enforce", p)])),
    "body-no-final-eol": ok_body(None, lambda p: body(lines("enforce", p), final=False)),
    "body-testing": ok_body(None, lambda p: body(lines("testing", p)), mode="testing"),
    # ---- MX hosts (enforce, exact pattern unless said otherwise)
    "mx-own-pass": mxk("good"),
    "mx-with-intermediate": mxk("inter"),
    "mx-no-starttls": mxk("nostarttls"),
    "mx-wrong-name": mxk("wrongname"),
    "mx-cn-only": mxk("cnonly"),
    "mx-expired-wrong-name": mxk("expired-wrongname"),
    "mx-expired": mxk("expired"),
    "mx-notyet": mxk("notyet"),
    "mx-untrusted": mxk("untrusted"),
    "mx-self-signed": mxk("selfsigned"),
    "mx-missing-intermediate": mxk("missing-inter"),
    "mx-tls10": mxk("tls10"),
    "mx-tls-garbage": mxk("tls-garbage"),
    "mx-tls-close": mxk("tls-close"),
    "mx-no-address": mxk("noaddr"),
    "mx-nxdomain": lambda d: dict(mx=own(d, "nxdomain", "gone-mx")),
    "mx-refused": mxk("refused"),
    "mx-silent": mxk("silent"),
    "mx-421": mxk("greet421"),
    "mx-trickle": mxk("trickle"),
    "mx-host-servfail": lambda d: dict(mx=[(10, "mx.%s.dead.test" % label(d), "servfail")]),
    "mx-one-addr-refused": mxk("dead-addr"),
    "mx-one-addr-silent": mxk("silent-addr"),
    "mx-sni-dependent": mxk("sni"),
    "mx-dane": mxk("dane"),
    # DANE (RFC 7672): records that match (usages 2 and 3, selectors 0 and 1, matching types 0, 1
    # and 2), that do not, that are unusable, that are not signed, a host without STARTTLS, and
    # one MX host with DANE beside one without (world_model.DANE_CLASSES has the records)
    "dane-ee-spki-full": mxk("dane-ee-full"),
    "dane-ee-spki-sha512": mxk("dane-ee-512"),
    "dane-ta-cert-sha256": mxk("dane-ta-cert"),
    "dane-ta-cert-full": mxk("dane-ta-full"),
    "dane-ta-spki-sha512": mxk("dane-ta-spki-512"),
    "dane-mismatch": mxk("dane-mismatch"),
    "dane-mismatch-testing": mxk("dane-mismatch", mode="testing"),
    "dane-ta-not-in-chain": mxk("dane-ta-absent"),
    "dane-unusable": mxk("dane-unusable"),
    "dane-no-starttls": mxk("dane-notls"),
    "dane-tlsa-bogus": mxk("dane-bogus"),
    "dane-ta-forged-leaf": mxk("dane-ta-forged"),
    "dane-ta-key-not-in-chain": mxk("dane-ta-key-absent"),
    "dane-unsigned": lambda d: dict(mx=[(10, "mx-%s.unsigned.example" % d.replace(".", "-"), "dane-unsigned")]),
    "dane-partial": lambda d: dict(mx=[(10, "mx1." + d, "dane"), (20, "mx2." + d, "good")]),
    "mx-partial": lambda d: dict(mx=[(10, "mx1." + d, "good"), (20, "mx2." + d, "expired")]),
    "mx-many": lambda d: dict(mx=[(10, "mx1." + d, "good"), (20, "mx2." + d, "refused"),
                                  (30, "mx3." + d, "good")]),
    "mx-testing-fail": mxk("nostarttls", mode="testing"),
    "mx-none-mode-fail": mxk("expired", mode="none"),
    "mx-pattern-mismatch": lambda d: dict(mx=own(d, "good"), patterns=["other." + d]),
    "mx-mismatch-no-starttls": lambda d: dict(mx=own(d, "nostarttls"), patterns=["other." + d]),
    "mx-mismatch-none-mode": lambda d: dict(mx=own(d, "good"), patterns=["other." + d], mode="none"),
    "mx-mismatch-testing": lambda d: dict(mx=own(d, "good"), patterns=["other." + d], mode="testing"),
    "mx-wildcard-match": lambda d: dict(mx=own(d, "good", "mail"), patterns=["*." + d],
                                        findings=["policy-wildcard-mx"]),
    "mx-wildcard-depth": lambda d: dict(mx=own(d, "good", "a.b"), patterns=["*." + d],
                                        findings=["policy-wildcard-mx"]),
    "mx-wildcard-apex": lambda d: dict(mx=[(10, d, "good")], patterns=["*." + d],
                                       findings=["policy-wildcard-mx"]),
    "mx-pattern-case": lambda d: dict(mx=own(d, "good"), patterns=["MX." + d.upper()]),
    "mx-null-sts": lambda d: dict(mx_lookup="null"),
    "mx-null-nosts": no_rec(txt=None, mx_lookup="null"),
    "mx-implicit-sts": lambda d: dict(mx=None, apex="good"),
    "mx-implicit-nosts": no_rec(txt=None, mx=None, apex="web"),
    "mx-lookup-servfail-sts": lambda d: dict(mx_lookup="servfail"),
    "mx-lookup-servfail-nosts": no_rec(txt=None, mx_lookup="servfail"),
    # ---- issue 17: provider migration. The policy still names the old provider's wildcard
    # (as `*.mail.protection.outlook.com`); the MX host now lies two labels under another
    # provider's namespace (as `<tenant>.l-v1.mx.microsoft`), where even `*.mx.provider2.example`
    # would not reach it (RFC 8461 §4.1). The truth's finding comes from World.truth().
    "mx-provider-migrated": lambda d: dict(mx=[(10, "%s.l-v1.mx.provider2.example" % label(d), "good")],
                                           patterns=["*.mail.protection.provider1.example"],
                                           findings=["policy-wildcard-mx"]),
}

# Filler kinds: the bulk of the test profile, by weight.
FILLER = {
    "no-sts": (55, no_rec(txt=None)),
    "no-sts-own-mx": (5, lambda d: dict(status="no-record", phost=None, txt=None, mx=own(d, "good"))),
    "plain-enforce": (20, lambda d: {}),
    "plain-testing": (10, lambda d: dict(mode="testing")),
    "plain-none": (5, lambda d: dict(mode="none")),
    "plain-own-mx": (5, mxk("good")),
}

# Realistic profile: kind -> weight (per million).  Mostly no MTA-STS; about 1% with a record,
# as in a Tranco-style top list (published scans: 0.9% -> 1.75% over two years).  The kinds with
# a record had twice these weights (~1.9%) until issue 16; the difference went to no-sts.
REALISTIC = {
    "no-sts": 729540, "no-sts-bulk-mx": 100000, "no-mx-web": 150000, "nxdomain": 4000,
    "mx-null-nosts": 2500, "mx-lookup-servfail-nosts": 500, "txt-other-only": 2000,
    "plain-enforce": 3250, "plain-testing": 2250, "plain-none": 750, "plain-own-mx": 750,
    "body-lf": 750, "txt-multi-string": 150, "txt-cname": 150, "policy-host-cname": 150,
    "tlsrpt-absent": 600, "body-wildcard-mx": 150, "mx-partial": 75, "mx-testing-fail": 50,
    "policy-404": 75, "policy-expired": 30, "policy-wrong-name": 30, "policy-html": 30,
    "body-max-age-short": 30, "mx-no-starttls": 25, "mx-expired": 20, "mx-wrong-name": 20,
    "txt-missing-id": 25, "txt-multiple": 15, "policy-refused": 20, "policy-host-nxdomain": 75,
    "sts-servfail-cname": 10, "mx-pattern-mismatch": 30, "body-mixed-eol": 30,
}
REALISTIC_EXTRA = {
    "no-sts-bulk-mx": lambda d: dict(status="no-record", phost=None, txt=None, mx=own(d, "bulk")),
    "no-mx-web": no_rec(txt=None, mx=None, apex="web"),
}


def options(kind, d):
    f = SPECIAL.get(kind) or REALISTIC_EXTRA.get(kind) or FILLER[kind][1]
    return f(d)


def provider_records(w):
    """Provider zone content: MX hosts are added by the World; here the delegation targets."""
    rr = w.rr
    rr("_mta-sts.provider1.example", "TXT", txt_rdata("v=STSv1; id=provider1"))
    rr("_mta-sts.provider2.example", "TXT", txt_rdata("v=STSv1; id=provider2"))
    for p in PROVIDERS:
        rr("mta-sts." + p, "A", NGINX_IPS[PROVIDERS.index(p)])


# ---------------------------------------------------------------------------- epoch 2
# Epoch 2 is epoch 1 (same profile, n and seed) in which a few domains changed, as between two
# scans months apart.  change -> (the epoch-1 kind it is picked from, the epoch-2 options of
# domain d given w and its epoch-1 options o, the cross-scan findings (docs/VERDICTS.md) that
# must be reported for it).  Every other domain keeps its records, policy and id (id_epoch=1).
# TLS-RPT is kept as it was in epoch 1: only what the change names changes.
def _migrated_mx(w, d):
    """The next provider after the one the domain used in epoch 1."""
    p = PROVIDERS[(PROVIDERS.index(w.pick_provider(d)) + 1) % len(PROVIDERS)]
    return [(pref, host, "provider") for pref, host in provider_mx(p)]


CHANGES = {
    # no record -> a valid enforce policy (status, mx_status and record transitions)
    "adopt": ("no-sts", lambda w, d, o: dict(tlsrpt=w.default_tlsrpt(d, False), id_epoch=2), []),
    # mode testing -> enforce with a new id, as the RFC asks
    "testing-to-enforce": ("plain-testing", lambda w, d, o: dict(o, mode="enforce", id_epoch=2),
                           ["mode-changed"]),
    # max_age raised, id not bumped: senders that cached the old policy never refetch it
    "body-changed-id-same": ("plain-enforce", lambda w, d, o: dict(
        o, body_fn=lambda p: body(lines("enforce", p, "1209600"))), ["policy-changed-id-unchanged"]),
    # a new id for the same bytes
    "id-bumped-body-same": ("plain-enforce", lambda w, d, o: dict(o, id_epoch=2),
                            ["policy-id-changed-body-same"]),
    # MX moved to the next provider; the policy names the new hosts and has a new id
    "mx-migrated": ("plain-enforce", lambda w, d, o: dict(o, mx=_migrated_mx(w, d), id_epoch=2), []),
    # the _mta-sts record and the policy host are gone
    "record-removed": ("plain-enforce", lambda w, d, o: dict(
        status="no-record", phost=None, txt=None, tlsrpt=w.default_tlsrpt(d, True)), ["record-removed"]),
    # the policy host's certificate ran out: valid -> policy-webpki-invalid
    "policy-cert-expired": ("plain-enforce", lambda w, d, o: dict(
        o, status="policy-webpki-invalid", cert="expired", findings=["policy-cert-expired"]), []),
}
