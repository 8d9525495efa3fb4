//! The RAM a stack needs: each part of the runtime's `Memory` and the stack
//! itself, from a [`Config`] and the bytes of each runtime structure
//! ([`Costs`]). The generator passes the costs written in `spec/ram.toml`
//! (for a board's pointer width), the host boards the `size_of` they measure;
//! both get the same rows from here.

use crate::config::Config;

/// Bytes of each runtime structure a stack holds per item.
///
/// `usocket-host`'s `ram::measured()` gives them for the host (with an
/// example of a whole budget); a generator reads them by name.
///
/// # Examples
///
/// ```
/// use usocket_config::ram::Costs;
///
/// let mut costs = Costs::default();
/// for (name, bytes) in costs.items_mut() {
///     if name == "binding" {
///         *bytes = 24; // as `spec/ram.toml` would say
///     }
/// }
/// assert_eq!(costs.binding, 24);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Costs {
    /// smoltcp `SocketStorage` slot.
    pub smoltcp_socket: usize,
    /// A parked (free) smoltcp socket, out of the set.
    pub parked_socket: usize,
    /// fd table slot, with a place for one parked call (a c-port board's
    /// shared stack has one per fd).
    pub fd_slot: usize,
    /// Socket pool entry.
    pub pool_entry: usize,
    /// Bind-table entry.
    pub binding: usize,
    /// UDP packet metadata.
    pub udp_packet_meta: usize,
    /// Raw packet metadata.
    pub raw_packet_meta: usize,
    /// DNS query slot.
    pub dns_query: usize,
    /// The stack itself (interface and tables), without its board.
    pub stack: usize,
}

