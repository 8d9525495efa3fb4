//! What a board gives the stack: a network device, a monotonic clock, a way to
//! wait for events, and its network configuration.

use smoltcp::phy::Device;
#[cfg(feature = "ipv6")]
use smoltcp::wire::Ipv6Address;
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, Ipv4Address};

use crate::time::Interrupted;

/// Addresses, routes and name servers of a board's interface (IPv6 ones
/// only with the `ipv6` feature).
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
pub trait Board {
    /// The network device.
    type Device: Device;
    /// The device, for the stack to poll.
    fn device(&mut self) -> &mut Self::Device;
    /// The interface configuration.
    fn net(&self) -> NetConfig;
    /// Monotonic microseconds since an arbitrary start.
    fn now_us(&self) -> u64;
    /// Waits until `until_us` (None: no deadline) or until a frame may have
    /// arrived, whichever is first. Spurious returns are fine. `Err(Interrupted)`
    /// gives up the wait (the operation returns EINTR).
    fn wait(&mut self, until_us: Option<u64>) -> Result<(), Interrupted>;
}
