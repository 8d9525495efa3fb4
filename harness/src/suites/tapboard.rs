//! Our interpreter on a TAP board against the Linux kernel, in a namespace of
//! its own (`tests/kernel/tap_board_driver.py`, which starts a fresh
//! interpreter on `tests/micropython/tap_board.py` per check): sockets left
//! open at exit are closed as close() would (data and FIN, a reset with
//! SO_LINGER (1, 0) or for a listener's queued connection, the linger time for
//! a peer that does not read), a fresh process's first connect is prompt,
//! 127.0.0.1 and ::1 stay off the wire, and an asyncio server holds 220
//! concurrent clients. Needs root; says so when skipped.

use std::path::Path;
use std::sync::LazyLock;

use crate::exec::step;
use usocket_netns::Netns;

/// The namespace of the run.
static NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-exit"));

/// Runs the driver with interpreter `exe` (root only).
pub fn run(exe: &Path) -> Result<(), String> {
    if usocket_netns::skip_unless_root("the TAP board's exit, first connect, loopback and 220 clients", "its network namespace and TAP device") {
        return Ok(());
    }
    let _ns = Netns::with_tap(crate::exec::captured, NETNS.as_str(), "192.0.2.1/24", Some("2001:db8::1/64"))?;
    let exe = exe.to_string_lossy();
    step("MicroPython on a TAP board against the kernel", "ip", &["netns", "exec", NETNS.as_str(), "python3", "tests/kernel/tap_board_driver.py", &exe])
}
