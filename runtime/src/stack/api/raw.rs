//! Raw IP sockets (the `raw` feature): made at socket(), when the protocol is
//! known, over a region of buffers each; IPv4 ones receive whole packets and
//! send with a header the stack writes, IPv6 ones receive and send payloads,
//! as BSD raw sockets without IP_HDRINCL do.

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::socket::raw;
use smoltcp::wire::{IpAddress, IpProtocol, IpVersion, Ipv4Packet, Ipv4Repr};
#[cfg(feature = "ipv6")]
use smoltcp::wire::{Ipv6Packet, Ipv6Repr};

use crate::board::Board;
use crate::constants::POLL_WR;
use crate::leaves::addr::from_endpoint;
use crate::owners::table::Slot;
use crate::stack::Stack;
use crate::stack::api::dgram::poll_flags;
use crate::{Addr, Errno, Fd};

/// The sender of a received packet and where the caller's part starts: the
/// whole packet on IPv4, the payload on IPv6.
fn source(packet: &[u8], v6: bool) -> Option<(IpAddress, usize)> {
    match v6 {
        #[cfg(feature = "ipv6")]
        true => {
            let p = Ipv6Packet::new_checked(packet).ok()?;
            Some((IpAddress::Ipv6(p.src_addr()), p.header_len()))
        }
        _ => Some((IpAddress::Ipv4(Ipv4Packet::new_checked(packet).ok()?.src_addr()), 0)),
    }
}

/// The IP version of a raw socket's family.
fn version(v6: bool) -> IpVersion {
    match v6 {
        #[cfg(feature = "ipv6")]
        true => IpVersion::Ipv6,
        _ => IpVersion::Ipv4,
    }
}

impl<'a, B: Board> Stack<'a, B> {
    /// socket(SOCK_RAW): a free raw entry with a socket for this family and protocol.
    pub(super) fn raw_open(&mut self, fd: Fd, v6: bool, proto: u8) -> Result<usize, Errno> {
        let area = &self.raw_area;
        self.pool.open_raw(fd, |region| {
            // SAFETY: the pool gives a free entry's region, which has no socket (closing drops it).
            let (rx, tx) = unsafe { area.buffers(region) };
            raw::Socket::new(Some(version(v6)), Some(IpProtocol::from(proto)), rx, tx)
        })
    }

    /// close(): drops the socket, freeing its region; queued packets are dropped.
    pub(super) fn raw_close(&mut self, entry: usize) {
        self.pool.close(entry);
    }

    /// bind(): only the local address (the source of what it sends), once.
    pub(super) fn raw_bind(&mut self, fd: Fd, ip: Option<IpAddress>) -> Result<(), Errno> {
        let slot = self.fds.get_mut(fd)?;
        if slot.local.ip.is_some() {
            return Err(Errno::EINVAL);
        }
        slot.local.ip = ip;
        Ok(())
    }

    /// sendto(): one packet to `dst`.
    pub(super) fn raw_sendto(&mut self, fd: Fd, entry: usize, proto: u8, data: &[u8], dst: IpAddress) -> Result<usize, Errno> {
        let slot = *self.fds.get(fd)?;
        // As UDP: no datagram to nowhere.
        // UPSTREAM(smoltcp 0.14): a raw packet to the unspecified address trips
        // an assertion of the interface (a panic; found by fuzzing) — remove
        // when smoltcp refuses it as its UDP socket does (Unaddressable).
        if dst.is_unspecified() {
            return Err(Errno::EINVAL);
        }
        let src = match slot.local.ip {
            Some(ip) => ip,
            None => self.iface.get_source_address(&dst).ok_or(Errno::ENETUNREACH)?,
        };
        self.block(Some((fd, POLL_WR)), slot.timeout, |stack| {
            let socket = match stack.pool.raw(entry) {
                Ok(socket) => socket,
                Err(e) => return Some(Err(e)),
            };
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
                        Err(raw::SendError::BufferFull) => None,
                    }
                }
                #[cfg(feature = "ipv6")]
                (IpAddress::Ipv6(s), IpAddress::Ipv6(d)) => {
                    let repr = Ipv6Repr { src_addr: s, dst_addr: d, next_header: IpProtocol::from(proto), payload_len: data.len(), hop_limit: 64 };
                    let len = repr.buffer_len() + data.len();
                    match socket.send(len) {
                        Ok(buf) => {
                            let mut packet = Ipv6Packet::new_unchecked(buf);
                            repr.emit(&mut packet);
                            packet.payload_mut().copy_from_slice(data);
                            Some(Ok(data.len()))
                        }
                        Err(raw::SendError::BufferFull) => None,
                    }
                }
                #[cfg(feature = "ipv6")]
                _ => Some(Err(Errno::EAFNOSUPPORT)),
            }
        })
    }

    /// The next packet, cut to `out`, and its sender; None when none waits.
    pub(super) fn raw_try_recv(&mut self, slot: &Slot, entry: usize, out: &mut [u8]) -> Option<(usize, Addr)> {
        let packet = self.pool.raw(entry).ok()?.recv().ok()?;
        let (src, payload_at) = source(packet, slot.is_v6())?;
        let body = &packet[payload_at..];
        let n = body.len().min(out.len());
        out[..n].copy_from_slice(&body[..n]);
        Some((n, from_endpoint(src, 0)))
    }

    /// Poll flags (without masking).
    pub(super) fn raw_poll(&mut self, entry: usize) -> i32 {
        let (rd, wr) = self.pool.raw(entry).map_or((false, false), |s| (s.can_recv(), s.can_send()));
        poll_flags(rd, wr)
    }
}
