//! DHCPv4 (the `dhcpv4` feature): the client's lease becomes the interface's
//! IPv4 address, default route and DNS servers (through [`Stack::set_ipv4`]);
//! a lost lease removes them again. smoltcp's client renews (T1) and rebinds
//! (T2) by itself. A board file's IPv4 mode `dhcp` runs the client from start;
//! with `dhcp = true` beside a static address `ifconfig('dhcp')` starts it and
//! waits for the lease, as MicroPython's lwIP ports do, and until the lease
//! comes the static configuration stays. A static `ifconfig()` stops it.

use smoltcp::iface::SocketHandle;
use smoltcp::socket::dhcpv4;
use smoltcp::time::Duration;

use crate::Errno;
use crate::board::Board;
use crate::config::DhcpClient;
use crate::netif::Ipv4Config;
use crate::pool::{Entry, PoolKind, Role};
use crate::stack::Stack;

/// How long `ifconfig('dhcp')` waits for a lease, in ms: MicroPython's lwIP
/// ports wait 10 s (`extmod/network_lwip.c`).
const LEASE_WAIT_MS: u32 = 10_000;

/// How long the client waits for an offer before it asks again. smoltcp's
/// default, 10 s, would give the 10 s wait one DISCOVER: one lost frame, or a
/// server a moment late, and the wait would fail.
const DISCOVER_RETRY: Duration = Duration::from_secs(2);

/// The running client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client {
    handle: SocketHandle,
    /// The interface has the client's lease (no longer the static configuration).
    leased: bool,
}

impl<B: Board> Stack<'_, B> {
    /// The stack with its DHCP client running, when the config runs it from start.
    pub(crate) fn with_dhcp(mut self) -> Self {
        if self.config.dhcp_v4 == DhcpClient::FromStart {
            self.dhcp_start();
        }
        self
    }

    /// Starts the client (its socket, the pool's last, joins the socket set).
    fn dhcp_start(&mut self) {
        let mut socket = dhcpv4::Socket::new();
        let mut retry = dhcpv4::RetryConfig::default();
        retry.discover_timeout = DISCOVER_RETRY;
        socket.set_retry_config(retry);
        let handle = self.sockets.add(socket);
        let last = self.pool.len() - 1;
        self.pool[last] = Entry { kind: PoolKind::Dhcp, handle: Some(handle), role: Role::Fd(-1), ..Entry::EMPTY };
        self.dhcp = Some(Client { handle, leased: false });
    }

    /// Stops the client, if it runs (its lease stays in effect until the
    /// caller's configuration replaces it).
    pub(crate) fn dhcp_stop(&mut self) {
        if let Some(client) = self.dhcp.take() {
            self.sockets.remove(client.handle);
            let last = self.pool.len() - 1;
            self.pool[last] = Entry::EMPTY;
        }
    }

    /// `ifconfig('dhcp')`: starts the client, or starts its discovery again
    /// when it runs without a lease (lwIP's `dhcp_stop` and `dhcp_start`), and
    /// waits for the lease: at once with one, ETIMEDOUT after [`LEASE_WAIT_MS`]
    /// (the client goes on), EOPNOTSUPP on a board without a client; `wait`
    /// false returns at once (ipconfig(dhcp4=True)).
    pub(crate) fn dhcp_request(&mut self, wait: bool) -> Result<(), Errno> {
        if !self.config.dhcp_v4.exists() {
            return Err(Errno::EOPNOTSUPP);
        }
        match self.dhcp {
            None => self.dhcp_start(),
            Some(Client { leased: true, .. }) => return Ok(()),
            Some(Client { handle, leased: false }) => self.sockets.get_mut::<dhcpv4::Socket>(handle).reset(),
        }
        if !wait {
            return Ok(());
        }
        self.block(Some(LEASE_WAIT_MS), |s| (s.dhcp_lease() == Some(true)).then_some(Ok(())))
    }

    /// Whether the client runs (Some) and has its lease (true).
    pub(crate) fn dhcp_lease(&self) -> Option<bool> {
        self.dhcp.map(|c| c.leased)
    }

    /// Applies the client's news, if it has any.
    pub(crate) fn dhcp_update(&mut self) {
        let Some(client) = self.dhcp else { return };
        let lease = match self.sockets.get_mut::<dhcpv4::Socket>(client.handle).poll() {
            None => return,
            Some(dhcpv4::Event::Configured(c)) => {
                let mut dns = [None; 2];
                for (slot, server) in dns.iter_mut().zip(c.dns_servers.iter()) {
                    *slot = Some(*server);
                }
                Some(Ipv4Config { address: Some(c.address), router: c.router, dns })
            }
            // A client that has had no lease leaves the static configuration alone
            // (a new client reports Deconfigured first).
            Some(dhcpv4::Event::Deconfigured) if !client.leased => return,
            Some(dhcpv4::Event::Deconfigured) => None,
        };
        self.dhcp = Some(Client { leased: lease.is_some(), ..client });
        self.set_ipv4(&lease.unwrap_or(Ipv4Config { address: None, router: None, dns: [None; 2] }));
    }
}
