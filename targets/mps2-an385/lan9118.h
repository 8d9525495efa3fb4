// SMSC LAN9118 Ethernet controller of the MPS2 AN385: the registers only, so
// that either socket stack's glue (net_usocket.c, net_lwip.c) drives the same
// controller the same way.
#ifndef MPS2_LAN9118_H
#define MPS2_LAN9118_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// The controller's interrupt line on AN385.
#define LAN9118_IRQ 13

// Resets the controller, which restarts its free-running counter (the board's
// clock): the first thing the board does.
void lan9118_reset(void);
// Programs `mac`, enables receive (all multicast: IPv6 neighbour discovery uses
// solicited-node groups) and transmit, and the receive interrupt.
void lan9118_enable(const uint8_t mac[6]);
// The controller's ID and revision (for a boot-dependent seed).
uint32_t lan9118_id(void);
// The receive interrupt: masks itself and wakes the CPU; frames stay in the
// controller's 16 KiB FIFO (about ten full frames) until the glue takes them.
void lan9118_isr(void);
// Unmasks the receive interrupt (after the glue took what it could).
void lan9118_rx_irq_on(void);
// Are frames waiting in the FIFO?
bool lan9118_rx_waiting(void);
// Pops the next frame's status: its length without the FCS, or -1 when the
// FIFO is empty. Frames with errors or shorter than an Ethernet header are
// dropped here. The caller then takes the frame with lan9118_rx_read().
int32_t lan9118_rx_next(void);
// Reads the frame whose length lan9118_rx_next() gave (and its FCS) out of the
// FIFO, storing up to `cap` bytes at `dst` (word-aligned); a frame larger than
// `cap` is read and dropped (returns false).
bool lan9118_rx_read(uint32_t *dst, size_t cap, size_t len);
// Queues one frame for transmission; false when the FIFO has no room for it now.
bool lan9118_transmit(const uint8_t *frame, size_t len);

// Monotonic microseconds since boot (board.c).
uint64_t mps2_now_us(void);
// WFI, with the time asleep counted as idle (board.c; interrupts masked).
void mps2_wfi(void);

#endif
