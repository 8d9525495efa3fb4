//! The c-port board: a smoltcp device over the receive ring and the firmware's
//! transmit, and the firmware's clock and wait.

use usocket_runtime::smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use usocket_runtime::smoltcp::time::Instant;
use usocket_runtime::{Board, BoardTime, Errno, Interrupted, NetConfig};

use crate::ring::RX;
use crate::{BOARD, FRAME_BYTES, port};

/// The device: frames from the ring, frames out through `usocket_port_transmit`
/// (built in the static transmit buffer).
pub struct PortDevice {
    tx: &'static mut [u8; FRAME_BYTES],
}

/// A received frame, taken off the ring when consumed.
pub struct PortRx;

/// Room for one frame to send.
pub struct PortTx<'a> {
    buf: &'a mut [u8; FRAME_BYTES],
}

impl phy::RxToken for PortRx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        match RX.pop(f) {
            Ok(r) => r,
            // Not reached: receive() hands out a token only when a frame waits,
            // and only the stack (under its lock) pops. An empty frame is dropped.
            Err(f) => f(&[]),
        }
    }
}

impl phy::TxToken for PortTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let len = len.min(FRAME_BYTES);
        let result = f(&mut self.buf[..len]);
        // A full transmit ring drops the frame, as a busy link would; TCP resends.
        port::transmit(&self.buf[..len]);
        result
    }
}

impl Device for PortDevice {
    type RxToken<'a> = PortRx;
    type TxToken<'a> = PortTx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(PortRx, PortTx<'_>)> {
        if RX.is_empty() {
            return None;
        }
        Some((PortRx, PortTx { buf: &mut *self.tx }))
    }

    fn transmit(&mut self, _: Instant) -> Option<PortTx<'_>> {
        Some(PortTx { buf: &mut *self.tx })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = if BOARD.ethernet { Medium::Ethernet } else { Medium::Ip };
        caps.max_transmission_unit = FRAME_BYTES;
        caps
    }
}

/// The board: the device, the MAC the firmware gave, and the boot seed.
///
/// `usocket_port_start()` makes the one board of a build in static memory;
/// [`PortBackend`](crate::PortBackend)'s example runs it.
pub struct PortBoard {
    device: PortDevice,
    mac: Option<[u8; 6]>,
    seed: u64,
}

impl PortBoard {
    /// The board with its transmit buffer, the firmware's MAC (for boards that
    /// take it) and seed.
    pub fn new(tx: &'static mut [u8; FRAME_BYTES], mac: Option<[u8; 6]>, seed: u64) -> PortBoard {
        PortBoard { device: PortDevice { tx }, mac, seed }
    }
}

impl Board for PortBoard {
    type Device = PortDevice;

    fn device(&mut self) -> &mut PortDevice {
        &mut self.device
    }

    fn net(&self) -> NetConfig {
        BOARD.net(self.mac, self.seed)
    }

    fn now(&self) -> BoardTime {
        BoardTime::from_micros(port::now_us())
    }

    fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        wait(until)
    }
}

/// Waits in the firmware's `usocket_port_wait` until `until` (None: no
/// deadline) or a frame: at once when frames are already in the ring. The
/// board's wait and the platform's sleep both come here, the one place where
/// board time becomes the port's integer microseconds (`UINT64_MAX`: none).
pub(crate) fn wait(until: Option<BoardTime>) -> Result<(), Interrupted> {
    // Frames already in the ring: the stack has work at once.
    if !RX.is_empty() {
        return Ok(());
    }
    if port::wait(until.map_or(u64::MAX, BoardTime::as_micros)) == -Errno::EINTR.value() { Err(Interrupted) } else { Ok(()) }
}
