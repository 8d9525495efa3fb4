//! A stack shared by threads or tasks: the threading model of every board.
//!
//! One lock (the [`Platform`]'s: a host mutex, an RTOS mutex, nothing on bare
//! metal) admits one call at a time, and each call holds it only while it
//! runs, never while it waits: a call that must wait parks
//! ([`Stack::call_step`]), gives the stack back, and sleeps in
//! [`Platform::wait`] until there is news — another call completed, a pump
//! did work (frames, timers), or a close — or its deadline or the stack's next
//! timer is due, then runs again from where it parked. So calls on different
//! sockets go on while one blocks, and a close wakes the call blocked on that
//! socket with EBADF. A call from inside a call (e.g. from a board's wait) is
//! EALREADY ([`CallerLock`]).

use core::sync::atomic::Ordering;
// ARMv6-M has no read-modify-write atomics: see portable-atomic in Cargo.toml.
#[cfg(target_has_atomic = "32")]
use core::sync::atomic::AtomicU32;
#[cfg(not(target_has_atomic = "32"))]
use portable_atomic::AtomicU32;

use crate::Errno;
use crate::board::Board;
use crate::lock::CallerLock;
use crate::park::Step;
use crate::stack::Stack;
use crate::time::Interrupted;

/// What a shared stack needs from where it runs: a lock, and a wait that
/// [`Platform::notify`] ends.
pub trait Platform {
    /// Held while one caller has the stack.
    type Guard<'g>
    where
        Self: 'g;

    /// Takes the lock, waiting for the caller inside (an RTOS mutex; bare
    /// metal with one thread: nothing).
    fn lock(&self) -> Self::Guard<'_>;

    /// Sleeps until `until_us` (board µs; None: no limit), until a frame may
    /// have come, or until [`Platform::notify`]; returning early is fine.
    /// Unless `news` has [arrived](News::arrived) when it checks after
    /// making itself wakeable (a notify between the caller's call and this
    /// wait must not be lost). `Err(Interrupted)` gives the blocking call up
    /// with EINTR (a signal, Ctrl-C).
    fn wait(&self, until_us: Option<u64>, news: News<'_>) -> Result<(), Interrupted>;

    /// Wakes `waiters` callers sleeping in [`Platform::wait`] (each wake may
    /// reach any waiter, and one that finds nobody asleep may end a later
    /// wait early: a counting semaphore given `waiters` times will do).
    fn notify(&self, waiters: u32);

    /// A call's pumps did work (it sent, or took frames in), and the stack
    /// next has timed work at `next_us` (board µs; None: none): a platform
    /// whose runner sleeps until a later time wakes it to plan again (a
    /// retransmission must not wait for the next frame). Called under the lock.
    fn replan(&self, next_us: Option<u64>) {
        let _ = next_us;
    }
}

/// Whether the stack changed since a parked call last saw it.
pub struct News<'a> {
    counter: &'a AtomicU32,
    seen: u32,
}

impl News<'_> {
    /// Did a call complete or a pump do work since the caller parked?
    pub fn arrived(&self) -> bool {
        self.counter.load(Ordering::SeqCst) != self.seen
    }
}

/// A value (a stack, or a slot that starts one) that threads or tasks share
/// on a [`Platform`]; see the module doc for the model. `const` to make, so
/// it can be a static.
pub struct Shared<T, P> {
    platform: P,
    value: CallerLock<T>,
    /// Bumped by every call that completed and every pump that did work.
    news: AtomicU32,
    /// Callers sleeping in (or about to sleep in) the platform's wait.
    waiters: AtomicU32,
}

impl<T, P> Shared<T, P> {
    /// `value` shared on `platform`.
    pub const fn new(value: T, platform: P) -> Self {
        Shared { platform, value: CallerLock::new(value), news: AtomicU32::new(0), waiters: AtomicU32::new(0) }
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }
}

