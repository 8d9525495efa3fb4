//! The loopback board: an in-process IP link to itself with 127.0.0.1/8 and
//! ::1, no privileges, no traffic outside the process.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::vec::Vec;

use usocket_runtime::NetConfig;
use usocket_runtime::smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use usocket_runtime::smoltcp::time::Instant;

/// Largest IP packet on the loopback link (as Linux's `lo`).
pub const LOOPBACK_MTU: usize = usocket_runtime::boards::HOST_LOOPBACK.mtu;

/// Packets sent to itself (buffer, length), and spare buffers so that sending
/// neither allocates nor clears memory.
///
/// # Examples
///
/// What is sent is received, in order:
///
/// ```
/// use usocket_host::loopback::{LOOPBACK_MTU, LoopbackDevice};
/// use usocket_host::smoltcp::phy::{Device, RxToken, TxToken};
/// use usocket_host::smoltcp::time::Instant;
///
/// let mut device = LoopbackDevice::new(LOOPBACK_MTU);
/// let tx = device.transmit(Instant::ZERO).unwrap();
/// tx.consume(3, |buf| buf.copy_from_slice(b"abc"));
/// assert!(device.has_pending());
/// let (rx, _tx) = device.receive(Instant::ZERO).unwrap();
/// assert_eq!(rx.consume(|frame| frame.to_vec()), b"abc");
/// ```
#[derive(Debug, Default)]
pub struct LoopbackDevice {
    queue: VecDeque<(Vec<u8>, usize)>,
    spare: RefCell<Vec<Vec<u8>>>,
    mtu: usize,
}

impl LoopbackDevice {
    /// An empty link with this MTU.
    pub fn new(mtu: usize) -> Self {
        LoopbackDevice { queue: VecDeque::new(), spare: RefCell::default(), mtu }
    }
}

/// A packet taken off the loopback queue.
pub struct LoopbackRx<'a> {
    packet: (Vec<u8>, usize),
    spare: &'a RefCell<Vec<Vec<u8>>>,
}

/// Room for one packet on the loopback queue.
pub struct LoopbackTx<'a> {
    queue: &'a mut VecDeque<(Vec<u8>, usize)>,
    spare: &'a RefCell<Vec<Vec<u8>>>,
}

impl phy::RxToken for LoopbackRx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        let (buffer, len) = self.packet;
        let result = f(&buffer[..len]);
        self.spare.borrow_mut().push(buffer);
        result
    }
}

impl phy::TxToken for LoopbackTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut buffer = self.spare.borrow_mut().pop().unwrap_or_default();
        if buffer.len() < len {
            // Buffers only grow (to the MTU): reuse never clears them again.
            buffer.resize(len, 0);
        }
        let result = f(&mut buffer[..len]);
        self.queue.push_back((buffer, len));
        result
    }
}

impl Device for LoopbackDevice {
    type RxToken<'a> = LoopbackRx<'a>;
    type TxToken<'a> = LoopbackTx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(LoopbackRx<'_>, LoopbackTx<'_>)> {
        let packet = self.queue.pop_front()?;
        Some((LoopbackRx { packet, spare: &self.spare }, LoopbackTx { queue: &mut self.queue, spare: &self.spare }))
    }

    fn transmit(&mut self, _: Instant) -> Option<LoopbackTx<'_>> {
        Some(LoopbackTx { queue: &mut self.queue, spare: &self.spare })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ip;
        caps.max_transmission_unit = self.mtu;
        // Nothing corrupts packets in memory.
        caps.checksum = phy::ChecksumCapabilities::ignored();
        caps
    }
}

impl LoopbackDevice {
    /// Are packets waiting to be received?
    pub fn has_pending(&self) -> bool {
        !self.queue.is_empty()
    }
}

/// The loopback interface, as `spec/boards/host-loopback.toml` sets it up.
///
/// # Examples
///
/// ```
/// use usocket_host::loopback::loopback_net;
/// use usocket_host::smoltcp::wire::{IpCidr, Ipv4Address, Ipv4Cidr};
///
/// let net = loopback_net();
/// let lo = IpCidr::Ipv4(Ipv4Cidr::new(Ipv4Address::new(127, 0, 0, 1), 8));
/// assert!(net.addresses.contains(&Some(lo)), "{:?}", net.addresses);
/// ```
pub fn loopback_net() -> NetConfig {
    usocket_runtime::boards::HOST_LOOPBACK.net(None, crate::seed())
}
