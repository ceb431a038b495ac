#!/usr/bin/env python3
"""Writes the FuzzDNS seeds into Fuzz/seeds/dns (deterministic: a rerun gives the same bytes).

A FuzzDNS input is: byte 0 the asked name (index into FuzzDNS.swift's qnames), byte 1 the type
(index into DNSType.allCases: A, CNAME, MX, TXT, AAAA, TLSA), byte 2 ANCOUNT (low 5 bits) and
flags for the built header, then the rest. FuzzDNS reads the rest both as a whole message and as
the answer section after a header and question it builds, so there are seeds of both kinds. The
wire layout is RFC 1035 §4.1, as in Tests/MTASTSCoreTests/DNSMessageTests.swift's Wire helpers.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dns")
QNAMES = ["example.com", "_mta-sts.example.com", "_smtp._tls.example.com", "mta-sts.example.com", "a"]
TYPES = {"A": (0, 1), "CNAME": (1, 5), "MX": (2, 15), "TXT": (3, 16), "AAAA": (4, 28), "TLSA": (5, 52)}
Q = 12  # the question name's offset: pointer(Q) names it


def u16(v): return struct.pack(">H", v)
def u32(v): return struct.pack(">I", v)
def name(s): return b"".join(bytes([len(l)]) + l.encode() for l in s.split(".") if l) + b"\x00"
def ptr(off): return u16(0xC000 | off)
def cs(b): return bytes([len(b)]) + b
def rr(owner, t, rdata, ttl=3600): return owner + u16(t) + u16(1) + u32(ttl) + u16(len(rdata)) + rdata


def message(qname, qtype, answers, flags=0x8180, authority=()):
    return (u16(0xBEEF) + u16(flags) + u16(1) + u16(len(answers)) + u16(len(authority)) + u16(0)
            + name(qname) + u16(qtype) + u16(1) + b"".join(answers) + b"".join(authority))


def seed(file, qname, tname, rest, flagbyte=0):
    ti, _ = TYPES[tname]
    with open(os.path.join(OUT, file), "wb") as f:
        f.write(bytes([QNAMES.index(qname), ti, flagbyte]) + rest)


def whole(file, qname, tname, answers, **kw):
    """A whole message in the rest (FuzzDNS's first reading)."""
    seed(file, qname, tname, message(qname, TYPES[tname][1], answers, **kw))


def answers_only(file, qname, tname, answers, flagbyte=0):
    """Only answer records in the rest (FuzzDNS's second reading builds header and question)."""
    seed(file, qname, tname, b"".join(answers), (flagbyte & 0xE0) | len(answers))


os.makedirs(OUT, exist_ok=True)
sts, tlsrpt = "_mta-sts.example.com", "_smtp._tls.example.com"
whole("txt-sts", sts, "TXT", [rr(ptr(Q), 16, cs(b"v=STSv1; id=20240101T000000;"))])
whole("txt-two-strings", tlsrpt, "TXT", [rr(ptr(Q), 16, cs(b"v=TLSRPTv1; ") + cs(b"rua=mailto:r@example.com")),
                                         rr(ptr(Q), 16, b"")])
whole("mx-compressed", "example.com", "MX", [rr(ptr(Q), 15, u16(10) + b"\x03mx1" + ptr(Q)),
                                             rr(ptr(Q), 15, u16(20) + b"\x03mx2" + ptr(Q)),
                                             rr(ptr(Q), 15, u16(0) + b"\x00")])
whole("a-two", "mta-sts.example.com", "A", [rr(ptr(Q), 1, bytes([192, 0, 2, 1])), rr(ptr(Q), 1, bytes([127, 0, 0, 1]))])
whole("aaaa", "mta-sts.example.com", "AAAA", [rr(ptr(Q), 28, bytes.fromhex("20010db8000000000000000000000001")),
                                              rr(ptr(Q), 28, bytes(15) + b"\x01")])
# CNAME chain: example.com -> b.example.com -> c.example.net, then the A record of c.example.net.
cn1 = message("example.com", 1, [])
b_at = len(cn1) + 12  # where the first CNAME's RDATA begins
chain = [rr(ptr(Q), 5, b"\x01b" + ptr(Q)), rr(ptr(b_at), 5, name("c.example.net")),
         rr(name("c.example.net"), 1, bytes([198, 51, 100, 7]))]
whole("a-cname-chain", "example.com", "A", chain)
whole("cname-loop", "example.com", "A", [rr(ptr(Q), 5, b"\x01b" + ptr(Q)), rr(ptr(b_at), 5, ptr(Q))])
whole("tlsa", "a", "TLSA", [rr(ptr(Q), 52, b"\x03\x01\x01" + bytes(32)), rr(ptr(Q), 52, b"\x03\x00\x01" + bytes(32))])
whole("nxdomain-soa", sts, "TXT", [], flags=0x8183,
      authority=[rr(name("example.com"), 6, name("ns.example.com") + name("h.example.com") + u32(1) * 5)])
whole("truncated", sts, "TXT", [rr(ptr(Q), 16, cs(b"v=STSv1; id=1;"))], flags=0x8380)
whole("ad-bit", "a", "TXT", [rr(ptr(Q), 16, cs(b"x"))], flags=0x81A0)
# A label with a dot and non-printable bytes in a CNAME target (read as \. and \DDD).
whole("cname-odd-bytes", "example.com", "A", [rr(ptr(Q), 5, b"\x07u@1.2.3\x04\x00\x7f\xff " + b"\x00")])

answers_only("ans-txt", sts, "TXT", [rr(ptr(Q), 16, cs(b"v=STSv1; id=abc;"))])
answers_only("ans-mx", "example.com", "MX", [rr(ptr(Q), 15, u16(5) + name("mx.example.net"))])
answers_only("ans-a", "mta-sts.example.com", "A", [rr(ptr(Q), 1, b"\x7f\x00\x00\x01")])
answers_only("ans-aaaa", "mta-sts.example.com", "AAAA", [rr(ptr(Q), 28, bytes.fromhex("fe800000000000000000000000000001"))])
answers_only("ans-tlsa", "a", "TLSA", [rr(ptr(Q), 52, b"\x03\x01\x01" + bytes(32))])
answers_only("ans-cname-a", "example.com", "A",
             [rr(ptr(Q), 5, name("h.example.org")), rr(name("h.example.org"), 1, b"\x0a\x00\x00\x01")])
