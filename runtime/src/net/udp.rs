//! The UDP handle: [`UdpSocket`].

use core::net::SocketAddr;
use core::time::Duration;

use super::access::Access;
use super::socket::{Socket, family};
use super::timeout::Way;
use crate::constants::SOCK_DGRAM;
use crate::generated::api::SocketApi;
use crate::{Addr, Errno, Fd};

/// A UDP socket: datagrams to and from any address, or one peer after
/// [`UdpSocket::connect`] (kept by the handle: the stack's sockets, like
/// MicroPython's, have no UDP connect); closed when dropped.
///
/// ```
/// # use usocket_runtime::net::UdpSocket;
/// # fn demo<A: usocket_runtime::net::Access + Copy>(net: A) -> Result<(), usocket_runtime::Errno> {
/// let a = UdpSocket::bind(net, "127.0.0.1:0".parse().unwrap())?;
/// let b = UdpSocket::bind(net, "127.0.0.1:0".parse().unwrap())?;
/// a.send_to(b"hi", b.local_addr()?)?;
/// let mut buf = [0; 8];
/// let (n, from) = b.recv_from(&mut buf)?;
/// assert_eq!((&buf[..n], from), (&b"hi"[..], a.local_addr()?));
/// # Ok(()) }
/// ```
pub struct UdpSocket<A: Access> {
    socket: Socket<A>,
    peer: Option<SocketAddr>,
}

impl<A: Access> UdpSocket<A> {
    /// A socket bound to `addr` (port 0: an ephemeral port).
    pub fn bind(net: A, addr: SocketAddr) -> Result<Self, Errno> {
        let socket = Socket::open(net, family(&addr), SOCK_DGRAM, 0)?;
        socket.bind(addr)?;
        Ok(UdpSocket { socket, peer: None })
    }

    /// Sends one datagram to `addr`; returns its length (EMSGSIZE when it
    /// does not fit the socket's buffer).
    pub fn send_to(&self, buf: &[u8], addr: SocketAddr) -> Result<usize, Errno> {
        let addr = Addr::from(addr);
        self.socket.call(Way::Write, |s, fd| s.sendto(fd, buf, &addr))
    }

    /// Receives one datagram, waiting within the read timeout; the part past
    /// `buf.len()` is discarded (BSD truncation). Returns its length and sender.
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, SocketAddr), Errno> {
        let (n, from) = self.socket.call(Way::Read, |s, fd| s.recvfrom(fd, buf))?;
        Ok((n, SocketAddr::try_from(&from)?))
    }

    /// Makes `addr` the one peer of [`UdpSocket::send`] and
    /// [`UdpSocket::recv`] (no packet goes out; `&mut`: the handle keeps it).
    pub fn connect(&mut self, addr: SocketAddr) -> Result<(), Errno> {
        self.peer = Some(addr);
        Ok(())
    }

    /// Sends one datagram to the connected peer (ENOTCONN without one).
    pub fn send(&self, buf: &[u8]) -> Result<usize, Errno> {
        let peer = self.peer.ok_or(Errno::ENOTCONN)?;
        self.send_to(buf, peer)
    }

    /// Receives one datagram from the connected peer (ENOTCONN without one);
    /// datagrams from other addresses are dropped, as a connected BSD
    /// socket filters them (each one restarts the read timeout).
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        let peer = self.peer.ok_or(Errno::ENOTCONN)?;
        loop {
            let (n, from) = self.recv_from(buf)?;
            if from == peer {
                return Ok(n);
            }
        }
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

    /// How long a send waits for room in the socket's buffer.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> Result<(), Errno> {
        self.socket.set_timeout(Way::Write, timeout)
    }

    /// The read timeout as set.
    pub fn read_timeout(&self) -> Option<Duration> {
        self.socket.timeout(Way::Read)
    }

    /// The write timeout as set.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.socket.timeout(Way::Write)
    }

    /// Non-blocking: a receive with nothing queued returns EAGAIN at once.
    pub fn set_nonblocking(&self, on: bool) {
        self.socket.set_nonblocking(on);
    }

    /// The bound address.
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        self.socket.local_addr()
    }

    /// The connected peer (ENOTCONN when not connected).
    pub fn peer_addr(&self) -> Result<SocketAddr, Errno> {
        self.peer.ok_or(Errno::ENOTCONN)
    }

    /// The socket's fd in the stack, for [`SocketApi`] calls the typed API
    /// does not wrap (e.g. multicast `setsockopt`); it stays owned by this handle.
    pub fn fd(&self) -> Fd {
        self.socket.fd()
    }
}
