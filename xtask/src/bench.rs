//! `cargo xtask bench`: TCP throughput of the runtime against the kernel and
//! bare smoltcp, and over TAP as root (`targets/host/examples/bench.rs`).

/// Builds the benchmark in release mode and runs it; `args` go to it unchanged.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut cargo = vec!["run", "-q", "--release", "-p", "usocket-host", "--example", "bench", "--"];
    cargo.extend(args.iter().map(String::as_str));
    crate::test::step("bench", "cargo", &cargo)
}
