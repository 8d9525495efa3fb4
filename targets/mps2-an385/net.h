// The board's network stack, as board.c sees it: usocket's (net_usocket.c),
// lwIP with MicroPython's own socket module (net_lwip.c, the anchor the
// benchmarks compare against) or none (net_none.c, the size baseline).
// mpconfigboard.mk's MPS2_STACK picks one.
#ifndef MPS2_NET_H
#define MPS2_NET_H

#include <stdbool.h>

// Brings the interface up (after the controller's reset and the clock).
void mps2_net_start(void);
// Moves waiting frames to the stack and runs it (timers, ACKs, ARP, accepts):
// MicroPython's event hook and every wait call it.
void mps2_net_poll(void);
// Has the stack work waiting (frames in the controller)? The board does not sleep then.
bool mps2_net_pending(void);
// Soft reset, after the garbage collector closed every socket object: lets
// the stack finish what they sent (data, FINs, resets) before the next program
// starts, bounded by the board's linger time.
void mps2_net_soft_reset(void);

#endif
