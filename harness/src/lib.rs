//! The test harness behind `cargo xtask test` and `cargo xtask bench`, by job:
//!
//! - [`provision`]: third-party sources and tools from the registries (Debian
//!   source packages, PyPI, Rust's `core` for Cortex-M), pinned by SHA-256 and
//!   cached under `target/`;
//! - [`lab`]: what the suites run on: our MicroPython interpreters, the
//!   firmware images and QEMU;
//! - [`suites`]: the tests, one module per suite;
//! - [`measure`]: the benchmarks, reported as ratios measured side by side.
//!
//! [`exec`] runs every program (obeying [`verbosity`]); xtask's build-tool
//! jobs use it too.

pub mod cflags;
pub mod exec;
pub mod lab;
pub mod measure;
pub mod provision;
pub mod stats;
pub mod suites;
pub mod verbosity;

use std::path::PathBuf;

/// The repository root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
