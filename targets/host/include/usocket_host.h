/* The host library's own calls beside the C ABI (usocket.h), for our
 * MicroPython's select module. Defined in targets/host/src/wait.rs. */
#ifndef USOCKET_HOST_H
#define USOCKET_HOST_H

#include <poll.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Drives the stack, then sleeps in the kernel until one of `fds` is ready
 * (poll(2) sets their revents), the board's device has frames, the stack's
 * next timer is due, or `timeout_ms` passes (-1: no limit); then drives the
 * stack again. Returns how many of `fds` are ready (0: the stack may have
 * news, or the time passed), -EINTR when a signal came, -EINVAL for a bad
 * `fds`, -ENODEV when the stack cannot start. The stack is not locked while
 * the caller sleeps. */
int usocket_host_wait(struct pollfd *fds, size_t nfds, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
