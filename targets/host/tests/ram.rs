//! The generator's RAM budgets (from `spec/ram.toml`'s per-item costs) must be
//! what the runtime really uses on this 64-bit host, for every board file.

use usocket_host::boards::ALL;
use usocket_host::ram::{PER_STACK, total};

#[test]
fn every_board_budget_matches_size_of() {
    assert_eq!(usize::BITS, 64, "spec/ram.toml holds 64-bit costs; this check needs a 64-bit host");
    assert!(ALL.len() >= 5, "the board files: {}", ALL.len());
    for board in ALL {
        let measured = total(&PER_STACK, &board.config);
        assert_eq!(
            board.ram_bytes, measured,
            "board {}: the spec's budget is {} B, size_of says {measured} B; update spec/ram.toml from `cargo xtask size`",
            board.name, board.ram_bytes
        );
    }
}
