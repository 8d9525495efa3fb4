//! MicroPython's own socket tests (from the same Debian source as the
//! interpreter) against our interpreter, with MicroPython's `run-tests.py`.

use std::path::Path;
use std::process::Command;

/// `tests/net_hosted/` tests that need only 127.0.0.1 (the others need the internet).
const NET_HOSTED: [&str; 4] = ["accept_nonblock", "accept_timeout", "asyncio_loopback", "asyncio_start_server"];

/// `tests/extmod/` groups that exercise sockets, select and asyncio.
const EXTMOD_PREFIXES: [&str; 3] = ["select_", "socket_", "asyncio_"];

/// Runs the tests with `exe`; fails when any fails.
pub fn run(exe: &Path) -> Result<(), String> {
    let src = crate::micropython::source(None)?;
    let tests = src.join("tests");
    let mut files: Vec<String> = NET_HOSTED.iter().map(|t| format!("net_hosted/{t}.py")).collect();
    let extmod = std::fs::read_dir(tests.join("extmod")).map_err(|e| format!("{}: {e}", tests.display()))?;
    let mut extmod: Vec<String> = extmod
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".py") && EXTMOD_PREFIXES.iter().any(|p| n.starts_with(p)))
        .map(|n| format!("extmod/{n}"))
        .collect();
    extmod.sort();
    files.extend(extmod);
    println!("==> MicroPython's own tests ({} files): run-tests.py in {}", files.len(), tests.display());
    // select_poll_fd expects the fd limit of MicroPython's CI (1024).
    let script = format!("ulimit -n 1024 && exec python3 run-tests.py -j 2 {}", files.join(" "));
    let status = Command::new("bash")
        .args(["-c", &script])
        .current_dir(&tests)
        .env("MICROPY_MICROPYTHON", exe)
        .status()
        .map_err(|e| format!("cannot run run-tests.py: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("MicroPython's own tests failed ({status}); see {}/results", tests.display())) }
}
