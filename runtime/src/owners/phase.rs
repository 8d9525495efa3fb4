//! Where a TCP socket is in its life, as the socket layer sees it: a type
//! whose variants hold what each phase has (a pool entry, a connect deadline,
//! an accept queue), and the one function that moves a phase on what smoltcp
//! reports.
//!
//! ```text
//!  Idle ──connect()──▶ Connecting ──handshake──▶ Connected ──reset, data read──▶ Dead
//!   │  ▲                   │
//!   │  └─refused, timed out┘   (the error is reported once)
//!   └──listen()──▶ Listening   (its entry goes to the pool's accept queue)
//! ```
//!
//! accept() makes a new socket `Connected`. The calls (connect, listen) make
//! their own moves; [`Phase::after`] makes those that smoltcp's state decides.

use smoltcp::socket::tcp::State;

use crate::Errno;
use crate::leaves::time::BoardTime;

/// A TCP socket's phase. `entry` is the pool entry holding its smoltcp socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Fresh or bound.
    Idle {
        /// Its pool entry.
        entry: usize,
    },
    /// connect() started; the handshake is not done.
    Connecting {
        /// Its pool entry.
        entry: usize,
        /// When the connect must have completed: a failure after it is ETIMEDOUT.
        until: BoardTime,
    },
    /// Connected (the peer may have sent its FIN since).
    Connected {
        /// Its pool entry.
        entry: usize,
    },
    /// Listening: the pool's armed and queued entries are this socket's; it has none of its own.
    Listening {
        /// Longest accept queue.
        backlog: u16,
        /// A socket is armed and the queue has room (SYNs are taken).
        accepting: bool,
    },
    /// The connection was reset and that was reported once: the socket is dead.
    Dead {
        /// Its pool entry (closed).
        entry: usize,
    },
}

/// Has the connection been synchronized (the handshake completed)?
pub(super) fn synchronized(state: State) -> bool {
    !matches!(state, State::Closed | State::Listen | State::SynSent | State::SynReceived)
}

impl Phase {
    /// The pool entry of the socket's own smoltcp socket (a listener has none).
    pub fn entry(self) -> Option<usize> {
        match self {
            Phase::Idle { entry } | Phase::Connecting { entry, .. } | Phase::Connected { entry } | Phase::Dead { entry } => Some(entry),
            Phase::Listening { .. } => None,
        }
    }

    /// The phase that smoltcp's `state` of the socket leads to, and the error
    /// to report: a finished connect, a refused or timed-out one, a reset
    /// (reported once the received data is read: `readable` — as Linux keeps
    /// data received before a reset). None: no change.
    pub(crate) fn after(self, state: State, now: BoardTime, readable: bool, shut_wr: bool) -> Option<(Phase, Option<Errno>)> {
        match (self, state) {
            (Phase::Connecting { entry, .. }, st) if synchronized(st) => Some((Phase::Connected { entry }, None)),
            (Phase::Connecting { entry, until }, State::Closed) => {
                let e = if now >= until { Errno::ETIMEDOUT } else { Errno::ECONNREFUSED };
                Some((Phase::Idle { entry }, Some(e)))
            }
            (Phase::Connected { entry }, State::Closed) if !shut_wr && !readable => Some((Phase::Dead { entry }, Some(Errno::ECONNRESET))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONNECTING: Phase = Phase::Connecting { entry: 3, until: at(100) };

    const fn at(us: u64) -> BoardTime {
        BoardTime::from_micros(us)
    }

    #[test]
    fn a_handshake_connects_and_a_failed_one_says_why() {
        assert_eq!(CONNECTING.after(State::SynSent, at(0), false, false), None, "still connecting");
        assert_eq!(CONNECTING.after(State::Established, at(0), false, false), Some((Phase::Connected { entry: 3 }, None)));
        assert_eq!(CONNECTING.after(State::CloseWait, at(0), true, false), Some((Phase::Connected { entry: 3 }, None)), "the peer closed at once");
        assert_eq!(CONNECTING.after(State::Closed, at(99), false, false), Some((Phase::Idle { entry: 3 }, Some(Errno::ECONNREFUSED))));
        assert_eq!(CONNECTING.after(State::Closed, at(100), false, false), Some((Phase::Idle { entry: 3 }, Some(Errno::ETIMEDOUT))));
    }

    #[test]
    fn a_reset_is_reported_after_the_data_before_it() {
        let connected = Phase::Connected { entry: 1 };
        assert_eq!(connected.after(State::Established, at(0), true, false), None);
        assert_eq!(connected.after(State::Closed, at(0), true, false), None, "data to read first");
        assert_eq!(connected.after(State::Closed, at(0), false, true), None, "our own FIN: not a reset");
        assert_eq!(connected.after(State::Closed, at(0), false, false), Some((Phase::Dead { entry: 1 }, Some(Errno::ECONNRESET))));
    }

    #[test]
    fn idle_listening_and_dead_sockets_do_not_move_on_their_own() {
        for phase in [Phase::Idle { entry: 0 }, Phase::Listening { backlog: 2, accepting: true }, Phase::Dead { entry: 0 }] {
            for state in [State::Closed, State::Established, State::Listen] {
                assert_eq!(phase.after(state, at(0), false, false), None, "{phase:?} {state:?}");
            }
        }
        assert_eq!(Phase::Listening { backlog: 1, accepting: false }.entry(), None);
        assert_eq!(CONNECTING.entry(), Some(3));
    }
}
