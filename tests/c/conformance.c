/* The spec's behaviour cases (generated/conformance/cases.h) on the C ABI,
 * loopback board. Each step calls a C ABI function by its spec name with
 * Python-like values, mapped as the MicroPython glue maps them. Cases whose
 * `targets` leave out the C ABI are listed. Prints one line per failing case and "N passed, M failed". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usocket.h"
#include "../../generated/conformance/cases.h"

/* A value at run time. */
typedef enum { R_NONE, R_BOOL, R_INT, R_FLOAT, R_STR, R_BYTES, R_SOCK, R_TUPLE } r_kind_t;

typedef struct rv {
    r_kind_t kind;
    long long i;
    double f;
    char *s; /* str or bytes (owned) */
    size_t len;
    struct rv *items;
} rv_t;

/* Variables of the running case. */
#define MAX_VARS 32
static const char *var_names[MAX_VARS];
static rv_t var_values[MAX_VARS];
static int n_vars;

/* Every socket a case made, closed when it ends. */
#define MAX_FDS 256
static int32_t fds[MAX_FDS];
static int n_fds;

static char failure[512];

static rv_t r_none(void) {
    rv_t r;
    memset(&r, 0, sizeof r);
    return r;
}

static rv_t r_int(r_kind_t kind, long long i) {
    rv_t r = r_none();
    r.kind = kind;
    r.i = i;
    return r;
}

static rv_t r_data(r_kind_t kind, const void *data, size_t len) {
    rv_t r = r_none();
    r.kind = kind;
    r.s = malloc(len + 1);
    memcpy(r.s, data, len);
    r.s[len] = 0;
    r.len = len;
    return r;
}

static rv_t r_tuple(size_t n) {
    rv_t r = r_none();
    r.kind = R_TUPLE;
    r.items = calloc(n ? n : 1, sizeof(rv_t));
    r.len = n;
    return r;
}

static const rv_t *var(const char *name) {
    for (int k = n_vars - 1; k >= 0; k--) {
        if (strcmp(var_names[k], name) == 0) {
            return &var_values[k];
        }
    }
    return NULL;
}

/* A spec value, with variables looked up. */
static rv_t value(const cv_t *v) {
    switch (v->kind) {
    case CV_NONE: return r_none();
    case CV_BOOL: return r_int(R_BOOL, v->i);
    case CV_INT: return r_int(R_INT, v->i);
    case CV_FLOAT: {
        rv_t r = r_none();
        r.kind = R_FLOAT;
        r.f = v->f;
        return r;
    }
    case CV_STR: return r_data(R_STR, v->s, v->len);
    case CV_BYTES: return r_data(R_BYTES, v->s, v->len);
    case CV_VAR: {
        const rv_t *r = var(v->s);
        return r ? *r : r_none();
    }
    case CV_TUPLE: {
        rv_t r = r_tuple(v->len);
        for (size_t k = 0; k < v->len; k++) {
            r.items[k] = value(&v->items[k]);
        }
        return r;
    }
    }
    return r_none();
}

static int equal(const rv_t *a, const rv_t *b) {
    int a_num = a->kind == R_INT || a->kind == R_BOOL, b_num = b->kind == R_INT || b->kind == R_BOOL;
    if (a_num && b_num) {
        return a->i == b->i;
    }
    if (a->kind != b->kind) {
        return 0;
    }
    switch (a->kind) {
    case R_NONE: return 1;
    case R_FLOAT: return fabs(a->f - b->f) < 1e-9;
    case R_STR:
    case R_BYTES: return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    case R_SOCK: return a->i == b->i;
    case R_TUPLE:
        if (a->len != b->len) {
            return 0;
        }
        for (size_t k = 0; k < a->len; k++) {
            if (!equal(&a->items[k], &b->items[k])) {
                return 0;
            }
        }
        return 1;
    default: return 0;
    }
}

/* An address's IP as a str (ifconfig's items). */
static rv_t ip_value(const usocket_addr_t *a) {
    char text[64];
    intptr_t n = usocket_addr_format(a, text, sizeof text);
    return r_data(R_STR, text, n > 0 ? (size_t)n : 0);
}

/* An address as `(ip_str, port)`. */
static rv_t addr_value(const usocket_addr_t *a) {
    rv_t r = r_tuple(2);
    r.items[0] = ip_value(a);
    r.items[1] = r_int(R_INT, a->port);
    return r;
}

