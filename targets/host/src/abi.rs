//! The stack behind the C ABI: one per process, on the board the environment
//! chooses, started on first use.

use std::cell::{Cell, UnsafeCell};
use std::panic::{AssertUnwindSafe, catch_unwind};

use usocket_runtime::{Backend, CallerLock, Errno, HostMemory, SocketApi, Stack};

use crate::clock::Clock;
use crate::host_board::{AnyBoard, WakePlan};

/// The process's stack as the C ABI sees it.
pub type AbiStack = Stack<'static, AnyBoard>;

/// The C ABI's backend.
pub struct AbiBackend;

/// The stack once the first call started it, or why it could not start.
static STACK: CallerLock<Option<Result<AbiStack, Errno>>> = CallerLock::new(None);

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
    fn enter() -> Inside {
        INSIDE.set(true);
        Inside
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE.set(false);
    }
}

/// Between tries for the stack while another thread is inside: yield at
/// first (a pump takes microseconds), then sleep, up to a millisecond.
fn wait_turn(tries: &mut u32) {
    *tries += 1;
    match *tries {
        0..100 => std::thread::yield_now(),
        n => std::thread::sleep(std::time::Duration::from_micros(u64::from(n.min(1100) - 100))),
    }
}

/// Pumps the stack and says what a wait for its next news waits for: the
/// board's wake plan and its clock (for the host's waits outside the lock,
/// `usocket_host_wait` and the runner).
pub(crate) fn pump_and_plan(stack: &mut AbiStack) -> (WakePlan, Clock) {
    Stack::pump(stack);
    let next = stack.next_event_us();
    (stack.board().wake_plan(next), stack.board().clock().clone())
}

/// The runner's turn ([`crate::runner::Turn`]): if the stack is started,
/// nobody is inside and no caller waits, [`pump_and_plan`].
fn runner_turn() -> Result<Option<(WakePlan, Clock)>, Errno> {
    let turn = STACK.with(|slot| match slot {
        Some(Ok(stack)) if !crate::runner::waiting() => Ok(Some(pump_and_plan(stack))),
        Some(Err(e)) => Err(*e),
        _ => Ok(None),
    });
    match turn {
        Err(Errno::EALREADY) => Ok(None),
        other => other?,
    }
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

impl Backend for AbiBackend {
    type Api = AbiStack;

    /// A call from another thread while one is inside waits its turn (the
    /// stack's own thread, [`crate::runner`], is inside for a pump at a
    /// time); a call from inside a call on the same thread (from a wait) is
    /// EALREADY.
    fn with<R>(f: impl FnOnce(&mut AbiStack) -> R) -> Result<R, Errno> {
        if INSIDE.get() {
            return Err(Errno::EALREADY);
        }
        let mut f = Some(f);
        let mut tries = 0u32;
        loop {
            let result = STACK.with(|slot| {
                let _inside = Inside::enter();
                match slot.get_or_insert_with(start) {
                    Ok(stack) => f.take().map(|f| f(stack)).ok_or(Errno::EIO),
                    Err(e) => Err(*e),
                }
            });
            match result {
                Err(Errno::EALREADY) => wait_turn(&mut tries),
                other => return other?,
            }
        }
    }

    /// A panic becomes EIO (std prints it); the stack is then poisoned
    /// ([`CallerLock`]): every later call is EIO too.
    fn guard<T>(body: impl FnOnce() -> Result<T, Errno>) -> Result<T, Errno> {
        catch_unwind(AssertUnwindSafe(body)).unwrap_or(Err(Errno::EIO))
    }
}
