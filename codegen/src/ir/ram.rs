//! RAM budgets: what a board's stack needs, from its config and the per-item
//! costs in `spec/ram.toml` (`[ram]`, bytes of each runtime structure with
//! 64-bit pointers for host boards, checked against `size_of` by
//! `targets/host/tests/ram.rs`, and with 32-bit pointers for c-port boards on
//! their firmware target, checked against the linked statics by `cargo xtask
//! test --step firmware-ram`). The formulas are `usocket_config::ram`'s.

use std::collections::BTreeMap;

use serde::Serialize;
use usocket_config::ram::{self, Row};

use super::board::Board;

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
