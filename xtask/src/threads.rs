//! The C ABI from 8 threads at once (`tests/c/threads.c`, built with
//! AddressSanitizer): 200 blocking connect/echo/close cycles each beside a
//! thread blocked in recv and one in accept, which closing their sockets must
//! wake with EBADF. On the host library: the loopback board against its own
//! echo server (threads of the program), and (root, in a namespace of its
//! own; says so when skipped) the TAP board against a kernel echo server and
//! against its own. No call may fail, hang or leak; it prints the cycles per
//! second of 8 threads and of one beside it.

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
    for threads in ["8", "1"] {
        let args = ["USOCKET_BOARD=loopback", "timeout", "120", &exe, "self", "127.0.0.1", "7500", threads];
        step(&format!("C ABI from {threads} thread(s) on the loopback board"), "env", &args)?;
    }
    if usocket_netns::skip_unless_root("the C ABI from 8 threads over TAP", "its network namespace and TAP device") {
        return Ok(());
    }
    let _ns = Netns::with_tap(crate::exec::captured, NETNS, "192.0.2.1/24", None)?;
    let env = ["env", "USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=192.0.2.2/24"];
    for (server, ip) in [("kernel", "192.0.2.1"), ("self", "192.0.2.2")] {
        for threads in ["8", "1"] {
            let args = [&["netns", "exec", NETNS][..], &env, &["timeout", "120", &exe, server, ip, "7500", threads]].concat();
            step(&format!("C ABI from {threads} thread(s) over TAP, echo server: {server}"), "ip", &args)?;
        }
    }
    Ok(())
}
