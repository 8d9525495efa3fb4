//! The bind table: which local (protocol, address, port) pairs are taken, and
//! ephemeral port allocation (49152–65535). smoltcp has neither; EADDRINUSE
//! and SO_REUSEADDR live here.

use core::net::IpAddr;

use crate::leaves::time::BoardTime;
use crate::{Errno, Fd};

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

/// Who holds a live binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The socket of this pool entry (bound, connected, or an fd's socket before listen()).
    Entry(usize),
    /// This listening fd: its port stays while its pool entries move on to the accept queue.
    Listener(Fd),
}

/// What holds a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// An open socket.
    Live(Owner),
    /// A closed connection in TIME-WAIT until this instant, owned by
    /// nobody: SO_REUSEADDR may take the port.
    TimeWait(BoardTime),
}

/// One entry of the bind table (storage for [`Memory`](crate::Memory)).
///
/// A board that lays out its own statics gives [`Memory::bindings`](crate::Memory::bindings)
/// [`Config::bindings`](crate::Config::bindings) empty entries.
///
/// # Examples
///
/// ```
/// use usocket_runtime::{Binding, boards::C_PORT_MINIMAL};
///
/// const BINDINGS: usize = C_PORT_MINIMAL.config.bindings();
/// let mut table = [None; BINDINGS];
/// let part: &mut [Option<Binding>] = &mut table; // `Memory::bindings`
/// assert!(part.iter().all(Option::is_none));
/// assert_eq!(BINDINGS, 2 * C_PORT_MINIMAL.config.tcp_sockets + C_PORT_MINIMAL.config.udp_sockets);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    proto: Proto,
    ip: Option<IpAddr>,
    port: u16,
    state: Use,
}

/// A fixed-capacity bind table over borrowed entries.
#[derive(Debug)]
pub struct PortTable<'a> {
    bindings: &'a mut [Option<Binding>],
    next_ephemeral: u16,
    /// The earliest TIME-WAIT expiry, if any (expire() is a no-op before it).
    next_expiry: Option<BoardTime>,
}

