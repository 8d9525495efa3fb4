//! The board's link to itself, as lwIP's loopif: a device wrapper around the
//! board's device that keeps the board's traffic to itself off the wire.
//!
//! smoltcp 0.14 has no loopback path on an Ethernet interface: a packet to one
//! of its own addresses (127.0.0.1 included) goes to the device after an ARP or
//! NDP question nobody on the wire should answer. Here an outgoing frame for
//! the board itself goes into the [`LoopQueue`] instead, and receiving drains
//! that queue before the device:
//! - frames to the board's own MAC;
//! - IP packets to one of its addresses, or with a loopback source or
//!   destination (127.0.0.0/8, ::1), on either medium: their Ethernet
//!   destination becomes the board's MAC, whatever the neighbour cache said;
//! - ARP requests and IPv6 neighbour solicitations for its own addresses,
//!   which are answered at once (smoltcp ignores a solicitation for ::1, whose
//!   solicited-node group it does not join).
//!
//! [`prime`] tells smoltcp's neighbour cache about the board's own addresses
//! before it asks: asking would silence every other neighbour lookup for a
//! second (smoltcp rate-limits its questions per interface). Frames from the
//! wire that carry a loopback address are dropped, as Linux and lwIP drop them.
//! Looped frames carry the checksums smoltcp wrote for the device, so a board
//! whose device computes transmit checksums in hardware must verify received
//! ones in hardware too. A queue of no bytes turns all of this off: the
//! host's loopback board, whose device is itself a loopback link.
//!
//! UPSTREAM(smoltcp 0.14): an Ethernet interface has no loopback path; a
//! packet to one of its own addresses goes to the device after an ARP or NDP
//! question — remove when smoltcp delivers packets to its own addresses on
//! every medium (the loop queue and its `loopback_bytes` go with it).

use core::cell::Cell;

use smoltcp::config::IFACE_MAX_ADDR_COUNT;
use smoltcp::iface::Interface;
#[cfg(feature = "ipv6")]
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::phy::{Device, DeviceCapabilities, PacketMeta, RxToken, TxToken};
use smoltcp::time::Instant;
use smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, EthernetAddress, EthernetFrame, EthernetProtocol, HardwareAddress, IpAddress, IpCidr, Ipv4Address, Ipv4Cidr, Ipv4Packet,
};
#[cfg(feature = "ipv6")]
use smoltcp::wire::{Icmpv6Message, Icmpv6Packet, Icmpv6Repr, IpProtocol, Ipv6Address, Ipv6Cidr, Ipv6Packet, Ipv6Repr, NdiscNeighborFlags, NdiscRepr};

use crate::stack::loopq::LoopQueue;

/// The loopback addresses every board has besides its own.
#[cfg(feature = "ipv6")]
pub(super) const LOOPBACK: &[IpCidr] =
    &[IpCidr::Ipv4(Ipv4Cidr::new(Ipv4Address::new(127, 0, 0, 1), 8)), IpCidr::Ipv6(Ipv6Cidr::new(Ipv6Address::LOCALHOST, 128))];
/// The loopback address every board has besides its own (no IPv6 in this build).
#[cfg(not(feature = "ipv6"))]
pub(super) const LOOPBACK: &[IpCidr] = &[IpCidr::Ipv4(Ipv4Cidr::new(Ipv4Address::new(127, 0, 0, 1), 8))];

/// Ethernet header bytes.
const ETHERNET_HEADER: usize = 14;

/// Is this a loopback address (127.0.0.0/8, ::1)?
pub(super) fn is_loopback(ip: IpAddress) -> bool {
    match ip {
        IpAddress::Ipv4(a) => a.is_loopback(),
        #[cfg(feature = "ipv6")]
        IpAddress::Ipv6(a) => a.is_loopback(),
    }
}

/// The source and destination of an IP packet (None: not one).
fn ip_ends(packet: &[u8]) -> Option<(IpAddress, IpAddress)> {
    match packet.first()? >> 4 {
        4 => Ipv4Packet::new_checked(packet).ok().map(|p| (p.src_addr().into(), p.dst_addr().into())),
        #[cfg(feature = "ipv6")]
        6 => ipv6_ends(packet),
        _ => None,
    }
}

/// The source and destination of an IPv6 packet.
#[cfg(feature = "ipv6")]
fn ipv6_ends(packet: &[u8]) -> Option<(IpAddress, IpAddress)> {
    Ipv6Packet::new_checked(packet).ok().map(|p| (p.src_addr().into(), p.dst_addr().into()))
}

