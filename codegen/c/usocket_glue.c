// The fixed half of the MicroPython module `socket` (see usocket_glue.h):
// deferring Ctrl-C around C ABI calls, the conversions of each argument type
// and result, ipconfig(), and the socket type's print and stream protocol.
// The generated modusocket.c has what the spec varies.

#include <string.h>

#include "py/mperrno.h"
#include "py/parsenum.h"
#include "usocket_glue.h"

// This file compiles with warnings as errors whatever the port's flags (the
// project's C flags, xtask's cflags.rs); MicroPython's headers above compile
// with the port's own.
#pragma GCC diagnostic error "-Wall"
#pragma GCC diagnostic error "-Wextra"
// -Wextra's unused parameters too, which the unix port turns off for its own code.
#pragma GCC diagnostic error "-Wunused-parameter"
#pragma GCC diagnostic error "-Wstrict-prototypes"
#pragma GCC diagnostic error "-Wmissing-prototypes"

#if MICROPY_ASYNC_KBD_INTR && MICROPY_KBD_EXCEPTION && !defined(_WIN32)
// The unix port raises KeyboardInterrupt from its SIGINT handler
// (MICROPY_ASYNC_KBD_INTR): that jump would cross the Rust frames of the C ABI
// call the signal interrupts, skipping their clean-up (the stack would stay
// locked: every later call failing with EALREADY). So during a C ABI call,
// SIGINT only schedules KeyboardInterrupt, as without MICROPY_ASYNC_KBD_INTR;
// it still ends a blocking wait (EINTR), and the retry below raises it.
static void usocket_py_sigint(int signum) {
    (void)signum;
    mp_sched_keyboard_interrupt();
}

static bool usocket_py_kbd_handled(const usocket_py_kbd_t *saved) {
    return saved->sa_handler != SIG_DFL && saved->sa_handler != SIG_IGN;
}

// Defers Ctrl-C, if MicroPython handles it (else SIGINT keeps its action).
void usocket_py_kbd_defer(usocket_py_kbd_t *saved) {
    sigaction(SIGINT, NULL, saved);
    if (usocket_py_kbd_handled(saved)) {
        struct sigaction sa;
        sa.sa_flags = 0;
        sa.sa_handler = usocket_py_sigint;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
    }
}

void usocket_py_kbd_restore(const usocket_py_kbd_t *saved) {
    if (usocket_py_kbd_handled(saved)) {
        sigaction(SIGINT, saved, NULL);
    }
}
#else
// Ctrl-C is only scheduled (raised later, by mp_handle_pending): nothing to do.
void usocket_py_kbd_defer(usocket_py_kbd_t *saved) {
    (void)saved;
}

void usocket_py_kbd_restore(const usocket_py_kbd_t *saved) {
    (void)saved;
}
#endif

// Runs pending callbacks and exceptions after an interrupted wait (raises
// KeyboardInterrupt after Ctrl-C); true when the call should be retried.
bool usocket_py_retry(intptr_t ret, intptr_t interrupted) {
    if (ret != interrupted) {
        return false;
    }
    mp_handle_pending(true);
    return true;
}

// Raises OSError for a negative C ABI result.
void usocket_py_raise_if_error(intptr_t ret) {
    if (ret < 0) {
        mp_raise_OSError((int)-ret);
    }
}

int32_t usocket_py_int32(mp_obj_t o) {
    mp_int_t v = mp_obj_get_int(o);
    if (v < INT32_MIN || v > INT32_MAX) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("value out of range"));
    }
    return (int32_t)v;
}

mp_int_t usocket_py_size(mp_obj_t o) {
    mp_int_t v = mp_obj_get_int(o);
    if (v < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("negative size"));
    }
    return v;
}

// A size whose omission means "all": any negative value means the same (-1),
// as `read(-1)` in MicroPython's streams and CPython.
mp_int_t usocket_py_size_or_all(mp_obj_t o) {
    mp_int_t v = mp_obj_get_int(o);
    return v < 0 ? -1 : v;
}

