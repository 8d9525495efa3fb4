//! The fd table: small-integer fds over caller-provided slots, every slot recycled.

use smoltcp::wire::IpAddress;

#[cfg(feature = "raw")]
use crate::constants::SOCK_RAW;
use crate::constants::{AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM};
use crate::{Errno, Fd};

/// What a socket carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// TCP.
    Stream,
    /// UDP.
    Datagram,
    /// Raw IP with this protocol number.
    #[cfg(feature = "raw")]
    Raw(u8),
}

/// Where a TCP socket is in its life, as the socket layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Fresh or bound.
    Idle,
    /// connect() started; the handshake is not done.
    Connecting,
    /// Connected (the peer may have sent its FIN since).
    Connected,
    /// Listening with this accept-queue length.
    Listening(u16),
    /// The connection failed or was reset and that was reported once: the socket is dead.
    Dead,
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

/// One open socket's bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// AF_INET or AF_INET6.
    pub family: i32,
    /// Socket kind.
    pub kind: Kind,
    /// Milliseconds; None blocks; Some(0) is non-blocking.
    pub timeout: Option<u32>,
    /// The pool entry holding its smoltcp socket.
    pub entry: usize,
    /// TCP life phase.
    pub phase: Phase,
    /// An error to report on the next operation (a refused connect, a reset).
    pub error: Option<Errno>,
    /// Local address (None: any) and port (0: not bound).
    pub local: (Option<IpAddress>, u16),
    /// Options.
    pub options: Options,
    /// shutdown(SHUT_RD) was called: reads see end of stream.
    pub shut_rd: bool,
    /// shutdown(SHUT_WR) was called: the FIN is sent, writes fail with EPIPE.
    pub shut_wr: bool,
    /// When a connect() must have completed (board µs).
    pub connect_until_us: u64,
    /// A listener that has a socket armed and room in its queue (SYNs are taken).
    pub accepting: bool,
}

impl Slot {
    /// Checks family, type and protocol as socket() must: AF_INET6 needs the
    /// `ipv6` feature (else EAFNOSUPPORT), SOCK_RAW the `raw` feature (else
    /// EPROTONOSUPPORT).
    pub fn new(af: i32, ty: i32, proto: i32) -> Result<Slot, Errno> {
        if af != AF_INET && !(af == AF_INET6 && cfg!(feature = "ipv6")) {
            return Err(Errno::EAFNOSUPPORT);
        }
        let kind = match (ty, proto) {
            (SOCK_STREAM, 0 | IPPROTO_TCP) => Kind::Stream,
            (SOCK_DGRAM, 0 | IPPROTO_UDP) => Kind::Datagram,
            #[cfg(feature = "raw")]
            (SOCK_RAW, 1..=255) => Kind::Raw(proto as u8),
            _ => return Err(Errno::EPROTONOSUPPORT),
        };
        Ok(Slot {
            family: af,
            kind,
            timeout: None,
            entry: usize::MAX,
            phase: Phase::Idle,
            error: None,
            local: (None, 0),
            options: Options::default(),
            shut_rd: false,
            shut_wr: false,
            connect_until_us: 0,
            accepting: false,
        })
    }

    /// Is this an IPv6 socket?
    pub fn is_v6(&self) -> bool {
        self.family == AF_INET6
    }
}

/// The fd table over a borrowed slice of slots.
pub struct Table<'a> {
    slots: &'a mut [Option<Slot>],
}

impl<'a> Table<'a> {
    /// A table over `slots`, emptied.
    pub fn new(slots: &'a mut [Option<Slot>]) -> Self {
        slots.fill(None);
        Table { slots }
    }

    /// The fd `insert` would use next; ENOMEM when full.
    pub fn vacant(&self) -> Result<Fd, Errno> {
        let i = self.slots.iter().position(Option::is_none).ok_or(Errno::ENOMEM)?;
        Fd::try_from(i).map_err(|_| Errno::ENOMEM)
    }

    /// Stores `slot` in the lowest free fd; ENOMEM when full.
    pub fn insert(&mut self, slot: Slot) -> Result<Fd, Errno> {
        let fd = self.vacant()?;
        self.slots[fd as usize] = Some(slot);
        Ok(fd)
    }

    /// The slot of an open fd; EBADF otherwise.
    pub fn get(&self, fd: Fd) -> Result<&Slot, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get(i)).and_then(Option::as_ref).ok_or(Errno::EBADF)
    }

    /// The slot of an open fd; EBADF otherwise.
    pub fn get_mut(&mut self, fd: Fd) -> Result<&mut Slot, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).and_then(Option::as_mut).ok_or(Errno::EBADF)
    }

    /// Frees an open fd; EBADF otherwise.
    pub fn remove(&mut self, fd: Fd) -> Result<Slot, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).and_then(Option::take).ok_or(Errno::EBADF)
    }

    /// Open fds and their slots.
    pub fn iter(&self) -> impl Iterator<Item = (Fd, &Slot)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| Some((i as Fd, s.as_ref()?)))
    }

    /// Number of open sockets.
    pub fn open(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(not(feature = "raw"))]
    use crate::constants::SOCK_RAW;

    #[test]
    fn fills_reports_enomem_and_recycles() {
        let mut slots = [None; 3];
        let mut t = Table::new(&mut slots);
        let slot = Slot::new(AF_INET, SOCK_STREAM, 0).unwrap();
        assert_eq!([t.insert(slot), t.insert(slot), t.insert(slot)], [Ok(0), Ok(1), Ok(2)]);
        assert_eq!(t.insert(slot), Err(Errno::ENOMEM));
        assert!(t.remove(1).is_ok());
        assert_eq!(t.remove(1), Err(Errno::EBADF));
        assert_eq!(t.insert(slot), Ok(1));
        assert_eq!(t.get_mut(-1).err(), Some(Errno::EBADF));
        assert_eq!(t.get_mut(3).err(), Some(Errno::EBADF));
        assert_eq!(t.open(), 3);
    }

    #[test]
    fn checks_family_and_type() {
        assert_eq!(Slot::new(12345, SOCK_STREAM, 0), Err(Errno::EAFNOSUPPORT));
        assert_eq!(Slot::new(AF_INET, 99, 0), Err(Errno::EPROTONOSUPPORT));
        assert_eq!(Slot::new(AF_INET, SOCK_STREAM, IPPROTO_UDP), Err(Errno::EPROTONOSUPPORT));
        assert_eq!(Slot::new(AF_INET, SOCK_RAW, 0), Err(Errno::EPROTONOSUPPORT));
        #[cfg(feature = "raw")]
        assert_eq!(Slot::new(AF_INET, SOCK_RAW, 1).map(|s| s.kind), Ok(Kind::Raw(1)));
        #[cfg(not(feature = "raw"))]
        assert_eq!(Slot::new(AF_INET, SOCK_RAW, 1), Err(Errno::EPROTONOSUPPORT), "raw sockets are not built");
        let v6 = Slot::new(AF_INET6, SOCK_DGRAM, 0).map(|s| s.is_v6());
        assert_eq!(v6, if cfg!(feature = "ipv6") { Ok(true) } else { Err(Errno::EAFNOSUPPORT) });
    }
}
