//! Sizes and timings of a stack. A board file (`spec/boards/`) chooses them
//! (see [`crate::boards`]); [`Memory`](crate::Memory) provides storage of exactly
//! these sizes, so the runtime never allocates.

use crate::features::{Feature, Features};

/// Sizes and timings of one stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// File descriptors: open sockets of any kind.
    pub sockets: usize,
    /// smoltcp TCP sockets: connected, listening, queued for accept() and lingering after close().
    pub tcp_sockets: usize,
    /// Receive buffer per TCP socket, in bytes.
    pub tcp_rx_bytes: usize,
    /// Transmit buffer per TCP socket, in bytes.
    pub tcp_tx_bytes: usize,
    /// smoltcp UDP sockets.
    pub udp_sockets: usize,
    /// Receive payload buffer per UDP socket, in bytes.
    pub udp_rx_bytes: usize,
    /// Transmit payload buffer per UDP socket, in bytes.
    pub udp_tx_bytes: usize,
    /// Datagrams queued per UDP socket and direction.
    pub udp_packets: usize,
    /// smoltcp raw IP sockets (more than 0 needs the `raw` feature).
    pub raw_sockets: usize,
    /// Receive and transmit buffer per raw socket, in bytes (each).
    pub raw_bytes: usize,
    /// Packets queued per raw socket and direction.
    pub raw_packets: usize,
    /// Bytes of the loop queue: frames the board sends to itself (127.0.0.1,
    /// ::1, its own addresses) wait there to be received, never reaching the
    /// device. 0: none, for a device that is itself a loopback link.
    pub loopback_bytes: usize,
    /// DNS queries in flight (0: no DNS, names give EAI_FAIL; more needs the `dns` feature).
    pub dns_queries: usize,
    /// Multicast groups the interface may join at once (0: none, IP_ADD_MEMBERSHIP
    /// gives ENOPROTOOPT; more needs the `multicast` feature).
    pub multicast_groups: usize,
    /// Largest accept queue a listener may ask for.
    pub max_backlog: usize,
    /// How long a closed TCP connection may still deliver its data and FIN, in ms.
    pub linger_ms: u32,
    /// How long a blocking connect() waits for the handshake, in ms.
    pub connect_timeout_ms: u32,
    /// How long a name lookup may take, in ms.
    pub dns_timeout_ms: u32,
    /// How long unacknowledged data may wait before the connection is reset, in ms (0: forever).
    pub tcp_user_timeout_ms: u32,
    /// Delayed-ACK time in ms (0: acknowledge at once).
    pub ack_delay_ms: u16,
    /// Nagle's algorithm on new TCP sockets (TCP_NODELAY turns it off per socket).
    pub nagle: bool,
    /// The DHCPv4 client, which sets the IPv4 address, gateway and DNS servers
    /// from a lease (one more smoltcp socket; needs the `dhcpv4` feature).
    pub dhcp_v4: DhcpClient,
}

/// Whether a stack has a DHCPv4 client, and when it runs. A board file's IPv4
/// mode `dhcp` runs it from start; `dhcp = true` beside a static address keeps
/// the static configuration until `ifconfig('dhcp')` starts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DhcpClient {
    /// No client: `ifconfig('dhcp')` fails with EOPNOTSUPP.
    None,
    /// A client that `ifconfig('dhcp')` starts (and a static `ifconfig()` stops).
    OnRequest,
    /// A client running from start.
    FromStart,
}

impl DhcpClient {
    /// Is there a client (whose socket the stack's memory holds)?
    pub const fn exists(self) -> bool {
        !matches!(self, DhcpClient::None)
    }
}

/// A [`Config`] that cannot work, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// This field must be at least `min`.
    TooSmall {
        /// The field's name.
        field: &'static str,
        /// Smallest usable value.
        min: usize,
    },
    /// This field asks for a part of the runtime that the build left out
    /// (e.g. `dhcp_v4` without the `dhcpv4` feature).
    NotBuilt {
        /// The field's name.
        field: &'static str,
        /// The cargo feature it needs.
        feature: Feature,
    },
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::TooSmall { field, min } => write!(f, "board config: `{field}` must be at least {min}"),
            ConfigError::NotBuilt { field, feature } => {
                write!(f, "board config: `{field}` needs the runtime's `{}` feature, which this build leaves out", feature.name())
            }
        }
    }
}

impl Config {
    /// Checks the sizes a stack needs at least, and that the build has the
    /// parts the config asks for.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let built = Features::BUILT;
        let needs: [(&'static str, bool, bool, Feature); 4] = [
            ("dhcp_v4", self.dhcp_v4.exists(), built.dhcpv4, Feature::Dhcpv4),
            ("dns_queries", self.dns_queries > 0, built.dns, Feature::Dns),
            ("raw_sockets", self.raw_sockets > 0, built.raw, Feature::Raw),
            ("multicast_groups", self.multicast_groups > 0, built.multicast, Feature::Multicast),
        ];
        if let Some((field, _, _, feature)) = needs.into_iter().find(|&(_, wanted, has, _)| wanted && !has) {
            return Err(ConfigError::NotBuilt { field, feature });
        }
        let mins: [(&'static str, usize, usize); 6] = [
            ("sockets", self.sockets, 1),
            ("tcp_rx_bytes", self.tcp_rx_bytes, 64),
            ("tcp_tx_bytes", self.tcp_tx_bytes, 64),
            ("udp_packets", self.udp_packets, usize::from(self.udp_sockets > 0)),
            ("raw_packets", self.raw_packets, usize::from(self.raw_sockets > 0)),
            ("max_backlog", self.max_backlog, 1),
        ];
        match mins.into_iter().find(|&(_, value, min)| value < min) {
            Some((field, _, min)) => Err(ConfigError::TooSmall { field, min }),
            None => Ok(()),
        }
    }

    /// Bytes of socket buffers: what [`Memory::bytes`](crate::Memory) must hold.
    pub const fn buffer_bytes(&self) -> usize {
        self.tcp_sockets * (self.tcp_rx_bytes + self.tcp_tx_bytes)
            + self.udp_sockets * (self.udp_rx_bytes + self.udp_tx_bytes)
            + self.raw_sockets * 2 * self.raw_bytes
    }

    /// Sockets the smoltcp socket set holds (TCP, UDP, raw, the DNS and the DHCP socket).
    pub const fn smoltcp_sockets(&self) -> usize {
        self.tcp_sockets + self.udp_sockets + self.raw_sockets + if self.dns_queries > 0 { 1 } else { 0 } + if self.dhcp_v4.exists() { 1 } else { 0 }
    }

    /// Entries of the bind table: every TCP and UDP socket, plus room for TIME-WAIT ports.
    pub const fn bindings(&self) -> usize {
        2 * self.tcp_sockets + self.udp_sockets
    }
}
