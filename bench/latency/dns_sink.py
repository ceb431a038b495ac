#!/usr/bin/env python3
"""A stand-in "resolver" for bench/latency/waiting_memory.sh, on one UDP port of loopback.

  dns_sink.py PORT silent     reads every query and never answers: the scanner's window fills with
                              domains whose queries wait (in c-ares or in its own queues)
  dns_sink.py PORT nxdomain   answers every query at once with NXDOMAIN (header and question
                              echoed, no records): a whole scan runs, for its CPU

Prints "ready" on stdout once bound; on SIGTERM prints "queries N" (how many it read) and exits.
Binds 127.0.0.1 only. No dependency beyond the standard library.
"""
import signal
import socket
import sys


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode not in ("silent", "nxdomain"):
        sys.exit(f"dns_sink.py: unknown mode {mode!r} (silent, nxdomain)")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # A large receive buffer: the scanner sends hundreds of queries in one sendmmsg.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", port))
    count = 0

    def stop(*_):
        print(f"queries {count}", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(4096)
        count += 1
        if mode == "silent" or len(data) < 12:
            continue
        # QR=1, opcode and RD kept, RA=1, RCODE=3 (NXDOMAIN); the question section as asked
        # (its end found by walking its labels), no answer, authority or additional records
        # (an EDNS OPT in the query is dropped: a server without EDNS answers so too).
        i = 12
        while i < len(data) and data[i] != 0:
            i += 1 + data[i]
        end = i + 5
        if end > len(data):
            continue
        flags = bytes([0x80 | (data[2] & 0x79), 0x80 | 3])
        reply = data[:2] + flags + b"\x00\x01\x00\x00\x00\x00\x00\x00" + data[12:end]
        s.sendto(reply, peer)


if __name__ == "__main__":
    main()
