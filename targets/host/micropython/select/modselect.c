// MicroPython's `select` module for our unix interpreter: the API of
// MicroPython's own (extmod/modselect.c: poll() objects with register,
// modify, unregister, poll and ipoll; select.select), but one wait for
// everything. MicroPython's unix select sleeps 1 ms between checks while it
// polls an object without an OS fd (our sockets have none); this one sleeps in
// the kernel in usocket_host_wait() until an OS fd it polls is ready, the
// board has frames, the stack's next timer is due or the timeout passes.
//
// Built with MICROPY_PY_SELECT=0 (micropython.mk), which leaves out
// MicroPython's own.

#include <errno.h>
#include <poll.h>

#include "py/mphal.h"
#include "py/mpthread.h"
#include "py/objtype.h"
#include "py/runtime.h"
#include "py/stream.h"

#include "usocket.h"
#include "usocket_host.h"

#if MP_STREAM_POLL_RD != POLLIN || MP_STREAM_POLL_WR != POLLOUT || MP_STREAM_POLL_ERR != POLLERR || MP_STREAM_POLL_HUP != POLLHUP
#error "MicroPython's poll flags differ from poll(2)'s"
#endif

// ipoll's flag: report an object once, until its event mask is set again.
#define FLAG_ONESHOT (1)

// How often an object whose readiness the kernel and the stack cannot report
// (a pollable written in Python) is looked at while waiting, as MicroPython's
// MICROPY_PY_SELECT_IOCTL_CALL_PERIOD_MS.
#define POLL_PERIOD_MS (1)

// One registered object: an OS fd (an int, or a stream whose ioctl gives
// one) or a stream polled through its ioctl (our sockets).
typedef struct {
    mp_obj_t obj;
    const mp_stream_p_t *stream;  // NULL for a bare fd
    int fd;                       // -1: polled through the stream's ioctl
    bool stack_driven;            // readiness changes only with the stack's events
    mp_uint_t events;
    mp_uint_t revents;
} entry_t;

// A set of entries: a map from each object's id to its entry, iterated in
// the map's slot order, as MicroPython's select does (asyncio runs the tasks
// of ready objects in the order poll reports them).
typedef struct {
    mp_map_t map;
} poll_set_t;

// The entry of map slot `i`, or NULL for an empty slot.
static entry_t *set_slot(poll_set_t *set, size_t i) {
    if (!mp_map_slot_is_filled(&set->map, i)) {
        return NULL;
    }
    return (entry_t *)MP_OBJ_TO_PTR(set->map.table[i].value);
}

static void set_init(poll_set_t *set, size_t n) {
    mp_map_init(&set->map, n);
}

static void set_add(poll_set_t *set, mp_obj_t obj, mp_uint_t events) {
    mp_map_elem_t *elem = mp_map_lookup(&set->map, mp_obj_id(obj), MP_MAP_LOOKUP_ADD_IF_NOT_FOUND);
    if (elem->value != MP_OBJ_NULL) {
        ((entry_t *)MP_OBJ_TO_PTR(elem->value))->events = events;
        return;
    }
    entry_t *e = m_new_obj(entry_t);
    *e = (entry_t){ .obj = obj, .stream = NULL, .fd = -1, .stack_driven = false, .events = events, .revents = 0 };
    elem->value = MP_OBJ_FROM_PTR(e);
    if (mp_obj_is_int(obj)) {
        e->fd = mp_obj_get_int(obj);
        if (e->fd < 0) {
            mp_map_lookup(&set->map, mp_obj_id(obj), MP_MAP_LOOKUP_REMOVE_IF_FOUND);
            mp_raise_ValueError(MP_ERROR_TEXT("fd must be non-negative"));
        }
    } else {
        e->stream = mp_get_stream_raise(obj, MP_STREAM_OP_IOCTL);
        int err;
        mp_uint_t fd = e->stream->ioctl(obj, MP_STREAM_GET_FILENO, 0, &err);
        if (fd != MP_STREAM_ERROR) {
            e->fd = (int)fd;
        } else if (mp_obj_is_native_type(mp_obj_get_type(obj))) {
            // A native stream (not a class written in Python, whose ioctl
            // would see the question): ours and a TLS socket over one answer 0.
            e->stack_driven = e->stream->ioctl(obj, USOCKET_STREAM_STACK_DRIVEN, 0, &err) == 0;
        }
    }
}