/// Who the board is: its MAC (Ethernet medium) or none (IP medium), and its
/// addresses (the interface's, read once per pump).
#[derive(Debug, Clone, Copy)]
pub(super) struct Own {
    mac: Option<EthernetAddress>,
    addresses: [Option<IpAddress>; IFACE_MAX_ADDR_COUNT],
}

impl Own {
    /// The board's MAC (None on IP medium) and the interface's addresses.
    pub(super) fn of(hardware: HardwareAddress, iface: &Interface) -> Own {
        let mac = match hardware {
            HardwareAddress::Ethernet(mac) => Some(mac),
            _ => None,
        };
        let mut addresses = [None; IFACE_MAX_ADDR_COUNT];
        for (slot, cidr) in addresses.iter_mut().zip(iface.ip_addrs()) {
            *slot = Some(cidr.address());
        }
        Own { mac, addresses }
    }

    /// Is `ip` one of the board's addresses?
    fn has(&self, ip: IpAddress) -> bool {
        self.addresses.contains(&Some(ip))
    }

    /// Does an IP packet stay on the board: to one of its addresses, or with a loopback end?
    fn keeps_packet(&self, packet: &[u8]) -> bool {
        ip_ends(packet).is_some_and(|(src, dst)| self.has(dst) || is_loopback(src) || is_loopback(dst))
    }

    /// Whether the frame of `len` bytes in `room`, about to be sent, is for the
    /// board itself: Some(length to queue) after rewriting it for delivery
    /// (its destination MAC, or the answer to its question), None for the wire.
    fn keeps_frame(&self, room: &mut [u8], len: usize) -> Option<usize> {
        match self.mac {
            Some(mac) => self.keeps_ethernet(mac, room, len),
            None => self.keeps_packet(&room[..len]).then_some(len),
        }
    }

    fn keeps_ethernet(&self, mac: EthernetAddress, room: &mut [u8], len: usize) -> Option<usize> {
        let frame = EthernetFrame::new_checked(&room[..len]).ok()?;
        let (dst, ethertype, payload) = (frame.dst_addr(), frame.ethertype(), frame.payload());
        let arp = if ethertype == EthernetProtocol::Arp { self.arp_question(payload) } else { None };
        #[cfg(feature = "ipv6")]
        let ndp = if ethertype == EthernetProtocol::Ipv6 { self.ndp_question(payload) } else { None };
        let keeps = matches!(ethertype, EthernetProtocol::Ipv4 | EthernetProtocol::Ipv6) && self.keeps_packet(payload);
        if let Some((asker, target)) = arp {
            return Some(arp_answer(room, mac, target, asker));
        }
        // Before `keeps_packet`: a solicitation from ::1 is a packet with a loopback end too.
        // UPSTREAM(smoltcp 0.14): a neighbour solicitation for ::1 goes
        // unanswered (the interface does not join ::1's solicited-node group)
        // — remove when smoltcp answers it.
        #[cfg(feature = "ipv6")]
        if let Some((asker, target)) = ndp {
            return Some(neighbour_advert(room, mac, target, asker));
        }
        if keeps {
            EthernetFrame::new_unchecked(&mut room[..len]).set_dst_addr(mac);
            return Some(len);
        }
        (dst == mac).then_some(len)
    }

    /// An ARP request for one of the board's addresses: (asker, target).
    fn arp_question(&self, payload: &[u8]) -> Option<(Ipv4Address, Ipv4Address)> {
        let packet = ArpPacket::new_checked(payload).ok()?;
        match ArpRepr::parse(&packet).ok()? {
            ArpRepr::EthernetIpv4 { operation: ArpOperation::Request, source_protocol_addr, target_protocol_addr, .. }
                if self.has(target_protocol_addr.into()) =>
            {
                Some((source_protocol_addr, target_protocol_addr))
            }
            _ => None,
        }
    }

    /// A neighbour solicitation for one of the board's addresses: (asker, target).
    #[cfg(feature = "ipv6")]
    fn ndp_question(&self, payload: &[u8]) -> Option<(Ipv6Address, Ipv6Address)> {
        let ip = Ipv6Packet::new_checked(payload).ok()?;
        if ip.next_header() != IpProtocol::Icmpv6 {
            return None;
        }
        let icmp = Icmpv6Packet::new_checked(ip.payload()).ok()?;
        if icmp.msg_type() != Icmpv6Message::NeighborSolicit {
            return None;
        }
        match NdiscRepr::parse(&icmp).ok()? {
            NdiscRepr::NeighborSolicit { target_addr, .. } if self.has(target_addr.into()) => Some((ip.src_addr(), target_addr)),
            _ => None,
        }
    }

