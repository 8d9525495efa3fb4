//! TCP handles: [`TcpListener`] and [`TcpStream`].

use core::net::SocketAddr;
use core::time::Duration;

use super::access::Access;
use super::socket::{Socket, family};
use super::timeout::Way;
use crate::constants::{SHUT_RD, SHUT_RDWR, SHUT_WR, SO_REUSEADDR, SOCK_STREAM, SOL_SOCKET};
use crate::generated::api::SocketApi;
use crate::{Addr, Errno, Fd};

/// Which half of a connection [`TcpStream::shutdown`] ends (core has no
/// `std::net::Shutdown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// No more receiving (SHUT_RD).
    Read,
    /// No more sending: the peer reads end of stream (SHUT_WR).
    Write,
    /// Both (SHUT_RDWR).
    Both,
}

/// A TCP server socket: bound, listening, handing out connections.
///
/// ```
/// # use usocket_runtime::net::{TcpListener, TcpStream};
/// # fn demo<A: usocket_runtime::net::Access + Copy>(net: A) -> Result<(), usocket_runtime::Errno> {
/// let listener = TcpListener::bind(net, "127.0.0.1:0".parse().unwrap())?;
/// let client = TcpStream::connect(net, listener.local_addr()?)?;
/// let (server, peer) = listener.accept()?;
/// assert_eq!(peer, client.local_addr()?);
/// # drop(server); Ok(()) }
/// ```
pub struct TcpListener<A: Access> {
    socket: Socket<A>,
}

impl<A: Access> TcpListener<A> {
    /// Listens on `addr` (port 0: an ephemeral port; see [`TcpListener::local_addr`])
    /// with the board's largest backlog (`Config::max_backlog`). SO_REUSEADDR
    /// is set, as std does, so a restarted server gets its port back during TIME-WAIT.
    pub fn bind(net: A, addr: SocketAddr) -> Result<Self, Errno> {
        let socket = Socket::open(net, family(&addr), SOCK_STREAM, 0)?;
        socket.now(|s, fd| s.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &1i32.to_ne_bytes()))?;
        socket.bind(addr)?;
        socket.now(|s, fd| s.listen(fd, i32::MAX))?;
        Ok(TcpListener { socket })
    }

    /// Waits for a connection (within the timeout; EAGAIN when non-blocking
    /// and none is queued); returns it and the peer's address.
    pub fn accept(&self) -> Result<(TcpStream<A>, SocketAddr), Errno>
    where
        A: Clone,
    {
        let (fd, peer): (Fd, Addr) = self.socket.call(Way::Read, |s, fd| s.accept(fd))?;
        let stream = TcpStream { socket: Socket::adopt(self.socket.net().clone(), fd) };
        Ok((stream, SocketAddr::try_from(&peer)?))
    }

    /// Closes it now and says whether that worked (dropping it closes it too,
    /// but a drop cannot return an error).
    pub fn close(self) -> Result<(), Errno> {
        self.socket.close()
    }

    /// The address it listens on (with the port picked for port 0).
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        self.socket.local_addr()
    }

    /// How long [`TcpListener::accept`] waits (None: forever; zero is EINVAL).
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<(), Errno> {
        self.socket.set_timeout(Way::Read, timeout)
    }

    /// Non-blocking: accept returns EAGAIN at once when no connection is queued.
    pub fn set_nonblocking(&self, on: bool) {
        self.socket.set_nonblocking(on);
    }

    /// The socket's fd in the stack, for [`SocketApi`] calls the typed API
    /// does not wrap (e.g. `poll`); it stays owned by this handle.
    pub fn fd(&self) -> Fd {
        self.socket.fd()
    }
}

/// A TCP connection: bytes both ways with timeouts; closed (gracefully:
/// queued data and the FIN still go out) when dropped.
///
/// ```
/// # use usocket_runtime::net::{Shutdown, TcpListener, TcpStream};
/// # use core::time::Duration;
/// # fn demo<A: usocket_runtime::net::Access + Copy>(net: A) -> Result<(), usocket_runtime::Errno> {
/// # let listener = TcpListener::bind(net, "127.0.0.1:0".parse().unwrap())?;
/// let client = TcpStream::connect(net, listener.local_addr()?)?;
/// client.set_read_timeout(Some(Duration::from_secs(2)))?;
/// client.send_all(b"ping")?;
/// client.shutdown(Shutdown::Write)?;
/// # let (server, _) = listener.accept()?;
/// let mut buf = [0; 4];
/// let n = server.recv(&mut buf)?;
/// assert_eq!(&buf[..n], b"ping");
/// # Ok(()) }
/// ```
pub struct TcpStream<A: Access> {
    socket: Socket<A>,
}

