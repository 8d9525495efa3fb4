//! A handle's blocking mode: read and write timeouts as `Duration`s and the
//! non-blocking flag, over the stack's one timeout per socket (milliseconds).
//! Atomics (load and store only, which every target has), so a handle is
//! `Sync`: one thread may read while another writes.

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use core::time::Duration;

use crate::Errno;

/// Which way an operation moves data (each has its own timeout).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Way {
    /// recv, accept, recv_from.
    Read,
    /// send, connect, send_to.
    Write,
}

/// No timeout (block), in the atomics' encoding.
const FOREVER: u32 = u32::MAX;

/// The timeouts a handle's user set; each call sets its way's on the socket
/// in the same turn on the stack, so two threads' ways cannot mix.
pub(super) struct Timeouts {
    read: AtomicU32,
    write: AtomicU32,
    nonblocking: AtomicBool,
}

impl Timeouts {
    /// Blocking, no timeouts (what the stack gives a new socket).
    pub(super) fn blocking() -> Timeouts {
        Timeouts { read: AtomicU32::new(FOREVER), write: AtomicU32::new(FOREVER), nonblocking: AtomicBool::new(false) }
    }

    fn of(&self, way: Way) -> &AtomicU32 {
        match way {
            Way::Read => &self.read,
            Way::Write => &self.write,
        }
    }

    /// Sets one way's timeout (None: block forever; zero is EINVAL, as std).
    pub(super) fn set(&self, way: Way, timeout: Option<Duration>) -> Result<(), Errno> {
        let ms = match timeout {
            Some(d) => millis(d)?,
            None => FOREVER,
        };
        self.of(way).store(ms, Ordering::Relaxed);
        Ok(())
    }

    /// One way's timeout as set.
    pub(super) fn get(&self, way: Way) -> Option<Duration> {
        let ms = self.of(way).load(Ordering::Relaxed);
        (ms != FOREVER).then(|| Duration::from_millis(u64::from(ms)))
    }

    /// Non-blocking mode on or off (on: every call returns EAGAIN/EINPROGRESS at once).
    pub(super) fn set_nonblocking(&self, on: bool) {
        self.nonblocking.store(on, Ordering::Relaxed);
    }

    /// The stack's timeout for an operation of `way` (Some(0): non-blocking).
    pub(super) fn for_way(&self, way: Way) -> Option<u32> {
        if self.nonblocking.load(Ordering::Relaxed) {
            return Some(0);
        }
        let ms = self.of(way).load(Ordering::Relaxed);
        (ms != FOREVER).then_some(ms)
    }
}

/// A timeout in the stack's milliseconds: rounded up (1 µs still waits),
/// saturating below `u32::MAX` (49 days); zero is EINVAL (that is non-blocking mode).
pub(super) fn millis(d: Duration) -> Result<u32, Errno> {
    if d.is_zero() {
        return Err(Errno::EINVAL);
    }
    Ok(u32::try_from(d.as_micros().div_ceil(1000)).unwrap_or(FOREVER).min(FOREVER - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_up_to_milliseconds_and_zero_is_einval() {
        assert_eq!(millis(Duration::from_micros(1)), Ok(1));
        assert_eq!(millis(Duration::from_millis(1500)), Ok(1500));
        assert_eq!(millis(Duration::from_micros(1001)), Ok(2));
        assert_eq!(millis(Duration::from_secs(u64::MAX)), Ok(u32::MAX - 1));
        assert_eq!(millis(Duration::ZERO), Err(Errno::EINVAL));
    }

    #[test]
    fn each_way_has_its_timeout_and_nonblocking_overrides_both() {
        let t = Timeouts::blocking();
        assert_eq!((t.for_way(Way::Read), t.for_way(Way::Write)), (None, None));
        t.set(Way::Read, Some(Duration::from_millis(20))).unwrap();
        assert_eq!((t.for_way(Way::Read), t.for_way(Way::Write)), (Some(20), None));
        assert_eq!(t.get(Way::Read), Some(Duration::from_millis(20)));
        t.set_nonblocking(true);
        assert_eq!((t.for_way(Way::Read), t.for_way(Way::Write)), (Some(0), Some(0)));
        t.set_nonblocking(false);
        t.set(Way::Read, None).unwrap();
        assert_eq!(t.get(Way::Read), None);
    }
}
