//! The stack as `embedded_nal`'s nonblocking TCP, UDP and DNS stacks (the
//! `embedded-nal` feature): [`Nal`] over an [`Access`].
//!
//! Every socket is non-blocking, as embedded-nal asks: a call that would
//! wait is `nb::Error::WouldBlock` (EAGAIN; for connect EINPROGRESS and
//! EALREADY while the handshake runs, then `Ok` once it is established),
//! and each call drives the stack once, so polling a client's loop is what
//! moves its frames. The sockets own their fds: closing one (or dropping
//! it) closes the fd.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use embedded_nal::nb;
use embedded_nal::{AddrType, Dns, TcpClientStack, TcpError, TcpErrorKind, TcpFullStack, UdpClientStack, UdpFullStack};

use super::access::Access;
use super::socket::{Socket, family};
use super::timeout::Way;
use crate::constants::{AF_INET, AF_INET6, AF_UNSPEC, SOCK_DGRAM, SOCK_STREAM};
use crate::generated::api::SocketApi;
use crate::{Addr, Addrinfo, Errno, GaiError};

/// The stack as an embedded-nal network stack; clients (e.g. minimq) take
/// it by value, so keep a reference in it (`Nal::new(&stack)`).
///
/// ```
/// # use usocket_runtime::net::{Access, Nal};
/// use embedded_nal::{TcpClientStack, nb};
/// # fn demo<A: Access + Clone>(net: A, server: core::net::SocketAddr) -> Result<(), usocket_runtime::Errno> {
/// let mut nal = Nal::new(net);
/// let mut socket = nal.socket()?;
/// // A real client does other work between the tries; each try drives the stack.
/// let connected = (0..10_000).any(|_| !matches!(nal.connect(&mut socket, server), Err(nb::Error::WouldBlock)));
/// assert!(connected);
/// nal.close(socket)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Nal<A: Access> {
    net: A,
}

impl<A: Access + Clone> Nal<A> {
    /// The stack behind `net`.
    pub fn new(net: A) -> Self {
        Nal { net }
    }

    /// The stack's access (for the async impls).
    #[cfg(feature = "embedded-nal-async")]
    pub(super) fn access(&self) -> &A {
        &self.net
    }

    /// A non-blocking socket of `af`.
    fn open(&self, af: i32, kind: i32) -> Result<Socket<A>, Errno> {
        let socket = Socket::open(self.net.clone(), af, kind, 0)?;
        socket.set_nonblocking(true);
        Ok(socket)
    }
}

/// An embedded-nal TCP socket of a [`Nal`] stack (IPv4 until connected to an
/// IPv6 address, which makes it IPv6).
pub struct NalTcpSocket<A: Access> {
    socket: Socket<A>,
    v6: bool,
}

/// An embedded-nal UDP socket of a [`Nal`] stack; remembers the peer that
/// `send` sends to (the connected one, else the last `send_to`'s).
pub struct NalUdpSocket<A: Access> {
    socket: Socket<A>,
    v6: bool,
    peer: Option<SocketAddr>,
}

impl<A: Access> NalTcpSocket<A> {
    /// Its own address (a server bound to port 0 learns its port here).
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        self.socket.local_addr()
    }
}

impl<A: Access> NalUdpSocket<A> {
    /// Its own address (ephemeral once it sent or connected).
    pub fn local_addr(&self) -> Result<SocketAddr, Errno> {
        self.socket.local_addr()
    }
}

/// EAGAIN (and a connect's progress) as WouldBlock, the rest as errors.
fn nb_of(e: Errno) -> nb::Error<Errno> {
    match e {
        Errno::EAGAIN | Errno::EINPROGRESS | Errno::EALREADY => nb::Error::WouldBlock,
        e => nb::Error::Other(e),
    }
}

/// PipeClosed for a connection whose direction is gone (EPIPE, also a
/// receive's end of stream; ECONNRESET, ECONNABORTED, ENOTCONN), so that a
/// client reconnects.
impl TcpError for Errno {
    fn kind(&self) -> TcpErrorKind {
        match *self {
            Errno::EPIPE | Errno::ECONNRESET | Errno::ECONNABORTED | Errno::ENOTCONN => TcpErrorKind::PipeClosed,
            _ => TcpErrorKind::Other,
        }
    }
}

/// Makes `socket` a socket of `remote`'s family before it is used (a fresh one, same kind).
fn refamily<A: Access + Clone>(nal: &Nal<A>, socket: &mut Socket<A>, v6: &mut bool, remote: &SocketAddr, kind: i32) -> Result<(), Errno> {
    let want = family(remote) == AF_INET6;
    if want != *v6 {
        *socket = nal.open(family(remote), kind)?;
        *v6 = want;
    }
    Ok(())
}

