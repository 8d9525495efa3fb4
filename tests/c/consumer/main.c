/* A TCP echo through usocket on the loopback board (127.0.0.1, in-process). */
#include <stdio.h>
#include <string.h>
#include "usocket.h"

/* Calls return >= 0, or -USOCKET_E* (the ABI's errno numbers, not <errno.h>'s). */
#define CHECK(x) do { long long r_ = (x); if (r_ < 0) { fprintf(stderr, "%s: %s\n", #x, usocket_strerror((int32_t)r_)); return 1; } } while (0)

int main(void) {
    usocket_addr_t addr, peer;
    uint8_t buf[16];
    int32_t l, c, s, t;
    intptr_t n;
    CHECK(l = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0));
    CHECK(usocket_addr_parse("127.0.0.1", 9, 0, &addr)); /* port 0: any */
    CHECK(usocket_bind(l, &addr));
    CHECK(usocket_listen(l, 1));
    CHECK(usocket_getsockname(l, &addr)); /* the port it got */
    CHECK(c = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0));
    CHECK(usocket_connect(c, &addr));
    CHECK(s = usocket_accept(l, &peer));
    CHECK(usocket_sendall(c, (const uint8_t *)"hello", 5));
    CHECK(n = usocket_recv(s, buf, sizeof buf));
    CHECK(usocket_sendall(s, buf, (size_t)n)); /* echo it back */
    CHECK(n = usocket_recv(c, buf, sizeof buf));
    usocket_close(s), usocket_close(c), usocket_close(l);
    CHECK(t = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0));
    if (usocket_connect(t, &addr) != -USOCKET_ECONNREFUSED) { /* nobody listens now */
        fprintf(stderr, "connect: expected -USOCKET_ECONNREFUSED\n");
        return 1;
    }
    usocket_close(t);
    printf("echoed %d bytes: %.*s\n", (int)n, (int)n, (const char *)buf);
    return n == 5 && memcmp(buf, "hello", 5) == 0 ? 0 : 1;
}
