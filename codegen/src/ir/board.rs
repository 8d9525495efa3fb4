//! A validated board (`spec/boards/*.toml`): what it is and its stack's
//! config, and the facts that follow from it (features, pointer width, frame size).

use std::net::IpAddr;

use serde::Serialize;
pub use usocket_config::Addressing;
use usocket_config::{Config, Feature, Features};

/// A validated board.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    /// Name (`host-loopback`).
    pub name: String,
    /// What it is.
    pub doc: String,
    /// `loopback`, `tap` or `c-port`.
    pub backend: String,
    /// Ethernet (true) or IP medium.
    pub ethernet: bool,
    /// MTU.
    pub mtu: u32,
    /// Fixed MAC; None on IP medium or when the port supplies it.
    pub mac: Option<[u8; 6]>,
    /// The clock comes from the port (not the host).
    pub port_clock: bool,
    /// RAM limit, if the board states one.
    pub ram_limit: Option<usize>,
    /// The firmware target (c-port boards); None: a host board.
    pub target: Option<String>,
    /// Frames of the receive ring (c-port boards; 0 elsewhere).
    pub rx_frames: usize,
    /// DNS servers.
    pub dns: Vec<IpAddr>,
    /// IPv4.
    pub ipv4: Addressing,
    /// IPv6.
    pub ipv6: Addressing,
    /// The stack's sizes and timings: the runtime's `Config` for it.
    pub config: Config,
}

/// The runtime's optional cargo features (`runtime/Cargo.toml`), in the
/// order [`Board::features`] lists them.
pub const FEATURES: [&str; 5] = Feature::NAMES;

/// Pointer width of host boards: their costs are measured on a 64-bit host.
pub const HOST_POINTER_BITS: u64 = 64;

impl Board {
    /// The runtime features this board's file needs: `ipv6` unless its IPv6
    /// mode is `none`, `dns` with DNS queries, `dhcpv4` with a DHCP client
    /// (IPv4 mode `dhcp`, or `static` with `dhcp = true`), `raw` with raw sockets,
    /// `multicast` with multicast groups. The one place this follows from a board file:
    /// its generated `BoardInfo`, C header and docs page say it, and xtask
    /// builds a board's firmware with `--features` of exactly these.
    pub fn features(&self) -> Vec<&'static str> {
        let needs = Features { ipv6: self.ipv6 != Addressing::None, ..self.config.needs() };
        Feature::ALL.into_iter().filter(|&f| needs.has(f)).map(Feature::name).collect()
    }

    /// The pointer width of the machine the board runs on: its firmware
    /// target's, or the host's.
    pub fn pointer_bits(&self) -> u64 {
        self.target.as_deref().and_then(crate::targets::find).map_or(HOST_POINTER_BITS, |t| t.pointer_bits)
    }

    /// The largest frame: the MTU plus the Ethernet header on Ethernet boards.
    pub fn frame_bytes(&self) -> usize {
        frame_bytes(self.mtu, self.ethernet)
    }
}

/// The largest frame of a link: the MTU plus the Ethernet header on Ethernet.
pub fn frame_bytes(mtu: u32, ethernet: bool) -> usize {
    mtu as usize + if ethernet { 14 } else { 0 }
}
