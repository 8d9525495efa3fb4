//! The stall guard: a keep-alive probe while a TCP socket has data queued.
//!
//! smoltcp 0.14 can stop a connection for good: when its retransmission timer
//! fires while it believes the peer's window is zero (a window update lost or
//! overtaken by an older ACK), it sets the timer to idle without starting the
//! zero-window probe, and nothing wakes it again (seen on a link with 10% loss
//! and reordering: no packet for 900 s). A keep-alive timer runs only while
//! smoltcp's timer is idle, so a keep-alive set while data is queued fires
//! only in that stall: the probe makes the peer answer with its window, and
//! the data flows again. It is removed when the queue drains, so idle
//! connections send nothing (unless SO_KEEPALIVE asks for it).

use smoltcp::time::Duration;

use crate::board::Board;
use crate::pool::Role;
use crate::stack::Stack;

/// How long a stalled connection waits for its probe.
pub(crate) const STALL_PROBE: Duration = Duration::from_secs(2);

/// How often the pump looks for guards to end (µs): far below the probe
/// interval, so a connection whose data is acknowledged never probes.
pub(crate) const GUARD_CHECK_US: u64 = 10_000;

/// SO_KEEPALIVE's interval.
pub(crate) const KEEPALIVE: Duration = Duration::from_secs(75);

impl<B: Board> Stack<'_, B> {
    /// Data was queued on pool entry `i`: guard it until it is acknowledged.
    pub(crate) fn guard_stall(&mut self, i: usize) {
        if self.pool[i].guarded {
            return;
        }
        self.pool[i].guarded = true;
        self.stall_guards += 1;
        self.tcp(i).set_keep_alive(Some(STALL_PROBE));
    }

    /// Ends the guard of entries whose data is all acknowledged (or that are
    /// closed), restoring their own keep-alive setting.
    pub(crate) fn release_stall_guards(&mut self) {
        for i in 0..self.pool.len() {
            if !self.pool[i].guarded {
                continue;
            }
            let s = self.tcp(i);
            if s.send_queue() > 0 && s.is_open() {
                continue;
            }
            let user = match self.pool[i].role {
                Role::Fd(fd) => self.fds.get(fd).is_ok_and(|slot| slot.options.keepalive),
                _ => false,
            };
            self.tcp(i).set_keep_alive(user.then_some(KEEPALIVE));
            self.pool[i].guarded = false;
            self.stall_guards -= 1;
        }
    }
}
