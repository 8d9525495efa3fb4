//! `cargo xtask test`: every test of the project.

use std::process::Command;

/// Runs a command in the repository root; fails on a non-zero exit.
pub fn step(name: &str, program: &str, args: &[&str]) -> Result<(), String> {
    println!("==> {name}: {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(crate::root())
        .status()
        .map_err(|e| format!("{name}: cannot run {program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{name} failed ({status})")) }
}

/// Runs the whole suite.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask test".into());
    }
    crate::codegen::run(&["--check".to_string()])?;
    step("clippy", "cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    step("tests", "cargo", &["test", "--workspace"])?;
    Ok(())
}
