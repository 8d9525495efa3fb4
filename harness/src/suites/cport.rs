//! The c-port board end to end: `tests/c/cport_tap.c` implements the C frame
//! port over a TAP device and runs TCP, UDP and DNS through the runtime
//! (`libusocket.a` of `targets/cport-staticlib`, built for the host) against the Linux kernel, in a namespace of its own
//! (kernel 192.0.2.1 and 2001:db8::1 on tap0). Then the same library built for
//! the `c-port-threads` board runs `tests/c/threads.c` with
//! `tests/c/port_threads.c` as an RTOS's threading (a mutex, per-thread
//! notifications, a network thread): 8 threads of blocking cycles beside two
//! blocked calls that closes must wake. Needs root; says so when skipped.

use crate::exec::step;
use std::sync::LazyLock;
use usocket_netns::Netns;

/// The namespace of the run.
static NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-cport"));

/// Builds the program; as root, runs it in its namespace.
pub fn run() -> Result<(), String> {
    step("c-port static library", "cargo", &["build", "--release", "-p", "usocket-cport-staticlib"])?;
    let out = crate::root().join("target/c-tests");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let exe = out.join("cport_tap").to_string_lossy().into_owned();
    let build =
        [&crate::cflags::WARNINGS[..], &["-std=c99", "tests/c/cport_tap.c", "target/release/libusocket.a"], &crate::cflags::STATICLIB_LIBS, &["-o", &exe]]
            .concat();
    step("c-port over TAP: build", "gcc", &build)?;
    let threads = build_threads(&out)?;
    if usocket_netns::skip_unless_root("c-port over TAP", "its network namespace and TAP device") {
        return Ok(());
    }
    let _ns = Netns::with_tap(crate::exec::captured, NETNS.as_str(), "192.0.2.1/24", Some("2001:db8::1/64"))?;
    step("c-port over TAP: run", "ip", &["netns", "exec", NETNS.as_str(), "timeout", "120", &exe, "tap0"])?;
    for n in ["8", "1"] {
        let args = ["netns", "exec", NETNS.as_str(), "timeout", "120", &threads, "kernel", "192.0.2.1", "7500", n];
        step(&format!("c-port from {n} thread(s) over TAP"), "ip", &args)?;
    }
    Ok(())
}

/// The c-port library for the `c-port-threads` board (a build tree of its
/// own: the board is chosen at build time) and `tests/c/threads.c` on it,
/// under ASan; returns the program.
fn build_threads(out: &std::path::Path) -> Result<String, String> {
    let tree = "target/cport-threads";
    step(
        "c-port static library for c-port-threads",
        "env",
        &["USOCKET_CPORT_BOARD=c-port-threads", &format!("CARGO_TARGET_DIR={tree}"), "cargo", "build", "--release", "-p", "usocket-cport-staticlib"],
    )?;
    let exe = out.join("cport_threads").to_string_lossy().into_owned();
    let lib = format!("{tree}/release/libusocket.a");
    let sources = ["-std=gnu11", "-fsanitize=address", "-g", "-DTHREADS_PORT", "tests/c/threads.c", "tests/c/port_threads.c", &lib];
    let build = [&crate::cflags::WARNINGS[..], &sources, &crate::cflags::STATICLIB_LIBS, &["-o", &exe]].concat();
    step("c-port from threads: build (ASan)", "gcc", &build)?;
    Ok(exe)
}
