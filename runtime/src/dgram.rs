//! Datagram sockets: UDP (bind, auto-bind on sendto, a queue of datagrams,
//! BSD truncation, SO_BROADCAST), and what raw IP sockets (`raw.rs`) share
//! with it: addresses, SO_BROADCAST, blocking.

use smoltcp::socket::udp::{self, SendError};
use smoltcp::wire::{IpAddress, IpListenEndpoint};

use crate::addr::{endpoint, from_endpoint, unspecified, v4_cidr, v4_of};
use crate::board::Board;
use crate::pool::{self, PoolKind, Role};
use crate::ports::Proto;
use crate::stack::Stack;
#[cfg(feature = "raw")]
use crate::table::Kind;
use crate::table::Slot;
use crate::{Addr, Errno, Fd};

/// Is `ip` a broadcast address on one of the interface's IPv4 networks (or the limited broadcast)?
fn is_broadcast<B: Board>(stack: &Stack<'_, B>, ip: IpAddress) -> bool {
    let Some(v4) = v4_of(ip) else { return false };
    v4.is_broadcast() || stack.addresses().any(|c| v4_cidr(c).is_some_and(|n| n.broadcast() == Some(v4)))
}

impl<B: Board> Stack<'_, B> {
    /// socket(SOCK_DGRAM): a free UDP socket.
    pub(crate) fn udp_open(&mut self, fd: Fd) -> Result<usize, Errno> {
        let i = pool::find_free(self.pool, PoolKind::Udp).ok_or(Errno::ENOMEM)?;
        self.unpark(i, Role::Fd(fd));
        Ok(i)
    }

    /// close() for UDP sockets: queued datagrams are dropped.
    pub(crate) fn udp_close(&mut self, slot: &Slot) {
        self.udp(slot.entry).close();
        self.ports.release(slot.entry);
        self.park(slot.entry);
    }

    /// bind() for datagram sockets.
    pub(crate) fn dgram_bind(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        let ip = self.local_ip(ip)?;
        if slot.local.1 != 0 {
            return Err(Errno::EINVAL);
        }
        #[cfg(feature = "raw")]
        if let Kind::Raw(_) = slot.kind {
            return self.raw_bind(fd, ip);
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
        #[cfg(feature = "raw")]
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
        #[cfg(feature = "multicast")]
        if ip.is_multicast() {
            match slot.options.multicast_ttl.unwrap_or(1) {
                // TTL 0 keeps a datagram on the host, which does not loop multicast back: it goes nowhere.
                0 => return Ok(data.len()),
                ttl => self.udp(entry).set_hop_limit(Some(ttl)),
            }
        } else {
            self.udp(entry).set_hop_limit(None);
        }
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
        self.block(slot.timeout, |stack| stack.dgram_try_recv(&slot, out).map(Ok))
    }

    fn dgram_try_recv(&mut self, slot: &Slot, out: &mut [u8]) -> Option<(usize, Addr)> {
        #[cfg(feature = "raw")]
        if let Kind::Raw(_) = slot.kind {
            return self.raw_try_recv(slot, out);
        }
        let (payload, meta) = self.udp(slot.entry).recv().ok()?;
        let n = payload.len().min(out.len());
        out[..n].copy_from_slice(&payload[..n]);
        Some((n, from_endpoint(meta.endpoint.addr, meta.endpoint.port)))
    }

    /// The local address of a datagram socket.
    pub(crate) fn dgram_sockname(&self, slot: &Slot) -> Addr {
        from_endpoint(slot.local.0.unwrap_or(unspecified(slot.is_v6())), slot.local.1)
    }

    /// Datagram poll flags (without masking).
    pub(crate) fn dgram_poll(&mut self, slot: &Slot) -> i32 {
        #[cfg(feature = "raw")]
        if let Kind::Raw(_) = slot.kind {
            return self.raw_poll(slot);
        }
        let s = self.udp(slot.entry);
        poll_flags(s.can_recv(), s.can_send())
    }
}

/// Poll flags of a datagram socket that can receive (`rd`) or send (`wr`).
pub(crate) fn poll_flags(rd: bool, wr: bool) -> i32 {
    use crate::constants::{POLL_RD, POLL_WR};
    (if rd { POLL_RD } else { 0 }) | (if wr { POLL_WR } else { 0 })
}
