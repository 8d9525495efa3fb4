//! Our MicroPython (the unix port with the generated glue): its own tests,
//! ours, the conformance scripts, on each release we build, and under sanitizers.

use std::path::Path;

use crate::exec::step;

/// The generated glue in a real MicroPython (unix port from Debian's source).
pub fn run() -> Result<(), String> {
    let exe = crate::lab::micropython::build(None)?;
    let exe = exe.to_string_lossy().into_owned();
    step("MicroPython glue", &exe, &["tests/micropython/glue_smoke.py"])?;
    // Our select module: MicroPython's API, one wait for our sockets, OS fds and timers.
    step("MicroPython select", &exe, &["tests/micropython/select_wait.py"])?;
    // _thread: threads blocked in accept and recv beside echoing ones; a close wakes a blocked one with EBADF.
    step("MicroPython threads", &exe, &["tests/micropython/thread_echo.py"])?;
    // The fd table fills to ENOMEM and empties; 10,000 cycles leak neither fds nor heap.
    step("MicroPython churn", &exe, &["tests/micropython/churn.py"])?;
    // Bad input from the spec's signatures: exceptions, never a crash or a hang.
    step("MicroPython bad input", &exe, &["generated/hardening/bad_input.py"])?;
    // SIGINT from a parent ends each blocking call with KeyboardInterrupt
    // within 100 ms, and the socket still works afterwards.
    step("MicroPython Ctrl-C", "python3", &["tests/micropython/ctrl_c_driver.py", &exe])?;
    for example in EXAMPLES {
        step("example", &exe, &[example])?;
    }
    // The fault layer chosen by the environment: the echo example over a lossy,
    // duplicating, reordering, corrupting loopback link.
    step("example on a faulty link", "env", &["USOCKET_FAULTS=loss=10%,dup=5%,reorder=5%,corrupt=1%,seed=3", &exe, "examples/echo.py"])?;
    crate::suites::mptests::run(Path::new(&exe), crate::lab::micropython::DEFAULT)?;
    // The spec's behaviour cases: must pass on ours; stock and CPython differences are listed.
    crate::suites::conformance::run(crate::suites::conformance::Which::Matrix)?;
    // As root: tests/multi_net/ in a network namespace, ours on TAP against CPython and against itself.
    crate::suites::multinet::run()?;
    // As root: a DHCP lease from dnsmasq on a TAP link, applied and renewed; static <-> DHCP with ifconfig().
    crate::suites::dhcp::run(Path::new(&exe))?;
    // As root: on a TAP board against the kernel, sockets left open at exit, first connect, loopback, 220 clients.
    crate::suites::tapboard::run(Path::new(&exe))
}

/// Our interpreter built from another MicroPython release (`cargo xtask
/// micropython --version NAME`): the glue smoke test, the conformance scripts
/// (on it alone, as the column `column`: every case must pass), that
/// release's own socket tests and (as root) the TLS driver's tests.
pub fn release(name: &str, column: &'static str) -> Result<(), String> {
    let version = crate::lab::micropython::version(name)?;
    let exe = crate::lab::micropython::build_version(version, None)?;
    let exe_text = exe.to_string_lossy().into_owned();
    step(&format!("MicroPython {name} glue"), &exe_text, &["tests/micropython/glue_smoke.py"])?;
    step(&format!("MicroPython {name} select"), &exe_text, &["tests/micropython/select_wait.py"])?;
    crate::suites::conformance::run_on(column, &exe)?;
    crate::suites::mptests::run(&exe, version)?;
    crate::suites::tls::run_with(&exe, false)
}

/// Our interpreter again, built with AddressSanitizer and UndefinedBehaviorSanitizer
/// (`cargo xtask micropython --sanitize`): the glue smoke test, churn, bad
/// input, the conformance scripts, MicroPython's socket tests and (as root)
/// the TLS driver's tests run clean (a sanitizer report aborts the
/// interpreter, which fails the step).
pub fn sanitized() -> Result<(), String> {
    let exe = crate::lab::micropython::build_sanitized(None)?;
    let exe_text = exe.to_string_lossy().into_owned();
    let mut scripts: Vec<String> = [
        "tests/micropython/glue_smoke.py",
        "tests/micropython/select_wait.py",
        "tests/micropython/thread_echo.py",
        "tests/micropython/churn.py",
        "generated/hardening/bad_input.py",
    ]
    .map(String::from)
    .to_vec();
    scripts.extend(crate::suites::conformance::scripts(&crate::root())?.iter().map(|p| p.to_string_lossy().into_owned()));
    for script in &scripts {
        step("sanitized MicroPython", &exe_text, &[script])?;
    }
    crate::suites::mptests::run(&exe, crate::lab::micropython::DEFAULT)?;
    crate::suites::tls::run_with(&exe, false)
}

/// The README's examples: they must keep working.
const EXAMPLES: [&str; 2] = ["examples/echo.py", "examples/http_get.py"];
