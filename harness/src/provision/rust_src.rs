//! Rust for Cortex-M from the registries only: the core library's source comes
//! from Debian's `rust-src` package matching this machine's toolchain (fetched
//! with apt into `target/rust-src/`, pinned by SHA-256), and cargo builds
//! `core` and `compiler_builtins` from it (`-Zbuild-std`, allowed on a stable
//! toolchain by `RUSTC_BOOTSTRAP=1`). No rustup download, no change to
//! `~/.rustup`; cargo fetches a few std-workspace crates from crates.io.
//!
//! [`build_staticlib`] gives the C firmware's `libusocket.a` for a c-port board
//! on a firmware target (`targets/cport-staticlib`, profile `firmware`).

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use usocket_codegen::targets::{self, Target};

use crate::provision::debian;
use crate::verbosity::progress;

/// The toolchain the pinned `rust-src` matches (`rustc -V`).
const RUSTC_RELEASE: &str = "1.95.0";
/// Debian's `rust-src` for it (trixie-backports), its file and SHA-256.
const RUST_SRC_SUITE: &str = "trixie-backports";
const RUST_SRC_VERSION: &str = "1.95.0+dfsg1-2~bpo13+1";
const RUST_SRC_DEB: &str = "rust-src_1.95.0+dfsg1-2~bpo13+1_all.deb";
const RUST_SRC_SHA256: &str = "7b76db5b880a77f9e52975d2baa6209d2f76d2c9c2789515c3088cb960e2c83b";

/// The package C firmware links, and its library's file name.
const STATICLIB_PACKAGE: &str = "usocket-cport-staticlib";
const STATICLIB_FILE: &str = "libusocket.a";
/// The cargo profile of firmware builds (workspace `Cargo.toml`).
const PROFILE: &str = "firmware";

/// Checks that the toolchain cargo uses is the one the pinned source matches.
fn check_toolchain() -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = crate::exec::captured(Command::new(&rustc).arg("-V")).map_err(|e| format!("{rustc} -V: {e}"))?;
    let version = String::from_utf8_lossy(&out.stdout).into_owned();
    if version.split_whitespace().nth(1) != Some(RUSTC_RELEASE) {
        return Err(format!(
            "the firmware build needs Rust {RUSTC_RELEASE} (Debian's rust-src {RUST_SRC_VERSION} is its core source), but `{rustc} -V` says `{}`: \
             use that toolchain, or pin the rust-src that matches yours in harness/src/provision/rust_src.rs",
            version.trim()
        ));
    }
    Ok(())
}

/// The core library source (`library/` of `rust-src`), fetched and unpacked
/// once into `target/rust-src/`.
pub fn library_source() -> Result<PathBuf, String> {
    let cache = crate::root().join("target/rust-src");
    let library = cache.join(format!("tree/usr/src/rustc-{RUSTC_RELEASE}/library"));
    if library.join("core/Cargo.toml").is_file() {
        return Ok(library);
    }
    let deb = cache.join(RUST_SRC_DEB);
    if !debian::pinned(&deb, RUST_SRC_SHA256) {
        let fetched = debian::Apt::new(&cache, "deb", RUST_SRC_SUITE).and_then(|apt| apt.get(&["download", &format!("rust-src={RUST_SRC_VERSION}")]));
        fetched.map_err(|e| {
            format!("Debian's rust-src {RUST_SRC_VERSION} ({RUST_SRC_SUITE}), the core source of firmware builds, could not be fetched with apt: {e}")
        })?;
        if !debian::pinned(&deb, RUST_SRC_SHA256) {
            return Err(format!("{} does not match its pinned SHA-256 {RUST_SRC_SHA256}", deb.display()));
        }
    }
    let tree = cache.join("tree");
    let _ = fs::remove_dir_all(&tree);
    crate::exec::step("unpack rust-src", "dpkg", &["-x", &deb.to_string_lossy(), &tree.to_string_lossy()])?;
    if !library.join("core/Cargo.toml").is_file() {
        return Err(format!("{RUST_SRC_DEB} has no {}", library.join("core/Cargo.toml").display()));
    }
    Ok(library)
}

