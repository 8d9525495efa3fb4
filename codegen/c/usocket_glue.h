// The fixed half of the MicroPython module `socket`: what the generated
// modusocket.c (generated/micropython/usocket/: the method table, each
// method's argument parsing and result, the constants) calls, hand-written
// because it does not vary with the spec. usocket_glue.c defines it; the
// generated micropython.mk and micropython.cmake compile both.
//
// Every C ABI call goes through USOCKET_PY_RUST or USOCKET_PY_CALL, and every
// error is raised here or in the generated module, in C, so that
// MicroPython's nlr jumps never cross a Rust frame.
#ifndef USOCKET_GLUE_H
#define USOCKET_GLUE_H

#include "py/obj.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "usocket.h"

// A socket object: the C ABI fd, or -1 once closed.
typedef struct {
    mp_obj_base_t base;
    int32_t fd;
} usocket_py_obj_t;

// The socket type (generated: its methods are the spec's).
extern const mp_obj_type_t usocket_py_type;

#if MICROPY_ASYNC_KBD_INTR && MICROPY_KBD_EXCEPTION && !defined(_WIN32)
#include <signal.h>

// The SIGINT action to restore after a C ABI call (see usocket_glue.c).
typedef struct sigaction usocket_py_kbd_t;
#else
// Ctrl-C is only scheduled (raised later, by mp_handle_pending): nothing to save.
typedef char usocket_py_kbd_t;
#endif

// Defers Ctrl-C during a C ABI call, and restores its action after.
void usocket_py_kbd_defer(usocket_py_kbd_t *saved);
void usocket_py_kbd_restore(const usocket_py_kbd_t *saved);

// Calls the C ABI once, with Ctrl-C deferred. Every C ABI call goes through
// here.
#define USOCKET_PY_RUST(ret, call) \
    do { \
        usocket_py_kbd_t usocket_py_kbd_saved; \
        usocket_py_kbd_defer(&usocket_py_kbd_saved); \
        (ret) = (call); \
        usocket_py_kbd_restore(&usocket_py_kbd_saved); \
    } while (0)

// Runs pending callbacks and exceptions after an interrupted wait (raises
// KeyboardInterrupt after Ctrl-C); true when the call should be retried.
bool usocket_py_retry(intptr_t ret, intptr_t interrupted);

// Calls the C ABI, retrying after interrupted waits.
#define USOCKET_PY_CALL(ret, call) \
    do { \
        USOCKET_PY_RUST(ret, call); \
    } while (usocket_py_retry((ret), -USOCKET_EINTR))

// Raises OSError for a negative C ABI result.
void usocket_py_raise_if_error(intptr_t ret);

// Python arguments to C ABI ones, one per argument type of the spec (the
// generated module picks them by type); each raises for a bad value.
int32_t usocket_py_int32(mp_obj_t o);
mp_int_t usocket_py_size(mp_obj_t o);
mp_int_t usocket_py_size_or_all(mp_obj_t o);
int32_t usocket_py_timeout_ms(mp_obj_t o);
int32_t usocket_py_port(mp_obj_t o);
void usocket_py_optval(mp_obj_t o, int32_t *storage, mp_buffer_info_t *buf);
const char *usocket_py_host(mp_obj_t o, size_t *len);
void usocket_py_check_choice(const char *value, const char *const *choices);
void usocket_py_limit(mp_buffer_info_t *buf, mp_int_t limit);
void usocket_py_offset(mp_buffer_info_t *buf, mp_int_t off);
void usocket_py_addr_from_obj(mp_obj_t o, usocket_addr_t *addr);
void usocket_py_ifconfig_from_obj(mp_obj_t o, usocket_ifconfig_set_t *set);

// The longest text an address function writes (an IPv6 address with a scope
// takes at most 56).
#define USOCKET_PY_TEXT_MAX 64

// C ABI results to Python objects.
mp_obj_t usocket_py_ip_to_obj(const usocket_addr_t *addr);
mp_obj_t usocket_py_addr_to_obj(const usocket_addr_t *addr);

// MicroPython's (1.24+) ipconfig(): the interface's, and the module's (the DNS server).
mp_obj_t usocket_py_ipconfig_params(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args);
MP_DECLARE_CONST_FUN_OBJ_KW(usocket_py_if_module_ipconfig_obj);

// A new socket object (its fd set once the C ABI gave one), and its release:
// closes it once, later calls are no-ops; the C ABI result.
usocket_py_obj_t *usocket_py_new(int32_t fd);
int32_t usocket_py_release(usocket_py_obj_t *self);

// The socket type's print and stream protocol (select/poll, asyncio, streams).
void usocket_py_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind);
extern const mp_stream_p_t usocket_py_stream_p;

#endif
