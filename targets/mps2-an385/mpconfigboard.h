// The qemu port's configuration (mpconfigport.h) with what a networked board
// needs on top: select and asyncio over usocket, the time module, and
// MicroPython's internal errno numbers (newlib's differ from usocket's).
#include <mpconfigport.h>

#undef MICROPY_PY_SELECT
#define MICROPY_PY_SELECT (1)
#undef MICROPY_PY_TIME
#define MICROPY_PY_TIME (1)
#undef MICROPY_PY_ASYNCIO
#define MICROPY_PY_ASYNCIO (1)
#define MICROPY_USE_INTERNAL_ERRNO (1)

// Between bytecodes nothing runs the stack; while MicroPython waits (select,
// asyncio, time.sleep, the REPL's input) the board's hook does, then the CPU
// sleeps until the next interrupt (a frame, a character, the 1 ms tick).
#undef MICROPY_INTERNAL_EVENT_HOOK
#define MICROPY_INTERNAL_EVENT_HOOK mps2_an385_net_poll()
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS) mps2_an385_sleep()
void mps2_an385_net_poll(void);
void mps2_an385_sleep(void);

#if MPS2_STACK_LWIP
#include "mpconfiglwip.h"
#endif
