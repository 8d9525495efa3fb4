//! Host time: a monotonic clock and a wait that a signal interrupts, or a
//! virtual clock that a wait moves straight to its deadline (for loopback
//! tests whose only waits are the stack's own timers).

use std::cell::Cell;
use std::os::fd::RawFd;
use std::time::Instant;

use usocket_runtime::Interrupted;

/// Monotonic microseconds since the board started.
///
/// # Examples
///
/// A simulated clock only moves when a wait does, straight to its deadline:
///
/// ```
/// use usocket_host::clock::{Clock, wait};
///
/// let clock = Clock::simulated();
/// wait(&clock, None, Some(2_000_000)).unwrap();
/// assert_eq!(clock.now_us(), 2_000_000);
/// ```
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
///
/// # Examples
///
/// ```
/// use usocket_host::clock::{Clock, wait};
///
/// let clock = Clock::new();
/// let deadline = clock.now_us() + 1_000;
/// wait(&clock, None, Some(deadline)).unwrap();
/// assert!(clock.now_us() >= deadline);
/// ```
pub fn wait(clock: &Clock, fd: Option<RawFd>, until_us: Option<u64>) -> Result<(), Interrupted> {
    let mut pfd = [libc::pollfd { fd: fd.unwrap_or(-1), events: libc::POLLIN, revents: 0 }];
    wait_fds(clock, &mut pfd, until_us).map(|_| ())
}

/// Waits until one of `fds` is ready (poll(2): their `revents` are set) or
/// `until_us` on `clock` passes; returns how many are ready. A negative fd is
/// ignored. A signal ends the wait with `Interrupted`. On a virtual clock
/// nothing outside the stack can happen: time jumps to the deadline (without
/// one, a millisecond passes) and no fd is ready.
///
/// # Examples
///
/// A host loop waits on its own fds beside the board's (here one that is
/// ready at once):
///
/// ```
/// use usocket_host::clock::{Clock, wait_fds};
///
/// let mut pipe = [0; 2];
/// // SAFETY: `pipe` has room for the two fds pipe(2) writes.
/// assert_eq!(unsafe { libc::pipe(pipe.as_mut_ptr()) }, 0);
/// // SAFETY: writes one byte from a live buffer to the pipe's write end.
/// assert_eq!(unsafe { libc::write(pipe[1], b"x".as_ptr().cast(), 1) }, 1);
/// let mut fds = [libc::pollfd { fd: pipe[0], events: libc::POLLIN, revents: 0 }];
/// assert_eq!(wait_fds(&Clock::new(), &mut fds, None), Ok(1));
/// assert_ne!(fds[0].revents & libc::POLLIN, 0);
/// // SAFETY: closes the fds this example opened, once.
/// unsafe { libc::close(pipe[0]) ; libc::close(pipe[1]) };
/// ```
pub fn wait_fds(clock: &Clock, fds: &mut [libc::pollfd], until_us: Option<u64>) -> Result<usize, Interrupted> {
    if let Some(now) = &clock.virtual_us {
        now.set(until_us.unwrap_or(now.get() + 1000).max(now.get()));
        return Ok(0);
    }
    let r = poll(fds, timeout_ms(clock.now_us(), until_us));
    if r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) { Err(Interrupted) } else { Ok(usize::try_from(r).unwrap_or(0)) }
}

pub use usocket_runtime::earliest;

/// poll(2)'s timeout from now until `until_us` (-1: none), rounded up: waking
/// before the deadline only spins the caller.
fn timeout_ms(now_us: u64, until_us: Option<u64>) -> i32 {
    match until_us {
        None => -1,
        Some(t) => i32::try_from(t.saturating_sub(now_us).div_ceil(1000)).unwrap_or(i32::MAX),
    }
}

/// poll(2) on `fds` for at most `timeout_ms` (-1: no limit).
fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> i32 {
    // SAFETY: `fds` is a valid, writable slice of pollfds for the call; poll(2) writes only their revents.
    unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) }
}