// Seconds (or None) to milliseconds (-1 = block); rounds up so that a tiny
// positive timeout does not become non-blocking.
int32_t usocket_py_timeout_ms(mp_obj_t o) {
    if (o == mp_const_none) {
        return -1;
    }
    #if MICROPY_PY_BUILTINS_FLOAT
    mp_float_t s = mp_obj_get_float(o);
    if (s < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("timeout must be non-negative"));
    }
    mp_float_t ms = s * (mp_float_t)1000;
    if (ms >= (mp_float_t)INT32_MAX) {
        return INT32_MAX;
    }
    int32_t whole = (int32_t)ms;
    return ((mp_float_t)whole < ms) ? whole + 1 : whole;
    #else
    mp_int_t s = mp_obj_get_int(o);
    if (s < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("timeout must be non-negative"));
    }
    return s >= INT32_MAX / 1000 ? INT32_MAX : (int32_t)(s * 1000);
    #endif
}

// A port: an int, a decimal string, a service name or None (0); -1 when none of them.
int32_t usocket_py_port(mp_obj_t o) {
    if (o == mp_const_none) {
        return 0;
    }
    if (mp_obj_is_str(o)) {
        size_t len;
        const char *s = mp_obj_str_get_data(o, &len);
        int32_t v = 0;
        for (size_t i = 0; i < len; i++) {
            if (s[i] < '0' || s[i] > '9' || i == 5) {
                // A service name ('http'), from the spec's table.
                intptr_t port;
                USOCKET_PY_RUST(port, usocket_getservbyname(s, len, NULL, 0));
                return port < 0 ? -1 : (int32_t)port;
            }
            v = v * 10 + (s[i] - '0');
        }
        return len == 0 ? -1 : v;
    }
    mp_int_t v = mp_obj_get_int(o);
    return (v < 0 || v > INT32_MAX) ? -1 : (int32_t)v;
}

// A socket option value: an int (passed as a native int32) or a buffer.
void usocket_py_optval(mp_obj_t o, int32_t *storage, mp_buffer_info_t *buf) {
    if (mp_obj_is_int(o) || mp_obj_is_bool(o)) {
        *storage = usocket_py_int32(o);
        buf->buf = storage;
        buf->len = sizeof(*storage);
    } else {
        mp_get_buffer_raise(o, buf, MP_BUFFER_READ);
    }
}

// A host string (or another length-delimited str), or NULL for None or an
// omitted optional argument.
const char *usocket_py_host(mp_obj_t o, size_t *len) {
    if (o == MP_OBJ_NULL || o == mp_const_none) {
        *len = 0;
        return NULL;
    }
    return mp_obj_str_get_data(o, len);
}

void usocket_py_check_choice(const char *value, const char *const *choices) {
    for (; *choices != NULL; choices++) {
        if (strcmp(value, *choices) == 0) {
            return;
        }
    }
    mp_raise_ValueError(MP_ERROR_TEXT("unsupported mode"));
}

// A size that caps a buffer argument (readinto's nbytes, write's max_len):
// negative means "all", and a larger size is clipped, as in MicroPython's
// streams (py/stream.c).
void usocket_py_limit(mp_buffer_info_t *buf, mp_int_t limit) {
    if (limit >= 0 && (size_t)limit < buf->len) {
        buf->len = (size_t)limit;
    }
}

// A size that moves the start of a buffer argument (write's off), clipped to
// its end as in MicroPython's streams.
void usocket_py_offset(mp_buffer_info_t *buf, mp_int_t off) {
    size_t skip = (size_t)off < buf->len ? (size_t)off : buf->len;
    buf->buf = (uint8_t *)buf->buf + skip;
    buf->len -= skip;
}

