#!/usr/bin/env python3
"""Misbehaving servers that no real server software plays on purpose (asyncio, loopback only).

    tarpit.py CONF.json PIDFILE

HTTPS modes: silent (accepts, never answers), close (closes mid-handshake), garbage (answers
the ClientHello with bytes that are not TLS), endless (a valid TLS server whose 200 response
is a chunked body that never ends).  SMTP modes: silent (no greeting), greet421, trickle (the
greeting one byte a second, never complete), tls-garbage / tls-close (STARTTLS accepted, then garbage or a
close instead of a handshake).  Every connection is bounded (MAX_SECONDS, MAX_BYTES) so that
nothing runs forever.  The pid file is written once every socket is bound: it means "ready".
"""
import asyncio
import json
import os
import signal
import ssl
import sys

MAX_SECONDS = 300            # longer than any sane client timeout (RFC 8461: 1 minute)
MAX_BYTES = 64 * 1024 * 1024
CHUNK = b"mx: filler.example\r\n" * 400


async def read_some(r, n=4096, timeout=10):
    try:
        return await asyncio.wait_for(r.read(n), timeout)
    except (asyncio.TimeoutError, ConnectionError):
        return b""


async def https(mode, r, w, ctx):
    if mode == "silent":
        await asyncio.sleep(MAX_SECONDS)
    elif mode == "close":
        await read_some(r)
        w.write(b"\x16\x03\x03\x00\x7a\x02\x00")     # a ServerHello header, cut short
        await w.drain()
    elif mode == "garbage":
        await read_some(r)
        w.write(b"HTTP/1.0 400 Bad Request\r\nX-Not: TLS\r\n\r\n" + bytes(range(256)))
        await w.drain()
    elif mode == "endless":            # the listener itself speaks TLS
        await read_some(r)
        w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"%x\r\nversion: STSv1\r\nmode: enforce\r\n\r\n" % len(b"version: STSv1\r\nmode: enforce\r\n"))
        sent = 0
        while sent < MAX_BYTES:
            w.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            await w.drain()
            sent += len(CHUNK)


async def smtp(mode, r, w):
    if mode == "silent":
        await asyncio.sleep(MAX_SECONDS)
        return
    if mode == "greet421":
        w.write(b"421 4.3.2 tarpit.invalid Service not available, closing channel\r\n")
        await w.drain()
        return
    if mode == "trickle":              # continuation lines only: the greeting never completes
        for c in b"220-tarpit.invalid ESMTP, one byte a second\r\n" * 10:
            w.write(bytes([c]))
            await w.drain()
            await asyncio.sleep(1)
        return
    w.write(b"220 tarpit.invalid ESMTP\r\n")             # tls-garbage, tls-close
    while True:
        line = await asyncio.wait_for(r.readline(), 30)
        if not line:
            return
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO"):
            w.write(b"250-tarpit.invalid\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        elif cmd.startswith(b"HELO"):
            w.write(b"250 tarpit.invalid\r\n")
        elif cmd == b"STARTTLS":
            w.write(b"220 2.0.0 Ready to start TLS\r\n")
            await w.drain()
            await read_some(r)
            if mode == "tls-garbage":
                w.write(b"250 this is not TLS\r\n" + bytes(range(256)))
                await w.drain()
            return
        elif cmd == b"QUIT":
            w.write(b"221 2.0.0 Bye\r\n")
            await w.drain()
            return
        else:
            w.write(b"502 5.5.2 Error: command not recognized\r\n")
        await w.drain()


def sni_context(cfg):
    """TLS server context choosing DIR/certs/<sni>.crt like the world's nginx does."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cache = {}

    def pick(sock, name, _ctx):
        if not name:
            return None
        if name not in cache:
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            c.load_cert_chain(os.path.join(cfg["certs"], name.lower() + ".crt"), cfg["key"])
            cache[name] = c
        sock.context = cache[name]
    ctx.sni_callback = pick
    ctx.load_cert_chain(os.path.join(cfg["certs"], "mx-provider1.crt"), cfg["key"])
    return ctx


async def main():
    cfg = json.load(open(sys.argv[1]))
    ctx = sni_context(cfg)
    servers = []
    for s in cfg["servers"]:
        async def handle(r, w, s=s):
            try:
                coro = https(s["mode"], r, w, ctx) if s["proto"] == "https" else smtp(s["mode"], r, w)
                await asyncio.wait_for(coro, MAX_SECONDS)
            except Exception:        # a client hanging up is the normal end here
                pass
            finally:
                w.close()
        tls = ctx if s["mode"] == "endless" else None
        servers.append(await asyncio.start_server(handle, s["ip"], s["port"], reuse_address=True,
                                                  ssl=tls))
    with open(sys.argv[2], "w") as f:
        f.write("%d\n" % os.getpid())
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    for srv in servers:
        srv.close()
    os.unlink(sys.argv[2])


if __name__ == "__main__":
    asyncio.run(main())
