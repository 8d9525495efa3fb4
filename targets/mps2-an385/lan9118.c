// The LAN9118's registers: reset, MAC set-up, the receive FIFO and the
// transmit FIFO. Receive is interrupt-driven: the RX status FIFO interrupt
// wakes the CPU from WFI and masks itself until the glue has taken the frames,
// which stay in the controller's FIFO meanwhile, so a busy stack makes the
// peer's TCP slow down instead of losing frames in the driver.

#include "lan9118.h"

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
#define MAC_CR 1
#define MAC_ADDRH 2
#define MAC_ADDRL 3
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_RXEN (1u << 2)
#define MAC_CR_MCPAS (1u << 19)
#define TX_CMD_A_FIRST (1u << 13)
#define TX_CMD_A_LAST (1u << 12)
#define RX_STS_ERROR (1u << 15)
#define ETH_HEADER 14
#define FCS 4

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100)

void lan9118_reset(void) {
    HW_CFG = HW_CFG_SRST;
    while (HW_CFG & HW_CFG_SRST) {
    }
}

static void mac_write(uint32_t reg, uint32_t value) {
    MAC_CSR_DATA = value;
    MAC_CSR_CMD = MAC_CSR_BUSY | reg;
    while (MAC_CSR_CMD & MAC_CSR_BUSY) {
    }
}

void lan9118_enable(const uint8_t mac[6]) {
    mac_write(MAC_ADDRL, mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24);
    mac_write(MAC_ADDRH, mac[4] | mac[5] << 8);
    mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_MCPAS);
    TX_CFG = TX_CFG_TX_ON;
    FIFO_INT = 0x48000000u; // RX status level 0: interrupt on every frame
    INT_STS = 0xffffffffu;
    INT_EN = INT_RSFL;
    IRQ_CFG = IRQ_CFG_EN_HIGH_PUSHPULL;
    NVIC_ISER0 = 1u << LAN9118_IRQ;
}

uint32_t lan9118_id(void) {
    return ID_REV;
}

void lan9118_isr(void) {
    // Level-triggered: masked until the frames are taken (lan9118_rx_irq_on).
    INT_EN = 0;
    INT_STS = INT_RSFL;
}

void lan9118_rx_irq_on(void) {
    INT_EN = INT_RSFL;
}

bool lan9118_rx_waiting(void) {
    return (RX_FIFO_INF >> 16) & 0xff;
}

static void rx_drop(size_t words) {
    while (words--) {
        (void)RX_DATA_FIFO;
    }
}

int32_t lan9118_rx_next(void) {
    while (lan9118_rx_waiting()) {
        uint32_t status = RX_STATUS_FIFO;
        size_t len = (status >> 16) & 0x3fff; // includes the FCS
        if (!(status & RX_STS_ERROR) && len >= FCS + ETH_HEADER) {
            return (int32_t)(len - FCS);
        }
        rx_drop((len + 3) / 4);
    }
    return -1;
}

bool lan9118_rx_read(uint32_t *dst, size_t cap, size_t len) {
    size_t words = (len + FCS + 3) / 4;
    if (len > cap) {
        rx_drop(words);
        return false;
    }
    // The FCS's words land past `len` only where `cap` has room for them.
    size_t keep = (cap / 4 < words) ? cap / 4 : words;
    for (size_t i = 0; i < keep; i++) {
        dst[i] = RX_DATA_FIFO;
    }
    if (keep * 4 < len) {
        // `cap` is not a multiple of 4 and the frame fills it: the last bytes.
        uint32_t w = RX_DATA_FIFO;
        uint8_t *tail = (uint8_t *)dst + keep * 4;
        for (size_t k = 0; keep * 4 + k < len; k++) {
            tail[k] = (uint8_t)(w >> (8 * k));
        }
        keep++;
    }
    rx_drop(words - keep);
    return true;
}

bool lan9118_transmit(const uint8_t *frame, size_t len) {
    // The data plus the two command words must fit the TX data FIFO.
    if ((TX_FIFO_INF & 0xffff) < len + 8) {
        return false;
    }
    TX_DATA_FIFO = TX_CMD_A_FIRST | TX_CMD_A_LAST | len;
    TX_DATA_FIFO = (uint32_t)len << 16 | len;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        TX_DATA_FIFO = frame[i] | frame[i + 1] << 8 | frame[i + 2] << 16 | (uint32_t)frame[i + 3] << 24;
    }
    if (i < len) {
        uint32_t w = 0;
        for (size_t k = 0; i + k < len; k++) {
            w |= (uint32_t)frame[i + k] << (8 * k);
        }
        TX_DATA_FIFO = w;
    }
    // Nobody reads the transmit statuses: drop them so the status FIFO never fills.
    while ((TX_FIFO_INF >> 16) & 0xff) {
        (void)TX_STATUS_FIFO;
    }
    return true;
}