// `(ip_str, port)` (or a list, or an IPv6 4-tuple) to a C ABI address.
void usocket_py_addr_from_obj(mp_obj_t o, usocket_addr_t *addr) {
    if (!mp_obj_is_type(o, &mp_type_tuple) && !mp_obj_is_type(o, &mp_type_list)) {
        mp_raise_TypeError(MP_ERROR_TEXT("address must be a (host, port) tuple"));
    }
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(o, &n, &items);
    if (n != 2 && n != 4) {
        mp_raise_TypeError(MP_ERROR_TEXT("address must be a (host, port) tuple"));
    }
    size_t host_len;
    const char *host = mp_obj_str_get_data(items[0], &host_len);
    mp_int_t port = mp_obj_get_int(items[1]);
    if (port < 0 || port > 65535) {
        mp_raise_ValueError(MP_ERROR_TEXT("port must be 0-65535"));
    }
    usocket_py_raise_if_error(usocket_addr_parse(host, host_len, (int32_t)port, addr));
    if (n == 4) {
        addr->scope_id = (uint32_t)mp_obj_get_int(items[3]);
    }
}

// One address of ifconfig's tuple, as MicroPython's netutils takes it: a
// numeric IPv4 str, '' for 0.0.0.0; anything else raises ValueError.
static void usocket_py_ipv4_from_obj(mp_obj_t o, usocket_addr_t *addr) {
    size_t len;
    const char *text = mp_obj_str_get_data(o, &len);
    memset(addr, 0, sizeof(*addr));
    addr->family = USOCKET_AF_INET;
    if (len == 0) {
        return;
    }
    int32_t ret;
    USOCKET_PY_RUST(ret, usocket_addr_parse(text, len, 0, addr));
    if (ret < 0 || addr->family != USOCKET_AF_INET) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid arguments"));
    }
}

// ifconfig()'s argument as MicroPython's lwIP ports take it: 'dhcp', or a
// tuple or list (ip, netmask, gateway, dns) of IPv4 strings (another str is a
// TypeError there too: it is not a tuple).
void usocket_py_ifconfig_from_obj(mp_obj_t o, usocket_ifconfig_set_t *set) {
    memset(set, 0, sizeof(*set));
    if (mp_obj_is_str(o) && strcmp(mp_obj_str_get_str(o), "dhcp") == 0) {
        set->dhcp = 1;
        return;
    }
    mp_obj_t *items;
    mp_obj_get_array_fixed_n(o, 4, &items);
    usocket_py_ipv4_from_obj(items[0], &set->config.ip);
    usocket_py_ipv4_from_obj(items[1], &set->config.netmask);
    usocket_py_ipv4_from_obj(items[2], &set->config.gateway);
    usocket_py_ipv4_from_obj(items[3], &set->config.dns);
}

// A C ABI address's IP as a str.
mp_obj_t usocket_py_ip_to_obj(const usocket_addr_t *addr) {
    char text[USOCKET_PY_TEXT_MAX];
    intptr_t len;
    USOCKET_PY_RUST(len, usocket_addr_format(addr, text, sizeof(text)));
    usocket_py_raise_if_error(len);
    return mp_obj_new_str(text, (size_t)len);
}

// A C ABI address to `(ip_str, port)`.
mp_obj_t usocket_py_addr_to_obj(const usocket_addr_t *addr) {
    mp_obj_t items[2] = { usocket_py_ip_to_obj(addr), MP_OBJ_NEW_SMALL_INT(addr->port) };
    return mp_obj_new_tuple(2, items);
}

// MicroPython's (1.24+) ipconfig() over ifconfig() and dhcp_state(): one
// parameter read by name, or some set by keyword, as its lwIP ports have it
// (extmod/network_lwip.c): dhcp4, has_dhcp4, addr4 ('ip/prefix' or
// (ip, netmask)) and gw4. Static settings keep the rest of the configuration
// and stop a DHCP client; dhcp4=True starts it without waiting.
static usocket_addr_t usocket_py_prefix_mask(mp_int_t bits) {
    if (bits < 0 || bits > 32) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid arguments"));
    }
    uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    usocket_addr_t a;
    memset(&a, 0, sizeof(a));
    a.family = USOCKET_AF_INET;
    for (int i = 0; i < 4; i++) {
        a.ip[i] = (uint8_t)(mask >> (24 - 8 * i));
    }
    return a;
}

