//! A stack's [`Memory`] in one static, sized from a board's [`Config`] at
//! compile time: what a no_std firmware declares instead of nine arrays.
//!
//! Every part is zero or uninitialised until [`StaticMemory::take`], so the
//! static lives in `.bss` (no flash copy); `take` writes the starting values
//! in place, item by item (no array temporary on the stack), and gives the
//! memory out once.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::Ordering;
// ARMv6-M has no compare-and-swap: see portable-atomic in Cargo.toml.
#[cfg(target_has_atomic = "32")]
use core::sync::atomic::AtomicBool;
#[cfg(not(target_has_atomic = "32"))]
use portable_atomic::AtomicBool;

use managed::ManagedSlice;
use smoltcp::iface::SocketStorage;
#[cfg(feature = "dns")]
use smoltcp::socket::dns;
#[cfg(feature = "raw")]
use smoltcp::socket::raw;
use smoltcp::socket::{Socket, udp};

use crate::board::memory::Memory;
use crate::owners::pool::Entry;
use crate::owners::ports::Binding;
use crate::owners::table::FdSlot;

/// The parts of one stack's storage, each of its config's length.
struct Parts<
    const BYTES: usize,
    const SOCKETS: usize,
    const UDP_META: usize,
    const RAW_META: usize,
    const DNS: usize,
    const FDS: usize,
    const BINDINGS: usize,
    const LOOPBACK: usize,
