/* The C ABI from many threads at once: THREADS threads each run CYCLES
 * blocking cycles of socket, connect, sendall, recv and close against an echo
 * server, while two other threads sit blocked — one in recv on a connection
 * that gets no data, one in accept on a listener nobody connects to — and at
 * the end the main thread closes those two sockets, which must wake both
 * with EBADF. No call may fail (no EALREADY), hang (each cycle has a timeout;
 * the blocked threads must be done within 2 s of the close) or leak (ASan,
 * and the board's fds all come back). The figure printed is the cycles per
 * second of all threads together. Built against the host library, or
 * (-DTHREADS_PORT) against the c-port library with tests/c/port_threads.c as
 * an RTOS-like frame port.
 *
 *   threads kernel KERNEL_IPV4 PORT [THREADS]: the echo server is the Linux
 *     kernel (a thread of this program with kernel sockets), over TAP in a
 *     namespace (harness/src/suites/threads.rs); the board's address from USOCKET_IPV4
 *     or its board file.
 *   threads self BOARD_IPV4 PORT [THREADS]: the echo server is this program on
 *     the board itself (an accept thread and a thread per connection, all
 *     blocking usocket calls), e.g. the loopback board on 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "usocket.h"

#ifdef THREADS_PORT
/* tests/c/port_threads.c: opens the TAP device and starts the stack. */
int port_threads_start(void);
#endif

#define MAX_THREADS 64
#define CYCLES 200
#define MESSAGE 64

static const char *kernel_ip;
static int port;

/* The kernel's side: accepts and echoes each connection in a thread of its own. */
static void *echo_one(void *arg) {
    int c = (int)(intptr_t)arg;
    char buf[MESSAGE];
    ssize_t n;
    while ((n = recv(c, buf, sizeof(buf), 0)) > 0) {
        if (send(c, buf, (size_t)n, MSG_NOSIGNAL) != n) {
            break;
        }
    }
    close(c);
    return NULL;
}

static void *echo_server(void *arg) {
    int l = (int)(intptr_t)arg;
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0) {
            return NULL;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, echo_one, (void *)(intptr_t)c) == 0) {
            pthread_detach(t);
        } else {
            close(c);
        }
    }
}

/* The board's side, for `self`: echoes one connection with blocking usocket calls. */
static void *usocket_echo_one(void *arg) {
    int32_t c = (int32_t)(intptr_t)arg;
    uint8_t buf[MESSAGE];
    intptr_t n;
    while ((n = usocket_recv(c, buf, sizeof(buf))) > 0) {
        if (usocket_sendall(c, buf, (size_t)n) < 0) {
            break;
        }
    }
    usocket_close(c);
    return NULL;
}

/* Accepts on the board until its listener is closed (accept then fails with EBADF). */
static void *usocket_echo_server(void *arg) {
    int32_t l = (int32_t)(intptr_t)arg;
    for (;;) {
        usocket_addr_t peer;
        int32_t c = usocket_accept(l, &peer);
        if (c < 0) {
            return (void *)(intptr_t)c;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, usocket_echo_one, (void *)(intptr_t)c) == 0) {
            pthread_detach(t);
        } else {
            usocket_close(c);
        }
    }
}

/* A listener on the board at ip:port; negative errno on failure. */
static int32_t usocket_listener(const char *ip, int listen_port) {
    usocket_addr_t at;
    int32_t l = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
    int32_t r = l < 0 ? l : usocket_addr_parse(ip, strlen(ip), listen_port, &at);
    if (r >= 0) {
        r = usocket_bind(l, &at);
    }
    if (r >= 0) {
        r = usocket_listen(l, 16);
    }
    if (r < 0 && l >= 0) {
        usocket_close(l);
    }
    return r < 0 ? r : l;
}

/* A thread blocked in one call on `fd` until another thread closes it. */
struct blocked {
    int32_t fd;
    int accept; /* 1: accept, 0: recv */
    intptr_t ret;
    int done;
    pthread_mutex_t m;
    pthread_cond_t cv;
};

