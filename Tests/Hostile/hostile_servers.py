#!/usr/bin/env python3
"""The hostile world's HTTPS and SMTP servers and its canaries (stdlib asyncio, loopback only).

    hostile_servers.py CONF.json PIDFILE

  https-honest   TLS, serves /.well-known/mta-sts.txt for every policy host of hostile_zone.py
  https-limited  the same, but at most `limited_cap` connections are served at once, each held
                 `limited_hold` seconds; the others are accepted and left unanswered until a slot
                 frees (a small server: what a scanner's own burst does to it is the test)
  smtp-honest    220, EHLO with STARTTLS, a real TLS handshake, QUIT
  smtp-silent    accepts and never greets
  smtp-trickle   greets with continuation lines one byte a second, never completing
  canary         records every connection (listen address and port, peer) in `canary_log`,
                 then closes: no connection may ever reach one
Every connection is bounded in time (MAX_SECONDS) and bytes (MAX_LINE per read). The pid file is
written once every socket is bound: it means "ready".
"""
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_zone import Zone  # noqa: E402

MAX_SECONDS = 120
MAX_LINE = 8192


def policy_body(domain):
    return ("version: STSv1\r\nmode: enforce\r\nmx: mx.hostile.test\r\nmx: *.%s\r\nmax_age: 604800\r\n"
            % domain).encode()


