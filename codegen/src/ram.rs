//! RAM budgets: what a board's stack needs, from its sizes and the per-item
//! costs in `spec/ram.toml` (`[ram]`, bytes of each runtime structure on a
//! 64-bit host; `targets/host/tests/ram.rs` checks them against `size_of`, and
//! 32-bit microcontrollers need less for the pointer-sized parts).

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::boards::Sizes;
use crate::diag::FileId;
use crate::validate::Checker;

/// `[ram]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRam {
    /// Where the numbers come from.
    pub doc: String,
    /// Pointer width they were measured with.
    pub pointer_bits: Spanned<i64>,
    /// smoltcp `SocketStorage` slot.
    pub smoltcp_socket: Spanned<i64>,
    /// A parked (free) smoltcp socket.
    pub parked_socket: Spanned<i64>,
    /// fd table slot.
    pub fd_slot: Spanned<i64>,
    /// Socket pool entry.
    pub pool_entry: Spanned<i64>,
    /// Bind-table entry.
    pub binding: Spanned<i64>,
    /// UDP packet metadata.
    pub udp_packet_meta: Spanned<i64>,
    /// Raw packet metadata.
    pub raw_packet_meta: Spanned<i64>,
    /// DNS query slot.
    pub dns_query: Spanned<i64>,
    /// The stack itself (smoltcp interface, tables), without its board.
    pub stack: Spanned<i64>,
}

/// Per-item costs in bytes.
#[derive(Debug, Clone, Serialize)]
pub struct RamCosts {
    /// Where they come from.
    pub doc: String,
    /// Pointer width.
    pub pointer_bits: u64,
    /// smoltcp socket slot.
    pub smoltcp_socket: u64,
    /// Parked socket.
    pub parked_socket: u64,
    /// fd slot.
    pub fd_slot: u64,
    /// Pool entry.
    pub pool_entry: u64,
    /// Binding.
    pub binding: u64,
    /// UDP packet metadata.
    pub udp_packet_meta: u64,
    /// Raw packet metadata.
    pub raw_packet_meta: u64,
    /// DNS query.
    pub dns_query: u64,
    /// The stack.
    pub stack: u64,
}

/// Validates `[ram]`: exactly one, every cost 1..=65536 bytes.
pub(crate) fn build_ram(ck: &mut Checker, items: &[(FileId, Spanned<RawRam>)]) -> Option<RamCosts> {
    let Some((file, r)) = items.first() else {
        ck.err(0, 0..0, "the spec has no [ram] table", "missing", "[ram] with the per-item costs (see spec/ram.toml)");
        return None;
    };
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [ram] table", "second definition", "exactly one [ram]");
    }
    let r = r.get_ref();
    let mut get = |v: &Spanned<i64>| {
        if !(1..=65536).contains(v.get_ref()) {
            ck.err(*file, v.span(), format!("cost {} is out of range", v.get_ref()), "out of range", "1..=65536 bytes");
        }
        u64::try_from(*v.get_ref()).unwrap_or(0)
    };
    Some(RamCosts {
        doc: r.doc.trim().to_string(),
        pointer_bits: get(&r.pointer_bits),
        smoltcp_socket: get(&r.smoltcp_socket),
        parked_socket: get(&r.parked_socket),
        fd_slot: get(&r.fd_slot),
        pool_entry: get(&r.pool_entry),
        binding: get(&r.binding),
        udp_packet_meta: get(&r.udp_packet_meta),
        raw_packet_meta: get(&r.raw_packet_meta),
        dns_query: get(&r.dns_query),
        stack: get(&r.stack),
    })
}

/// One line of a budget.
#[derive(Debug, Clone, Serialize)]
pub struct RamRow {
    /// What it is.
    pub part: &'static str,
    /// Bytes.
    pub bytes: u64,
}

/// A board's RAM: the stack's parts and one TCP socket's share.
#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    /// Every part of the stack's memory.
    pub stack: Vec<RamRow>,
    /// Their sum.
    pub total: u64,
    /// One TCP socket: its slots, entries and buffers.
    pub per_tcp_socket: u64,
}

/// The budget of `sizes` with `costs` (the runtime's `Memory` parts, in order).
pub fn budget(sizes: &Sizes, costs: &RamCosts) -> Budget {
    let s = sizes;
    let stack = vec![
        RamRow { part: "socket buffers", bytes: s.buffer_bytes() },
        RamRow { part: "smoltcp socket set", bytes: s.smoltcp_sockets() * costs.smoltcp_socket },
        RamRow { part: "UDP packet metadata", bytes: s.udp_sockets * 2 * s.udp_packets * costs.udp_packet_meta },
        RamRow { part: "raw packet metadata", bytes: s.raw_sockets * 2 * s.raw_packets * costs.raw_packet_meta },
        RamRow { part: "DNS queries", bytes: s.dns_queries * costs.dns_query },
        RamRow { part: "fd table", bytes: s.sockets * costs.fd_slot },
        RamRow { part: "socket pool", bytes: s.smoltcp_sockets() * costs.pool_entry },
        RamRow { part: "parking slots", bytes: s.smoltcp_sockets() * costs.parked_socket },
        RamRow { part: "bind table", bytes: s.bindings() * costs.binding },
        RamRow { part: "loop queue (frames to itself)", bytes: s.loopback_bytes },
        RamRow { part: "stack (interface, tables)", bytes: costs.stack },
    ];
    let total = stack.iter().map(|r| r.bytes).sum();
    let per_tcp_socket =
        costs.smoltcp_socket + costs.parked_socket + costs.fd_slot + costs.pool_entry + 2 * costs.binding + s.tcp_rx_bytes + s.tcp_tx_bytes;
    Budget { stack, total, per_tcp_socket }
}