/// The firmware target named `name` (one of `usocket_codegen::targets::TARGETS`).
pub fn target(name: &str) -> Result<&'static Target, String> {
    targets::find(name).ok_or_else(|| {
        let known: Vec<&str> = targets::TARGETS.iter().map(|t| t.name).collect();
        format!("unknown firmware target `{name}`: one of {}", known.join(", "))
    })
}

/// `cargo <args> <build-std options> <tail>` with the firmware build's
/// environment for c-port board `board` on target `t`: core from `rust-src`,
/// the target's rustc flags, the target's own build tree
/// `target/firmware/<target>` (shared by its boards).
fn firmware_cargo(board: &str, t: &Target, args: &[&str], tail: &[&str]) -> Result<(), String> {
    check_toolchain()?;
    let library = library_source()?;
    let mut all = args.to_vec();
    all.extend(["--target", t.name, "--no-default-features", "-Zbuild-std=core,compiler_builtins", "-Zbuild-std-features=compiler-builtins-mem"]);
    all.extend(tail);
    progress!("==> {board} on {}: cargo {}", t.name, all.join(" "));
    let started = std::time::Instant::now();
    let status = crate::exec::status(
        Command::new("cargo")
            .args(&all)
            .current_dir(crate::root())
            .env("RUSTC_BOOTSTRAP", "1")
            .env("__CARGO_TESTS_ONLY_SRC_ROOT", &library)
            .env("CARGO_TARGET_DIR", target_dir(t))
            .env("RUSTFLAGS", t.rustflags.join(" "))
            .env("USOCKET_CPORT_BOARD", board),
    )
    .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo {} for {board} on {} failed ({status})", args.join(" "), t.name));
    }
    println!("    {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The build tree of one firmware target.
fn target_dir(t: &Target) -> PathBuf {
    crate::root().join("target/firmware").join(t.name)
}

/// Builds the C firmware's static library (`libusocket.a`: the runtime and
/// the c-port board behind the generated C ABI, with a panic handler) for
/// c-port board `board` (a file in `spec/boards/`) on firmware target
/// `target`, with the staticlib crate's `features` (no default features: no
/// std). Release profile `firmware` (size-optimised, LTO, no debug info).
/// Returns the library's path, `target/firmware/<target>/<board>/libusocket.a`.
pub fn build_staticlib(board: &str, target: &str, features: &[&str]) -> Result<PathBuf, String> {
    let t = self::target(target)?;
    let features = features.join(",");
    let mut args = vec!["build", "-q", "-p", STATICLIB_PACKAGE, "--lib", "--profile", PROFILE];
    if !features.is_empty() {
        args.extend(["--features", &features]);
    }
    firmware_cargo(board, t, &args, &[])?;
    let built = target_dir(t).join(target).join(PROFILE).join(STATICLIB_FILE);
    let out = target_dir(t).join(board);
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let lib = out.join(STATICLIB_FILE);
    fs::copy(&built, &lib).map_err(|e| format!("copy {} to {}: {e}", built.display(), lib.display()))?;
    Ok(lib)
}

/// Clippy, warnings as errors, on the firmware code of `board` on `target` with `features`
/// (the no_std paths the host's workspace clippy does not see: the panic
/// handler, portable-atomic on targets without compare-and-swap).
pub fn clippy(board: &str, target: &str, features: &[&str]) -> Result<(), String> {
    let features = features.join(",");
    let mut args = vec!["clippy", "-q", "-p", STATICLIB_PACKAGE, "-p", "usocket-cport"];
    if !features.is_empty() {
        args.extend(["--features", &features]);
    }
    firmware_cargo(board, self::target(target)?, &args, &["--", "-D", "warnings"])
}
