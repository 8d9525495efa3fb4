//! The stack's memory: statics sized by the board file, lent once.

use core::sync::atomic::{AtomicBool, Ordering};

use managed::ManagedSlice;
use usocket_runtime::smoltcp::iface::SocketStorage;
#[cfg(feature = "dns")]
use usocket_runtime::smoltcp::socket::dns;
#[cfg(feature = "raw")]
use usocket_runtime::smoltcp::socket::raw;
use usocket_runtime::smoltcp::socket::{Socket, udp};
use usocket_runtime::{Binding, Config, Entry, Memory, Slot};

use crate::BOARD;

const C: Config = BOARD.config;
const SOCKETS: usize = C.smoltcp_sockets();
const UDP_META: usize = C.udp_sockets * 2 * C.udp_packets;
#[cfg(feature = "raw")]
const RAW_META: usize = C.raw_sockets * 2 * C.raw_packets;

static mut BYTES: [u8; C.buffer_bytes()] = [0; C.buffer_bytes()];
static mut SOCKET_SET: [SocketStorage<'static>; SOCKETS] = [SocketStorage::EMPTY; SOCKETS];
static mut UDP: [udp::PacketMetadata; UDP_META] = [udp::PacketMetadata::EMPTY; UDP_META];
#[cfg(feature = "raw")]
static mut RAW: [raw::PacketMetadata; RAW_META] = [raw::PacketMetadata::EMPTY; RAW_META];
#[cfg(feature = "dns")]
static mut DNS: [Option<dns::DnsQuery>; C.dns_queries] = [const { None }; C.dns_queries];
static mut FDS: [Option<Slot>; C.sockets] = [const { None }; C.sockets];
static mut POOL: [Entry; SOCKETS] = [const { Entry::EMPTY }; SOCKETS];
static mut PARKED: [Option<Socket<'static>>; SOCKETS] = [const { None }; SOCKETS];
static mut BINDINGS: [Option<Binding>; C.bindings()] = [const { None }; C.bindings()];

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
            #[cfg(feature = "raw")]
            raw_meta: lend(&raw mut RAW),
            #[cfg(feature = "dns")]
            dns_queries: lend(&raw mut DNS),
            fds: lend(&raw mut FDS),
            pool: lend(&raw mut POOL),
            parked: ManagedSlice::Borrowed(lend(&raw mut PARKED)),
            bindings: lend(&raw mut BINDINGS),
        })
    }
}
