//! A stack shared by threads or tasks: the threading model of every board.
//!
//! One lock (the [`Platform`]'s: a host mutex, an RTOS mutex, nothing on bare
//! metal) admits one call at a time, and a call holds it only while it runs,
//! never while it waits: a call that must wait parks ([`Stack::call_step`]),
//! names its thread among the stack's sleepers, gives the stack back and
//! sleeps ([`Platform::sleep`]) until a later turn on the stack has news for
//! it — a call completed or a pump did work (frames, timers, a close) — or
//! its deadline or the stack's next timer is due; then it runs again from
//! where it parked. So calls on different sockets go on while one blocks, and
//! a close wakes the call blocked on that socket with EBADF. The sleeper is
//! named under the lock in the same turn the call parks, so no news can slip
//! between its last look and its sleep. A call from inside a call (e.g. from
//! a board's wait) is EALREADY ([`CallerLock`]).

use crate::Errno;
use smoltcp::time::Duration;

use crate::board::Board;
use crate::leaves::time::{BoardTime, Interrupted};
use crate::stack::Stack;
use crate::threads::lock::CallerLock;
use crate::threads::park::{Step, WaitsOn};

/// What a shared stack needs from where it runs: a lock, and a sleep that
/// another thread can end.
///
/// `usocket-host`'s `HostPlatform` (a mutex and eventfds) has a runnable
/// example with two threads.
///
/// # Examples
///
/// Bare metal with one thread: no lock, one task, and a sleep that is the
/// CPU's wait for an interrupt (a frame, the timer).
///
/// ```
/// use usocket_runtime::{Board, BoardTime, Interrupted, Platform, Shared, Stack};
///
/// struct BareMetal;
///
/// impl Platform for BareMetal {
///     type Guard<'g> = ();
///     type Task = ();
///     fn lock(&self) {}
///     fn current(&self) {}
///     fn sleep(&self, _until: Option<BoardTime>) -> Result<(), Interrupted> {
///         // cortex_m::asm::wfi(), after arming the timer for `_until`.
///         Ok(())
///     }
///     fn wake(&self, _task: ()) {}
/// }
///
/// fn share<B: Board + Send>(stack: Stack<'static, B>) -> Shared<Stack<'static, B>, BareMetal> {
///     Shared::new(stack, BareMetal)
/// }
/// ```
pub trait Platform {
    /// Held while one caller has the stack.
    type Guard<'g>
    where
        Self: 'g;
    /// A thread or task, as [`Platform::wake`] names it.
    type Task: Copy + Eq;

    /// Takes the lock, waiting for the caller inside (an RTOS mutex; bare
    /// metal with one thread: nothing).
    fn lock(&self) -> Self::Guard<'_>;

    /// The calling thread or task.
    fn current(&self) -> Self::Task;

    /// Sleeps the calling thread until `until` (None: no limit)
    /// or until [`Platform::wake`] names it — also a wake that came before
    /// this sleep began (a task notification, an eventfd); returning early is
    /// fine. `Err(Interrupted)` gives the blocking call up with EINTR (a
    /// signal, Ctrl-C).
    fn sleep(&self, until: Option<BoardTime>) -> Result<(), Interrupted>;

    /// Ends `task`'s sleep, or its next one (called under the lock).
    fn wake(&self, task: Self::Task);

    /// A call's pumps did work (it sent, or took frames in) at `now`, and
    /// `next` says when the stack next has timed work (None: none; it costs
    /// a look at every socket, so ask only when needed): a platform whose
    /// runner sleeps until a later time wakes it to plan again (a
    /// retransmission must not wait for the next frame). Called under the lock.
    fn replan(&self, now: BoardTime, next: impl FnOnce() -> Option<BoardTime>) {
        let _ = (now, next);
    }
}

