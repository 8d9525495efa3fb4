//! [`Nal`] as `embedded_nal_async`'s TcpConnect and Dns (the
//! `embedded-nal-async` feature): connections are [`TcpStream`]s with the
//! async Read/Write; polls as [the module docs](super) say.

use core::net::{IpAddr, SocketAddr};

use embedded_nal_async::{AddrType, Dns, TcpConnect};

use super::access::Access;
use super::aio::Again;
use super::nal::{DnsError, Nal, lookup};
use super::socket::{Socket, family};
use super::tcp::TcpStream;
use crate::constants::SOCK_STREAM;
use crate::generated::api::SocketApi;
use crate::{Addr, Errno};

/// A connection per call, closed when the stream is dropped (as the trait asks).
impl<A: Access + Clone> TcpConnect for Nal<A> {
    type Error = Errno;
    type Connection<'a>
        = TcpStream<A>
    where
        Self: 'a;

    async fn connect(&self, remote: SocketAddr) -> Result<TcpStream<A>, Errno> {
        let socket = Socket::open(self.access().clone(), family(&remote), SOCK_STREAM, 0)?;
        let addr = Addr::from(remote);
        loop {
            // The pump moves a handshake in progress on (connect itself only reports EALREADY).
            match socket.attempt(|s, fd| s.pump().and_then(|()| s.connect(fd, &addr))) {
                Ok(()) | Err(Errno::EISCONN) => return Ok(TcpStream::from_socket(socket)),
                Err(Errno::EINPROGRESS | Errno::EALREADY | Errno::EAGAIN) => Again::new().await,
                Err(e) => return Err(e),
            }
        }
    }
}

/// getaddrinfo, as the blocking [`Nal`]'s: it waits for the answer (holding
/// the stack, bounded by the board's DNS timeout); reverse lookups are
/// [`DnsError::Unsupported`].
impl<A: Access + Clone> Dns for Nal<A> {
    type Error = DnsError;

    async fn get_host_by_name(&self, host: &str, addr_type: AddrType) -> Result<IpAddr, DnsError> {
        lookup(self.access(), host, addr_type)
    }

    async fn get_host_by_address(&self, _addr: IpAddr, _result: &mut [u8]) -> Result<usize, DnsError> {
        Err(DnsError::Unsupported)
    }
}
