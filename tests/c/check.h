/* The checks the C test programs share: count passes and failures, print each
 * failure with its place, and report "N passed, M failed" at the end. */
#ifndef USOCKET_TEST_CHECK_H
#define USOCKET_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(expr)                                                   \
    do {                                                              \
        if (expr) {                                                   \
            passed++;                                                 \
        } else {                                                      \
            failed++;                                                 \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #expr); \
        }                                                             \
    } while (0)

/* Like CHECK(actual == expected), printing both values on failure. */
#define CHECK_EQ(actual, expected)                                    \
    do {                                                              \
        long long got_ = (long long)(actual);                         \
        long long want_ = (long long)(expected);                      \
        if (got_ == want_) {                                          \
            passed++;                                                 \
        } else {                                                      \
            failed++;                                                 \
            fprintf(stderr, "FAIL %s:%d: %s == %s (got %lld, expected %lld)\n", \
                    __FILE__, __LINE__, #actual, #expected, got_, want_); \
        }                                                             \
    } while (0)

/* The last line of a test program; its exit status. */
static int report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
