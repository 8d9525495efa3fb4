//! The one owned socket under every typed handle: its fd, its stack, its
//! blocking mode; closed when dropped.

use core::net::SocketAddr;
use core::time::Duration;

use super::access::Access;
use super::timeout::{Timeouts, Way};
use crate::generated::api::SocketApi;
use crate::{Addr, Errno, Fd};

/// The fd of a socket [`Socket::close`] closed (no fd is negative).
const CLOSED: Fd = -1;

/// An open socket of a stack; closes its fd when dropped.
pub(super) struct Socket<A: Access> {
    net: A,
    fd: Fd,
    timeouts: Timeouts,
}

impl<A: Access> Socket<A> {
    /// A new socket of the stack (`socket(af, type, proto)`).
    pub(super) fn open(net: A, af: i32, kind: i32, proto: i32) -> Result<Self, Errno> {
        let fd = net.call(|s| s.socket(af, kind, proto))?;
        Ok(Socket { net, fd, timeouts: Timeouts::blocking() })
    }

    /// An fd the stack gave out (accept), now owned here.
    pub(super) fn adopt(net: A, fd: Fd) -> Self {
        Socket { net, fd, timeouts: Timeouts::blocking() }
    }

    /// The stack.
    pub(super) fn net(&self) -> &A {
        &self.net
    }

    /// The fd, for calls the typed API does not wrap (setsockopt, poll).
    pub(super) fn fd(&self) -> Fd {
        self.fd
    }

    /// Runs `call` on the fd with the timeout of `way` in force (set in the
    /// same turn on the stack: another thread's call on the fd cannot come
    /// between; a parked call keeps the deadline of its first try).
    pub(super) fn call<T>(&self, way: Way, mut call: impl FnMut(&mut A::Stack, Fd) -> Result<T, Errno>) -> Result<T, Errno> {
        let (fd, timeout) = (self.fd, self.timeouts.for_way(way));
        self.net.call(|s| {
            s.settimeout(fd, timeout)?;
            call(s, fd)
        })
    }

    /// Runs `call` on the fd without waiting, whatever the handle's mode (an
    /// async operation's attempt: EAGAIN when it would wait).
    #[cfg(feature = "embedded-io-async")]
    pub(super) fn attempt<T>(&self, mut call: impl FnMut(&mut A::Stack, Fd) -> Result<T, Errno>) -> Result<T, Errno> {
        let fd = self.fd;
        self.net.call(|s| {
            s.settimeout(fd, Some(0))?;
            call(s, fd)
        })
    }

    /// Runs `call` on the fd whatever the timeouts (calls that never block).
    pub(super) fn now<T>(&self, mut call: impl FnMut(&mut A::Stack, Fd) -> Result<T, Errno>) -> Result<T, Errno> {
        let fd = self.fd;
        self.net.call(|s| call(s, fd))
    }

    /// Sets one way's timeout.
    pub(super) fn set_timeout(&self, way: Way, timeout: Option<Duration>) -> Result<(), Errno> {
        self.timeouts.set(way, timeout)
    }

    /// One way's timeout.
    pub(super) fn timeout(&self, way: Way) -> Option<Duration> {
        self.timeouts.get(way)
    }

    /// Non-blocking mode on or off.
    pub(super) fn set_nonblocking(&self, on: bool) {
        self.timeouts.set_nonblocking(on);
    }

    /// Closes the fd now, with the close's error (the drop then has nothing to close).
    pub(super) fn close(mut self) -> Result<(), Errno> {
        let fd = core::mem::replace(&mut self.fd, CLOSED);
        self.net.call(|s| s.close(fd))
    }

    /// The socket's own address.
    pub(super) fn local_addr(&self) -> Result<SocketAddr, Errno> {
        self.now(|s, fd| s.getsockname(fd)).and_then(|a| SocketAddr::try_from(&a))
    }

    /// The connected peer's address (ENOTCONN when none).
    pub(super) fn peer_addr(&self) -> Result<SocketAddr, Errno> {
        self.now(|s, fd| s.getpeername(fd)).and_then(|a| SocketAddr::try_from(&a))
    }

    /// Binds to `addr`.
    pub(super) fn bind(&self, addr: SocketAddr) -> Result<(), Errno> {
        let addr = Addr::from(addr);
        self.now(|s, fd| s.bind(fd, &addr))
    }
}

/// Closes the fd. A TCP connection still delivers its queued data and FIN
/// afterwards (the stack's graceful close); a close error cannot be returned
/// from a drop and is dropped too (the fd is gone either way).
impl<A: Access> Drop for Socket<A> {
    fn drop(&mut self) {
        let fd = self.fd;
        if fd >= 0 {
            let _ = self.net.call(|s| s.close(fd));
        }
    }
}

/// The address family of an address, as `socket()` takes it.
pub(super) fn family(addr: &SocketAddr) -> i32 {
    match addr {
        SocketAddr::V4(_) => crate::constants::AF_INET,
        SocketAddr::V6(_) => crate::constants::AF_INET6,
    }
}
