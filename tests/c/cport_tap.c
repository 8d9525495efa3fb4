/* The C frame port end to end: this program is the "firmware" of the c-port-tap
 * board. It implements usocket_port_transmit/now_us/wait over a Linux TAP
 * device and feeds received frames to usocket_port_receive(); the runtime
 * (libusocket.a of targets/cport-staticlib) does TCP, UDP and DNS through it against the Linux
 * kernel on the other end of the TAP link, inside the network namespace that
 * `cargo xtask test` creates (kernel 192.0.2.1 and 2001:db8::1 on tap0, this
 * board 192.0.2.2 and 2001:db8::2). The kernel side runs in threads using
 * ordinary kernel sockets. First the board talks to itself (127.0.0.1, ::1 and
 * its own addresses): TCP echo, UDP, a refused connect, and not one frame
 * through usocket_port_transmit. Prints "N passed, M failed". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "usocket_port.h"
#include "../../generated/boards/c-port-tap.h"

static int tap_fd = -1;
static int passed, failed;
static unsigned long long frames_in, frames_out, frames_dropped;
/* MLD reports (to 33:33:00:00:00:16): with the runtime's multicast feature
 * the interface reports its solicited-node groups, whatever the traffic. */
static unsigned long long mld_reports_out;

#define CHECK(cond, ...)                                                                                                                             \
    do {                                                                                                                                             \
        if (cond) {                                                                                                                                  \
            passed++;                                                                                                                                \
        } else {                                                                                                                                     \
            failed++;                                                                                                                                \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                                                                              \
            printf(__VA_ARGS__);                                                                                                                     \
            printf("\n");                                                                                                                            \
        }                                                                                                                                            \
    } while (0)

/* ---- the frame port, as a firmware would write it for its MAC ---- */

int32_t usocket_port_transmit(const uint8_t *frame, size_t frame_len) {
    ssize_t n = write(tap_fd, frame, frame_len);
    if (n < 0) {
        return errno == EAGAIN ? -USOCKET_EAGAIN : -USOCKET_EIO;
    }
    frames_out++;
    static const uint8_t mld_reports[6] = { 0x33, 0x33, 0, 0, 0, 0x16 };
    if (frame_len >= 6 && memcmp(frame, mld_reports, 6) == 0) {
        mld_reports_out++;
    }
    return 0;
}

uint64_t usocket_port_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Moves waiting frames from the TAP device into the runtime's ring, as a MAC
 * driver's receive interrupt or poll would; stops when the ring is full. */
static int drain(void) {
    static uint8_t frame[USOCKET_BOARD_FRAME_BYTES];
    int got = 0;
    for (;;) {
        ssize_t n = read(tap_fd, frame, sizeof frame);
        if (n <= 0) {
            return got;
        }
        int32_t r = usocket_port_receive(frame, (size_t)n);
        if (r == -USOCKET_ENOMEM) {
            frames_dropped++; /* ring full: dropped, as a MAC with full DMA rings drops */
            return got;
        }
        frames_in++;
        got++;
    }
}

int32_t usocket_port_wait(uint64_t until_us) {
    if (drain() > 0) {
        return 0;
    }
    uint64_t now = usocket_port_now_us();
    int timeout = -1;
    if (until_us != UINT64_MAX) {
        timeout = until_us <= now ? 0 : (int)((until_us - now + 999) / 1000);
    }
    struct pollfd p = { .fd = tap_fd, .events = POLLIN };
    if (poll(&p, 1, timeout) < 0 && errno == EINTR) {
        return -USOCKET_EINTR;
    }
    drain();
    return 0;
}

/* One thread calls the stack here: nothing to lock, nobody else to wake
 * (tests/c/port_threads.c is the port for several threads). */
void usocket_port_lock(void) {}
void usocket_port_unlock(void) {}
uint64_t usocket_port_task(void) { return 0; }
void usocket_port_wake(uint64_t task) { (void)task; }

