//! Host time: a monotonic clock and a wait that a signal interrupts.

use std::os::fd::RawFd;
use std::time::Instant;

use usocket_runtime::Interrupted;

/// Monotonic microseconds since the board started.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Clock {
        Clock { start: Instant::now() }
    }

    /// Microseconds since start.
    pub fn now_us(&self) -> u64 {
        self.start.elapsed().as_micros() as u64
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// Waits until `fd` is readable (if given) or `until_us` on `clock` passes
/// (None: no deadline). A signal ends the wait with `Interrupted`, so that a
/// host like MicroPython can handle Ctrl-C.
pub fn wait(clock: &Clock, fd: Option<RawFd>, until_us: Option<u64>) -> Result<(), Interrupted> {
    let timeout_ms = match until_us {
        None => -1,
        Some(t) => {
            let left = t.saturating_sub(clock.now_us());
            // Round up: waking before the deadline only spins the caller.
            i32::try_from(left.div_ceil(1000)).unwrap_or(i32::MAX)
        }
    };
    let mut pfd = libc::pollfd { fd: fd.unwrap_or(-1), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd; a negative fd is ignored by poll(2).
    let r = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) { Err(Interrupted) } else { Ok(()) }
}
