//! The benchmarks (`cargo xtask bench`): timings as ratios against an anchor
//! measured side by side in one run, and instruction counts under QEMU.

pub mod bench;
pub mod emulated_bench;
