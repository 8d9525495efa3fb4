/* Exercises the C ABI's own checks against the runtime (linked from
 * libusocket_host.a): fds, NULL pointers, lengths, timeouts, addresses,
 * numeric getaddrinfo. Prints "N passed, M failed". */
#include <stdio.h>
#include <string.h>

#include "usocket.h"

#include "check.h"

int main(void) {
    uint8_t buf[16];
    usocket_addr_t addr;
    char text[64];
    int32_t ms = 0;

    int32_t fd = usocket_socket(USOCKET_AF_INET, USOCKET_SOCK_STREAM, 0);
    CHECK(fd >= 0);
    CHECK(usocket_socket(12345, USOCKET_SOCK_STREAM, 0) == -USOCKET_EAFNOSUPPORT);
    CHECK(usocket_socket(USOCKET_AF_INET, 99, 0) == -USOCKET_EPROTONOSUPPORT);

    /* fd and pointer checks happen before the stack is asked. */
    CHECK(usocket_recv(-1, buf, sizeof buf) == -USOCKET_EBADF);
    CHECK(usocket_recv(fd, NULL, 4) == -USOCKET_EINVAL);
    CHECK(usocket_recv(fd, buf, (size_t)-1) == -USOCKET_EINVAL);
    CHECK(usocket_gettimeout(fd, NULL) == -USOCKET_EINVAL);
    CHECK(usocket_accept(fd, NULL) == -USOCKET_EINVAL); /* not listening (a NULL peer itself is allowed) */
    CHECK(usocket_connect(fd, NULL) == -USOCKET_EINVAL);

    /* Timeouts: -1 blocks, 0 is non-blocking, below -1 is invalid. */
    CHECK(usocket_gettimeout(fd, &ms) == 0 && ms == -1);
    CHECK(usocket_settimeout(fd, 1500) == 0);
    CHECK(usocket_gettimeout(fd, &ms) == 0 && ms == 1500);
    CHECK(usocket_setblocking(fd, 0) == 0);
    CHECK(usocket_gettimeout(fd, &ms) == 0 && ms == 0);
    CHECK(usocket_settimeout(fd, -2) == -USOCKET_EINVAL);

    /* Addresses. */
    CHECK(usocket_addr_parse("2001:db8::7", 11, 8080, &addr) == 0);
    CHECK(addr.family == USOCKET_AF_INET6 && addr.port == 8080);
    intptr_t n = usocket_addr_format(&addr, text, sizeof text);
    CHECK(n == 11 && memcmp(text, "2001:db8::7", 11) == 0);
    CHECK(usocket_addr_parse("localhost", 9, 80, &addr) == -USOCKET_EINVAL);
    CHECK(usocket_addr_parse(NULL, 3, 80, &addr) == -USOCKET_EINVAL);

    /* getaddrinfo: its own negative namespace. */
    usocket_addrinfo_t infos[2];
    CHECK(usocket_getaddrinfo("127.0.0.1", 9, 80, 0, 0, 0, 0, infos, 2) == 1);
    CHECK(infos[0].family == USOCKET_AF_INET && infos[0].socktype == USOCKET_SOCK_STREAM && infos[0].addr.port == 80);
    CHECK(usocket_getaddrinfo("127.0.0.1", 9, 70000, 0, 0, 0, 0, infos, 2) == USOCKET_EAI_SERVICE);
    CHECK(usocket_getaddrinfo("x.invalid", 9, 80, 0, 0, 0, USOCKET_AI_NUMERICHOST, infos, 2) == USOCKET_EAI_NONAME);
    CHECK(usocket_getaddrinfo("127.0.0.1", 9, 80, 0, 0, 0, 0, NULL, 2) == USOCKET_EAI_SYSTEM);
    /* The host is length-delimited, as the header says: a length of 0 is no
     * host (the loopback address), and a NUL counted in is part of the name. */
    CHECK(usocket_getaddrinfo("x.invalid", 0, 80, USOCKET_AF_INET, 0, 0, 0, infos, 2) == 1);
    CHECK(infos[0].addr.ip[0] == 127 && infos[0].addr.ip[3] == 1);
    CHECK(usocket_getaddrinfo("127.0.0.1", 10, 80, 0, 0, 0, USOCKET_AI_NUMERICHOST, infos, 2) == USOCKET_EAI_NONAME);

    /* Error names: an errno or a negative return, its own function for
     * getaddrinfo's codes (whose numbers overlap the negated errno's). */
    CHECK(strcmp(usocket_strerror(-USOCKET_ETIMEDOUT), "ETIMEDOUT: Timed out") == 0);
    CHECK(strncmp(usocket_strerror(USOCKET_EINPROGRESS), "EINPROGRESS: ", 13) == 0);
    CHECK(strncmp(usocket_strerror(-USOCKET_ENOENT), "ENOENT: ", 8) == 0);
    CHECK(strncmp(usocket_gai_strerror(USOCKET_EAI_NONAME), "EAI_NONAME: ", 12) == 0);
    CHECK(strcmp(usocket_strerror(0), "unknown error") == 0);
    CHECK(strcmp(usocket_strerror(INT32_MIN), "unknown error") == 0);
    CHECK(strcmp(usocket_gai_strerror(-USOCKET_ETIMEDOUT), "unknown getaddrinfo error") == 0);

    /* close: once, then EBADF. */
    CHECK(usocket_close(fd) == 0);
    CHECK(usocket_close(fd) == -USOCKET_EBADF);
    CHECK(usocket_settimeout(fd, 0) == -USOCKET_EBADF);

    return report();
}
