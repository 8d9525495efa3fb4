//! The interface object's view of the stack: `ifconfig()`, `active()`, `isconnected()`, `status()`.

use core::net::Ipv4Addr;

use smoltcp::wire::{IpAddress, IpCidr};

use crate::addr::{from_endpoint, v4_cidr, v4_of};
use crate::board::Board;
use crate::generated::types::Ifconfig;
use crate::stack::Stack;

/// An IPv4 address as an ABI address (port 0).
fn v4(ip: Ipv4Addr) -> crate::Addr {
    from_endpoint(IpAddress::Ipv4(ip), 0)
}

impl<B: Board> Stack<'_, B> {
    /// Is `cidr` the board's own address, not the loopback one every board
    /// gets (a board whose own addresses are loopback ones keeps them)?
    fn board_address(&self, cidr: &IpCidr) -> bool {
        !crate::selflink::is_loopback(cidr.address()) || self.net.addresses.contains(&Some(*cidr))
    }

    /// The first IPv4 address with its netmask, the IPv4 gateway and the first
    /// IPv4 DNS server; 0.0.0.0 for what the board lacks.
    pub(crate) fn net_ifconfig(&self) -> Ifconfig {
        let cidr = self.iface.ip_addrs().iter().filter(|c| self.board_address(c)).find_map(|c| v4_cidr(*c));
        let dns = self.net.dns_servers.iter().flatten().find_map(|s| v4_of(*s));
        Ifconfig {
            ip: v4(cidr.map_or(Ipv4Addr::UNSPECIFIED, |c| c.address())),
            netmask: v4(cidr.map_or(Ipv4Addr::UNSPECIFIED, |c| c.netmask())),
            gateway: v4(self.net.gateway_v4.unwrap_or(Ipv4Addr::UNSPECIFIED)),
            dns: v4(dns.unwrap_or(Ipv4Addr::UNSPECIFIED)),
        }
    }

    /// status(): 3 with an address, 1 while a DHCP lease is awaited, 0 otherwise.
    pub(crate) fn net_status(&self) -> usize {
        match (self.net_connected(), self.config.dhcp_v4) {
            (true, _) => 3,
            (false, true) => 1,
            (false, false) => 0,
        }
    }

    /// Has the interface an address to talk with? With DHCP: an IPv4 lease.
    pub(crate) fn net_connected(&self) -> bool {
        let mut own = self.iface.ip_addrs().iter().filter(|c| self.board_address(c));
        if self.config.dhcp_v4 {
            return own.any(|c| v4_cidr(*c).is_some());
        }
        own.next().is_some()
    }
}