static void usocket_py_ifconfig_apply(const usocket_ifconfig_set_t *set, usocket_ifconfig_t *config) {
    // Into a copy: `config` may be part of `set`, and the C ABI refuses an
    // output that overlaps an input (EINVAL).
    usocket_ifconfig_t out;
    int32_t ret;
    USOCKET_PY_CALL(ret, usocket_ifconfig(set, &out));
    usocket_py_raise_if_error(ret);
    *config = out;
}

// ipconfig()'s call forms: the name of the one parameter read, or NULL when
// keywords set some (the current configuration is read into `set` either way).
static const char *usocket_py_ipconfig_start(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args, usocket_ifconfig_set_t *set) {
    memset(set, 0, sizeof(*set));
    usocket_py_ifconfig_apply(NULL, &set->config);
    if (kw_args->used == 0) {
        if (n_args != 1) {
            mp_raise_TypeError(MP_ERROR_TEXT("must query one param"));
        }
        return mp_obj_str_get_str(args[0]);
    }
    if (n_args != 0) {
        mp_raise_TypeError(MP_ERROR_TEXT("can't specify pos and kw args"));
    }
    return NULL;
}

mp_obj_t usocket_py_ipconfig_params(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    usocket_ifconfig_set_t set;
    const char *key = usocket_py_ipconfig_start(n_args, args, kw_args, &set);
    if (key != NULL) {
        if (strcmp(key, "addr4") == 0) {
            mp_obj_t items[2] = { usocket_py_ip_to_obj(&set.config.ip), usocket_py_ip_to_obj(&set.config.netmask) };
            return mp_obj_new_tuple(2, items);
        }
        if (strcmp(key, "gw4") == 0) {
            return usocket_py_ip_to_obj(&set.config.gateway);
        }
        bool dhcp4 = strcmp(key, "dhcp4") == 0;
        if (!dhcp4 && strcmp(key, "has_dhcp4") != 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("unexpected key"));
        }
        intptr_t state;
        USOCKET_PY_CALL(state, usocket_dhcp_state());
        usocket_py_raise_if_error(state);
        return mp_obj_new_bool(dhcp4 ? state > 0 : state == 2);
    }
    mp_obj_t dhcp4 = MP_OBJ_NULL;
    bool static_change = false;
    for (size_t i = 0; i < kw_args->alloc; i++) {
        if (!mp_map_slot_is_filled(kw_args, i)) {
            continue;
        }
        const char *key = mp_obj_str_get_str(kw_args->table[i].key);
        mp_obj_t value = kw_args->table[i].value;
        if (strcmp(key, "dhcp4") == 0) {
            dhcp4 = value;
        } else if (strcmp(key, "gw4") == 0) {
            usocket_py_ipv4_from_obj(value, &set.config.gateway);
            static_change = true;
        } else if (strcmp(key, "addr4") == 0 && mp_obj_is_str(value)) {
            size_t len;
            const char *text = mp_obj_str_get_data(value, &len);
            const char *slash = memchr(text, '/', len);
            size_t ip_len = slash ? (size_t)(slash - text) : len;
            mp_obj_t ip = mp_obj_new_str(text, ip_len);
            usocket_py_ipv4_from_obj(ip, &set.config.ip);
            if (slash) {
                set.config.netmask = usocket_py_prefix_mask(mp_obj_get_int(mp_parse_num_integer(slash + 1, len - ip_len - 1, 10, NULL)));
            }
            static_change = true;
        } else if (strcmp(key, "addr4") == 0) {
            mp_obj_t *items;
            mp_obj_get_array_fixed_n(value, 2, &items);
            usocket_py_ipv4_from_obj(items[0], &set.config.ip);
            usocket_py_ipv4_from_obj(items[1], &set.config.netmask);
            static_change = true;
        } else {
            mp_raise_ValueError(MP_ERROR_TEXT("unexpected key"));
        }
    }
    if (static_change || (dhcp4 != MP_OBJ_NULL && !mp_obj_is_true(dhcp4))) {
        // A static configuration (also what dhcp4=False leaves): the DHCP client stops.
        usocket_py_ifconfig_apply(&set, &set.config);
    }
    if (dhcp4 != MP_OBJ_NULL && mp_obj_is_true(dhcp4)) {
        set.dhcp = 2;
        usocket_py_ifconfig_apply(&set, &set.config);
    }
    return mp_const_none;
}

