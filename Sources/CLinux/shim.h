// Linux system calls that Swift's Glibc module does not export.
#ifndef MTASTS_CLINUX_SHIM_H
#define MTASTS_CLINUX_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/random.h>

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
