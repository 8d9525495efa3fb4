// No network (MPS2_STACK=none): the size baseline of `cargo xtask size`. The
// controller is still reset by board.c: its counter is the board's clock.

#include "net.h"

void mps2_net_start(void) {
}

void mps2_net_poll(void) {
}

bool mps2_net_pending(void) {
    return false;
}

void mps2_net_soft_reset(void) {
}
