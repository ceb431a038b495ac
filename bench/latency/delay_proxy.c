// delay_proxy: internet-like latency in front of the loopback world's servers (issue 19).
// This kernel has no netem, so the delay is made here: one single-threaded epoll loop.
//
//   delay_proxy CONFIG PIDFILE
//
// CONFIG, one directive a line ('#' comments):
//   dns MEDIAN_MS SIGMA MAX_MS DEAD_PERMILLE   per-zone DNS delay (lognormal) and dead zones
//   tcpdist MEDIAN_MS SIGMA MAX_MS             per-connection delay for `tcp` listeners
//   udp-dns LIP LPORT BIP BPORT                UDP DNS: each query held for its zone's delay, then
//                                              forwarded; queries of a dead zone are dropped
//   tcp-dns LIP LPORT BIP BPORT                TCP DNS: the connection is held for a delay drawn
//                                              from the dns distribution (by connection number)
//   tcp LIP LPORT BIP BPORT                    HTTPS/SMTP: the backend connection is made only
//                                              after a tcpdist delay, so the TLS handshake or the
//                                              SMTP greeting comes that much later
//
// The zone of a query name is its last two labels ("_mta-sts.d0000001.test" -> "d0000001.test").
// Its delay and whether it is dead are a pure function of the zone's bytes (FNV-1a 64, then
// splitmix64), so bench/latency/latency_truth.py computes the same set of dead zones from the
// world's domain list. Dead zones are only two-label zones under "test." (the surveyed domains);
// the providers' zones under "example." are slow but never dead. See bench/latency/README.md.
//
// On SIGTERM/SIGINT it writes its counters to stderr and exits. Its CPU is measured from
// /proc/PID/stat by bench/latency/run.sh.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 1024
#define UPSTREAMS 8            // UDP sockets towards the backend: 8 x 65536 query ids in flight
#define BUF 16384

typedef struct { double median_ms, sigma, max_ms; } Dist;
static Dist dns_dist = {30, 1.0, 1000}, tcp_dist = {50, 1.0, 2000};
static int dead_permille = 10;

enum { K_UDP_LISTEN, K_UDP_UP, K_TCP_LISTEN, K_CONN_END };
typedef struct { int kind; } Tag;
struct Listener;
typedef struct { Tag tag; struct Listener *l; int u; } UpTag;

typedef struct Listener {
    Tag tag; int fd; int tcp_dns; struct sockaddr_in backend;
    int up[UPSTREAMS]; UpTag uptag[UPSTREAMS];   // UDP only
} Listener;

typedef struct { struct sockaddr_in client; uint16_t id; uint8_t used; } Slot;

typedef struct Conn Conn;
typedef struct { Tag tag; Conn *c; int side; } End;
struct Conn {
    int fd[2];                 // 0 client, 1 backend
    End end[2];
    char buf[2][BUF];          // buf[d]: read from fd[d], to be written to fd[1-d]
    int len[2], off[2], eof[2], shut[2];
    Listener *l;
    int connected, dead;
    Conn *next_dead;
};

// Timer heap: a UDP query to forward, or a TCP connection to open.
typedef struct { uint64_t due; Listener *l; Conn *c; struct sockaddr_in client; int len; char *pkt; } Ev;
static Ev *heap; static size_t heap_n, heap_cap;

static int ep;
static Listener listeners[MAX_LISTENERS]; static int n_listeners;
static Slot *slots[MAX_LISTENERS];
static uint64_t next_query;
static volatile sig_atomic_t stop;
static unsigned long long n_queries, n_dropped, n_forwarded, n_answers, n_unmatched, n_conns, n_conn_fail;

static uint64_t now_ns(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ull; }
    return h;
}
static uint64_t splitmix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
// Lognormal with the given median and sigma, capped; two uniforms from one 64-bit hash.
static double draw_ms(const Dist *d, uint64_t h) {
    double u1 = ((double)(h & 0xffffffffu) + 0.5) / 4294967296.0;
    double u2 = ((double)(h >> 32) + 0.5) / 4294967296.0;
    double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
    double ms = d->median_ms * exp(d->sigma * z);
    return ms > d->max_ms ? d->max_ms : ms;
}

