//! The `c-port` board: the runtime in static memory behind the generated C ABI,
//! on any MAC the firmware drives. The firmware implements the frame port of
//! `generated/include/usocket_port.h` (transmit, a monotonic clock, wait, and
//! the threading functions lock/unlock/task/wake: an RTOS mutex and task
//! notifications, empty on bare metal) and calls `usocket_port_start()` once
//! and `usocket_port_receive()` for every received frame; then every
//! `usocket_*` socket call works as on the host, from any task
//! ([`PortPlatform`]: a blocking call sleeps in `usocket_port_wait()` without
//! the lock).
//!
//! The board is chosen when this crate is built: `USOCKET_CPORT_BOARD=<name>`
//! (a file in `spec/boards/` with `backend = "c-port"`; default `c-port-tap`).
//! All memory is static and sized by that board file: nothing is allocated.
//! The runtime's optional parts are this crate's features (`ipv6`, `dns`,
//! `dhcpv4`, `raw`, `multicast`; all by default): a firmware build takes those the board
//! file needs (its generated docs page gives the command), and a build that
//! lacks one of them does not compile.

#![cfg_attr(not(feature = "std"), no_std)]
// No panic may reach an `extern "C"` function, and every unsafe block says why it is sound.
#![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod board;
mod memory;
mod platform;
mod ring;

/// The C ABI (`usocket_socket`, ...) on the board's static stack ([`AbiBackend`]).
pub mod c_abi {
    usocket_runtime::usocket_c_exports!(crate::AbiBackend);
}

/// The firmware's side of the frame port, as safe calls.
#[rustfmt::skip]
#[path = "../generated/port.rs"]
pub mod port;

/// The runtime's side of the frame port (`usocket_port_start`, `usocket_port_receive`) on [`PortBackend`].
pub mod port_exports {
    usocket_runtime::usocket_port_exports!(crate::PortBackend);
}

use core::mem::MaybeUninit;

use usocket_runtime::generated::port_exports::PortApi;
use usocket_runtime::{Backend, BoardInfo, Errno, Feature, Features, Parking, Shared, Stack, WaitsOn};

pub use board::PortBoard;
pub use platform::PortPlatform;

/// Whether two names are equal, in a constant.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The c-port board named `name` (a compile error when there is none, or
/// when the build lacks a runtime feature its file needs).
#[allow(clippy::panic, reason = "evaluated for the BOARD constant only: a build error, never a run-time panic")]
const fn find(name: &str) -> &'static BoardInfo {
    let all = usocket_runtime::boards::ALL;
    let mut i = 0;
    while i < all.len() {
        if same(all[i].name, name) {
            assert!(same(all[i].backend, "c-port"), "USOCKET_CPORT_BOARD names a board whose backend is not c-port");
            match all[i].features.missing_from(&Features::BUILT) {
                Some(Feature::Ipv6) => panic!("the USOCKET_CPORT_BOARD file has IPv6 addressing: build with the `ipv6` feature"),
                Some(Feature::Dns) => panic!("the USOCKET_CPORT_BOARD file has DNS queries: build with the `dns` feature"),
                Some(Feature::Dhcpv4) => {
                    panic!("the USOCKET_CPORT_BOARD file has a DHCP client (IPv4 mode dhcp, or dhcp = true): build with the `dhcpv4` feature")
                }
                Some(Feature::Raw) => panic!("the USOCKET_CPORT_BOARD file has raw sockets: build with the `raw` feature"),
                Some(Feature::Multicast) => panic!("the USOCKET_CPORT_BOARD file has multicast groups: build with the `multicast` feature"),
                None => {}
            }
            return all[i];
        }
        i += 1;
    }
    panic!("USOCKET_CPORT_BOARD names no board file in spec/boards/")
}

/// The board this build is for.
///
/// # Examples
///
/// A firmware's build script or self-test reads its sizes from here (the
/// same board file the C header's constants come from):
///
/// ```
/// use usocket_cport::{BOARD, FRAME_BYTES};
///
/// assert_eq!(BOARD.backend, "c-port");
/// assert!(FRAME_BYTES >= BOARD.mtu);
/// ```
pub const BOARD: &BoardInfo = find(match option_env!("USOCKET_CPORT_BOARD") {
    Some(name) => name,
    None => "c-port-tap",
});

/// The largest frame: the MTU plus the Ethernet header on Ethernet boards.
pub const FRAME_BYTES: usize = BOARD.mtu + if BOARD.ethernet { 14 } else { 0 };

/// The stack's place in [`SLOT`]: zero-initialised (nothing started), so the
/// static lives in `.bss`.
struct StackSlot {
    /// What `stack` holds.
    phase: Phase,
    /// The stack once [`Phase::Started`].
    stack: MaybeUninit<Stack<'static, PortBoard>>,
}

/// Where the stack's life is.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Phase {
    /// Not started: the memory is still unlent.
    Idle = 0,
    /// Its memory was lent, but the stack did not start (a board file the
    /// runtime rejects); it cannot be lent again.
    Failed,
    /// `stack` holds the stack.
    Started,
}

impl StackSlot {
    /// The started stack; ENODEV before `usocket_port_start()`.
    fn get(&mut self) -> Result<&mut Stack<'static, PortBoard>, Errno> {
        if self.phase != Phase::Started {
            return Err(Errno::ENODEV);
        }
        // SAFETY: Started means `stack` was written (see `start`).
        Ok(unsafe { self.stack.assume_init_mut() })
    }
}

