//! Which socket joined which multicast group: smoltcp's interface joins a
//! group once however many sockets ask, so the stack remembers the askers and
//! leaves a group when the last of them drops it or closes.

use smoltcp::wire::IpAddress;

use crate::{Errno, Fd};

/// Socket-group pairs the table holds (smoltcp's own group table, built with
/// `iface-max-multicast-group-count-16`, also holds the IPv6 solicited-node
/// groups of the board's addresses).
pub const PAIRS: usize = 16;

/// Which socket joined which group.
#[derive(Debug, Default)]
pub(crate) struct Memberships {
    pairs: [Option<(IpAddress, Fd)>; PAIRS],
}

impl Memberships {
    /// Has any socket joined `group`?
    pub(crate) fn has(&self, group: IpAddress) -> bool {
        self.pairs.iter().flatten().any(|(g, _)| *g == group)
    }

    /// How many distinct groups are joined.
    pub(crate) fn groups(&self) -> usize {
        let mut seen = 0;
        for (i, (g, _)) in self.pairs.iter().enumerate().filter_map(|(i, p)| p.map(|p| (i, p))) {
            if !self.pairs[..i].iter().flatten().any(|(h, _)| *h == g) {
                seen += 1;
            }
        }
        seen
    }

    /// Has `fd` joined `group`?
    pub(crate) fn is_member(&self, group: IpAddress, fd: Fd) -> bool {
        self.pairs.contains(&Some((group, fd)))
    }

    /// Records that `fd` joined `group`; ENOMEM when the table is full.
    pub(crate) fn add(&mut self, group: IpAddress, fd: Fd) -> Result<(), Errno> {
        let free = self.pairs.iter_mut().find(|p| p.is_none()).ok_or(Errno::ENOMEM)?;
        *free = Some((group, fd));
        Ok(())
    }

    /// Forgets that `fd` joined `group`; false when it had not.
    pub(crate) fn remove(&mut self, group: IpAddress, fd: Fd) -> bool {
        match self.pairs.iter_mut().find(|p| **p == Some((group, fd))) {
            Some(p) => {
                *p = None;
                true
            }
            None => false,
        }
    }

    /// The groups `fd` joined.
    pub(crate) fn groups_of(&self, fd: Fd) -> [Option<IpAddress>; PAIRS] {
        core::array::from_fn(|i| self.pairs[i].filter(|(_, f)| *f == fd).map(|(g, _)| g))
    }

    /// Is there room for one more pair?
    pub(crate) fn has_room(&self) -> bool {
        self.pairs.iter().any(Option::is_none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G1: IpAddress = IpAddress::v4(239, 1, 2, 3);
    const G2: IpAddress = IpAddress::v4(239, 1, 2, 4);

    #[test]
    fn groups_are_counted_once_however_many_sockets_join() {
        let mut m = Memberships::default();
        m.add(G1, 3).unwrap();
        m.add(G1, 4).unwrap();
        m.add(G2, 3).unwrap();
        assert_eq!(m.groups(), 2);
        assert!(m.is_member(G1, 4) && !m.is_member(G2, 4));
        assert_eq!(m.groups_of(3).iter().flatten().count(), 2);
        assert!(m.remove(G1, 3));
        assert!(!m.remove(G1, 3), "already dropped");
        assert!(m.has(G1), "fd 4 is still a member");
        assert!(m.remove(G1, 4));
        assert!(!m.has(G1));
        for fd in 0..PAIRS as Fd - 1 {
            m.add(G1, fd).unwrap();
        }
        assert!(!m.has_room());
        assert_eq!(m.add(G2, 99), Err(Errno::ENOMEM));
    }
}