// The module's ipconfig(), for what is not the interface's: 'dns' (read, or
// set with dns=, which keeps the rest of a static configuration and stops a
// DHCP client). MicroPython's 'prefer' has no counterpart (getaddrinfo()
// returns both families): it is an unexpected key, as on ports without it.
static mp_obj_t usocket_py_if_module_ipconfig(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    usocket_ifconfig_set_t set;
    const char *key = usocket_py_ipconfig_start(n_args, args, kw_args, &set);
    if (key != NULL) {
        if (strcmp(key, "dns") != 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("unexpected key"));
        }
        return usocket_py_ip_to_obj(&set.config.dns);
    }
    for (size_t i = 0; i < kw_args->alloc; i++) {
        if (!mp_map_slot_is_filled(kw_args, i)) {
            continue;
        }
        if (strcmp(mp_obj_str_get_str(kw_args->table[i].key), "dns") != 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("unexpected key"));
        }
        usocket_py_ipv4_from_obj(kw_args->table[i].value, &set.config.dns);
    }
    usocket_py_ifconfig_apply(&set, &set.config);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_KW(usocket_py_if_module_ipconfig_obj, 0, usocket_py_if_module_ipconfig);

usocket_py_obj_t *usocket_py_new(int32_t fd) {
    usocket_py_obj_t *o = mp_obj_malloc_with_finaliser(usocket_py_obj_t, &usocket_py_type);
    o->fd = fd;
    return o;
}

// Closes the socket once; later calls are no-ops. Returns the C ABI result.
int32_t usocket_py_release(usocket_py_obj_t *self) {
    if (self->fd < 0) {
        return 0;
    }
    int32_t ret;
    USOCKET_PY_RUST(ret, usocket_close(self->fd));
    self->fd = -1;
    return ret;
}


void usocket_py_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    usocket_py_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<socket fd=%d>", (int)self->fd);
}

// Stream protocol: what select/poll, asyncio and the generic stream helpers use.
static mp_uint_t usocket_py_stream_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    usocket_py_obj_t *self = MP_OBJ_TO_PTR(self_in);
    intptr_t ret;
    USOCKET_PY_CALL(ret, usocket_recv(self->fd, (uint8_t *)buf, size));
    if (ret < 0) {
        *errcode = (int)-ret;
        return MP_STREAM_ERROR;
    }
    return (mp_uint_t)ret;
}

static mp_uint_t usocket_py_stream_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    usocket_py_obj_t *self = MP_OBJ_TO_PTR(self_in);
    intptr_t ret;
    USOCKET_PY_CALL(ret, usocket_send(self->fd, (const uint8_t *)buf, size));
    if (ret < 0) {
        *errcode = (int)-ret;
        return MP_STREAM_ERROR;
    }
    return (mp_uint_t)ret;
}

static mp_uint_t usocket_py_stream_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    usocket_py_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (request == MP_STREAM_POLL) {
        if (self->fd < 0) {
            return MP_STREAM_POLL_NVAL;
        }
        intptr_t flags;
        USOCKET_PY_RUST(flags, usocket_poll(self->fd, (int32_t)arg));
        return flags < 0 ? MP_STREAM_POLL_NVAL : (mp_uint_t)flags;
    }
    if (request == MP_STREAM_CLOSE) {
        int32_t ret = usocket_py_release(self);
        if (ret < 0) {
            *errcode = (int)-ret;
            return MP_STREAM_ERROR;
        }
        return 0;
    }
    if (request == USOCKET_STREAM_STACK_DRIVEN) {
        return 0;
    }
    // MP_STREAM_GET_FILENO included: these sockets have no OS file descriptor.
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

const mp_stream_p_t usocket_py_stream_p = {
    .read = usocket_py_stream_read,
    .write = usocket_py_stream_write,
    .ioctl = usocket_py_stream_ioctl,
};