async def read_request(r):
    """The request head, at most MAX_LINE bytes: -> (path, host) or None."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = await asyncio.wait_for(r.read(1024), 10)
        if not chunk:
            return None
        head += chunk
        if len(head) > MAX_LINE:
            return None
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    host = b""
    for l in lines[1:]:
        if l.lower().startswith(b"host:"):
            host = l[5:].strip().split(b":")[0].lower()
    return (parts[1] if len(parts) > 1 else b""), host.decode("latin-1")


async def https(zone, r, w, hold=0.0):
    """Serves one request on a connection that already speaks TLS."""
    req = await read_request(r)
    if req is None:
        return
    path, host = req
    await asyncio.sleep(hold)
    domain = zone.policies.get(host)
    if path == b"/.well-known/mta-sts.txt" and domain:
        body = policy_body(domain)
        w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                b"Connection: close\r\n\r\n%s" % (len(body), body))
    else:
        w.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    await w.drain()


class Held(asyncio.Protocol):
    """https-limited: a connection is accepted and not read at all (its ClientHello stays in the
    kernel's buffer) until one of the server's few slots is free; then TLS starts on it."""

    def __init__(self, zone, ctx, slots, hold):
        self.zone, self.ctx, self.slots, self.hold = zone, ctx, slots, hold

    def connection_made(self, transport):
        transport.pause_reading()
        self.task = asyncio.ensure_future(self.serve(transport))

    def connection_lost(self, exc):
        pass

    async def serve(self, transport):
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(self.slots.acquire(), MAX_SECONDS)
        except asyncio.TimeoutError:
            transport.close()
            return
        try:
            reader = asyncio.StreamReader(limit=MAX_LINE * 2)
            proto = asyncio.StreamReaderProtocol(reader)
            tls = await asyncio.wait_for(loop.start_tls(transport, proto, self.ctx, server_side=True), 10)
            proto.connection_made(tls)
            writer = asyncio.StreamWriter(tls, proto, reader, loop)
            await asyncio.wait_for(https(self.zone, reader, writer, self.hold), 30)
            writer.close()
        except Exception:             # a client that gave up waiting: the normal end here
            transport.close()
        finally:
            self.slots.release()


async def smtp(mode, ctx, r, w):
    if mode == "silent":
        await asyncio.sleep(MAX_SECONDS)
        return
    if mode == "trickle":
        for c in b"220-tarpit.hostile.test ESMTP, one byte a second\r\n" * 3:
            w.write(bytes([c]))
            await w.drain()
            await asyncio.sleep(1)
        return
    w.write(b"220 mx.hostile.test ESMTP\r\n")
    tls = False
    for _ in range(20):
        line = await asyncio.wait_for(r.readline(), 30)
        if not line or len(line) > MAX_LINE:
            return
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO"):
            w.write(b"250-mx.hostile.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n" if not tls
                    else b"250-mx.hostile.test\r\n250 PIPELINING\r\n")
        elif cmd.startswith(b"HELO"):
            w.write(b"250 mx.hostile.test\r\n")
        elif cmd == b"STARTTLS" and not tls:
            w.write(b"220 2.0.0 Ready to start TLS\r\n")
            await w.drain()
            await asyncio.wait_for(w.start_tls(ctx), 10)
            tls = True
            continue
        elif cmd == b"QUIT":
            w.write(b"221 2.0.0 Bye\r\n")
            await w.drain()
            return
        else:
            w.write(b"502 5.5.2 Error: command not recognized\r\n")
        await w.drain()


async def orphan_watch(stop):
    """Stop when the runner that started us is gone (even killed with SIGKILL): never left running."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)
    stop.set()


async def main():
    cfg = json.load(open(sys.argv[1]))
    # asyncio's own chatter about clients that hang up mid-TLS is not news here.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    zone = Zone(cfg)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cfg["cert"], cfg["key"])
    net = cfg["net"]
    canary_log = open(cfg["canary_log"], "a", buffering=1)
    slots = asyncio.Semaphore(cfg["limited_cap"])

    def guarded(coro_fn):
        async def handle(r, w):
            try:
                await asyncio.wait_for(coro_fn(r, w), MAX_SECONDS)
            except (Exception, asyncio.CancelledError):   # a client hanging up, or our own stop
                pass
            finally:
                w.close()
        return handle

    def canary(ip, port):
        async def record(r, w):
            peer = w.get_extra_info("peername")
            canary_log.write("%.3f %s:%d <- %s:%d\n" % (time.time(), ip, port, peer[0], peer[1]))
            await asyncio.sleep(0.5)
        return record

    loop = asyncio.get_running_loop()
    await asyncio.start_server(guarded(lambda r, w: https(zone, r, w)), "%s.0.10" % net, cfg["https_port"],
                               reuse_address=True, ssl=ctx, ssl_handshake_timeout=10, limit=MAX_LINE * 2)
    await loop.create_server(lambda: Held(zone, ctx, slots, cfg["limited_hold"]), "%s.0.40" % net,
                             cfg["https_port"], reuse_address=True, backlog=1024)
    plan = [
        ("%s.0.10" % net, cfg["smtp_port"], lambda r, w: smtp("honest", ctx, r, w)),
        ("%s.0.31" % net, cfg["smtp_port"], lambda r, w: smtp("trickle", ctx, r, w)),
    ]
    for last in ("0.30", "0.32", "0.33"):
        plan.append(("%s.%s" % (net, last), cfg["smtp_port"], lambda r, w: smtp("silent", ctx, r, w)))
    # Canaries: the excluded addresses and the hostile names' own A record, on the scan's ports
    # and on the ports a URL falls back to (25, 443); and the ports a name can smuggle.
    canaries = [("%s.0.%d" % (net, last), p) for last in (66, 67, 68, 69, 70, 71, 80)
                for p in (cfg["smtp_port"], cfg["https_port"], 25, 443)]
    canaries += [("%s.0.10" % net, 5797), ("127.0.0.1", 5799)]
    for ip, port, fn in plan:
        await asyncio.start_server(guarded(fn), ip, port, reuse_address=True, limit=MAX_LINE * 2)
    skipped = []
    for ip, port in canaries:
        try:
            await asyncio.start_server(guarded(canary(ip, port)), ip, port, reuse_address=True)
        except OSError as e:          # a port someone else holds: said, not hidden
            skipped.append("%s:%d (%s)" % (ip, port, e.strerror))
    if skipped:
        print("hostile_servers: canaries not listening: " + ", ".join(skipped), file=sys.stderr)
    with open(sys.argv[2], "w") as f:
        f.write("%d\n" % os.getpid())
    stop = asyncio.Event()
    asyncio.ensure_future(orphan_watch(stop))
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    os.unlink(sys.argv[2])


if __name__ == "__main__":
    asyncio.run(main())
