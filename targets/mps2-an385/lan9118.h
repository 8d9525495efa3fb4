// SMSC LAN9118 Ethernet controller of the MPS2 AN385 behind usocket's C frame
// port (generated/include/usocket_port.h).
#ifndef MPS2_LAN9118_H
#define MPS2_LAN9118_H

#include <stdbool.h>
#include <stdint.h>

// The controller's interrupt line on AN385.
#define LAN9118_IRQ 13

// Resets the controller, which restarts its free-running counter (the board's
// clock): the first thing the board does.
void lan9118_reset(void);
// Programs the board's MAC, enables receive and
// transmit and the receive interrupt, and starts the stack (usocket_port_start).
void lan9118_start(void);
// The receive interrupt: wakes the CPU; frames stay in the controller's 16 KiB
// FIFO until the stack takes them (lan9118_poll, usocket_port_wait).
void lan9118_isr(void);
// Are frames waiting in the controller?
bool lan9118_rx_pending(void);
// Moves waiting frames to the stack and runs it (timers, ACKs, ARP, accepts).
void lan9118_poll(void);
// Monotonic microseconds since boot (board.c).
uint64_t mps2_now_us(void);
// WFI, with the time asleep counted as idle (board.c; interrupts masked).
void mps2_wfi(void);

#endif
