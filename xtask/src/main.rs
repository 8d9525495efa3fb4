//! `cargo xtask`: the project's commands.
//!
//! - `codegen [--check]`: regenerate `generated/` from `spec/`, or check it is up to date.
//! - `micropython [--sanitize] [--version VERSION] [--micropython-dir DIR]`: build MicroPython's unix port with the module.
//! - `run SCRIPT [ARGS...]`: build it if needed and run a script (the README's main command).
//! - `test [--list | --step NAME...]`: run every test (the README's test command, called by `.ci/run`), or some steps.
//! - `bench [--mib N] [--rounds N] [--tap-mib N]`: TCP throughput against the kernel and bare smoltcp.
//! - `conformance`: the spec's behaviour cases on ours, stock MicroPython and CPython.
//! - `size [--text]`: RAM per TCP socket and per stack for each board profile; code size per feature set.
//! - `features`: the runtime without each of its optional features, and each c-port board's build.
//! - `firmware-lib BOARD [TARGET]`: the C firmware library `libusocket.a` of a c-port board.
//! - `multinet`: MicroPython's multi_net tests against our interpreter on TAP boards (root).

mod armrust;
mod bench;
mod codegen;
mod conformance;
mod cortex_m;
mod cport;
mod debian;
mod devbench;
mod device;
mod dhcp;
mod features;
mod firmware;
mod firmware_lib;
mod fuzz;
mod fwsize;
mod libraries;
mod lwip;
mod micropython;
mod mptests;
mod multinet;
mod netns;
mod pypi;
mod qemu;
mod run;
mod size;
mod tapboard;
mod test;
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;

/// The repository root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   regenerate generated/ from spec/ (--check: write nothing, fail if stale)
  micropython [--sanitize] [--version 1.25|1.26] [--micropython-dir DIR]
                      build MicroPython's unix port (release 1.25 by default) with the generated
                      module (prints its path)
  run SCRIPT [ARGS...]
                      build that interpreter if needed and run SCRIPT with it (loopback board
                      unless USOCKET_BOARD says otherwise)
  test [--list | --step NAME...]
                      run every test step (codegen check, clippy, firmware builds and RAM, Rust,
                      C, c-port, Cortex-M, MicroPython, sanitizers, fuzz), or only the named ones
  bench [--mib N] [--rounds N] [--tap-mib N] | bench --device
                      TCP throughput in release mode: usocket, std::net and bare smoltcp on
                      loopback (N MiB, default 64, interleaved rounds, default 3, medians and
                      ratios); as root also usocket <-> Linux over TAP in a network namespace
                      (--tap-mib per direction, default 256); then (or with --device, only)
                      the mps2-an385 firmware in QEMU against Linux, in instructions (root)
  conformance [--anchor | --device PORT [--own IPV4 IPV6]]
                      run generated/conformance/ on ours, stock MicroPython, CPython and MicroPython's
                      lwIP module on the emulated board (matrix); --anchor: only the last; or on a
                      board through mpremote (--own: also through its own addresses)
  size [--text]       RAM per TCP socket and per stack for each board file (spec/boards/); --text: the
                      c-port crate's code (.text, x86_64, linked with --gc-sections) per feature set
  features            the runtime with each optional feature (ipv6, dns, dhcpv4, raw) left out and with
                      all left out: no_std builds, clippy, the spec's cases for what is left out; and
                      each c-port board's firmware crate with the features its board file needs
  firmware-lib BOARD [TARGET]
                      build the C firmware library libusocket.a of a c-port board for its board
                      file's target (or TARGET), with Debian's rust-src (prints its path)
  multinet            MicroPython's multi_net tests (run-multitests.py) in a network namespace, as root:
                      ours on TAP <-> CPython on the kernel, and ours <-> ours on one bridge
  cport               build the c-port library and tests/c/cport_tap.c; as root run it over TAP in a
                      namespace (loopback, TCP, UDP and DNS against the kernel)
  dhcp                as root: our interpreter gets, applies and renews a DHCP lease from dnsmasq
                      on a TAP link in a network namespace; and starts static, switches with
                      ifconfig('dhcp') (first without a server: a timeout), then back to static
  firmware BOARD [--stack usocket|lwip|lwip-ipv4]
                      build MicroPython firmware with usocket for BOARD (mps2-an385), or with
                      MicroPython's own lwIP socket module (the anchor), and print the ELF's path last
  qemu BOARD [--stack NAME] [--tap NAME]
                      build and boot BOARD's firmware in QEMU, serial on a pty (printed as
                      `serial: /dev/pts/N`), network: the TAP device NAME or none
  device [--anchor]    as root: the mps2-an385 firmware in QEMU on a TAP link (MicroPython's tests,
                      ping, DHCP, time.sleep, multi_net, conformance), then the pairings with the
                      anchor firmware (MicroPython's lwIP module); --anchor: only those
  fuzz [--seconds N]  cargo fuzz (nightly): the spec parser, C ABI call sequences, raw frames;
                      regressions first, then N seconds each (default 60)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&args[1..]),
        Some("micropython") => micropython::run(&args[1..]),
        Some("run") => run::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("conformance") => conformance::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("size") => size::run(&args[1..]),
        Some("features") if args.len() == 1 => features::run(),
        Some("firmware-lib") => firmware_lib::run(&args[1..]),
        Some("multinet") if args.len() == 1 => multinet::run(),
        Some("cport") if args.len() == 1 => cport::run(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("firmware") => firmware::run(&args[1..]),
        Some("qemu") => qemu::run(&args[1..]),
        Some("device") if args.len() == 1 => device::run(false),
        Some("device") if args.len() == 2 && args[1] == "--anchor" => device::run(true),
        Some("dhcp") if args.len() == 1 => micropython::build(None).and_then(|exe| dhcp::run(&exe)),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
