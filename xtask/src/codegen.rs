//! `cargo xtask codegen [--check]`.

use std::time::Instant;

pub use usocket_codegen::sync::Mode;
use usocket_codegen::sync::sync;

use usocket_harness::verbosity::progress;

/// Regenerates (`Mode::Write`) or checks (`Mode::Check`) `generated/`, printing each file's state.
pub fn run(mode: Mode) -> Result<(), String> {
    let start = Instant::now();
    let report = sync(&usocket_harness::root(), mode).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    for path in &report.unchanged {
        progress!("unchanged  {path}");
    }
    for s in &report.changed {
        let verb = match mode {
            Mode::Write if s.detail.starts_with("orphaned") => "removed  ",
            Mode::Write => "written  ",
            Mode::Check => "STALE    ",
        };
        let first = s.detail.lines().next().unwrap_or("");
        println!("{verb}  {}  ({first})", s.path);
        if mode == Mode::Check {
            for line in s.detail.lines().skip(1) {
                println!("{line}");
            }
        }
    }
    println!(
        "{} files: {} changed, {} unchanged, in {:.1} ms",
        report.changed.len() + report.unchanged.len(),
        report.changed.len(),
        report.unchanged.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    if mode == Mode::Check && !report.changed.is_empty() {
        return Err("generated/ is stale: run `cargo xtask codegen`".into());
    }
    Ok(())
}