static int open_tap(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    if (fd < 0) {
        perror("/dev/net/tun");
        exit(2);
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("TUNSETIFF");
        exit(2);
    }
    return fd;
}

/* ---- helpers ---- */

static uint32_t fnv(const uint8_t *p, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static void pattern(uint8_t *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)((i * 131u + seed) >> 3);
    }
}

static usocket_addr_t addr(const char *ip, int port) {
    usocket_addr_t a;
    int32_t r = usocket_addr_parse(ip, strlen(ip), port, &a);
    if (r < 0) {
        fprintf(stderr, "addr_parse(%s): %d\n", ip, r);
        exit(2);
    }
    return a;
}

#define BULK (256 * 1024)
static uint8_t bulk_out[BULK], bulk_in[BULK];

/* ---- kernel peers (threads with kernel sockets) ---- */

struct peer {
    int family;
    int port;
    int fd;
    uint32_t hash;
    size_t bytes;
};

/* Accepts one connection and echoes until EOF. */
static void *kernel_echo(void *arg) {
    struct peer *p = arg;
    int c = accept(p->fd, NULL, NULL);
    static uint8_t buf[16384];
    ssize_t n;
    while (c >= 0 && (n = read(c, buf, sizeof buf)) > 0) {
        p->bytes += (size_t)n;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(c, buf + off, (size_t)(n - off));
            if (w <= 0) {
                break;
            }
            off += w;
        }
    }
    if (c >= 0) {
        close(c);
    }
    return NULL;
}

static int kernel_listener(int family, const char *ip, int port) {
    int fd = socket(family, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *s = (struct sockaddr_in *)&ss;
        s->sin_family = AF_INET;
        s->sin_port = htons((uint16_t)port);
        inet_pton(AF_INET, ip, &s->sin_addr);
        len = sizeof *s;
    } else {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
        s->sin6_family = AF_INET6;
        s->sin6_port = htons((uint16_t)port);
        inet_pton(AF_INET6, ip, &s->sin6_addr);
        len = sizeof *s;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0) {
        perror("kernel listener");
        exit(2);
    }
    return fd;
}

/* Connects to the board and sends BULK bytes of pattern 7, then closes. */
static void *kernel_sender(void *arg) {
    struct peer *p = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p->port) };
    inet_pton(AF_INET, "192.0.2.2", &s.sin_addr);
    for (int tries = 0; tries < 200 && connect(fd, (struct sockaddr *)&s, sizeof s) < 0; tries++) {
        close(fd);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        usleep(10000);
    }
    static uint8_t data[BULK];
    pattern(data, BULK, 7);
    p->hash = fnv(data, BULK, 2166136261u);
    for (size_t off = 0; off < BULK;) {
        ssize_t w = write(fd, data + off, BULK - off);
        if (w <= 0) {
            break;
        }
        off += (size_t)w;
        p->bytes = off;
    }
    close(fd);
    return NULL;
}

