//! What a board gives the stack: a network device, a monotonic clock, a way to
//! wait for events, and its network configuration.

pub(crate) mod info;
mod memory;
mod static_memory;

#[cfg(feature = "std")]
pub use memory::HostMemory;
pub use memory::{Memory, MemoryError};
pub use static_memory::StaticMemory;

use smoltcp::phy::Device;
#[cfg(feature = "ipv6")]
use smoltcp::wire::Ipv6Address;
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, Ipv4Address};

use crate::leaves::time::{BoardTime, Interrupted};

/// Addresses, routes and name servers of a board's interface (IPv6 ones
/// only with the `ipv6` feature).
///
/// A board's [`Board::net`] returns it, usually from its board file
/// ([`BoardInfo::net`](crate::BoardInfo::net)), adjusted at run time.
///
/// # Examples
///
/// ```
/// use usocket_runtime::boards::C_PORT_MINIMAL;
/// use usocket_runtime::smoltcp::wire::{EthernetAddress, HardwareAddress};
///
/// // This board's MAC comes from the firmware (e.g. from its flash).
/// let net = C_PORT_MINIMAL.net(Some([2, 0, 0, 0, 0, 7]), 0x5eed);
/// assert_eq!(net.hardware, HardwareAddress::Ethernet(EthernetAddress([2, 0, 0, 0, 0, 7])));
/// assert_eq!(net.random_seed, 0x5eed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetConfig {
    /// The interface's hardware address (`HardwareAddress::Ip` for IP-medium devices).
    pub hardware: HardwareAddress,
    /// Interface addresses with their prefixes.
    pub addresses: [Option<IpCidr>; 4],
    /// IPv4 default gateway.
    pub gateway_v4: Option<Ipv4Address>,
    /// IPv6 default gateway.
    #[cfg(feature = "ipv6")]
    pub gateway_v6: Option<Ipv6Address>,
    /// DNS servers for getaddrinfo().
    pub dns_servers: [Option<IpAddress>; 2],
    /// Seed for TCP sequence numbers and the first ephemeral port; differ per boot.
    pub random_seed: u64,
}

/// A board: the device the stack drives, and its time.
///
/// A firmware implements it once over its driver; the runtime asks nothing
/// else of the hardware. `usocket-host`'s `AnyBoard` is a complete one.
///
/// # Examples
///
/// An Ethernet board (as `C_PORT_MINIMAL`'s board file says) whose device drops every frame, with a clock the wait advances:
/// frames to 127.0.0.1 never reach the device (the stack's loop queue has
/// them), so TCP over loopback already works on it.
///
/// ```
/// use core::cell::{Cell, RefCell};
/// use usocket_runtime::net::{TcpListener, TcpStream};
/// use usocket_runtime::smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
/// use usocket_runtime::smoltcp::time::{Duration, Instant};
/// use usocket_runtime::{Board, BoardTime, Interrupted, NetConfig, Stack, boards::C_PORT_MINIMAL, static_memory};
///
/// /// Sends into the void, never receives.
/// struct Void([u8; 1514]);
/// struct NoRx;
/// struct Tx<'a>(&'a mut [u8]);
///
/// impl phy::RxToken for NoRx {
///     fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
///         f(&[])
///     }
/// }
/// impl phy::TxToken for Tx<'_> {
///     fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
///         f(&mut self.0[..len])
///     }
/// }
/// impl Device for Void {
///     type RxToken<'a> = NoRx;
///     type TxToken<'a> = Tx<'a>;
///     fn receive(&mut self, _: Instant) -> Option<(NoRx, Tx<'_>)> {
///         None
///     }
///     fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
///         Some(Tx(&mut self.0))
///     }
///     fn capabilities(&self) -> DeviceCapabilities {
///         let mut caps = DeviceCapabilities::default();
///         (caps.medium, caps.max_transmission_unit) = (Medium::Ethernet, 1514);
///         caps
///     }
/// }
///
/// struct VoidBoard {
///     device: Void,
///     now: Cell<BoardTime>,
/// }
///
/// impl Board for VoidBoard {
///     type Device = Void;
///     fn device(&mut self) -> &mut Void {
///         &mut self.device
///     }
///     fn net(&self) -> NetConfig {
///         // The board file's addresses; the seed should differ per boot.
///         C_PORT_MINIMAL.net(Some([2, 0, 0, 0, 0, 1]), 42)
///     }
///     fn now(&self) -> BoardTime {
///         self.now.get()
///     }
///     fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
///         // A firmware sleeps until its device's interrupt or `until`;
///         // nothing comes here, so time jumps (at most 1 ms).
///         let (now, step) = (self.now.get(), self.now.get() + Duration::from_millis(1));
///         self.now.set(until.unwrap_or(step).clamp(now, step));
///         Ok(())
///     }
/// }
///
/// let board = VoidBoard { device: Void([0; 1514]), now: Cell::new(BoardTime::ZERO) };
/// let memory = static_memory!(C_PORT_MINIMAL.config).unwrap();
/// let stack = RefCell::new(Stack::new(memory, board, C_PORT_MINIMAL.config).unwrap());
///
/// let listener = TcpListener::bind(&stack, "127.0.0.1:7000".parse().unwrap()).unwrap();
/// let client = TcpStream::connect(&stack, listener.local_addr().unwrap()).unwrap();
/// let (server, _) = listener.accept().unwrap();
/// client.send_all(b"hi").unwrap();
/// let mut buf = [0; 8];
/// assert_eq!(server.recv(&mut buf), Ok(2));
/// assert!(stack.borrow().loopback_stats().looped > 0);
/// ```
pub trait Board {
    /// The network device.
    type Device: Device;
    /// The device, for the stack to poll.
    fn device(&mut self) -> &mut Self::Device;
    /// The interface configuration.
    fn net(&self) -> NetConfig;
    /// The board's monotonic clock (microseconds since an arbitrary start).
    fn now(&self) -> BoardTime;
    /// Waits until `until` (None: no deadline) or until a frame may have
    /// arrived, whichever is first. Spurious returns are fine. `Err(Interrupted)`
    /// gives up the wait (the operation returns EINTR).
    fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted>;
}
