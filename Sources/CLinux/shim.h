// Linux system calls that Swift's Glibc module does not export.
#ifndef MTASTS_CLINUX_SHIM_H
#define MTASTS_CLINUX_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

// struct epoll_event is declared packed on x86_64; Swift imports the struct but cannot form a
// pointer to the packed union member safely. These accessors keep that in C.
static inline void mtasts_epoll_event_set(struct epoll_event *ev, uint32_t events, int fd) {
    ev->events = events;
    ev->data.fd = fd;
}
static inline int mtasts_epoll_event_fd(const struct epoll_event *ev) { return ev->data.fd; }
static inline uint32_t mtasts_epoll_event_events(const struct epoll_event *ev) { return ev->events; }

#endif
