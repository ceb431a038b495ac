#!/usr/bin/env python3
"""CPU by owner: who asked for each perf sample, read from `perf script -F period,ip,sym,dso`
of a `perf record --call-graph dwarf` run (bench/profile.sh makes one).

A flat profile charges malloc, memcpy and system calls to libc, jemalloc and the kernel, whoever
called them. Here each sample goes to the first frame, walking up from the leaf, that is neither
the kernel nor a runtime (libc, jemalloc, the Swift runtime, libdispatch): OpenSSL's thousands of
mallocs per handshake count as TLS, a sendmmsg as DNS, a pwrite as SQLite. What no library owns
(futex, epoll, context switches, interrupts) is "scheduling".

The first five parts are what any scanner pays that makes these connections and queries with
libcurl/OpenSSL, c-ares and SQLite on this kernel; the sixth is the scanner's own code.
Usage: perf script ... | perf_owner.py CPU_US_PER_DOMAIN
"""
import re
import sys
from collections import Counter

# perf names an inlined frame's object "inlined": libc's inside libc as well as the stdlib's inside
# mtasts, so those frames are passed over too, and the walk goes on to a real object.
RUNTIMES = {"libjemalloc.so.2", "libc.so.6", "libswiftCore.so", "ld-linux-x86-64.so.2",
            "libswift_Concurrency.so", "libdispatch.so", "libswiftDispatch.so", "libFoundation.so",
            "libFoundationEssentials.so", "[kernel.kallsyms]", "[vdso]", "[unknown]", "inlined"}
TLS_LIBS = ("libcurl", "libssl", "libcrypto")
# Kernel entry points by who makes them when the user stack is lost: curl's TCP sockets, SQLite's
# file, the I/O loop's UDP batches.
TCP_CALLS = {"sendto", "recvfrom", "connect", "socket", "close", "getsockname", "getpeername",
             "poll", "setsockopt", "getsockopt", "shutdown"}
FILE_CALLS = {"pwrite64", "pread64", "fdatasync", "fsync", "openat", "unlink", "ftruncate", "fcntl"}
UDP_CALLS = {"sendmmsg", "recvmmsg"}
WAIT_CALLS = {"futex", "epoll_wait", "epoll_pwait", "clock_nanosleep", "nanosleep", "sched_yield"}

PARTS = [
    ("tls", "TLS, HTTP, SMTP: libcurl and OpenSSL, with their TCP, mallocs"),
    ("udp", "DNS datagrams: sendmmsg/recvmmsg (loopback: the resolver's receive side too)"),
    ("cares", "c-ares, with its mallocs"),
    ("sqlite", "SQLite, with its file I/O and mallocs"),
    ("sched", "scheduling: futex, epoll, sleeps, interrupts, context switches"),
    ("ours", "mtasts and the Swift runtime it calls (retain/release, malloc, copies)"),
    ("other", "other"),
]


def owner_of(frames):
    """frames: [(dso, symbol)], leaf first."""
    syscall = next((s[len("__x64_sys_"):] for _, s in frames if s.startswith("__x64_sys_")), None)
    if syscall in UDP_CALLS:
        return "udp"
    if syscall in WAIT_CALLS:
        return "sched"
    owner = next((d for d, _ in frames if d not in RUNTIMES), None)
    if owner is None:
        if syscall in TCP_CALLS:
            return "tls"
        if syscall in FILE_CALLS:
            return "sqlite"
        if frames[0][0] == "[kernel.kallsyms]":
            return "sched"
        return "other"
    if owner.startswith(TLS_LIBS):
        return "tls"
    if owner.startswith("libcares"):
        return "cares"
    if owner.startswith("libsqlite3"):
        return "sqlite"
    if owner.startswith("mtasts"):
        return "ours"
    return "other"


def main():
    cpu = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    counts, frames, total = Counter(), [], 0
    sample_head = re.compile(r"^\s*\d+\s*$")
    frame = re.compile(r"\s*[0-9a-f]+ (.*) \((.*)\)$")

    def done():
        if frames:
            counts[owner_of(frames)] += 1

    for line in sys.stdin:
        if sample_head.match(line):
            done()
            frames, total = [], total + 1
            continue
        m = frame.match(line)
        if m:
            frames.append((m.group(2).rsplit("/", 1)[-1], re.sub(r"\+0x[0-9a-f]+$", "", m.group(1))))
    done()
    if total == 0:
        print("  (no samples)")
        return
    for key, label in PARTS:
        share = 100.0 * counts[key] / total
        print(f"  {share:5.1f}%  {share * cpu / 100:5.1f} µs  {label}")
    libs = sum(counts[k] for k in ("tls", "udp", "cares", "sqlite", "sched")) / total
    own = counts["ours"] / total
    print(f"  libraries and kernel (first five): {100 * libs:.0f}% = {libs * cpu:.0f} µs per domain;"
          f" mtasts's own code: {100 * own:.0f}% = {own * cpu:.0f} µs")
    print(f"  were mtasts's own code free, this scan would cost {(1 - own) * cpu:.0f} µs per domain")


if __name__ == "__main__":
    main()
