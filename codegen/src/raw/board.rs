//! A board file (`spec/boards/*.toml`, `[board]`) as written.

use serde::Deserialize;
use toml::Spanned;

/// `[board]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBoard {
    /// Board name, kebab-case (`host-loopback`).
    pub name: Spanned<String>,
    /// What the board is.
    pub doc: String,
    /// Which backend drives it: `loopback`, `tap` or `c-port`.
    pub backend: Spanned<String>,
    /// `ethernet` or `ip`.
    pub medium: Spanned<String>,
    /// Largest IP packet, in bytes.
    pub mtu: Spanned<i64>,
    /// Ethernet only: `aa:bb:cc:dd:ee:ff`, or `port` (the firmware supplies it at start).
    pub mac: Option<Spanned<String>>,
    /// `host` (the host's monotonic clock) or `port` (the firmware's, through the frame port).
    pub clock: Spanned<String>,
    /// Bytes of RAM the firmware gives the stack; the budget must fit.
    pub ram_limit: Option<Spanned<i64>>,
    /// c-port boards: the firmware's Rust target (one of the targets in `targets.rs`).
    pub target: Option<Spanned<String>>,
    /// DNS servers (numeric).
    #[serde(default)]
    pub dns: Vec<Spanned<String>>,
    /// IPv4 addressing.
    pub ipv4: Spanned<RawAddressing>,
    /// IPv6 addressing.
    pub ipv6: Spanned<RawAddressing>,
    /// Socket counts.
    pub sockets: Spanned<RawSockets>,
    /// Buffer sizes.
    pub buffers: Spanned<RawBuffers>,
    /// Timeouts and TCP behaviour.
    pub timing: Spanned<RawTiming>,
}

/// `[board.ipv4]` / `[board.ipv6]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAddressing {
    /// `static`, `dhcp` (IPv4) or `none`.
    pub mode: Spanned<String>,
    /// `address/prefix`, for `static`.
    pub address: Option<Spanned<String>>,
    /// Default gateway, for `static`.
    pub gateway: Option<Spanned<String>>,
    /// IPv4 `static` only: a DHCP client besides, which `ifconfig('dhcp')` starts.
    pub dhcp: Option<Spanned<bool>>,
}

/// `[board.sockets]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSockets {
    /// Open sockets of any kind (file descriptors).
    pub fds: Spanned<i64>,
    /// smoltcp TCP sockets (connected, listening, queued, lingering).
    pub tcp: Spanned<i64>,
    /// UDP sockets.
    pub udp: Spanned<i64>,
    /// Raw IP sockets.
    pub raw: Spanned<i64>,
    /// DNS queries in flight (0: no DNS).
    pub dns_queries: Spanned<i64>,
    /// Largest listen backlog.
    pub max_backlog: Spanned<i64>,
    /// Multicast groups the interface may join at once (absent: 0, none).
    pub multicast_groups: Option<Spanned<i64>>,
}

/// `[board.buffers]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBuffers {
    /// TCP receive buffer per socket.
    pub tcp_rx: Spanned<i64>,
    /// TCP transmit buffer per socket.
    pub tcp_tx: Spanned<i64>,
    /// UDP receive payload buffer per socket.
    pub udp_rx: Spanned<i64>,
    /// UDP transmit payload buffer per socket.
    pub udp_tx: Spanned<i64>,
    /// Datagrams queued per UDP socket and direction.
    pub udp_packets: Spanned<i64>,
    /// Raw socket buffer per direction.
    pub raw: Spanned<i64>,
    /// Packets queued per raw socket and direction.
    pub raw_packets: Spanned<i64>,
    /// c-port boards: received frames the port's ring holds until the stack takes them.
    pub rx_frames: Option<Spanned<i64>>,
    /// Bytes of the loop queue (frames to the board itself); 0 only on a loopback device.
    pub loopback: Spanned<i64>,
}

/// `[board.timing]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTiming {
    /// How long a closed connection may still deliver data and FIN.
    pub linger_ms: Spanned<i64>,
    /// Blocking connect() deadline.
    pub connect_timeout_ms: Spanned<i64>,
    /// Name lookup deadline.
    pub dns_timeout_ms: Spanned<i64>,
    /// Unacknowledged data deadline before a reset (0: forever).
    pub tcp_user_timeout_ms: Spanned<i64>,
    /// Delayed-ACK time (0: at once).
    pub ack_delay_ms: Spanned<i64>,
    /// Nagle's algorithm on new TCP sockets.
    pub nagle: bool,
}
