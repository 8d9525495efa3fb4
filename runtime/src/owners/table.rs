//! The fd table: small-integer fds over caller-provided slots, every slot recycled.

use smoltcp::wire::{IpAddress, IpEndpoint, IpListenEndpoint};

#[cfg(feature = "raw")]
use crate::constants::SOCK_RAW;
use crate::constants::{AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM};
use crate::leaves::addr::{from_endpoint, unspecified};
use crate::owners::phase::Phase;
use crate::{Addr, Errno, Fd};

/// What socket() asked for: checked family, type and protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// Raw IP with this protocol number.
    #[cfg(feature = "raw")]
    Raw(u8),
}

impl Protocol {
    /// Checks family, type and protocol as socket() must: AF_INET6 needs the
    /// `ipv6` feature (else EAFNOSUPPORT), SOCK_RAW the `raw` feature (else
    /// EPROTONOSUPPORT).
    pub fn of(af: i32, ty: i32, proto: i32) -> Result<Protocol, Errno> {
        if af != AF_INET && !(af == AF_INET6 && cfg!(feature = "ipv6")) {
            return Err(Errno::EAFNOSUPPORT);
        }
        match (ty, proto) {
            (SOCK_STREAM, 0 | IPPROTO_TCP) => Ok(Protocol::Tcp),
            (SOCK_DGRAM, 0 | IPPROTO_UDP) => Ok(Protocol::Udp),
            #[cfg(feature = "raw")]
            (SOCK_RAW, 1..=255) => Ok(Protocol::Raw(proto as u8)),
            _ => Err(Errno::EPROTONOSUPPORT),
        }
    }
}

/// What a socket carries, and the pool entry of its smoltcp socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// TCP, in this phase (which holds its entry, if it has one).
    Stream(Phase),
    /// UDP.
    Datagram {
        /// Its pool entry.
        entry: usize,
    },
    /// Raw IP.
    #[cfg(feature = "raw")]
    Raw {
        /// The IP protocol number.
        proto: u8,
        /// Its pool entry.
        entry: usize,
    },
}

/// Socket options the layer keeps (smoltcp holds the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// SO_REUSEADDR.
    pub reuse_addr: bool,
    /// SO_BROADCAST.
    pub broadcast: bool,
    /// SO_LINGER with a zero time: close() resets.
    pub linger_abort: bool,
    /// TCP_NODELAY.
    pub nodelay: bool,
    /// SO_KEEPALIVE.
    pub keepalive: bool,
    /// IP_MULTICAST_TTL (None: 1, as Linux's default).
    pub multicast_ttl: Option<u8>,
}

/// A socket's own address, as bind(), connect() and accept() leave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LocalAddr {
    /// The IP address; None: any of the board's.
    pub ip: Option<IpAddress>,
    /// The port; 0: not bound yet.
    pub port: u16,
}

impl LocalAddr {
    /// A fresh socket's: any address, no port.
    pub const UNBOUND: LocalAddr = LocalAddr { ip: None, port: 0 };

    /// Has it a port (bound, or given an ephemeral one by connect() or sendto())?
    pub fn is_bound(self) -> bool {
        self.port != 0
    }

    /// Where a smoltcp socket listens, or connects from.
    pub fn endpoint(self) -> IpListenEndpoint {
        IpListenEndpoint { addr: self.ip, port: self.port }
    }

    /// The ABI form for getsockname() of a socket of the family `v6` says
    /// (any address: the family's unspecified one).
    pub fn to_addr(self, v6: bool) -> Addr {
        from_endpoint(self.ip.unwrap_or(unspecified(v6)), self.port)
    }
}

/// A connection's own end.
impl From<IpEndpoint> for LocalAddr {
    fn from(ep: IpEndpoint) -> LocalAddr {
        LocalAddr { ip: Some(ep.addr), port: ep.port }
    }
}

/// One open socket's bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// AF_INET or AF_INET6.
    pub family: i32,
    /// Socket kind and state.
    pub kind: Kind,
    /// Milliseconds; None blocks; Some(0) is non-blocking.
    pub timeout: Option<u32>,
    /// An error to report on the next operation (a refused connect, a reset).
    pub error: Option<Errno>,
    /// Its own address.
    pub local: LocalAddr,
    /// Options.
    pub options: Options,
    /// shutdown(SHUT_RD) was called: reads see end of stream.
    pub shut_rd: bool,
    /// shutdown(SHUT_WR) was called: the FIN is sent, writes fail with EPIPE.
    pub shut_wr: bool,
}

