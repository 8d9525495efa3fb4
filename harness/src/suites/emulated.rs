//! The device suite (in `cargo xtask test`, as root): the mps2-an385 firmware
//! in QEMU, its LAN9118 on a TAP device inside a network namespace made for the
//! run (192.0.2.1 and 2001:db8::1 on the kernel's side; the board is 192.0.2.2
//! and 2001:db8::2), tested by
//!
//! - MicroPython's `run-tests.py -t execpty:<qemu>`: net_hosted's four and the
//!   extmod socket/select/asyncio tests;
//! - the kernel's `ping` (IPv4 and IPv6) answered by the board while its REPL idles;
//! - DHCP against dnsmasq in the namespace (`tests/device/dhcp.py`):
//!   `ifconfig('dhcp')` leaves the static address for a lease, which renews
//!   during `time.sleep` and carries TCP, then the static address comes back
//!   for the rest of the suite;
//! - a connection the kernel makes while the board's Python is in `time.sleep`;
//! - the spec's conformance cases through mpremote (`conformance --serial`), with
//!   the loopback fixtures (127.0.0.1, ::1) and through the board's own addresses;
//! - MicroPython's multi_net tests between the firmware and CPython on the
//!   namespace's kernel, both orders;
//! - against the anchor (MicroPython's lwIP module in the same firmware, on
//!   192.0.2.3 and 2001:db8::3), in a second namespace with a bridge: both
//!   firmwares answer ping, then multi_net anchor <-> CPython and ours <->
//!   anchor (two QEMUs on one bridge), both orders each.
//!
//! Needs root; skipped, loudly, otherwise. The namespace and QEMU are removed
//! at the end, also on failure.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use crate::lab::qemu::{Clock, Nic, Qemu};
use crate::verbosity::progress;
use usocket_netns::Netns;

/// The board the suite runs on.
const BOARD: &str = "mps2-an385";
/// The namespace's name.
static NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-device"));
/// The board's addresses (its board file's static ones).
pub const BOARD_V4: &str = "192.0.2.2";
pub const BOARD_V6: &str = "2001:db8::2";

/// Runs the suite; with `anchor_only`, only the pairings with the anchor.
pub fn run(anchor_only: bool) -> Result<(), String> {
    if usocket_netns::skip_unless_root("the device suite", "the firmware's Ethernet: a TAP device in a network namespace") {
        return Ok(());
    }
    let fw = crate::lab::firmware::find(BOARD)?;
    let elf = crate::lab::firmware::build(fw)?;
    if anchor_only {
        return against_the_anchor(fw, &elf);
    }
    // run-tests.py boots its own QEMU; these tests need no link. The clock
    // counts instructions: net_hosted/asyncio_loopback.py orders its output by
    // two 0.1 s sleeps that start a few instructions apart, and in real time a
    // loaded machine swapped them (one CI run); on instructions the order is
    // the firmware's own, every run (and the 40 files take 17 s, not 21).
    crate::suites::mptests::run_on_device(&Qemu::command(fw, &elf, &Nic::None, Clock::Instructions).join(" "))?;
    let ns = Netns::with_tap(crate::exec::captured, NETNS.as_str(), crate::suites::multinet::KERNEL_V4, Some("2001:db8::1/64"))?;
    // run-multitests.py's HOST_IP is the source address of a route to the
    // internet: a default route via an address nobody has makes it 192.0.2.1.
    ns.ip(&["route", "add", "default", "via", crate::suites::multinet::NOWHERE, "dev", "tap0"])?;
    let qemu = Qemu::boot(fw, &elf, &Nic::Tap("tap0".into()), Clock::Real, Some(&ns.name))?;
    progress!("==> {BOARD} booted in namespace {}, serial {}", ns.name, qemu.serial);
    ping(&ns, &[BOARD_V4, BOARD_V6])?;
    dhcp(&ns, &qemu)?;
    ping(&ns, &[BOARD_V4, BOARD_V6])?;
    sleep_accept(&ns, &qemu)?;
    let (device, cpython) = (format!("pyb:{}", qemu.serial), "cpython".to_string());
    multi_net(&ns, "ours <-> CPython", &[(&device, &cpython), (&cpython, &device)], &[])?.gate()?;
    crate::suites::conformance::run(crate::suites::conformance::Which::Serial { port: qemu.serial.clone(), own: Some((BOARD_V4.into(), BOARD_V6.into())) })?;
    drop(qemu);
    drop(ns);
    against_the_anchor(fw, &elf)
}

