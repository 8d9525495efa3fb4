//! The spec's API on a stack: checks the fd and routes each operation to the
//! TCP, datagram, stream or resolver code.

use crate::board::Board;
#[cfg(feature = "multicast")]
use crate::constants::{IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IPPROTO_IP, IPPROTO_IPV6};
use crate::constants::{
    IPPROTO_TCP, POLL_ERR, POLL_HUP, POLL_NVAL, POLL_RD, POLL_WR, SO_BROADCAST, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_REUSEADDR, SO_SNDBUF, SOL_SOCKET,
    TCP_NODELAY,
};
use crate::generated::api::SocketApi;
use crate::leaves::addr;
use crate::leaves::resolve::{Host, fill, prepare};
use crate::owners::phase::Phase;
use crate::owners::table::{Kind, Protocol, Slot};
use crate::stack::Stack;
use crate::{Addr, Addrinfo, Errno, Fd, GaiError, Ifconfig, IfconfigSet};

/// An option value as an int: a native-endian i32 (what the C glue passes for an int).
fn int_value(value: &[u8]) -> Result<i32, Errno> {
    match value.len() {
        4 => Ok(i32::from_ne_bytes([value[0], value[1], value[2], value[3]])),
        1 => Ok(i32::from(value[0])),
        _ => Err(Errno::EINVAL),
    }
}

/// SO_LINGER's `struct linger`: two native-endian i32s, on/off and seconds.
fn linger_value(value: &[u8]) -> Result<(bool, i32), Errno> {
    if value.len() != 8 {
        return Err(Errno::EINVAL);
    }
    Ok((int_value(&value[..4])? != 0, int_value(&value[4..])?))
}

impl<B: Board> Stack<'_, B> {
    /// The slot of an open fd (after driving the stack, so its state is fresh).
    fn slot(&self, fd: Fd) -> Result<Slot, Errno> {
        self.fds.get(fd).copied()
    }
}