/// Do two local addresses overlap (the unspecified address overlaps everything)?
fn overlaps(a: Option<IpAddr>, b: Option<IpAddr>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

impl<'a> PortTable<'a> {
    /// A table over `bindings`, emptied; ephemeral ports start at `seed`'s place in the range.
    pub fn new(bindings: &'a mut [Option<Binding>], seed: u64) -> Self {
        bindings.fill(None);
        let span = u64::from(EPHEMERAL_LAST - EPHEMERAL_FIRST) + 1;
        PortTable { bindings, next_ephemeral: EPHEMERAL_FIRST + (seed % span) as u16, next_expiry: None }
    }

    /// Is `port` free for a new binding of `proto` at `ip`?
    fn free(&self, proto: Proto, ip: Option<IpAddr>, port: u16, reuse: bool) -> bool {
        self.bindings
            .iter()
            .flatten()
            .filter(|b| b.proto == proto && b.port == port && overlaps(b.ip, ip))
            .all(|b| reuse && matches!(b.state, Use::TimeWait(_)))
    }

    /// Binds `owner` to `ip:port` (None = any address); port 0 picks a free
    /// ephemeral port. Returns the port. EADDRINUSE when taken (SO_REUSEADDR,
    /// `reuse`, only skips TIME-WAIT), ENOMEM when the table is full, EINVAL
    /// when `owner` is already bound.
    pub fn bind(&mut self, owner: Owner, proto: Proto, ip: Option<IpAddr>, port: u16, reuse: bool) -> Result<u16, Errno> {
        if self.bindings.iter().flatten().any(|b| b.state == Use::Live(owner)) {
            return Err(Errno::EINVAL);
        }
        let port = if port == 0 { self.ephemeral(proto, ip)? } else { port };
        if !self.free(proto, ip, port, reuse) {
            return Err(Errno::EADDRINUSE);
        }
        let slot = match self.bindings.iter().position(Option::is_none) {
            Some(free) => free,
            None => self.oldest_time_wait().ok_or(Errno::ENOMEM)?,
        };
        self.bindings[slot] = Some(Binding { proto, ip, port, state: Use::Live(owner) });
        Ok(port)
    }

    /// The TIME-WAIT entry that expires first: the one to give up when the table is full.
    fn oldest_time_wait(&self) -> Option<usize> {
        let until = |b: &Option<Binding>| match b {
            Some(Binding { state: Use::TimeWait(t), .. }) => Some(*t),
            _ => None,
        };
        self.bindings.iter().enumerate().filter_map(|(i, b)| Some((until(b)?, i))).min().map(|(_, i)| i)
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

    /// Moves `owner`'s binding to TIME-WAIT until `until`: its connection is
    /// gone, its port stays taken for binds without SO_REUSEADDR.
    pub fn time_wait(&mut self, owner: Owner, until: BoardTime) {
        for b in self.bindings.iter_mut().flatten().filter(|b| b.state == Use::Live(owner)) {
            // Nobody owns it any more: the pool entry is free for new sockets.
            b.state = Use::TimeWait(until);
            self.next_expiry = Some(self.next_expiry.map_or(until, |t| t.min(until)));
        }
    }

    /// Hands `owner`'s live binding to `new_owner`.
    pub fn set_owner(&mut self, owner: Owner, new_owner: Owner) {
        for b in self.bindings.iter_mut().flatten().filter(|b| b.state == Use::Live(owner)) {
            b.state = Use::Live(new_owner);
        }
    }

    /// Frees TIME-WAIT entries that expired by `now`.
    pub fn expire(&mut self, now: BoardTime) {
        if self.next_expiry.is_none_or(|t| t > now) {
            return;
        }
        self.next_expiry = None;
        for b in self.bindings.iter_mut() {
            match b {
                Some(Binding { state: Use::TimeWait(t), .. }) if *t <= now => *b = None,
                Some(Binding { state: Use::TimeWait(t), .. }) => self.next_expiry = Some(self.next_expiry.map_or(*t, |n| n.min(*t))),
                _ => {}
            }
        }
    }

    /// Frees `owner`'s live binding (no-op when it has none; TIME-WAIT entries stay).
    pub fn release(&mut self, owner: Owner) {
        for b in self.bindings.iter_mut() {
            if b.is_some_and(|b| b.state == Use::Live(owner)) {
                *b = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use core::net::Ipv4Addr;

    use super::*;

    const E: fn(usize) -> Owner = Owner::Entry;
    const LO: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    const OTHER: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));

    #[test]
    fn same_port_conflicts_per_protocol_and_address() {
        let mut mem = [None; 8];
        let mut t = PortTable::new(&mut mem, 0);
        assert_eq!(t.bind(E(0), Proto::Tcp, LO, 8080, false), Ok(8080));
        assert_eq!(t.bind(E(1), Proto::Tcp, LO, 8080, false), Err(Errno::EADDRINUSE));
        assert_eq!(t.bind(E(1), Proto::Tcp, None, 8080, false), Err(Errno::EADDRINUSE), "any-address overlaps");
        assert_eq!(t.bind(E(1), Proto::Udp, LO, 8080, false), Ok(8080), "UDP is a separate space");
        assert_eq!(t.bind(E(2), Proto::Tcp, OTHER, 8080, false), Ok(8080), "another address is free");
        assert_eq!(t.bind(E(2), Proto::Tcp, LO, 9, false), Err(Errno::EINVAL), "already bound");
    }

    #[test]
    fn reuseaddr_only_takes_time_wait_ports() {
        let mut mem = [None; 8];
        let mut t = PortTable::new(&mut mem, 0);
        t.bind(E(0), Proto::Tcp, LO, 7000, false).unwrap();
        assert_eq!(t.bind(E(1), Proto::Tcp, LO, 7000, true), Err(Errno::EADDRINUSE), "a live socket keeps its port");
        t.time_wait(E(0), BoardTime::from_micros(100));
        t.release(E(0));
        assert_eq!(t.bind(E(0), Proto::Tcp, LO, 7001, false), Ok(7001), "the owner may bind again");
        t.release(E(0));
        assert_eq!(t.bind(E(1), Proto::Tcp, LO, 7000, false), Err(Errno::EADDRINUSE), "TIME-WAIT outlives release");
        assert_eq!(t.bind(E(1), Proto::Tcp, LO, 7000, true), Ok(7000));
        t.release(E(1));
        t.expire(BoardTime::from_micros(99));
        assert_eq!(t.bind(E(2), Proto::Tcp, LO, 7000, false), Err(Errno::EADDRINUSE));
        t.expire(BoardTime::from_micros(100));
        assert_eq!(t.bind(E(2), Proto::Tcp, LO, 7000, false), Ok(7000), "expired ports are free");
    }

    #[test]
    fn ephemeral_ports_rotate_skip_used_and_wrap() {
        let mut mem = [None; 4];
        let mut t = PortTable::new(&mut mem, 0);
        t.bind(E(0), Proto::Tcp, None, EPHEMERAL_FIRST + 1, false).unwrap();
        assert_eq!(t.bind(E(1), Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST));
        assert_eq!(t.bind(E(2), Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST + 2), "skips the used one");
        t.release(E(1));
        assert_eq!(t.bind(E(1), Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST + 3), "no immediate reuse");
        assert_eq!(t.bind(E(3), Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST + 4));
        assert_eq!(t.bind(E(4), Proto::Tcp, None, 0, false), Err(Errno::ENOMEM), "table full");
        t.release(E(3));
        t.next_ephemeral = EPHEMERAL_LAST;
        t.release(E(0));
        assert_eq!(t.bind(E(0), Proto::Tcp, None, 0, false), Ok(EPHEMERAL_LAST));
        t.release(E(0));
        assert_eq!(t.bind(E(0), Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST), "wraps around");
        assert_eq!(t.bind(E(5), Proto::Tcp, None, EPHEMERAL_FIRST, false), Err(Errno::EADDRINUSE));
    }

    #[test]
    fn a_full_table_gives_up_the_oldest_time_wait() {
        let mut mem = [None; 2];
        let mut t = PortTable::new(&mut mem, 5);
        assert_eq!(t.bind(E(0), Proto::Tcp, None, 0, false), Ok(EPHEMERAL_FIRST + 5), "the seed picks the start");
        t.bind(E(1), Proto::Tcp, None, 80, false).unwrap();
        assert_eq!(t.bind(E(2), Proto::Tcp, None, 81, false), Err(Errno::ENOMEM));
        t.time_wait(E(1), BoardTime::from_micros(50));
        t.time_wait(E(0), BoardTime::from_micros(40));
        assert_eq!(t.bind(E(2), Proto::Tcp, None, 81, false), Ok(81));
        assert_eq!(t.bind(E(3), Proto::Tcp, None, 80, false), Err(Errno::EADDRINUSE), "the later TIME-WAIT stays");
    }
}
