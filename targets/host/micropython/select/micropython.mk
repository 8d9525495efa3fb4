# User C module `select` for our unix interpreter (cargo xtask micropython):
# MicroPython's select API over one wait (usocket_host_wait), in place of
# MicroPython's own, which MICROPY_PY_SELECT=0 leaves out.

SELECT_MOD_DIR := $(USERMOD_DIR)

SRC_USERMOD_C += $(SELECT_MOD_DIR)/modselect.c
CFLAGS_USERMOD += -I$(SELECT_MOD_DIR)/../../include -I$(SELECT_MOD_DIR)/../../../../generated/include -DMICROPY_PY_SELECT=0
