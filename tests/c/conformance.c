/* The spec's behaviour cases (generated/conformance/cases.h) on the C ABI,
 * loopback board. The generated dispatch calls a step's C ABI function by its
 * spec name; this runner gives it Python-like values, converted for each
 * argument type and made for each kind of result as the MicroPython glue
 * does, and keeps the pseudo-steps and the comparison of results. Cases whose
 * `targets` leave out the C ABI are listed. Prints one line per failing case
 * and "N passed, M failed". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usocket.h"
#include "../../generated/conformance/cases.h"

/* A value at run time. */
typedef enum { R_NONE, R_BOOL, R_INT, R_FLOAT, R_STR, R_BYTES, R_SOCK, R_TUPLE } r_kind_t;

struct rv {
    r_kind_t kind;
    long long i;
    double f;
    char *s; /* str or bytes (owned) */
    size_t len;
    struct rv *items;
};

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
    char text[CONFORMANCE_TEXT_MAX];
    intptr_t n = usocket_addr_format(a, text, sizeof text);
    return r_data(R_STR, text, n > 0 ? (size_t)n : 0);
}

/* A failure of the runner's own (`failure` says why), not a C ABI result. */
#define RUNNER_FAILURE (-100000LL)

static long long fail(const cstep_t *step, const char *what, const rv_t *got) {
    snprintf(failure, sizeof failure, "`%s`: expected %s (got kind %d)", step->call, what, got ? (int)got->kind : -1);
    return RUNNER_FAILURE;
}

/* The step's argument at `at`, else `dflt`; RUNNER_FAILURE when there is neither. */
static long long arg(const cstep_t *step, int at, const cv_t *dflt, rv_t *out) {
    if (at >= 0 && (size_t)at < step->n_args) {
        *out = value(&step->args[at]);
        return 0;
    }
    if (dflt) {
        *out = value(dflt);
        return 0;
    }
    snprintf(failure, sizeof failure, "`%s` lacks an argument", step->call);
    return RUNNER_FAILURE;
}

/* Gets the argument into `v`, or returns the failure. */
#define ARG(v) \
    rv_t v; \
    do { \
        long long e_ = arg(step, at, dflt, &v); \
        if (e_ < 0) { \
            return e_; \
        } \
    } while (0)

static long long arg_int(const cstep_t *step, int at, const cv_t *dflt, int32_t *out) {
    ARG(v);
    if (v.kind != R_INT && v.kind != R_BOOL) {
        return fail(step, "an int", &v);
    }
    *out = (int32_t)v.i;
    return 0;
}

static long long arg_bool(const cstep_t *step, int at, const cv_t *dflt, int32_t *out) {
    ARG(v);
    if (v.kind != R_INT && v.kind != R_BOOL) {
        return fail(step, "a bool", &v);
    }
    *out = v.i != 0;
    return 0;
}

static long long arg_timeout(const cstep_t *step, int at, const cv_t *dflt, int32_t *ms) {
    ARG(v);
    switch (v.kind) {
    case R_NONE: *ms = -1; return 0;
    case R_FLOAT: *ms = (int32_t)ceil(v.f * 1000.0); return 0;
    case R_INT: *ms = (int32_t)(v.i * 1000); return 0;
    default: return fail(step, "seconds or None", &v);
    }
}

static long long arg_bytes(const cstep_t *step, int at, const cv_t *dflt, const uint8_t **data, size_t *len) {
    ARG(v);
    if (v.kind != R_BYTES && v.kind != R_STR) {
        return fail(step, "bytes", &v);
    }
    *data = (const uint8_t *)v.s;
    *len = v.len;
    return 0;
}

/* The variable's bytes are shared with its value: the call fills the variable. */
static long long arg_buffer(const cstep_t *step, int at, const cv_t *dflt, uint8_t **data, size_t *len) {
    ARG(v);
    if (v.kind != R_BYTES) {
        return fail(step, "a buffer variable", &v);
    }
    *data = (uint8_t *)v.s;
    *len = v.len;
    return 0;
}

static long long arg_size(const cstep_t *step, int at, const cv_t *dflt, long long *size) {
    ARG(v);
    if (v.kind == R_NONE) {
        *size = -1;
        return 0;
    }
    if (v.kind != R_INT) {
        return fail(step, "a size", &v);
    }
    *size = v.i < 0 ? -1 : v.i;
    return 0;
}

/* `(ip_str, port)` to an address; the C ABI's error. */
static long long arg_address(const cstep_t *step, int at, const cv_t *dflt, usocket_addr_t *out) {
    ARG(v);
    if (v.kind != R_TUPLE || v.len < 2 || v.items[0].kind != R_STR || v.items[1].kind != R_INT) {
        return fail(step, "an address", &v);
    }
    return usocket_addr_parse(v.items[0].s, v.items[0].len, (int32_t)v.items[1].i, out);
}

static long long arg_host(const cstep_t *step, int at, const cv_t *dflt, const char **text, size_t *len) {
    ARG(v);
    if (v.kind == R_NONE) {
        *text = NULL;
        *len = 0;
        return 0;
    }
    if (v.kind != R_STR) {
        return fail(step, "a str or None", &v);
    }
    *text = v.s;
    *len = v.len;
    return 0;
}

/* As the glue: an int, a decimal string, a service name, None (0); -1 for anything else. */
static long long arg_port(const cstep_t *step, int at, const cv_t *dflt, int32_t *out) {
    ARG(v);
    *out = -1;
    if (v.kind == R_NONE) {
        *out = 0;
    } else if (v.kind == R_INT) {
        *out = v.i >= 0 && v.i <= INT32_MAX ? (int32_t)v.i : -1;
    } else if (v.kind == R_STR && v.len > 0 && v.len <= 5 && strspn(v.s, "0123456789") == v.len) {
        *out = (int32_t)atoi(v.s);
    } else if (v.kind == R_STR) {
        intptr_t port = usocket_getservbyname(v.s, v.len, NULL, 0);
        *out = port < 0 ? -1 : (int32_t)port;
    }
    return 0;
}

