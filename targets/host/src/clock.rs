//! Host time: a monotonic clock and a wait that a signal interrupts, or a
//! virtual clock that a wait moves straight to its deadline (for loopback
//! tests whose only waits are the stack's own timers).

use std::cell::Cell;
use std::os::fd::RawFd;
use std::time::Instant;

use usocket_runtime::Interrupted;

/// Monotonic microseconds since the board started.
#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    /// Virtual time: Some(now), moved only by waits.
    virtual_us: Option<Cell<u64>>,
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Clock {
        Clock { start: Instant::now(), virtual_us: None }
    }

    /// A virtual clock at 0 that only [`wait`] moves.
    pub fn simulated() -> Clock {
        Clock { start: Instant::now(), virtual_us: Some(Cell::new(0)) }
    }

    /// Microseconds since start.
    pub fn now_us(&self) -> u64 {
        match &self.virtual_us {
            Some(now) => now.get(),
            None => self.start.elapsed().as_micros() as u64,
        }
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
    if let Some(now) = &clock.virtual_us {
        // Nothing outside the stack can happen: time jumps to the deadline
        // (without one, a millisecond passes).
        now.set(until_us.unwrap_or(now.get() + 1000).max(now.get()));
        return Ok(());
    }
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
