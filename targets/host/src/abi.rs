//! The stack behind the C ABI: one per process, on the board the environment
//! chooses, started on first use.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};

use usocket_runtime::{Backend, Errno, HostMemory, SocketApi, Stack};

use crate::host_board::AnyBoard;

/// The process's stack as the C ABI sees it.
pub type AbiStack = Stack<'static, AnyBoard>;

/// The C ABI's backend.
pub struct AbiBackend;

/// The stack, or why it could not start.
struct Global {
    busy: AtomicBool,
    /// The stack's memory, lent to it for the rest of the process.
    memory: UnsafeCell<Option<HostMemory>>,
    stack: UnsafeCell<Option<Result<AbiStack, Errno>>>,
}

// SAFETY: `busy` gives one caller at a time exclusive access to `stack` (and
// to `memory` while it starts).
unsafe impl Sync for Global {}

static GLOBAL: Global = Global { busy: AtomicBool::new(false), memory: UnsafeCell::new(None), stack: UnsafeCell::new(None) };

/// Starts the stack on the environment's board (see [`crate::ENV_VARS`]).
/// Its memory lives as long as the process.
fn start() -> Result<AbiStack, Errno> {
    let board = AnyBoard::from_env().map_err(|e| {
        eprintln!("usocket: {e}");
        Errno::ENODEV
    })?;
    let config = board.config();
    // SAFETY: start() runs once, under the `busy` lock, before any stack
    // exists; afterwards only the stack touches the memory (in the static, so
    // leak checkers see it).
    let memory = unsafe { &mut *GLOBAL.memory.get() }.insert(HostMemory::new(&config));
    let stack = Stack::new(memory.lend(), board, config).map_err(|e| {
        eprintln!("usocket: {e}");
        Errno::ENODEV
    })?;
    // SAFETY: registers a function without arguments; start() runs once per process.
    if unsafe { libc::atexit(close_all_at_exit) } != 0 {
        eprintln!("usocket: atexit: no room; sockets left open at exit will not be closed");
    }
    Ok(stack)
}

/// At process exit (libc's exit(), also when a program's main returns), every
/// socket the process left open is closed as close() would: the peers get the
/// queued data and a FIN (a reset with SO_LINGER (1, 0)) within the board's
/// linger time, as the kernel does for a process's sockets. Not reached when
/// the process dies by a signal or `_exit`; a stack call in progress (exit from
/// another thread) is left alone.
extern "C" fn close_all_at_exit() {
    let _ = AbiBackend::with(|stack| stack.close_all());
}

impl Backend for AbiBackend {
    type Api = AbiStack;

    fn with<R>(f: impl FnOnce(&mut AbiStack) -> R) -> Result<R, Errno> {
        if GLOBAL.busy.swap(true, Ordering::Acquire) {
            // Another thread, or a re-entrant call from a wait hook.
            return Err(Errno::EALREADY);
        }
        // SAFETY: `busy` was false and is now true: no other reference exists.
        let slot = unsafe { &mut *GLOBAL.stack.get() };
        let result = match slot.get_or_insert_with(start) {
            Ok(stack) => Ok(f(stack)),
            Err(e) => Err(*e),
        };
        GLOBAL.busy.store(false, Ordering::Release);
        result
    }
}
