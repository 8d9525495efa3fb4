/* An example firmware loop for a c-port board (here nucleo-f429zi): the MAC
 * driver plugs into the frame port, then the application uses sockets.
 *
 * The driver calls (eth_*, board_*) stand for the vendor's HAL: STM32 HAL_ETH,
 * ESP-IDF esp_eth, a W5500 MACRAW driver, cyw43, or a Zephyr net_if. Build the
 * runtime's library for the board (thumbv7em-none-eabihf, its board file's
 * target) with
 *     cargo xtask firmware nucleo-f429zi
 * and link the libusocket.a whose path it prints.
 * `cargo xtask test` compiles this file with arm-none-eabi-gcc -mcpu=cortex-m4
 * -mthumb -std=c99 -Wall -Wextra -Werror. */
#include <stddef.h>
#include <stdint.h>

#include "usocket_port.h"
#include "nucleo-f429zi.h"

/* The vendor HAL (not part of this example). */
extern int eth_send(const uint8_t *frame, size_t len);        /* 0, or -1 when the DMA ring is full */
extern int eth_recv(uint8_t *frame, size_t cap);              /* bytes of the next frame, 0 when none */
extern uint64_t board_micros(void);                           /* a free-running microsecond counter */
extern void board_sleep_until_irq(uint64_t until_us);         /* WFI until an interrupt or the deadline (UINT64_MAX: none) */
extern void board_unique_mac(uint8_t mac[6]);                 /* from the chip's unique ID */
extern uint64_t board_random(void);                           /* the RNG peripheral */

int32_t usocket_port_transmit(const uint8_t *frame, size_t frame_len) {
    return eth_send(frame, frame_len) == 0 ? 0 : -USOCKET_EAGAIN;
}

uint64_t usocket_port_now_us(void) {
    return board_micros();
}

/* Hands every waiting frame to the runtime (stops when its ring is full). */
static void poll_mac(void) {
    static uint8_t frame[USOCKET_BOARD_FRAME_BYTES];
    int n;
    while ((n = eth_recv(frame, sizeof frame)) > 0) {
        if (usocket_port_receive(frame, (size_t)n) == -USOCKET_ENOMEM) {
            break;
        }
    }
}

int32_t usocket_port_wait(uint64_t until_us) {
    poll_mac();
    board_sleep_until_irq(until_us);
    poll_mac();
    return 0;
}

/* One thread, no RTOS: nothing to lock, and nobody else to wake. With an RTOS,
 * these are a mutex, the current task's handle and its notification (that
 * usocket_port_wait() takes). */
void usocket_port_lock(void) {}
void usocket_port_unlock(void) {}
uint64_t usocket_port_task(void) { return 0; }
void usocket_port_wake(uint64_t task) { (void)task; }

/* A tiny HTTP responder on port 80, served forever by a bare-metal main loop:
 * take the frames, pump, make non-blocking socket calls, then sleep until an
 * interrupt or the stack's next timer (usocket_poll_delay). */
static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from " USOCKET_BOARD_NAME "\n";

/* One connection's turn: read the request once it is there, answer, close. */
static int32_t serve(int32_t c) {
    uint8_t request[512];
    intptr_t n = usocket_recv(c, request, sizeof request);
    if (n == -USOCKET_EAGAIN) {
        return c; /* not yet: try again next turn */
    }
    if (n > 0) {
        usocket_send(c, (const uint8_t *)reply, sizeof reply - 1); /* fits the send buffer */
    }
    usocket_close(c); /* sends what is queued, then FIN, in the background */
    return -1;
}

int main(void) {
    uint8_t mac[6];
    board_unique_mac(mac);
    mac[0] = (uint8_t)((mac[0] | 0x02) & 0xfe); /* locally administered, unicast */
    if (usocket_port_start(USOCKET_BOARD_MAC_FROM_PORT ? mac : NULL, board_random()) != 0) {
        return 1;
    }
    int32_t l = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
    usocket_addr_t any;
    usocket_addr_parse("0.0.0.0", 7, 80, &any);
    usocket_bind(l, &any);
    usocket_listen(l, 2);
    usocket_setblocking(l, 0);
    int32_t conn = -1;
    for (;;) {
        poll_mac();
        usocket_pump();
        if (conn < 0) {
            usocket_addr_t peer;
            conn = usocket_accept(l, &peer); /* -USOCKET_EAGAIN: nobody yet */
            if (conn >= 0) {
                usocket_setblocking(conn, 0);
            }
        }
        if (conn >= 0) {
            conn = serve(conn);
        }
        int32_t ms = -1;
        usocket_poll_delay(&ms); /* -1: only a frame (an interrupt) brings work */
        if (ms != 0) {
            board_sleep_until_irq(ms < 0 ? UINT64_MAX : board_micros() + (uint64_t)ms * 1000u);
        }
    }
}
