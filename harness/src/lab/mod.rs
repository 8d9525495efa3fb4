//! What the suites run on: our MicroPython interpreters (unix port), the
//! firmware images for the emulated boards, and QEMU booting them.

pub mod firmware;
pub mod micropython;
pub mod qemu;

/// The host library as `cargo build --release -p usocket-host` leaves it: what
/// the C programs of the suites link (and `cargo xtask install` installs).
pub const HOST_LIB: &str = "target/release/libusocket_host.a";
