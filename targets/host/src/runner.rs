//! The stack runs while nobody calls it: a thread of the host library pumps
//! the stack on the board's frames and timers whenever no call is inside and
//! no caller waits in [`usocket_host_wait`](crate::wait::usocket_host_wait)
//! (which pumps by itself), so ACKs, ARP/NDP, accepts and DHCP go on during
//! `time.sleep()`, at an idle REPL and between calls. It sleeps in the kernel
//! until the board's device has frames or the stack's next timer is due: no
//! CPU when there is nothing to do. `USOCKET_RUNNER=0` leaves it out.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use usocket_runtime::smoltcp::time::Duration;
use usocket_runtime::{BoardTime, Errno};

use crate::clock::{Clock, wait_fds};
use crate::host_board::WakePlan;

/// One turn of the runner on the stack: pump it unless [`waiting`], and say
/// what to sleep for (the wake plan and the board's clock); None when the
/// stack is busy or not started; an error once it cannot run.
pub(crate) type Turn = fn() -> Result<Option<(WakePlan, Clock)>, Errno>;

/// Callers waiting in `usocket_host_wait` (they pump; the runner stays out of
/// their way so that a frame it takes cannot be missed by their wait).
static WAITERS: AtomicUsize = AtomicUsize::new(0);

/// The runner's wake-up: an eventfd written when the last waiter leaves.
static WAKE: AtomicUsize = AtomicUsize::new(usize::MAX);

/// The runner thread runs.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Until when the runner sleeps, as it planned in its last turn, in the
/// atomic's encoding: board µs ([`BoardTime::as_micros`]), [`UNTIL_FRAME`]
/// until a frame, [`BUSY_NOW`] while it only looks again every [`BUSY`] (a
/// caller pumps meanwhile).
static PLANNED: AtomicU64 = AtomicU64::new(UNTIL_FRAME);

/// [`PLANNED`]: the runner sleeps until a frame (no timer).
const UNTIL_FRAME: u64 = u64::MAX;

/// [`PLANNED`]: the runner looks again every [`BUSY`].
const BUSY_NOW: u64 = 0;

/// A call's new timer matters to the runner only if the runner would sleep
/// past it by more than this: a delayed ACK's time.
const REPLAN_SLACK: Duration = Duration::from_millis(10);

/// How long the runner sleeps while a call or a waiter has the stack (it
/// pumps by itself meanwhile), before it looks again.
const BUSY: Duration = Duration::from_millis(50);

/// Does the runner thread run (and take the device's frames)?
pub(crate) fn running() -> bool {
    RUNNING.load(Ordering::SeqCst)
}

/// The runner's turn planned to sleep until `until` (None: until a frame;
/// under the stack's lock).
pub(crate) fn planned(until: Option<BoardTime>) {
    PLANNED.store(until.map_or(UNTIL_FRAME, BoardTime::as_micros), Ordering::SeqCst);
}

/// A call did work at `now` and `next` gives the stack's next timed work
/// (under the stack's lock): wakes the runner if it sleeps past that.
/// `next` (a look at every socket) is asked only when the runner sleeps
/// longer than [`REPLAN_SLACK`] from now.
pub(crate) fn replan(now: BoardTime, next: impl FnOnce() -> Option<BoardTime>) {
    let planned = PLANNED.load(Ordering::SeqCst);
    if planned == BUSY_NOW || planned <= (now + REPLAN_SLACK).as_micros() {
        return;
    }
    if let Some(next) = next()
        && next.as_micros() < planned
    {
        PLANNED.store(next.as_micros(), Ordering::SeqCst);
        signal();
    }
}

/// Is a caller waiting in `usocket_host_wait` (so the runner must not pump)?
pub(crate) fn waiting() -> bool {
    WAITERS.load(Ordering::SeqCst) > 0
}

/// A caller waiting in `usocket_host_wait`, until dropped.
pub(crate) struct Waiting;

impl Waiting {
    /// Counts the caller in: from now on the runner does not pump.
    pub(crate) fn enter() -> Waiting {
        WAITERS.fetch_add(1, Ordering::SeqCst);
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if WAITERS.fetch_sub(1, Ordering::SeqCst) == 1 {
            signal();
        }
    }
}

/// Wakes the runner (it takes over the pumping at once).
fn signal() {
    if let Ok(fd) = i32::try_from(WAKE.load(Ordering::SeqCst)) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to the runner's eventfd.
        let _ = unsafe { libc::write(fd, (&raw const one).cast(), 8) };
    }
}

/// Starts the runner once per process (from the stack's start), unless
/// `USOCKET_RUNNER=0`; `turn` is its work on the stack.
pub(crate) fn spawn(turn: Turn) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var("USOCKET_RUNNER").is_ok_and(|v| v == "0") {
            return;
        }
        // SAFETY: eventfd(2) with valid flags; the fd lives for the process.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            eprintln!("usocket: eventfd: {}; the stack runs only inside calls", std::io::Error::last_os_error());
            return;
        }
        WAKE.store(fd as usize, Ordering::SeqCst);
        match std::thread::Builder::new().name("usocket".into()).spawn(move || run(fd, turn)) {
            Ok(_) => RUNNING.store(true, Ordering::SeqCst),
            Err(e) => eprintln!("usocket: cannot start the stack's thread: {e}; the stack runs only inside calls"),
        }
    });
}

/// The runner's loop: pump, then sleep until frames, the next timer or a
/// wake-up; while someone else has the stack, look again every [`BUSY`].
fn run(wake: i32, turn: Turn) {
    block_signals();
    loop {
        let plan = match turn() {
            Ok(plan) => plan,
            // The stack could not start, or a call panicked inside: nothing left to run.
            Err(_) => {
                RUNNING.store(false, Ordering::SeqCst);
                return;
            }
        };
        let fd = plan.as_ref().and_then(|(p, _)| p.fd).unwrap_or(-1);
        let mut fds = [libc::pollfd { fd: wake, events: libc::POLLIN, revents: 0 }, libc::pollfd { fd, events: libc::POLLIN, revents: 0 }];
        // Signals are blocked here: the wait ends only at an fd or the deadline.
        let _ = match &plan {
            Some((p, clock)) => wait_fds(clock, &mut fds, p.until),
            None => {
                PLANNED.store(BUSY_NOW, Ordering::SeqCst);
                let clock = Clock::new();
                wait_fds(&clock, &mut fds, Some(clock.now() + BUSY))
            }
        };
        if fds[0].revents != 0 {
            let mut drained: u64 = 0;
            // SAFETY: reads 8 bytes into a live u64 from the runner's own eventfd.
            let _ = unsafe { libc::read(wake, (&raw mut drained).cast(), 8) };
        }
    }
}

/// Signals go to the process's other threads: MicroPython's Ctrl-C must
/// interrupt the thread that waits for it, not this one.
fn block_signals() {
    // SAFETY: a zeroed sigset_t filled by sigfillset, then applied to this thread only.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
}