    /// Is a frame from the device one that claims a loopback address (dropped)?
    fn martian(&self, frame: &[u8]) -> bool {
        let ip = match self.mac {
            Some(_) => {
                let Ok(eth) = EthernetFrame::new_checked(frame) else { return false };
                if eth.ethertype() == EthernetProtocol::Arp {
                    let arp = ArpPacket::new_checked(eth.payload()).ok().and_then(|p| ArpRepr::parse(&p).ok());
                    return matches!(arp, Some(ArpRepr::EthernetIpv4 { source_protocol_addr: s, target_protocol_addr: t, .. })
                        if s.is_loopback() || t.is_loopback());
                }
                &frame[ETHERNET_HEADER..]
            }
            None => frame,
        };
        ip_ends(ip).is_some_and(|(src, dst)| is_loopback(src) || is_loopback(dst))
    }
}

/// Writes into `room` the ARP reply "`target` is at `mac`" to `asker`; its length.
fn arp_answer(room: &mut [u8], mac: EthernetAddress, target: Ipv4Address, asker: Ipv4Address) -> usize {
    let arp = ArpRepr::EthernetIpv4 {
        operation: ArpOperation::Reply,
        source_hardware_addr: mac,
        source_protocol_addr: target,
        target_hardware_addr: mac,
        target_protocol_addr: asker,
    };
    let len = ETHERNET_HEADER + arp.buffer_len();
    let mut frame = EthernetFrame::new_unchecked(&mut room[..len]);
    frame.set_src_addr(mac);
    frame.set_dst_addr(mac);
    frame.set_ethertype(EthernetProtocol::Arp);
    arp.emit(&mut ArpPacket::new_unchecked(frame.payload_mut()));
    len
}

/// Writes into `room` the neighbour advertisement "`target` is at `mac`" to
/// `asker`, from `target` (smoltcp learns the sender's address); its length.
#[cfg(feature = "ipv6")]
fn neighbour_advert(room: &mut [u8], mac: EthernetAddress, target: Ipv6Address, asker: Ipv6Address) -> usize {
    let advert = Icmpv6Repr::Ndisc(NdiscRepr::NeighborAdvert {
        flags: NdiscNeighborFlags::SOLICITED | NdiscNeighborFlags::OVERRIDE,
        target_addr: target,
        lladdr: Some(mac.into()),
    });
    let ip = Ipv6Repr { src_addr: target, dst_addr: asker, next_header: IpProtocol::Icmpv6, payload_len: advert.buffer_len(), hop_limit: 255 };
    let len = ETHERNET_HEADER + ip.buffer_len() + advert.buffer_len();
    let mut frame = EthernetFrame::new_unchecked(&mut room[..len]);
    frame.set_src_addr(mac);
    frame.set_dst_addr(mac);
    frame.set_ethertype(EthernetProtocol::Ipv6);
    let mut packet = Ipv6Packet::new_unchecked(frame.payload_mut());
    ip.emit(&mut packet);
    advert.emit(&ip.src_addr, &ip.dst_addr, &mut Icmpv6Packet::new_unchecked(packet.payload_mut()), &ChecksumCapabilities::default());
    len
}

/// Queues, for each of the board's addresses, the answer smoltcp would get if
/// it asked for it, so that it never needs to ask (Ethernet only; an answer
/// that finds the queue full is dropped, and smoltcp asks after all).
///
/// UPSTREAM(smoltcp 0.14): one neighbour question silences every other
/// neighbour lookup of the interface for a second (its rate limit is per
/// interface, not per neighbour) — remove when smoltcp rate-limits per
/// neighbour (the pump's re-priming and `Stack::reprime` go with it).
pub(super) fn prime(queue: &LoopQueue<'_>, own: &Own) {
    let Some(mac) = own.mac else { return };
    for address in own.addresses.iter().flatten() {
        let Some(mut room) = queue.reserve() else { return };
        let len = match *address {
            IpAddress::Ipv4(a) => arp_answer(room.buf(), mac, a, a),
            #[cfg(feature = "ipv6")]
            IpAddress::Ipv6(a) => neighbour_advert(room.buf(), mac, a, a),
        };
        room.commit(len);
    }
}

