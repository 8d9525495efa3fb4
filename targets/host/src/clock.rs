//! Host time: a monotonic clock and a wait that a signal interrupts, or a
//! virtual clock that a wait moves straight to its deadline (for loopback
//! tests whose only waits are the stack's own timers).

use std::cell::Cell;
use std::os::fd::RawFd;
use std::time::Instant;

use usocket_runtime::smoltcp::time::Duration;
use usocket_runtime::{BoardTime, Interrupted};

/// The board's monotonic clock: time since the board started.
///
/// # Examples
///
/// A simulated clock only moves when a wait does, straight to its deadline:
///
/// ```
/// use usocket_host::BoardTime;
/// use usocket_host::clock::{Clock, wait};
///
/// let clock = Clock::simulated();
/// wait(&clock, None, Some(BoardTime::from_micros(2_000_000))).unwrap();
/// assert_eq!(clock.now(), BoardTime::from_micros(2_000_000));
/// ```
#[derive(Debug, Clone)]
pub struct Clock {
    start: Instant,
    /// Virtual time: Some(now), moved only by waits.
    virtual_now: Option<Cell<BoardTime>>,
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Clock {
        Clock { start: Instant::now(), virtual_now: None }
    }

    /// A virtual clock at 0 that only [`wait`] moves.
    pub fn simulated() -> Clock {
        Clock { start: Instant::now(), virtual_now: Some(Cell::new(BoardTime::ZERO)) }
    }

    /// Now on the board's clock.
    pub fn now(&self) -> BoardTime {
        match &self.virtual_now {
            Some(now) => now.get(),
            None => BoardTime::from_micros(self.start.elapsed().as_micros() as u64),
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// Waits until `fd` is readable (if given) or `until` on `clock` passes
/// (None: no deadline). A signal ends the wait with `Interrupted`, so that a
/// host like MicroPython can handle Ctrl-C.
///
/// # Examples
///
/// ```
/// use usocket_host::clock::{Clock, wait};
/// use usocket_host::smoltcp::time::Duration;
///
/// let clock = Clock::new();
/// let deadline = clock.now() + Duration::from_millis(1);
/// wait(&clock, None, Some(deadline)).unwrap();
/// assert!(clock.now() >= deadline);
/// ```
pub fn wait(clock: &Clock, fd: Option<RawFd>, until: Option<BoardTime>) -> Result<(), Interrupted> {
    let mut pfd = [libc::pollfd { fd: fd.unwrap_or(-1), events: libc::POLLIN, revents: 0 }];
    wait_fds(clock, &mut pfd, until).map(|_| ())
}

/// Waits until one of `fds` is ready (poll(2): their `revents` are set) or
/// `until` on `clock` passes; returns how many are ready. A negative fd is
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
pub fn wait_fds(clock: &Clock, fds: &mut [libc::pollfd], until: Option<BoardTime>) -> Result<usize, Interrupted> {
    if let Some(now) = &clock.virtual_now {
        now.set(until.unwrap_or(now.get() + Duration::from_millis(1)).max(now.get()));
        return Ok(0);
    }
    let r = poll(fds, timeout_ms(clock.now(), until));
    if r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) { Err(Interrupted) } else { Ok(usize::try_from(r).unwrap_or(0)) }
}

pub use usocket_runtime::earliest;

/// poll(2)'s timeout from `now` until `until` (-1: none), rounded up: waking
/// before the deadline only spins the caller.
fn timeout_ms(now: BoardTime, until: Option<BoardTime>) -> i32 {
    match until {
        None => -1,
        Some(t) => i32::try_from(now.millis_until(t)).unwrap_or(i32::MAX),
    }
}

/// poll(2) on `fds` for at most `timeout_ms` (-1: no limit).
fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> i32 {
    // SAFETY: `fds` is a valid, writable slice of pollfds for the call; poll(2) writes only their revents.
    unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) }
}