> {
    bytes: [u8; BYTES],
    sockets: MaybeUninit<[SocketStorage<'static>; SOCKETS]>,
    udp_meta: MaybeUninit<[udp::PacketMetadata; UDP_META]>,
    #[cfg(feature = "raw")]
    raw_meta: MaybeUninit<[raw::PacketMetadata; RAW_META]>,
    #[cfg(feature = "dns")]
    dns_queries: MaybeUninit<[Option<dns::DnsQuery>; DNS]>,
    fds: MaybeUninit<[FdSlot; FDS]>,
    pool: MaybeUninit<[Entry; SOCKETS]>,
    parked: MaybeUninit<[Option<Socket<'static>>; SOCKETS]>,
    bindings: MaybeUninit<[Option<Binding>; BINDINGS]>,
    loopback: [u8; LOOPBACK],
}

/// Storage for one stack as a `static`, its lengths given as const
/// parameters; [`static_memory!`](crate::static_memory) spells them from a
/// [`Config`](crate::Config), which is how to make one.
///
/// ```
/// use usocket_runtime::{boards::C_PORT_MINIMAL, static_memory};
///
/// // A firmware's one stack: the memory its board file asks for, in .bss.
/// let memory = static_memory!(C_PORT_MINIMAL.config).expect("taken once");
/// assert!(memory.check(&C_PORT_MINIMAL.config).is_ok());
/// ```
pub struct StaticMemory<
    const BYTES: usize,
    const SOCKETS: usize,
    const UDP_META: usize,
    const RAW_META: usize,
    const DNS: usize,
    const FDS: usize,
    const BINDINGS: usize,
    const LOOPBACK: usize,
> {
    taken: AtomicBool,
    parts: UnsafeCell<Parts<BYTES, SOCKETS, UDP_META, RAW_META, DNS, FDS, BINDINGS, LOOPBACK>>,
}

// SAFETY: `taken` gives the parts out once (see `take`); before that nobody
// refers to them, after it only the one `Memory` does.
unsafe impl<
    const BYTES: usize,
    const SOCKETS: usize,
    const UDP_META: usize,
    const RAW_META: usize,
    const DNS: usize,
    const FDS: usize,
    const BINDINGS: usize,
    const LOOPBACK: usize,
> Sync for StaticMemory<BYTES, SOCKETS, UDP_META, RAW_META, DNS, FDS, BINDINGS, LOOPBACK>
{
}

/// `N` items written in place with `fill()`, as a slice.
///
/// # Safety
/// `p` is valid for writes of `N` items and nothing else refers to it.
unsafe fn fill<T, const N: usize>(p: *mut MaybeUninit<[T; N]>, fill: impl Fn() -> T) -> &'static mut [T] {
    let first = p.cast::<T>();
    for i in 0..N {
        // SAFETY: i < N, inside the array; nothing else refers to it (caller).
        unsafe { first.add(i).write(fill()) };
    }
    // SAFETY: all N items are initialised; the caller gives out this one reference.
    unsafe { core::slice::from_raw_parts_mut(first, N) }
}

impl<
    const BYTES: usize,
    const SOCKETS: usize,
    const UDP_META: usize,
    const RAW_META: usize,
    const DNS: usize,
    const FDS: usize,
    const BINDINGS: usize,
    const LOOPBACK: usize,
> StaticMemory<BYTES, SOCKETS, UDP_META, RAW_META, DNS, FDS, BINDINGS, LOOPBACK>
{
    /// The storage, untaken (const, all zeros: for a `static` in `.bss`).
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        StaticMemory {
            taken: AtomicBool::new(false),
            parts: UnsafeCell::new(Parts {
                bytes: [0; BYTES],
                sockets: MaybeUninit::uninit(),
                udp_meta: MaybeUninit::uninit(),
                #[cfg(feature = "raw")]
                raw_meta: MaybeUninit::uninit(),
                #[cfg(feature = "dns")]
                dns_queries: MaybeUninit::uninit(),
                fds: MaybeUninit::uninit(),
                pool: MaybeUninit::uninit(),
                parked: MaybeUninit::uninit(),
                bindings: MaybeUninit::uninit(),
                loopback: [0; LOOPBACK],
            }),
        }
    }

    /// The memory for [`Stack::new`](crate::Stack::new), the first time;
    /// None after (the stack keeps it for the rest of the program).
    pub fn take(&'static self) -> Option<Memory<'static>> {
        if self.taken.swap(true, Ordering::AcqRel) {
            return None;
        }
        let p = self.parts.get();
        // SAFETY: `taken` was false, so this is the one time the parts are
        // given out; each field gets exactly one reference, kept by the Memory.
        unsafe {
            Some(Memory {
                bytes: &mut (*p).bytes,
                sockets: ManagedSlice::Borrowed(fill(&raw mut (*p).sockets, || SocketStorage::EMPTY)),
                udp_meta: fill(&raw mut (*p).udp_meta, || udp::PacketMetadata::EMPTY),
                #[cfg(feature = "raw")]
                raw_meta: fill(&raw mut (*p).raw_meta, || raw::PacketMetadata::EMPTY),
                #[cfg(feature = "dns")]
                dns_queries: fill(&raw mut (*p).dns_queries, || None),
                fds: fill(&raw mut (*p).fds, || FdSlot::FREE),
                pool: fill(&raw mut (*p).pool, || Entry::EMPTY),
                parked: ManagedSlice::Borrowed(fill(&raw mut (*p).parked, || None)),
                bindings: fill(&raw mut (*p).bindings, || None),
                loopback: &mut (*p).loopback,
            })
        }
    }
}

/// A stack's [`Memory`](crate::Memory) from a `static` sized by a
/// [`Config`](crate::Config) (a const expression, e.g. a board file's
/// `usocket_runtime::boards::NAME.config`): `Some` the first time this
/// invocation runs, None after. No heap; the static is zeroed, in `.bss`.
///
/// ```
/// use usocket_runtime::{boards::C_PORT_MINIMAL, static_memory};
///
/// fn memory() -> Option<usocket_runtime::Memory<'static>> {
///     static_memory!(C_PORT_MINIMAL.config)
/// }
/// assert!(memory().is_some());
/// assert!(memory().is_none(), "one static per invocation, given out once");
/// ```
#[macro_export]
macro_rules! static_memory {
    ($config:expr) => {{
        const CONFIG: $crate::Config = $config;
        static MEMORY: $crate::StaticMemory<
            { CONFIG.buffer_bytes() },
            { CONFIG.smoltcp_sockets() },
            { CONFIG.udp_meta() },
            { CONFIG.raw_meta() },
            { CONFIG.dns_queries },
            { CONFIG.sockets },
            { CONFIG.bindings() },
            { CONFIG.loopback_bytes },
        > = $crate::StaticMemory::new();
        MEMORY.take()
    }};
}
