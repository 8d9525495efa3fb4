//! The socket pool: every smoltcp socket of the stack, made once at start, and
//! what each is doing (owned by an fd, armed or queued for a listener, lingering
//! after close). Listen backlogs and graceful close live on these roles.
//!
//! Only sockets in use are in smoltcp's socket set (smoltcp visits every
//! socket of the set for every packet); a free socket is parked beside the pool
//! (`Stack::parked`), which keeps the entries small for the pump's scans.

use smoltcp::iface::SocketHandle;

use crate::Fd;

/// Which smoltcp socket type an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// Not set up.
    None,
    /// tcp::Socket.
    Tcp,
    /// udp::Socket.
    Udp,
    /// raw::Socket (made at socket(), when its protocol is known).
    Raw,
    /// The stack's one dns::Socket.
    Dns,
    /// The stack's DHCPv4 client, when the board uses DHCP.
    Dhcp,
}

/// What an entry is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Free for a new socket.
    Free,
    /// Owned by this fd.
    Fd(Fd),
    /// Listening on behalf of this listener fd.
    Armed(Fd),
    /// Left Listen (a SYN came) and waits in this listener's accept queue; `seq` orders the queue.
    Queued {
        /// The listener fd.
        listener: Fd,
        /// Arrival order.
        seq: u32,
    },
    /// Closed by its fd; still delivering data and FIN until this instant (µs).
    Lingering(u64),
}

/// One pooled smoltcp socket (storage for [`Memory`](crate::Memory)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Socket type.
    pub kind: PoolKind,
    /// Its handle in the socket set, while in use.
    pub handle: Option<SocketHandle>,
    /// What it is doing.
    pub role: Role,
    /// Raw sockets: which raw buffer region is theirs.
    pub region: usize,
    /// TCP: the stall guard is on (see `Stack::guard_stall`).
    pub guarded: bool,
}

impl Entry {
    /// An unused entry.
    pub const EMPTY: Entry = Entry { kind: PoolKind::None, handle: None, role: Role::Free, region: 0, guarded: false };
}

/// Finds a free entry of `kind`.
pub fn find_free(pool: &[Entry], kind: PoolKind) -> Option<usize> {
    pool.iter().position(|e| e.kind == kind && e.role == Role::Free)
}

/// How many entries wait in a listener's queue.
pub fn queued(pool: &[Entry], fd: Fd) -> usize {
    pool.iter().filter(|e| matches!(e.role, Role::Queued { listener, .. } if listener == fd)).count()
}

/// The entry armed for a listener, if any.
pub fn armed(pool: &[Entry], fd: Fd) -> Option<usize> {
    pool.iter().position(|e| e.role == Role::Armed(fd))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(role: Role) -> Entry {
        Entry { kind: PoolKind::Tcp, role, ..Entry::EMPTY }
    }

    #[test]
    fn queues_and_armed_listeners_are_counted_per_listener() {
        let pool = [
            tcp(Role::Queued { listener: 3, seq: 9 }),
            tcp(Role::Queued { listener: 4, seq: 1 }),
            tcp(Role::Queued { listener: 3, seq: 2 }),
            tcp(Role::Armed(3)),
            tcp(Role::Free),
        ];
        assert_eq!(queued(&pool, 4), 1);
        assert_eq!(queued(&pool, 5), 0);
        assert_eq!(queued(&pool, 3), 2);
        assert_eq!(armed(&pool, 3), Some(3));
        assert_eq!(find_free(&pool, PoolKind::Tcp), Some(4));
        assert_eq!(find_free(&pool, PoolKind::Udp), None);
    }
}