impl Costs {
    /// Each cost by its name (as `spec/ram.toml` spells it), to read or set.
    pub fn items_mut(&mut self) -> [(&'static str, &mut usize); 9] {
        [
            ("smoltcp_socket", &mut self.smoltcp_socket),
            ("parked_socket", &mut self.parked_socket),
            ("fd_slot", &mut self.fd_slot),
            ("pool_entry", &mut self.pool_entry),
            ("binding", &mut self.binding),
            ("udp_packet_meta", &mut self.udp_packet_meta),
            ("raw_packet_meta", &mut self.raw_packet_meta),
            ("dns_query", &mut self.dns_query),
            ("stack", &mut self.stack),
        ]
    }

    /// Each cost by its name.
    pub fn items(&self) -> [(&'static str, usize); 9] {
        let mut copy = *self;
        copy.items_mut().map(|(name, bytes)| (name, *bytes))
    }
}

/// One part of a budget.
///
/// # Examples
///
/// ```
/// use usocket_config::ram::{Row, total};
///
/// let rows = [Row { part: "fd table", bytes: 96 }, Row { part: "loop queue", bytes: 3036 }];
/// assert_eq!(total(&rows), 3132);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Row {
    /// What it is.
    pub part: &'static str,
    /// Bytes.
    pub bytes: usize,
}

fn row(part: &'static str, bytes: usize) -> Row {
    Row { part, bytes }
}

/// A whole stack: every part of `Memory` in order, then the stack itself
/// (`usocket-host`'s `ram::measured` has an example with host costs).
pub fn stack(costs: &Costs, c: &Config) -> [Row; 11] {
    let sockets = c.smoltcp_sockets();
    [
        row("socket buffers", c.buffer_bytes()),
        row("smoltcp socket set", sockets.saturating_mul(costs.smoltcp_socket)),
        row("UDP packet metadata", c.udp_sockets.saturating_mul(2).saturating_mul(c.udp_packets).saturating_mul(costs.udp_packet_meta)),
        row("raw packet metadata", c.raw_sockets.saturating_mul(2).saturating_mul(c.raw_packets).saturating_mul(costs.raw_packet_meta)),
        row("DNS queries", c.dns_queries.saturating_mul(costs.dns_query)),
        row("fd table", c.sockets.saturating_mul(costs.fd_slot)),
        row("socket pool", sockets.saturating_mul(costs.pool_entry)),
        row("parking slots", sockets.saturating_mul(costs.parked_socket)),
        row("bind table", c.bindings().saturating_mul(costs.binding)),
        row("loop queue (frames to itself)", c.loopback_bytes),
        row("stack (interface, tables)", costs.stack),
    ]
}

/// One TCP socket's share: its slots and entries (a `tcp::Socket` lives in
/// its set slot while in use and in its parking slot while free, so it is
/// not added) and its buffers (example: `usocket-host`'s `ram::measured`).
pub fn tcp_socket(costs: &Costs, c: &Config) -> [Row; 7] {
    // Config::bindings: one live entry and one in TIME-WAIT per TCP socket.
    let bindings_per_tcp = Config { tcp_sockets: 1, udp_sockets: 0, ..*c }.bindings();
    [
        row("smoltcp socket slot", costs.smoltcp_socket),
        row("parking slot", costs.parked_socket),
        row("fd table slot", costs.fd_slot),
        row("socket pool entry", costs.pool_entry),
        row("bind table entries", bindings_per_tcp.saturating_mul(costs.binding)),
        row("receive buffer", c.tcp_rx_bytes),
        row("transmit buffer", c.tcp_tx_bytes),
    ]
}

/// The sum of `rows` (example: [`Row`]).
pub fn total(rows: &[Row]) -> usize {
    rows.iter().fold(0, |sum, r| sum.saturating_add(r.bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DhcpClient;

    const CONFIG: Config = Config {
        sockets: 4,
        tcp_sockets: 3,
        tcp_rx_bytes: 100,
        tcp_tx_bytes: 200,
        udp_sockets: 1,
        udp_rx_bytes: 10,
        udp_tx_bytes: 20,
        udp_packets: 2,
        raw_sockets: 1,
        raw_bytes: 5,
        raw_packets: 1,
        loopback_bytes: 7,
        dns_queries: 1,
        multicast_groups: 0,
        max_backlog: 1,
        linger_ms: 0,
        connect_timeout_ms: 1,
        dns_timeout_ms: 1,
        tcp_user_timeout_ms: 0,
        ack_delay_ms: 0,
        nagle: true,
        dhcp_v4: DhcpClient::OnRequest,
    };

    #[test]
    fn rows_follow_the_config() {
        let costs = Costs {
            smoltcp_socket: 1,
            parked_socket: 1,
            fd_slot: 1,
            pool_entry: 1,
            binding: 1,
            udp_packet_meta: 1,
            raw_packet_meta: 1,
            dns_query: 1,
            stack: 1,
        };
        assert_eq!(CONFIG.smoltcp_sockets(), 7, "3 TCP, 1 UDP, 1 raw, DNS, DHCP");
        assert_eq!(CONFIG.bindings(), 7);
        assert_eq!(CONFIG.buffer_bytes(), 3 * 300 + 30 + 10);
        assert_eq!(total(&stack(&costs, &CONFIG)), 940 + 7 + 4 + 2 + 1 + 4 + 7 + 7 + 7 + 7 + 1);
        assert_eq!(total(&tcp_socket(&costs, &CONFIG)), 4 + 2 + 300);
    }

    #[test]
    fn sizes_too_large_to_count_saturate() {
        let huge = Config { tcp_sockets: usize::MAX / 2, tcp_rx_bytes: usize::MAX / 2, ..CONFIG };
        assert_eq!(huge.buffer_bytes(), usize::MAX);
        assert_eq!(total(&stack(&Costs { smoltcp_socket: 8, ..Costs::default() }, &huge)), usize::MAX);
    }

    #[test]
    fn costs_are_named_as_spec_ram_toml_names_them() {
        let mut costs = Costs::default();
        for (i, (_, bytes)) in costs.items_mut().into_iter().enumerate() {
            *bytes = i;
        }
        assert_eq!(costs.items()[8], ("stack", 8));
        assert_eq!(costs.fd_slot, 2);
    }
}