impl Slot {
    /// A fresh socket of `family` (blocking, unbound).
    pub fn new(family: i32, kind: Kind) -> Slot {
        Slot { family, kind, timeout: None, error: None, local: LocalAddr::UNBOUND, options: Options::default(), shut_rd: false, shut_wr: false }
    }

    /// Is this an IPv6 socket?
    pub fn is_v6(&self) -> bool {
        self.family == AF_INET6
    }

    /// Is this a TCP socket?
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, Kind::Stream(_))
    }

    /// The TCP phase; None for other kinds.
    pub fn phase(&self) -> Option<Phase> {
        match self.kind {
            Kind::Stream(phase) => Some(phase),
            _ => None,
        }
    }

    /// The pool entry of the socket's own smoltcp socket (a listener has none).
    pub fn entry(&self) -> Option<usize> {
        match self.kind {
            Kind::Stream(phase) => phase.entry(),
            Kind::Datagram { entry } => Some(entry),
            #[cfg(feature = "raw")]
            Kind::Raw { entry, .. } => Some(entry),
        }
    }
}

/// One fd's place in the table: its socket while open, and how many times
/// it was freed (so that a call parked on the fd notices a close, even when
/// the fd number is in use again by then).
///
/// A board that lays out its own statics (rather than
/// [`static_memory!`](crate::static_memory)) gives [`Memory::fds`](crate::Memory::fds)
/// free ones, one per socket of its config.
///
/// # Examples
///
/// ```
/// use usocket_runtime::{FdSlot, boards::C_PORT_MINIMAL};
///
/// let mut fds = [FdSlot::FREE; C_PORT_MINIMAL.config.sockets];
/// let part: &mut [FdSlot] = &mut fds; // `Memory::fds`
/// assert_eq!(part.len(), C_PORT_MINIMAL.config.sockets);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FdSlot {
    slot: Option<Slot>,
    generation: u16,
}

impl FdSlot {
    /// A free fd (for static memory).
    pub const FREE: FdSlot = FdSlot { slot: None, generation: 0 };
}

/// The fd table over a borrowed slice of slots.
pub struct Table<'a> {
    slots: &'a mut [FdSlot],
}

impl<'a> Table<'a> {
    /// A table over `slots`, emptied.
    pub fn new(slots: &'a mut [FdSlot]) -> Self {
        slots.fill(FdSlot::FREE);
        Table { slots }
    }

    /// The fd `insert` would use next; ENOMEM when full.
    pub fn vacant(&self) -> Result<Fd, Errno> {
        let i = self.slots.iter().position(|s| s.slot.is_none()).ok_or(Errno::ENOMEM)?;
        Fd::try_from(i).map_err(|_| Errno::ENOMEM)
    }

    /// Stores `slot` in the lowest free fd; ENOMEM when full.
    pub fn insert(&mut self, slot: Slot) -> Result<Fd, Errno> {
        let fd = self.vacant()?;
        self.slots[fd as usize].slot = Some(slot);
        Ok(fd)
    }

