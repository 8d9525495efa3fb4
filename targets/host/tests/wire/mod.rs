//! A recorded Ethernet wire for tests without root: a device that keeps every
//! frame the stack sends and hands it only the frames a test (or a fake peer)
//! puts there. Shared by `selflink.rs` and `dhcp_wire.rs`.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use usocket_host::smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use usocket_host::smoltcp::time::Instant as SmolInstant;

/// What crossed the wire: frames sent, and frames to deliver.
#[derive(Default)]
pub struct Frames {
    /// Every frame the board sent, in order.
    pub sent: Vec<Vec<u8>>,
    /// Frames for the board, oldest first.
    pub incoming: VecDeque<Vec<u8>>,
    /// The device has no room to send or receive (as a MAC with its rings full).
    pub busy: bool,
}

/// The state behind a wire: its frames, and whatever a test keeps beside them.
pub trait Link {
    /// The frames.
    fn frames(&mut self) -> &mut Frames;
}

impl Link for Frames {
    fn frames(&mut self) -> &mut Frames {
        self
    }
}

/// An Ethernet device (MTU 1500) over a shared [`Link`].
pub struct Wire<L> {
    pub link: Rc<RefCell<L>>,
    buf: Vec<u8>,
}

impl<L> Wire<L> {
    /// The device over `link`.
    pub fn new(link: Rc<RefCell<L>>) -> Self {
        Wire { link, buf: vec![] }
    }
}

/// A frame from the wire.
pub struct WireRx(Vec<u8>);

/// Room for a frame to the wire.
pub struct WireTx<'a, L>(&'a mut Vec<u8>, &'a RefCell<L>);

impl phy::RxToken for WireRx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl<L: Link> phy::TxToken for WireTx<'_, L> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.0.resize(len, 0);
        let r = f(self.0);
        self.1.borrow_mut().frames().sent.push(self.0.clone());
        r
    }
}

impl<L: Link> Device for Wire<L> {
    type RxToken<'a>
        = WireRx
    where
        L: 'a;
    type TxToken<'a>
        = WireTx<'a, L>
    where
        L: 'a;

    fn receive(&mut self, _: SmolInstant) -> Option<(WireRx, WireTx<'_, L>)> {
        let frame = {
            let mut link = self.link.borrow_mut();
            let frames = link.frames();
            if frames.busy {
                return None;
            }
            frames.incoming.pop_front()?
        };
        Some((WireRx(frame), WireTx(&mut self.buf, &self.link)))
    }

    fn transmit(&mut self, _: SmolInstant) -> Option<WireTx<'_, L>> {
        let busy = self.link.borrow_mut().frames().busy;
        (!busy).then(|| WireTx(&mut self.buf, &self.link))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps
    }
}
