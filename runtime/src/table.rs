//! The socket table: fixed capacity, small-integer fds, every slot recycled.

use crate::constants::{AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM};
use crate::{Errno, Fd};

/// What a socket carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// TCP.
    Stream,
    /// UDP.
    Datagram,
    /// Raw IP with this protocol number.
    Raw(u8),
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
}

impl Slot {
    /// Checks family, type and protocol as socket() must.
    pub fn new(af: i32, ty: i32, proto: i32) -> Result<Slot, Errno> {
        if af != AF_INET && af != AF_INET6 {
            return Err(Errno::EAFNOSUPPORT);
        }
        let kind = match (ty, proto) {
            (SOCK_STREAM, 0 | IPPROTO_TCP) => Kind::Stream,
            (SOCK_DGRAM, 0 | IPPROTO_UDP) => Kind::Datagram,
            (SOCK_RAW, 1..=255) => Kind::Raw(proto as u8),
            _ => return Err(Errno::EPROTONOSUPPORT),
        };
        Ok(Slot { family: af, kind, timeout: None })
    }
}

/// A fixed-capacity table of sockets.
#[derive(Debug)]
pub struct Table<const N: usize> {
    slots: [Option<Slot>; N],
}

impl<const N: usize> Table<N> {
    /// An empty table.
    pub const fn new() -> Self {
        Table { slots: [None; N] }
    }

    /// Stores `slot` in the lowest free fd; ENOMEM when full.
    pub fn insert(&mut self, slot: Slot) -> Result<Fd, Errno> {
        let (i, free) = self.slots.iter_mut().enumerate().find(|(_, s)| s.is_none()).ok_or(Errno::ENOMEM)?;
        *free = Some(slot);
        Fd::try_from(i).map_err(|_| Errno::ENOMEM)
    }

    /// The slot of an open fd; EBADF otherwise.
    pub fn get_mut(&mut self, fd: Fd) -> Result<&mut Slot, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).and_then(Option::as_mut).ok_or(Errno::EBADF)
    }

    /// Frees an open fd; EBADF otherwise.
    pub fn remove(&mut self, fd: Fd) -> Result<Slot, Errno> {
        usize::try_from(fd).ok().and_then(|i| self.slots.get_mut(i)).and_then(Option::take).ok_or(Errno::EBADF)
    }

    /// Number of open sockets.
    pub fn open(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }
}

impl<const N: usize> Default for Table<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_reports_enomem_and_recycles() {
        let mut t = Table::<3>::new();
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
        assert_eq!(Slot::new(AF_INET6, SOCK_RAW, 0), Err(Errno::EPROTONOSUPPORT));
        assert_eq!(Slot::new(AF_INET6, SOCK_RAW, 58).map(|s| s.kind), Ok(Kind::Raw(58)));
    }
}
