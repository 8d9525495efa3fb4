/* The host library's C ABI from many threads at once: THREADS threads each
 * run CYCLES blocking cycles of socket, connect, send, recv and close
 * against an echo server on the Linux kernel (a thread of this program with
 * kernel sockets), over the TAP board in a network namespace (cargo xtask
 * test, step c, as root: xtask/src/threads.rs). No call may fail (no
 * EALREADY: a call waits its turn), hang (each has a timeout) or leak (ASan,
 * and the board's fds all come back). Calls on the stack still take turns;
 * the figure printed is the cycles per second of all threads together.
 *
 * Usage: threads KERNEL_IPV4 PORT [THREADS] (8 by default; the board's own
 * address comes from USOCKET_IPV4). */
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
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: threads KERNEL_IPV4 PORT [THREADS]\n");
        return 2;
    }
    kernel_ip = argv[1];
    port = atoi(argv[2]);
    int nthreads = argc == 4 ? atoi(argv[3]) : 8;
    if (nthreads < 1 || nthreads > MAX_THREADS) {
        fprintf(stderr, "threads: 1 to %d threads\n", MAX_THREADS);
        return 2;
    }
    int l = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, kernel_ip, &sa.sin_addr);
    if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 64) < 0) {
        perror("kernel echo server");
        return 1;
    }
    pthread_t server;
    pthread_create(&server, NULL, echo_server, (void *)(intptr_t)l);

    int free_before = free_sockets();
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
    usleep(300000); /* the last closes finish their FIN exchange */
    int free_after = free_sockets();
    printf("threads: %d threads x %d cycles, %d failed, %.2f s, %.0f cycles/s; %d of %d sockets free after\n", nthreads, CYCLES, failures, s,
        nthreads * CYCLES / s, free_after, free_before);
    return failures == 0 && free_after == free_before ? 0 : 1;
}
