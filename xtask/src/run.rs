//! `cargo xtask run SCRIPT [ARGS...]`: builds our MicroPython if needed and
//! runs a script with it (on the loopback board unless the environment
//! chooses another: see the README's board variables).

use std::process::Command;

/// Runs `script` with `args`; fails with the interpreter's exit status.
pub fn run(script: &str, args: &[String]) -> Result<(), String> {
    let exe = crate::micropython::build(None)?;
    println!("==> {} {script} {}", exe.display(), args.join(" "));
    let status = Command::new(&exe).arg(script).args(args).status().map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if status.success() { Ok(()) } else { Err(format!("{script} failed ({status})")) }
}
