//! Sizes and timings of a stack. A board chooses them; [`Memory`](crate::Memory)
//! provides storage of exactly these sizes, so the runtime never allocates.

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
    /// smoltcp raw IP sockets.
    pub raw_sockets: usize,
    /// Receive and transmit buffer per raw socket, in bytes (each).
    pub raw_bytes: usize,
    /// Packets queued per raw socket and direction.
    pub raw_packets: usize,
    /// DNS queries in flight (0: no DNS, names give EAI_FAIL).
    pub dns_queries: usize,
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
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ConfigError::TooSmall { field, min } => write!(f, "board config: `{field}` must be at least {min}"),
        }
    }
}

impl Config {
    /// A microcontroller with a few tens of KiB for networking: 8 sockets,
    /// 2 KiB per TCP direction (under 8 KiB per TCP socket with its slot).
    pub const FIRMWARE: Config = Config {
        sockets: 8,
        tcp_sockets: 6,
        tcp_rx_bytes: 2048,
        tcp_tx_bytes: 2048,
        udp_sockets: 2,
        udp_rx_bytes: 1536,
        udp_tx_bytes: 1536,
        udp_packets: 4,
        raw_sockets: 1,
        raw_bytes: 1536,
        raw_packets: 2,
        dns_queries: 2,
        max_backlog: 4,
        linger_ms: 10_000,
        connect_timeout_ms: 20_000,
        dns_timeout_ms: 5_000,
        tcp_user_timeout_ms: 60_000,
        ack_delay_ms: 10,
        nagle: true,
    };

    /// A host process: many sockets, 64 KiB TCP windows, no delayed ACK.
    ///
    /// The receive buffer stays below 64 KiB on purpose: with a larger one
    /// smoltcp scales its window, and 0.14 then rounds a small free space down
    /// to a zero window and drops bytes the peer sent into the window it had
    /// offered a moment before; the peer only resends them after its 1 s
    /// minimum retransmission timeout (seen as a 1 s stall at the end of bulk
    /// transfers).
    pub const HOST: Config = Config {
        sockets: 64,
        tcp_sockets: 96,
        tcp_rx_bytes: 65535,
        tcp_tx_bytes: 128 * 1024,
        udp_sockets: 16,
        udp_rx_bytes: 64 * 1024,
        udp_tx_bytes: 64 * 1024,
        udp_packets: 32,
        raw_sockets: 4,
        raw_bytes: 16 * 1024,
        raw_packets: 16,
        dns_queries: 4,
        max_backlog: 64,
        linger_ms: 10_000,
        connect_timeout_ms: 20_000,
        dns_timeout_ms: 5_000,
        tcp_user_timeout_ms: 120_000,
        ack_delay_ms: 0,
        nagle: false,
    };

    /// Checks the sizes a stack needs at least.
    pub fn validate(&self) -> Result<(), ConfigError> {
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

    /// Sockets the smoltcp socket set holds (TCP, UDP, raw and the DNS socket).
    pub const fn smoltcp_sockets(&self) -> usize {
        self.tcp_sockets + self.udp_sockets + self.raw_sockets + if self.dns_queries > 0 { 1 } else { 0 }
    }

    /// Entries of the bind table: every TCP and UDP socket, plus room for TIME-WAIT ports.
    pub const fn bindings(&self) -> usize {
        2 * self.tcp_sockets + self.udp_sockets
    }
}