static void *block_in_call(void *arg) {
    struct blocked *b = arg;
    uint8_t byte;
    usocket_addr_t peer;
    intptr_t r = b->accept ? usocket_accept(b->fd, &peer) : usocket_recv(b->fd, &byte, 1);
    pthread_mutex_lock(&b->m);
    b->ret = r;
    b->done = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->m);
    return NULL;
}

/* Waits up to 2 s for a blocked thread to return; 1 when it did with EBADF. */
static int woken_with_ebadf(struct blocked *b, const char *what) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    pthread_mutex_lock(&b->m);
    while (!b->done && pthread_cond_timedwait(&b->cv, &b->m, &until) == 0) {
    }
    int done = b->done;
    intptr_t ret = b->ret;
    pthread_mutex_unlock(&b->m);
    if (!done) {
        fprintf(stderr, "threads: the thread blocked in %s was not woken within 2 s of the close\n", what);
        return 0;
    }
    if (ret != -USOCKET_EBADF) {
        fprintf(stderr, "threads: the thread blocked in %s returned %ld after the close, not -EBADF\n", what, (long)ret);
        return 0;
    }
    printf("threads: the close woke the thread blocked in %s with EBADF\n", what);
    return 1;
}

struct result {
    int failures;
    char first[160];
};

static void fail(struct result *r, int cycle, const char *what, long ret) {
    if (r->failures++ == 0) {
        snprintf(r->first, sizeof(r->first), "cycle %d: %s returned %ld", cycle, what, ret);
    }
}

/* One client thread: CYCLES blocking cycles through the C ABI. */
static void *client(void *arg) {
    struct result *r = arg;
    usocket_addr_t to;
    if (usocket_addr_parse(kernel_ip, strlen(kernel_ip), port, &to) < 0) {
        fail(r, -1, "addr_parse", -1);
        return NULL;
    }
    for (int i = 0; i < CYCLES; i++) {
        int32_t s = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
        if (s < 0) {
            fail(r, i, "socket", s);
            continue;
        }
        char out[MESSAGE], in[MESSAGE];
        memset(out, 'a' + (i % 26), sizeof(out));
        int32_t ret = usocket_settimeout(s, 5000);
        if (ret < 0) {
            fail(r, i, "settimeout", ret);
        } else if ((ret = usocket_connect(s, &to)) < 0) {
            fail(r, i, "connect", ret);
        } else if ((ret = usocket_sendall(s, (const uint8_t *)out, sizeof(out))) < 0) {
            fail(r, i, "sendall", ret);
        } else {
            size_t got = 0;
            while (got < sizeof(in)) {
                intptr_t n = usocket_recv(s, (uint8_t *)in + got, sizeof(in) - got);
                if (n <= 0) {
                    fail(r, i, "recv", (long)n);
                    break;
                }
                got += (size_t)n;
            }
            if (got == sizeof(in) && memcmp(in, out, sizeof(in)) != 0) {
                fail(r, i, "the echo's bytes", 0);
            }
        }
        if ((ret = usocket_close(s)) < 0) {
            fail(r, i, "close", ret);
        }
    }
    return NULL;
}

/* How many TCP sockets the board can open now (all closed again). */
static int free_sockets(void) {
    int32_t fds[1024];
    int n = 0;
    while (n < 1024) {
        int32_t fd = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
        if (fd < 0) {
            break;
        }
        fds[n++] = fd;
    }
    for (int i = 0; i < n; i++) {
        usocket_close(fds[i]);
    }
    return n;
}

