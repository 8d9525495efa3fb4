//! RAM per TCP socket and per stack for each board profile, run by `cargo xtask size`.
//!
//! Struct sizes come from `size_of` on the target this example is built for
//! (pointer-sized fields are smaller on a 32-bit microcontroller); buffer sizes
//! and counts come from the profiles in `Config`.

use std::mem::size_of;

use usocket_host::smoltcp::iface::SocketStorage;
use usocket_host::smoltcp::socket::Socket;
use usocket_host::smoltcp::socket::{dns, raw, tcp, udp};
use usocket_host::{AnyBoard, Binding, Config, Entry, Slot, Stack};

/// Goal for the FIRMWARE profile: RAM per TCP socket, in bytes.
const FIRMWARE_GOAL: usize = 8 * 1024;

/// One line of a table: its label and its bytes for a profile.
type Row = (&'static str, fn(&Config) -> usize);

/// Bind-table entries per TCP socket ([`Config::bindings`]: one live, one in TIME-WAIT).
const BINDINGS_PER_TCP: usize = 2;

/// RAM per TCP socket; `tcp::Socket` lives inside its `SocketStorage` slot while in use and in
/// its parking slot while free, so it is not added.
const PER_TCP: [Row; 7] = [
    ("smoltcp SocketStorage slot", |_| size_of::<SocketStorage<'static>>()),
    ("parking slot (a free socket out of the set)", |_| size_of::<Option<Socket<'static>>>()),
    ("fd table slot, Option<Slot>", |_| size_of::<Option<Slot>>()),
    ("socket pool Entry", |_| size_of::<Entry>()),
    ("bind table, 2 x Option<Binding>", |_| BINDINGS_PER_TCP * size_of::<Option<Binding>>()),
    ("rx buffer", |c| c.tcp_rx_bytes),
    ("tx buffer", |c| c.tcp_tx_bytes),
];

/// RAM of a whole stack: every part of `Memory`, and the stack struct itself.
const PER_STACK: [Row; 10] = [
    ("socket buffers, Config::buffer_bytes()", Config::buffer_bytes),
    ("smoltcp socket set", |c| c.smoltcp_sockets() * size_of::<SocketStorage<'static>>()),
    ("UDP packet metadata", |c| c.udp_sockets * 2 * c.udp_packets * size_of::<udp::PacketMetadata>()),
    ("raw packet metadata", |c| c.raw_sockets * 2 * c.raw_packets * size_of::<raw::PacketMetadata>()),
    ("DNS queries", |c| c.dns_queries * size_of::<Option<dns::DnsQuery>>()),
    ("fd table", |c| c.sockets * size_of::<Option<Slot>>()),
    ("socket pool", |c| c.smoltcp_sockets() * size_of::<Entry>()),
    ("parking slots", |c| c.smoltcp_sockets() * size_of::<Option<Socket<'static>>>()),
    ("bind table", |c| c.bindings() * size_of::<Option<Binding>>()),
    ("Stack (smoltcp Interface, tables), without its board", |_| size_of::<Stack<'static, AnyBoard>>() - size_of::<AnyBoard>()),
];

/// The board profiles, as table columns.
const PROFILES: [(&str, Config); 2] = [("FIRMWARE", Config::FIRMWARE), ("HOST", Config::HOST)];

/// Prints `rows` for every profile with their total, and returns the totals.
fn table(title: &str, rows: &[Row]) -> [usize; 2] {
    println!("{title:<56} {:>10} {:>10}", PROFILES[0].0, PROFILES[1].0);
    let mut totals = [0; 2];
    for (label, bytes) in rows {
        let [a, b] = PROFILES.map(|(_, c)| bytes(&c));
        println!("  {label:<54} {a:>10} {b:>10}");
        totals[0] += a;
        totals[1] += b;
    }
    println!("  {:<54} {:>10} {:>10}", "total", totals[0], totals[1]);
    totals
}

fn main() {
    println!("RAM in bytes; struct sizes for {} ({}-bit pointers)\n", std::env::consts::ARCH, usize::BITS);
    let tcp_socket = size_of::<tcp::Socket<'static>>();
    println!("smoltcp tcp::Socket struct: {tcp_socket} (held inside its SocketStorage slot)");
    let [firmware, _] = table("per TCP socket", &PER_TCP);
    let verdict = if firmware <= FIRMWARE_GOAL { "ok" } else { "MISSED" };
    println!("FIRMWARE per TCP socket: {firmware} (goal <= {FIRMWARE_GOAL}, 8 KiB) {verdict}\n");
    table("whole stack", &PER_STACK);
    for (name, c) in PROFILES {
        println!(
            "{name}: {} fds, {} TCP, {} UDP, {} raw sockets, {} smoltcp sockets, {} bind entries",
            c.sockets,
            c.tcp_sockets,
            c.udp_sockets,
            c.raw_sockets,
            c.smoltcp_sockets(),
            c.bindings()
        );
    }
}
