/* The C frame port as an RTOS firmware writes it, for tests/c/threads.c on
 * the c-port library: a mutex for usocket_port_lock/unlock, a semaphore per
 * thread as its task notification (usocket_port_task names it,
 * usocket_port_wait takes it with the deadline as its timeout,
 * usocket_port_wake gives it), and a network thread standing for the MAC's
 * receive interrupt and its task, as the header's usocket_poll_delay() docs
 * draw it: the "interrupt" (a thread polling a TAP device) notifies the
 * network task and stays masked until the task has taken the frames; the task
 * sleeps on its notification for usocket_poll_delay()'s delay, moves the
 * frames into the runtime's ring, unmasks, and calls usocket_pump(). A socket
 * call that starts a sooner timer wakes it (usocket_port_wake). No fixed tick.
 * The board is c-port-threads (192.0.2.2 on tap0). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "usocket.h"
#include "usocket_port.h"
#include "../../generated/boards/c-port-threads.h"

int port_threads_start(void);

static int tap_fd = -1;
static pthread_mutex_t stack_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread sem_t notification;
static __thread int notification_made;

void usocket_port_lock(void) { pthread_mutex_lock(&stack_lock); }

void usocket_port_unlock(void) { pthread_mutex_unlock(&stack_lock); }

uint64_t usocket_port_task(void) {
    if (!notification_made) {
        sem_init(&notification, 0, 0);
        notification_made = 1;
    }
    return (uint64_t)(uintptr_t)&notification;
}

void usocket_port_wake(uint64_t task) { sem_post((sem_t *)(uintptr_t)task); }

int32_t usocket_port_transmit(const uint8_t *frame, size_t frame_len) {
    ssize_t n = write(tap_fd, frame, frame_len);
    if (n < 0) {
        return errno == EAGAIN ? -USOCKET_EAGAIN : -USOCKET_EIO;
    }
    return 0;
}

uint64_t usocket_port_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int32_t usocket_port_wait(uint64_t until_us) {
    sem_t *me = (sem_t *)(uintptr_t)usocket_port_task();
    if (until_us == UINT64_MAX) {
        while (sem_wait(me) < 0 && errno == EINTR) {
        }
        return 0;
    }
    struct timespec at = { .tv_sec = (time_t)(until_us / 1000000u), .tv_nsec = (long)(until_us % 1000000u) * 1000 };
    while (sem_clockwait(me, CLOCK_MONOTONIC, &at) < 0 && errno == EINTR) {
    }
    return 0;
}

/* The MAC's receive interrupt, masked from when it fires until the network
 * task has taken the frames (a driver re-enables it then). */
static uint64_t network;
static atomic_int irq_masked;
static sem_t irq_unmasked;

static void *receive_irq(void *arg) {
    (void)arg;
    for (;;) {
        struct pollfd p = { .fd = tap_fd, .events = POLLIN };
        if (poll(&p, 1, -1) <= 0) {
            continue;
        }
        atomic_store(&irq_masked, 1);
        usocket_port_wake(network); /* the ISR gives the task's notification */
        while (sem_wait(&irq_unmasked) < 0 && errno == EINTR) {
        }
    }
    return NULL;
}

/* The network task: sleeps until the interrupt or the stack's next timer,
 * moves the frames into the ring, then pumps (which wakes the parked calls). */
static void *network_task(void *arg) {
    (void)arg;
    static uint8_t frame[USOCKET_BOARD_FRAME_BYTES];
    network = usocket_port_task();
    sem_init(&irq_unmasked, 0, 0);
    pthread_t irq;
    pthread_create(&irq, NULL, receive_irq, NULL);
    pthread_detach(irq);
    for (;;) {
        int32_t ms = -1;
        if (usocket_poll_delay(&ms) < 0) {
            ms = 10;
        }
        usocket_port_wait(ms < 0 ? UINT64_MAX : usocket_port_now_us() + (uint64_t)ms * 1000u);
        ssize_t n;
        while ((n = read(tap_fd, frame, sizeof frame)) > 0) {
            if (usocket_port_receive(frame, (size_t)n) == -USOCKET_ENOMEM) {
                usocket_pump(); /* ring full: make room */
                usocket_port_receive(frame, (size_t)n);
            }
        }
        if (atomic_exchange(&irq_masked, 0)) {
            sem_post(&irq_unmasked);
        }
        usocket_pump();
    }
    return NULL;
}

int port_threads_start(void) {
    const char *name = getenv("USOCKET_TAP") ? getenv("USOCKET_TAP") : "tap0";
    tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (tap_fd < 0 || ioctl(tap_fd, TUNSETIFF, &ifr) < 0) {
        perror("port_threads: the TAP device");
        return -1;
    }
    const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
    int32_t r = usocket_port_start(mac, (uint64_t)time(NULL) ^ (uint64_t)getpid());
    if (r < 0) {
        fprintf(stderr, "port_threads: usocket_port_start: %d\n", (int)r);
        return -1;
    }
    pthread_t t;
    pthread_create(&t, NULL, network_task, NULL);
    pthread_detach(t);
    return 0;
}