/// A shared value that says whether a call parked on one of its sockets may
/// go on (so that news wakes only those): a [`Stack`], or a slot holding one.
///
/// # Examples
///
/// A firmware that shares its stack together with state of its own:
///
/// ```
/// use usocket_runtime::{Board, Parking, Stack, WaitsOn};
///
/// struct Net<'a, B: Board> {
///     stack: Stack<'a, B>,
///     requests_served: u32,
/// }
///
/// impl<B: Board> Parking for Net<'_, B> {
///     fn ready(&mut self, on: &WaitsOn) -> bool {
///         self.stack.ready(on)
///     }
/// }
/// ```
pub trait Parking {
    /// Might the call parked on `on` go on (its socket ready, or closed)?
    fn ready(&mut self, on: &WaitsOn) -> bool;
}

impl<B: Board> Parking for Stack<'_, B> {
    fn ready(&mut self, on: &WaitsOn) -> bool {
        Stack::ready(self, on)
    }
}

/// A stack started on first use, or why it could not start (the host's slot).
impl<S: Parking> Parking for Option<Result<S, Errno>> {
    fn ready(&mut self, on: &WaitsOn) -> bool {
        match self {
            Some(Ok(stack)) => stack.ready(on),
            _ => true,
        }
    }
}

/// A place for one parked call: its thread (None: the place is free), and
/// the socket it waits on (None: any news). All zeros when free, so a static
/// [`Shared`] stays in `.bss`.
#[derive(Clone, Copy)]
struct Place<W> {
    task: Option<W>,
    on: Option<WaitsOn>,
}

/// The RAM of one parked call's place with a firmware's task handle (a c-port
/// board has one per fd; `spec/ram.toml` counts it in the fd slot).
///
/// # Examples
///
/// ```
/// use usocket_runtime::{FdSlot, PLACE_BYTES};
///
/// // A c-port fd costs its slot and a place for the call parked on it.
/// let fd_bytes = size_of::<FdSlot>() + PLACE_BYTES;
/// assert!(fd_bytes > size_of::<FdSlot>());
/// ```
pub const PLACE_BYTES: usize = size_of::<Place<u64>>();

/// The task that last asked poll_delay() (a firmware's network task, which
/// pumps and then sleeps that long or until a frame), and until when it
/// sleeps (None: until a frame).
#[derive(Clone, Copy)]
struct Runner<W> {
    task: W,
    until: Option<BoardTime>,
}

/// A runner sleeping less than this past now is not woken to plan again:
/// it wakes soon anyway, and finding the stack's next timer looks at every socket.
const REPLAN_SLACK: Duration = Duration::from_millis(10);

impl<W: Copy> Runner<W> {
    /// A call's pumps did work at `now`: when `next` (the stack's next timed
    /// work; asked only when the runner sleeps past the slack) is before the
    /// runner's wake-up, the runner is woken to ask again (a retransmission
    /// a call started must not wait for the next frame). Returns whether it
    /// woke the runner.
    fn replan(&self, now: BoardTime, next: impl FnOnce() -> Option<BoardTime>, wake: impl FnOnce(W)) -> bool {
        if self.until.is_some_and(|until| until <= now + REPLAN_SLACK) {
            return false;
        }
        let sooner = next().is_some_and(|next| self.until.is_none_or(|until| next < until));
        if sooner {
            wake(self.task);
        }
        sooner
    }
}

/// The shared value and the threads sleeping for news of it.
struct Inner<T, W, const N: usize> {
    value: T,
    /// Parked callers waiting for a turn with news for them.
    sleepers: [Place<W>; N],
    /// Who sleeps until the stack's next timer, as poll_delay() told it.
    runner: Told<W>,
}

/// Whether a task sleeps until the stack's next timer ([`Runner`]), stored
/// flat. Not an `Option<Runner>`: that one's `None` is a spare value of
/// `until`'s tag, not zero, which would put a `Shared` in a static (a
/// firmware's whole stack) into `.data`, copied from flash at boot, and the
/// tag inside the tag costs 8 bytes more. `#[repr(u8)]` with `Nobody` as
/// discriminant 0 keeps it all zero bits, in `.bss`.
#[repr(u8)]
#[derive(Clone, Copy)]
enum Told<W> {
    Nobody = 0,
    /// The runner sleeps until a frame.
    UntilFrame(W),
    /// The runner sleeps until a frame or this time.
    Until(W, BoardTime),
}

