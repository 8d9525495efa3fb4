//! The interface object's view of the stack: `ifconfig()` (reading and
//! setting), `active()`, `isconnected()`, `status()`; and the one writer of
//! the interface's IPv4 configuration, [`Stack::set_ipv4`], which a static
//! `ifconfig()` and the DHCP client's lease both go through.

use core::net::Ipv4Addr;

use smoltcp::wire::{IpAddress, IpCidr, Ipv4Cidr};

use crate::board::Board;
use crate::constants::AF_INET;
use crate::generated::types::{Ifconfig, IfconfigSet};
use crate::leaves::addr::{from_endpoint, v4_cidr, v4_of};
use crate::stack::Stack;
use crate::{Addr, Errno};

/// An IPv4 address as an ABI address (port 0).
fn v4(ip: Ipv4Addr) -> crate::Addr {
    from_endpoint(IpAddress::Ipv4(ip), 0)
}

/// The IPv4 address of an ABI address; EINVAL for another family.
fn v4_in(a: &Addr) -> Result<Ipv4Addr, Errno> {
    if i32::from(a.family) != AF_INET {
        return Err(Errno::EINVAL);
    }
    Ok(Ipv4Addr::new(a.ip[0], a.ip[1], a.ip[2], a.ip[3]))
}

/// The prefix length of a netmask: ones, then zeros (None otherwise).
fn prefix_of(netmask: Ipv4Addr) -> Option<u8> {
    let mask = u32::from(netmask);
    let ones = mask.leading_ones();
    (mask.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
}

/// 0.0.0.0 is none, as in MicroPython's ifconfig().
fn given(ip: Ipv4Addr) -> Option<Ipv4Addr> {
    (!ip.is_unspecified()).then_some(ip)
}

/// An IPv4 configuration to put in effect.
pub(super) struct Ipv4Config {
    /// The address with its prefix (None: no IPv4 address but 127.0.0.1).
    pub(super) address: Option<Ipv4Cidr>,
    /// The default gateway.
    pub(super) router: Option<Ipv4Addr>,
    /// The DNS servers, which replace the IPv4 ones (IPv6 ones stay).
    pub(super) dns: [Option<Ipv4Addr>; 2],
}

impl<B: Board> Stack<'_, B> {
    /// Is `cidr` the board's own address, not the loopback one every board
    /// gets (a board whose own addresses are loopback ones keeps them)?
    fn board_address(&self, cidr: &IpCidr) -> bool {
        !crate::stack::selflink::is_loopback(cidr.address()) || self.net.addresses.contains(&Some(*cidr))
    }

    /// The first IPv4 address with its netmask, the IPv4 gateway and the first
    /// IPv4 DNS server; 0.0.0.0 for what the board lacks.
    pub(super) fn net_ifconfig(&self) -> Ifconfig {
        let cidr = self.iface.ip_addrs().iter().filter(|c| self.board_address(c)).find_map(|c| v4_cidr(*c));
        let dns = self.net.dns_servers.iter().flatten().find_map(|s| v4_of(*s));
        Ifconfig {
            ip: v4(cidr.map_or(Ipv4Addr::UNSPECIFIED, |c| c.address())),
            netmask: v4(cidr.map_or(Ipv4Addr::UNSPECIFIED, |c| c.netmask())),
            gateway: v4(self.net.gateway_v4.unwrap_or(Ipv4Addr::UNSPECIFIED)),
            dns: v4(dns.unwrap_or(Ipv4Addr::UNSPECIFIED)),
        }
    }

    /// ifconfig() with an argument: start the DHCP client, or set a static
    /// configuration (EINVAL for an unknown `dhcp` value).
    pub(super) fn net_ifconfig_set(&mut self, set: &IfconfigSet) -> Result<(), Errno> {
        match set.dhcp {
            0 => self.net_set_static(&set.config),
            1 => self.dhcp_request(true),
            2 => self.dhcp_request(false),
            _ => Err(Errno::EINVAL),
        }
    }

    /// A static IPv4 configuration, as MicroPython's lwIP ports set one: the
    /// DHCP client stops, 0.0.0.0 is none. EINVAL, changing nothing, for a
    /// netmask that is not a prefix, an address the interface cannot have
    /// (multicast, broadcast) or one that is not IPv4.
    fn net_set_static(&mut self, c: &Ifconfig) -> Result<(), Errno> {
        let (ip, netmask, gateway, dns) = (v4_in(&c.ip)?, v4_in(&c.netmask)?, v4_in(&c.gateway)?, v4_in(&c.dns)?);
        let prefix = prefix_of(netmask).ok_or(Errno::EINVAL)?;
        if ip.is_multicast() || ip.is_broadcast() {
            return Err(Errno::EINVAL);
        }
        self.dhcp_stop();
        let address = given(ip).map(|ip| Ipv4Cidr::new(ip, prefix));
        // The board's own IPv4 address from now on (what board_address() knows).
        for slot in self.net.addresses.iter_mut().filter(|s| s.is_some_and(|c| v4_cidr(c).is_some())) {
            *slot = None;
        }
        if let (Some(a), Some(slot)) = (address, self.net.addresses.iter_mut().find(|s| s.is_none())) {
            *slot = Some(IpCidr::Ipv4(a));
        }
        self.set_ipv4(&Ipv4Config { address, router: given(gateway), dns: [given(dns), None] });
        Ok(())
    }

    /// Puts an IPv4 configuration in effect: the interface's IPv4 address
    /// (127.0.0.1 stays, after it), its default route and the IPv4 DNS servers.
    pub(super) fn set_ipv4(&mut self, config: &Ipv4Config) {
        self.iface.update_ip_addrs(|addrs| {
            // 127.0.0.1 stays, after the board's own.
            // UPSTREAM(smoltcp 0.14): the source is the first IPv4 address (see
            // `Stack::new`) — remove when `Stack::new`'s note goes.
            addrs.retain(|a| v4_cidr(*a).is_none_or(|c| c.address().is_loopback() && Some(c) != config.address));
            if let Some(address) = config.address {
                // Capacity is the interface's compiled-in address count; one went first.
                let _ = addrs.insert(0, IpCidr::Ipv4(address));
            }
        });
        // The interface forgot its neighbours: tell it its own addresses again.
        self.reprime();
        self.iface.routes_mut().remove_default_ipv4_route();
        self.net.gateway_v4 = config.router;
        if let Some(router) = config.router {
            let _ = self.iface.routes_mut().add_default_ipv4_route(router);
        }
        let mut servers = [None; 2];
        let v6 = self.net.dns_servers.iter().flatten().filter(|s| v4_of(**s).is_none()).copied();
        let v4 = config.dns.iter().flatten().map(|a| IpAddress::Ipv4(*a));
        for (slot, server) in servers.iter_mut().zip(v4.chain(v6)) {
            *slot = Some(server);
        }
        self.net.dns_servers = servers;
        #[cfg(feature = "dns")]
        self.dns_servers_changed();
    }

    /// status(): 3 with an address (a lease while the DHCP client runs), 1
    /// while the client awaits its lease, 0 otherwise.
    pub(super) fn net_status(&self) -> usize {
        match self.dhcp_lease() {
            Some(true) => 3,
            Some(false) => 1,
            None if self.net_connected() => 3,
            None => 0,
        }
    }

    /// Has the interface an address to talk with? While the DHCP client runs: its lease.
    pub(super) fn net_connected(&self) -> bool {
        match self.dhcp_lease() {
            Some(leased) => leased,
            None => self.iface.ip_addrs().iter().any(|c| self.board_address(c)),
        }
    }

    /// A build without DHCPv4 has no client to run.
    #[cfg(not(feature = "dhcpv4"))]
    fn dhcp_lease(&self) -> Option<bool> {
        None
    }

    /// A build without DHCPv4 has no client to stop.
    #[cfg(not(feature = "dhcpv4"))]
    fn dhcp_stop(&mut self) {}

    /// dhcp_state(): 0 without a client, 1 while it awaits a lease, 2 with one.
    pub(super) fn net_dhcp_state(&self) -> usize {
        match self.dhcp_lease() {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        }
    }

    /// A build without DHCPv4 has no client to start: EOPNOTSUPP.
    #[cfg(not(feature = "dhcpv4"))]
    fn dhcp_request(&mut self, _wait: bool) -> Result<(), Errno> {
        Err(Errno::EOPNOTSUPP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netmasks_are_prefixes() {
        assert_eq!(prefix_of(Ipv4Addr::new(255, 255, 255, 0)), Some(24));
        assert_eq!(prefix_of(Ipv4Addr::new(255, 255, 255, 255)), Some(32));
        assert_eq!(prefix_of(Ipv4Addr::UNSPECIFIED), Some(0));
        assert_eq!(prefix_of(Ipv4Addr::new(255, 0, 255, 0)), None);
        assert_eq!(prefix_of(Ipv4Addr::new(0, 0, 0, 255)), None);
    }
}
