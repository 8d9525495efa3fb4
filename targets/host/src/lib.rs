//! Host boards for the usocket runtime: the in-process loopback (the default,
//! no privileges) and a Linux TAP device, chosen at run time from the
//! environment for the C ABI. As a static library (`libusocket_host.a`) this
//! crate exports the generated C ABI to C programs and MicroPython's unix port.

pub mod abi;
pub mod clock;
pub mod faults;
pub mod host_board;
pub mod loopback;
pub mod ram;
pub mod tap;

#[rustfmt::skip]
#[path = "../../../generated/rust/c_abi.rs"]
pub mod c_abi;

pub use abi::AbiBackend;
pub use host_board::{AnyBoard, ENV_VARS};
pub use usocket_runtime::*;

/// A seed that differs per process start (TCP sequence numbers, first ephemeral port).
pub fn seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
}
