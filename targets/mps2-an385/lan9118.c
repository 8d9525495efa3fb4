// The LAN9118 driver and usocket's frame port on it: transmit, the clock and
// the wait the runtime calls, and the receive path into usocket_port_receive().
//
// Receive is interrupt-driven: the RX status FIFO interrupt wakes the CPU from
// WFI, and frames stay in the controller's FIFO (16 KiB, about ten full frames)
// until the stack has room for them, so a busy stack makes the peer's TCP slow
// down instead of losing frames in the driver.

#include <stddef.h>

#include "lan9118.h"

#if MPS2_NET
#include USOCKET_BOARD_HEADER
#include "usocket.h"
#include "usocket_port.h"

#include "py/mpstate.h"
#endif

#define LAN9118_BASE 0x40200000u
#define REG(off) (*(volatile uint32_t *)(LAN9118_BASE + (off)))
#define RX_DATA_FIFO REG(0x00)
#define TX_DATA_FIFO REG(0x20)
#define RX_STATUS_FIFO REG(0x40)
#define TX_STATUS_FIFO REG(0x48)
#define ID_REV REG(0x50)
#define IRQ_CFG REG(0x54)
#define INT_STS REG(0x58)
#define INT_EN REG(0x5c)
#define FIFO_INT REG(0x68)
#define TX_CFG REG(0x70)
#define HW_CFG REG(0x74)
#define RX_FIFO_INF REG(0x7c)
#define TX_FIFO_INF REG(0x80)
#define MAC_CSR_CMD REG(0xa4)
#define MAC_CSR_DATA REG(0xa8)

#define IRQ_CFG_EN_HIGH_PUSHPULL 0x111u // IRQ_EN | IRQ_POL | IRQ_TYPE
#define INT_RSFL (1u << 3)
#define HW_CFG_SRST 1u
#define TX_CFG_TX_ON (1u << 1)
#define MAC_CSR_BUSY (1u << 31)
#define MAC_CSR_READ (1u << 30)
#define MAC_CR 1
#define MAC_ADDRH 2
#define MAC_ADDRL 3
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_RXEN (1u << 2)
// Pass all multicast: IPv6 neighbour discovery uses solicited-node groups.
#define MAC_CR_MCPAS (1u << 19)
#define TX_CMD_A_FIRST (1u << 13)
#define TX_CMD_A_LAST (1u << 12)

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100)

void lan9118_reset(void) {
    HW_CFG = HW_CFG_SRST;
    while (HW_CFG & HW_CFG_SRST) {
    }
}

#if MPS2_NET

static const uint8_t board_mac[6] = USOCKET_BOARD_MAC;

// A frame taken from the FIFO that the stack's ring had no room for yet.
static uint32_t stash[(USOCKET_BOARD_FRAME_BYTES + 4 + 3) / 4];
static size_t stash_len;

static void mac_write(uint32_t reg, uint32_t value) {
    MAC_CSR_DATA = value;
    MAC_CSR_CMD = MAC_CSR_BUSY | reg;
    while (MAC_CSR_CMD & MAC_CSR_BUSY) {
    }
}

void lan9118_start(void) {
    mac_write(MAC_ADDRL, board_mac[0] | board_mac[1] << 8 | board_mac[2] << 16 | (uint32_t)board_mac[3] << 24);
    mac_write(MAC_ADDRH, board_mac[4] | board_mac[5] << 8);
    mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_MCPAS);
    TX_CFG = TX_CFG_TX_ON;
    FIFO_INT = 0x48000000u; // RX status level 0: interrupt on every frame
    INT_STS = 0xffffffffu;
    INT_EN = INT_RSFL;
    IRQ_CFG = IRQ_CFG_EN_HIGH_PUSHPULL;
    NVIC_ISER0 = 1u << LAN9118_IRQ;
    // The seed differs per boot as far as the emulated clock does.
    uint64_t seed = mps2_now_us() ^ ((uint64_t)ID_REV << 32) ^ 0x9e3779b97f4a7c15ull;
    (void)usocket_port_start(NULL, seed);
}

void lan9118_isr(void) {
    // Level-triggered: mask until the frames are taken (lan9118_poll re-enables).
    INT_EN = 0;
    INT_STS = INT_RSFL;
}

bool lan9118_rx_pending(void) {
    return stash_len > 0 || (RX_FIFO_INF >> 16) & 0xff;
}

// Hands the FIFO's frames to the stack until its ring is full; true when one went in.
static bool receive_frames(void) {
    bool delivered = false;
    for (;;) {
        if (stash_len == 0) {
            if (((RX_FIFO_INF >> 16) & 0xff) == 0) {
                break;
            }
            uint32_t status = RX_STATUS_FIFO;
            size_t len = (status >> 16) & 0x3fff; // includes the 4-byte FCS
            size_t words = (len + 3) / 4;
            for (size_t i = 0; i < words; i++) {
                uint32_t w = RX_DATA_FIFO;
                if (i < sizeof stash / 4) {
                    stash[i] = w;
                }
            }
            // Errors (bit 15) and frames too large for the board are dropped.
            if ((status & (1u << 15)) || len < 4 + 14 || len - 4 > USOCKET_BOARD_FRAME_BYTES) {
                continue;
            }
            stash_len = len - 4;
        }
        if (usocket_port_receive((const uint8_t *)stash, stash_len) == -USOCKET_ENOMEM) {
            break;
        }
        stash_len = 0;
        delivered = true;
    }
    INT_EN = INT_RSFL;
    return delivered;
}

void lan9118_poll(void) {
    receive_frames();
    (void)usocket_pump();
}

int32_t usocket_port_transmit(const uint8_t *frame, size_t frame_len) {
    // The data plus the two command words must fit the TX data FIFO.
    if ((TX_FIFO_INF & 0xffff) < frame_len + 8) {
        return -USOCKET_EAGAIN;
    }
    TX_DATA_FIFO = TX_CMD_A_FIRST | TX_CMD_A_LAST | frame_len;
    TX_DATA_FIFO = (uint32_t)frame_len << 16 | frame_len;
    size_t i = 0;
    for (; i + 4 <= frame_len; i += 4) {
        TX_DATA_FIFO = frame[i] | frame[i + 1] << 8 | frame[i + 2] << 16 | (uint32_t)frame[i + 3] << 24;
    }
    if (i < frame_len) {
        uint32_t w = 0;
        for (size_t k = 0; i + k < frame_len; k++) {
            w |= (uint32_t)frame[i + k] << (8 * k);
        }
        TX_DATA_FIFO = w;
    }
    // Nobody reads the transmit statuses: drop them so the status FIFO never fills.
    while ((TX_FIFO_INF >> 16) & 0xff) {
        (void)TX_STATUS_FIFO;
    }
    return 0;
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
        if (!lan9118_rx_pending() && MP_STATE_MAIN_THREAD(mp_pending_exception) == MP_OBJ_NULL) {
            mps2_wfi();
        }
        __asm volatile ("cpsie i" ::: "memory");
    }
}

#else

// Without the network (the size baseline, MPS2_NET=0): only the reset, for the clock.
void lan9118_start(void) {
}

void lan9118_isr(void) {
}

bool lan9118_rx_pending(void) {
    return false;
}

void lan9118_poll(void) {
}

#endif
