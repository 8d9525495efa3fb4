# MicroPython's ports/qemu built for QEMU's mps2-an385 with usocket as its
# socket module: `make -C <micropython>/ports/qemu BOARD_DIR=<this folder> ...`
# (cargo xtask firmware mps2-an385 passes the rest: the user C module, the
# runtime library and the frozen manifest). Nothing in MicroPython's tree is
# edited: this folder brings what the port lacks.
QEMU_ARCH = arm
QEMU_MACHINE = mps2-an385

CFLAGS += -mthumb -mcpu=cortex-m3 -mfloat-abi=soft
CFLAGS += -DQEMU_SOC_MPS2
CFLAGS += -DMICROPY_HW_MCU_NAME='"Cortex-M3"'
# Our configuration on top of the port's (select, time, asyncio, errno).
CFLAGS += -I$(BOARD_DIR) -I$(BOARD_DIR)/../../generated/include -I$(BOARD_DIR)/../../generated/boards
CFLAGS += '-DMP_CONFIGFILE="mpconfigboard.h"'
# The board file the runtime library was built for (spec/boards/NAME.toml):
# the driver takes its MAC and frame size from its generated header.
USOCKET_BOARD ?= mps2-an385
CFLAGS += '-DUSOCKET_BOARD_HEADER="$(USOCKET_BOARD).h"'

# A linker script that keeps .data's load address aligned as .data is, with
# code and constants in the 4 MiB "flash" (SSRAM1) and data in SSRAM2/3.
LDSCRIPT = $(BOARD_DIR)/mps2-an385.ld

# The board's own start-up (vector table with the device interrupts, SysTick,
# UART receive interrupt), its HAL (ticks, delays, stdin that keeps the stack
# running) and the LAN9118's registers.
SRC_C += $(BOARD_DIR)/board.c $(BOARD_DIR)/lan9118.c
# The socket stack (net.h):
# - usocket: usocket's frame port on the LAN9118 (the product);
# - lwip: lwIP with MicroPython's own socket module (extmod/modlwip.c) and a
#   netif for the LAN9118, the anchor the benchmarks compare against
#   (lwip/mpconfiglwip.mk: lwIP's source must be in lib/lwip);
# - none: no network, only the controller's reset (its counter is the clock):
#   the baseline `cargo xtask size` measures increases over.
MPS2_STACK ?= usocket
ifeq ($(MPS2_STACK),usocket)
SRC_C += $(BOARD_DIR)/net_usocket.c
else ifeq ($(MPS2_STACK),lwip)
include $(BOARD_DIR)/lwip/mpconfiglwip.mk
else ifeq ($(MPS2_STACK),none)
SRC_C += $(BOARD_DIR)/net_none.c
else
$(error MPS2_STACK must be usocket, lwip or none, not "$(MPS2_STACK)")
endif
# The board's start-up runs before the port's main(), and its stdin replaces
# the port's busy-polling one.
LDFLAGS += -Wl,--wrap=main -Wl,--wrap=mp_hal_stdin_rx_chr
# Soft reset closes the sockets as close() would before the next program (board.c).
LDFLAGS += -Wl,--wrap=mp_deinit

SRC_BOARD_O = shared/runtime/gchelper_native.o shared/runtime/gchelper_thumb2.o

# The prototype warnings of every C build of ours (xtask/src/cflags.rs), on
# this folder's sources only: MicroPython's own (and net_lwip.c, built against
# lwIP's headers) are not ours to hold to them.
MPS2_OWN_C = $(filter $(addprefix $(BOARD_DIR)/,board.c lan9118.c net_usocket.c net_none.c),$(SRC_C))
$(addprefix $(BUILD)/,$(MPS2_OWN_C:.c=.o)): CFLAGS += -Wstrict-prototypes -Wmissing-prototypes

MPY_CROSS_FLAGS += -march=armv7m

# The port's default heap is 140 KiB; asyncio tests want more and SSRAM2/3 has 4 MiB.
MICROPY_HEAP_SIZE = 524288
