//! `libusocket.a`, the static library C firmware links: the c-port board
//! (`usocket-cport`, whose `usocket_*` C ABI and `usocket_port_*` frame port
//! it exports) plus the one thing a static library needs that a Rust
//! dependency must not bring, a panic handler. Build it with
//! `--no-default-features` for firmware; the default `std` feature is for host
//! programs (`tests/c/cport_tap.c`), which take std's.

#![cfg_attr(not(feature = "std"), no_std)]
// No panic may reach an `extern "C"` function, and every unsafe block says why it is sound.
#![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

pub use usocket_cport::*;

/// A panic is a bug (the C ABI's own code denies `unwrap`, `expect` and
/// `panic!`; one left in the runtime beneath it would be a bug too): stop
/// the core where a debugger sees it. On ARM a permanently undefined
/// instruction raises HardFault (the firmware's fault handler runs); elsewhere
/// spin.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    #[cfg(target_arch = "arm")]
    // SAFETY: `udf` only raises the undefined-instruction fault.
    unsafe {
        core::arch::asm!("udf #0", options(noreturn, nomem, nostack));
    }
    #[cfg(not(target_arch = "arm"))]
    loop {
        core::hint::spin_loop();
    }
}