impl<B: Board> SocketApi for Stack<'_, B> {
    fn socket(&mut self, af: i32, ty: i32, proto: i32) -> Result<Fd, Errno> {
        let protocol = Protocol::of(af, ty, proto)?;
        let fd = self.fds.vacant()?;
        let kind = match protocol {
            Protocol::Tcp => Kind::Stream(Phase::Idle { entry: self.tcp_open(fd)? }),
            Protocol::Udp => Kind::Datagram { entry: self.udp_open(fd)? },
            #[cfg(feature = "raw")]
            Protocol::Raw(proto) => Kind::Raw { proto, entry: self.raw_open(fd, af == crate::constants::AF_INET6, proto)? },
        };
        self.fds.insert(Slot::new(af, kind))
    }

    fn getaddrinfo(&mut self, host: Option<&str>, port: i32, af: i32, ty: i32, proto: i32, flags: i32, out: &mut [Addrinfo]) -> Result<usize, GaiError> {
        match prepare(host, port, af, ty, proto, flags)? {
            (request, Host::Ip(ip)) => fill(&request, [ip], out),
            #[cfg(feature = "dns")]
            (request, Host::Name(name)) => self.dns_lookup(&request, name, out),
            // No DNS in this build: as a board without DNS queries.
            #[cfg(not(feature = "dns"))]
            (_, Host::Name(_)) => Err(GaiError::EAI_FAIL),
        }
    }

    fn pump(&mut self) -> Result<(), Errno> {
        Stack::pump(self);
        Ok(())
    }

    fn poll_delay(&mut self) -> Result<Option<u32>, Errno> {
        Ok(self.poll_delay_ms())
    }

    fn getservbyname(&mut self, servicename: Option<&str>, protocolname: Option<&str>) -> Result<usize, Errno> {
        crate::leaves::resolve::service_port(servicename.ok_or(Errno::EINVAL)?, protocolname).map(usize::from)
    }

    fn inet_pton(&mut self, af: i32, ip_string: Option<&str>, out: &mut [u8]) -> Result<usize, Errno> {
        addr::pack(af, ip_string, out)
    }

    fn inet_ntop(&mut self, af: i32, packed_ip: &[u8], out: &mut [u8]) -> Result<usize, Errno> {
        addr::unpack(af, packed_ip, out)
    }

    fn addr_parse(&mut self, host: Option<&str>, port: i32) -> Result<Addr, Errno> {
        addr::parse(host, port)
    }

    fn addr_format(&mut self, address: &Addr, out: &mut [u8]) -> Result<usize, Errno> {
        addr::format(address, out)
    }

    fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        let slot = self.fds.remove(fd)?;
        if self.resume.is_some_and(|r| r.fd() == fd) {
            self.resume = None;
        }
        // Any datagram socket (UDP or raw) may have joined groups.
        #[cfg(feature = "multicast")]
        self.multicast_close(fd);
        match slot.kind {
            Kind::Stream(_) => self.tcp_close(fd, slot),
            Kind::Datagram { entry } => self.udp_close(entry),
            #[cfg(feature = "raw")]
            Kind::Raw { entry, .. } => self.raw_close(entry),
        }
        Ok(())
    }

    fn fileno(&mut self, fd: Fd) -> Result<usize, Errno> {
        self.slot(fd)?;
        usize::try_from(fd).map_err(|_| Errno::EBADF)
    }

    fn close_all(&mut self) -> Result<(), Errno> {
        loop {
            let Some(fd) = self.fds.iter().next().map(|(fd, _)| fd) else { break };
            self.close(fd)?;
        }
        self.finish_lingering()
    }

    fn bind(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_bind(fd, address),
            _ => self.dgram_bind(fd, address),
        }
    }

    fn listen(&mut self, fd: Fd, backlog: i32) -> Result<(), Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_listen(fd, backlog),
            _ => Err(Errno::EOPNOTSUPP),
        }
    }

    fn accept(&mut self, fd: Fd) -> Result<(Fd, Addr), Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_accept(fd),
            _ => Err(Errno::EOPNOTSUPP),
        }
    }

    fn connect(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_connect(fd, address),
            _ => Err(Errno::EOPNOTSUPP),
        }
    }

    fn send(&mut self, fd: Fd, bytes: &[u8]) -> Result<usize, Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_send(fd, bytes),
            _ => Err(Errno::ENOTCONN),
        }
    }

    fn sendall(&mut self, fd: Fd, bytes: &[u8]) -> Result<(), Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_sendall(fd, bytes),
            _ => Err(Errno::ENOTCONN),
        }
    }

    fn recv(&mut self, fd: Fd, out: &mut [u8]) -> Result<usize, Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_recv(fd, out),
            _ => self.dgram_recvfrom(fd, out).map(|(n, _)| n),
        }
    }

    fn sendto(&mut self, fd: Fd, bytes: &[u8], address: &Addr) -> Result<usize, Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => Err(Errno::EISCONN),
            _ => self.dgram_sendto(fd, bytes, address),
        }
    }

    fn recvfrom(&mut self, fd: Fd, out: &mut [u8]) -> Result<(usize, Addr), Errno> {
        let slot = self.slot(fd)?;
        match slot.kind {
            Kind::Stream(_) => {
                let n = self.tcp_recv(fd, out)?;
                let peer = self.tcp_peername(fd).unwrap_or_default();
                Ok((n, peer))
            }
            _ => self.dgram_recvfrom(fd, out),
        }
    }

    fn setsockopt(&mut self, fd: Fd, level: i32, optname: i32, value: &[u8]) -> Result<(), Errno> {
        let slot = self.slot(fd)?;
        let stream = slot.is_stream();
        let options = &mut self.fds.get_mut(fd)?.options;
        match (level, optname) {
            (SOL_SOCKET, SO_REUSEADDR) => options.reuse_addr = int_value(value)? != 0,
            (SOL_SOCKET, SO_BROADCAST) => options.broadcast = int_value(value)? != 0,
            (SOL_SOCKET, SO_KEEPALIVE) => options.keepalive = int_value(value)? != 0,
            // The board file fixes the buffers (no heap): a size is a hint, as Linux takes it within its limits.
            (SOL_SOCKET, SO_SNDBUF | SO_RCVBUF) if int_value(value)? >= 0 => {}
            (SOL_SOCKET, SO_SNDBUF | SO_RCVBUF) => return Err(Errno::EINVAL),
            (SOL_SOCKET, SO_LINGER) => {
                let (on, seconds) = linger_value(value)?;
                options.linger_abort = on && seconds == 0;
            }
            (IPPROTO_TCP, TCP_NODELAY) if stream => options.nodelay = int_value(value)? != 0,
            #[cfg(feature = "multicast")]
            (IPPROTO_IP, IP_MULTICAST_TTL) if !stream => {
                options.multicast_ttl = Some(u8::try_from(int_value(value)?).map_err(|_| Errno::EINVAL)?);
            }
            // Accepted for IPv4 and IPv6 sockets alike; the board does not loop its multicast back to itself.
            #[cfg(feature = "multicast")]
            (IPPROTO_IP, IP_MULTICAST_LOOP) if !stream => {
                int_value(value)?;
            }
            #[cfg(feature = "multicast")]
            (IPPROTO_IP | IPPROTO_IPV6, _) if !stream && self.config.multicast_groups > 0 => {
                let (join, group) = crate::stack::api::multicast::request(slot.family, level, optname, value)?;
                return if join { self.multicast_join(fd, group) } else { self.multicast_leave(fd, group) };
            }
            _ => return Err(Errno::ENOPROTOOPT),
        }
        if stream { self.tcp_apply_options(fd) } else { Ok(()) }
    }

    fn settimeout(&mut self, fd: Fd, value: Option<u32>) -> Result<(), Errno> {
        self.fds.get_mut(fd)?.timeout = value;
        Ok(())
    }

    fn setblocking(&mut self, fd: Fd, flag: bool) -> Result<(), Errno> {
        self.settimeout(fd, if flag { None } else { Some(0) })
    }

    fn read(&mut self, fd: Fd, out: &mut [u8]) -> Result<usize, Errno> {
        self.stream_read(fd, out, false)
    }

    fn readinto(&mut self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        self.stream_read(fd, buf, false)
    }

    fn readline(&mut self, fd: Fd, out: &mut [u8]) -> Result<usize, Errno> {
        self.stream_read(fd, out, true)
    }

    fn write(&mut self, fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
        self.stream_write(fd, buf)
    }

    fn getsockname(&mut self, fd: Fd) -> Result<Addr, Errno> {
        let slot = self.slot(fd)?;
        Ok(match slot.kind {
            Kind::Stream(_) => self.tcp_sockname(&slot),
            _ => self.dgram_sockname(&slot),
        })
    }

    fn getpeername(&mut self, fd: Fd) -> Result<Addr, Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_peername(fd),
            _ => Err(Errno::ENOTCONN),
        }
    }

    fn shutdown(&mut self, fd: Fd, how: i32) -> Result<(), Errno> {
        match self.slot(fd)?.kind {
            Kind::Stream(_) => self.tcp_shutdown(fd, how),
            _ => Err(Errno::ENOTCONN),
        }
    }

    fn gettimeout(&mut self, fd: Fd) -> Result<Option<u32>, Errno> {
        self.timeout_of(fd)
    }

    fn poll(&mut self, fd: Fd, events: i32) -> Result<usize, Errno> {
        self.pump();
        let Ok(slot) = self.slot(fd) else { return Ok(POLL_NVAL as usize) };
        let flags = self.poll_flags(fd, &slot)?;
        let wanted = flags & (events & (POLL_RD | POLL_WR)) | flags & (POLL_ERR | POLL_HUP);
        Ok(wanted as usize)
    }

    fn ifconfig(&mut self, config: Option<&IfconfigSet>) -> Result<Ifconfig, Errno> {
        match config {
            Some(set) => self.net_ifconfig_set(set)?,
            // The stack runs first: a DHCP lease may have come or gone.
            None => self.pump(),
        }
        Ok(self.net_ifconfig())
    }

    fn active(&mut self) -> Result<bool, Errno> {
        Ok(true)
    }

    fn isconnected(&mut self) -> Result<bool, Errno> {
        self.pump();
        Ok(self.net_connected())
    }

    fn status(&mut self) -> Result<usize, Errno> {
        self.pump();
        Ok(self.net_status())
    }

    fn dhcp_state(&mut self) -> Result<usize, Errno> {
        self.pump();
        Ok(self.net_dhcp_state())
    }
}
