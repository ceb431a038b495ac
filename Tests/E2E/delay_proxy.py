#!/usr/bin/env python3
"""A loopback TCP relay that answers late, for `timeout_replay.sh` (issue 15).

    delay_proxy.py SMTP_UPSTREAM_PORT HTTPS_UPSTREAM_PORT DELAY_SECONDS READY_FILE

Listens on two free ports of 0.0.0.0 (it accepts only loopback peers), one relayed to the
world's SMTP port and one to its HTTPS port, each on the address the client connected to. A
connection to a "slow" address (sum of its octets divisible by 3: about a third of the world's
servers) is relayed only after DELAY_SECONDS: the server's greeting, or its TLS handshake, comes
that late. Writes "SMTP_PORT HTTPS_PORT" to READY_FILE once both listen. Every connection is
bounded (60 s). Stopped by SIGTERM.
"""
import asyncio
import ipaddress
import os
import sys

LIFETIME = 60


def slow(ip):
    return sum(int(x) for x in ip.split(".")) % 3 == 0 if "." in ip else False


async def pipe(r, w):
    try:
        while True:
            data = await r.read(65536)
            if not data:
                break
            w.write(data)
            await w.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            w.close()
        except Exception:
            pass


async def relay(r, w, upstream_port, delay):
    peer = w.get_extra_info("peername")[0]
    dest = w.get_extra_info("sockname")[0]
    if not ipaddress.ip_address(peer).is_loopback or not ipaddress.ip_address(dest).is_loopback:
        w.close()
        return
    try:
        if slow(dest):
            await asyncio.sleep(delay)
        ur, uw = await asyncio.open_connection(dest, upstream_port)
    except OSError:
        w.close()
        return
    await asyncio.wait([asyncio.ensure_future(pipe(r, uw)), asyncio.ensure_future(pipe(ur, w))],
                       timeout=LIFETIME)
    for x in (w, uw):
        x.close()


async def main():
    smtp_up, https_up, delay, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    servers = []
    for up in (smtp_up, https_up):
        servers.append(await asyncio.start_server(lambda r, w, up=up: relay(r, w, up, delay), "0.0.0.0", 0))
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    with open(ready + ".tmp", "w") as f:
        f.write("%d %d\n" % tuple(ports))
    os.rename(ready + ".tmp", ready)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