impl<W: Copy> Told<W> {
    /// The runner, if a task sleeps as one.
    fn runner(&self) -> Option<Runner<W>> {
        match *self {
            Told::Nobody => None,
            Told::UntilFrame(task) => Some(Runner { task, until: None }),
            Told::Until(task, until) => Some(Runner { task, until: Some(until) }),
        }
    }

    /// `runner`, stored.
    fn from(runner: Runner<W>) -> Self {
        match runner.until {
            None => Told::UntilFrame(runner.task),
            Some(until) => Told::Until(runner.task, until),
        }
    }
}

impl<T: Parking, W: Copy + Eq, const N: usize> Inner<T, W, N> {
    /// Forgets `task` as a sleeper (it is awake and on the stack again).
    fn forget(&mut self, task: W) {
        for place in self.sleepers.iter_mut().filter(|p| p.task == Some(task)) {
            place.task = None;
        }
    }

    /// Is there a free place for a call to park in?
    fn has_room(&self) -> bool {
        self.sleepers.iter().any(|p| p.task.is_none())
    }

    /// Names a sleeper, if a place is free (the caller looked).
    fn name(&mut self, task: W, on: Option<WaitsOn>) {
        if let Some(place) = self.sleepers.iter_mut().find(|p| p.task.is_none()) {
            *place = Place { task: Some(task), on };
        }
    }

    /// Wakes the sleepers that news may let go on: those waiting on the
    /// stack as a whole, and those whose socket is ready or closed.
    fn woken(&mut self, mut wake: impl FnMut(W)) {
        let Inner { value, sleepers, .. } = self;
        for place in sleepers.iter_mut() {
            if let Some(task) = place.task
                && place.on.is_none_or(|on| value.ready(&on))
            {
                place.task = None;
                wake(task);
            }
        }
    }
}

/// A value (a stack, or a slot that starts one) that threads or tasks share
/// on a [`Platform`]: the threading model of every board.
///
/// One lock admits one call at a time, and a call holds it only while it
/// runs, never while it waits: a call that must wait parks, names its thread
/// a sleeper, gives the stack back and sleeps until a later call or pump has
/// news for it, its deadline, or the stack's next timer; then it goes on from
/// where it parked. So calls on different sockets go on while one blocks,
/// and closing a socket wakes the call blocked on it with EBADF. getaddrinfo
/// waits holding the lock (a DNS answer cannot be kept across a park). Room
/// for `SLEEPERS` calls parked at once: a call that finds none waits holding
/// the stack. `const` to make, so it can be a static.
///
/// ```no_run
/// # use usocket_runtime::{Board, Errno, Shared, Platform, SocketApi, Stack, constants::*};
/// fn serve<'a, B: Board + Send + 'a, P: Platform>(net: &Shared<Stack<'a, B>, P>, listener: i32) -> Result<(), Errno>
/// where
///     P::Task: Send,
/// {
///     // Blocks without holding the stack: other threads' calls go on meanwhile.
///     let (conn, _peer) = net.call(|s| s.accept(listener))?;
///     net.call(|s| s.sendall(conn, b"hello\n"))?;
///     net.call(|s| s.close(conn))
/// }
/// ```
pub struct Shared<T, P: Platform, const SLEEPERS: usize = 16> {
    platform: P,
    inner: CallerLock<Inner<T, P::Task, SLEEPERS>>,
}

impl<T, P: Platform, const SLEEPERS: usize> Shared<T, P, SLEEPERS> {
    /// `value` shared on `platform`.
    pub const fn new(value: T, platform: P) -> Self {
        Shared { platform, inner: CallerLock::new(Inner { value, sleepers: [Place { task: None, on: None }; SLEEPERS], runner: Told::Nobody }) }
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }
}

