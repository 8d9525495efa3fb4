//! Deadlines from socket timeouts, in the board's monotonic microseconds. A
//! board's wait may report [`Interrupted`] so that its host can handle Ctrl-C;
//! the operation then returns EINTR.

/// The board gave a wait up so that its host can handle a signal (Ctrl-C).
///
/// # Examples
///
/// A board's [`wait`](crate::Board::wait) returns it when a flag its signal
/// handler sets is up; the blocked call then fails with EINTR.
///
/// ```
/// use core::sync::atomic::{AtomicBool, Ordering};
/// use usocket_runtime::Interrupted;
///
/// static CTRL_C: AtomicBool = AtomicBool::new(false);
///
/// fn wait(_until_us: Option<u64>) -> Result<(), Interrupted> {
///     if CTRL_C.swap(false, Ordering::Relaxed) {
///         return Err(Interrupted);
///     }
///     // ... sleep until the device's interrupt or `until_us` ...
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
    At(u64),
    /// Block forever.
    Never,
}

impl Deadline {
    /// The deadline of an operation started at `now_us` under a socket timeout
    /// in milliseconds (None: block; Some(0): non-blocking).
    pub fn from_timeout(timeout_ms: Option<u32>, now_us: u64) -> Deadline {
        match timeout_ms {
            None => Deadline::Never,
            Some(0) => Deadline::Now,
            Some(ms) => Deadline::At(now_us.saturating_add(u64::from(ms) * 1000)),
        }
    }

    /// The instant to wait until, for [`Board::wait`](crate::Board::wait).
    pub fn until_us(self) -> Option<u64> {
        match self {
            Deadline::Now => Some(0),
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
/// use usocket_runtime::earliest;
///
/// assert_eq!(earliest(Some(5_000), Some(2_000)), Some(2_000));
/// assert_eq!(earliest(None, Some(2_000)), Some(2_000));
/// assert_eq!(earliest(None, None), None);
/// ```
pub fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Milliseconds from `now_us` until `at_us`, rounded up (a sleep this long
/// does not wake before `at_us`); 0 when it has passed, `u32::MAX` at most.
pub fn ms_until(at_us: u64, now_us: u64) -> u32 {
    u32::try_from(at_us.saturating_sub(now_us).div_ceil(1000)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_follow_the_socket_timeout() {
        assert_eq!(Deadline::from_timeout(None, 5), Deadline::Never);
        assert_eq!(Deadline::from_timeout(Some(0), 5), Deadline::Now);
        assert_eq!(Deadline::from_timeout(Some(2), 5), Deadline::At(2005));
        assert_eq!(Deadline::from_timeout(Some(u32::MAX), u64::MAX - 1), Deadline::At(u64::MAX));
        assert_eq!(Deadline::Never.until_us(), None);
        assert_eq!(Deadline::At(7).until_us(), Some(7));
        assert_eq!(earliest(Some(3), Some(2)), Some(2));
        assert_eq!(earliest(None, Some(2)), Some(2));
        assert_eq!(earliest(None, None), None);
    }

    #[test]
    fn delays_round_up_to_whole_milliseconds() {
        assert_eq!(ms_until(5_000, 5_000), 0);
        assert_eq!(ms_until(4_000, 5_000), 0);
        assert_eq!(ms_until(5_001, 5_000), 1);
        assert_eq!(ms_until(7_000, 5_000), 2);
        assert_eq!(ms_until(u64::MAX, 0), u32::MAX);
    }
}