/* Answers one DNS query for any name with A 192.0.2.1 (and no AAAA records). */
static void *kernel_dns(void *arg) {
    struct peer *p = arg;
    uint8_t q[512];
    for (int i = 0; i < 4; i++) {
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(p->fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
        if (n < 12) {
            return NULL;
        }
        size_t qend = 12;
        while (qend < (size_t)n && q[qend] != 0) {
            qend += q[qend] + 1u;
        }
        qend += 5; /* root label, QTYPE, QCLASS */
        if (qend > (size_t)n) {
            continue;
        }
        int is_a = q[qend - 4] == 0 && q[qend - 3] == 1;
        uint8_t r[512];
        memcpy(r, q, qend);
        r[2] = 0x81; /* response, recursion desired */
        r[3] = 0x80; /* recursion available, no error */
        r[6] = 0;
        r[7] = is_a ? 1 : 0; /* ANCOUNT */
        r[8] = r[9] = r[10] = r[11] = 0;
        size_t len = qend;
        if (is_a) {
            const uint8_t answer[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 };
            memcpy(r + len, answer, sizeof answer);
            len += sizeof answer;
        }
        sendto(p->fd, r, len, 0, (struct sockaddr *)&from, fl);
        p->bytes++;
    }
    return NULL;
}

/* ---- the checks, through the generated C ABI ---- */

static void tcp_echo(int family, const char *kernel_ip, int port) {
    struct peer p = { .family = family, .port = port, .fd = kernel_listener(family == USOCKET_AF_INET ? AF_INET : AF_INET6, kernel_ip, port) };
    pthread_t t;
    pthread_create(&t, NULL, kernel_echo, &p);
    int32_t s = usocket_socket(family, USOCKET_SOCK_STREAM, 0);
    usocket_addr_t a = addr(kernel_ip, port);
    int32_t r = usocket_connect(s, &a);
    CHECK(r == 0, "connect to %s: %d", kernel_ip, r);
    usocket_settimeout(s, 10000);
    pattern(bulk_out, BULK, (unsigned)port);
    /* Send and receive in slices so neither side's buffers fill. */
    size_t sent = 0, got = 0;
    while (got < BULK && r == 0) {
        if (sent < BULK) {
            size_t n = BULK - sent < 1024 ? BULK - sent : 1024;
            intptr_t w = usocket_send(s, bulk_out + sent, n);
            if (w < 0) {
                CHECK(0, "send: %ld", (long)w);
                break;
            }
            sent += (size_t)w;
        }
        intptr_t n = usocket_recv(s, bulk_in + got, BULK - got);
        if (n <= 0) {
            CHECK(0, "recv after %zu bytes: %ld", got, (long)n);
            break;
        }
        got += (size_t)n;
    }
    CHECK(got == BULK && fnv(bulk_in, BULK, 2166136261u) == fnv(bulk_out, BULK, 2166136261u), "TCP echo via %s: %zu of %d bytes, hashes differ?",
          kernel_ip, got, BULK);
    usocket_close(s);
    pthread_join(t, NULL);
    close(p.fd);
    CHECK(p.bytes == BULK, "kernel saw %zu bytes", p.bytes);
}

static void tcp_accept(void) {
    int32_t l = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
    usocket_addr_t a = addr("0.0.0.0", 7002);
    CHECK(usocket_bind(l, &a) == 0, "bind 7002");
    CHECK(usocket_listen(l, 2) == 0, "listen");
    usocket_settimeout(l, 10000);
    struct peer p = { .port = 7002 };
    pthread_t t;
    pthread_create(&t, NULL, kernel_sender, &p);
    usocket_addr_t from;
    int32_t c = usocket_accept(l, &from);
    CHECK(c >= 0, "accept: %d", c);
    size_t got = 0;
    if (c >= 0) {
        usocket_settimeout(c, 10000);
        intptr_t n;
        while (got < BULK && (n = usocket_recv(c, bulk_in + got, BULK - got)) > 0) {
            got += (size_t)n;
        }
        CHECK(usocket_recv(c, bulk_in, 16) == 0, "EOF after the data");
        usocket_close(c);
    }
    pthread_join(t, NULL);
    CHECK(got == BULK && fnv(bulk_in, BULK, 2166136261u) == p.hash, "kernel -> board: %zu of %d bytes, hash %s", got, BULK,
          got == BULK ? "differs" : "-");
    usocket_close(l);
}

/* A bare-metal main loop, as examples/firmware/main.c: no call blocks; each
 * turn takes the frames, pumps, makes non-blocking calls, then sleeps in
 * poll(2) on the TAP device (the receive interrupt) for usocket_poll_delay()'s
 * delay. The kernel sends BULK bytes; the loop must get them all, and sleep
 * (a delay of 0 in at most half its turns: it does not spin). */
static void main_loop(void) {
    int32_t l = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
    usocket_addr_t a = addr("0.0.0.0", 7004);
    CHECK(usocket_bind(l, &a) == 0 && usocket_listen(l, 2) == 0 && usocket_setblocking(l, 0) == 0, "main loop: listen on 7004");
    struct peer p = { .port = 7004 };
    pthread_t t;
    pthread_create(&t, NULL, kernel_sender, &p);
    int32_t c = -1;
    size_t got = 0;
    int eof = 0, turns = 0, at_once = 0, bad = 0;
    uint64_t start = usocket_port_now_us();
    while (!eof && turns < 200000 && usocket_port_now_us() - start < 20000000u) {
        turns++;
        drain();
        usocket_pump();
        if (c < 0) {
            usocket_addr_t from;
            c = usocket_accept(l, &from);
            if (c >= 0) {
                usocket_setblocking(c, 0);
            }
        }
        if (c >= 0) {
            intptr_t n;
            while ((n = usocket_recv(c, bulk_in + got, BULK - got)) > 0 && got < BULK) {
                got += (size_t)n;
            }
            eof = n == 0 || got == BULK;
        }
        int32_t ms = -2;
        bad += usocket_poll_delay(&ms) != 0 || ms < -1;
        at_once += ms == 0;
        struct pollfd pf = { .fd = tap_fd, .events = POLLIN };
        poll(&pf, 1, ms);
    }
    pthread_join(t, NULL);
    CHECK(got == BULK && fnv(bulk_in, BULK, 2166136261u) == p.hash, "main loop: kernel -> board %zu of %d bytes", got, BULK);
    CHECK(bad == 0, "main loop: usocket_poll_delay failed or gave < -1 in %d turns", bad);
    CHECK(at_once * 2 <= turns, "main loop: a delay of 0 in %d of %d turns (spinning)", at_once, turns);
    printf("main loop: %d KiB in %d turns (%d without sleeping), %llu ms\n", BULK / 1024, turns, at_once,
           (unsigned long long)((usocket_port_now_us() - start) / 1000));
    usocket_close(c);
    usocket_close(l);
}

static void udp_echo(void) {
    int k = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ks = { .sin_family = AF_INET, .sin_port = htons(7003) };
    inet_pton(AF_INET, "192.0.2.1", &ks.sin_addr);
    bind(k, (struct sockaddr *)&ks, sizeof ks);
    int32_t s = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_DGRAM, 0);
    usocket_settimeout(s, 5000);
    usocket_addr_t a = addr("192.0.2.1", 7003);
    const char msg[] = "datagram over the frame port";
    CHECK(usocket_sendto(s, (const uint8_t *)msg, sizeof msg, &a) == (intptr_t)sizeof msg, "sendto");
    char buf[128];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    struct pollfd pf = { .fd = k, .events = POLLIN };
    /* The kernel side answers; the board's side must be waiting in recvfrom to take the ARP exchange, so poll first. */
    CHECK(poll(&pf, 1, 5000) == 1, "kernel got the datagram");
    ssize_t n = recvfrom(k, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    CHECK(n == (ssize_t)sizeof msg && memcmp(buf, msg, sizeof msg) == 0, "kernel received %zd bytes", n);
    sendto(k, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    usocket_addr_t peer;
    uint8_t back[128];
    intptr_t m = usocket_recvfrom(s, back, sizeof back, &peer);
    CHECK(m == (intptr_t)sizeof msg && memcmp(back, msg, sizeof msg) == 0, "board received %ld bytes", (long)m);
    CHECK(peer.port == 7003, "from port %u", peer.port);
    usocket_close(s);
    close(k);
}

static void dns_lookup(void) {
    struct peer p = { .fd = socket(AF_INET, SOCK_DGRAM, 0) };
    struct sockaddr_in ks = { .sin_family = AF_INET, .sin_port = htons(53) };
    inet_pton(AF_INET, "192.0.2.1", &ks.sin_addr);
    if (bind(p.fd, (struct sockaddr *)&ks, sizeof ks) < 0) {
        perror("bind :53");
        exit(2);
    }
    pthread_t t;
    pthread_create(&t, NULL, kernel_dns, &p);
    usocket_addrinfo_t out[4];
    const char *host = "board.test";
    intptr_t n = usocket_getaddrinfo(host, strlen(host), 80, USOCKET_AF_INET, 0, 0, 0, out, 4);
    CHECK(n >= 1, "getaddrinfo(%s): %ld", host, (long)n);
    if (n >= 1) {
        char text[64];
        intptr_t l = usocket_addr_format(&out[0].addr, text, sizeof text);
        CHECK(l > 0 && strncmp(text, "192.0.2.1", (size_t)l) == 0 && out[0].addr.port == 80, "resolved to %.*s port %u", (int)l, text,
              out[0].addr.port);
    }
    shutdown(p.fd, SHUT_RDWR);
    close(p.fd);
    pthread_join(t, NULL);
    CHECK(p.bytes >= 1, "the kernel-side DNS server answered %zu queries", p.bytes);
}

/* ---- the board talking to itself: 127.0.0.1, ::1 and its own addresses, never on the wire ---- */

static uint8_t echo_buf[4096];

/* Connects to the board's own listener at ip:port and echoes BULK bytes
 * through it, client and server non-blocking on this one stack. */
static void self_echo(int32_t family, const char *ip, int port) {
    usocket_addr_t a = addr(ip, port), from;
    int32_t l = usocket_socket(family, USOCKET_SOCK_STREAM, 0);
    CHECK(usocket_bind(l, &a) == 0 && usocket_listen(l, 1) == 0, "listen on %s", ip);
    int32_t c = usocket_socket(family, USOCKET_SOCK_STREAM, 0);
    usocket_settimeout(c, 5000);
    int32_t r = usocket_connect(c, &a);
    CHECK(r == 0, "connect to itself at %s: %d", ip, r);
    int32_t srv = r == 0 ? usocket_accept(l, &from) : -1;
    CHECK(srv >= 0, "accept over %s: %d", ip, srv);
    pattern(bulk_out, BULK, (unsigned)port);
    size_t sent = 0, got = 0, pending = 0, off = 0;
    uint64_t start = usocket_port_now_us();
    if (srv >= 0) {
        usocket_setblocking(c, 0);
        usocket_setblocking(srv, 0);
    }
    while (srv >= 0 && got < BULK && usocket_port_now_us() - start < 20000000u) {
        if (sent < BULK) {
            intptr_t w = usocket_send(c, bulk_out + sent, BULK - sent < 1024 ? BULK - sent : 1024);
            sent += w > 0 ? (size_t)w : 0;
        }
        if (pending == 0) {
            intptr_t n = usocket_recv(srv, echo_buf, sizeof echo_buf);
            pending = n > 0 ? (size_t)n : 0;
            off = 0;
        }
        if (pending > 0) {
            intptr_t w = usocket_send(srv, echo_buf + off, pending);
            if (w > 0) {
                off += (size_t)w;
                pending -= (size_t)w;
            }
        }
        intptr_t n = usocket_recv(c, bulk_in + got, BULK - got);
        got += n > 0 ? (size_t)n : 0;
    }
    CHECK(got == BULK && fnv(bulk_in, BULK, 2166136261u) == fnv(bulk_out, BULK, 2166136261u), "echo over %s: %zu of %d bytes, hashes %s", ip, got,
          BULK, got == BULK ? "differ" : "-");
    printf("echo over %s: %d KiB each way in %llu ms\n", ip, BULK / 1024, (unsigned long long)((usocket_port_now_us() - start) / 1000));
    usocket_close(c);
    if (srv >= 0) {
        usocket_close(srv);
    }
    usocket_close(l);
}

/* A datagram to itself, and a connect to a closed port of its own: refused at once. */
static void self_udp_and_refused(int32_t family, const char *ip) {
    usocket_addr_t a = addr(ip, 7100), from;
    int32_t rx = usocket_socket(family, USOCKET_SOCK_DGRAM, 0), tx = usocket_socket(family, USOCKET_SOCK_DGRAM, 0);
    CHECK(usocket_bind(rx, &a) == 0, "bind %s", ip);
    usocket_settimeout(rx, 2000);
    const char msg[] = "a datagram to itself";
    CHECK(usocket_sendto(tx, (const uint8_t *)msg, sizeof msg, &a) == (intptr_t)sizeof msg, "sendto %s", ip);
    uint8_t back[64];
    intptr_t n = usocket_recvfrom(rx, back, sizeof back, &from);
    CHECK(n == (intptr_t)sizeof msg && memcmp(back, msg, sizeof msg) == 0, "UDP to itself over %s: %ld bytes", ip, (long)n);
    usocket_close(rx);
    usocket_close(tx);
    int32_t c = usocket_socket(family, USOCKET_SOCK_STREAM, 0);
    usocket_settimeout(c, 5000);
    usocket_addr_t closed = addr(ip, 7101);
    uint64_t start = usocket_port_now_us();
    int32_t r = usocket_connect(c, &closed);
    CHECK(r == -USOCKET_ECONNREFUSED && usocket_port_now_us() - start < 1000000u, "connect to a closed port on %s: %d after %llu us", ip, r,
          (unsigned long long)(usocket_port_now_us() - start));
    usocket_close(c);
}

static void loopback(void) {
    unsigned long long out_before = frames_out - mld_reports_out;
    self_echo(USOCKET_AF_INET, "127.0.0.1", 7010);
    self_echo(USOCKET_AF_INET6, "::1", 7011);
    self_echo(USOCKET_AF_INET, "192.0.2.2", 7012);
    self_echo(USOCKET_AF_INET6, "2001:db8::2", 7013);
    self_udp_and_refused(USOCKET_AF_INET, "127.0.0.1");
    self_udp_and_refused(USOCKET_AF_INET6, "::1");
    unsigned long long out_after = frames_out - mld_reports_out;
    CHECK(out_after == out_before, "the board talking to itself wrote %llu frames to the TAP device", out_after - out_before);
}

int main(int argc, char **argv) {
    tap_fd = open_tap(argc > 1 ? argv[1] : "tap0");
    CHECK(usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0) == -USOCKET_ENODEV, "socket before start: ENODEV");
    CHECK(usocket_port_start(NULL, 1) == -USOCKET_EINVAL, "start without the MAC this board needs: EINVAL");
    const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
    CHECK(usocket_port_start(mac, (uint64_t)time(NULL) ^ (uint64_t)getpid()) == 0, "start");
    CHECK(usocket_port_start(mac, 1) == -USOCKET_EALREADY, "second start: EALREADY");
    uint8_t big[USOCKET_BOARD_FRAME_BYTES + 1];
    memset(big, 0, sizeof big);
    CHECK(usocket_port_receive(big, sizeof big) == -USOCKET_EMSGSIZE, "oversized frame: EMSGSIZE");
    CHECK(usocket_port_receive(NULL, 10) == -USOCKET_EINVAL, "NULL frame: EINVAL");

    loopback();
    tcp_echo(USOCKET_AF_INET, "192.0.2.1", 7000);
    tcp_echo(USOCKET_AF_INET6, "2001:db8::1", 7001);
    tcp_accept();
    main_loop();
    udp_echo();
    dns_lookup();

    printf("frames: %llu in, %llu out, %llu dropped at a full receive ring\n", frames_in, frames_out, frames_dropped);
    printf("c-port over TAP: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
