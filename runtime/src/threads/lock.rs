//! The one-caller guard in front of a stack: the stack is one `&mut` value, so
//! a second caller while one is inside — a call from inside a board's wait,
//! or a platform lock that failed to exclude — gets EALREADY instead of a
//! second `&mut` to it. [`Shared`](crate::Shared) keeps its value in one,
//! behind the platform's lock that makes other threads wait their turn.

#![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use core::cell::UnsafeCell;
use core::sync::atomic::Ordering;
// ARMv6-M has no compare-and-swap: see portable-atomic in Cargo.toml.
#[cfg(target_has_atomic = "32")]
use core::sync::atomic::AtomicU8;
#[cfg(not(target_has_atomic = "32"))]
use portable_atomic::AtomicU8;

use crate::Errno;

/// Nobody is inside.
const FREE: u8 = 0;
/// One caller is inside.
const HELD: u8 = 1;
/// A caller's function panicked inside (only possible where panics unwind,
/// i.e. on the host): the value may be half-updated, so nobody gets it again.
const POISONED: u8 = 2;

/// A value one caller at a time may use; all zeros but the value, so a
/// static of it stays in `.bss` when the value is zeroed too.
///
/// # Examples
///
/// A call from inside a call (e.g. a board's wait calling the socket API)
/// gets EALREADY, not a second `&mut`:
///
/// ```
/// use usocket_runtime::{CallerLock, Errno};
///
/// static COUNTER: CallerLock<u32> = CallerLock::new(0);
///
/// assert_eq!(COUNTER.with(|n| { *n += 1; *n }), Ok(1));
/// assert_eq!(COUNTER.with(|_| COUNTER.with(|_| ())), Ok(Err(Errno::EALREADY)));
/// ```
pub struct CallerLock<T> {
    state: AtomicU8,
    value: UnsafeCell<T>,
}

// SAFETY: `state` admits one caller at a time, and only that caller gets a
// reference to `value` (see `with`); callers may be on different threads,
// which `T: Send` allows (a mutex's rule).
unsafe impl<T: Send> Sync for CallerLock<T> {}

/// Poisons the lock when dropped: the caller's function unwound.
struct Unwinding<'a>(&'a AtomicU8);

impl Drop for Unwinding<'_> {
    fn drop(&mut self) {
        self.0.store(POISONED, Ordering::Release);
    }
}

impl<T> CallerLock<T> {
    /// The lock, free, around `value` (const: for statics).
    pub const fn new(value: T) -> Self {
        CallerLock { state: AtomicU8::new(FREE), value: UnsafeCell::new(value) }
    }

    /// Runs `f` on the value: EALREADY while another caller is inside
    /// (another thread, or a call from inside a wait), EIO once a function
    /// panicked inside.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, Errno> {
        match self.state.compare_exchange(FREE, HELD, Ordering::Acquire, Ordering::Acquire) {
            Ok(_) => {}
            Err(POISONED) => return Err(Errno::EIO),
            Err(_) => return Err(Errno::EALREADY),
        }
        let unwinding = Unwinding(&self.state);
        // SAFETY: the state was FREE and this call made it HELD, so no other
        // reference to the value exists until it is FREE again (below), and
        // no other caller gets one before.
        let result = f(unsafe { &mut *self.value.get() });
        core::mem::forget(unwinding);
        self.state.store(FREE, Ordering::Release);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::CallerLock;
    use crate::Errno;

    #[test]
    fn a_second_caller_inside_gets_ealready_and_the_first_goes_on() {
        let lock = CallerLock::new(1u32);
        assert_eq!(lock.with(|v| (lock.with(|_| ()), *v)), Ok((Err(Errno::EALREADY), 1)));
        assert_eq!(lock.with(|v| *v), Ok(1));
    }

    #[test]
    #[allow(clippy::panic, reason = "the bug under test")]
    fn a_panic_inside_poisons_the_value() {
        let lock = CallerLock::new(1u32);
        let unwound = catch_unwind(AssertUnwindSafe(|| lock.with(|_| panic!("a bug"))));
        assert!(unwound.is_err());
        assert_eq!(lock.with(|v| *v), Err(Errno::EIO));
    }
}
