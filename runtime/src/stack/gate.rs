//! The SYN gate: a device wrapper that drops a connection request (a TCP SYN
//! without ACK) addressed to a listener whose accept queue is full. smoltcp
//! would answer it with RST; Linux drops it so that the peer retries.
//!
//! UPSTREAM(smoltcp 0.14): a SYN that no socket in Listen takes is answered
//! with RST (smoltcp has no accept queue per port) — remove when smoltcp can
//! leave a SYN for a full listener unanswered.

use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken};
use smoltcp::time::Instant;
#[cfg(feature = "ipv6")]
use smoltcp::wire::Ipv6Packet;
use smoltcp::wire::{EthernetFrame, EthernetProtocol, IpProtocol, Ipv4Packet, TcpPacket};

/// Wraps `inner`; `closed(port)` says whether SYNs to a local port are dropped.
pub(super) struct Gate<'d, D, F> {
    /// The board's device.
    pub(super) inner: &'d mut D,
    /// Is this local TCP port's listener full?
    pub(super) closed: F,
}

/// The destination port of a connection request in `frame`, if it is one.
pub(super) fn syn_port(medium: Medium, frame: &[u8]) -> Option<u16> {
    let ip = match medium {
        Medium::Ethernet => {
            let eth = EthernetFrame::new_checked(frame).ok()?;
            match eth.ethertype() {
                EthernetProtocol::Ipv4 | EthernetProtocol::Ipv6 => &frame[EthernetFrame::<&[u8]>::header_len()..],
                _ => return None,
            }
        }
        _ => frame,
    };
    let tcp = match ip.first()? >> 4 {
        4 => {
            let p = Ipv4Packet::new_checked(ip).ok()?;
            (p.next_header() == IpProtocol::Tcp).then(|| &ip[usize::from(p.header_len())..])?
        }
        #[cfg(feature = "ipv6")]
        6 => {
            let p = Ipv6Packet::new_checked(ip).ok()?;
            (p.next_header() == IpProtocol::Tcp).then(|| &ip[p.header_len()..])?
        }
        _ => return None,
    };
    let tcp = TcpPacket::new_checked(tcp).ok()?;
    (tcp.syn() && !tcp.ack()).then(|| tcp.dst_port())
}

/// A received frame that may be swallowed.
pub(super) struct GateRx<T, F> {
    inner: T,
    medium: Medium,
    closed: F,
}

impl<T: RxToken, F: Fn(u16) -> bool> RxToken for GateRx<T, F> {
    fn consume<R, G>(self, f: G) -> R
    where
        G: FnOnce(&[u8]) -> R,
    {
        let (medium, closed) = (self.medium, self.closed);
        self.inner.consume(|frame| match syn_port(medium, frame) {
            // smoltcp discards an empty frame without a reply.
            Some(port) if closed(port) => f(&[]),
            _ => f(frame),
        })
    }

    fn meta(&self) -> smoltcp::phy::PacketMeta {
        self.inner.meta()
    }
}

impl<D: Device, F: Fn(u16) -> bool + Copy> Device for Gate<'_, D, F> {
    type RxToken<'a>
        = GateRx<D::RxToken<'a>, F>
    where
        Self: 'a;
    type TxToken<'a>
        = D::TxToken<'a>
    where
        Self: 'a;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let medium = self.inner.capabilities().medium;
        let closed = self.closed;
        self.inner.receive(timestamp).map(|(rx, tx)| (GateRx { inner: rx, medium, closed }, tx))
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        self.inner.transmit(timestamp)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

#[cfg(test)]
mod tests {
    use smoltcp::phy::ChecksumCapabilities;
    use smoltcp::wire::{IpAddress, Ipv4Address, Ipv4Repr, TcpControl, TcpRepr, TcpSeqNumber};

    use super::*;

    fn segment(control: TcpControl, ack: bool) -> [u8; 40] {
        let src = Ipv4Address::new(192, 0, 2, 1);
        let dst = Ipv4Address::new(192, 0, 2, 2);
        let tcp = TcpRepr {
            src_port: 40000,
            dst_port: 80,
            control,
            seq_number: TcpSeqNumber(1),
            ack_number: ack.then_some(TcpSeqNumber(1)),
            window_len: 1000,
            window_scale: None,
            max_seg_size: None,
            sack_permitted: false,
            sack_ranges: [None; 3],
            timestamp: None,
            payload: &[],
        };
        let ip = Ipv4Repr { src_addr: src, dst_addr: dst, next_header: IpProtocol::Tcp, payload_len: 20, hop_limit: 64 };
        let mut buf = [0u8; 40];
        let caps = ChecksumCapabilities::default();
        ip.emit(&mut Ipv4Packet::new_unchecked(&mut buf[..]), &caps);
        tcp.emit(&mut TcpPacket::new_unchecked(&mut buf[20..]), &IpAddress::Ipv4(src), &IpAddress::Ipv4(dst), &caps);
        buf
    }

    #[test]
    fn only_connection_requests_are_recognised() {
        assert_eq!(syn_port(Medium::Ip, &segment(TcpControl::Syn, false)), Some(80));
        assert_eq!(syn_port(Medium::Ip, &segment(TcpControl::Syn, true)), None, "SYN-ACK");
        assert_eq!(syn_port(Medium::Ip, &segment(TcpControl::None, true)), None, "data");
        assert_eq!(syn_port(Medium::Ip, &[]), None);
        assert_eq!(syn_port(Medium::Ip, &segment(TcpControl::Syn, false)[..30]), None, "truncated");
    }
}