static long long arg_optval(const cstep_t *step, int at, const cv_t *dflt, const uint8_t **data, size_t *len) {
    static int32_t storage;
    ARG(v);
    if (v.kind == R_BYTES) {
        *data = (const uint8_t *)v.s;
        *len = v.len;
        return 0;
    }
    if (v.kind != R_INT && v.kind != R_BOOL) {
        return fail(step, "an int or bytes", &v);
    }
    storage = (int32_t)v.i;
    *data = (const uint8_t *)&storage;
    *len = sizeof storage;
    return 0;
}

/* ifconfig()'s argument as the glue makes it: 'dhcp', or four IPv4 strings ('' is 0.0.0.0); the C ABI's error. */
static long long arg_ifconfig(const cstep_t *step, int at, const cv_t *dflt, usocket_ifconfig_set_t *set, const usocket_ifconfig_set_t **given) {
    ARG(v);
    memset(set, 0, sizeof *set);
    *given = NULL;
    if (v.kind == R_NONE) {
        return 0;
    }
    *given = set;
    if (v.kind == R_STR && strcmp(v.s, "dhcp") == 0) {
        set->dhcp = 1;
        return 0;
    }
    if (v.kind != R_TUPLE || v.len != 4) {
        return fail(step, "'dhcp' or four addresses", &v);
    }
    usocket_addr_t *out[4] = { &set->config.ip, &set->config.netmask, &set->config.gateway, &set->config.dns };
    for (size_t k = 0; k < 4; k++) {
        const rv_t *item = &v.items[k];
        if (item->kind != R_STR) {
            return fail(step, "an IPv4 str", item);
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

/* Sockets Python has closed (its second close() is a no-op). */
static int32_t closed[MAX_FDS];
static int n_closed;

static int release(int32_t fd) {
    for (int k = 0; k < n_closed; k++) {
        if (closed[k] == fd) {
            return 0;
        }
    }
    if (n_closed < MAX_FDS) {
        closed[n_closed++] = fd;
    }
    return 1;
}

static void ret_none(rv_t *out) {
    *out = r_none();
}

static void ret_bool(rv_t *out, long long value) {
    *out = r_int(R_BOOL, value != 0);
}

static void ret_int(rv_t *out, long long value) {
    *out = r_int(R_INT, value);
}

static void ret_bytes(rv_t *out, const void *data, size_t len) {
    *out = r_data(R_BYTES, data, len);
}

static void ret_str(rv_t *out, const void *text, size_t len) {
    *out = r_data(R_STR, text, len);
}

/* A new socket is closed when the case ends, and may have the number of one closed before. */
static void ret_socket(rv_t *out, int32_t fd, int is_new) {
    if (is_new) {
        if (n_fds < MAX_FDS) {
            fds[n_fds++] = fd;
        }
        for (int k = 0; k < n_closed; k++) {
            if (closed[k] == fd) {
                closed[k] = closed[--n_closed];
                break;
            }
        }
    }
    *out = r_int(R_SOCK, fd);
}

static void ret_address(rv_t *out, const usocket_addr_t *address) {
    *out = r_tuple(2);
    out->items[0] = ip_value(address);
    out->items[1] = r_int(R_INT, address->port);
}

static void ret_ip(rv_t *out, const usocket_addr_t *address) {
    *out = ip_value(address);
}

static void ret_seconds(rv_t *out, int32_t ms) {
    *out = r_none();
    if (ms >= 0) {
        out->kind = R_FLOAT;
        out->f = ms / 1000.0;
    }
}

static void ret_tuple(rv_t *out, size_t n) {
    *out = r_tuple(n);
}

static rv_t *ret_item(rv_t *tuple, size_t k) {
    return &tuple->items[k];
}

/* Calls one step: a pseudo-step, or the C ABI through the generated
 * dispatch; 0 with `out` set, or the negative C ABI result. */
static long long call(const cstep_t *step, rv_t *out) {
    int32_t fd = -1;
    if (step->on) {
        const rv_t *v = var(step->on);
        if (!v || v->kind != R_SOCK) {
            snprintf(failure, sizeof failure, "`%s` is not a socket", step->on);
            return RUNNER_FAILURE;
        }
        fd = (int32_t)v->i;
    }
    *out = r_none();
    if (strcmp(step->call, "value") == 0 && step->n_args == 1) {
        /* The generated data holds the header's macro, not the spec's number. */
        *out = value(&step->args[0]);
        return 0;
    }
    if (strcmp(step->call, "buffer") == 0 && step->n_args == 1 && step->args[0].kind == CV_INT) {
        size_t size = step->args[0].i > 0 ? (size_t)step->args[0].i : 0;
        out->kind = R_BYTES;
        out->s = calloc(size + 1, 1);
        out->len = size;
        return 0;
    }
    long long r = conformance_call(step, fd, out);
    if (r == CONFORMANCE_NO_CALL) {
        snprintf(failure, sizeof failure, "no call `%s`%s", step->call, step->on ? " on a socket" : "");
        return RUNNER_FAILURE;
    }
    return r;
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
    n_closed = 0;
    for (size_t k = 0; k < cs->n_fixture + cs->n_steps; k++) {
        const cstep_t *s = k < cs->n_fixture ? &cs->fixture[k] : &cs->steps[k - cs->n_fixture];
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
