//! Parking: how a blocking call on a shared stack waits without holding it.
//!
//! A call that must wait (for data, room, a connection, a timer) either waits
//! on the board with the stack in hand — a stack one caller owns — or *parks*:
//! it gives the stack back with a [`Parked`] record of where it was (its
//! deadline, its socket, the bytes it already moved), its caller waits for
//! news without the stack ([`crate::Shared`]), and the same call runs again
//! with the record and goes on from there. A call's prefix before its wait is
//! therefore either idempotent (recv, accept, send) or resumes from the record
//! (sendall's bytes sent, readinto's bytes read, a connect already in
//! progress). getaddrinfo cannot park — smoltcp hands a query's answer out
//! once, and keeping answers across a park would cost every stack their
//! size — so a lookup waits holding the stack.

use crate::Fd;
use crate::leaves::time::{BoardTime, Deadline, earliest};

/// How the call now running on a stack waits when it must.
#[derive(Debug, Default)]
pub(crate) enum Mode {
    /// On the board, holding the stack (the stack has one owner, or the call
    /// cannot park).
    #[default]
    Board,
    /// By parking; the call has not parked before.
    Fresh,
    /// By parking; the call goes on from this record of its last park.
    Resuming(Parked),
    /// The call parked: its result is not the caller's.
    Parked(Parked),
}

/// A call that gave its stack back to wait: what it waits for, and where it
/// goes on. Its caller waits without the stack until there is news, its `until`
/// passes, or a signal comes, then runs the same call again with this record.
///
/// Only [`Stack::call_step`](crate::Stack::call_step) makes one; [`Step`]'s
/// example runs a call with it.
#[derive(Debug, Clone, Copy)]
pub struct Parked {
    /// The call's deadline, kept across its parks.
    pub(crate) deadline: Deadline,
    /// The socket it waits on (None: the stack as a whole, e.g. a DHCP lease).
    pub(crate) on: Option<WaitsOn>,
    /// Bytes the call already queued or took (sendall, write, read).
    pub(crate) progress: usize,
    /// When the stack next has timed work (a retransmission, a connect
    /// deadline), or the call's deadline if earlier; None: only news.
    until: Option<BoardTime>,
    /// The caller's wait was interrupted: the call ends with EINTR (as a board's interrupted wait makes it).
    pub(crate) interrupted: bool,
}

impl Parked {
    /// A call waiting for `deadline` on `fd`, with the stack's next timer at `next`.
    pub(crate) fn new(deadline: Deadline, on: Option<WaitsOn>, next: Option<BoardTime>) -> Parked {
        Parked { deadline, on, progress: 0, until: earliest(deadline.until(), next), interrupted: false }
    }

    /// The socket it waits on, if one.
    pub fn waits_on(&self) -> Option<WaitsOn> {
        self.on
    }

    /// Until when its caller waits at most (None: until news).
    pub fn until(&self) -> Option<BoardTime> {
        self.until
    }

    /// The caller's wait was interrupted by a signal: the call, run again,
    /// ends with EINTR (after taking what is already there).
    pub fn interrupt(&mut self) {
        self.interrupted = true;
    }
}

/// The socket a parked call waits on, and for what.
///
/// From [`Parked::waits_on`], for [`Stack::ready`](crate::Stack::ready)
/// (see [`Step`]'s example).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitsOn {
    /// The fd.
    pub(crate) fd: Fd,
    /// The fd's generation when the call parked: a close (and a reuse of the
    /// fd) in the meantime makes the call fail with EBADF.
    pub(crate) generation: u16,
    /// The poll events it waits for (POLL_RD or POLL_WR).
    pub(crate) events: i32,
}

