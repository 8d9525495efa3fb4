//! The raw IP handle: [`RawSocket`] (the `raw` feature).

use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

use super::access::Access;
use super::socket::Socket;
use super::timeout::Way;
use crate::constants::{AF_INET, AF_INET6, SOCK_RAW};
use crate::generated::api::SocketApi;
use crate::{Addr, Errno, Fd};

/// A raw IP socket of one protocol (e.g. ICMP, 1): whole IP payloads of
/// that protocol to and from addresses; closed when dropped.
///
/// ```no_run
/// # use usocket_runtime::net::RawSocket;
/// # fn demo<A: usocket_runtime::net::Access>(net: A) -> Result<(), usocket_runtime::Errno> {
/// let icmp = RawSocket::open(net, false, 1)?;
/// // An echo request: type 8, code 0, checksum, id, seq.
/// icmp.send_to(&[8, 0, 0xf7, 0xff, 0, 0, 0, 0], "192.0.2.1".parse().unwrap())?;
/// # Ok(()) }
/// ```
pub struct RawSocket<A: Access> {
    socket: Socket<A>,
}

impl<A: Access> RawSocket<A> {
    /// A raw socket of IP protocol `protocol`, IPv6 when `v6`.
    pub fn open(net: A, v6: bool, protocol: u8) -> Result<Self, Errno> {
        let af = if v6 { AF_INET6 } else { AF_INET };
        Ok(RawSocket { socket: Socket::open(net, af, SOCK_RAW, i32::from(protocol))? })
    }

    /// Sends one packet's payload to `to`.
    pub fn send_to(&self, buf: &[u8], to: IpAddr) -> Result<usize, Errno> {
        let addr = Addr::from(SocketAddr::new(to, 0));
        self.socket.call(Way::Write, |s, fd| s.sendto(fd, buf, &addr))
    }

    /// Receives one packet (as the stack delivers it) and its sender.
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, IpAddr), Errno> {
        let (n, from) = self.socket.call(Way::Read, |s, fd| s.recvfrom(fd, buf))?;
        Ok((n, SocketAddr::try_from(&from)?.ip()))
    }

    /// Closes it now and says whether that worked (dropping it closes it too,
    /// but a drop cannot return an error).
    pub fn close(self) -> Result<(), Errno> {
        self.socket.close()
    }

    /// How long a receive waits (None: forever; zero is EINVAL).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<(), Errno> {
        self.socket.set_timeout(Way::Read, timeout)
    }

    /// Non-blocking: a receive with nothing queued returns EAGAIN at once.
    pub fn set_nonblocking(&self, on: bool) {
        self.socket.set_nonblocking(on);
    }

    /// The socket's fd in the stack, for [`SocketApi`] calls the typed API
    /// does not wrap; it stays owned by this handle.
    pub fn fd(&self) -> Fd {
        self.socket.fd()
    }
}