/// The board's device with its traffic to itself kept in the loop queue.
pub(super) struct SelfLink<'q, D> {
    inner: &'q mut D,
    queue: &'q LoopQueue<'q>,
    /// Who the board is, lent to every token: a copy per frame showed as
    /// 2.6 instructions per byte received and 3.6 per byte sent.
    own: &'q Own,
    /// The device had nothing to receive: only the loop queue is read until
    /// the caller clears this (once per pump, so that talking to itself does
    /// not cost a device read per round).
    drained: &'q Cell<bool>,
}

impl<'q, D: Device> SelfLink<'q, D> {
    /// Wraps `inner`, looping through `queue` what is for `own`.
    pub(super) fn new(inner: &'q mut D, queue: &'q LoopQueue<'q>, own: &'q Own, drained: &'q Cell<bool>) -> Self {
        SelfLink { inner, queue, own, drained }
    }
}

/// A received frame: from the loop queue, or from the device.
pub(super) enum SelfRx<'q, T> {
    /// The oldest frame to itself.
    Loop(&'q LoopQueue<'q>),
    /// From the device; with `Some(own)`, dropped when it claims a loopback address.
    Device(T, Option<&'q Own>),
}

/// Room for one frame to send, to the loop queue or the device.
pub(super) struct SelfTx<'q, T> {
    inner: T,
    queue: &'q LoopQueue<'q>,
    own: &'q Own,
}

impl<T: RxToken> RxToken for SelfRx<'_, T> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        match self {
            // Not empty: receive() hands out a Loop token only then, and only it reads.
            SelfRx::Loop(queue) => queue.read(f).unwrap_or_else(|f| f(&[])),
            SelfRx::Device(inner, None) => inner.consume(f),
            // smoltcp discards an empty frame without a reply.
            SelfRx::Device(inner, Some(own)) => inner.consume(|frame| if own.martian(frame) { f(&[]) } else { f(frame) }),
        }
    }

    fn meta(&self) -> PacketMeta {
        match self {
            SelfRx::Loop(_) => PacketMeta::default(),
            SelfRx::Device(inner, _) => inner.meta(),
        }
    }
}

impl<T: TxToken> TxToken for SelfTx<'_, T> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let SelfTx { inner, queue, own } = self;
        // Without a queue (or, not reached, a frame over the MTU) the device takes the frame as it is.
        let Some(mut room) = queue.reserve().filter(|_| len <= queue.max_frame()) else { return inner.consume(len, f) };
        let result = f(&mut room.buf()[..len]);
        match own.keeps_frame(room.buf(), len) {
            Some(queued) => room.commit(queued),
            None => inner.consume(len, |out| out.copy_from_slice(&room.buf()[..len])),
        }
        result
    }

    fn set_meta(&mut self, meta: PacketMeta) {
        self.inner.set_meta(meta);
    }
}

impl<'q, D: Device> Device for SelfLink<'q, D> {
    type RxToken<'t>
        = SelfRx<'t, D::RxToken<'t>>
    where
        Self: 't;
    type TxToken<'t>
        = SelfTx<'t, D::TxToken<'t>>
    where
        Self: 't;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let (queue, own) = (self.queue, self.own);
        if !queue.enabled() {
            return self.inner.receive(timestamp).map(|(rx, inner)| (SelfRx::Device(rx, None), SelfTx { inner, queue, own }));
        }
        if !queue.is_empty() {
            // A reply may go to the wire: wait for the device's room like any frame.
            let inner = self.inner.transmit(timestamp)?;
            return Some((SelfRx::Loop(queue), SelfTx { inner, queue, own }));
        }
        if self.drained.get() {
            return None;
        }
        let received = self.inner.receive(timestamp);
        self.drained.set(received.is_none());
        received.map(|(rx, inner)| (SelfRx::Device(rx, Some(own)), SelfTx { inner, queue, own }))
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        let (queue, own) = (self.queue, self.own);
        self.inner.transmit(timestamp).map(|inner| SelfTx { inner, queue, own })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

#[cfg(all(test, feature = "ipv6"))]
mod tests {
    use smoltcp::wire::{Ipv4Repr, RawHardwareAddress};

    use super::*;

