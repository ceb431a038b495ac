#!/usr/bin/env python3
"""A stand-in "resolver" for bench/latency/waiting_memory.sh, on one UDP port of loopback.

  dns_sink.py PORT silent     reads every query and never answers: the scanner's window fills with
                              domains whose queries wait (in c-ares or in its own queues)
  dns_sink.py PORT nxdomain   answers every query at once with NXDOMAIN (header and question
                              echoed, no records): a whole scan runs, for its CPU
  dns_sink.py PORT delay MS   answers NXDOMAIN MS milliseconds after each query arrived: a scan
                              whose window turns over as with internet latency, for its peak RSS
  dns_sink.py PORT record     every domain has an MTA-STS record: `_mta-sts.D` TXT answers
                              "v=STSv1; id=1;" and `D` MX and `_smtp._tls.D` TXT NXDOMAIN, at once;
                              every later query (the policy host's A/AAAA, NS, the implicit MX
                              host's A/AAAA/TLSA) is never answered: every domain in flight waits
                              in its task (policy fetch, NS, MX probe), for its memory

With SINK_LOG=FILE set, each query's name and type ("_mta-sts.d0000001.test 16") is appended to
FILE, to compare the queries of two builds. Prints "ready" on stdout once bound; on SIGTERM prints "queries N" (how many it read) and exits.
Binds 127.0.0.1 only. No dependency beyond the standard library.
"""
import collections
import os
import select
import signal
import socket
import sys
import time


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode not in ("silent", "nxdomain", "delay", "record"):
        sys.exit(f"dns_sink.py: unknown mode {mode!r} (silent, nxdomain, delay MS, record)")
    delay = float(sys.argv[3]) / 1000 if mode == "delay" else 0.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # A large receive buffer: the scanner sends hundreds of queries in one sendmmsg.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", port))
    count = 0
    log = open(os.environ["SINK_LOG"], "w") if os.environ.get("SINK_LOG") else None

    def stop(*_):
        if log:
            log.close()
        print(f"queries {count}", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    # Answers due, oldest first: one fixed delay keeps the deque in order.
    due = collections.deque()
    s.setblocking(False)
    while True:
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, reply, peer = due.popleft()
            try:
                s.sendto(reply, peer)
            except BlockingIOError:
                pass   # a full send buffer drops the answer, as a busy resolver would
        timeout = max(0.0, due[0][0] - now) if due else None
        select.select([s], [], [], timeout)
        while True:
            try:
                data, peer = s.recvfrom(4096)
            except BlockingIOError:
                break
            count += 1
            if log:
                log.write(question(data) + "\n")
            if mode == "silent":
                continue
            if mode == "record":
                name = question(data).split(" ")[0]
                if name.startswith("_mta-sts."):
                    reply = sts_record(data)
                elif name.startswith("_smtp._tls.") or name.count(".") == 1:
                    reply = nxdomain(data)
                else:
                    continue
                if reply is not None:
                    try:
                        s.sendto(reply, peer)
                    except BlockingIOError:
                        pass
                continue
            reply = nxdomain(data)
            if reply is None:
                continue
            if mode == "nxdomain":
                try:
                    s.sendto(reply, peer)
                except BlockingIOError:
                    pass
            else:
                due.append((time.monotonic() + delay, reply, peer))


def question(data):
    """The question's name (labels joined by dots, never compressed in a query) and type."""
    labels, i = [], 12
    while i < len(data) and data[i] != 0:
        labels.append(data[i + 1:i + 1 + data[i]].decode("ascii", "replace"))
        i += 1 + data[i]
    qtype = int.from_bytes(data[i + 1:i + 3], "big") if i + 3 <= len(data) else -1
    return f"{'.'.join(labels)} {qtype}"


def sts_record(data):
    """NOERROR with one TXT record "v=STSv1; id=1;" (RFC 8461 §3.1) for the question asked."""
    reply = nxdomain(data)
    if reply is None:
        return None
    text = b"v=STSv1; id=1;"
    # RCODE 0, ANCOUNT 1; the answer names the question by a pointer to offset 12.
    reply = reply[:3] + bytes([0x80]) + b"\x00\x01\x00\x01" + reply[8:]
    rr = b"\xc0\x0c" + b"\x00\x10\x00\x01" + (300).to_bytes(4, "big") + (len(text) + 1).to_bytes(2, "big")
    return reply + rr + bytes([len(text)]) + text


def nxdomain(data):
    """The NXDOMAIN answer to a query, or None for a datagram too short to be one."""
    if len(data) < 12:
        return None
    # QR=1, opcode and RD kept, RA=1, RCODE=3 (NXDOMAIN); the question section as asked (its
    # end found by walking its labels), no answer, authority or additional records (an EDNS OPT
    # in the query is dropped: a server without EDNS answers so too).
    i = 12
    while i < len(data) and data[i] != 0:
        i += 1 + data[i]
    end = i + 5
    if end > len(data):
        return None
    flags = bytes([0x80 | (data[2] & 0x79), 0x80 | 3])
    return data[:2] + flags + b"\x00\x01\x00\x00\x00\x00\x00\x00" + data[12:end]

if __name__ == "__main__":
    main()