impl<A: Access> TcpStream<A> {
    /// Connects to `addr`, blocking until it is established (or refused:
    /// ECONNREFUSED; or the board's connect limit passes: ETIMEDOUT).
    pub fn connect(net: A, addr: SocketAddr) -> Result<Self, Errno> {
        let stream = TcpStream { socket: Socket::open(net, family(&addr), SOCK_STREAM, 0)? };
        stream.connect_addr(addr)?;
        Ok(stream)
    }

    /// Connects to `addr` within `timeout` (ETIMEDOUT after it).
    pub fn connect_timeout(net: A, addr: SocketAddr, timeout: Duration) -> Result<Self, Errno> {
        let stream = TcpStream { socket: Socket::open(net, family(&addr), SOCK_STREAM, 0)? };
        stream.socket.set_timeout(Way::Write, Some(timeout))?;
        stream.connect_addr(addr)?;
        stream.socket.set_timeout(Way::Write, None)?;
        Ok(stream)
    }

    /// A stream over an open socket (the async connect's).
    #[cfg(feature = "embedded-nal-async")]
    pub(super) fn from_socket(socket: Socket<A>) -> Self {
        TcpStream { socket }
    }

    /// The owned socket, for the async traits' attempts.
    #[cfg(feature = "embedded-io-async")]
    pub(super) fn socket(&self) -> &Socket<A> {
        &self.socket
    }

    fn connect_addr(&self, addr: SocketAddr) -> Result<(), Errno> {
        let addr = Addr::from(addr);
        self.socket.call(Way::Write, |s, fd| s.connect(fd, &addr))
    }

    /// Receives what has come, at most `buf.len()` bytes, waiting for at
    /// least one within the read timeout (ETIMEDOUT; EAGAIN when
    /// non-blocking); 0 at end of stream.
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.socket.call(Way::Read, |s, fd| s.recv(fd, buf))
    }

    /// Queues what fits of `buf`, waiting for room for at least one byte
    /// within the write timeout; returns how much was queued.
    pub fn send(&self, buf: &[u8]) -> Result<usize, Errno> {
        self.socket.call(Way::Write, |s, fd| s.send(fd, buf))
    }

    /// Queues all of `buf`; the write timeout applies to the whole call.
    pub fn send_all(&self, buf: &[u8]) -> Result<(), Errno> {
        self.socket.call(Way::Write, |s, fd| s.sendall(fd, buf))
    }

    /// Closes it now and says whether that worked (dropping it closes it too,
    /// but a drop cannot return an error).
    pub fn close(self) -> Result<(), Errno> {
        self.socket.close()
    }

    /// Ends one or both halves: [`Shutdown::Write`] sends the FIN after the queued data.
    pub fn shutdown(&self, how: Shutdown) -> Result<(), Errno> {
        let how = match how {
            Shutdown::Read => SHUT_RD,
            Shutdown::Write => SHUT_WR,
            Shutdown::Both => SHUT_RDWR,
        };
        self.socket.now(|s, fd| s.shutdown(fd, how))
    }

    /// How long a receive waits (None: forever, the default; zero is EINVAL, as std).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<(), Errno> {
        self.socket.set_timeout(Way::Read, timeout)
    }

    /// How long a send (and `send_all` as a whole) waits for room.
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

    /// Non-blocking: calls that would wait return EAGAIN at once (overrides
    /// the timeouts while on, as std's).
    pub fn set_nonblocking(&self, on: bool) {
        self.socket.set_nonblocking(on);
    }

    /// This end's address.
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        self.socket.local_addr()
    }

    /// The peer's address (ENOTCONN once it is gone).
    pub fn peer_addr(&self) -> Result<SocketAddr, Errno> {
        self.socket.peer_addr()
    }

    /// The stack's poll flags for the socket (POLL_RD, POLL_WR as asked in
    /// `events`; POLL_ERR, POLL_HUP always), without waiting.
    pub fn poll(&self, events: i32) -> Result<usize, Errno> {
        self.socket.now(|s, fd| s.poll(fd, events))
    }

    /// The socket's fd in the stack, for [`SocketApi`] calls the typed API
    /// does not wrap (e.g. `setsockopt`); it stays owned by this handle.
    pub fn fd(&self) -> Fd {
        self.socket.fd()
    }
}
