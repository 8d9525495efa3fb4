// A Cortex-M4 port configuration with what the socket module uses: streams,
// select/poll, finalisers (GC closes sockets), float timeouts, Ctrl-C.
#include <stdint.h>

#define MICROPY_CONFIG_ROM_LEVEL                (MICROPY_CONFIG_ROM_LEVEL_CORE_FEATURES)
#define MICROPY_ENABLE_COMPILER                 (1)
#define MICROPY_ENABLE_GC                       (1)
#define MICROPY_ENABLE_FINALISER                (1)
#define MICROPY_FLOAT_IMPL                      (MICROPY_FLOAT_IMPL_FLOAT)
#define MICROPY_PY_SELECT                       (1)
#define MICROPY_STREAMS_NON_BLOCK               (1)
#define MICROPY_KBD_EXCEPTION                   (1)
#define MICROPY_PY_SOCKET                       (0)
// As the stm32, rp2 and esp32 ports: MicroPython's own errno values (Linux's),
// not newlib's, which the generated glue checks against the spec's table.
#define MICROPY_USE_INTERNAL_ERRNO              (1)

typedef int32_t mp_int_t;
typedef uint32_t mp_uint_t;
typedef long mp_off_t;

#define MICROPY_HW_BOARD_NAME "cortex-m4 check"
#define MICROPY_HW_MCU_NAME "cortex-m4"

#include <alloca.h>
