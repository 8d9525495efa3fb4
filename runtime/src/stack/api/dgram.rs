//! Datagram sockets: UDP (bind, auto-bind on sendto, a queue of datagrams,
//! BSD truncation, SO_BROADCAST), and what raw IP sockets (`stack/api/raw.rs`) share
//! with it: addresses, SO_BROADCAST, blocking.

use smoltcp::socket::udp::{self, SendError};
use smoltcp::wire::{IpAddress, IpListenEndpoint};

use crate::board::Board;
use crate::constants::{POLL_RD, POLL_WR};
use crate::leaves::addr::{endpoint, from_endpoint, v4_cidr, v4_of};
use crate::owners::pool::PoolKind;
use crate::owners::ports::{Owner, Proto};
use crate::owners::table::{Kind, LocalAddr, Slot};
use crate::stack::Stack;
use crate::{Addr, Errno, Fd};

/// Is `ip` a broadcast address on one of the interface's IPv4 networks (or the limited broadcast)?
fn is_broadcast<B: Board>(stack: &Stack<'_, B>, ip: IpAddress) -> bool {
    let Some(v4) = v4_of(ip) else { return false };
    v4.is_broadcast() || stack.addresses().any(|c| v4_cidr(c).is_some_and(|n| n.broadcast() == Some(v4)))
}

impl<B: Board> Stack<'_, B> {
    /// socket(SOCK_DGRAM): a free UDP socket.
    pub(super) fn udp_open(&mut self, fd: Fd) -> Result<usize, Errno> {
        self.pool.open(PoolKind::Udp, fd)
    }

    /// close() for UDP sockets: queued datagrams are dropped.
    pub(super) fn udp_close(&mut self, entry: usize) {
        self.ports.release(Owner::Entry(entry));
        self.pool.close(entry);
    }

    /// bind() for datagram sockets.
    pub(super) fn dgram_bind(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        let ip = self.local_ip(ip)?;
        if slot.local.is_bound() {
            return Err(Errno::EINVAL);
        }
        match slot.kind {
            Kind::Datagram { entry } => self.udp_bind(fd, entry, ip, port),
            #[cfg(feature = "raw")]
            Kind::Raw { .. } => self.raw_bind(fd, ip),
            Kind::Stream(_) => Err(Errno::EOPNOTSUPP),
        }
    }

    fn udp_bind(&mut self, fd: Fd, entry: usize, ip: Option<IpAddress>, port: u16) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let port = self.ports.bind(Owner::Entry(entry), Proto::Udp, ip.map(Into::into), port, slot.options.reuse_addr)?;
        if self.pool.udp(entry)?.bind(IpListenEndpoint { addr: ip, port }).is_err() {
            self.ports.release(Owner::Entry(entry));
            return Err(Errno::EINVAL);
        }
        self.fds.get_mut(fd)?.local = LocalAddr { ip, port };
        Ok(())
    }

    /// sendto(): one datagram; an unbound UDP socket is bound to an ephemeral port first.
    pub(super) fn dgram_sendto(&mut self, fd: Fd, data: &[u8], address: &Addr) -> Result<usize, Errno> {
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        if is_broadcast(self, ip) && !slot.options.broadcast {
            return Err(Errno::EPERM);
        }
        let entry = match slot.kind {
            Kind::Datagram { entry } => entry,
            #[cfg(feature = "raw")]
            Kind::Raw { proto, entry } => return self.raw_sendto(fd, entry, proto, data, ip),
            Kind::Stream(_) => return Err(Errno::EOPNOTSUPP),
        };
        if port == 0 {
            return Err(Errno::EINVAL);
        }
        if !slot.local.is_bound() {
            self.udp_bind(fd, entry, slot.local.ip, 0)?;
        }
        if data.len() > self.config.udp_tx_bytes {
            return Err(Errno::EMSGSIZE);
        }
        #[cfg(feature = "multicast")]
        if ip.is_multicast() {
            match slot.options.multicast_ttl.unwrap_or(1) {
                // TTL 0 keeps a datagram on the host, which does not loop multicast back: it goes nowhere.
                0 => return Ok(data.len()),
                ttl => self.pool.udp(entry)?.set_hop_limit(Some(ttl)),
            }
        } else {
            self.pool.udp(entry)?.set_hop_limit(None);
        }
        self.block(Some((fd, POLL_WR)), slot.timeout, |stack| {
            let meta = udp::UdpMetadata::from(smoltcp::wire::IpEndpoint::new(ip, port));
            match stack.pool.udp(entry).map(|s| s.send_slice(data, meta)) {
                Ok(Ok(())) => Some(Ok(data.len())),
                Ok(Err(SendError::BufferFull)) => None,
                Ok(Err(SendError::Unaddressable)) => Some(Err(Errno::EINVAL)),
                Err(e) => Some(Err(e)),
            }
        })
    }

    /// recvfrom(): the next datagram, cut to `out` (the rest is discarded).
    pub(super) fn dgram_recvfrom(&mut self, fd: Fd, out: &mut [u8]) -> Result<(usize, Addr), Errno> {
        let slot = *self.fds.get(fd)?;
        self.block(Some((fd, POLL_RD)), slot.timeout, |stack| stack.dgram_try_recv(&slot, out).map(Ok))
    }

    fn dgram_try_recv(&mut self, slot: &Slot, out: &mut [u8]) -> Option<(usize, Addr)> {
        let entry = match slot.kind {
            Kind::Datagram { entry } => entry,
            #[cfg(feature = "raw")]
            Kind::Raw { entry, .. } => return self.raw_try_recv(slot, entry, out),
            Kind::Stream(_) => return None,
        };
        let (payload, meta) = self.pool.udp(entry).ok()?.recv().ok()?;
        let n = payload.len().min(out.len());
        out[..n].copy_from_slice(&payload[..n]);
        Some((n, from_endpoint(meta.endpoint.addr, meta.endpoint.port)))
    }

    /// The local address of a datagram socket.
    pub(super) fn dgram_sockname(&self, slot: &Slot) -> Addr {
        slot.local.to_addr(slot.is_v6())
    }

    /// Datagram poll flags (without masking).
    pub(in crate::stack) fn dgram_poll(&mut self, slot: &Slot) -> i32 {
        let entry = match slot.kind {
            Kind::Datagram { entry } => entry,
            #[cfg(feature = "raw")]
            Kind::Raw { entry, .. } => return self.raw_poll(entry),
            Kind::Stream(_) => return 0,
        };
        let (rd, wr) = self.pool.udp(entry).map_or((false, false), |s| (s.can_recv(), s.can_send()));
        poll_flags(rd, wr)
    }
}

/// Poll flags of a datagram socket that can receive (`rd`) or send (`wr`).
pub(super) fn poll_flags(rd: bool, wr: bool) -> i32 {
    use crate::constants::{POLL_RD, POLL_WR};
    (if rd { POLL_RD } else { 0 }) | (if wr { POLL_WR } else { 0 })
}
