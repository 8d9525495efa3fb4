//! Time on the board's clock: [`BoardTime`], an instant of the board's
//! monotonic microsecond clock, with smoltcp's [`Duration`] for the span
//! between two; the [`Deadline`] of a blocking call; and [`Interrupted`], a
//! wait the board gave up so that its host can handle a signal (the call then
//! returns EINTR).
//!
//! Instants and spans carry their unit in their type, and "no limit" is
//! `None` (or [`Deadline::Never`]), never a sentinel number. Integers cross
//! only at a boundary: a C port's clock ([`BoardTime::from_micros`],
//! [`BoardTime::as_micros`]), smoltcp's own clock ([`BoardTime::to_instant`],
//! [`BoardTime::from_instant`]) and poll_delay()'s milliseconds
//! ([`BoardTime::millis_until`]).

use core::ops::Add;

use smoltcp::time::{Duration, Instant};

/// An instant on the board's monotonic clock: microseconds since an
/// arbitrary start (the board's boot, say).
///
/// What [`Board::now`](crate::Board::now) reads and
/// [`Board::wait`](crate::Board::wait) waits until. Adding a span (smoltcp's
/// [`Duration`]) saturates at the clock's end, which is 584,000 years away.
///
/// # Examples
///
/// ```
/// use usocket_runtime::BoardTime;
/// use usocket_runtime::smoltcp::time::Duration;
///
/// let now = BoardTime::from_micros(1_500);
/// let deadline = now + Duration::from_millis(2);
/// assert_eq!(deadline.as_micros(), 3_500);
/// assert_eq!(now.millis_until(deadline), 2);
/// assert_eq!(deadline.millis_until(now), 0, "it has passed");
/// assert_eq!(deadline.saturating_since(now), Duration::from_millis(2));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BoardTime(u64);

impl BoardTime {
    /// The clock's start.
    pub const ZERO: BoardTime = BoardTime(0);

    /// The instant `micros` microseconds after the clock's start (a C port's
    /// clock reading).
    pub const fn from_micros(micros: u64) -> BoardTime {
        BoardTime(micros)
    }

    /// Microseconds since the clock's start (what a C port waits until).
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// The span from `earlier` to this instant; zero when `earlier` is later.
    pub fn saturating_since(self, earlier: BoardTime) -> Duration {
        Duration::from_micros(self.0.saturating_sub(earlier.0))
    }

    /// Whole milliseconds from this instant until `at`, rounded up (a sleep
    /// this long does not wake before `at`); 0 when `at` has passed,
    /// `u32::MAX` at most.
    pub fn millis_until(self, at: BoardTime) -> u32 {
        u32::try_from(at.0.saturating_sub(self.0).div_ceil(1000)).unwrap_or(u32::MAX)
    }

    /// The same instant on smoltcp's clock, which the stack runs on the
    /// board's (what a [`Device`](smoltcp::phy::Device) is handed).
    pub fn to_instant(self) -> Instant {
        Instant::from_micros(i64::try_from(self.0).unwrap_or(i64::MAX))
    }

    /// An instant of smoltcp's clock (a timer, a device's timestamp) on the
    /// board's: the clock's start at the earliest.
    pub fn from_instant(instant: Instant) -> BoardTime {
        BoardTime(u64::try_from(instant.total_micros()).unwrap_or(0))
    }
}

/// `span` later, saturating at the clock's end.
impl Add<Duration> for BoardTime {
    type Output = BoardTime;

    fn add(self, span: Duration) -> BoardTime {
        BoardTime(self.0.saturating_add(span.total_micros()))
    }
}

/// A span of `ms` milliseconds: what the board file's and the API's
/// millisecond times (timeouts, linger, connect limit) are on the clock.
pub(crate) const fn millis(ms: u32) -> Duration {
    Duration::from_millis(ms as u64)
}

