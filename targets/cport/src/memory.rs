//! The stack's memory: statics sized by the board file, lent once.
//!
//! Every static is zero-initialised (`MaybeUninit`, or zeros), so it lives in
//! `.bss` and costs no flash; [`take`] writes the starting values.

use core::mem::MaybeUninit;

use managed::ManagedSlice;
use usocket_runtime::smoltcp::iface::SocketStorage;
#[cfg(feature = "dns")]
use usocket_runtime::smoltcp::socket::dns;
#[cfg(feature = "raw")]
use usocket_runtime::smoltcp::socket::raw;
use usocket_runtime::smoltcp::socket::{Socket, udp};
use usocket_runtime::{Binding, Config, Entry, FdSlot, Memory};

use crate::{BOARD, FRAME_BYTES};

const C: Config = BOARD.config;
const SOCKETS: usize = C.smoltcp_sockets();
const UDP_META: usize = C.udp_sockets * 2 * C.udp_packets;
#[cfg(feature = "raw")]
const RAW_META: usize = C.raw_sockets * 2 * C.raw_packets;

static mut BYTES: [u8; C.buffer_bytes()] = [0; C.buffer_bytes()];
static mut TX: [u8; FRAME_BYTES] = [0; FRAME_BYTES];
static mut SOCKET_SET: MaybeUninit<[SocketStorage<'static>; SOCKETS]> = MaybeUninit::uninit();
static mut UDP: MaybeUninit<[udp::PacketMetadata; UDP_META]> = MaybeUninit::uninit();
#[cfg(feature = "raw")]
static mut RAW: MaybeUninit<[raw::PacketMetadata; RAW_META]> = MaybeUninit::uninit();
#[cfg(feature = "dns")]
static mut DNS: MaybeUninit<[Option<dns::DnsQuery>; C.dns_queries]> = MaybeUninit::uninit();
static mut FDS: MaybeUninit<[FdSlot; C.sockets]> = MaybeUninit::uninit();
static mut POOL: MaybeUninit<[Entry; SOCKETS]> = MaybeUninit::uninit();
static mut PARKED: MaybeUninit<[Option<Socket<'static>>; SOCKETS]> = MaybeUninit::uninit();
static mut BINDINGS: MaybeUninit<[Option<Binding>; C.bindings()]> = MaybeUninit::uninit();
static mut LOOPBACK: [u8; C.loopback_bytes] = [0; C.loopback_bytes];

/// What the stack gets: its memory and the transmit frame buffer.
pub struct Lent {
    /// The stack's storage.
    pub memory: Memory<'static>,
    /// Room for the frame being sent.
    pub tx: &'static mut [u8; FRAME_BYTES],
}

/// A zeroed static's one mutable reference.
///
/// # Safety
/// Called once per static (see [`take`]).
unsafe fn lend<T: ?Sized>(p: *mut T) -> &'static mut T {
    // SAFETY: the caller gives out this one reference.
    unsafe { &mut *p }
}

/// A zeroed static filled item by item with `fill()` (no array temporary on
/// the stack), as its one mutable reference.
///
/// # Safety
/// Called once per static (see [`take`]).
unsafe fn fill<T, const N: usize>(p: *mut MaybeUninit<[T; N]>, fill: impl Fn() -> T) -> &'static mut [T] {
    let first = p.cast::<T>();
    for i in 0..N {
        // SAFETY: i < N, inside the static; nothing else refers to it yet.
        unsafe { first.add(i).write(fill()) };
    }
    // SAFETY: all N items are initialised; the caller gives out this one reference.
    unsafe { core::slice::from_raw_parts_mut(first, N) }
}

/// The memory, lent for the rest of the program.
///
/// # Safety
/// At most one call in the program's life: each static gets exactly one
/// mutable reference, which the stack keeps.
pub unsafe fn take() -> Lent {
    // SAFETY: the caller makes this run once (see above).
    unsafe {
        Lent {
            memory: Memory {
                bytes: lend(&raw mut BYTES),
                sockets: ManagedSlice::Borrowed(fill(&raw mut SOCKET_SET, || SocketStorage::EMPTY)),
                udp_meta: fill(&raw mut UDP, || udp::PacketMetadata::EMPTY),
                #[cfg(feature = "raw")]
                raw_meta: fill(&raw mut RAW, || raw::PacketMetadata::EMPTY),
                #[cfg(feature = "dns")]
                dns_queries: fill(&raw mut DNS, || None),
                fds: fill(&raw mut FDS, || FdSlot::FREE),
                pool: fill(&raw mut POOL, || Entry::EMPTY),
                parked: ManagedSlice::Borrowed(fill(&raw mut PARKED, || None)),
                bindings: fill(&raw mut BINDINGS, || None),
                loopback: lend(&raw mut LOOPBACK),
            },
            tx: lend(&raw mut TX),
        }
    }
}