static void heap_push(Ev e) {
    if (heap_n == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 4096;
        heap = realloc(heap, heap_cap * sizeof(Ev));
        if (!heap) { perror("realloc"); exit(1); }
    }
    size_t i = heap_n++;
    while (i > 0) { size_t p = (i - 1) / 2; if (heap[p].due <= e.due) break; heap[i] = heap[p]; i = p; }
    heap[i] = e;
}
static Ev heap_pop(void) {
    Ev top = heap[0], last = heap[--heap_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= heap_n) break;
        if (c + 1 < heap_n && heap[c + 1].due < heap[c].due) c++;
        if (last.due <= heap[c].due) break;
        heap[i] = heap[c]; i = c;
    }
    if (heap_n) heap[i] = last;
    return top;
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }
static void add(int fd, uint32_t events, void *ptr) {
    struct epoll_event e = {.events = events, .data.ptr = ptr};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0) { perror("epoll_ctl add"); exit(1); }
}
static void mod(int fd, uint32_t events, void *ptr) {
    struct epoll_event e = {.events = events, .data.ptr = ptr};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}
static struct sockaddr_in addr_of(const char *ip, const char *port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) { fprintf(stderr, "delay_proxy: bad address %s\n", ip); exit(1); }
    return a;
}

// The zone (last two labels, lower case, no final dot) of the question name, or -1.
static int zone_of(const unsigned char *p, int n, char *zone, size_t cap) {
    if (n < 13) return -1;
    char name[256]; size_t len = 0; int i = 12;
    size_t starts[128]; int labels = 0;
    while (i < n && p[i] != 0) {
        int l = p[i];
        if (l > 63 || i + 1 + l > n || len + l + 1 >= sizeof name || labels == 128) return -1;
        starts[labels++] = len;
        for (int k = 0; k < l; k++) { char ch = (char)p[i + 1 + k]; name[len++] = (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch; }
        name[len++] = '.';
        i += 1 + l;
    }
    if (i >= n) return -1;
    if (len) len--;            // the final dot
    size_t from = labels >= 2 ? starts[labels - 2] : 0;
    size_t zl = len - from;
    if (zl >= cap) return -1;
    memcpy(zone, name + from, zl); zone[zl] = 0;
    return labels;
}

static int zone_dead(const char *zone, int labels) {
    size_t n = strlen(zone);
    if (labels < 2 || n < 6 || strcmp(zone + n - 5, ".test") != 0) return 0;
    return splitmix(fnv1a(zone, n)) % 1000 < (uint64_t)dead_permille;
}

static void udp_listen_readable(Listener *l) {
    unsigned char pkt[4096];
    for (;;) {
        struct sockaddr_in from; socklen_t fl = sizeof from;
        ssize_t n = recvfrom(l->fd, pkt, sizeof pkt, 0, (struct sockaddr *)&from, &fl);
        if (n < 0) return;
        n_queries++;
        char zone[256]; int labels = zone_of(pkt, (int)n, zone, sizeof zone);
        if (labels < 0) continue;
        if (zone_dead(zone, labels)) { n_dropped++; continue; }
        double ms = draw_ms(&dns_dist, fnv1a(zone, strlen(zone)));
        Ev e = {.due = now_ns() + (uint64_t)(ms * 1e6), .l = l, .client = from, .len = (int)n};
        e.pkt = malloc((size_t)n);
        memcpy(e.pkt, pkt, (size_t)n);
        heap_push(e);
    }
}

static void udp_forward(Ev *e) {
    Listener *l = e->l;
    uint64_t q = next_query++;
    int u = (int)(q % UPSTREAMS); uint16_t id = (uint16_t)(q / UPSTREAMS);
    Slot *s = &slots[l - listeners][u * 65536 + id];
    s->client = e->client; s->used = 1;
    memcpy(&s->id, e->pkt, 2);
    memcpy(e->pkt, &id, 2);
    if (send(l->up[u], e->pkt, (size_t)e->len, 0) >= 0) n_forwarded++;
    free(e->pkt);
}

static void udp_up_readable(Listener *l, int u) {
    unsigned char pkt[65536];
    for (;;) {
        ssize_t n = recv(l->up[u], pkt, sizeof pkt, 0);
        if (n < 0) return;
        if (n < 12) continue;
        uint16_t id; memcpy(&id, pkt, 2);
        Slot *s = &slots[l - listeners][u * 65536 + id];
        if (!s->used) { n_unmatched++; continue; }
        s->used = 0;
        memcpy(pkt, &s->id, 2);
        sendto(l->fd, pkt, (size_t)n, 0, (struct sockaddr *)&s->client, sizeof s->client);
        n_answers++;
    }
}

// Freed only after the current epoll batch: a later event of the same batch may name the other end.
static Conn *dead_conns;
static void conn_close(Conn *c) {
    if (c->dead) return;
    for (int i = 0; i < 2; i++) if (c->fd[i] >= 0) { close(c->fd[i]); c->fd[i] = -1; }  // leaves epoll too
    c->dead = 1; c->next_dead = dead_conns; dead_conns = c;
}
static void free_dead(void) {
    while (dead_conns) { Conn *c = dead_conns; dead_conns = c->next_dead; free(c); }
}

// Interest of each end: read while its buffer is empty, write while the other's is not.
static void conn_update(Conn *c) {
    for (int i = 0; i < 2; i++) {
        if (c->fd[i] < 0) continue;
        uint32_t ev = 0;
        if (!c->eof[i] && c->len[i] == 0) ev |= EPOLLIN;
        if (c->len[1 - i] > c->off[1 - i]) ev |= EPOLLOUT;
        mod(c->fd[i], ev, &c->end[i]);
    }
}

static int conn_flush(Conn *c, int d) {  // write buf[d] to fd[1-d]; -1 on error
    while (c->off[d] < c->len[d]) {
        ssize_t w = send(c->fd[1 - d], c->buf[d] + c->off[d], (size_t)(c->len[d] - c->off[d]), MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN ? 0 : -1;
        c->off[d] += (int)w;
    }
    c->off[d] = c->len[d] = 0;
    if (c->eof[d] && !c->shut[d]) { shutdown(c->fd[1 - d], SHUT_WR); c->shut[d] = 1; }
    return 0;
}

static void conn_event(End *e, uint32_t events) {
    Conn *c = e->c; int i = e->side;
    if (c->dead) return;
    if (!c->connected) {          // the backend's connect finished
        int err = 0; socklen_t el = sizeof err;
        getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &el);
        if (err || (events & (EPOLLERR | EPOLLHUP))) { n_conn_fail++; conn_close(c); return; }
        c->connected = 1;
        add(c->fd[0], EPOLLIN, &c->end[0]);
        conn_update(c);
        return;
    }
    if (events & EPOLLOUT) { if (conn_flush(c, 1 - i) < 0) { conn_close(c); return; } }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (!c->eof[i] && c->len[i] == 0) {
            ssize_t r = recv(c->fd[i], c->buf[i], BUF, 0);
            if (r < 0 && errno != EAGAIN) { conn_close(c); return; }
            if (r == 0) c->eof[i] = 1;
            if (r > 0) c->len[i] = (int)r;
            if (conn_flush(c, i) < 0) { conn_close(c); return; }
        }
    }
    if (c->eof[0] && c->eof[1] && c->len[0] == 0 && c->len[1] == 0) { conn_close(c); return; }
    conn_update(c);
}

