//! The one stack the C ABI serves.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::generated::api::Backend;
use crate::{Errno, Stack};

/// The global stack behind the C ABI, created on first use.
pub struct AbiBackend;

struct Global {
    busy: AtomicBool,
    stack: UnsafeCell<Option<Stack>>,
}

// SAFETY: `busy` gives one caller at a time exclusive access to `stack`.
unsafe impl Sync for Global {}

static GLOBAL: Global = Global { busy: AtomicBool::new(false), stack: UnsafeCell::new(None) };

impl Backend for AbiBackend {
    type Api = Stack;

    fn with<R>(f: impl FnOnce(&mut Stack) -> R) -> Result<R, Errno> {
        if GLOBAL.busy.swap(true, Ordering::Acquire) {
            // Another thread, or a re-entrant call from a wait hook.
            return Err(Errno::EALREADY);
        }
        // SAFETY: `busy` was false and is now true: no other reference exists.
        let stack = unsafe { &mut *GLOBAL.stack.get() };
        let result = f(stack.get_or_insert_with(Stack::new));
        GLOBAL.busy.store(false, Ordering::Release);
        Ok(result)
    }
}