impl<T: Send, P: Platform> Shared<T, P> {
    /// Runs `f` on the value under the lock (EALREADY from inside a call,
    /// EIO once a call panicked inside), then wakes parked callers: `f` may
    /// have made their sockets ready.
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, Errno> {
        self.turn(|value| (f(value), true)).map(|(r, _)| r)
    }

    /// Runs `call` (one API call) on the stack `stack` finds in the value,
    /// until it is done: each time it parks, waits for news without the lock
    /// ([`Shared::wait`]) and runs it again from where it parked. EBADF when
    /// the fd it waited on was closed meanwhile; EINTR (from the call) when
    /// the platform's wait was interrupted.
    pub fn call_on<'s, B: Board + 's, R>(
        &self,
        mut stack: impl FnMut(&mut T) -> Result<&mut Stack<'s, B>, Errno>,
        mut call: impl FnMut(&mut Stack<'s, B>) -> R,
    ) -> Result<R, Errno> {
        let mut resume = None;
        loop {
            let (step, seen) = self.turn(|value| match stack(value).and_then(|s| Ok((s.call_step(resume.take(), &mut call)?, s))) {
                Ok((step, s)) => {
                    let changed = s.take_changed();
                    if changed {
                        self.platform.replan(s.next_event_us());
                    }
                    // A call that parked is news only if its pumps did work.
                    let news = changed || matches!(step, Step::Done(_));
                    (Ok(step), news)
                }
                Err(e) => (Err(e), false),
            })?;
            match step? {
                Step::Done(result) => return Ok(result),
                Step::Parked(mut parked) => {
                    if self.wait(seen, parked.until_us()).is_err() {
                        parked.interrupt();
                    }
                    resume = Some(parked);
                }
            }
        }
    }

    /// Sleeps in the platform's wait until news after `seen` (what
    /// [`Shared::with`]'s turn left), `until_us` or an interrupt.
    pub fn wait(&self, seen: u32, until_us: Option<u64>) -> Result<(), Interrupted> {
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let result = self.platform.wait(until_us, News { counter: &self.news, seen });
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        result
    }

    /// How many times the stack had news so far (for [`Shared::wait`]).
    pub fn news(&self) -> u32 {
        self.news.load(Ordering::SeqCst)
    }

    /// One turn under the lock: `f` says whether it is news; then the
    /// sleeping callers are woken for it. Returns `f`'s result and the news
    /// count the turn left.
    fn turn<R>(&self, f: impl FnOnce(&mut T) -> (R, bool)) -> Result<(R, u32), Errno> {
        let guard = self.platform.lock();
        let turn = self.value.with(f);
        let news = matches!(turn, Ok((_, true)));
        let seen = if news { self.news.fetch_add(1, Ordering::SeqCst).wrapping_add(1) } else { self.news.load(Ordering::SeqCst) };
        drop(guard);
        if news {
            let waiters = self.waiters.load(Ordering::SeqCst);
            if waiters > 0 {
                self.platform.notify(waiters);
            }
        }
        turn.map(|(r, _)| (r, seen))
    }
}

impl<'s, B: Board + Send + 's, P: Platform> Shared<Stack<'s, B>, P> {
    /// Runs `call` on the shared stack until it is done (see [`Shared::call_on`]).
    pub fn call<R>(&self, call: impl FnMut(&mut Stack<'s, B>) -> R) -> Result<R, Errno> {
        self.call_on(|stack| Ok(stack), call)
    }

    /// A runner's turn: pumps the stack and returns when it next has timed
    /// work (board µs; None: only a frame gives it work) and the news count,
    /// for the runner to [`Shared::wait`] until then. A task that runs this in
    /// a loop keeps the stack going while nobody calls it.
    pub fn pump(&self) -> Result<(Option<u64>, u32), Errno> {
        let next = self.with(|stack| {
            stack.pump();
            stack.take_changed();
            stack.next_event_us()
        })?;
        Ok((next, self.news()))
    }
}
