//! usocket runtime: the BSD socket layer on smoltcp, shared by every target.
//!
//! `#![no_std]`, no heap. The socket API trait, constants, errors, ABI types and
//! the C ABI are generated from the spec (`generated/rust/`); this crate
//! implements the trait.
//!
//! Status: the socket table, timeouts, address conversion, numeric
//! getaddrinfo, the bind table with ephemeral ports, and the clock/wait
//! abstraction are implemented; the smoltcp data path (TCP, UDP, raw, DNS) is
//! the runtime issue's work and its operations return `EOPNOTSUPP` until then.

#![no_std]

#[cfg(feature = "std")]
extern crate std;

#[rustfmt::skip]
#[path = "../../generated/rust/mod.rs"]
pub mod generated;

mod abi;
mod addr;
pub mod ports;
mod resolve;
mod stack;
mod table;
pub mod time;

pub use abi::AbiBackend;
pub use generated::api::SocketApi;
pub use generated::constants;
pub use generated::errno::{Errno, GaiError};
pub use generated::types::{Addr, Addrinfo, Fd};
pub use stack::Stack;
