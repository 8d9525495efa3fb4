//! `[ram]` (`spec/ram.toml`) as written: per-item RAM costs for each pointer width.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `[ram]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRam {
    /// Where the numbers come from.
    pub doc: String,
    /// Costs with 64-bit pointers (host boards).
    pub bits64: Spanned<RawCosts>,
    /// Costs with 32-bit pointers (c-port boards on their firmware target).
    pub bits32: Spanned<RawCosts>,
}

/// One pointer width's costs as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    /// What they were measured on, and how.
    pub doc: String,
    /// smoltcp `SocketStorage` slot.
    pub smoltcp_socket: Spanned<i64>,
    /// A parked (free) smoltcp socket.
    pub parked_socket: Spanned<i64>,
    /// fd table slot.
    pub fd_slot: Spanned<i64>,
    /// Socket pool entry.
    pub pool_entry: Spanned<i64>,
    /// Bind-table entry.
    pub binding: Spanned<i64>,
    /// UDP packet metadata.
    pub udp_packet_meta: Spanned<i64>,
    /// Raw packet metadata.
    pub raw_packet_meta: Spanned<i64>,
    /// DNS query slot.
    pub dns_query: Spanned<i64>,
    /// The stack itself with every runtime feature (see the table's doc for what it includes).
    pub stack: Spanned<i64>,
    /// Without a runtime feature, what each item is smaller by (c-port boards
    /// are built with exactly their features): feature -> item -> bytes.
    #[serde(default)]
    pub without: BTreeMap<String, Spanned<BTreeMap<String, Spanned<i64>>>>,
}