/* `(ip_str, port)` to an address; the C ABI's error, or 0. */
static long long addr_in(const rv_t *r, usocket_addr_t *out) {
    if (r->kind != R_TUPLE || r->len < 2 || r->items[0].kind != R_STR || r->items[1].kind != R_INT) {
        return -USOCKET_EINVAL;
    }
    return usocket_addr_parse(r->items[0].s, r->items[0].len, (int32_t)r->items[1].i, out);
}

/* ifconfig()'s argument as the glue makes it: 'dhcp', or four IPv4 strings ('' is 0.0.0.0); the C ABI's error, or 0. */
static long long ifconfig_in(const rv_t *r, usocket_ifconfig_set_t *set) {
    memset(set, 0, sizeof *set);
    if (r->kind == R_STR && strcmp(r->s, "dhcp") == 0) {
        set->dhcp = 1;
        return 0;
    }
    if (r->kind != R_TUPLE || r->len != 4) {
        return -USOCKET_EINVAL;
    }
    usocket_addr_t *out[4] = { &set->config.ip, &set->config.netmask, &set->config.gateway, &set->config.dns };
    for (size_t k = 0; k < 4; k++) {
        const rv_t *item = &r->items[k];
        if (item->kind != R_STR) {
            return -USOCKET_EINVAL;
        }
        out[k]->family = USOCKET_AF_INET;
        if (item->len > 0) {
            long long e = usocket_addr_parse(item->s, item->len, 0, out[k]);
            if (e < 0) {
                return e;
            }
        }
    }
    return 0;
}

static int32_t arg_int(const rv_t *args, size_t n, size_t k, int32_t dflt) {
    if (k < n && (args[k].kind == R_INT || args[k].kind == R_BOOL)) {
        return (int32_t)args[k].i;
    }
    return dflt;
}

/* The result of a call that returns bytes: `(count, buffer)`. */
static long long bytes_result(long long n, uint8_t *buf, rv_t *out, int none_on_eagain) {
    if (n == -USOCKET_EAGAIN && none_on_eagain) {
        *out = r_none();
        return 0;
    }
    if (n >= 0) {
        *out = r_data(R_BYTES, buf, (size_t)n);
        return 0;
    }
    return n;
}

/* A count or flags result: 0 with `out` set to it, or the negative C ABI result. */
static long long int_result(long long r, rv_t *out) {
    if (r >= 0) {
        *out = r_int(R_INT, r);
        return 0;
    }
    return r;
}

