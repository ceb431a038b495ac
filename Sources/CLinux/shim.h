// Linux system calls that Swift's Glibc module does not export.
#ifndef MTASTS_CLINUX_SHIM_H
#define MTASTS_CLINUX_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <string.h>

// struct epoll_event is __attribute__((packed)) on x86_64 (12 bytes). Swift imports it with its
// natural alignment, so an array of them would not match the kernel's layout. These wrappers keep
// the struct in C and hand Swift plain arrays of fds and event masks.
static inline int mtasts_epoll_ctl(int ep, int op, int fd, uint32_t events) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = 0;
    ev.data.fd = fd;
    return epoll_ctl(ep, op, fd, &ev);
}

// getrandom(2): the kernel's CSPRNG, many bytes per call (Swift's SystemRandomNumberGenerator makes
// one call per 8 bytes).
static inline long mtasts_getrandom(void *buf, size_t len) { return getrandom(buf, len, 0); }

// sendmmsg and recvmmsg need _GNU_SOURCE, which Swift's Glibc module is built without: the system
// calls are reached through syscall(2), with the kernel's struct mmsghdr layout.
struct mtasts_mmsghdr { struct msghdr hdr; unsigned int len; };
#define MTASTS_DATAGRAM_BATCH 64
// Answers read per recvmmsg. At ~13,000 answers/s over 16 sockets a loop turn finds ~4 per socket,
// so 16 slots are rarely all used; each slot is 4097 bytes that stay resident once a burst has
// touched them (64 slots were 4.2 MB across the 16 sockets, fixed whatever the concurrency).
#define MTASTS_RECV_BATCH 16

// Sends `n` datagrams stored back to back in `buf` (lengths in `lens`) on a connected socket.
// Returns how many went out (all, unless the kernel refused one), or -1 with errno if none did.
static inline int mtasts_send_datagrams(int fd, const unsigned char *buf, const int *lens, int n) {
    struct mtasts_mmsghdr msgs[MTASTS_DATAGRAM_BATCH];
    struct iovec iov[MTASTS_DATAGRAM_BATCH];
    int sent = 0;
    size_t offset = 0;
    while (sent < n) {
        int k = n - sent < MTASTS_DATAGRAM_BATCH ? n - sent : MTASTS_DATAGRAM_BATCH;
        size_t o = offset;
        for (int i = 0; i < k; i++) {
            iov[i].iov_base = (void *)(buf + o);
            iov[i].iov_len = (size_t)lens[sent + i];
            o += (size_t)lens[sent + i];
            memset(&msgs[i], 0, sizeof msgs[i]);
            msgs[i].hdr.msg_iov = &iov[i];
            msgs[i].hdr.msg_iovlen = 1;
        }
        long r = syscall(SYS_sendmmsg, fd, msgs, (unsigned)k, 0);
        if (r <= 0) return sent > 0 ? sent : -1;
        for (long i = 0; i < r; i++) offset += (size_t)lens[sent + i];
        sent += (int)r;
    }
    return sent;
}

// Receives up to MTASTS_RECV_BATCH datagrams without waiting, each into its own `slot`-byte
// part of `buf` (a longer one is cut, as recvfrom into a `slot`-byte buffer would cut it), with
// lengths and source addresses. Returns the count, or -1 with errno (EAGAIN: none waiting).
static inline int mtasts_recv_datagrams(int fd, unsigned char *buf, int slot, int *lens,
                                        struct sockaddr_storage *from, unsigned *fromlens) {
    struct mtasts_mmsghdr msgs[MTASTS_RECV_BATCH];
    struct iovec iov[MTASTS_RECV_BATCH];
    for (int i = 0; i < MTASTS_RECV_BATCH; i++) {
        iov[i].iov_base = buf + (size_t)i * (size_t)slot;
        iov[i].iov_len = (size_t)slot;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].hdr.msg_name = &from[i];
        msgs[i].hdr.msg_namelen = sizeof from[i];
        msgs[i].hdr.msg_iov = &iov[i];
        msgs[i].hdr.msg_iovlen = 1;
    }
    long r = syscall(SYS_recvmmsg, fd, msgs, (unsigned)MTASTS_RECV_BATCH, MSG_DONTWAIT, (void *)0);
    if (r < 0) return -1;
    for (long i = 0; i < r; i++) {
        lens[i] = (int)msgs[i].len;
        fromlens[i] = msgs[i].hdr.msg_namelen;
    }
    return (int)r;
}

#define MTASTS_EPOLL_BATCH 256
static inline int mtasts_epoll_wait(int ep, int *fds, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event evs[MTASTS_EPOLL_BATCH];
    if (max > MTASTS_EPOLL_BATCH) max = MTASTS_EPOLL_BATCH;
    int n = epoll_wait(ep, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        fds[i] = evs[i].data.fd;
        events[i] = evs[i].events;
    }
    return n;
}

#endif
