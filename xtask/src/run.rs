//! `cargo xtask run SCRIPT [ARGS...]`: builds our MicroPython if needed and
//! runs a script with it (on the loopback board unless the environment
//! chooses another: see the README's board variables).

use std::process::Command;
use usocket_harness::verbosity::progress;

/// Runs `script` with `args`; fails with the interpreter's exit status.
pub fn run(script: &str, args: &[String]) -> Result<(), String> {
    let exe = usocket_harness::lab::micropython::build(None)?;
    progress!("==> {} {script} {}", exe.display(), args.join(" "));
    // The script's output is the result, so not held back under -q (as `exec::status` would).
    let status = usocket_harness::exec::spawn(Command::new(&exe).arg(script).args(args))
        .and_then(|mut c| c.wait())
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if status.success() { Ok(()) } else { Err(format!("{script} failed ({status})")) }
}
