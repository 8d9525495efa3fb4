//! Datagram sockets: UDP (bind, auto-bind on sendto, a queue of datagrams,
//! BSD truncation, SO_BROADCAST) and raw IP (protocol from socket(); IPv4
//! receives whole packets, IPv6 payloads, as BSD raw sockets do).

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::socket::udp::{self, SendError};
use smoltcp::wire::{IpAddress, IpListenEndpoint, IpProtocol, Ipv4Packet, Ipv4Repr, Ipv6Packet};

use crate::addr::{endpoint, from_endpoint, unspecified};
use crate::board::Board;
use crate::pool::{self, PoolKind, Role};
use crate::ports::Proto;
use crate::stack::Stack;
use crate::table::{Kind, Slot};
use crate::{Addr, Errno, Fd};

/// Is `ip` a broadcast address on one of the interface's IPv4 networks (or the limited broadcast)?
fn is_broadcast<B: Board>(stack: &Stack<'_, B>, ip: IpAddress) -> bool {
    let IpAddress::Ipv4(v4) = ip else { return false };
    v4.is_broadcast() || stack.addresses().any(|c| matches!(c, smoltcp::wire::IpCidr::Ipv4(n) if n.broadcast() == Some(v4)))
}

impl<B: Board> Stack<'_, B> {
    /// A new datagram socket's pool entry.
    pub(crate) fn dgram_open(&mut self, fd: Fd, slot: &Slot) -> Result<usize, Errno> {
        let kind = if slot.kind == Kind::Datagram { PoolKind::Udp } else { PoolKind::Raw };
        let i = pool::find_free(self.pool, kind).ok_or(Errno::ENOMEM)?;
        match slot.kind {
            Kind::Raw(proto) => {
                self.open_raw(i, slot.is_v6(), proto);
                self.pool[i].role = Role::Fd(fd);
            }
            _ => self.unpark(i, Role::Fd(fd)),
        }
        Ok(i)
    }

    /// close() for datagram sockets: queued datagrams are dropped.
    pub(crate) fn dgram_close(&mut self, slot: &Slot) {
        match slot.kind {
            Kind::Raw(_) => {
                self.close_raw(slot.entry);
                self.pool[slot.entry].role = Role::Free;
            }
            _ => {
                self.udp(slot.entry).close();
                self.ports.release(slot.entry);
                self.park(slot.entry);
            }
        }
    }

    /// bind() for datagram sockets.
    pub(crate) fn dgram_bind(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        let ip = self.local_ip(ip)?;
        if slot.local.1 != 0 || (slot.local.0.is_some() && matches!(slot.kind, Kind::Raw(_))) {
            return Err(Errno::EINVAL);
        }
        if let Kind::Raw(_) = slot.kind {
            self.fds.get_mut(fd)?.local.0 = ip;
            return Ok(());
        }
        self.udp_bind(fd, ip, port)
    }

    fn udp_bind(&mut self, fd: Fd, ip: Option<IpAddress>, port: u16) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let port = self.ports.bind(slot.entry, Proto::Udp, ip.map(Into::into), port, slot.options.reuse_addr)?;
        if self.udp(slot.entry).bind(IpListenEndpoint { addr: ip, port }).is_err() {
            self.ports.release(slot.entry);
            return Err(Errno::EINVAL);
        }
        self.fds.get_mut(fd)?.local = (ip, port);
        Ok(())
    }

    /// sendto(): one datagram; an unbound UDP socket is bound to an ephemeral port first.
    pub(crate) fn dgram_sendto(&mut self, fd: Fd, data: &[u8], address: &Addr) -> Result<usize, Errno> {
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        if is_broadcast(self, ip) && !slot.options.broadcast {
            return Err(Errno::EPERM);
        }
        if let Kind::Raw(proto) = slot.kind {
            return self.raw_sendto(fd, proto, data, ip);
        }
        if port == 0 {
            return Err(Errno::EINVAL);
        }
        if slot.local.1 == 0 {
            self.udp_bind(fd, slot.local.0, 0)?;
        }
        if data.len() > self.config.udp_tx_bytes {
            return Err(Errno::EMSGSIZE);
        }
        let entry = slot.entry;
        self.block(slot.timeout, |stack| {
            let meta = udp::UdpMetadata::from(smoltcp::wire::IpEndpoint::new(ip, port));
            match stack.udp(entry).send_slice(data, meta) {
                Ok(()) => Some(Ok(data.len())),
                Err(SendError::BufferFull) => None,
                Err(SendError::Unaddressable) => Some(Err(Errno::EINVAL)),
            }
        })
    }

    /// recvfrom(): the next datagram, cut to `out` (the rest is discarded).
    pub(crate) fn dgram_recvfrom(&mut self, fd: Fd, out: &mut [u8]) -> Result<(usize, Addr), Errno> {
        let slot = *self.fds.get(fd)?;
        let entry = slot.entry;
        self.block(slot.timeout, |stack| stack.dgram_try_recv(&slot, entry, out).map(Ok))
    }

    fn dgram_try_recv(&mut self, slot: &Slot, entry: usize, out: &mut [u8]) -> Option<(usize, Addr)> {
        if let Kind::Raw(_) = slot.kind {
            let v6 = slot.is_v6();
            let packet = self.raw(entry)?.recv().ok()?;
            let (src, payload_at) = if v6 {
                let p = Ipv6Packet::new_checked(packet).ok()?;
                (IpAddress::Ipv6(p.src_addr()), p.header_len())
            } else {
                (IpAddress::Ipv4(Ipv4Packet::new_checked(packet).ok()?.src_addr()), 0)
            };
            let body = &packet[payload_at..];
            let n = body.len().min(out.len());
            out[..n].copy_from_slice(&body[..n]);
            return Some((n, from_endpoint(src, 0)));
        }
        let (payload, meta) = self.udp(entry).recv().ok()?;
        let n = payload.len().min(out.len());
        out[..n].copy_from_slice(&payload[..n]);
        Some((n, from_endpoint(meta.endpoint.addr, meta.endpoint.port)))
    }

    /// A raw datagram: the stack writes the IPv4 header (BSD without IP_HDRINCL); IPv6 sends the payload.
    fn raw_sendto(&mut self, fd: Fd, proto: u8, data: &[u8], dst: IpAddress) -> Result<usize, Errno> {
        let slot = *self.fds.get(fd)?;
        // As UDP: no datagram to nowhere (smoltcp asserts a destination; found by fuzzing).
        if dst.is_unspecified() {
            return Err(Errno::EINVAL);
        }
        let src = match slot.local.0 {
            Some(ip) => ip,
            None => self.iface.get_source_address(&dst).ok_or(Errno::ENETUNREACH)?,
        };
        let entry = slot.entry;
        self.block(slot.timeout, |stack| {
            let socket = stack.raw(entry)?;
            match (src, dst) {
                (IpAddress::Ipv4(s), IpAddress::Ipv4(d)) => {
                    let repr = Ipv4Repr { src_addr: s, dst_addr: d, next_header: IpProtocol::from(proto), payload_len: data.len(), hop_limit: 64 };
                    let len = repr.buffer_len() + data.len();
                    match socket.send(len) {
                        Ok(buf) => {
                            let mut packet = Ipv4Packet::new_unchecked(buf);
                            repr.emit(&mut packet, &ChecksumCapabilities::default());
                            packet.payload_mut().copy_from_slice(data);
                            Some(Ok(data.len()))
                        }
                        Err(smoltcp::socket::raw::SendError::BufferFull) => None,
                    }
                }
                (IpAddress::Ipv6(s), IpAddress::Ipv6(d)) => {
                    let repr =
                        smoltcp::wire::Ipv6Repr { src_addr: s, dst_addr: d, next_header: IpProtocol::from(proto), payload_len: data.len(), hop_limit: 64 };
                    let len = repr.buffer_len() + data.len();
                    match socket.send(len) {
                        Ok(buf) => {
                            let mut packet = Ipv6Packet::new_unchecked(buf);
                            repr.emit(&mut packet);
                            packet.payload_mut().copy_from_slice(data);
                            Some(Ok(data.len()))
                        }
                        Err(smoltcp::socket::raw::SendError::BufferFull) => None,
                    }
                }
                _ => Some(Err(Errno::EAFNOSUPPORT)),
            }
        })
    }

    /// The local address of a datagram socket.
    pub(crate) fn dgram_sockname(&self, slot: &Slot) -> Addr {
        from_endpoint(slot.local.0.unwrap_or(unspecified(slot.is_v6())), slot.local.1)
    }

    /// Datagram poll flags (without masking).
    pub(crate) fn dgram_poll(&mut self, slot: &Slot) -> i32 {
        use crate::constants::{POLL_RD, POLL_WR};
        let (rd, wr) = match slot.kind {
            Kind::Raw(_) => self.raw(slot.entry).map_or((false, false), |s| (s.can_recv(), s.can_send())),
            _ => {
                let s = self.udp(slot.entry);
                (s.can_recv(), s.can_send())
            }
        };
        (if rd { POLL_RD } else { 0 }) | (if wr { POLL_WR } else { 0 })
    }
}
