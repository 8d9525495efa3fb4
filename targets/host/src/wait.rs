//! One wait for everything on a host: our MicroPython's `select` module
//! (`targets/host/micropython/select/`) calls [`usocket_host_wait`] when
//! nothing it polls is ready, and sleeps in the kernel until an OS fd it polls
//! is ready, the board's device has frames, the stack's next timer is due, or
//! its own timeout passes — no fixed-interval polling. Declared for C in
//! `targets/host/include/usocket_host.h`.

use usocket_runtime::ffi::{abi_slice_mut, ret_int};
use usocket_runtime::smoltcp::time::Duration;
use usocket_runtime::{Backend, Errno, Stack};

use crate::AbiBackend;
use crate::abi::pump_and_plan;
use crate::clock::{earliest, wait_fds};
use crate::runner::Waiting;

/// Drives the stack, then sleeps until one of `fds` is ready (poll(2) sets
/// their `revents`), the board's device has frames, the stack's next timer is
/// due, or `timeout_ms` passes (-1: no limit); then drives the stack again.
/// Returns how many of `fds` are ready (0: the stack may have news, or the
/// time passed), -EINTR when a signal came (Ctrl-C), -EINVAL for a bad
/// `fds`, -ENODEV when the stack cannot start. The stack is not locked while
/// the caller sleeps. (The C ABI's board runs on the real clock.)
///
/// # Safety
/// `fds` is NULL with `nfds` 0, or points to `nfds` pollfds that nobody else
/// uses during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usocket_host_wait(fds: *mut libc::pollfd, nfds: usize, timeout_ms: i32) -> i32 {
    // SAFETY: the caller's contract is abi_slice_mut's.
    let fds = match unsafe { abi_slice_mut(fds, nfds) } {
        Ok(fds) => fds,
        Err(e) => return -e.value(),
    };
    ret_int(AbiBackend::guard(|| wait(fds, timeout_ms)))
}

/// [`usocket_host_wait`] on a borrowed slice.
fn wait(fds: &mut [libc::pollfd], timeout_ms: i32) -> Result<i32, Errno> {
    // The stack's own thread stays out while this caller pumps and waits.
    let _waiting = Waiting::enter();
    let (plan, clock) = AbiBackend::with(pump_and_plan)?;
    let timeout = u64::try_from(timeout_ms).ok().map(|ms| clock.now() + Duration::from_millis(ms));
    let mut all: Vec<libc::pollfd> = fds.to_vec();
    all.push(libc::pollfd { fd: plan.fd.unwrap_or(-1), events: libc::POLLIN, revents: 0 });
    let waited = wait_fds(&clock, &mut all, earliest(timeout, plan.until));
    let ready = matches!(waited, Ok(n) if n > 0);
    for (fd, polled) in fds.iter_mut().zip(&all) {
        fd.revents = if ready { polled.revents } else { 0 };
    }
    AbiBackend::with(Stack::pump)?;
    match waited {
        Err(_) => Err(Errno::EINTR),
        Ok(_) => Ok(fds.iter().filter(|fd| fd.revents != 0).count() as i32),
    }
}
