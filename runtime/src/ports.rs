//! The bind table: which local (protocol, address, port) pairs are taken, and
//! ephemeral port allocation (49152–65535). smoltcp has neither; EADDRINUSE
//! and SO_REUSEADDR live here.

use core::net::IpAddr;

use crate::Errno;

/// First ephemeral port (IANA dynamic range).
pub const EPHEMERAL_FIRST: u16 = 49152;
/// Last ephemeral port.
pub const EPHEMERAL_LAST: u16 = 65535;

/// Transport protocol of a binding: TCP and UDP ports are separate spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// What holds a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// An open socket (bound, listening or connected).
    Live,
    /// A closed connection still in TIME-WAIT: SO_REUSEADDR may take the port.
    TimeWait,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Binding {
    owner: usize,
    proto: Proto,
    ip: Option<IpAddr>,
    port: u16,
    state: Use,
}

/// A fixed-capacity bind table; `owner` identifies a socket slot.
#[derive(Debug)]
pub struct PortTable<const N: usize> {
    bindings: [Option<Binding>; N],
    next_ephemeral: u16,
}

/// Do two local addresses overlap (the unspecified address overlaps everything)?
fn overlaps(a: Option<IpAddr>, b: Option<IpAddr>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

impl<const N: usize> PortTable<N> {
    /// An empty table.
    pub const fn new() -> Self {
        PortTable { bindings: [None; N], next_ephemeral: EPHEMERAL_FIRST }
    }

    /// Is `port` free for a new binding of `proto` at `ip`?
    fn free(&self, proto: Proto, ip: Option<IpAddr>, port: u16, reuse: bool) -> bool {
        self.bindings.iter().flatten().filter(|b| b.proto == proto && b.port == port && overlaps(b.ip, ip)).all(|b| reuse && b.state == Use::TimeWait)
    }

    /// Binds `owner` to `ip:port` (None = any address); port 0 picks a free
    /// ephemeral port. Returns the port. EADDRINUSE when taken (SO_REUSEADDR,
    /// `reuse`, only skips TIME-WAIT), ENOMEM when the table is full, EINVAL
    /// when `owner` is already bound.
    pub fn bind(&mut self, owner: usize, proto: Proto, ip: Option<IpAddr>, port: u16, reuse: bool) -> Result<u16, Errno> {
        if self.bindings.iter().flatten().any(|b| b.owner == owner) {
            return Err(Errno::EINVAL);
        }
        let port = if port == 0 { self.ephemeral(proto, ip)? } else { port };
        if !self.free(proto, ip, port, reuse) {
            return Err(Errno::EADDRINUSE);
        }
        let slot = self.bindings.iter_mut().find(|b| b.is_none()).ok_or(Errno::ENOMEM)?;
        *slot = Some(Binding { owner, proto, ip, port, state: Use::Live });
        Ok(port)
    }

    /// The next free ephemeral port, round-robin so that a port is not reused at once.
    fn ephemeral(&mut self, proto: Proto, ip: Option<IpAddr>) -> Result<u16, Errno> {
        let span = u32::from(EPHEMERAL_LAST - EPHEMERAL_FIRST) + 1;
        for _ in 0..span {
            let candidate = self.next_ephemeral;
            self.next_ephemeral = if candidate == EPHEMERAL_LAST { EPHEMERAL_FIRST } else { candidate + 1 };
            if self.free(proto, ip, candidate, false) {
                return Ok(candidate);
            }
        }
        Err(Errno::EADDRINUSE)
    }

    /// The port `owner` holds, if any.
    pub fn port_of(&self, owner: usize) -> Option<u16> {
        self.bindings.iter().flatten().find(|b| b.owner == owner).map(|b| b.port)
    }

    /// Marks `owner`'s binding as TIME-WAIT (its connection closed but lingers).
    pub fn time_wait(&mut self, owner: usize) {
        if let Some(b) = self.bindings.iter_mut().flatten().find(|b| b.owner == owner) {
            b.state = Use::TimeWait;
        }
    }

    /// Frees `owner`'s binding (no-op when it has none).
    pub fn release(&mut self, owner: usize) {
        for b in self.bindings.iter_mut() {
            if b.is_some_and(|b| b.owner == owner) {
                *b = None;
            }
        }
    }
}

impl<const N: usize> Default for PortTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use core::net::Ipv4Addr;

    use super::*;

    const LO: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    const OTHER: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));

    #[test]
    fn same_port_conflicts_per_protocol_and_address() {
        let mut t = PortTable::<8>::new();
        assert_eq!(t.bind(0, Proto::Tcp, LO, 8080, false), Ok(8080));
        assert_eq!(t.bind(1, Proto::Tcp, LO, 8080, false), Err(Errno::EADDRINUSE));
        assert_eq!(t.bind(1, Proto::Tcp, None, 8080, false), Err(Errno::EADDRINUSE), "any-address overlaps");
        assert_eq!(t.bind(1, Proto::Udp, LO, 8080, false), Ok(8080), "UDP is a separate space");
        assert_eq!(t.bind(2, Proto::Tcp, OTHER, 8080, false), Ok(8080), "another address is free");
        assert_eq!(t.bind(2, Proto::Tcp, LO, 9, false), Err(Errno::EINVAL), "already bound");
    }

    #[test]
    fn reuseaddr_only_takes_time_wait_ports() {
        let mut t = PortTable::<8>::new();
        t.bind(0, Proto::Tcp, LO, 7000, false).unwrap();
        assert_eq!(t.bind(1, Proto::Tcp, LO, 7000, true), Err(Errno::EADDRINUSE), "a live socket keeps its port");
        t.time_wait(0);
        assert_eq!(t.bind(1, Proto::Tcp, LO, 7000, false), Err(Errno::EADDRINUSE));
        assert_eq!(t.bind(1, Proto::Tcp, LO, 7000, true), Ok(7000));
        t.release(0);
        t.release(1);
        assert_eq!(t.bind(2, Proto::Tcp, LO, 7000, false), Ok(7000), "released ports are free");
    }

    #[test]
    fn ephemeral_ports_rotate_skip_used_and_wrap() {
        let mut t = PortTable::<4>::new();
        t.bind(0, Proto::Tcp, None, EPHEMERAL_FIRST + 1, false).unwrap();
        assert_eq!(t.bind(1, Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST));
        assert_eq!(t.bind(2, Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST + 2), "skips the used one");
        t.release(1);
        assert_eq!(t.bind(1, Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST + 3), "no immediate reuse");
        assert_eq!(t.bind(3, Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST + 4));
        assert_eq!(t.bind(4, Proto::Tcp, None, 0, false), Err(Errno::ENOMEM), "table full");
        t.release(3);
        t.next_ephemeral = EPHEMERAL_LAST;
        t.release(0);
        assert_eq!(t.bind(0, Proto::Tcp, None, 0, false), Ok(EPHEMERAL_LAST));
        t.release(0);
        assert_eq!(t.bind(0, Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST), "wraps around");
        assert_eq!(t.port_of(0), Some(EPHEMERAL_FIRST));
        assert_eq!(t.port_of(3), None);
    }
}