/// Has the socket no port yet (never bound, sent or connected)?
fn unbound<A: Access>(socket: &Socket<A>) -> bool {
    socket.local_addr().is_ok_and(|a| a.port() == 0)
}

/// The wildcard address of a family with `port`.
fn any(v6: bool, port: u16) -> SocketAddr {
    let ip = if v6 { IpAddr::V6(Ipv6Addr::UNSPECIFIED) } else { IpAddr::V4(Ipv4Addr::UNSPECIFIED) };
    SocketAddr::new(ip, port)
}

impl<A: Access + Clone> TcpClientStack for Nal<A> {
    type TcpSocket = NalTcpSocket<A>;
    type Error = Errno;

    fn socket(&mut self) -> Result<NalTcpSocket<A>, Errno> {
        Ok(NalTcpSocket { socket: self.open(AF_INET, SOCK_STREAM)?, v6: false })
    }

    /// WouldBlock while the handshake runs (call again), `Ok` once established
    /// (also on later calls), ECONNREFUSED or ETIMEDOUT when it failed.
    fn connect(&mut self, socket: &mut NalTcpSocket<A>, remote: SocketAddr) -> nb::Result<(), Errno> {
        // Only a socket that never tried may change family.
        if unbound(&socket.socket) {
            refamily(self, &mut socket.socket, &mut socket.v6, &remote, SOCK_STREAM)?;
        }
        let addr = Addr::from(remote);
        // A connect in progress only reports (EALREADY): the pump first moves the handshake on.
        match socket.socket.call(Way::Write, |s, fd| s.pump().and_then(|()| s.connect(fd, &addr))) {
            Ok(()) | Err(Errno::EISCONN) => Ok(()),
            Err(e) => Err(nb_of(e)),
        }
    }

    fn send(&mut self, socket: &mut NalTcpSocket<A>, buffer: &[u8]) -> nb::Result<usize, Errno> {
        if buffer.is_empty() {
            return Ok(0);
        }
        socket.socket.call(Way::Write, |s, fd| s.send(fd, buffer)).map_err(nb_of)
    }

    /// WouldBlock when nothing has come; at end of stream EPIPE (a
    /// PipeClosed: embedded-nal has no other way to say it), never `Ok(0)`
    /// for a buffer with room.
    fn receive(&mut self, socket: &mut NalTcpSocket<A>, buffer: &mut [u8]) -> nb::Result<usize, Errno> {
        match socket.socket.call(Way::Read, |s, fd| s.recv(fd, buffer)) {
            Ok(0) if !buffer.is_empty() => Err(nb::Error::Other(Errno::EPIPE)),
            Ok(n) => Ok(n),
            Err(e) => Err(nb_of(e)),
        }
    }

    fn close(&mut self, socket: NalTcpSocket<A>) -> Result<(), Errno> {
        drop(socket);
        Ok(())
    }
}

/// Servers: `bind` takes the IPv4 wildcard (or IPv6 for a socket that became
/// IPv6), `listen` the board's largest backlog.
impl<A: Access + Clone> TcpFullStack for Nal<A> {
    fn bind(&mut self, socket: &mut NalTcpSocket<A>, local_port: u16) -> Result<(), Errno> {
        socket.socket.bind(any(socket.v6, local_port))
    }

    fn listen(&mut self, socket: &mut NalTcpSocket<A>) -> Result<(), Errno> {
        socket.socket.now(|s, fd| s.listen(fd, i32::MAX))
    }

    fn accept(&mut self, socket: &mut NalTcpSocket<A>) -> nb::Result<(NalTcpSocket<A>, SocketAddr), Errno> {
        let (fd, peer) = socket.socket.call(Way::Read, |s, fd| s.accept(fd)).map_err(nb_of)?;
        let conn = Socket::adopt(self.net.clone(), fd);
        conn.set_nonblocking(true);
        let peer = SocketAddr::try_from(&peer)?;
        Ok((NalTcpSocket { socket: conn, v6: peer.is_ipv6() }, peer))
    }
}

impl<A: Access + Clone> UdpClientStack for Nal<A> {
    type UdpSocket = NalUdpSocket<A>;
    type Error = Errno;

    fn socket(&mut self) -> Result<NalUdpSocket<A>, Errno> {
        Ok(NalUdpSocket { socket: self.open(AF_INET, SOCK_DGRAM)?, v6: false, peer: None })
    }

