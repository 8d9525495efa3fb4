//! `spec/ram.toml`'s 64-bit per-item costs, from which the generator computes
//! the host boards' budgets, must be what the runtime's structures measure
//! with `size_of` on this 64-bit host (both sides then run the same formulas,
//! `usocket_config::ram`). The c-port boards' costs are for their 32-bit
//! firmware target: `cargo xtask test --step firmware-ram` checks them against
//! the linked library.

use std::path::Path;

use usocket_host::ram::measured;

#[test]
fn spec_costs_are_the_measured_size_of() {
    assert_eq!(usize::BITS, 64, "spec/ram.toml's bits64 costs need a 64-bit host for this check");
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec");
    let spec = usocket_codegen::load_spec(&spec_dir, "spec").expect("the spec loads");
    let (spec_costs, measured) = (spec.ram.bits64.items.items(), measured().items());
    let differ: Vec<String> = spec_costs
        .iter()
        .zip(&measured)
        .filter(|(s, m)| s.1 != m.1)
        .map(|((name, written), (_, size))| format!("{name}: spec/ram.toml {written} B, size_of {size} B"))
        .collect();
    assert!(differ.is_empty(), "update spec/ram.toml's bits64 from `cargo xtask size`:\n{}", differ.join("\n"));
}
