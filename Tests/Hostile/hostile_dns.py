#!/usr/bin/env python3
"""A small recursive-looking DNS server that misbehaves on purpose (UDP + TCP, stdlib asyncio).

    hostile_dns.py CONF.json PIDFILE

mtasts uses it directly as its --resolver. Answers carry RA (as a recursive resolver's do) and
follow CNAME chains inside the zone the way a resolver returns them: the whole chain in one
answer (a loop is sent as the two CNAMEs of the loop). The wire format is written by hand so
that any label byte can be sent. The zone and its misbehaviours come from hostile_zone.py:
  tc-close  UDP: TC=1 and no answer; TCP: the connection is closed without an answer
  tc-empty  UDP: TC=1; TCP: NOERROR with no answer records
  drop      never answered (UDP or TCP)
  tcp-slow  answered (over TCP, since it is too big for UDP) after 300 ms
  servfail  SERVFAIL (RCODE 2, no records), as a loaded resolver answers one family of a host
Every TCP connection is bounded: 30 s idle, 64 KiB per message, 10000 queries. The pid file is
written once both sockets are bound: it means "ready".
"""
import asyncio
import json
import logging
import os
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_zone import A, AAAA, CNAME, MX, TXT, Zone  # noqa: E402

IDLE = 30
MAX_QUERIES = 10000


def wire(n):
    return b"".join(bytes([len(l)]) + l for l in n) + b"\0"


def parse_query(m):
    """-> (id, flags, question bytes, name tuple as sent, lower-case name, qtype, edns size)."""
    if len(m) < 17:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", m[:12])
    if qd != 1 or flags & 0x8000:
        return None
    i, labels = 12, []
    while True:
        if i >= len(m):
            return None
        n = m[i]
        if n == 0:
            i += 1
            break
        if n > 63 or i + 1 + n > len(m):
            return None
        labels.append(m[i + 1:i + 1 + n])
        i += 1 + n
    if i + 4 > len(m):
        return None
    qtype = struct.unpack(">H", m[i:i + 2])[0]
    question = m[12:i + 4]
    edns = 512
    j = i + 4
    if ar and j + 11 <= len(m) and m[j] == 0 and struct.unpack(">H", m[j + 1:j + 3])[0] == 41:
        edns = max(512, struct.unpack(">H", m[j + 3:j + 5])[0])
    return qid, flags, question, tuple(labels), tuple(l.lower() for l in labels), qtype, edns


class Server:
    def __init__(self, zone):
        self.zone = zone
        # Every name that exists or has names below it (an empty non-terminal answers NODATA).
        self.names = {k[i:] for k in list(zone.rr) + list(zone.cname) for i in range(len(k))}

    def rdata(self, t, d):
        if t == TXT:
            return b"".join(bytes([len(s)]) + s for s in d)
        if t == MX:
            return struct.pack(">H", d[0]) + wire(d[1])
        if t == A:
            return bytes(int(x) for x in d.split("."))
        raise ValueError(t)

    def answer(self, qid, flags, question, qname, qtype, empty=False, tc=False, servfail=False):
        """A resolver's answer: the CNAME chain from qname, then the records of its end."""
        rrs, rcode = [], (2 if servfail else 0)
        if not empty and not tc and not servfail:
            name, seen = qname, {qname}
            for _ in range(40):
                target = self.zone.cname.get(name)
                if target is None or qtype == CNAME:
                    break
                rrs.append((name, CNAME, wire(target)))
                name = target
                if name in seen:
                    break
                seen.add(name)
            if self.zone.cname.get(name) is None or qtype == CNAME:
                recs = self.zone.rr.get(name)
                if recs is None and name not in self.zone.cname:
                    rcode = 3 if not self.exists(name) else 0
                for d in (recs or {}).get(qtype, []):
                    rrs.append((name, qtype, self.rdata(qtype, d)))
        out = bytearray(struct.pack(">HHHHHH", qid,
                                    0x8000 | (flags & 0x7900) | 0x0080 | (0x0200 if tc else 0) | rcode,
                                    1, len(rrs), 0, 0))
        out += question
        for owner, t, rd in rrs:
            out += (b"\xc0\x0c" if owner == qname else wire(owner))
            out += struct.pack(">HHIH", t, 1, 300, len(rd)) + rd
        return bytes(out)

    def exists(self, name):
        return name in self.names


