//! The stack's memory: statics sized by the board file, lent once.

use core::sync::atomic::{AtomicBool, Ordering};

use managed::ManagedSlice;
use usocket_runtime::smoltcp::iface::SocketStorage;
use usocket_runtime::smoltcp::socket::{Socket, dns, raw, udp};
use usocket_runtime::{Binding, Config, Entry, Memory, Slot};

use crate::BOARD;

const C: Config = BOARD.config;
const SOCKETS: usize = C.smoltcp_sockets();
const UDP_META: usize = C.udp_sockets * 2 * C.udp_packets;
const RAW_META: usize = C.raw_sockets * 2 * C.raw_packets;

static mut BYTES: [u8; C.buffer_bytes()] = [0; C.buffer_bytes()];
static mut SOCKET_SET: [SocketStorage<'static>; SOCKETS] = [SocketStorage::EMPTY; SOCKETS];
static mut UDP: [udp::PacketMetadata; UDP_META] = [udp::PacketMetadata::EMPTY; UDP_META];
static mut RAW: [raw::PacketMetadata; RAW_META] = [raw::PacketMetadata::EMPTY; RAW_META];
static mut DNS: [Option<dns::DnsQuery>; C.dns_queries] = [const { None }; C.dns_queries];
static mut FDS: [Option<Slot>; C.sockets] = [const { None }; C.sockets];
static mut POOL: [Entry; SOCKETS] = [const { Entry::EMPTY }; SOCKETS];
static mut PARKED: [Option<Socket<'static>>; SOCKETS] = [const { None }; SOCKETS];
static mut BINDINGS: [Option<Binding>; C.bindings()] = [const { None }; C.bindings()];
static mut LOOPBACK: [u8; C.loopback_bytes] = [0; C.loopback_bytes];

static TAKEN: AtomicBool = AtomicBool::new(false);

/// A static's one mutable reference.
///
/// # Safety
/// Called once per static (see [`take`]).
unsafe fn lend<T: ?Sized>(p: *mut T) -> &'static mut T {
    unsafe { &mut *p }
}

/// The memory, the first time only.
pub fn take() -> Option<Memory<'static>> {
    if TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    // SAFETY: TAKEN makes this run once, so each static gets exactly one
    // mutable reference, which the stack keeps for the rest of the program.
    unsafe {
        Some(Memory {
            bytes: lend(&raw mut BYTES),
            sockets: ManagedSlice::Borrowed(lend(&raw mut SOCKET_SET)),
            udp_meta: lend(&raw mut UDP),
            raw_meta: lend(&raw mut RAW),
            dns_queries: lend(&raw mut DNS),
            fds: lend(&raw mut FDS),
            pool: lend(&raw mut POOL),
            parked: ManagedSlice::Borrowed(lend(&raw mut PARKED)),
            bindings: lend(&raw mut BINDINGS),
            loopback: lend(&raw mut LOOPBACK),
        })
    }
}
