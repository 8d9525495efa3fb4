//! The stack behind the C ABI: one per process, on the board the environment
//! chooses, started on first use.

use std::cell::{Cell, UnsafeCell};
use std::panic::{AssertUnwindSafe, catch_unwind};

use usocket_runtime::{Backend, Errno, HostMemory, Shared, SocketApi, Stack};

use crate::clock::Clock;
use crate::host_board::{AnyBoard, WakePlan};
use crate::platform::HostPlatform;

/// The process's stack as the C ABI sees it.
pub type AbiStack = Stack<'static, AnyBoard>;

/// The C ABI's backend.
///
/// # Examples
///
/// The exported functions ([`c_abi`](crate::c_abi)) run on the process's
/// stack, started by the first call on the board the environment chooses
/// ([`ENV_VARS`](crate::ENV_VARS)):
///
/// ```
/// use usocket_host::c_abi::{usocket_close, usocket_socket};
/// use usocket_host::constants::{AF_INET, SOCK_STREAM};
///
/// // SAFETY: plain integers in and out; no pointers.
/// let fd = unsafe { usocket_socket(AF_INET, SOCK_STREAM, 0) };
/// assert!(fd >= 0, "errno {}", -fd);
/// // SAFETY: as above.
/// assert_eq!(unsafe { usocket_close(fd) }, 0);
/// ```
pub struct AbiBackend;

/// The stack once the first call started it, or why it could not start,
/// shared by the process's threads (see [`usocket_runtime::Shared`]).
static STACK: Shared<Option<Result<AbiStack, Errno>>, HostPlatform> = Shared::new(None, HostPlatform::new());

/// The stack's memory, lent to it for the rest of the process (in a static,
/// so leak checkers see it).
struct MemoryCell(UnsafeCell<Option<HostMemory>>);

// SAFETY: only `start` touches the cell, and it runs once, inside `STACK`'s lock.
unsafe impl Sync for MemoryCell {}

static MEMORY: MemoryCell = MemoryCell(UnsafeCell::new(None));

thread_local! {
    /// This thread is inside a call on the stack.
    static INSIDE: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread inside a call until dropped (also when the call unwinds).
struct Inside;

impl Inside {
    /// EALREADY when this thread is inside a call already (a call from a wait).
    fn enter() -> Result<Inside, Errno> {
        if INSIDE.replace(true) {
            return Err(Errno::EALREADY);
        }
        Ok(Inside)
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE.set(false);
    }
}

/// A thread whose wake-up eventfd is `task` ends: the stack forgets it (see
/// [`Shared::forget`]).
fn forget_thread(task: std::os::fd::RawFd) {
    let _ = STACK.forget(task);
}

/// Pumps the stack and says what a wait for its next news waits for: the
/// board's wake plan and its clock (for the host's waits outside the lock,
/// `usocket_host_wait` and the runner).
pub(crate) fn pump_and_plan(stack: &mut AbiStack) -> (WakePlan, Clock) {
    Stack::pump(stack);
    let next = stack.next_event();
    (stack.board().wake_plan(next), stack.board().clock().clone())
}

/// The runner's turn ([`crate::runner::Turn`]): if the stack is started,
/// nobody is inside and no caller waits, [`pump_and_plan`].
fn runner_turn() -> Result<Option<(WakePlan, Clock)>, Errno> {
    STACK.with(|slot| match slot {
        Some(Ok(stack)) if !crate::runner::waiting() => {
            let (plan, clock) = pump_and_plan(stack);
            crate::runner::planned(plan.until);
            Ok(Some((plan, clock)))
        }
        Some(Err(e)) => Err(*e),
        _ => Ok(None),
    })?
}

/// Starts the stack on the environment's board (see [`crate::ENV_VARS`]).
/// Its memory lives as long as the process.
fn start() -> Result<AbiStack, Errno> {
    let board = AnyBoard::from_env().map_err(|e| {
        eprintln!("usocket: {e}");
        Errno::ENODEV
    })?;
    let config = board.config();
    // SAFETY: start() runs once, inside `STACK`'s lock, before any stack
    // exists; afterwards only the stack touches the memory.
    let memory = unsafe { &mut *MEMORY.0.get() }.insert(HostMemory::new(&config));
    STACK.platform().started(board.clock().clone(), board.wake_plan(None).fd);
    crate::platform::on_thread_end(forget_thread);
    let stack = Stack::new(memory.lend(), board, config).map_err(|e| {
        eprintln!("usocket: {e}");
        Errno::ENODEV
    })?;
    crate::runner::spawn(runner_turn);
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
    let _ = AbiBackend::guard(|| AbiBackend::with(SocketApi::close_all).and_then(|r| r));
}

/// The started stack in `slot`, starting it on first use.
fn started(slot: &mut Option<Result<AbiStack, Errno>>) -> Result<&mut AbiStack, Errno> {
    match slot.get_or_insert_with(start) {
        Ok(stack) => Ok(stack),
        Err(e) => Err(*e),
    }
}

impl Backend for AbiBackend {
    type Api = AbiStack;

    /// A call from another thread while one is inside waits for the lock
    /// (the stack's own thread, [`crate::runner`], is inside for a pump at a
    /// time); a call from inside a call on the same thread (from a wait) is
    /// EALREADY.
    fn with<R>(f: impl FnOnce(&mut AbiStack) -> R) -> Result<R, Errno> {
        let _inside = Inside::enter()?;
        STACK.with(|slot| started(slot).map(f))?
    }

    /// A call that must wait parks and waits without the stack: other
    /// threads' calls go on meanwhile, and a close of its socket ends it with
    /// EBADF ([`Shared::call_on`]).
    fn call<R>(f: impl FnMut(&mut AbiStack) -> R) -> Result<R, Errno> {
        let _inside = Inside::enter()?;
        STACK.call_on(started, f)
    }

    /// A panic becomes EIO (std prints it); the stack is then poisoned
    /// ([`usocket_runtime::CallerLock`]): every later call is EIO too.
    fn guard<T>(body: impl FnOnce() -> Result<T, Errno>) -> Result<T, Errno> {
        catch_unwind(AssertUnwindSafe(body)).unwrap_or(Err(Errno::EIO))
    }
}
