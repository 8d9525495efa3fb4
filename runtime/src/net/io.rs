//! [`TcpStream`] as `embedded_io`'s blocking byte stream (the `embedded-io`
//! feature), and [`Errno`] as its error.
//!
//! embedded-io's traits block (its `ErrorKind` has no WouldBlock): use them
//! on a blocking stream, or ask [`ReadReady`]/[`WriteReady`] first; a
//! non-blocking stream's EAGAIN comes back as `ErrorKind::Other`.

use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};

use super::access::Access;
use super::tcp::TcpStream;
use crate::Errno;
use crate::constants::{POLL_ERR, POLL_HUP, POLL_RD, POLL_WR};

/// The kind of each errno, for code that handles errors by kind.
impl embedded_io::Error for Errno {
    fn kind(&self) -> ErrorKind {
        match *self {
            Errno::ENOENT => ErrorKind::NotFound,
            Errno::EPERM => ErrorKind::PermissionDenied,
            Errno::ECONNREFUSED => ErrorKind::ConnectionRefused,
            Errno::ECONNRESET => ErrorKind::ConnectionReset,
            Errno::ECONNABORTED => ErrorKind::ConnectionAborted,
            Errno::ENOTCONN => ErrorKind::NotConnected,
            Errno::EADDRINUSE => ErrorKind::AddrInUse,
            Errno::EADDRNOTAVAIL => ErrorKind::AddrNotAvailable,
            Errno::EPIPE => ErrorKind::BrokenPipe,
            Errno::EISCONN => ErrorKind::AlreadyExists,
            Errno::EINVAL | Errno::EBADF | Errno::EAFNOSUPPORT | Errno::ENOPROTOOPT => ErrorKind::InvalidInput,
            Errno::EMSGSIZE => ErrorKind::InvalidData,
            Errno::ETIMEDOUT => ErrorKind::TimedOut,
            Errno::EINTR => ErrorKind::Interrupted,
            Errno::EOPNOTSUPP | Errno::EPROTONOSUPPORT => ErrorKind::Unsupported,
            Errno::ENOMEM => ErrorKind::OutOfMemory,
            _ => ErrorKind::Other,
        }
    }
}

impl<A: Access> ErrorType for TcpStream<A> {
    type Error = Errno;
}

/// [`TcpStream::recv`]: at least one byte, waiting within the read timeout; 0 at end of stream.
///
/// ```
/// # #[cfg(feature = "embedded-io")]
/// # fn demo<A: usocket_runtime::net::Access>(mut stream: usocket_runtime::net::TcpStream<A>) -> Result<(), usocket_runtime::Errno> {
/// use embedded_io::{Read, Write};
/// stream.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
/// let mut status = [0; 12];
/// stream.read_exact(&mut status).map_err(|_| usocket_runtime::Errno::EPIPE)?;
/// # Ok(()) }
/// ```
impl<A: Access> Read for TcpStream<A> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.recv(buf)
    }
}

/// [`TcpStream::send`]: at least one byte, waiting for room within the write
/// timeout; `flush` has nothing to do (the stack sends what is queued as the
/// peer's window allows; a close still delivers it).
impl<A: Access> Write for TcpStream<A> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.send(buf)
    }

    fn flush(&mut self) -> Result<(), Errno> {
        Ok(())
    }
}

/// Data (or end of stream, or an error) waits: the next read returns at once.
impl<A: Access> ReadReady for TcpStream<A> {
    fn read_ready(&mut self) -> Result<bool, Errno> {
        Ok(self.poll(POLL_RD)? & (POLL_RD | POLL_HUP | POLL_ERR) as usize != 0)
    }
}

/// Room in the send buffer (or an error): the next write returns at once.
impl<A: Access> WriteReady for TcpStream<A> {
    fn write_ready(&mut self) -> Result<bool, Errno> {
        Ok(self.poll(POLL_WR)? & (POLL_WR | POLL_HUP | POLL_ERR) as usize != 0)
    }
}
