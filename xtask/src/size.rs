//! `cargo xtask size`: RAM per TCP socket and per stack for each board profile
//! (`targets/host/examples/size.rs`), then the firmware's flash and static RAM
//! with and without usocket (`fwsize`).

/// Builds and runs the size report.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask size".into());
    }
    crate::test::step("size", "cargo", &["run", "-q", "--release", "-p", "usocket-host", "--example", "size"])?;
    crate::fwsize::run()
}