static void tcp_accept(Listener *l) {
    for (;;) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) return;
        n_conns++;
        Conn *c = calloc(1, sizeof *c);
        c->fd[0] = fd; c->fd[1] = -1; c->l = l;
        for (int i = 0; i < 2; i++) { c->end[i].tag.kind = K_CONN_END; c->end[i].c = c; c->end[i].side = i; }
        double ms = draw_ms(l->tcp_dns ? &dns_dist : &tcp_dist, splitmix(n_conns ^ ((uint64_t)(l - listeners) << 40)));
        heap_push((Ev){.due = now_ns() + (uint64_t)(ms * 1e6), .l = l, .c = c});
    }
}

static void tcp_open(Conn *c) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) { n_conn_fail++; conn_close(c); return; }
    int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd[1] = fd;
    if (connect(fd, (struct sockaddr *)&c->l->backend, sizeof c->l->backend) < 0 && errno != EINPROGRESS) {
        n_conn_fail++; conn_close(c); return;
    }
    add(fd, EPOLLOUT, &c->end[1]);
}

static void open_listener(const char *kind, char **a) {
    if (n_listeners == MAX_LISTENERS) { fprintf(stderr, "delay_proxy: too many listeners\n"); exit(1); }
    Listener *l = &listeners[n_listeners];
    struct sockaddr_in la = addr_of(a[0], a[1]);
    l->backend = addr_of(a[2], a[3]);
    int udp = strcmp(kind, "udp-dns") == 0;
    l->tcp_dns = strcmp(kind, "tcp-dns") == 0;
    l->fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    int one = 1, big = 4 << 20;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (udp) { setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big); setsockopt(l->fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big); }
    if (bind(l->fd, (struct sockaddr *)&la, sizeof la) < 0) {
        fprintf(stderr, "delay_proxy: bind %s:%s: %s\n", a[0], a[1], strerror(errno)); exit(1);
    }
    nonblock(l->fd);
    if (udp) {
        l->tag.kind = K_UDP_LISTEN;
        slots[n_listeners] = calloc((size_t)UPSTREAMS * 65536, sizeof(Slot));
        for (int u = 0; u < UPSTREAMS; u++) {
            l->up[u] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
            setsockopt(l->up[u], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
            if (connect(l->up[u], (struct sockaddr *)&l->backend, sizeof l->backend) < 0) { perror("connect"); exit(1); }
            l->uptag[u] = (UpTag){{K_UDP_UP}, l, u};
            add(l->up[u], EPOLLIN, &l->uptag[u]);
        }
    } else {
        l->tag.kind = K_TCP_LISTEN;
        if (listen(l->fd, 4096) < 0) { perror("listen"); exit(1); }
    }
    add(l->fd, EPOLLIN, &l->tag);
    n_listeners++;
}

