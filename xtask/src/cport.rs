//! The c-port board end to end: `tests/c/cport_tap.c` implements the C frame
//! port over a TAP device and runs TCP, UDP and DNS through the runtime
//! (`libusocket.a` of `targets/cport-staticlib`, built for the host) against the Linux kernel, in a namespace of its own
//! (kernel 192.0.2.1 and 2001:db8::1 on tap0). Needs root; says so when skipped.

use crate::exec::step;
use usocket_netns::Netns;

/// The namespace of the run.
const NETNS: &str = "usocket-cport";

/// Builds the program; as root, runs it in its namespace.
pub fn run() -> Result<(), String> {
    step("c-port static library", "cargo", &["build", "--release", "-p", "usocket-cport-staticlib"])?;
    let out = crate::root().join("target/c-tests");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let exe = out.join("cport_tap").to_string_lossy().into_owned();
    step(
        "c-port over TAP: build",
        "gcc",
        &[
            "-Wall",
            "-Wextra",
            "-Werror",
            "-std=c99",
            "-Igenerated/include",
            "tests/c/cport_tap.c",
            "target/release/libusocket.a",
            "-lpthread",
            "-ldl",
            "-lm",
            "-o",
            &exe,
        ],
    )?;
    if usocket_netns::skip_unless_root("c-port over TAP", "its network namespace and TAP device") {
        return Ok(());
    }
    let _ns = Netns::with_tap(crate::exec::captured, NETNS, "192.0.2.1/24", Some("2001:db8::1/64"))?;
    step("c-port over TAP: run", "ip", &["netns", "exec", NETNS, "timeout", "120", &exe, "tap0"])
}