static entry_t *set_find(poll_set_t *set, mp_obj_t obj) {
    mp_map_elem_t *elem = mp_map_lookup(&set->map, mp_obj_id(obj), MP_MAP_LOOKUP);
    return elem == NULL ? NULL : (entry_t *)MP_OBJ_TO_PTR(elem->value);
}

static void set_remove(poll_set_t *set, mp_obj_t obj) {
    mp_map_lookup(&set->map, mp_obj_id(obj), MP_MAP_LOOKUP_REMOVE_IF_FOUND);
}

// Looks at every entry once without waiting: streams through their ioctl,
// OS fds through the revents in `fds` (filled by poll(2) or the wait). Returns
// how many are ready.
static size_t set_check(poll_set_t *set, struct pollfd *fds) {
    size_t ready = 0, k = 0;
    for (size_t i = 0; i < set->map.alloc; i++) {
        entry_t *e = set_slot(set, i);
        if (e == NULL) {
            continue;
        }
        if (e->fd >= 0) {
            e->revents = (mp_uint_t)fds[k++].revents;
        } else {
            int err;
            mp_uint_t r = e->stream->ioctl(e->obj, MP_STREAM_POLL, e->events, &err);
            if (r == MP_STREAM_ERROR) {
                mp_raise_OSError(err);
            }
            e->revents = r;
        }
        ready += e->revents != 0;
    }
    return ready;
}

// The OS fds of the set, in entry order, for poll(2).
static size_t set_fds(poll_set_t *set, struct pollfd *fds) {
    size_t n = 0;
    for (size_t i = 0; i < set->map.alloc; i++) {
        entry_t *e = set_slot(set, i);
        if (e != NULL && e->fd >= 0) {
            fds[n].fd = e->fd;
            fds[n].events = (short)e->events;
            fds[n].revents = 0;
            n++;
        }
    }
    return n;
}

// Waits until an entry is ready or `timeout_ms` passes (-1: no limit);
// returns how many are ready.
static size_t set_wait(poll_set_t *set, mp_int_t timeout_ms) {
    mp_uint_t start = mp_hal_ticks_ms();
    size_t nfds = 0;
    bool polled = false;
    for (size_t i = 0; i < set->map.alloc; i++) {
        entry_t *e = set_slot(set, i);
        if (e != NULL) {
            nfds += e->fd >= 0;
            polled |= e->fd < 0 && !e->stack_driven;
        }
    }
    // Sets of up to 16 OS fds (asyncio's usual) need no heap.
    struct pollfd few[16];
    struct pollfd *fds = nfds <= 16 ? few : m_new(struct pollfd, nfds);
    for (;;) {
        set_fds(set, fds);
        if (nfds > 0 && poll(fds, nfds, 0) < 0 && errno != EINTR) {
            mp_raise_OSError(errno);
        }
        size_t ready = set_check(set, fds);
        mp_uint_t elapsed = mp_hal_ticks_ms() - start;
        if (ready > 0 || (timeout_ms >= 0 && elapsed >= (mp_uint_t)timeout_ms)) {
            if (fds != few) {
                m_del(struct pollfd, fds, nfds);
            }
            return ready;
        }
        int left = timeout_ms < 0 ? -1 : (int)((mp_uint_t)timeout_ms - elapsed);
        if (polled && (left < 0 || left > POLL_PERIOD_MS)) {
            left = POLL_PERIOD_MS;
        }
        MP_THREAD_GIL_EXIT();
        int r = usocket_host_wait(fds, nfds, left);
        MP_THREAD_GIL_ENTER();
        if (r < 0 && r != -EINTR) {
            mp_raise_OSError(-r);
        }
        // A signal (Ctrl-C) raises here; MicroPython's scheduled callbacks run.
        mp_event_handle_nowait();
    }
}

typedef struct {
    mp_obj_base_t base;
    poll_set_t set;
    size_t iter_left;
    size_t iter_at;
    int flags;
    mp_obj_t ret_tuple;  // reused by ipoll, as MicroPython's
} poll_obj_t;

