//! The per-item RAM costs of a stack measured with `size_of` on this host.
//! The rows and totals come from `usocket_config::ram`, the formulas the
//! generator's budgets use with `spec/ram.toml`'s costs; `cargo xtask size`
//! prints them and `tests/ram.rs` checks that the measured costs are the
//! spec's.

use std::mem::size_of;

pub use usocket_config::ram::{Costs, Row, stack, tcp_socket, total};
use usocket_runtime::smoltcp::iface::SocketStorage;
use usocket_runtime::smoltcp::socket::{Socket, dns, raw, udp};
use usocket_runtime::{Binding, Entry, FdSlot, Stack};

use crate::AnyBoard;

/// Each runtime structure's bytes on this host (`stack`: the Stack struct
/// without its board).
///
/// # Examples
///
/// The loopback board's budget, part by part:
///
/// ```
/// use usocket_host::boards::HOST_LOOPBACK;
/// use usocket_host::ram::{measured, stack, tcp_socket, total};
///
/// let config = HOST_LOOPBACK.config;
/// let rows = stack(&measured(), &config);
/// assert_eq!(rows[0].bytes, config.buffer_bytes(), "{}", rows[0].part);
/// assert!(total(&rows) > config.buffer_bytes());
/// // One more TCP socket costs at least its buffers.
/// assert!(total(&tcp_socket(&measured(), &config)) >= config.tcp_rx_bytes + config.tcp_tx_bytes);
/// ```
pub fn measured() -> Costs {
    Costs {
        smoltcp_socket: size_of::<SocketStorage<'static>>(),
        parked_socket: size_of::<Option<Socket<'static>>>(),
        // A c-port board has a parked call's place per fd (the host's stack has a fixed number).
        fd_slot: size_of::<FdSlot>() + usocket_runtime::PLACE_BYTES,
        pool_entry: size_of::<Entry>(),
        binding: size_of::<Option<Binding>>(),
        udp_packet_meta: size_of::<udp::PacketMetadata>(),
        raw_packet_meta: size_of::<raw::PacketMetadata>(),
        dns_query: size_of::<Option<dns::DnsQuery>>(),
        stack: size_of::<Stack<'static, AnyBoard>>() - size_of::<AnyBoard>(),
    }
}
