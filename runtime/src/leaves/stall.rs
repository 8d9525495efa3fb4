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
//!
//! UPSTREAM(smoltcp 0.14): a retransmission timer that fires while the peer's
//! window is believed zero goes idle without starting the zero-window probe,
//! and the connection stalls for good — remove when smoltcp starts the
//! zero-window probe there (this module, the pool's guards and the pump's
//! guard check go with it).
//!
//! The pool (`owners/pool/`) knows which sockets are guarded; this module knows
//! what a guard does to one socket.

use smoltcp::socket::tcp;
use smoltcp::time::Duration;

/// How long a stalled connection waits for its probe.
const STALL_PROBE: Duration = Duration::from_secs(2);

/// How often the pump looks for guards to end: far below the probe
/// interval, so a connection whose data is acknowledged never probes.
pub(crate) const GUARD_CHECK: Duration = Duration::from_millis(10);

/// SO_KEEPALIVE's interval.
const KEEPALIVE: Duration = Duration::from_secs(75);

/// Puts the guard on a socket that has just queued data.
pub(crate) fn guard(s: &mut tcp::Socket<'_>) {
    s.set_keep_alive(Some(STALL_PROBE));
}

/// Does the socket still need its guard (data unacknowledged on an open connection)?
pub(crate) fn still_needed(s: &tcp::Socket<'_>) -> bool {
    s.send_queue() > 0 && s.is_open()
}

/// Applies SO_KEEPALIVE to a socket without a guard (also what ends a guard:
/// the socket's own setting comes back).
pub(crate) fn set_keepalive(s: &mut tcp::Socket<'_>, on: bool) {
    s.set_keep_alive(on.then_some(KEEPALIVE));
}