/// The namespace of the pairings with the anchor.
static ANCHOR_NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-device-anchor"));

/// Ours on tap0 and the anchor on tap1 of one bridge: ping both, then
/// multi_net anchor <-> CPython and ours <-> anchor, both orders each.
fn against_the_anchor(fw: &crate::lab::firmware::Firmware, ours_elf: &Path) -> Result<(), String> {
    let anchor_elf = crate::lab::firmware::build_with(fw, fw.board, crate::lab::firmware::Stack::Lwip { ipv6: true })?;
    let ns = Netns::with_bridge(
        crate::exec::captured,
        ANCHOR_NETNS.as_str(),
        crate::suites::multinet::KERNEL_V4,
        Some("2001:db8::1/64"),
        &["tap0", "tap1"],
        crate::suites::multinet::NOWHERE,
    )?;
    let ours = Qemu::boot(fw, ours_elf, &Nic::Tap("tap0".into()), Clock::Real, Some(&ns.name))?;
    let anchor = Qemu::boot(fw, &anchor_elf, &Nic::Tap("tap1".into()), Clock::Real, Some(&ns.name))?;
    progress!("==> ours ({}) and the anchor, MicroPython's lwIP module ({}), on one bridge in {}", ours.serial, anchor.serial, ns.name);
    ping(&ns, &[BOARD_V4, BOARD_V6])?;
    if let Err(e) = ping(&ns, &[crate::provision::lwip::host(crate::provision::lwip::IPV4), crate::provision::lwip::host(crate::provision::lwip::IPV6)]) {
        println!("!!! the anchor (measured, not gating): {e}");
    }
    let (ours, anchor) = (format!("pyb:{}", ours.serial), format!("pyb:{}", anchor.serial));
    let cpython = "cpython".to_string();
    // The anchor's outcomes are measurements: its races (a garbage errno when
    // the peer's FIN beats connect's return, data dropped on a RST) are
    // reported, and never decide whether the suite passes.
    multi_net(&ns, "the anchor <-> CPython", &[(&anchor, &cpython), (&cpython, &anchor)], &ANCHOR_WITH_CPYTHON)?.report();
    multi_net(&ns, "ours <-> the anchor", &[(&ours, &anchor), (&anchor, &ours)], &ANCHOR_WITH_OURS)?.report();
    Ok(())
}

/// A multi_net outcome other than a pass that a pairing expects: the
/// anchor's known behaviour, by which its pairings' report tells the known
/// from the new (an entry that passed, or a failure not listed).
struct Expected {
    /// Which of the pairing's orders (0: as `orders` lists them first).
    order: usize,
    /// `multi_net/NAME.py`'s NAME.
    test: &'static str,
    /// The results it may have (`FAIL`; `pass` too where the anchor is racy), or
    /// [`SKIP`]: the test would skip itself in this order, so it is left out.
    result: &'static [&'static str],
    /// Why, for the report.
    why: &'static str,
}

/// After the peer's RST, modlwip's server drops the data it had received and
/// raises EBADF on the next recv (the test itself says "the following recv
/// don't work with lwip, it abandons data upon TCP RST"); as a client it has
/// no SO_LINGER, so the test skips itself.
const RST_DROPS_DATA: &str = "modlwip abandons received data on the peer's RST, then raises EBADF (the test's own TODO notes it)";
const NO_SO_LINGER: &str = "modlwip has no SO_LINGER, which the test's client needs";
/// The asyncio variant reads as soon as data comes, so it wins the race with
/// the RST or not, depending on the client's timing.
const RST_RACE: &str = "modlwip abandons received data on the peer's RST unless asyncio read it first (a race)";
const FAIL: &[&str] = &["FAIL"];
const SKIP: &[&str] = &["skip"];
const RACY: &[&str] = &["FAIL", "pass"];
const ANCHOR_WITH_CPYTHON: [Expected; 4] = [
    Expected { order: 0, test: "tcp_client_rst", result: FAIL, why: RST_DROPS_DATA },
    Expected { order: 0, test: "asyncio_tcp_client_rst", result: RACY, why: RST_RACE },
    Expected { order: 1, test: "tcp_client_rst", result: SKIP, why: NO_SO_LINGER },
    Expected { order: 1, test: "asyncio_tcp_client_rst", result: SKIP, why: NO_SO_LINGER },
];
const ANCHOR_WITH_OURS: [Expected; 4] = [
    Expected { order: 0, test: "tcp_client_rst", result: SKIP, why: NO_SO_LINGER },
    Expected { order: 0, test: "asyncio_tcp_client_rst", result: SKIP, why: NO_SO_LINGER },
    Expected { order: 1, test: "tcp_client_rst", result: FAIL, why: RST_DROPS_DATA },
    Expected { order: 1, test: "asyncio_tcp_client_rst", result: RACY, why: RST_RACE },
];