class UDP(asyncio.DatagramProtocol):
    def __init__(self, srv):
        self.srv = srv

    def connection_made(self, transport):
        self.t = transport

    def datagram_received(self, m, addr):
        q = parse_query(m)
        if q is None:
            return
        qid, flags, question, _, qname, qtype, edns = q
        how = self.srv.zone.behaviour.get((qname, qtype))
        if how == "drop":
            return
        if how in ("tc-close", "tc-empty"):
            self.t.sendto(self.srv.answer(qid, flags, question, qname, qtype, tc=True), addr)
            return
        r = self.srv.answer(qid, flags, question, qname, qtype, servfail=(how == "servfail"))
        if len(r) > edns:
            r = self.srv.answer(qid, flags, question, qname, qtype, tc=True)
        self.t.sendto(r, addr)


async def tcp_client(srv, r, w):
    """DNS over TCP: queries answered each in its own task (out of order, as resolvers may)."""
    tasks = set()
    try:
        for _ in range(MAX_QUERIES):
            hdr = await asyncio.wait_for(r.readexactly(2), IDLE)
            m = await asyncio.wait_for(r.readexactly(struct.unpack(">H", hdr)[0]), IDLE)
            q = parse_query(m)
            if q is None:
                return
            qid, flags, question, _, qname, qtype, _ = q
            how = srv.zone.behaviour.get((qname, qtype))
            if how == "drop":
                continue
            if how == "tc-close":
                # Let the other queries on this connection get in flight, then hang up on them all.
                await asyncio.sleep(0.05)
                return
            resp = srv.answer(qid, flags, question, qname, qtype, empty=(how == "tc-empty"),
                              servfail=(how == "servfail"))

            async def send(resp=resp, slow=(how == "tcp-slow")):
                if slow:
                    await asyncio.sleep(0.3)
                w.write(struct.pack(">H", len(resp)) + resp)
                await w.drain()
            t = asyncio.ensure_future(send())
            tasks.add(t)
            t.add_done_callback(tasks.discard)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        for t in tasks:
            t.cancel()
        w.close()


async def orphan_watch(stop):
    """Stop when the runner that started us is gone (even killed with SIGKILL): never left running."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)
    stop.set()


async def main():
    cfg = json.load(open(sys.argv[1]))
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    srv = Server(Zone(cfg))
    loop = asyncio.get_running_loop()
    # A resolver's receive buffer, as the world's and deploy/unbound's (so-rcvbuf: 4m): the
    # scanner sends up to 4 x --dns-in-flight queries at once, and with the system default
    # (~210 KB, a few hundred datagrams) a burst at the then default window of 1024 overflowed it
    # (27,483 UdpRcvbufErrors in one run; 1-44 of the polite group's 300 domains ended dns-error).
    # The kernel caps it at net.core.rmem_max.
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((cfg["dns_ip"], cfg["dns_port"]))
    udp, _ = await loop.create_datagram_endpoint(lambda: UDP(srv), sock=sock)
    tcp = await asyncio.start_server(lambda r, w: tcp_client(srv, r, w), cfg["dns_ip"], cfg["dns_port"],
                                     reuse_address=True)
    with open(sys.argv[2], "w") as f:
        f.write("%d\n" % os.getpid())
    stop = asyncio.Event()
    asyncio.ensure_future(orphan_watch(stop))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    udp.close()
    tcp.close()
    os.unlink(sys.argv[2])


if __name__ == "__main__":
    asyncio.run(main())