static void on_signal(int s) { (void)s; stop = 1; }

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: delay_proxy CONFIG PIDFILE\n"); return 2; }
    ep = epoll_create1(0);
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *w[8]; int n = 0;
        for (char *t = strtok(line, " \t\n"); t && n < 8; t = strtok(NULL, " \t\n")) w[n++] = t;
        if (n == 0 || w[0][0] == '#') continue;
        if (!strcmp(w[0], "dns") && n == 5) {
            dns_dist = (Dist){atof(w[1]), atof(w[2]), atof(w[3])}; dead_permille = atoi(w[4]);
        } else if (!strcmp(w[0], "tcpdist") && n == 4) {
            tcp_dist = (Dist){atof(w[1]), atof(w[2]), atof(w[3])};
        } else if ((!strcmp(w[0], "udp-dns") || !strcmp(w[0], "tcp-dns") || !strcmp(w[0], "tcp")) && n == 5) {
            open_listener(w[0], w + 1);
        } else { fprintf(stderr, "delay_proxy: bad config line: %s\n", w[0]); return 1; }
    }
    fclose(f);
    signal(SIGTERM, on_signal); signal(SIGINT, on_signal); signal(SIGPIPE, SIG_IGN);
    FILE *p = fopen(argv[2], "w");
    if (!p) { perror(argv[2]); return 1; }
    fprintf(p, "%d\n", getpid()); fclose(p);

    struct epoll_event evs[256];
    while (!stop) {
        int timeout = -1;
        uint64_t t = now_ns();
        while (heap_n && heap[0].due <= t) {
            Ev e = heap_pop();
            if (e.c) tcp_open(e.c); else udp_forward(&e);
        }
        if (heap_n) timeout = (int)((heap[0].due - t + 999999) / 1000000);
        int n = epoll_wait(ep, evs, 256, timeout);
        for (int i = 0; i < n; i++) {
            Tag *tag = evs[i].data.ptr;
            switch (tag->kind) {
            case K_UDP_LISTEN: udp_listen_readable((Listener *)tag); break;
            case K_UDP_UP: udp_up_readable(((UpTag *)tag)->l, ((UpTag *)tag)->u); break;
            case K_TCP_LISTEN: tcp_accept((Listener *)tag); break;
            case K_CONN_END: conn_event((End *)tag, evs[i].events); break;
            }
        }
        free_dead();
    }
    fprintf(stderr, "delay_proxy: %llu queries, %llu dropped (dead zones), %llu forwarded, %llu answers, "
            "%llu unmatched; %llu tcp connections, %llu backend connects failed\n",
            n_queries, n_dropped, n_forwarded, n_answers, n_unmatched, n_conns, n_conn_fail);
    unlink(argv[2]);
    return 0;
}
