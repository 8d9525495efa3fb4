//! The firmware targets a c-port board file may name (`target = "..."`): a
//! closed set, so that everything a build for one needs is written here once —
//! its pointer width (which per-item costs of `spec/ram.toml` its RAM budget
//! uses), the C flags of code linked with the library, and the rustc flags of
//! the runtime.

use serde::Serialize;

/// One Rust target for firmware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The Rust target name.
    pub name: &'static str,
    /// Its CPU, for the docs.
    pub cpu: &'static str,
    /// Pointer width in bits.
    pub pointer_bits: u64,
    /// `arm-none-eabi-gcc` flags for C code linked with the library (CPU,
    /// instruction set and float ABI must match the Rust objects').
    pub cflags: &'static [&'static str],
    /// Extra rustc flags for the runtime on this target.
    pub rustflags: &'static [&'static str],
}

/// Every target a board may name (each one built by `cargo xtask test`).
pub const TARGETS: [Target; 3] = [
    Target {
        name: "thumbv6m-none-eabi",
        cpu: "Cortex-M0/M0+ (ARMv6-M)",
        pointer_bits: 32,
        cflags: &["-mcpu=cortex-m0plus", "-mthumb"],
        // ARMv6-M has no compare-and-swap: portable-atomic implements the two
        // lock flags' swap by masking interrupts around it, which is only
        // sound when one core calls usocket (see spec/boards/rp2040-w5500.toml).
        rustflags: &["--cfg", "portable_atomic_unsafe_assume_single_core"],
    },
    Target { name: "thumbv7m-none-eabi", cpu: "Cortex-M3 (ARMv7-M)", pointer_bits: 32, cflags: &["-mcpu=cortex-m3", "-mthumb"], rustflags: &[] },
    Target {
        name: "thumbv7em-none-eabihf",
        cpu: "Cortex-M4F (ARMv7E-M, FPv4-SP, hard float)",
        pointer_bits: 32,
        cflags: &["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
        rustflags: &[],
    },
];

/// The target named `name`.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
