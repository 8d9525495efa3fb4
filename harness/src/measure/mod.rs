//! The benchmarks (`cargo xtask bench`): timings as ratios against an anchor
//! measured side by side in one run, and instruction counts under QEMU; and
//! the firmware's budgets, the figures that repeat exactly.

pub mod bench;
pub mod budgets;
pub mod emulated_bench;