    /// Binds an ephemeral port and takes `remote` as the peer of `send`
    /// (the stack has no UDP connect: `receive` still takes any sender's datagram).
    fn connect(&mut self, socket: &mut NalUdpSocket<A>, remote: SocketAddr) -> Result<(), Errno> {
        if unbound(&socket.socket) {
            refamily(self, &mut socket.socket, &mut socket.v6, &remote, SOCK_DGRAM)?;
            socket.socket.bind(any(socket.v6, 0))?;
        }
        socket.peer = Some(remote);
        Ok(())
    }

    /// To the connected peer, or the last `send_to`'s (ENOTCONN: neither).
    fn send(&mut self, socket: &mut NalUdpSocket<A>, buffer: &[u8]) -> nb::Result<(), Errno> {
        let to = Addr::from(socket.peer.ok_or(Errno::ENOTCONN)?);
        socket.socket.call(Way::Write, |s, fd| s.sendto(fd, buffer, &to)).map(drop).map_err(nb_of)
    }

    fn receive(&mut self, socket: &mut NalUdpSocket<A>, buffer: &mut [u8]) -> nb::Result<(usize, SocketAddr), Errno> {
        let (n, from) = socket.socket.call(Way::Read, |s, fd| s.recvfrom(fd, buffer)).map_err(nb_of)?;
        Ok((n, SocketAddr::try_from(&from)?))
    }

    fn close(&mut self, socket: NalUdpSocket<A>) -> Result<(), Errno> {
        drop(socket);
        Ok(())
    }
}

/// `bind` takes the IPv4 wildcard; `send_to` a socket's first datagram to an
/// IPv6 address makes it IPv6 first.
impl<A: Access + Clone> UdpFullStack for Nal<A> {
    fn bind(&mut self, socket: &mut NalUdpSocket<A>, local_port: u16) -> Result<(), Errno> {
        socket.socket.bind(any(socket.v6, local_port))
    }

    fn send_to(&mut self, socket: &mut NalUdpSocket<A>, remote: SocketAddr, buffer: &[u8]) -> nb::Result<(), Errno> {
        if unbound(&socket.socket) {
            refamily(self, &mut socket.socket, &mut socket.v6, &remote, SOCK_DGRAM)?;
        }
        let to = Addr::from(remote);
        socket.socket.call(Way::Write, |s, fd| s.sendto(fd, buffer, &to)).map_err(nb_of)?;
        socket.peer = Some(remote);
        Ok(())
    }
}

/// Why a [`Nal`] lookup failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsError {
    /// getaddrinfo's answer (EAI_NONAME: no such name; EAI_FAIL: a board without DNS).
    Lookup(GaiError),
    /// The stack could not be called (EALREADY from inside a call).
    Stack(Errno),
    /// Reverse lookups (address to name): the stack's resolver has none.
    Unsupported,
}

impl core::fmt::Display for DnsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DnsError::Lookup(e) => write!(f, "lookup failed: {e}"),
            DnsError::Stack(e) => write!(f, "stack unavailable: {e}"),
            DnsError::Unsupported => f.write_str("reverse DNS lookups are not supported"),
        }
    }
}

impl core::error::Error for DnsError {}

/// Names by getaddrinfo (A and AAAA against the board's DNS servers): it
/// waits for the answer (bounded by the board's DNS timeout) and returns
/// it, never WouldBlock. Reverse lookups are [`DnsError::Unsupported`].
impl<A: Access + Clone> Dns for Nal<A> {
    type Error = DnsError;

    fn get_host_by_name(&mut self, hostname: &str, addr_type: AddrType) -> nb::Result<IpAddr, DnsError> {
        Ok(lookup(&self.net, hostname, addr_type)?)
    }

    fn get_host_by_address(&mut self, _addr: IpAddr, _result: &mut [u8]) -> nb::Result<usize, DnsError> {
        Err(nb::Error::Other(DnsError::Unsupported))
    }
}

/// The first address getaddrinfo finds for `host` (the blocking and the async `Dns`).
pub(super) fn lookup<A: Access>(net: &A, host: &str, addr_type: AddrType) -> Result<IpAddr, DnsError> {
    let af = match addr_type {
        AddrType::IPv4 => AF_INET,
        AddrType::IPv6 => AF_INET6,
        AddrType::Either => AF_UNSPEC,
    };
    let mut out = [Addrinfo::default(); 4];
    let found = net.call(|s| Ok(s.getaddrinfo(Some(host), 0, af, SOCK_STREAM, 0, 0, &mut out))).map_err(DnsError::Stack)?.map_err(DnsError::Lookup)?;
    let first = out[..found].first().ok_or(DnsError::Lookup(GaiError::EAI_NONAME))?;
    let addr = SocketAddr::try_from(&first.addr).map_err(DnsError::Stack)?;
    Ok(addr.ip())
}