/* Calls one step; 0 with `out` set, or the negative C ABI result. */
static long long call(const cstep_t *step, rv_t *out) {
    rv_t args[8];
    size_t n = step->n_args < 8 ? step->n_args : 8;
    for (size_t k = 0; k < n; k++) {
        args[k] = value(&step->args[k]);
    }
    int32_t fd = -1;
    if (step->on) {
        const rv_t *v = var(step->on);
        if (!v || v->kind != R_SOCK) {
            snprintf(failure, sizeof failure, "`%s` is not a socket", step->on);
            return -100000;
        }
        fd = (int32_t)v->i;
    }
    static uint8_t buf[65536];
    size_t size = n > 0 && args[0].kind == R_INT && args[0].i >= 0 ? (size_t)args[0].i : 4096;
    const uint8_t *data = n > 0 && args[0].kind == R_BYTES ? (const uint8_t *)args[0].s : NULL;
    size_t data_len = n > 0 && args[0].kind == R_BYTES ? args[0].len : 0;
    const char *c = step->call;
    usocket_addr_t a;
    long long r;
    *out = r_none();
    if (strcmp(c, "value") == 0) {
        /* The generated data holds the header's macro, not the spec's number. */
        *out = args[0];
        return 0;
    }
    if (strcmp(c, "buffer") == 0) {
        *out = r_none();
        out->kind = R_BYTES;
        out->s = calloc(size + 1, 1);
        out->len = size;
        return 0;
    }
    if (strcmp(c, "addr_parse") == 0) {
        if (n < 2 || args[0].kind != R_STR) {
            snprintf(failure, sizeof failure, "addr_parse() needs a host string and a port");
            return -100000;
        }
        r = usocket_addr_parse(args[0].s, args[0].len, arg_int(args, n, 1, 0), &a);
        if (r == 0) {
            *out = addr_value(&a);
        }
        return r;
    }
    if (strcmp(c, "addr_format") == 0) {
        char text[64];
        if ((r = addr_in(&args[0], &a)) < 0) {
            return r;
        }
        r = (long long)usocket_addr_format(&a, text, sizeof text);
        if (r >= 0) {
            *out = r_data(R_STR, text, (size_t)r);
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "readinto") == 0) {
        /* The variable's bytes are shared with args[0]: the read fills the variable. */
        if (n < 1 || args[0].kind != R_BYTES) {
            snprintf(failure, sizeof failure, "readinto() needs a buffer variable");
            return -100000;
        }
        size_t nbytes = n > 1 && args[1].kind == R_INT ? (size_t)args[1].i : args[0].len;
        r = (long long)usocket_readinto(fd, (uint8_t *)args[0].s, nbytes);
        if (r == -USOCKET_EAGAIN) {
            return 0;
        }
        if (r >= 0) {
            *out = r_int(R_INT, r);
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "poll") == 0) {
        return int_result((long long)usocket_poll(fd, arg_int(args, n, 0, 0)), out);
    }
    if (strcmp(c, "socket") == 0) {
        r = usocket_socket(arg_int(args, n, 0, USOCKET_AF_INET), arg_int(args, n, 1, USOCKET_SOCK_STREAM), arg_int(args, n, 2, 0));
        if (r >= 0) {
            *out = r_int(R_SOCK, r);
            if (n_fds < MAX_FDS) {
                fds[n_fds++] = (int32_t)r;
            }
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "getservbyname") == 0) {
        const char *name = n > 0 && args[0].kind == R_STR ? args[0].s : NULL;
        const char *protocol = n > 1 && args[1].kind == R_STR ? args[1].s : NULL;
        return int_result((long long)usocket_getservbyname(name, name ? strlen(name) : 0, protocol, protocol ? strlen(protocol) : 0), out);
    }
    if (strcmp(c, "inet_pton") == 0) {
        static uint8_t packed[16];
        const char *text = n > 1 && args[1].kind == R_STR ? args[1].s : NULL;
        r = (long long)usocket_inet_pton(arg_int(args, n, 0, 0), text, text ? strlen(text) : 0, packed, sizeof packed);
        if (r >= 0) {
            *out = r_data(R_BYTES, (const char *)packed, (size_t)r);
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "inet_ntop") == 0) {
        char text[64];
        const uint8_t *packed = n > 1 && args[1].kind == R_BYTES ? (const uint8_t *)args[1].s : NULL;
        r = (long long)usocket_inet_ntop(arg_int(args, n, 0, 0), packed, n > 1 ? args[1].len : 0, text, sizeof text);
        if (r >= 0) {
            *out = r_data(R_STR, text, (size_t)r);
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "fileno") == 0) {
        return int_result(usocket_fileno(fd), out);
    }
    if (strcmp(c, "getaddrinfo") == 0) {
        usocket_addrinfo_t infos[4];
        const char *host = n > 0 && args[0].kind == R_STR ? args[0].s : NULL;
        r = usocket_getaddrinfo(host, host ? strlen(host) : 0, arg_int(args, n, 1, 0), arg_int(args, n, 2, 0), arg_int(args, n, 3, 0), arg_int(args, n, 4, 0), arg_int(args, n, 5, 0), infos, 4);
        if (r < 0) {
            return r;
        }
        *out = r_tuple((size_t)r);
        for (long long k = 0; k < r; k++) {
            rv_t *e = &out->items[k];
            *e = r_tuple(5);
            e->items[0] = r_int(R_INT, infos[k].family);
            e->items[1] = r_int(R_INT, infos[k].socktype);
            e->items[2] = r_int(R_INT, infos[k].proto);
            e->items[3] = r_data(R_STR, "", 0);
            e->items[4] = addr_value(&infos[k].addr);
        }
        return 0;
    }
    if (strcmp(c, "bind") == 0 || strcmp(c, "connect") == 0) {
        if ((r = addr_in(&args[0], &a)) < 0) {
            return r;
        }
        return c[0] == 'b' ? usocket_bind(fd, &a) : usocket_connect(fd, &a);
    }
    if (strcmp(c, "listen") == 0) {
        return usocket_listen(fd, arg_int(args, n, 0, 2));
    }
    if (strcmp(c, "accept") == 0) {
        r = usocket_accept(fd, &a);
        if (r < 0) {
            return r;
        }
        if (n_fds < MAX_FDS) {
            fds[n_fds++] = (int32_t)r;
        }
        *out = r_tuple(2);
        out->items[0] = r_int(R_SOCK, r);
        out->items[1] = addr_value(&a);
        return 0;
    }
    if (strcmp(c, "send") == 0 || strcmp(c, "write") == 0) {
        r = c[0] == 's' ? usocket_send(fd, data, data_len) : usocket_write(fd, data, data_len);
        if (r == -USOCKET_EAGAIN && c[0] == 'w') {
            return 0;
        }
        if (r >= 0) {
            *out = r_int(R_INT, r);
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "sendall") == 0) {
        return usocket_sendall(fd, data, data_len);
    }
    if (strcmp(c, "recv") == 0) {
        return bytes_result(usocket_recv(fd, buf, size), buf, out, 0);
    }
    if (strcmp(c, "read") == 0) {
        return bytes_result(usocket_read(fd, buf, size), buf, out, 1);
    }
    if (strcmp(c, "readline") == 0) {
        return bytes_result(usocket_readline(fd, buf, 4096), buf, out, 1);
    }
    if (strcmp(c, "sendto") == 0) {
        if ((r = addr_in(&args[1], &a)) < 0) {
            return r;
        }
        r = usocket_sendto(fd, data, data_len, &a);
        if (r >= 0) {
            *out = r_int(R_INT, r);
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "recvfrom") == 0) {
        r = usocket_recvfrom(fd, buf, size, &a);
        if (r < 0) {
            return r;
        }
        *out = r_tuple(2);
        out->items[0] = r_data(R_BYTES, buf, (size_t)r);
        out->items[1] = addr_value(&a);
        return 0;
    }
    if (strcmp(c, "setsockopt") == 0) {
        int32_t v = arg_int(args, n, 2, 0);
        if (n > 2 && args[2].kind == R_BYTES) {
            return usocket_setsockopt(fd, arg_int(args, n, 0, 0), arg_int(args, n, 1, 0), (const uint8_t *)args[2].s, args[2].len);
        }
        return usocket_setsockopt(fd, arg_int(args, n, 0, 0), arg_int(args, n, 1, 0), (const uint8_t *)&v, sizeof v);
    }
    if (strcmp(c, "settimeout") == 0) {
        int32_t ms = -1;
        if (n > 0 && args[0].kind == R_FLOAT) {
            ms = (int32_t)ceil(args[0].f * 1000.0);
        } else if (n > 0 && args[0].kind == R_INT) {
            ms = (int32_t)(args[0].i * 1000);
        }
        return usocket_settimeout(fd, ms);
    }
    if (strcmp(c, "setblocking") == 0) {
        return usocket_setblocking(fd, arg_int(args, n, 0, 1));
    }
    if (strcmp(c, "gettimeout") == 0) {
        int32_t ms = 0;
        r = usocket_gettimeout(fd, &ms);
        if (r == 0 && ms >= 0) {
            out->kind = R_FLOAT;
            out->f = ms / 1000.0;
        }
        return r;
    }
    if (strcmp(c, "getsockname") == 0 || strcmp(c, "getpeername") == 0) {
        r = strcmp(c, "getsockname") == 0 ? usocket_getsockname(fd, &a) : usocket_getpeername(fd, &a);
        if (r == 0) {
            *out = addr_value(&a);
        }
        return r;
    }
    if (strcmp(c, "shutdown") == 0) {
        return usocket_shutdown(fd, arg_int(args, n, 0, 0));
    }
    if (strcmp(c, "ifconfig") == 0) {
        /* With an argument it sets, and returns None (as from Python). */
        usocket_ifconfig_set_t set;
        usocket_ifconfig_t config;
        if (n > 0 && (r = ifconfig_in(&args[0], &set)) < 0) {
            return r;
        }
        r = usocket_ifconfig(n > 0 ? &set : NULL, &config);
        if (r == 0 && n == 0) {
            *out = r_tuple(4);
            out->items[0] = ip_value(&config.ip);
            out->items[1] = ip_value(&config.netmask);
            out->items[2] = ip_value(&config.gateway);
            out->items[3] = ip_value(&config.dns);
        }
        return r;
    }
    if (strcmp(c, "active") == 0 || strcmp(c, "isconnected") == 0) {
        r = c[0] == 'a' ? usocket_active() : usocket_isconnected();
        if (r >= 0) {
            *out = r_int(R_BOOL, r);
            r = 0;
        }
        return r;
    }
    if (strcmp(c, "close_all") == 0) {
        *out = r_none();
        return usocket_close_all();
    }
    if (strcmp(c, "poll_delay") == 0) {
        int32_t ms = 0;
        *out = r_none();
        r = usocket_poll_delay(&ms);
        if (r == 0 && ms >= 0) {
            out->kind = R_FLOAT;
            out->f = ms / 1000.0;
        }
        return r;
    }
    if (strcmp(c, "status") == 0) {
        return int_result((long long)usocket_status(), out);
    }
    if (strcmp(c, "dhcp_state") == 0) {
        return int_result((long long)usocket_dhcp_state(), out);
    }
    if (strcmp(c, "makefile") == 0) {
        *out = r_int(R_SOCK, fd);
        return 0;
    }
    if (strcmp(c, "close") == 0) {
        /* Python may close twice; the C ABI reports the second as EBADF. */
        r = usocket_close(fd);
        return r == -USOCKET_EBADF ? 0 : r;
    }
    snprintf(failure, sizeof failure, "no mapping for `%s`", c);
    return -100000;
}

