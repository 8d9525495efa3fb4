//! The stack's own sockets, which no fd owns: the resolver's DNS socket and
//! the DHCPv4 client, what each remembers, and how each starts (in an entry
//! of the pool kept for it).

#[cfg(feature = "dhcpv4")]
use smoltcp::socket::dhcpv4;
#[cfg(feature = "dns")]
use smoltcp::socket::dns;
#[cfg(feature = "dns")]
use smoltcp::wire::{IpAddress, Ipv4Address};

#[cfg(feature = "dns")]
use crate::board::NetConfig;
use crate::owners::pool::{OwnSocket, Pool, PoolKind};

/// The resolver: its DNS socket and how many servers it asks.
#[cfg(feature = "dns")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolver {
    pub(crate) socket: OwnSocket,
    /// How many DNS servers the board (or the DHCP lease) gave.
    pub(crate) servers: usize,
}

#[cfg(feature = "dns")]
impl Resolver {
    /// Starts the resolver on the board's DNS servers with `queries` slots; None when the pool kept no entry for it.
    pub(crate) fn start<'a>(pool: &mut Pool<'a>, net: &NetConfig, queries: &'a mut [Option<dns::DnsQuery>]) -> Option<Resolver> {
        let (servers, n) = server_list(net);
        let socket = pool.add_own(PoolKind::Dns, dns::Socket::new(&servers[..n], queries))?;
        Some(Resolver { socket, servers: n })
    }
}

/// The interface's DNS servers as smoltcp's DNS socket takes them: the first `n` of the list.
#[cfg(feature = "dns")]
pub(crate) fn server_list(net: &NetConfig) -> ([IpAddress; 2], usize) {
    let mut list = [IpAddress::Ipv4(Ipv4Address::UNSPECIFIED); 2];
    let mut n = 0;
    for (slot, server) in list.iter_mut().zip(net.dns_servers.iter().flatten()) {
        *slot = *server;
        n += 1;
    }
    (list, n)
}

/// How long the DHCP client waits for an offer before it asks again. smoltcp's
/// default, 10 s, would give `ifconfig('dhcp')`'s 10 s wait one DISCOVER: one
/// lost frame, or a server a moment late, and the wait would fail.
#[cfg(feature = "dhcpv4")]
const DISCOVER_RETRY: smoltcp::time::Duration = smoltcp::time::Duration::from_secs(2);

/// The running DHCPv4 client.
#[cfg(feature = "dhcpv4")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client {
    pub(crate) socket: OwnSocket,
    /// The interface has the client's lease (no longer the static configuration).
    pub(crate) leased: bool,
}

#[cfg(feature = "dhcpv4")]
impl Client {
    /// Starts a client (without a lease); None when the pool kept no entry for it.
    pub(crate) fn start(pool: &mut Pool<'_>) -> Option<Client> {
        let mut socket = dhcpv4::Socket::new();
        let mut retry = dhcpv4::RetryConfig::default();
        retry.discover_timeout = DISCOVER_RETRY;
        socket.set_retry_config(retry);
        Some(Client { socket: pool.add_own(PoolKind::Dhcp, socket)?, leased: false })
    }
}