    /// The slot of an open fd; EBADF otherwise.
    pub fn get(&self, fd: Fd) -> Result<&Slot, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get(i)).and_then(|s| s.slot.as_ref()).ok_or(Errno::EBADF)
    }

    /// The slot of an open fd; EBADF otherwise.
    pub fn get_mut(&mut self, fd: Fd) -> Result<&mut Slot, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).and_then(|s| s.slot.as_mut()).ok_or(Errno::EBADF)
    }

    /// Frees an open fd; EBADF otherwise.
    pub fn remove(&mut self, fd: Fd) -> Result<Slot, Errno> {
        let place = usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).ok_or(Errno::EBADF)?;
        let slot = place.slot.take().ok_or(Errno::EBADF)?;
        place.generation = place.generation.wrapping_add(1);
        Ok(slot)
    }

    /// How many times an open fd was freed before (None: not open): the same
    /// number later means the same socket.
    pub fn generation(&self, fd: Fd) -> Option<u16> {
        let place = self.slots.get(usize::try_from(fd).ok()?)?;
        place.slot.is_some().then_some(place.generation)
    }

    /// Open fds and their slots.
    pub fn iter(&self) -> impl Iterator<Item = (Fd, &Slot)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| Some((i as Fd, s.slot.as_ref()?)))
    }

    /// One more than the highest fd the table can hold.
    pub fn capacity(&self) -> Fd {
        Fd::try_from(self.slots.len()).unwrap_or(Fd::MAX)
    }

    /// Number of open sockets.
    pub fn open(&self) -> usize {
        self.slots.iter().filter(|s| s.slot.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(not(feature = "raw"))]
    use crate::constants::SOCK_RAW;

    #[test]
    fn fills_reports_enomem_and_recycles() {
        let mut slots = [FdSlot::FREE; 3];
        let mut t = Table::new(&mut slots);
        let slot = Slot::new(AF_INET, Kind::Stream(Phase::Idle { entry: 0 }));
        assert_eq!([t.insert(slot), t.insert(slot), t.insert(slot)], [Ok(0), Ok(1), Ok(2)]);
        assert_eq!(t.insert(slot), Err(Errno::ENOMEM));
        assert_eq!(t.generation(1), Some(0));
        assert!(t.remove(1).is_ok());
        assert_eq!(t.generation(1), None);
        assert_eq!(t.remove(1), Err(Errno::EBADF));
        assert_eq!(t.insert(slot), Ok(1));
        assert_eq!(t.generation(1), Some(1), "a reused fd is another socket");
        assert_eq!(t.get_mut(-1).err(), Some(Errno::EBADF));
        assert_eq!(t.get_mut(3).err(), Some(Errno::EBADF));
        assert_eq!(t.open(), 3);
    }

    #[test]
    fn checks_family_and_type() {
        assert_eq!(Protocol::of(12345, SOCK_STREAM, 0), Err(Errno::EAFNOSUPPORT));
        assert_eq!(Protocol::of(AF_INET, 99, 0), Err(Errno::EPROTONOSUPPORT));
        assert_eq!(Protocol::of(AF_INET, SOCK_STREAM, IPPROTO_UDP), Err(Errno::EPROTONOSUPPORT));
        assert_eq!(Protocol::of(AF_INET, SOCK_RAW, 0), Err(Errno::EPROTONOSUPPORT));
        #[cfg(feature = "raw")]
        assert_eq!(Protocol::of(AF_INET, SOCK_RAW, 1), Ok(Protocol::Raw(1)));
        #[cfg(not(feature = "raw"))]
        assert_eq!(Protocol::of(AF_INET, SOCK_RAW, 1), Err(Errno::EPROTONOSUPPORT), "raw sockets are not built");
        let v6 = Protocol::of(AF_INET6, SOCK_DGRAM, 0);
        assert_eq!(v6, if cfg!(feature = "ipv6") { Ok(Protocol::Udp) } else { Err(Errno::EAFNOSUPPORT) });
    }

    #[test]
    fn a_local_address_is_bound_once_it_has_a_port() {
        let fresh = Slot::new(AF_INET, Kind::Datagram { entry: 0 }).local;
        assert_eq!(fresh, LocalAddr::UNBOUND);
        assert!(!fresh.is_bound());
        assert_eq!(fresh.endpoint(), IpListenEndpoint { addr: None, port: 0 });
        let any = fresh.to_addr(false);
        assert_eq!((i32::from(any.family), any.ip, any.port), (AF_INET, [0; 16], 0), "any address: 0.0.0.0");
        let lo = IpAddress::v4(127, 0, 0, 1);
        let connected = LocalAddr::from(IpEndpoint::new(lo, 80));
        assert!(connected.is_bound());
        assert_eq!(connected.endpoint(), IpListenEndpoint { addr: Some(lo), port: 80 });
        assert_eq!(connected.to_addr(false).port, 80);
    }

    #[test]
    fn a_slot_finds_its_entry_by_kind() {
        let listening = Slot::new(AF_INET, Kind::Stream(Phase::Listening { backlog: 1, accepting: false }));
        assert_eq!((listening.entry(), listening.is_stream()), (None, true));
        let udp = Slot::new(AF_INET6, Kind::Datagram { entry: 4 });
        assert_eq!((udp.entry(), udp.phase(), udp.is_v6()), (Some(4), None, true));
    }
}