    const MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 2]);
    const PEER_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 1]);
    const V4: Ipv4Address = Ipv4Address::new(192, 0, 2, 2);
    const PEER_V4: Ipv4Address = Ipv4Address::new(192, 0, 2, 1);
    const V6: Ipv6Address = Ipv6Address::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
    const PEER_V6: Ipv6Address = Ipv6Address::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);

    fn own() -> Own {
        let mut addresses = [None; IFACE_MAX_ADDR_COUNT];
        for (slot, a) in addresses.iter_mut().zip([V4.into(), V6.into(), LOOPBACK[0].address(), LOOPBACK[1].address()]) {
            *slot = Some(a);
        }
        Own { mac: Some(MAC), addresses }
    }

    /// An Ethernet frame to `dst` with an IPv4/UDP-sized packet from `src` to `to`.
    fn ipv4_frame(dst: EthernetAddress, src: Ipv4Address, to: Ipv4Address) -> [u8; 42] {
        let mut frame = [0u8; 42];
        let mut eth = EthernetFrame::new_unchecked(&mut frame[..]);
        eth.set_dst_addr(dst);
        eth.set_src_addr(MAC);
        eth.set_ethertype(EthernetProtocol::Ipv4);
        let ip = Ipv4Repr { src_addr: src, dst_addr: to, next_header: IpProtocol::Udp, payload_len: 8, hop_limit: 64 };
        ip.emit(&mut Ipv4Packet::new_unchecked(&mut frame[14..34]), &ChecksumCapabilities::default());
        frame
    }

    fn arp_request(target: Ipv4Address) -> [u8; 42] {
        let mut frame = [0u8; 42];
        let mut eth = EthernetFrame::new_unchecked(&mut frame[..]);
        eth.set_dst_addr(EthernetAddress::BROADCAST);
        eth.set_src_addr(MAC);
        eth.set_ethertype(EthernetProtocol::Arp);
        let arp = ArpRepr::EthernetIpv4 {
            operation: ArpOperation::Request,
            source_hardware_addr: MAC,
            source_protocol_addr: V4,
            target_hardware_addr: EthernetAddress::BROADCAST,
            target_protocol_addr: target,
        };
        arp.emit(&mut ArpPacket::new_unchecked(eth.payload_mut()));
        frame
    }

    /// A neighbour solicitation from `src` for `target`, as smoltcp sends it (with its MAC).
    fn solicitation(src: Ipv6Address, target: Ipv6Address) -> [u8; 86] {
        let ns = Icmpv6Repr::Ndisc(NdiscRepr::NeighborSolicit { target_addr: target, lladdr: Some(RawHardwareAddress::from(MAC)) });
        let t = target.octets();
        let dst = Ipv6Address::new(0xff02, 0, 0, 0, 0, 1, 0xff00 | u16::from(t[13]), u16::from_be_bytes([t[14], t[15]]));
        let ip = Ipv6Repr { src_addr: src, dst_addr: dst, next_header: IpProtocol::Icmpv6, payload_len: ns.buffer_len(), hop_limit: 255 };
        let mut frame = [0u8; 86];
        let mut eth = EthernetFrame::new_unchecked(&mut frame[..]);
        let o = dst.octets();
        eth.set_dst_addr(EthernetAddress([0x33, 0x33, o[12], o[13], o[14], o[15]]));
        eth.set_src_addr(MAC);
        eth.set_ethertype(EthernetProtocol::Ipv6);
        let mut packet = Ipv6Packet::new_unchecked(eth.payload_mut());
        ip.emit(&mut packet);
        ns.emit(&src, &dst, &mut Icmpv6Packet::new_unchecked(packet.payload_mut()), &ChecksumCapabilities::default());
        frame
    }

    /// Classifies `frame` as the transmit path does, in a room of a full frame.
    fn classify(frame: &[u8]) -> (Option<usize>, [u8; 1514]) {
        let mut room = [0u8; 1514];
        room[..frame.len()].copy_from_slice(frame);
        (own().keeps_frame(&mut room, frame.len()), room)
    }

    #[test]
    fn frames_for_the_board_itself_stay_and_the_rest_goes_to_the_wire() {
        assert_eq!(classify(&ipv4_frame(MAC, PEER_V4, V4)).0, Some(42), "to its own MAC");
        assert_eq!(classify(&ipv4_frame(PEER_MAC, V4, PEER_V4)).0, None, "to a neighbour");
        assert_eq!(classify(&arp_request(PEER_V4)).0, None, "a question about a neighbour");
        assert_eq!(classify(&solicitation(V6, PEER_V6)).0, None, "a question about a neighbour");
        for (src, to) in [(V4, V4), (Ipv4Address::new(127, 0, 0, 1), Ipv4Address::new(127, 0, 0, 1)), (V4, Ipv4Address::new(127, 0, 0, 9))] {
            // Whatever MAC the neighbour cache gave, the frame is delivered to the board.
            let (kept, room) = classify(&ipv4_frame(PEER_MAC, src, to));
            assert_eq!(kept, Some(42), "{src} -> {to}");
            assert_eq!(EthernetFrame::new_unchecked(&room[..]).dst_addr(), MAC, "{src} -> {to}");
        }
        assert_eq!(classify(&ipv4_frame(PEER_MAC, Ipv4Address::new(127, 0, 0, 1), PEER_V4)).0, Some(42), "a loopback source never leaves");
    }

    #[test]
    fn questions_about_its_own_addresses_are_answered_at_once() {
        for target in [V4, Ipv4Address::new(127, 0, 0, 1)] {
            let (len, room) = classify(&arp_request(target));
            let eth = EthernetFrame::new_checked(&room[..len.expect("answered")]).unwrap();
            assert_eq!((eth.dst_addr(), eth.ethertype()), (MAC, EthernetProtocol::Arp));
            let reply = ArpRepr::parse(&ArpPacket::new_checked(eth.payload()).unwrap()).unwrap();
            assert!(matches!(reply, ArpRepr::EthernetIpv4 {
                operation: ArpOperation::Reply, source_hardware_addr: MAC, source_protocol_addr, target_protocol_addr: V4, ..
            } if source_protocol_addr == target));
        }
        for (asker, target) in [(V6, V6), (Ipv6Address::LOCALHOST, Ipv6Address::LOCALHOST)] {
            let (len, room) = classify(&solicitation(asker, target));
            let eth = EthernetFrame::new_checked(&room[..len.expect("answered")]).unwrap();
            assert_eq!(eth.dst_addr(), MAC);
            let ip = Ipv6Packet::new_checked(eth.payload()).unwrap();
            assert_eq!((ip.src_addr(), ip.dst_addr(), ip.hop_limit()), (target, asker, 255));
            let icmp = Icmpv6Packet::new_checked(ip.payload()).unwrap();
            let advert = Icmpv6Repr::parse(&ip.src_addr(), &ip.dst_addr(), &icmp, &ChecksumCapabilities::default()).expect("valid checksum");
            assert_eq!(
                advert,
                Icmpv6Repr::Ndisc(NdiscRepr::NeighborAdvert {
                    flags: NdiscNeighborFlags::SOLICITED | NdiscNeighborFlags::OVERRIDE,
                    target_addr: target,
                    lladdr: Some(RawHardwareAddress::from(MAC)),
                })
            );
        }
    }

    #[test]
    fn ip_medium_keeps_packets_to_itself() {
        let own = Own { mac: None, ..own() };
        for (to, kept) in [(Ipv4Address::new(127, 0, 0, 1), true), (V4, true), (PEER_V4, false)] {
            let mut room = [0u8; 1500];
            room[..28].copy_from_slice(&ipv4_frame(MAC, V4, to)[14..]);
            assert_eq!(own.keeps_frame(&mut room, 28).is_some(), kept, "to {to}");
        }
    }

    #[test]
    fn frames_from_the_wire_with_loopback_addresses_are_martians() {
        let lo = Ipv4Address::new(127, 0, 0, 1);
        assert!(own().martian(&ipv4_frame(MAC, lo, V4)), "from 127.0.0.1");
        assert!(own().martian(&ipv4_frame(MAC, PEER_V4, lo)), "to 127.0.0.1");
        assert!(own().martian(&arp_request(lo)), "ARP about 127.0.0.1");
        assert!(own().martian(&solicitation(Ipv6Address::LOCALHOST, V6)), "from ::1");
        assert!(!own().martian(&ipv4_frame(MAC, PEER_V4, V4)));
        assert!(!own().martian(&arp_request(V4)));
        assert!(!own().martian(&solicitation(PEER_V6, V6)));
        assert!(Own { mac: None, ..own() }.martian(&ipv4_frame(MAC, lo, V4)[14..]));
    }

    #[test]
    fn priming_queues_one_answer_per_own_address() {
        let mut bytes = [0u8; 4 * 1518];
        let queue = LoopQueue::new(&mut bytes, 1514);
        prime(&queue, &own());
        let mut answers = 0;
        while queue.read(|frame| assert!(EthernetFrame::new_checked(frame).is_ok_and(|f| f.dst_addr() == MAC))).is_ok() {
            answers += 1;
        }
        assert_eq!(answers, 4);
        prime(&queue, &Own { mac: None, ..own() });
        assert!(queue.is_empty(), "nothing to prime on IP medium");
    }
}
