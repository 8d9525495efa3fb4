//! Clock and waiting: monotonic microseconds, deadlines from socket timeouts,
//! and a wait hook that the host (a thread, a bare-metal WFI loop, MicroPython)
//! implements. A wait may report "interrupted" so that the host can handle
//! Ctrl-C; the operation then returns EINTR without side effects.

/// A monotonic clock in microseconds.
pub trait Clock {
    /// Microseconds since an arbitrary, fixed start; never goes backwards.
    fn now_us(&self) -> u64;
}

/// The host gave the wait up to handle a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Blocks until an event may have happened or `until` passes.
pub trait Wait {
    /// Waits until `until` (None: no deadline) or earlier, when network events
    /// may have arrived. Spurious wake-ups are allowed.
    fn wait(&mut self, until_us: Option<u64>) -> Result<(), Interrupted>;
}

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

    /// Has it passed at `now_us`? (`Now` counts as passed: the caller tried once.)
    pub fn expired(self, now_us: u64) -> bool {
        match self {
            Deadline::Now => true,
            Deadline::At(t) => now_us >= t,
            Deadline::Never => false,
        }
    }

    /// The instant to wait until, for [`Wait::wait`].
    pub fn until_us(self) -> Option<u64> {
        match self {
            Deadline::Now => Some(0),
            Deadline::At(t) => Some(t),
            Deadline::Never => None,
        }
    }
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
        assert!(Deadline::Now.expired(0));
        assert!(!Deadline::At(10).expired(9));
        assert!(Deadline::At(10).expired(10));
        assert!(!Deadline::Never.expired(u64::MAX));
        assert_eq!(Deadline::Never.until_us(), None);
        assert_eq!(Deadline::At(7).until_us(), Some(7));
    }
}