/// The kernel pings each address: the stacks answer echo requests.
fn ping(ns: &Netns, addresses: &[&str]) -> Result<(), String> {
    for address in addresses {
        let flag = if address.contains(':') { "-6" } else { "-4" };
        let out = crate::exec::captured(Command::new("ip").args(["netns", "exec", &ns.name, "ping", flag, "-c", "3", "-W", "2", address]))
            .map_err(|e| format!("cannot run ping: {e} (apt-get install iputils-ping)"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let summary = text.lines().find(|l| l.contains("packets transmitted")).unwrap_or("no summary");
        if !out.status.success() {
            return Err(format!("ping {address} from the kernel was not answered: {summary}"));
        }
        progress!("==> ping {address}: {summary}");
    }
    Ok(())
}

/// The firmware's DHCP on request (`tests/device/dhcp.py`) against dnsmasq
/// and the kernel's peer server, both stopped at the end: the lease must be
/// the one dnsmasq's lease file records for the board's MAC, from its pool,
/// renewed while Python slept (a second DHCPACK), and every check of the
/// script must pass, the last ones with 192.0.2.2 again.
fn dhcp(ns: &Netns, qemu: &Qemu) -> Result<(), String> {
    let dir = crate::root().join("target/device-dhcp");
    let dnsmasq = crate::suites::dhcp::Dnsmasq::start(&ns.name, &dir)?;
    let _peer = crate::suites::dhcp::peer_server(&ns.name, &dir.join("peer.log"))?;
    let script = crate::root().join("tests/device/dhcp.py");
    let out = crate::exec::captured(Command::new("timeout").args(["90", "mpremote", "connect", &qemu.serial, "run"]).arg(&script))
        .map_err(|e| format!("cannot run mpremote: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        println!("    {line}");
    }
    let lease: Vec<&str> = text.lines().find_map(|l| l.strip_prefix("LEASE ")).map(|l| l.split_whitespace().collect()).unwrap_or_default();
    let (ip, ms) = (lease.first().copied().unwrap_or(""), lease.get(4).copied().unwrap_or("?"));
    let recorded = dnsmasq.leased_to(&crate::suites::dhcp::board_mac(BOARD)?);
    let acks = dnsmasq.acks();
    let all_passed = text.lines().any(|l| l.ends_with(" passed, 0 failed"));
    if !out.status.success() || !all_passed || !crate::suites::dhcp::in_pool(ip) || ip == BOARD_V4 || recorded.as_deref() != Some(ip) || acks < 2 {
        return Err(format!(
            "DHCP on the device failed ({}): leased {ip:?}, dnsmasq's lease file says {recorded:?}, {acks} DHCPACK (a renewal needs 2); stderr: {}\ndnsmasq's log:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            dnsmasq.log()
        ));
    }
    println!(
        "==> DHCP on the device: lease {ip} from dnsmasq in {ms} ms (renewed during time.sleep: {acks} DHCPACK), TCP from it, then static {BOARD_V4} again"
    );
    Ok(())
}

/// While the board's Python sleeps 3 s (tests/device/sleep_accept.py), the
/// kernel connects and sends: the handshake must complete within a second, so
/// the stack ran during `time.sleep`; the data is there after the sleep.
fn sleep_accept(ns: &Netns, qemu: &Qemu) -> Result<(), String> {
    let script = crate::root().join("tests/device/sleep_accept.py");
    let mut board = crate::exec::spawn(Command::new("timeout").args(["60", "mpremote", "connect", &qemu.serial, "run"]).arg(&script).stdout(Stdio::piped()))
        .map_err(|e| format!("cannot run mpremote: {e}"))?;
    let mut lines = BufReader::new(board.stdout.take().ok_or("mpremote: no stdout")?).lines();
    if !lines.by_ref().map_while(Result::ok).any(|l| l.trim() == "LISTENING") {
        let _ = board.kill();
        return Err("sleep_accept.py: the board never listened".into());
    }
    let started = Instant::now();
    let kernel = "import socket; s = socket.create_connection(('192.0.2.2', 9200), timeout=5); s.sendall(b'during sleep')";
    let status = crate::exec::status(Command::new("ip").args(["netns", "exec", &ns.name, "python3", "-c", kernel])).map_err(|e| e.to_string())?;
    let connected = started.elapsed();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let _ = board.wait();
    let accepted = rest.iter().any(|l| l.trim() == "ACCEPTED b'during sleep'");
    if !status.success() || connected > Duration::from_secs(1) || !accepted {
        return Err(format!("the stack did not run during time.sleep: kernel connect+send {status} in {connected:?}, board said {rest:?}"));
    }
    progress!("==> during the board's time.sleep(3) the kernel connected and sent in {:.0} ms; accepted after the sleep", connected.as_secs_f64() * 1000.0);
    Ok(())
}

/// What one pairing's multi_net run gave.
struct MultiNet {
    /// `multi_net, NAME: N passed` and each outcome that went as expected.
    report: String,
    /// Each outcome that did not.
    problems: Vec<String>,
}

impl MultiNet {
    /// Ours (with CPython): every outcome not expected fails the suite.
    fn gate(self) -> Result<(), String> {
        if self.problems.is_empty() {
            progress!("==> {}", self.report);
            Ok(())
        } else {
            Err(format!("{}; {} did not:\n  {}", self.report, self.problems.len(), self.problems.join("\n  ")))
        }
    }

    /// A pairing with the anchor: a measurement, printed, never a failure.
    fn report(self) {
        println!("==> {}", self.report);
        for p in &self.problems {
            println!("!!! not as the anchor's known behaviour says (measured, not gating): {p}");
        }
    }
}

/// MicroPython's multi_net tests with each pair of instances (instance0,
/// instance1): boards (`pyb:PTY`) or CPython on the namespace's kernel. Every
/// test should pass but those `expected` says otherwise of, which should do as
/// it says; the caller decides whether a departure fails ([`MultiNet`]).
fn multi_net(ns: &Netns, name: &str, orders: &[(&String, &String)], expected: &[Expected]) -> Result<MultiNet, String> {
    let tests = crate::lab::micropython::source(None)?.join("tests");
    let mut problems = Vec::new();
    let mut passed = 0;
    let mut as_expected = Vec::new();
    for (i, (first, second)) in orders.iter().enumerate() {
        // A test that would skip itself is left out: a skipped client leaves
        // its server behind for a moment, holding the port the next test binds.
        let skipped = |t: &&str| expected.iter().any(|e| e.order == i && e.test == *t && e.result == SKIP);
        for e in expected.iter().filter(|e| e.order == i && e.result == SKIP) {
            as_expected.push(format!("left out {} on {}|{}: {}", e.test, first, second, e.why));
        }
        let files: Vec<String> = crate::suites::multinet::TESTS
            .iter()
            .filter(|t| !(second.as_str() == "cpython" && crate::suites::multinet::MICROPYTHON_CLIENT_ONLY.contains(t)))
            .filter(|t| !skipped(t))
            .map(|t| format!("multi_net/{t}.py"))
            .collect();
        for o in crate::suites::multinet::harness(&ns.name, &tests, Path::new("micropython"), [first, second], &files)? {
            let claim = expected.iter().find(|e| e.order == i && o.test == format!("multi_net/{}.py", e.test));
            match (o.result.as_str(), claim) {
                ("pass", None) => passed += 1,
                (result, Some(e)) if e.result.contains(&result) => as_expected.push(format!("{result} {} on {}: {}", o.test, o.order, e.why)),
                (result, Some(e)) => problems.push(format!("{result} {} on {}, but {} was expected ({})", o.test, o.order, e.result.join(" or "), e.why)),
                (result, None) => problems.push(format!("{result} {} on {}", o.test, o.order)),
            }
        }
    }
    let mut report = format!("multi_net, {name}: {passed} passed");
    for e in &as_expected {
        report.push_str(&format!("\n    as expected: {e}"));
    }
    Ok(MultiNet { report, problems })
}
