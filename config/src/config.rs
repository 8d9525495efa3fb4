//! Sizes and timings of a stack. A board file (`spec/boards/`) chooses them;
//! the runtime's `Memory` provides storage of exactly these sizes, so the
//! runtime never allocates. The size formulas saturate: a config too large to
//! count is too large to hold, and fails the memory check (or a board's
//! `ram_limit`) instead of wrapping round.

use crate::error::ConfigError;
use crate::features::{Feature, Features};

/// Sizes and timings of one stack.
///
/// A board file's `[config]` becomes one of these (the runtime's generated
/// `boards::*.config`); a hand-written one is checked before a stack starts.
///
/// # Examples
///
/// ```
/// use usocket_config::{Config, ConfigError, DhcpClient, Feature};
///
/// let config = Config {
///     sockets: 4,
///     tcp_sockets: 4,
///     tcp_rx_bytes: 1024,
///     tcp_tx_bytes: 1024,
///     udp_sockets: 2,
///     udp_rx_bytes: 512,
///     udp_tx_bytes: 512,
///     udp_packets: 4,
///     raw_sockets: 0,
///     raw_bytes: 0,
///     raw_packets: 0,
///     loopback_bytes: 2048,
///     dns_queries: 0,
///     multicast_groups: 0,
///     max_backlog: 2,
///     linger_ms: 2000,
///     connect_timeout_ms: 10_000,
///     dns_timeout_ms: 5000,
///     tcp_user_timeout_ms: 0,
///     ack_delay_ms: 10,
///     nagle: true,
///     dhcp_v4: DhcpClient::None,
/// };
/// assert_eq!(config.validate(), Ok(()));
/// // The socket buffers the stack's memory must hold: 4 TCP and 2 UDP sockets.
/// assert_eq!(config.buffer_bytes(), 4 * 2048 + 2 * 1024);
///
/// let no_sockets = Config { sockets: 0, ..config };
/// assert_eq!(no_sockets.validate(), Err(ConfigError::TooSmall { field: "sockets", min: 1 }));
///
/// // Asking for DNS needs the runtime's `dns` feature.
/// assert!(Config { dns_queries: 2, ..config }.needs().has(Feature::Dns));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
///
/// # Examples
///
/// ```
/// use usocket_config::DhcpClient;
///
/// // Only a stack with a client spends memory on its socket.
/// assert!(DhcpClient::OnRequest.exists());
/// assert!(!DhcpClient::None.exists());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "kebab-case"))]
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

impl Config {
    /// Each optional part a config can ask for: the field that asks, the
    /// part, and whether this config asks (in the order [`Config::validate`]
    /// reports them).
    fn asks(&self) -> [(&'static str, Feature, bool); 4] {
        [
            ("dhcp_v4", Feature::Dhcpv4, self.dhcp_v4.exists()),
            ("dns_queries", Feature::Dns, self.dns_queries > 0),
            ("raw_sockets", Feature::Raw, self.raw_sockets > 0),
            ("multicast_groups", Feature::Multicast, self.multicast_groups > 0),
        ]
    }

    /// Checks the sizes a stack needs at least, and that the build has the
    /// parts the config asks for.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let built = Features::BUILT;
        if let Some((field, feature, _)) = self.asks().into_iter().find(|&(_, feature, asks)| asks && !built.has(feature)) {
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

    /// The optional parts this config asks for (IPv6 is not among them: it
    /// follows from a board's addressing, which is not a size).
    pub fn needs(&self) -> Features {
        let asks = |part: Feature| self.asks().iter().any(|&(_, feature, asks)| feature == part && asks);
        Features { ipv6: false, dns: asks(Feature::Dns), dhcpv4: asks(Feature::Dhcpv4), raw: asks(Feature::Raw), multicast: asks(Feature::Multicast) }
    }

    /// Bytes of socket buffers: what the runtime's `Memory::bytes` must hold.
    pub const fn buffer_bytes(&self) -> usize {
        let tcp = self.tcp_sockets.saturating_mul(self.tcp_rx_bytes.saturating_add(self.tcp_tx_bytes));
        let udp = self.udp_sockets.saturating_mul(self.udp_rx_bytes.saturating_add(self.udp_tx_bytes));
        let raw = self.raw_sockets.saturating_mul(self.raw_bytes.saturating_mul(2));
        tcp.saturating_add(udp).saturating_add(raw)
    }

    /// Sockets the smoltcp socket set holds (TCP, UDP, raw, the DNS and the DHCP socket).
    pub const fn smoltcp_sockets(&self) -> usize {
        let extra = (self.dns_queries > 0) as usize + self.dhcp_v4.exists() as usize;
        self.tcp_sockets.saturating_add(self.udp_sockets).saturating_add(self.raw_sockets).saturating_add(extra)
    }

    /// UDP datagram metadata entries (each UDP socket's receive and send queue).
    pub const fn udp_meta(&self) -> usize {
        self.udp_sockets.saturating_mul(2).saturating_mul(self.udp_packets)
    }

    /// Raw packet metadata entries (each raw socket's receive and send queue).
    pub const fn raw_meta(&self) -> usize {
        self.raw_sockets.saturating_mul(2).saturating_mul(self.raw_packets)
    }

    /// Entries of the bind table: every TCP and UDP socket, plus room for TIME-WAIT ports.
    pub const fn bindings(&self) -> usize {
        self.tcp_sockets.saturating_mul(2).saturating_add(self.udp_sockets)
    }
}
