//! DHCPv4 (the `dhcpv4` feature): what the client learns becomes the
//! interface's IPv4 address, its default route and the DNS servers
//! getaddrinfo() asks; a lost lease removes them again. smoltcp's client
//! renews (T1) and rebinds (T2) by itself.

use smoltcp::socket::dhcpv4;
use smoltcp::wire::{IpAddress, IpCidr, Ipv4Address, Ipv4Cidr};

use crate::addr::{v4_cidr, v4_of};
use crate::board::Board;
use crate::pool::{Entry, PoolKind, Role};
use crate::stack::Stack;

/// A lease as the stack applies it.
struct Lease {
    address: Ipv4Cidr,
    router: Option<Ipv4Address>,
    dns: [Option<Ipv4Address>; 2],
}

impl<B: Board> Stack<'_, B> {
    /// The stack with its DHCPv4 client, when the config asks for one (the last socket of the pool).
    pub(crate) fn with_dhcp(mut self) -> Self {
        if self.config.dhcp_v4 {
            let handle = self.sockets.add(dhcpv4::Socket::new());
            let last = self.pool.len() - 1;
            self.pool[last] = Entry { kind: PoolKind::Dhcp, handle: Some(handle), role: Role::Fd(-1), ..Entry::EMPTY };
            self.dhcp = Some(handle);
        }
        self
    }

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
            addrs.retain(|a| !matches!(v4_cidr(*a), Some(c) if !c.address().is_loopback()));
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
        let v6 = self.net.dns_servers.iter().flatten().filter(|s| v4_of(**s).is_none()).copied();
        let v4 = lease.iter().flat_map(|l| l.dns.iter().flatten().map(|a| IpAddress::Ipv4(*a)));
        for (slot, server) in servers.iter_mut().zip(v4.chain(v6)) {
            *slot = Some(server);
        }
        self.net.dns_servers = servers;
        #[cfg(feature = "dns")]
        self.dns_servers_changed();
    }
}
