#!/usr/bin/env python3
"""The Python peer of `make bench`: what a researcher without mtasts would write.

An asyncio scan loop around the PyPI package postfix-mta-sts-resolver (pinned in
requirements.txt). For every domain of a Tranco-style list (`rank,domain` lines; blank and `#`
lines skipped; a domain listed twice is scanned once, as mtasts does), with --concurrency
domains in flight (default 500):

  * the library's own STS resolver, `STSResolver.resolve(domain)`: the `_mta-sts` TXT lookup
    through aiodns/c-ares, the record checks, the HTTPS GET of
    https://mta-sts.<domain>/.well-known/mta-sts.txt through aiohttp and the policy checks.
    Its verdict is an `STSFetchResult` (NONE, VALID, FETCH_ERROR) and, for VALID, (id, policy);
  * beside it, through aiodns, the MX lookup and the `_smtp._tls` TXT lookup that mtasts's
    default scan also makes for every domain.

The peer does NO SMTP: mtasts's default probes the MX hosts (STARTTLS) of the domains that have
an STS record; the library has no such probe, so the peer leaves it out. In this benchmark's
realistic world about 2% of domains have a record, so the peer does a little less work than
mtasts; say so when quoting the ratio.

Output: one JSON line per domain on stdout (or --out), a summary on stderr.

The world (loopback DNS resolver on a non-53 port, a private CA, HTTPS on a non-443 port) is
reached through three hooks, each as small as the library allows and none changing its logic.
They are marked HOOK 1..3 below.
"""
import argparse
import asyncio
import json
import logging
import ssl
import sys
import time
from collections import Counter

import aiodns
import aiohttp
import aiohttp.resolver
import pycares

import postfix_mta_sts_resolver.resolver as sts_module
from postfix_mta_sts_resolver.resolver import STSResolver, STSFetchResult


def read_domains(path):
    """Tranco `rank,domain` lines (a bare `domain` too); blank and # lines skipped; each
    domain once. Names are lower-cased and lose a final dot; nothing else is validated: the
    library gets what the list says (an invalid name fails in c-ares and is reported)."""
    seen = set()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            name = s.split(",", 1)[1] if "," in s else s
            name = name.strip().lower().rstrip(".")
            if name in seen:
                continue
            seen.add(name)
            yield name


class WorldHTTPSResolver(aiohttp.resolver.AsyncResolver):
    """HOOK 2 (with HOOK 3): aiohttp's resolver for the policy host, pointed at the world.

    Why: the library fetches https://mta-sts.<domain>/... through an aiohttp.ClientSession with
    the default TCPConnector, whose default resolver (aiodns is installed) is exactly this
    class, AsyncResolver, on the system's resolv.conf, and whose port is 443. The world's
    names resolve only through the world's unbound, and its policy hosts listen on
    --https-port. So: the same AsyncResolver with the world's nameserver (c-ares's
    "ip:port" server syntax), and the port of every address it returns set to --https-port
    (the request stays https://mta-sts.<domain>/...: same Host header, same SNI, same
    certificate check; only the TCP port differs, as with mtasts's --https-port). The
    library's URL is built inline in resolve(), so there is no smaller place to change the
    port. One instance is shared by all sessions, as aiohttp's default shared resolver is.
    """

    def __init__(self, nameserver, https_port, timeout):
        super().__init__(nameservers=[nameserver], timeout=timeout)
        self._https_port = https_port

    async def resolve(self, host, port=0, family=0):
        hosts = await super().resolve(host, port, family)
        for h in hosts:
            h["port"] = self._https_port
        return hosts


class AiohttpWithWorldConnector:
    """HOOK 3: the library's `aiohttp` module name, with ClientSession given a connector that
    uses HOOK 2's resolver and an SSL context trusting only the world's CA.

    Why: the library creates `aiohttp.ClientSession(loop=..., timeout=...)` itself, per fetch,
    with no way to pass a connector or a CA. This stand-in for the module (only inside the
    library's `resolver` module; every other attribute is aiohttp's own) adds
    `connector=TCPConnector(resolver=..., ssl=...)`: a new connector per session, as the
    library gets by default; everything else (timeout, allow_redirects=False, headers, status,
    Content-Type, size limits, parsing) is the library's own code, untouched.
    """

    def __init__(self, resolver, ssl_context):
        self._resolver = resolver
        self._ssl = ssl_context

    def __getattr__(self, name):
        return getattr(aiohttp, name)

    def ClientSession(self, *args, **kwargs):  # pylint: disable=invalid-name
        connector = aiohttp.TCPConnector(resolver=self._resolver, ssl=self._ssl)
        return aiohttp.ClientSession(*args, connector=connector, **kwargs)


def txt_strings(result):
    """The TXT records of a pycares DNSResult as text (CNAMEs in the answer skipped)."""
    out = []
    for rr in result.answer:
        if rr.type == pycares.QUERY_TYPE_TXT:
            out.append(rr.data.data.decode("utf-8", "replace"))
    return out


def dns_error_name(exc):
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, aiodns.error.DNSError) and exc.args:
        code = exc.args[0]
        if code in (aiodns.error.ARES_ENOTFOUND,):
            return "nxdomain"
        if code in (aiodns.error.ARES_ENODATA,):
            return "nodata"
        return "error:" + (exc.args[1] if len(exc.args) > 1 else str(code))
    return "error:" + type(exc).__name__


