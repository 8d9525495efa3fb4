//! Host boards for the usocket runtime: the in-process loopback (the default,
//! no privileges) and a Linux TAP device, chosen at run time from the
//! environment for the C ABI. As a static library (`libusocket_host.a`) this
//! crate exports the generated C ABI to C programs and MicroPython's unix port.
//!
//! # Quick start
//!
//! A stack on the in-process loopback board, a listener, a client, an echo
//! (`examples/quick_start.rs`, which README.md shows verbatim):
//!

#![doc = concat!("```\n", include_str!("../examples/quick_start.rs"), "```\n\n")]
#![doc = "Threads share a stack as `usocket_runtime::Shared<Stack, platform::HostPlatform>` instead of the `RefCell`; the handles are the same."]
// No panic may reach an `extern "C"` function, and every unsafe block says why it is sound.
#![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::expect_used, clippy::unwrap_used, clippy::panic))]

pub mod abi;
pub mod clock;
pub mod faults;
pub mod host_board;
pub mod loopback;
pub mod platform;
pub mod ram;
mod runner;
pub mod tap;
pub mod wait;

/// The C ABI (`usocket_socket`, ...) on the process's stack ([`AbiBackend`]).
pub mod c_abi {
    usocket_runtime::usocket_c_exports!(crate::AbiBackend);
}

pub use abi::AbiBackend;
pub use host_board::{AnyBoard, ENV_VARS};
pub use usocket_runtime::*;

/// A seed that differs per process start (TCP sequence numbers, first ephemeral port).
///
/// # Examples
///
/// ```
/// use usocket_host::boards::HOST_LOOPBACK;
///
/// let seed = usocket_host::seed();
/// assert_eq!(HOST_LOOPBACK.net(None, seed).random_seed, seed);
/// ```
pub fn seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
}

#[cfg(test)]
mod tests {
    /// A stack on a host board can move to another thread (into a mutex, a
    /// runner), as a Rust program that shares it needs.
    #[test]
    fn a_host_stack_is_send() {
        fn send<T: Send>() {}
        send::<usocket_runtime::Stack<'static, crate::AnyBoard>>();
    }
}
