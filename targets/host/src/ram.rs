//! RAM of a stack measured with `size_of` on this host: the same parts, in the
//! same order, as the budgets the generator computes from `spec/ram.toml`
//! (`generated/docs/boards/*.md`). `cargo xtask size` prints them and
//! `tests/ram.rs` checks that both agree.

use std::mem::size_of;

use usocket_runtime::smoltcp::iface::SocketStorage;
use usocket_runtime::smoltcp::socket::{Socket, dns, raw, udp};
use usocket_runtime::{Binding, Config, Entry, Slot, Stack};

use crate::AnyBoard;

/// One part: its label and its bytes for a config.
pub type Row = (&'static str, fn(&Config) -> usize);

/// Bind-table entries per TCP socket ([`Config::bindings`]: one live, one in TIME-WAIT).
const BINDINGS_PER_TCP: usize = 2;

/// RAM per TCP socket; `tcp::Socket` lives inside its `SocketStorage` slot while in use and in
/// its parking slot while free, so it is not added.
pub const PER_TCP: [Row; 7] = [
    ("smoltcp SocketStorage slot", |_| size_of::<SocketStorage<'static>>()),
    ("parking slot (a free socket out of the set)", |_| size_of::<Option<Socket<'static>>>()),
    ("fd table slot, Option<Slot>", |_| size_of::<Option<Slot>>()),
    ("socket pool Entry", |_| size_of::<Entry>()),
    ("bind table, 2 x Option<Binding>", |_| BINDINGS_PER_TCP * size_of::<Option<Binding>>()),
    ("rx buffer", |c| c.tcp_rx_bytes),
    ("tx buffer", |c| c.tcp_tx_bytes),
];

/// RAM of a whole stack: every part of `Memory`, and the stack struct itself.
pub const PER_STACK: [Row; 11] = [
    ("socket buffers, Config::buffer_bytes()", Config::buffer_bytes),
    ("smoltcp socket set", |c| c.smoltcp_sockets() * size_of::<SocketStorage<'static>>()),
    ("UDP packet metadata", |c| c.udp_sockets * 2 * c.udp_packets * size_of::<udp::PacketMetadata>()),
    ("raw packet metadata", |c| c.raw_sockets * 2 * c.raw_packets * size_of::<raw::PacketMetadata>()),
    ("DNS queries", |c| c.dns_queries * size_of::<Option<dns::DnsQuery>>()),
    ("fd table", |c| c.sockets * size_of::<Option<Slot>>()),
    ("socket pool", |c| c.smoltcp_sockets() * size_of::<Entry>()),
    ("parking slots", |c| c.smoltcp_sockets() * size_of::<Option<Socket<'static>>>()),
    ("bind table", |c| c.bindings() * size_of::<Option<Binding>>()),
    ("loop queue, Config::loopback_bytes", |c| c.loopback_bytes),
    ("Stack (smoltcp Interface, tables), without its board", |_| size_of::<Stack<'static, AnyBoard>>() - size_of::<AnyBoard>()),
];

/// The sum of `rows` for `config`.
pub fn total(rows: &[Row], config: &Config) -> usize {
    rows.iter().map(|(_, bytes)| bytes(config)).sum()
}
