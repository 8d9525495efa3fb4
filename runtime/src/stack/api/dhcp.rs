//! DHCPv4 (the `dhcpv4` feature): the client's lease becomes the interface's
//! IPv4 address, default route and DNS servers (through [`Stack::set_ipv4`]);
//! a lost lease removes them again. smoltcp's client renews (T1) and rebinds
//! (T2) by itself. A board file's IPv4 mode `dhcp` runs the client from start;
//! with `dhcp = true` beside a static address `ifconfig('dhcp')` starts it and
//! waits for the lease, as MicroPython's lwIP ports do, and until the lease
//! comes the static configuration stays. A static `ifconfig()` stops it.

use smoltcp::socket::dhcpv4;

use crate::Errno;
use crate::board::Board;
use crate::leaves::services::Client;
use crate::stack::Stack;
use crate::stack::api::netif::Ipv4Config;

/// How long `ifconfig('dhcp')` waits for a lease, in ms: MicroPython's lwIP
/// ports wait 10 s (`extmod/network_lwip.c`).
const LEASE_WAIT_MS: u32 = 10_000;

impl<B: Board> Stack<'_, B> {
    /// Stops the client, if it runs (its lease stays in effect until the
    /// caller's configuration replaces it).
    pub(super) fn dhcp_stop(&mut self) {
        if let Some(client) = self.dhcp.take() {
            self.pool.remove_own(client.socket);
        }
    }

    /// `ifconfig('dhcp')`: starts the client, or starts its discovery again
    /// when it runs without a lease (lwIP's `dhcp_stop` and `dhcp_start`), and
    /// waits for the lease: at once with one, ETIMEDOUT after [`LEASE_WAIT_MS`]
    /// (the client goes on), EOPNOTSUPP on a board without a client; `wait`
    /// false returns at once (ipconfig(dhcp4=True)).
    pub(super) fn dhcp_request(&mut self, wait: bool) -> Result<(), Errno> {
        if !self.config.dhcp_v4.exists() {
            return Err(Errno::EOPNOTSUPP);
        }
        match self.dhcp {
            Some(Client { leased: true, .. }) => return Ok(()),
            // A parked request goes on waiting: starting discovery again on
            // each resume would ask the server again every time.
            _ if self.mode.resuming() => {}
            None => self.dhcp = Client::start(&mut self.pool),
            Some(Client { socket: handle, leased: false }) => {
                if let Some(socket) = self.pool.own::<dhcpv4::Socket>(handle) {
                    socket.reset();
                }
            }
        }
        if !wait {
            return Ok(());
        }
        self.block(None, Some(LEASE_WAIT_MS), |s| (s.dhcp_lease() == Some(true)).then_some(Ok(())))
    }

    /// Whether the client runs (Some) and has its lease (true).
    pub(super) fn dhcp_lease(&self) -> Option<bool> {
        self.dhcp.map(|c| c.leased)
    }

    /// Applies the client's news, if it has any.
    pub(in crate::stack) fn dhcp_update(&mut self) {
        let Some(client) = self.dhcp else { return };
        let Some(socket) = self.pool.own::<dhcpv4::Socket>(client.socket) else { return };
        let lease = match socket.poll() {
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