/// What one run of a call came to.
///
/// # Examples
///
/// How a platform runs one call on a shared stack ([`Shared`](crate::Shared)
/// does this, with its lock and sleepers): run it; when it parks, give the
/// stack up, sleep until [`Parked::until`] or until the socket it
/// [`waits_on`](Parked::waits_on) is [`ready`](crate::Stack::ready), and run
/// it again with the record.
///
/// ```
/// use usocket_runtime::{Board, Errno, Parked, Stack, Step};
///
/// fn run<'a, B: Board, R>(stack: &mut Stack<'a, B>, mut call: impl FnMut(&mut Stack<'a, B>) -> R) -> Result<R, Errno> {
///     let mut resume: Option<Parked> = None;
///     for _ in 0..10_000 {
///         match stack.call_step(resume.take(), &mut call)? {
///             Step::Done(result) => return Ok(result),
///             Step::Parked(parked) => {
///                 // Here the platform unlocks and sleeps; this sketch has one
///                 // caller, so it pumps until the call may go on.
///                 stack.pump();
///                 if parked.waits_on().is_some_and(|on| !stack.ready(&on)) {
///                     let _ = stack.board_mut().wait(parked.until());
///                 }
///                 resume = Some(parked);
///             }
///         }
///     }
///     Err(Errno::ETIMEDOUT)
/// }
/// ```
#[derive(Debug)]
pub enum Step<R> {
    /// The call is done with this result.
    Done(R),
    /// The call parked: wait, then run it again with this record.
    Parked(Parked),
}

impl Mode {
    /// The record of this call's last park, taken (a call resumes once).
    pub(crate) fn take_resume(&mut self) -> Option<Parked> {
        match core::mem::take(self) {
            Mode::Resuming(parked) => {
                *self = Mode::Fresh;
                Some(parked)
            }
            other => {
                *self = other;
                None
            }
        }
    }

    /// Does the call go on from a park?
    pub(crate) fn resuming(&self) -> bool {
        matches!(self, Mode::Resuming(_))
    }

    /// The bytes a resumed call had moved (0: none).
    pub(crate) fn resumed_bytes(&self) -> usize {
        match self {
            Mode::Resuming(parked) => parked.progress,
            _ => 0,
        }
    }

    /// The call parks with `parked` if it may (Some: it did).
    pub(crate) fn park(&mut self, parked: Parked) -> bool {
        if matches!(self, Mode::Fresh) {
            *self = Mode::Parked(parked);
        }
        matches!(self, Mode::Parked(_))
    }

    /// Keeps the bytes moved in the record of the park the call just made.
    pub(crate) fn keep(&mut self, bytes: usize) {
        if let Mode::Parked(parked) = self {
            parked.progress = bytes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_park_waits_until_the_deadline_or_the_next_timer() {
        let at = BoardTime::from_micros;
        assert_eq!(Parked::new(Deadline::At(at(50)), None, Some(at(20))).until(), Some(at(20)));
        assert_eq!(Parked::new(Deadline::At(at(10)), None, Some(at(20))).until(), Some(at(10)));
        assert_eq!(Parked::new(Deadline::Never, None, Some(at(20))).until(), Some(at(20)));
        assert_eq!(Parked::new(Deadline::Never, None, None).until(), None);
    }

    #[test]
    fn progress_is_kept_only_in_a_park_and_resumed_once() {
        let mut mode = Mode::Board;
        mode.keep(3);
        assert!(!mode.park(Parked::new(Deadline::Never, None, None)), "a call that holds the stack waits on the board");
        let on = WaitsOn { fd: 4, generation: 1, events: 1 };
        let mut mode = Mode::Fresh;
        assert!(mode.park(Parked::new(Deadline::Never, Some(on), None)));
        mode.keep(3);
        let Mode::Parked(parked) = mode else { panic!("parked") };
        let mut again = Mode::Resuming(parked);
        assert_eq!(again.resumed_bytes(), 3);
        assert!(again.take_resume().is_some_and(|r| r.on == Some(on)));
        assert!(again.take_resume().is_none());
        assert!(matches!(again, Mode::Fresh), "it may park again");
    }
}
