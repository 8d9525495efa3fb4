// usocket's frame port on the LAN9118 (MPS2_STACK=usocket): transmit, the
// clock and the wait the runtime calls, and the receive path into
// usocket_port_receive().

#include USOCKET_BOARD_HEADER
#include "usocket.h"
#include "usocket_port.h"

#include "py/mpstate.h"

#include "lan9118.h"
#include "net.h"

static const uint8_t board_mac[6] = USOCKET_BOARD_MAC;

// A frame taken from the FIFO that the stack's ring had no room for yet.
static uint32_t stash[(USOCKET_BOARD_FRAME_BYTES + 3) / 4];
static size_t stash_len;

void mps2_net_start(void) {
    lan9118_enable(board_mac);
    // The seed differs per boot as far as the emulated clock does.
    uint64_t seed = mps2_now_us() ^ ((uint64_t)lan9118_id() << 32) ^ 0x9e3779b97f4a7c15ull;
    (void)usocket_port_start(NULL, seed);
}

bool mps2_net_pending(void) {
    return stash_len > 0 || lan9118_rx_waiting();
}

// Hands the FIFO's frames to the stack until its ring is full; true when one went in.
static bool receive_frames(void) {
    bool delivered = false;
    for (;;) {
        if (stash_len == 0) {
            int32_t len = lan9118_rx_next();
            if (len < 0) {
                break;
            }
            // Frames too large for the board are dropped.
            if (!lan9118_rx_read(stash, USOCKET_BOARD_FRAME_BYTES, (size_t)len)) {
                continue;
            }
            stash_len = (size_t)len;
        }
        if (usocket_port_receive((const uint8_t *)stash, stash_len) == -USOCKET_ENOMEM) {
            break;
        }
        stash_len = 0;
        delivered = true;
    }
    lan9118_rx_irq_on();
    return delivered;
}

void mps2_net_poll(void) {
    receive_frames();
    (void)usocket_pump();
}

void mps2_net_soft_reset(void) {
    // Every socket still open is closed as close() would, and the stack runs
    // until their data and FINs are acknowledged or the linger time passes.
    (void)usocket_close_all();
}

int32_t usocket_port_transmit(const uint8_t *frame, size_t frame_len) {
    return lan9118_transmit(frame, frame_len) ? 0 : -USOCKET_EAGAIN;
}

uint64_t usocket_port_now_us(void) {
    return mps2_now_us();
}

int32_t usocket_port_wait(uint64_t until_us) {
    for (;;) {
        if (receive_frames()) {
            return 0;
        }
        if (MP_STATE_MAIN_THREAD(mp_pending_exception) != MP_OBJ_NULL) {
            return -USOCKET_EINTR; // Ctrl-C: the glue raises it
        }
        if (mps2_now_us() >= until_us) {
            return 0;
        }
        __asm volatile ("cpsid i" ::: "memory");
        if (!mps2_net_pending() && MP_STATE_MAIN_THREAD(mp_pending_exception) == MP_OBJ_NULL) {
            mps2_wfi();
        }
        __asm volatile ("cpsie i" ::: "memory");
    }
}

// One thread (MicroPython's): nothing to lock and nobody else to wake; a
// parked call sleeps in usocket_port_wait() above (WFI until a frame or a tick).
void usocket_port_lock(void) {}

void usocket_port_unlock(void) {}

uint64_t usocket_port_task(void) {
    return 0;
}

void usocket_port_wake(uint64_t task) {
    (void)task;
}
