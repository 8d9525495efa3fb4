/* Compiles the generated header as C99 and C++11 with every warning an error
 * (built by `cargo xtask test`; the same file is compiled as C++). */
#include "usocket.h"

/* Function pointer types must match the declarations exactly. */
typedef intptr_t (*recv_fn)(int32_t, uint8_t *, size_t);
typedef int32_t (*getaddrinfo_fn)(const char *, size_t, int32_t, int32_t, int32_t, int32_t, int32_t,
                                  usocket_addrinfo_t *, size_t);

int main(void) {
    recv_fn recv = usocket_recv;
    getaddrinfo_fn gai = usocket_getaddrinfo;
    usocket_addrinfo_t info;
    info.family = USOCKET_AF_INET6;
    info.addr.port = 80;
    (void)recv;
    (void)gai;
    return (info.family == 10 && info.addr.port == 80 && USOCKET_EAI_NONAME < 0) ? 0 : 1;
}