// register(obj[, eventmask]): POLLIN | POLLOUT by default; again: a new mask.
static mp_obj_t poll_register(size_t n_args, const mp_obj_t *args) {
    poll_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_uint_t events = n_args == 3 ? (mp_uint_t)mp_obj_get_int(args[2]) : (MP_STREAM_POLL_RD | MP_STREAM_POLL_WR);
    set_add(&self->set, args[1], events);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(poll_register_obj, 2, 3, poll_register);

// unregister(obj): nothing when it is not registered (as MicroPython).
static mp_obj_t poll_unregister(mp_obj_t self_in, mp_obj_t obj) {
    poll_obj_t *self = MP_OBJ_TO_PTR(self_in);
    set_remove(&self->set, obj);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(poll_unregister_obj, poll_unregister);

// modify(obj, eventmask): OSError(ENOENT) when it is not registered.
static mp_obj_t poll_modify(mp_obj_t self_in, mp_obj_t obj, mp_obj_t events) {
    poll_obj_t *self = MP_OBJ_TO_PTR(self_in);
    entry_t *e = set_find(&self->set, obj);
    if (e == NULL) {
        mp_raise_OSError(MP_ENOENT);
    }
    e->events = (mp_uint_t)mp_obj_get_int(events);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(poll_modify_obj, poll_modify);

// The timeout (ms; None or negative: none) and flags of poll()/ipoll(), then the wait.
static size_t poll_wait(size_t n_args, const mp_obj_t *args) {
    poll_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_int_t timeout = -1;
    if (n_args >= 2 && args[1] != mp_const_none) {
        timeout = mp_obj_get_int(args[1]);
        if (timeout < 0) {
            timeout = -1;
        }
    }
    self->flags = n_args >= 3 ? mp_obj_get_int(args[2]) : 0;
    return set_wait(&self->set, timeout);
}

// poll([timeout]): a list of (obj, revents).
static mp_obj_t poll_poll(size_t n_args, const mp_obj_t *args) {
    poll_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    size_t ready = poll_wait(n_args, args);
    mp_obj_list_t *list = MP_OBJ_TO_PTR(mp_obj_new_list(ready, NULL));
    size_t k = 0;
    for (size_t i = 0; i < self->set.map.alloc && k < ready; i++) {
        entry_t *e = set_slot(&self->set, i);
        if (e != NULL && e->revents != 0) {
            mp_obj_t pair[2] = { e->obj, MP_OBJ_NEW_SMALL_INT(e->revents) };
            list->items[k++] = mp_obj_new_tuple(2, pair);
        }
    }
    return MP_OBJ_FROM_PTR(list);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(poll_poll_obj, 1, 2, poll_poll);

// ipoll([timeout[, flags]]): the poll object as an iterator of one reused
// (obj, revents) tuple; with flags 1 each object is reported once, until its
// mask is set again.
static mp_obj_t poll_ipoll(size_t n_args, const mp_obj_t *args) {
    poll_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    if (self->ret_tuple == MP_OBJ_NULL) {
        self->ret_tuple = mp_obj_new_tuple(2, NULL);
    }
    self->iter_left = poll_wait(n_args, args);
    self->iter_at = 0;
    return args[0];
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(poll_ipoll_obj, 1, 3, poll_ipoll);

static mp_obj_t poll_iternext(mp_obj_t self_in) {
    poll_obj_t *self = MP_OBJ_TO_PTR(self_in);
    while (self->iter_left > 0 && self->iter_at < self->set.map.alloc) {
        entry_t *e = set_slot(&self->set, self->iter_at++);
        if (e == NULL || e->revents == 0) {
            continue;
        }
        self->iter_left--;
        mp_obj_tuple_t *t = MP_OBJ_TO_PTR(self->ret_tuple);
        t->items[0] = e->obj;
        t->items[1] = MP_OBJ_NEW_SMALL_INT(e->revents);
        if (self->flags & FLAG_ONESHOT) {
            e->events = 0;
        }
        return MP_OBJ_FROM_PTR(t);
    }
    self->iter_left = 0;
    return MP_OBJ_STOP_ITERATION;
}

static const mp_rom_map_elem_t poll_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_register), MP_ROM_PTR(&poll_register_obj) },
    { MP_ROM_QSTR(MP_QSTR_unregister), MP_ROM_PTR(&poll_unregister_obj) },
    { MP_ROM_QSTR(MP_QSTR_modify), MP_ROM_PTR(&poll_modify_obj) },
    { MP_ROM_QSTR(MP_QSTR_poll), MP_ROM_PTR(&poll_poll_obj) },
    { MP_ROM_QSTR(MP_QSTR_ipoll), MP_ROM_PTR(&poll_ipoll_obj) },
};
static MP_DEFINE_CONST_DICT(poll_locals_dict, poll_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    poll_type,
    MP_QSTR_poll,
    MP_TYPE_FLAG_ITER_IS_ITERNEXT,
    iter, poll_iternext,
    locals_dict, &poll_locals_dict
    );

// poll(): a new, empty poll object.
static mp_obj_t select_poll(void) {
    poll_obj_t *p = mp_obj_malloc(poll_obj_t, &poll_type);
    set_init(&p->set, 0);
    p->iter_left = p->iter_at = 0;
    p->flags = 0;
    p->ret_tuple = MP_OBJ_NULL;
    return MP_OBJ_FROM_PTR(p);
}
static MP_DEFINE_CONST_FUN_OBJ_0(select_poll_obj, select_poll);

// select(rlist, wlist, xlist[, timeout]): the ready objects of each list;
// timeout in seconds (None: none).
static mp_obj_t select_select(size_t n_args, const mp_obj_t *args) {
    size_t len[3];
    mp_obj_t *items[3];
    const mp_uint_t wanted[3] = { MP_STREAM_POLL_RD, MP_STREAM_POLL_WR, MP_STREAM_POLL_ERR | MP_STREAM_POLL_HUP };
    for (int k = 0; k < 3; k++) {
        mp_obj_get_array(args[k], &len[k], &items[k]);
    }
    poll_set_t set;
    set_init(&set, len[0] + len[1] + len[2]);
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < len[k]; i++) {
            entry_t *e = set_find(&set, items[k][i]);
            set_add(&set, items[k][i], (e ? e->events : 0) | wanted[k]);
        }
    }
    mp_int_t timeout = -1;
    if (n_args == 4 && args[3] != mp_const_none) {
        mp_float_t seconds = mp_obj_get_float(args[3]);
        timeout = seconds >= 0 ? (mp_int_t)(seconds * 1000) : -1;
    }
    set_wait(&set, timeout);
    mp_obj_t lists[3];
    for (int k = 0; k < 3; k++) {
        lists[k] = mp_obj_new_list(0, NULL);
        for (size_t i = 0; i < len[k]; i++) {
            entry_t *e = set_find(&set, items[k][i]);
            bool ready = k < 2 ? (e->revents & wanted[k]) : (e->revents & ~(MP_STREAM_POLL_RD | MP_STREAM_POLL_WR));
            if (ready) {
                mp_obj_list_append(lists[k], items[k][i]);
            }
        }
    }
    mp_map_deinit(&set.map);
    return mp_obj_new_tuple(3, lists);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(select_select_obj, 3, 4, select_select);

static const mp_rom_map_elem_t select_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_select) },
    { MP_ROM_QSTR(MP_QSTR_select), MP_ROM_PTR(&select_select_obj) },
    { MP_ROM_QSTR(MP_QSTR_poll), MP_ROM_PTR(&select_poll_obj) },
    { MP_ROM_QSTR(MP_QSTR_POLLIN), MP_ROM_INT(MP_STREAM_POLL_RD) },
    { MP_ROM_QSTR(MP_QSTR_POLLOUT), MP_ROM_INT(MP_STREAM_POLL_WR) },
    { MP_ROM_QSTR(MP_QSTR_POLLERR), MP_ROM_INT(MP_STREAM_POLL_ERR) },
    { MP_ROM_QSTR(MP_QSTR_POLLHUP), MP_ROM_INT(MP_STREAM_POLL_HUP) },
};
static MP_DEFINE_CONST_DICT(select_globals, select_globals_table);

const mp_obj_module_t usocket_select_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&select_globals,
};

MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_select, usocket_select_module);