static void describe(char *out, size_t size, const rv_t *r) {
    switch (r->kind) {
    case R_NONE: snprintf(out, size, "None"); break;
    case R_INT:
    case R_BOOL:
    case R_SOCK: snprintf(out, size, "%lld", r->i); break;
    case R_FLOAT: snprintf(out, size, "%g", r->f); break;
    case R_STR:
    case R_BYTES: snprintf(out, size, "'%.*s'", (int)r->len, r->s); break;
    case R_TUPLE: snprintf(out, size, "(tuple of %zu)", r->len); break;
    }
}

/* Runs a case: 1 when it passes (`failure` says why not). */
static int run(const ccase_t *cs) {
    n_vars = 0;
    for (size_t k = 0; k < cs->n_steps; k++) {
        const cstep_t *s = &cs->steps[k];
        rv_t got;
        long long r;
        if (s->until_max > 0) {
            int hit = 0;
            for (int t = 0; t < s->until_max && !hit; t++) {
                r = call(s, &got);
                if (r == -s->code) {
                    hit = 1;
                } else if (r < 0) {
                    snprintf(failure, sizeof failure, "step %zu (%s): expected %s, got %lld", k + 1, s->call, s->name, r);
                    return 0;
                }
            }
            if (!hit) {
                snprintf(failure, sizeof failure, "step %zu (%s): no %s in %d calls", k + 1, s->call, s->name, s->until_max);
                return 0;
            }
            continue;
        }
        failure[0] = 0;
        r = call(s, &got);
        /* Errors compare as the C ABI returns them: -errno, or getaddrinfo's own negative code. */
        long long want_error = s->code > 0 ? -s->code : s->code;
        if (s->expect == CE_ERROR) {
            if (r != want_error) {
                char why[sizeof failure];
                memcpy(why, failure, sizeof why);
                snprintf(failure, sizeof failure, "step %zu (%s): expected %s, got %lld %.200s", k + 1, s->call, s->name, r, why);
                return 0;
            }
            continue;
        }
        if (r < 0) {
            snprintf(failure + strlen(failure), sizeof failure - strlen(failure), " step %zu (%s): error %lld", k + 1, s->call, r);
            return 0;
        }
        if (s->expect == CE_RETURNS) {
            rv_t want = value(s->value);
            if (!equal(&got, &want)) {
                char g[128], w[128];
                describe(g, sizeof g, &got);
                describe(w, sizeof w, &want);
                snprintf(failure, sizeof failure, "step %zu (%s): returned %s, expected %s", k + 1, s->call, g, w);
                return 0;
            }
        }
        if (s->bind && n_vars < MAX_VARS) {
            var_names[n_vars] = s->bind;
            var_values[n_vars] = s->index >= 0 && got.kind == R_TUPLE && (size_t)s->index < got.len ? got.items[s->index] : got;
            n_vars++;
        }
    }
    return 1;
}

int main(void) {
    int passed = 0, failed = 0, skipped = 0;
    size_t total = sizeof conformance_cases / sizeof conformance_cases[0];
    for (const char *const *id = conformance_not_here; *id; id++) {
        fprintf(stderr, "NOT APPLICABLE to the C ABI (the case's targets): %s\n", *id);
        skipped++;
    }
    for (size_t k = 0; k < total; k++) {
        const ccase_t *cs = &conformance_cases[k];
        n_fds = 0;
        if (run(cs)) {
            passed++;
        } else {
            failed++;
            printf("FAIL %s: %s\n", cs->id, failure);
        }
        for (int f = 0; f < n_fds; f++) {
            usocket_close(fds[f]);
        }
    }
    printf("C ABI: %d passed, %d failed (%d not applicable)\n", passed, failed, skipped);
    return failed == 0 && passed > 0 ? 0 : 1;
}