impl Parking for StackSlot {
    fn ready(&mut self, on: &WaitsOn) -> bool {
        self.get().map_or(true, |stack| stack.ready(on))
    }
}

/// Places for parked calls: one per fd, as `spec/ram.toml` counts them.
const SLEEPERS: usize = BOARD.config.sockets;

/// The stack, shared by the firmware's tasks on its lock and wait
/// (zero-initialised: in `.bss`).
static SLOT: Shared<StackSlot, PortPlatform, SLEEPERS> = Shared::new(StackSlot { phase: Phase::Idle, stack: MaybeUninit::uninit() }, PortPlatform);

/// Starts the stack in `slot` (lock held): lends the memory, the first time only.
fn start(slot: &mut StackSlot, mac: Option<[u8; 6]>, seed: u64) -> Result<(), Errno> {
    if slot.phase != Phase::Idle {
        return Err(Errno::EALREADY);
    }
    slot.phase = Phase::Failed;
    // SAFETY: the phase was Idle and is no longer: this is the only call.
    let lent = unsafe { memory::take() };
    let stack = Stack::new(lent.memory, PortBoard::new(lent.tx, mac, seed), BOARD.config).map_err(|_| Errno::ENODEV)?;
    slot.stack.write(stack);
    slot.phase = Phase::Started;
    Ok(())
}

/// The C ABI's backend: the started stack ([`PortBackend`]'s example calls
/// its functions from a firmware).
pub struct AbiBackend;

impl Backend for AbiBackend {
    type Api = Stack<'static, PortBoard>;

    fn with<R>(f: impl FnOnce(&mut Self::Api) -> R) -> Result<R, Errno> {
        SLOT.with(|slot| slot.get().map(f))?
    }

    /// A call that must wait parks: it waits in `usocket_port_wait()`
    /// without the lock, so other tasks' calls go on ([`Shared::call_on`]).
    fn call<R>(f: impl FnMut(&mut Self::Api) -> R) -> Result<R, Errno> {
        SLOT.call_on(StackSlot::get, f)
    }
}

/// The frame port's backend: start and receive.
///
/// # Examples
///
/// A firmware's whole side, here a one-thread bare-metal one written in Rust
/// (a C firmware implements the same functions from `usocket_port.h`): its
/// frame port, then start, a received frame, and socket calls.
///
/// ```
/// use core::sync::atomic::{AtomicU64, Ordering};
/// use usocket_cport::c_abi::{usocket_close, usocket_socket};
/// use usocket_cport::port_exports::{usocket_port_receive, usocket_port_start};
/// use usocket_runtime::constants::{AF_INET, SOCK_DGRAM};
///
/// static NOW_US: AtomicU64 = AtomicU64::new(0);
///
/// #[unsafe(no_mangle)]
/// extern "C" fn usocket_port_transmit(_frame: *const u8, _len: usize) -> i32 {
///     0 // a MAC driver copies the frame into its DMA ring here
/// }
/// #[unsafe(no_mangle)]
/// extern "C" fn usocket_port_now_us() -> u64 {
///     NOW_US.load(Ordering::Relaxed)
/// }
/// #[unsafe(no_mangle)]
/// extern "C" fn usocket_port_wait(until_us: u64) -> i32 {
///     // WFI until the timer or the MAC's interrupt; here time just passes.
///     let now = NOW_US.load(Ordering::Relaxed);
///     NOW_US.store(until_us.clamp(now, now + 1000), Ordering::Relaxed);
///     0
/// }
/// #[unsafe(no_mangle)]
/// extern "C" fn usocket_port_task() -> u64 {
///     0
/// }
/// #[unsafe(no_mangle)]
/// extern "C" fn usocket_port_wake(_task: u64) {}
/// #[unsafe(no_mangle)]
/// extern "C" fn usocket_port_lock() {}
/// #[unsafe(no_mangle)]
/// extern "C" fn usocket_port_unlock() {}
///
/// let mac = [2, 0, 0, 0, 0, 5];
/// // SAFETY: `mac` is 6 readable bytes.
/// assert_eq!(unsafe { usocket_port_start(mac.as_ptr(), 0x5eed) }, 0);
/// // What the MAC's receive interrupt hands over (a frame for nobody: dropped later).
/// let frame = [0u8; 60];
/// // SAFETY: `frame` is readable for its length.
/// assert_eq!(unsafe { usocket_port_receive(frame.as_ptr(), frame.len()) }, 0);
/// // SAFETY: integers in and out.
/// let fd = unsafe { usocket_socket(AF_INET, SOCK_DGRAM, 0) };
/// assert!(fd >= 0, "errno {}", -fd);
/// // SAFETY: as above.
/// assert_eq!(unsafe { usocket_close(fd) }, 0);
/// ```
pub struct PortBackend;

impl PortApi for PortBackend {
    fn start(mac: Option<[u8; 6]>, seed: u64) -> i32 {
        if BOARD.ethernet && BOARD.mac.is_none() && mac.is_none() {
            return -Errno::EINVAL.value();
        }
        let started = SLOT.with(|slot| start(slot, mac, seed));
        match started {
            Ok(Ok(())) => 0,
            Ok(Err(e)) | Err(e) => -e.value(),
        }
    }

    fn receive(frame: &[u8]) -> i32 {
        if frame.len() > FRAME_BYTES {
            return -Errno::EMSGSIZE.value();
        }
        if ring::RX.push(frame) { 0 } else { -Errno::ENOMEM.value() }
    }
}