impl<T: Send + Parking, P: Platform, const SLEEPERS: usize> Shared<T, P, SLEEPERS>
where
    P::Task: Send,
{
    /// Forgets `task`, a thread or task that ends: no later turn wakes it as
    /// a sleeper or as the one that asked poll_delay() (its handle may be
    /// another's by then). EALREADY from inside a call.
    pub fn forget(&self, task: P::Task) -> Result<(), Errno> {
        self.turn(|inner| {
            inner.forget(task);
            if inner.runner.runner().is_some_and(|r| r.task == task) {
                inner.runner = Told::Nobody;
            }
            ((), Turn { news: false, parked: None })
        })
    }

    /// Runs `f` on the value under the lock (EALREADY from inside a call,
    /// EIO once a call panicked inside), then wakes the parked callers: `f`
    /// may have made their sockets ready.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, Errno> {
        self.turn(|inner| (f(&mut inner.value), Turn { news: true, parked: None }))
    }

    /// Runs `call` (one API call) on the stack `stack` finds in the value,
    /// until it is done: each time it parks, sleeps without the lock until a
    /// turn with news wakes it, and runs it again from where it parked.
    /// EBADF when the fd it waited on was closed meanwhile; EINTR (from the
    /// call) when the sleep was interrupted.
    ///
    /// This generic shell only erases `call`'s type and result: every export
    /// of the C ABI has a closure of its own, and a shell generic over it
    /// would copy the park, sleep and replan loop into each (about 1.1 KB of
    /// Thumb code, some 34 KB over a firmware's exports). The loop is
    /// [`Shared::call_erased`], built once per stack type.
    pub fn call_on<'s, B: Board + 's, R>(
        &self,
        mut stack: impl FnMut(&mut T) -> Result<&mut Stack<'s, B>, Errno>,
        mut call: impl FnMut(&mut Stack<'s, B>) -> R,
    ) -> Result<R, Errno> {
        let mut result = None;
        self.call_erased(&mut stack, &mut |s| result = Some(call(s)))?;
        // call_erased returns Ok only after a run that was done, and that run stored its result.
        result.ok_or(Errno::EIO)
    }

    /// [`Shared::call_on`]'s loop, for a call that leaves its result where
    /// its caller finds it (the result of a run that parked is overwritten by
    /// the next run's).
    #[inline(never)]
    fn call_erased<'s, B: Board + 's>(
        &self,
        stack: &mut dyn FnMut(&mut T) -> Result<&mut Stack<'s, B>, Errno>,
        call: &mut dyn FnMut(&mut Stack<'s, B>),
    ) -> Result<(), Errno> {
        let me = self.platform.current();
        let mut resume = None;
        loop {
            let step = self.turn(|inner| {
                inner.forget(me);
                // With no room to sleep in, the call waits holding the stack.
                let may_park = inner.has_room();
                let Inner { value, runner, .. } = inner;
                let step = stack(value).and_then(|s| {
                    let step = if may_park {
                        s.call_step(resume.take(), &mut *call)?
                    } else {
                        call(s);
                        Step::Done(())
                    };
                    if let Some(told) = s.take_told() {
                        *runner = Told::from(Runner { task: me, until: told.until });
                    }
                    let changed = s.take_changed();
                    if changed {
                        let now = s.board().now();
                        self.platform.replan(now, || s.next_event());
                        if let Some(r) = runner.runner()
                            && r.replan(now, || s.next_event(), |task| self.platform.wake(task))
                        {
                            // It asks again when it wakes.
                            *runner = Told::Nobody;
                        }
                    }
                    Ok((step, changed))
                });
                match step {
                    Ok((step, changed)) => {
                        let parked = match &step {
                            Step::Parked(p) => Some(p.waits_on()),
                            Step::Done(()) => None,
                        };
                        // A call that parked is news only if its pumps did work.
                        (Ok(step), Turn { news: changed || parked.is_none(), parked })
                    }
                    Err(e) => (Err(e), Turn { news: false, parked: None }),
                }
            })?;
            match step? {
                Step::Done(()) => return Ok(()),
                Step::Parked(mut parked) => {
                    if self.platform.sleep(parked.until()).is_err() {
                        parked.interrupt();
                    }
                    resume = Some(parked);
                }
            }
        }
    }

    /// One turn under the lock: `f` says whether it is news and whether its
    /// caller parked; then the sleepers are woken for the news, and a caller
    /// that parked is named a sleeper (its own news is not for it).
    fn turn<R>(&self, f: impl FnOnce(&mut Inner<T, P::Task, SLEEPERS>) -> (R, Turn)) -> Result<R, Errno> {
        let _guard = self.platform.lock();
        self.inner.with(|inner| {
            let (result, turn) = f(inner);
            if turn.news {
                inner.woken(|task| self.platform.wake(task));
            }
            if let Some(on) = turn.parked {
                // The call looked for room before it parked.
                inner.name(self.platform.current(), on);
            }
            result
        })
    }
}

/// What one turn on the stack came to, for its sleepers.
#[derive(Clone, Copy)]
struct Turn {
    /// A call completed or a pump did work: the sleepers may go on.
    news: bool,
    /// The caller parked and sleeps next, waiting on this socket (None: on any news).
    parked: Option<Option<WaitsOn>>,
}

impl<'s, B: Board + Send + 's, P: Platform, const SLEEPERS: usize> Shared<Stack<'s, B>, P, SLEEPERS>
where
    P::Task: Send,
{
    /// Runs `call` (an API call that fails with an [`Errno`]) on the shared
    /// stack until it is done (see [`Shared::call_on`]); the stack's own
    /// errors (EBADF for a socket closed while the call slept, EALREADY from
    /// inside a call) come back as the call's. For other results (getaddrinfo's
    /// `GaiError`), [`Shared::call_on`].
    pub fn call<T>(&self, call: impl FnMut(&mut Stack<'s, B>) -> Result<T, Errno>) -> Result<T, Errno> {
        self.call_on(|stack| Ok(stack), call)?
    }

    /// A runner's turn: pumps the stack (waking the parked callers) and
    /// returns when it next has timed work (None: only a frame gives it
    /// work). A task that runs this whenever frames come or that
    /// time is due keeps the stack going while nobody calls it.
    pub fn pump(&self) -> Result<Option<BoardTime>, Errno> {
        self.with(|stack| {
            stack.pump();
            stack.take_changed();
            stack.next_event()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runner_is_woken_only_for_an_earlier_timer_past_the_slack() {
        let woken = core::cell::Cell::new(0u32);
        let wake = |task: u64| {
            assert_eq!(task, 7);
            woken.set(woken.get() + 1);
        };
        let at = BoardTime::from_micros;
        let r = Runner { task: 7u64, until: Some(at(6_000_000)) };
        assert!(!r.replan(at(1_000), || None, wake), "no timer: it sleeps on");
        assert!(!r.replan(at(1_000), || Some(at(7_000_000)), wake), "a later one: it sleeps on");
        assert!(r.replan(at(1_000), || Some(at(5_000_000)), wake), "a sooner one wakes it");
        assert_eq!(woken.get(), 1);
        let soon = Runner { task: 7u64, until: Some(at(5_000)) };
        assert!(!soon.replan(at(1_000), || panic!("not asked within the slack"), wake));
        assert_eq!(woken.get(), 1);
        let until_a_frame = Runner { task: 7u64, until: None };
        assert!(until_a_frame.replan(at(1_000), || Some(at(7_000_000)), wake), "any timer is sooner than a frame that may never come");
        assert_eq!(woken.get(), 2);
    }
}
