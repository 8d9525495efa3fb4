//! Typed sockets over a stack, as `std::net` has them: [`TcpListener`],
//! [`TcpStream`], [`UdpSocket`] (and [`RawSocket`] with the `raw` feature),
//! with `core::net` addresses, `Duration` timeouts and close on drop, so an
//! fd can't be mixed up with a number. Each handle keeps an [`Access`] to
//! its stack: a `RefCell<Stack>` for a single-threaded firmware, a
//! [`Shared`](crate::Shared) stack for threads.
//!
//! Dropping a handle closes its fd; a TCP connection still delivers its
//! queued data and FIN afterwards. A drop cannot return an error, so a
//! failed close (EALREADY from inside a call on a `RefCell` stack, EIO on a
//! poisoned `Shared` one) is lost; each handle's `close(self)` returns it.
//!
//! With the `embedded-io` feature a [`TcpStream`] is an `embedded_io`
//! `Read`/`Write`/`ReadReady`/`WriteReady`; with `embedded-nal`, `Nal`
//! is the stack as `embedded_nal`'s TCP/UDP/DNS stacks.
//!
//! The async versions (`embedded-io-async`, `embedded-nal-async`) are
//! poll-driven: each poll of a future makes one non-blocking attempt (which
//! drives the stack); when it would wait, the future wakes its own waker and
//! returns Pending, so the executor polls it again. The stack has no waker
//! slots a pump could wake, so an executor with nothing else ready spins
//! through the stack (a firmware's may sleep in `Stack::idle` between
//! rounds). The handles' timeouts do not apply there: use the executor's timers.

mod access;
#[cfg(feature = "embedded-io-async")]
mod aio;
#[cfg(feature = "embedded-io")]
mod io;
#[cfg(feature = "embedded-nal")]
mod nal;
#[cfg(feature = "embedded-nal-async")]
mod nal_async;
#[cfg(feature = "raw")]
mod raw;
mod socket;
mod tcp;
mod timeout;
mod udp;

pub use access::Access;
#[cfg(feature = "embedded-nal")]
pub use nal::{DnsError, Nal, NalTcpSocket, NalUdpSocket};
#[cfg(feature = "raw")]
pub use raw::RawSocket;
pub use tcp::{Shutdown, TcpListener, TcpStream};
pub use udp::UdpSocket;
