//! The host library's C ABI from 8 threads at once (`tests/c/threads.c`,
//! built with AddressSanitizer): 200 blocking connect/echo/close cycles each
//! over the TAP board against a kernel echo server, in a namespace of its own
//! (root; says so when skipped). No call may fail, hang or leak; it prints
//! the cycles per second of 8 threads and of one beside it.

use usocket_netns::Netns;

use crate::exec::step;

/// The namespace of the run.
const NETNS: &str = "usocket-threads";

/// Builds and runs the program against `lib` (the host static library).
pub fn run(lib: &str, out: &str) -> Result<(), String> {
    let exe = format!("{out}/threads");
    let build = [
        "-Wall",
        "-Wextra",
        "-Werror",
        "-std=c99",
        "-fsanitize=address",
        "-g",
        "-Igenerated/include",
        "tests/c/threads.c",
        lib,
        "-lpthread",
        "-ldl",
        "-lm",
        "-o",
        &exe,
    ];
    step("C ABI from threads: build (ASan)", "gcc", &build)?;
    if usocket_netns::skip_unless_root("the C ABI from 8 threads over TAP", "its network namespace and TAP device") {
        return Ok(());
    }
    let _ns = Netns::with_tap(crate::exec::captured, NETNS, "192.0.2.1/24", None)?;
    let env = ["env", "USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=192.0.2.2/24"];
    for threads in ["8", "1"] {
        let args = [&["netns", "exec", NETNS][..], &env, &["timeout", "120", &exe, "192.0.2.1", "7500", threads]].concat();
        step(&format!("C ABI from {threads} thread(s) over TAP"), "ip", &args)?;
    }
    Ok(())
}
