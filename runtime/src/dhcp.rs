//! DHCPv4: what the client learns becomes the interface's IPv4 address, its
//! default route and the DNS servers getaddrinfo() asks; a lost lease removes
//! them again. smoltcp's client renews (T1) and rebinds (T2) by itself.

use smoltcp::socket::dhcpv4;
use smoltcp::wire::{IpAddress, IpCidr, Ipv4Address, Ipv4Cidr};

use crate::board::Board;
use crate::stack::Stack;

/// A lease as the stack applies it.
struct Lease {
    address: Ipv4Cidr,
    router: Option<Ipv4Address>,
    dns: [Option<Ipv4Address>; 2],
}

impl<B: Board> Stack<'_, B> {
    /// Applies the DHCP client's news, if it has any.
    pub(crate) fn dhcp_update(&mut self) {
        let Some(handle) = self.dhcp else { return };
        let lease = match self.sockets.get_mut::<dhcpv4::Socket>(handle).poll() {
            None => return,
            Some(dhcpv4::Event::Configured(c)) => {
                let mut dns = [None; 2];
                for (slot, server) in dns.iter_mut().zip(c.dns_servers.iter()) {
                    *slot = Some(*server);
                }
                Some(Lease { address: c.address, router: c.router, dns })
            }
            Some(dhcpv4::Event::Deconfigured) => None,
        };
        self.iface.update_ip_addrs(|addrs| {
            // 127.0.0.1 stays, after the lease: smoltcp picks the first IPv4
            // address as the source for destinations off every subnet.
            addrs.retain(|a| !matches!(a, IpCidr::Ipv4(c) if !c.address().is_loopback()));
            if let Some(lease) = &lease {
                // Capacity is the interface's compiled-in address count.
                let _ = addrs.insert(0, IpCidr::Ipv4(lease.address));
            }
        });
        // The interface forgot its neighbours: tell it its own addresses again.
        self.prime_at = 0;
        self.iface.routes_mut().remove_default_ipv4_route();
        self.net.gateway_v4 = lease.as_ref().and_then(|l| l.router);
        if let Some(router) = self.net.gateway_v4 {
            let _ = self.iface.routes_mut().add_default_ipv4_route(router);
        }
        // The lease's DNS servers replace the board's IPv4 ones; IPv6 servers stay.
        let mut servers = [None; 2];
        let v6 = self.net.dns_servers.iter().flatten().filter(|s| matches!(s, IpAddress::Ipv6(_))).copied();
        let v4 = lease.iter().flat_map(|l| l.dns.iter().flatten().map(|a| IpAddress::Ipv4(*a)));
        for (slot, server) in servers.iter_mut().zip(v4.chain(v6)) {
            *slot = Some(server);
        }
        self.net.dns_servers = servers;
        self.dns_servers = servers.iter().flatten().count();
        if let Some(dns) = self.dns {
            let mut list = [IpAddress::Ipv4(Ipv4Address::UNSPECIFIED); 2];
            for (slot, server) in list.iter_mut().zip(servers.iter().flatten()) {
                *slot = *server;
            }
            self.sockets.get_mut::<smoltcp::socket::dns::Socket>(dns).update_servers(&list[..self.dns_servers]);
        }
    }
}
