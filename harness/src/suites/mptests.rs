//! MicroPython's own socket tests (from the same Debian source as the
//! interpreter) with MicroPython's `run-tests.py`: on our unix interpreter, and
//! on firmware through `run-tests.py -t execpty:<qemu command>`.

use std::path::Path;
use std::process::Command;

use usocket_netns::Netns;

use crate::lab::micropython::Version;
use crate::verbosity::progress;

/// `tests/net_hosted/` tests that need only 127.0.0.1 (the others need the internet).
const NET_HOSTED: [&str; 4] = ["accept_nonblock", "accept_timeout", "asyncio_loopback", "asyncio_start_server"];

/// `tests/extmod/` groups that exercise sockets, select and asyncio.
const EXTMOD_PREFIXES: [&str; 3] = ["select_", "socket_", "asyncio_"];

/// The test files, relative to `tests/`.
fn files(tests: &Path) -> Result<Vec<String>, String> {
    let mut files: Vec<String> = NET_HOSTED.iter().map(|t| format!("net_hosted/{t}.py")).collect();
    let extmod = std::fs::read_dir(tests.join("extmod")).map_err(|e| format!("{}: {e}", tests.display()))?;
    let mut extmod: Vec<String> = extmod
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".py") && EXTMOD_PREFIXES.iter().any(|p| n.starts_with(p)))
        .map(|n| format!("extmod/{n}"))
        .collect();
    extmod.sort();
    files.extend(extmod);
    Ok(files)
}

/// Runs the tests of `version`'s source with `exe` (built from it); fails when any fails.
///
/// The tests bind fixed ports on 127.0.0.1 (8000 and up), and run-tests.py
/// makes a test's expected output by running it on CPython, on the kernel's
/// loopback: as root they run in a namespace of their own, so that another
/// run on the machine can never hold those ports (a held port made CPython
/// print SKIP, and our correct output then failed).
pub fn run(exe: &Path, version: &Version) -> Result<(), String> {
    // select_poll_fd expects the fd limit of MicroPython's CI (1024).
    let limit = "ulimit -n 1024 && exec ";
    let jobs = ["-j".to_string(), "2".to_string()];
    if !usocket_netns::is_root() {
        progress!(
            "!!! not root: CPython runs MicroPython's tests for their expected output on this machine's loopback, on fixed ports, shared with whatever else runs here"
        );
        return run_tests(version, &jobs, Some(exe), limit);
    }
    let ns = Netns::create(crate::exec::captured, &usocket_netns::private_name("usocket-mptests"))?;
    ns.ip(&["link", "set", "lo", "up"])?;
    run_tests(version, &jobs, Some(exe), &format!("{limit}ip netns exec {} ", ns.name))
}

/// Runs the tests on a board whose firmware `qemu` boots (a command that prints
/// QEMU's `/dev/pts/N`): one boot, every test through its raw REPL.
pub fn run_on_device(qemu: &str) -> Result<(), String> {
    run_tests(crate::lab::micropython::DEFAULT, &["-t".into(), format!("execpty:{qemu}")], None, "exec ")
}

/// `prefix` is the shell text before `python3 run-tests.py` (it ends in `exec `).
fn run_tests(version: &Version, target: &[String], exe: Option<&Path>, prefix: &str) -> Result<(), String> {
    let src = crate::lab::micropython::source_of(version, None)?;
    let tests = src.join("tests");
    let files = files(&tests)?;
    progress!("==> MicroPython {}'s own tests ({} files): run-tests.py {} in {}", version.name, files.len(), target.join(" "), tests.display());
    let quoted: Vec<String> = target.iter().map(|a| format!("'{}'", a.replace('\'', r"'\''"))).collect();
    let script = format!("{prefix}python3 run-tests.py {} {}", quoted.join(" "), files.join(" "));
    let mut command = Command::new("bash");
    command.args(["-c", &script]).current_dir(&tests);
    if let Some(exe) = exe {
        command.env("MICROPY_MICROPYTHON", exe);
    }
    let status = crate::exec::status(&mut command).map_err(|e| format!("cannot run run-tests.py: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("MicroPython's own tests failed ({status}); see {}/results", tests.display())) }
}