async def lookup(dns, name, qtype, timeout):
    # The same guard as the library's own TXT lookup: c-ares's timeout, and a total one.
    return await asyncio.wait_for(dns.query_dns(name, qtype), timeout=timeout)


async def scan_one(domain, sts, dns, timeout):
    t0 = time.monotonic()
    sts_r, mx_r, tls_r = await asyncio.gather(
        sts.resolve(domain),
        lookup(dns, domain, "MX", timeout),
        lookup(dns, "_smtp._tls." + domain, "TXT", timeout),
        return_exceptions=True)
    row = {"domain": domain}
    if isinstance(sts_r, BaseException):          # the library raised: record, go on
        row["sts"] = "exception:" + type(sts_r).__name__
        row["mode"] = None
    else:
        verdict, payload = sts_r
        row["sts"] = verdict.name
        row["mode"] = None
        if verdict is STSFetchResult.VALID and payload:
            policy_id, policy = payload
            row["mode"] = policy.get("mode")
            row["id"] = policy_id
            row["mx_patterns"] = policy.get("mx", [])
            row["max_age"] = policy.get("max_age")
    if isinstance(mx_r, BaseException):
        row["mx"] = dns_error_name(mx_r)
    else:
        mxs = sorted((rr.data.priority, rr.data.exchange.rstrip(".").lower())
                     for rr in mx_r.answer if rr.type == pycares.QUERY_TYPE_MX)
        row["mx"] = [[p, h] for p, h in mxs] if mxs else "nodata"
    if isinstance(tls_r, BaseException):
        err = dns_error_name(tls_r)
        row["tlsrpt"] = "absent" if err in ("nxdomain", "nodata") else err
    else:
        recs = [t for t in txt_strings(tls_r) if t.startswith("v=TLSRPTv1")]
        row["tlsrpt"] = "absent" if not recs else ("present" if len(recs) == 1 else "multiple")
    row["ms"] = round((time.monotonic() - t0) * 1000, 1)
    return row


async def main_async(args):
    loop = asyncio.get_running_loop()
    nameserver = args.resolver
    sts = STSResolver(timeout=args.timeout, loop=loop)
    # HOOK 1: the library's own aiodns resolver (created in STSResolver.__init__ on the
    # system's resolv.conf, with no parameter for a nameserver) pointed at the world's unbound
    # ("ip:port", c-ares's server syntax). Same object, same timeout, same queries and answer
    # handling; only the server it sends to changes.
    sts._resolver.nameservers = [nameserver]  # pylint: disable=protected-access

    ctx = ssl.create_default_context(cafile=args.ca_file)   # the world's CA only, like --ca-file
    sts_module.aiohttp = AiohttpWithWorldConnector(          # HOOK 3 (uses HOOK 2)
        WorldHTTPSResolver(nameserver, args.https_port, args.timeout), ctx)

    # Our own lookups (MX, _smtp._tls TXT): a plain aiodns resolver on the world's unbound.
    dns = aiodns.DNSResolver(nameservers=[nameserver], timeout=args.timeout, loop=loop)

    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    domains = read_domains(args.domains)
    counts = {"sts": Counter(), "mode": Counter(), "mx": Counter(), "tlsrpt": Counter()}
    done = 0
    t0 = time.monotonic()

    async def worker():
        nonlocal done
        for domain in domains:          # a shared generator: next() never awaits
            row = await scan_one(domain, sts, dns, args.timeout)
            out.write(json.dumps(row, separators=(",", ":")) + "\n")
            done += 1
            counts["sts"][row["sts"]] += 1
            if row["mode"]:
                counts["mode"][row["mode"]] += 1
            counts["mx"][row["mx"] if isinstance(row["mx"], str) else "records"] += 1
            counts["tlsrpt"][row["tlsrpt"]] += 1

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    secs = time.monotonic() - t0
    if out is not sys.stdout:
        out.close()
    else:
        out.flush()
    print(f"peer: {done} domains in {secs:.1f}s = {done / secs if secs else 0:.0f} domains/s "
          f"({args.concurrency} in flight; postfix-mta-sts-resolver, aiodns {aiodns.__version__}, "
          f"pycares {pycares.__version__}, aiohttp {aiohttp.__version__})", file=sys.stderr)
    for key in ("sts", "mode", "mx", "tlsrpt"):
        print(f"  {key:7s} " + ", ".join(f"{k}: {v}" for k, v in counts[key].most_common()),
              file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("domains", help="Tranco-style list: rank,domain lines")
    p.add_argument("--resolver", required=True, help="IP:PORT of the recursive resolver")
    p.add_argument("--ca-file", required=True, help="the only CA to trust for policy hosts")
    p.add_argument("--https-port", type=int, default=443, help="policy hosts' port")
    p.add_argument("--concurrency", type=int, default=500, help="domains in flight")
    p.add_argument("--timeout", type=float, default=5,
                   help="the library's timeout (its constructor's parameter; mtasts bench: 5)")
    p.add_argument("--out", help="JSON lines here instead of stdout")
    p.add_argument("--log-level", default="ERROR",
                   help="the library's log level (WARNING prints every failed fetch)")
    args = p.parse_args()
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(name)s %(levelname)s %(message)s")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
