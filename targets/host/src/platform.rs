//! The host's [`Platform`] for the process's shared stack: a mutex, and a
//! sleep on the calling thread's own eventfd that [`Platform::wake`] writes
//! (with the board's device too when no runner thread takes its frames).
//! poll(2) ends on a signal, so Ctrl-C interrupts a blocked call in our
//! MicroPython.

use std::cell::OnceCell;
use std::os::fd::RawFd;
use std::sync::{Mutex, MutexGuard, PoisonError};

use usocket_runtime::{BoardTime, Interrupted, Platform};

use crate::clock::{Clock, wait_fds};

/// The lock of the C ABI's stack, and what its sleepers wait on.
///
/// # Examples
///
/// Threads share one stack: a blocked `accept` parks and sleeps without the
/// lock, so the other thread's `connect` gets its turn.
///
/// ```
/// use usocket_host::net::{TcpListener, TcpStream};
/// use usocket_host::platform::HostPlatform;
/// use usocket_host::{AnyBoard, HostMemory, Shared, Stack, boards::HOST_LOOPBACK};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config = HOST_LOOPBACK.config;
/// let mut memory = HostMemory::new(&config);
/// let board = AnyBoard::loopback();
/// let platform = HostPlatform::new();
/// // Its sleeps wait on the board's clock (and its device fd; loopback has none).
/// platform.started(board.clock().clone(), None);
/// let shared = Shared::<_, _>::new(Stack::new(memory.lend(), board, config)?, platform);
///
/// let listener = TcpListener::bind(&shared, "127.0.0.1:0".parse()?)?;
/// let addr = listener.local_addr()?;
/// let echoed = std::thread::scope(|s| {
///     let server = s.spawn(|| -> Result<(), usocket_host::Errno> {
///         let (conn, _) = listener.accept()?;
///         let mut buf = [0; 16];
///         let n = conn.recv(&mut buf)?;
///         conn.send_all(&buf[..n])
///     });
///     let client = TcpStream::connect(&shared, addr)?;
///     client.send_all(b"ping")?;
///     let mut buf = [0; 16];
///     let n = client.recv(&mut buf)?;
///     server.join().map_err(|_| "server thread panicked")??;
///     Ok::<_, Box<dyn std::error::Error>>(buf[..n].to_vec())
/// })?;
/// assert_eq!(echoed, b"ping");
/// # Ok(())
/// # }
/// ```
pub struct HostPlatform {
    lock: Mutex<()>,
    /// The board's clock and device fd, once the stack started.
    device: Mutex<Option<(Clock, Option<RawFd>)>>,
}

thread_local! {
    /// This thread's wake-up eventfd (made on first use, closed when the thread ends).
    static WAKE: OnceCell<Wake> = const { OnceCell::new() };
}

/// What a thread's end tells the stack that knows its eventfd (set by the C
/// ABI's stack when it starts: [`on_thread_end`]), so nothing writes to the
/// fd number once it is closed and reused.
static THREAD_END: std::sync::OnceLock<fn(RawFd)> = std::sync::OnceLock::new();

/// Names the function told of each ending thread's eventfd (the first one
/// named stays: the process has one C ABI stack).
pub fn on_thread_end(forget: fn(RawFd)) {
    let _ = THREAD_END.set(forget);
}

/// An eventfd, closed when dropped.
struct Wake(RawFd);

impl Drop for Wake {
    fn drop(&mut self) {
        // The thread ends: nothing may write to this fd number once it is closed (and reused).
        if let Some(forget) = THREAD_END.get() {
            forget(self.0);
        }
        // SAFETY: closes the eventfd this value owns, once.
        unsafe { libc::close(self.0) };
    }
}

/// A guard's value, also after a panic elsewhere (the stack's own lock reports that).
fn unpoisoned<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl HostPlatform {
    /// The platform before the stack starts.
    pub const fn new() -> HostPlatform {
        HostPlatform { lock: Mutex::new(()), device: Mutex::new(None) }
    }

    /// The stack started on a board with this clock and device fd (None: no fd, as the loopback board).
    pub fn started(&self, clock: Clock, fd: Option<RawFd>) {
        *unpoisoned(&self.device) = Some((clock, fd));
    }
}

impl Default for HostPlatform {
    fn default() -> Self {
        HostPlatform::new()
    }
}

impl Platform for HostPlatform {
    type Guard<'g> = MutexGuard<'g, ()>;
    /// The thread's eventfd (-1: none could be made; its sleeps end by time only).
    type Task = RawFd;

    fn lock(&self) -> MutexGuard<'_, ()> {
        unpoisoned(&self.lock)
    }

    fn current(&self) -> RawFd {
        WAKE.with(|w| {
            if w.get().is_none() {
                // SAFETY: eventfd(2) with valid flags.
                let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
                if fd >= 0 {
                    let _ = w.set(Wake(fd));
                }
            }
            w.get().map_or(-1, |w| w.0)
        })
    }

    fn sleep(&self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        let Some((clock, device)) = unpoisoned(&self.device).clone() else { return Ok(()) };
        let me = self.current();
        // The runner takes the device's frames and wakes the sleepers after; without it, this sleep does.
        let device = if crate::runner::running() { None } else { device };
        let mut fds = [Some(me), device].map(|fd| libc::pollfd { fd: fd.unwrap_or(-1), events: libc::POLLIN, revents: 0 });
        let slept = wait_fds(&clock, &mut fds, until).map(|_| ());
        if fds[0].revents != 0 {
            let mut drained: u64 = 0;
            // SAFETY: reads 8 bytes into a live u64 from this thread's own eventfd.
            let _ = unsafe { libc::read(me, (&raw mut drained).cast(), 8) };
        }
        slept
    }

    fn wake(&self, task: RawFd) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to a sleeper's eventfd; a
        // sleeper's thread (which owns it) forgets itself before it ends.
        let _ = unsafe { libc::write(task, (&raw const one).cast(), 8) };
    }

    fn replan(&self, now: BoardTime, next: impl FnOnce() -> Option<BoardTime>) {
        crate::runner::replan(now, next);
    }
}
