//! TLS in our interpreter (`cargo xtask test --step tls`), as root, in the
//! network namespace `usocket-tls`: a bridge `br0` (the kernel at 192.0.2.1)
//! with `tap0` and `tap1` enslaved.
//!
//! - `tests/micropython/tls_driver.py` (CPython, inside the namespace) makes a
//!   throwaway CA, a wrong CA and a server certificate in `target/tls/`, and
//!   runs `tests/micropython/tls.py` on a TAP board (192.0.2.2 on tap0) against
//!   `openssl s_server`, `openssl s_client`, CPython's `ssl` and servers that
//!   answer a handshake with garbage: blocking and asyncio, client and server,
//!   verification with a CA and its failures, no leaked socket.
//! - MicroPython's own TLS tests of `tests/multi_net/` (ssl*, asyncio_tls*,
//!   tls_*) with `run-multitests.py`, ours ↔ ours on tap0 and tap1.
//!
//! Skipped loudly when not root. The namespace goes when the run ends.

use std::path::Path;
use std::sync::LazyLock;

use crate::exec::step;
use crate::verbosity::progress;
use usocket_netns::Netns;

/// The namespace of the run.
static NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-tls"));

/// How long the driver may take in all (it bounds each run of tls.py itself).
const DRIVER_LIMIT: &str = "900";

/// multi_net TLS tests left out, and why.
const LEFT_OUT: [(&str, &str); 6] = [
    // Debian's system mbedtls is 2.28, whose mbedtls_strerror texts ("SSL - A
    // fatal alert message was received from our peer") these tests' expected
    // output does not have: it has the names of MicroPython's bundled mbedtls 3
    // table (lib/mbedtls_errors, which does not compile against 2.28). Stock
    // with the same TLS prints the same texts; our tls.py checks the failures.
    ("asyncio_tls_server_client_cert_required_error", "error text of mbedtls 2.28"),
    ("asyncio_tls_server_client_verify_error", "error text of mbedtls 2.28"),
    ("sslcontext_check_hostname_error", "error text of mbedtls 2.28"),
    ("sslcontext_verify_error", "error text of mbedtls 2.28"),
    ("sslcontext_verify_time_error", "error text of mbedtls 2.28"),
    // DTLS connect()s its UDP socket, which our socket module refuses
    // (EOPNOTSUPP: no connected UDP sockets yet); the kernel's allows it.
    ("tls_dtls_server_client", "connect() on a UDP socket raises EOPNOTSUPP on ours"),
];

/// Builds our interpreter and runs the TLS tests with it.
pub fn run() -> Result<(), String> {
    if usocket_netns::skip_unless_root("tls", "its network namespace and TAP devices") {
        return Ok(());
    }
    let exe = crate::lab::micropython::build(None)?;
    run_with(&exe, true)
}

/// Runs the driver with interpreter `exe`, and MicroPython's multi_net TLS tests when `multinet`.
pub fn run_with(exe: &Path, multinet: bool) -> Result<(), String> {
    if usocket_netns::skip_unless_root("tls", "its network namespace and TAP devices") {
        return Ok(());
    }
    if crate::exec::captured(std::process::Command::new("openssl").arg("version")).is_err() {
        return Err("openssl is not installed: apt-get install openssl (the TLS tests' peers and certificates)".into());
    }
    let ns = Netns::with_bridge(
        crate::exec::captured,
        NETNS.as_str(),
        crate::suites::multinet::KERNEL_V4,
        None,
        &["tap0", "tap1"],
        crate::suites::multinet::NOWHERE,
    )?;
    let dir = crate::root().join("target/tls");
    let (exe_text, dir_text) = (exe.to_string_lossy(), dir.to_string_lossy());
    let driver = ["netns", "exec", NETNS.as_str(), "timeout", DRIVER_LIMIT, "python3", "tests/micropython/tls_driver.py", &exe_text, &dir_text];
    step("TLS against openssl and CPython", "ip", &driver)?;
    if multinet { multinet_tls(&ns, exe) } else { Ok(()) }
}

/// MicroPython's multi_net TLS tests, ours on tap0 (server) and tap1 (client).
fn multinet_tls(ns: &Netns, exe: &Path) -> Result<(), String> {
    let tests = crate::lab::micropython::source(None)?.join("tests");
    let mut files: Vec<String> = std::fs::read_dir(tests.join("multi_net"))
        .map_err(|e| format!("{}: {e}", tests.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".py") && ["ssl", "asyncio_tls", "tls_"].iter().any(|p| n.starts_with(p)))
        .filter(|n| !LEFT_OUT.iter().any(|(t, _)| n.strip_suffix(".py") == Some(t)))
        .map(|n| format!("multi_net/{n}"))
        .collect();
    files.sort();
    for (test, why) in LEFT_OUT {
        progress!("==> multi_net TLS: left out {test}: {why}");
    }
    let board = |tap: &str, ip: &str, mac: &str| format!("exec:{},USOCKET_BOARD=tap,USOCKET_TAP={tap},USOCKET_IPV4={ip}/24,USOCKET_MAC={mac}", exe.display());
    let (a, b) = (board("tap0", "192.0.2.2", "02:00:00:00:00:02"), board("tap1", "192.0.2.3", "02:00:00:00:00:03"));
    let outcomes = crate::suites::multinet::harness(&ns.name, &tests, exe, [&a, &b], &files)?;
    let bad: Vec<String> = outcomes.iter().filter(|o| o.result == "FAIL").map(|o| o.test.clone()).collect();
    let skipped = outcomes.iter().filter(|o| o.result == "skip").count();
    progress!("==> multi_net TLS, ours <-> ours: {} passed, {} failed, {skipped} skipped", outcomes.len() - bad.len() - skipped, bad.len());
    if bad.is_empty() { Ok(()) } else { Err(format!("MicroPython's multi_net TLS tests failed: {}", bad.join(", "))) }
}
