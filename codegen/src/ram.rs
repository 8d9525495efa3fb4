//! RAM budgets: what a board's stack needs, from its sizes and the per-item
//! costs in `spec/ram.toml` (`[ram]`, bytes of each runtime structure with
//! 64-bit pointers for host boards, checked against `size_of` by
//! `targets/host/tests/ram.rs`, and with 32-bit pointers for c-port boards on
//! their firmware target, checked against the linked statics by `cargo xtask
//! test --step firmware-ram`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use usocket_config::ram::{self, Row};

use crate::boards::Board;
use crate::diag::FileId;
use crate::validate::Checker;

/// `[ram]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRam {
    /// Where the numbers come from.
    pub doc: String,
    /// Costs with 64-bit pointers (host boards).
    pub bits64: Spanned<RawCosts>,
    /// Costs with 32-bit pointers (c-port boards on their firmware target).
    pub bits32: Spanned<RawCosts>,
}

/// One pointer width's costs as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    /// What they were measured on, and how.
    pub doc: String,
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
    /// The stack itself with every runtime feature (see the table's doc for what it includes).
    pub stack: Spanned<i64>,
    /// Without a runtime feature, what each item is smaller by (c-port boards
    /// are built with exactly their features): feature -> item -> bytes.
    #[serde(default)]
    pub without: BTreeMap<String, Spanned<BTreeMap<String, Spanned<i64>>>>,
}

/// Per-item costs in bytes, for both pointer widths.
#[derive(Debug, Clone, Serialize)]
pub struct RamCosts {
    /// Where they come from.
    pub doc: String,
    /// 64-bit pointers.
    pub bits64: Costs,
    /// 32-bit pointers.
    pub bits32: Costs,
}

impl RamCosts {
    /// The costs for `pointer_bits` (32, else 64).
    pub fn for_bits(&self, pointer_bits: u64) -> &Costs {
        if pointer_bits == 32 { &self.bits32 } else { &self.bits64 }
    }
}

/// One pointer width's per-item costs in bytes.
#[derive(Debug, Clone, Serialize)]
pub struct Costs {
    /// What they were measured on.
    pub doc: String,
    /// Pointer width.
    pub pointer_bits: u64,
    /// Bytes of each item, with every runtime feature.
    pub items: usocket_config::ram::Costs,
    /// Without a feature, bytes less per item: feature -> item -> bytes.
    pub without: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Costs {
    /// The item costs of a build with exactly `features` (the table's are with every one).
    pub fn with_features(&self, features: &[&str]) -> usocket_config::ram::Costs {
        let mut items = self.items;
        for (_, less) in self.without.iter().filter(|(f, _)| !features.contains(&f.as_str())) {
            for (name, cost) in items.items_mut() {
                *cost = cost.saturating_sub(less.get(name).copied().unwrap_or(0));
            }
        }
        items
    }
}

/// One cost in bytes: 1..=65536, else an error at its place.
fn cost(ck: &mut Checker, file: FileId, v: &Spanned<i64>) -> usize {
    if !(1..=65536).contains(v.get_ref()) {
        ck.err(file, v.span(), format!("cost {} is out of range", v.get_ref()), "out of range", "1..=65536 bytes");
    }
    usize::try_from(*v.get_ref()).unwrap_or(0)
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
    let file = *file;
    let names = usocket_config::ram::Costs::default().items().map(|(name, _)| name);
    let mut costs = |raw: &Spanned<RawCosts>, pointer_bits: u64| {
        let raw = raw.get_ref();
        let mut without = BTreeMap::new();
        for (feature, items) in &raw.without {
            if !crate::boards::FEATURES.contains(&feature.as_str()) {
                let expected = format!("one of {}", crate::boards::FEATURES.join(", "));
                ck.err(file, items.span(), format!("`{feature}` is not a runtime feature"), "unknown feature", expected);
            }
            let mut less = BTreeMap::new();
            for (item, bytes) in items.get_ref() {
                if !names.contains(&item.as_str()) {
                    ck.err(file, bytes.span(), format!("`{item}` is not a cost of this table"), "unknown item", format!("one of {}", names.join(", ")));
                }
                less.insert(item.clone(), cost(ck, file, bytes));
            }
            without.insert(feature.clone(), less);
        }
        let items = usocket_config::ram::Costs {
            smoltcp_socket: cost(ck, file, &raw.smoltcp_socket),
            parked_socket: cost(ck, file, &raw.parked_socket),
            fd_slot: cost(ck, file, &raw.fd_slot),
            pool_entry: cost(ck, file, &raw.pool_entry),
            binding: cost(ck, file, &raw.binding),
            udp_packet_meta: cost(ck, file, &raw.udp_packet_meta),
            raw_packet_meta: cost(ck, file, &raw.raw_packet_meta),
            dns_query: cost(ck, file, &raw.dns_query),
            stack: cost(ck, file, &raw.stack),
        };
        Costs { doc: raw.doc.trim().to_string(), pointer_bits, items, without }
    };
    let bits64 = costs(&r.bits64, 64);
    let bits32 = costs(&r.bits32, 32);
    Some(RamCosts { doc: r.doc.trim().to_string(), bits64, bits32 })
}

/// A board's RAM: the stack's parts and one TCP socket's share.
#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    /// Every part of the stack's memory.
    pub stack: Vec<Row>,
    /// Their sum.
    pub total: usize,
    /// One TCP socket: its slots, entries and buffers.
    pub per_tcp_socket: usize,
    /// The pointer width of the costs used.
    pub pointer_bits: u64,
}

/// The budget of `board` on its target: the runtime's `Memory` parts in
/// order and the stack ([`usocket_config::ram::stack`]), and on c-port boards
/// the port's frame buffers (one transmit frame; the receive ring's frames, a
/// length word each and two counters, rounded up to a word, as
/// `targets/cport/src/ring.rs` lays it out).
pub fn budget(board: &Board, costs: &RamCosts) -> Budget {
    let pointer_bits = board.pointer_bits();
    let costs = costs.for_bits(pointer_bits);
    // c-port boards are built with exactly their features; host boards with all.
    let items = if board.backend == "c-port" { costs.with_features(&board.features()) } else { costs.items };
    let mut stack = ram::stack(&items, &board.config).to_vec();
    if board.backend == "c-port" {
        let word = pointer_bits as usize / 8;
        let ring = board.rx_frames * (board.frame_bytes() + word) + 2 * word;
        stack.push(Row { part: "transmit frame", bytes: board.frame_bytes() });
        stack.push(Row { part: "receive ring", bytes: ring.div_ceil(word) * word });
    }
    let total = ram::total(&stack);
    let per_tcp_socket = ram::total(&ram::tcp_socket(&items, &board.config));
    Budget { stack, total, per_tcp_socket, pointer_bits }
}