/// The board gave a wait up so that its host can handle a signal (Ctrl-C).
///
/// # Examples
///
/// A board's [`wait`](crate::Board::wait) returns it when a flag its signal
/// handler sets is up; the blocked call then fails with EINTR.
///
/// ```
/// use core::sync::atomic::{AtomicBool, Ordering};
/// use usocket_runtime::{BoardTime, Interrupted};
///
/// static CTRL_C: AtomicBool = AtomicBool::new(false);
///
/// fn wait(_until: Option<BoardTime>) -> Result<(), Interrupted> {
///     if CTRL_C.swap(false, Ordering::Relaxed) {
///         return Err(Interrupted);
///     }
///     // ... sleep until the device's interrupt or `_until` ...
///     Ok(())
/// }
///
/// CTRL_C.store(true, Ordering::Relaxed);
/// assert_eq!(wait(None), Err(Interrupted));
/// assert_eq!(wait(None), Ok(()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// When a blocking operation must give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Non-blocking: fail with EAGAIN at once.
    Now,
    /// Block until this instant, then fail with ETIMEDOUT.
    At(BoardTime),
    /// Block forever.
    Never,
}

impl Deadline {
    /// The deadline of an operation started at `now` under a socket timeout
    /// in milliseconds (None: block; Some(0): non-blocking), the API's unit.
    pub fn from_timeout(timeout_ms: Option<u32>, now: BoardTime) -> Deadline {
        match timeout_ms {
            None => Deadline::Never,
            Some(0) => Deadline::Now,
            Some(ms) => Deadline::At(now + millis(ms)),
        }
    }

    /// The instant to wait until (None: no limit), for [`Board::wait`](crate::Board::wait).
    pub fn until(self) -> Option<BoardTime> {
        match self {
            Deadline::Now => Some(BoardTime::ZERO),
            Deadline::At(t) => Some(t),
            Deadline::Never => None,
        }
    }
}

/// The earlier of two instants, where None is no limit.
///
/// What a board that waits on more than the stack (its own timers) sleeps until.
///
/// # Examples
///
/// ```
/// use usocket_runtime::{BoardTime, earliest};
///
/// let (a, b) = (BoardTime::from_micros(5_000), BoardTime::from_micros(2_000));
/// assert_eq!(earliest(Some(a), Some(b)), Some(b));
/// assert_eq!(earliest(None, Some(b)), Some(b));
/// assert_eq!(earliest(None, None), None);
/// ```
pub fn earliest(a: Option<BoardTime>, b: Option<BoardTime>) -> Option<BoardTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn at(us: u64) -> BoardTime {
        BoardTime::from_micros(us)
    }

    #[test]
    fn deadlines_follow_the_socket_timeout() {
        assert_eq!(Deadline::from_timeout(None, at(5)), Deadline::Never);
        assert_eq!(Deadline::from_timeout(Some(0), at(5)), Deadline::Now);
        assert_eq!(Deadline::from_timeout(Some(2), at(5)), Deadline::At(at(2005)));
        assert_eq!(Deadline::from_timeout(Some(u32::MAX), at(u64::MAX - 1)), Deadline::At(at(u64::MAX)), "saturates");
        assert_eq!(Deadline::Never.until(), None);
        assert_eq!(Deadline::At(at(7)).until(), Some(at(7)));
        assert_eq!(earliest(Some(at(3)), Some(at(2))), Some(at(2)));
        assert_eq!(earliest(None, Some(at(2))), Some(at(2)));
        assert_eq!(earliest(None, None), None);
    }

    #[test]
    fn delays_round_up_to_whole_milliseconds() {
        assert_eq!(at(5_000).millis_until(at(5_000)), 0);
        assert_eq!(at(5_000).millis_until(at(4_000)), 0);
        assert_eq!(at(5_000).millis_until(at(5_001)), 1);
        assert_eq!(at(5_000).millis_until(at(7_000)), 2);
        assert_eq!(BoardTime::ZERO.millis_until(at(u64::MAX)), u32::MAX);
    }

    #[test]
    fn smoltcp_instants_are_the_same_clock() {
        assert_eq!(at(1_234).to_instant(), Instant::from_micros(1_234));
        assert_eq!(BoardTime::from_instant(Instant::from_micros(1_234)), at(1_234));
        assert_eq!(BoardTime::from_instant(Instant::from_micros(-5)), BoardTime::ZERO, "before the start: the start");
        assert_eq!(at(u64::MAX).to_instant(), Instant::from_micros(i64::MAX));
        assert_eq!(at(9).saturating_since(at(10)), Duration::ZERO);
    }
}
