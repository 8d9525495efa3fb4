//! What a board file (`spec/boards/*.toml`) says, as the generated
//! `boards` module gives it: medium, MTU, MAC, clock, addressing, DNS, the
//! runtime features it needs and the stack's [`Config`]. Addresses are
//! `core::net`'s, so every board compiles into every build, with or without IPv6.

use core::net::IpAddr;

use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr};

use crate::board::NetConfig;
use crate::config::Config;
use crate::features::Features;
use crate::leaves::addr::smoltcp_ip;

/// How one address family is set up (from `usocket-config`, which the generator shares).
pub use usocket_config::Addressing;

/// One board, as its board file describes it.
///
/// The generated [`boards`](crate::boards) module has one per board file; a
/// firmware starts its stack from it and refuses a build that lacks a part it needs.
///
/// # Examples
///
/// ```
/// use usocket_runtime::{Addressing, Features, boards::C_PORT_MINIMAL};
///
/// let board = C_PORT_MINIMAL;
/// assert_eq!(board.features.missing_from(&Features::BUILT), None, "this build runs {}", board.name);
/// assert_eq!(board.ipv6, Addressing::None);
/// assert!(board.config.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardInfo {
    /// Board name (`host-loopback`).
    pub name: &'static str,
    /// Backend: `loopback`, `tap` or `c-port`.
    pub backend: &'static str,
    /// Ethernet frames (true) or IP packets.
    pub ethernet: bool,
    /// Largest IP packet.
    pub mtu: usize,
    /// A fixed MAC; None on IP medium or when the firmware supplies it.
    pub mac: Option<[u8; 6]>,
    /// Time comes from the firmware through the frame port.
    pub port_clock: bool,
    /// IPv4 setup.
    pub ipv4: Addressing,
    /// IPv6 setup.
    pub ipv6: Addressing,
    /// DNS servers.
    pub dns: &'static [IpAddr],
    /// The runtime features the board file needs (a build must have at least these).
    pub features: Features,
    /// The stack's sizes and timings.
    pub config: Config,
    /// RAM the stack needs, from the spec's per-item costs: on a c-port
    /// board its statics on the board's 32-bit firmware target (frame buffers
    /// included), elsewhere on a 64-bit host.
    pub ram_bytes: usize,
    /// c-port boards: received frames the port's ring holds (0 elsewhere).
    pub rx_frames: usize,
}

impl BoardInfo {
    /// The interface settings: static addresses and gateways (a DHCP family
    /// starts without any), DNS servers, and the hardware address (`port_mac`
    /// when the board's MAC comes from the firmware). IPv6 settings need the
    /// `ipv6` feature; a build without it (see [`BoardInfo::features`]) has none.
    pub fn net(&self, port_mac: Option<[u8; 6]>, random_seed: u64) -> NetConfig {
        let mut addresses = [None; 4];
        let mut gateway_v4 = None;
        #[cfg(feature = "ipv6")]
        let mut gateway_v6 = None;
        for (slot, family) in addresses.iter_mut().zip([self.ipv4, self.ipv6]) {
            if let Addressing::Static { address, prefix, gateway } = family {
                *slot = smoltcp_ip(address).map(|a| IpCidr::new(a, prefix));
                match gateway {
                    Some(IpAddr::V4(g)) => gateway_v4 = Some(g),
                    #[cfg(feature = "ipv6")]
                    Some(IpAddr::V6(g)) => gateway_v6 = Some(g),
                    _ => {}
                }
            }
        }
        let mut dns_servers = [None; 2];
        for (slot, server) in dns_servers.iter_mut().zip(self.dns.iter().filter_map(|&s| smoltcp_ip(s))) {
            *slot = Some(server);
        }
        let hardware = match (self.ethernet, self.mac.or(port_mac)) {
            (true, Some(mac)) => HardwareAddress::Ethernet(EthernetAddress(mac)),
            // No MAC from a port that should give one: a locally administered placeholder.
            (true, None) => HardwareAddress::Ethernet(EthernetAddress([0x02, 0, 0, 0, 0, 1])),
            (false, _) => HardwareAddress::Ip,
        };
        NetConfig {
            hardware,
            addresses,
            gateway_v4,
            #[cfg(feature = "ipv6")]
            gateway_v6,
            dns_servers,
            random_seed,
        }
    }
}
