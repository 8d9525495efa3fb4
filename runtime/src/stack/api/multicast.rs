//! Multicast group memberships (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP and their
//! drops): smoltcp's interface joins a group once, sending IGMP or MLD
//! reports, however many sockets ask; the stack's [`Memberships`] table
//! remembers which socket asked for which group, so that the interface leaves
//! a group when the last of its sockets drops it or closes. At most the
//! board's `multicast_groups` distinct groups, and
//! [`PAIRS`](crate::leaves::memberships::PAIRS) socket-group pairs in all.
//!
//! [`Memberships`]: crate::leaves::memberships::Memberships

use smoltcp::wire::IpAddress;

use crate::board::Board;
use crate::constants::{AF_INET, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IPPROTO_IP};
#[cfg(feature = "ipv6")]
use crate::constants::{AF_INET6, IPPROTO_IPV6, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP};
use crate::stack::Stack;
use crate::{Errno, Fd};

/// A membership request of setsockopt() for a socket of `family`: join or
/// drop, and the group. IPv4: `struct ip_mreq` (group, interface; 8 bytes) or
/// `ip_mreqn` (12); IPv6: `struct ipv6_mreq` (group, interface index; 20).
/// The board has one interface: the interface part is not looked at.
/// ENOPROTOOPT for another option, EINVAL for a value of another size or an
/// IPv4 request on an IPv6 socket (and the other way round).
pub(super) fn request(family: i32, level: i32, optname: i32, value: &[u8]) -> Result<(bool, IpAddress), Errno> {
    match (level, optname) {
        (IPPROTO_IP, IP_ADD_MEMBERSHIP | IP_DROP_MEMBERSHIP) => {
            if family != AF_INET || !matches!(value.len(), 8 | 12) {
                return Err(Errno::EINVAL);
            }
            let group = core::net::Ipv4Addr::new(value[0], value[1], value[2], value[3]);
            Ok((optname == IP_ADD_MEMBERSHIP, IpAddress::Ipv4(group)))
        }
        #[cfg(feature = "ipv6")]
        (IPPROTO_IPV6, IPV6_JOIN_GROUP | IPV6_LEAVE_GROUP) => {
            let octets: [u8; 16] = value.get(..16).filter(|_| value.len() == 20 && family == AF_INET6).and_then(|v| v.try_into().ok()).ok_or(Errno::EINVAL)?;
            Ok((optname == IPV6_JOIN_GROUP, IpAddress::Ipv6(core::net::Ipv6Addr::from(octets))))
        }
        _ => Err(Errno::ENOPROTOOPT),
    }
}

impl<B: Board> Stack<'_, B> {
    /// Joins `group` for socket `fd`: EINVAL when it is not a multicast
    /// address, EADDRINUSE when `fd` is already a member, ENOMEM when the
    /// board's groups or the table are full.
    pub(super) fn multicast_join(&mut self, fd: Fd, group: IpAddress) -> Result<(), Errno> {
        if !group.is_multicast() {
            return Err(Errno::EINVAL);
        }
        if self.memberships.is_member(group, fd) {
            return Err(Errno::EADDRINUSE);
        }
        let first = !self.memberships.has(group);
        if (first && self.memberships.groups() >= self.config.multicast_groups) || !self.memberships.has_room() {
            return Err(Errno::ENOMEM);
        }
        if first {
            self.iface.join_multicast_group(group).map_err(|_| Errno::ENOMEM)?;
        }
        self.memberships.add(group, fd)
    }

    /// Drops `fd`'s membership of `group`: EADDRNOTAVAIL when it has none.
    pub(super) fn multicast_leave(&mut self, fd: Fd, group: IpAddress) -> Result<(), Errno> {
        if !self.memberships.remove(group, fd) {
            return Err(Errno::EADDRNOTAVAIL);
        }
        if !self.memberships.has(group) {
            // Only a non-multicast address fails, and this one joined.
            let _ = self.iface.leave_multicast_group(group);
        }
        Ok(())
    }

    /// close(): drops every membership of `fd`.
    pub(super) fn multicast_close(&mut self, fd: Fd) {
        for group in self.memberships.groups_of(fd).into_iter().flatten() {
            let _ = self.multicast_leave(fd, group);
        }
    }
}
