//! usocket runtime: the BSD socket layer on smoltcp, shared by every target.
//!
//! `#![no_std]` and no heap: a [`Stack`] runs on a [`Board`] (device, clock,
//! wait) with [`Memory`] sized by a [`Config`]. It implements the spec's
//! [`SocketApi`] (generated from `spec/`), which is also the safe Rust API;
//! target crates put the C ABI on top: [`usocket_c_exports!`] (generated)
//! over their [`Backend`], with [`ffi`]'s checks and a [`CallerLock`].
//!
//! What smoltcp leaves to a socket layer lives here: the fd table, a bind
//! table with ephemeral ports, listen backlogs, connect deadlines, graceful
//! close after the fd is gone, blocking with timeouts, and DNS for getaddrinfo.
//!
//! IPv6, DNS, DHCPv4, raw sockets and multicast are cargo features (`ipv6`,
//! `dns`, `dhcpv4`, `raw`, `multicast`; all on by default): a firmware build takes only what its
//! board file needs ([`Features`]). `embedded-io` and `embedded-nal` (off by
//! default) implement the embedded ecosystem's traits on [`net`]'s handles.
//!
//! # Quick start
//!
//! [`net`] has typed sockets over a stack. A firmware's stack: its memory
//! from the board file ([`static_memory!`], in `.bss`), its board (the
//! firmware's [`Board`]: device, clock, wait), one thread (`RefCell`); threads
//! use a [`Shared`] stack instead. The host crate `usocket-host` has the same
//! on its loopback board as a doctest that runs.
//!
//! ```no_run
//! use core::cell::RefCell;
//! use usocket_runtime::net::{TcpListener, TcpStream};
//! use usocket_runtime::{Board, Errno, Stack, boards::C_PORT_MINIMAL, static_memory};
//!
//! fn echo_once(board: impl Board) -> Result<(), Errno> {
//!     let config = C_PORT_MINIMAL.config;
//!     let memory = static_memory!(C_PORT_MINIMAL.config).ok_or(Errno::ENOMEM)?;
//!     let stack = RefCell::new(Stack::new(memory, board, config).map_err(|_| Errno::ENODEV)?);
//!
//!     let listener = TcpListener::bind(&stack, "127.0.0.1:7000".parse().map_err(|_| Errno::EINVAL)?)?;
//!     let client = TcpStream::connect(&stack, listener.local_addr()?)?;
//!     let (server, _peer) = listener.accept()?;
//!
//!     client.send_all(b"hello")?;
//!     let mut buf = [0; 64];
//!     let n = server.recv(&mut buf)?;
//!     server.send_all(&buf[..n])?;
//!     let n = client.recv(&mut buf)?;
//!     assert_eq!(&buf[..n], b"hello");
//!     Ok(())
//! }
//! ```

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Nothing the C ABI calls may panic: no unwrap, expect or panic outside tests,
// and every unsafe block says why it is sound.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::unreachable, clippy::todo))]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "std")]
extern crate std;

#[rustfmt::skip]
#[path = "../generated/mod.rs"]
pub mod generated;

mod board;
/// The stack's sizes and their checks, from `usocket-config` (one writer for
/// the runtime, the generator and the RAM measurements).
mod config {
    pub use usocket_config::{Config, ConfigError, DhcpClient};
}
/// The runtime's optional parts, from `usocket-config` (which this crate's
/// cargo features switch on alike).
mod features {
    pub use usocket_config::{Feature, Features};
}
pub mod ffi;
mod leaves;
pub mod net;
mod owners;
mod stack;
mod threads;

/// The path the generated `boards` module names the board file's types by.
use board::info as board_info;

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use board::HostMemory;
pub use board::StaticMemory;
pub use board::info::{Addressing, BoardInfo};
pub use board::{Board, NetConfig};
pub use board::{Memory, MemoryError};
pub use config::{Config, ConfigError, DhcpClient};
pub use features::{Feature, Features};
pub use ffi::Backend;
pub use generated::api::SocketApi;
pub use generated::boards;
pub use generated::constants;
pub use generated::errno::{Errno, GaiError};
pub use generated::types::{Addr, Addrinfo, Fd, Ifconfig, IfconfigSet};
pub use leaves::time::{BoardTime, Interrupted, earliest};
pub use owners::pool::Entry;
pub use owners::ports::Binding;
pub use owners::table::{FdSlot, Slot};
/// smoltcp, as the runtime uses it (devices, addresses for board code).
pub use smoltcp;
pub use stack::{LoopStats, Stack, StartError};
pub use threads::CallerLock;
pub use threads::park::{Parked, Step, WaitsOn};
pub use threads::shared::{PLACE_BYTES, Parking, Platform, Shared};
