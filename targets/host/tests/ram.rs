//! The generator's RAM budgets (from `spec/ram.toml`'s 64-bit per-item costs)
//! must be what the runtime really uses on this 64-bit host, for every host
//! board file. The c-port boards' budgets are for their 32-bit firmware
//! target: `cargo xtask test --step firmware-ram` checks them against the
//! linked library.

use usocket_host::boards::ALL;
use usocket_host::ram::{PER_STACK, total};

#[test]
fn every_host_board_budget_matches_size_of() {
    assert_eq!(usize::BITS, 64, "spec/ram.toml's bits64 costs need a 64-bit host for this check");
    let host: Vec<_> = ALL.iter().filter(|b| b.backend != "c-port").collect();
    assert!(host.len() >= 2, "the host board files: {}", host.len());
    for board in host {
        let measured = total(&PER_STACK, &board.config);
        assert_eq!(
            board.ram_bytes, measured,
            "board {}: the spec's budget is {} B, size_of says {measured} B; update spec/ram.toml's bits64 from `cargo xtask size`",
            board.name, board.ram_bytes
        );
    }
}
