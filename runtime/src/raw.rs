//! Raw IP sockets (the `raw` feature): made at socket(), when the protocol is
//! known, over a region of buffers each; IPv4 ones receive whole packets and
//! send with a header the stack writes, IPv6 ones receive and send payloads,
//! as BSD raw sockets without IP_HDRINCL do.

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::socket::raw;
use smoltcp::wire::{IpAddress, IpProtocol, IpVersion, Ipv4Packet, Ipv4Repr};
#[cfg(feature = "ipv6")]
use smoltcp::wire::{Ipv6Packet, Ipv6Repr};

use crate::addr::from_endpoint;
use crate::board::Board;
use crate::config::Config;
use crate::dgram::poll_flags;
use crate::pool::{self, PoolKind, Role};
use crate::stack::Stack;
use crate::table::Slot;
use crate::{Addr, Errno, Fd};

/// Buffers of the raw sockets, which are made and dropped at socket()/close():
/// the one place the stack hands out the same memory twice, one socket at a time.
pub(crate) struct RawArea<'a> {
    bytes: *mut u8,
    meta: *mut raw::PacketMetadata,
    region_bytes: usize,
    region_packets: usize,
    _memory: core::marker::PhantomData<&'a mut [u8]>,
}

impl<'a> RawArea<'a> {
    /// The area over what is left of the stack's memory after TCP and UDP.
    pub(crate) fn new(bytes: &'a mut [u8], meta: &'a mut [raw::PacketMetadata], config: &Config) -> Self {
        RawArea {
            bytes: bytes.as_mut_ptr(),
            meta: meta.as_mut_ptr(),
            region_bytes: config.raw_bytes,
            region_packets: config.raw_packets,
            _memory: core::marker::PhantomData,
        }
    }

    /// The buffers of raw region `i`.
    ///
    /// # Safety
    /// `i` is below `raw_sockets` and no live socket uses region `i`.
    unsafe fn buffers(&self, i: usize) -> (raw::PacketBuffer<'a>, raw::PacketBuffer<'a>) {
        // SAFETY: regions are disjoint parts of the memory lent for 'a, and the
        // caller guarantees that region `i` is not in use.
        unsafe {
            let b = self.bytes.add(2 * i * self.region_bytes);
            let m = self.meta.add(2 * i * self.region_packets);
            let rx_b = core::slice::from_raw_parts_mut(b, self.region_bytes);
            let tx_b = core::slice::from_raw_parts_mut(b.add(self.region_bytes), self.region_bytes);
            let rx_m = core::slice::from_raw_parts_mut(m, self.region_packets);
            let tx_m = core::slice::from_raw_parts_mut(m.add(self.region_packets), self.region_packets);
            (raw::PacketBuffer::new(rx_m, rx_b), raw::PacketBuffer::new(tx_m, tx_b))
        }
    }
}

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
    pub(crate) fn raw_open(&mut self, fd: Fd, v6: bool, proto: u8) -> Result<usize, Errno> {
        let i = pool::find_free(self.pool, PoolKind::Raw).ok_or(Errno::ENOMEM)?;
        // SAFETY: entry `i` is free, so its region has no socket (raw_close removes it).
        let (rx, tx) = unsafe { self.raw_area.buffers(self.pool[i].region) };
        let socket = raw::Socket::new(Some(version(v6)), Some(IpProtocol::from(proto)), rx, tx);
        self.pool[i].handle = Some(self.sockets.add(socket));
        self.pool[i].role = Role::Fd(fd);
        Ok(i)
    }

    /// close(): drops the socket, freeing its region; queued packets are dropped.
    pub(crate) fn raw_close(&mut self, slot: &Slot) {
        if let Some(handle) = self.pool[slot.entry].handle.take() {
            self.sockets.remove(handle);
        }
        self.pool[slot.entry].role = Role::Free;
    }

    /// The raw socket of pool entry `i` (open).
    fn raw(&mut self, i: usize) -> Option<&mut raw::Socket<'a>> {
        let handle = self.pool[i].handle?;
        Some(self.sockets.get_mut::<raw::Socket<'a>>(handle))
    }

    /// bind(): only the local address (the source of what it sends), once.
    pub(crate) fn raw_bind(&mut self, fd: Fd, ip: Option<IpAddress>) -> Result<(), Errno> {
        let slot = self.fds.get_mut(fd)?;
        if slot.local.0.is_some() {
            return Err(Errno::EINVAL);
        }
        slot.local.0 = ip;
        Ok(())
    }

    /// sendto(): one packet to `dst`.
    pub(crate) fn raw_sendto(&mut self, fd: Fd, proto: u8, data: &[u8], dst: IpAddress) -> Result<usize, Errno> {
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
    pub(crate) fn raw_try_recv(&mut self, slot: &Slot, out: &mut [u8]) -> Option<(usize, Addr)> {
        let packet = self.raw(slot.entry)?.recv().ok()?;
        let (src, payload_at) = source(packet, slot.is_v6())?;
        let body = &packet[payload_at..];
        let n = body.len().min(out.len());
        out[..n].copy_from_slice(&body[..n]);
        Some((n, from_endpoint(src, 0)))
    }

    /// Poll flags (without masking).
    pub(crate) fn raw_poll(&mut self, slot: &Slot) -> i32 {
        let (rd, wr) = self.raw(slot.entry).map_or((false, false), |s| (s.can_recv(), s.can_send()));
        poll_flags(rd, wr)
    }
}