int main(int argc, char **argv) {
    int self = argc >= 2 && strcmp(argv[1], "self") == 0;
    if ((argc != 4 && argc != 5) || (!self && strcmp(argv[1], "kernel") != 0)) {
        fprintf(stderr, "usage: threads kernel|self IPV4 PORT [THREADS]\n");
        return 2;
    }
    kernel_ip = argv[2];
    port = atoi(argv[3]);
    int nthreads = argc == 5 ? atoi(argv[4]) : 8;
    if (nthreads < 1 || nthreads > MAX_THREADS) {
        fprintf(stderr, "threads: 1 to %d threads\n", MAX_THREADS);
        return 2;
    }
#ifdef THREADS_PORT
    if (port_threads_start() < 0) {
        return 1;
    }
#endif
    int32_t server_listener = -1;
    pthread_t server;
    if (self) {
        server_listener = usocket_listener(kernel_ip, port);
        if (server_listener < 0) {
            fprintf(stderr, "threads: the board's echo server: %ld\n", (long)server_listener);
            return 1;
        }
        pthread_create(&server, NULL, usocket_echo_server, (void *)(intptr_t)server_listener);
    } else {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        inet_pton(AF_INET, kernel_ip, &sa.sin_addr);
        if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 64) < 0) {
            perror("kernel echo server");
            return 1;
        }
        pthread_create(&server, NULL, echo_server, (void *)(intptr_t)l);
        pthread_detach(server);
    }

    int free_before = free_sockets();
    /* Two threads blocked for the whole run: in recv on a connection to the
     * echo server that is sent nothing, and in accept on a listener of the
     * board nobody connects to. */
    struct blocked in_recv = { .fd = -1, .accept = 0, .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
    struct blocked in_accept = { .fd = -1, .accept = 1, .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
    usocket_addr_t to;
    in_recv.fd = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
    int32_t r = usocket_addr_parse(kernel_ip, strlen(kernel_ip), port, &to);
    if (r < 0 || (r = usocket_connect(in_recv.fd, &to)) < 0) {
        fprintf(stderr, "threads: connect for the blocked recv: %ld\n", (long)r);
        return 1;
    }
    const char *any = self ? kernel_ip : "0.0.0.0";
    in_accept.fd = usocket_listener(any, port + 1);
    if (in_accept.fd < 0) {
        fprintf(stderr, "threads: the listener for the blocked accept: %ld\n", (long)in_accept.fd);
        return 1;
    }
    pthread_t blocked_threads[2];
    pthread_create(&blocked_threads[0], NULL, block_in_call, &in_recv);
    pthread_create(&blocked_threads[1], NULL, block_in_call, &in_accept);
    usleep(100000); /* both are inside their calls */

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t threads[MAX_THREADS];
    struct result results[MAX_THREADS];
    memset(results, 0, sizeof(results));
    for (int i = 0; i < nthreads; i++) {
        pthread_create(&threads[i], NULL, client, &results[i]);
    }
    int failures = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(threads[i], NULL);
        if (results[i].failures) {
            fprintf(stderr, "thread %d: %d failures, first: %s\n", i, results[i].failures, results[i].first);
        }
        failures += results[i].failures;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    usocket_close(in_recv.fd);
    usocket_close(in_accept.fd);
    int woken = woken_with_ebadf(&in_recv, "recv") + woken_with_ebadf(&in_accept, "accept");
    pthread_join(blocked_threads[0], NULL);
    pthread_join(blocked_threads[1], NULL);
    if (self) {
        usocket_close(server_listener);
        void *server_ret;
        pthread_join(server, &server_ret);
    }
    usleep(300000); /* the last closes finish their FIN exchange */
    int free_after = free_sockets();
    /* The board's echo server's listener was open when free_before was counted. */
    int expected = free_before + (self ? 1 : 0);
    printf("threads: %s, %d threads x %d cycles beside 2 blocked calls, %d failed, %.2f s, %.0f cycles/s; %d of %d sockets free after\n",
        self ? "board's own echo server" : "kernel echo server", nthreads, CYCLES, failures, s, nthreads * CYCLES / s, free_after, expected);
    return failures == 0 && woken == 2 && free_after == expected ? 0 : 1;
}
