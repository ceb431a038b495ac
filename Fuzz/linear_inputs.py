#!/usr/bin/env python3
"""Pathological inputs for Fuzz/run.sh's linearity check, written to DIR as
TARGET.SHAPE.small and TARGET.SHAPE.large (the large one 4 times the size).

Usage: linear_inputs.py DIR
"""
import os
import random
import struct
import sys

d = sys.argv[1]
r = random.Random(1)


def write(target, shape, f, small, large):
    for tag, n in (("small", small), ("large", large)):
        data = f(n)
        open(os.path.join(d, "%s.%s.%s" % (target, shape, tag)), "wb").write(data)


# The record and policy parsers: text shapes at 256 KiB and 1 MiB.
text = {
    "random": lambda n: bytes(r.getrandbits(8) for _ in range(n)),
    "semicolons": lambda n: b"v=STSv1" + b";" * (n - 7),
    "fields": lambda n: b"v=STSv1" + b"; a=b" * ((n - 7) // 5),
    "lines": lambda n: b"\n" * n,
    "mxlines": lambda n: b"mx: *.example.com\r\n" * (n // 19),
    "crs": lambda n: b"\r" * n,
}
for t in ("FuzzRecord", "FuzzPolicy"):
    for name, f in text.items():
        write(t, name, f, 262144, 1048576)

# The DNS parser: a message is at most 64 KiB, so 16 KiB and 64 KiB. FuzzDNS reads byte 0 as
# the asked name (0: example.com), byte 1 as the type (0: A, 3: TXT), byte 2 as flags for its
# second reading; the rest is the message.
QNAME = b"\x07example\x03com\x00"


def u16(v):
    return struct.pack(">H", v)


def dns(qtype_index, qtype, body_for):
    """A header with ANCOUNT 0xFFFF, the question, then records from body_for(room) filling
    the size (the parser stops at the end of the bytes or the count)."""
    def f(n):
        head = b"\xbe\xef\x81\x80" + u16(1) + u16(0xFFFF) + u16(0) + u16(0)
        msg = head + QNAME + u16(qtype) + u16(1)
        return bytes([0, qtype_index, 0]) + msg + body_for(len(msg), n - 3 - len(msg))
    return f


def ladder_then(rr_type, rdata_for):
    """A TXT record (ignored by an A query) whose RDATA is a ladder of 60 compression pointers,
    each pointing at the one before, the first at the question name; then records whose owner
    is a pointer to the ladder's top, so every owner costs the parser 61 jumps."""
    def body(at, room):
        start = at + 12                       # owner(2) type class ttl rdlen(10) before RDATA
        ladder = b"\xc0\x0c"
        for k in range(1, 60):
            ladder += u16(0xC000 | (start + 2 * (k - 1)))
        top = start + 2 * 59
        out = b"\xc0\x0c" + u16(16) + u16(1) + b"\x00\x00\x0e\x10" + u16(len(ladder)) + ladder
        rr = u16(0xC000 | top) + u16(rr_type) + u16(1) + b"\x00\x00\x0e\x10"
        rdata = rdata_for(top)
        rr += u16(len(rdata)) + rdata
        return out + rr * ((room - len(out)) // len(rr))
    return body


# Addresses: 16-byte A records, owners 61 pointer jumps deep.
write("FuzzDNS", "pointers", dns(0, 1, ladder_then(1, lambda top: b"\x7f\x00\x00\x01")), 16384, 65536)
# CNAMEs whose owner and target are both the ladder's top: each is read in full (readName).
write("FuzzDNS", "cname-pointers", dns(0, 1, ladder_then(5, lambda top: u16(0xC000 | top))), 16384, 65536)
# One TXT record of 64 K empty character-strings.
write("FuzzDNS", "empty-strings",
      dns(3, 16, lambda at, room: b"\xc0\x0c" + u16(16) + u16(1) + b"\x00\x00\x0e\x10"
          + u16(room - 12) + b"\x00" * (room - 12)), 16384, 65536)
# Names of 63-octet labels up to the 255-octet limit, as owners of A records.
long_name = (b"\x3f" + b"a" * 63) * 3 + b"\x3d" + b"b" * 61 + b"\x00"
write("FuzzDNS", "long-names",
      dns(0, 1, lambda at, room: (long_name + u16(1) + u16(1) + b"\x00\x00\x0e\x10" + u16(4) + b"\x7f\x00\x00\x01")
          * (room // (len(long_name) + 14))), 16384, 65536)
write("FuzzDNS", "random", lambda n: bytes(r.getrandbits(8) for _ in range(n)), 16384, 65536)


# The X.509 reader: certificates of 256 KiB and 1 MiB.
def der(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def cert(issuer=b"", extensions=b""):
    validity = der(0x30, der(0x17, b"250101000000Z") + der(0x18, b"20351231235959Z"))
    tbs = (der(0xA0, der(0x02, b"\x02")) + der(0x02, b"\x01") + der(0x30, b"") + der(0x30, issuer)
           + validity + der(0x30, b"") + der(0x30, b"") + der(0xA3, der(0x30, extensions)))
    return der(0x30, der(0x30, tbs) + der(0x30, b"") + der(0x03, b"\x00"))


def san(names):
    return der(0x30, der(0x06, b"\x55\x1d\x11") + der(0x04, der(0x30, names)))


def fill(unit, n):
    return unit * (n // len(unit))


# One subjectAltName with as many dNSNames as fit.
write("FuzzX509", "dnsnames", lambda n: cert(extensions=san(fill(der(0x82, b"a.example"), n - 64))), 262144, 1048576)
# Many subjectAltName extensions, each with one name.
write("FuzzX509", "extensions", lambda n: cert(extensions=fill(san(der(0x82, b"a")), n - 64)), 262144, 1048576)
# An issuer of many RDNs, none the CN or O looked for (read to the end for each).
write("FuzzX509", "rdns",
      lambda n: cert(issuer=fill(der(0x31, der(0x30, der(0x06, b"\x55\x04\x06") + der(0x13, b"US"))), n - 128)),
      262144, 1048576)
# Empty TLVs after the extensions (the reader walks every item of the TBS).
write("FuzzX509", "empty-tlvs", lambda n: cert(extensions=fill(b"\x05\x00", n - 64)), 262144, 1048576)
write("FuzzX509", "random", lambda n: bytes(r.getrandbits(8) for _ in range(n)), 262144, 1048576)
