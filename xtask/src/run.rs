//! `cargo xtask run SCRIPT [ARGS...]`: builds our MicroPython if needed and
//! runs a script with it (on the loopback board unless the environment
//! chooses another: see the README's board variables).

use std::process::Command;

/// Runs the script; fails with the interpreter's exit status.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(script) = args.first() else {
        return Err("usage: cargo xtask run SCRIPT [ARGS...]".into());
    };
    let exe = crate::micropython::build(None)?;
    println!("==> {} {}", exe.display(), args.join(" "));
    let status = Command::new(&exe).args(args).status().map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if status.success() { Ok(()) } else { Err(format!("{script} failed ({status})")) }
}
