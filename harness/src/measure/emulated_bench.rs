//! The device part of `cargo xtask bench` (root): the mps2-an385 firmware in
//! QEMU with `-icount shift=0` (one emulated nanosecond per instruction), its
//! LAN9118 on a TAP device in a namespace made for the run, against the kernel
//! (`bench/device/kernel_peer.py`). `bench/device/board_tcp.py` measures on the
//! board, in time not asleep in WFI: so the figures are instructions the
//! firmware executed, the same from run to run whatever the machine is doing.
//! Each figure is taken on ours and on the same firmware with MicroPython's
//! lwIP socket module (the anchor, `lwip.rs`), and printed with the ratio
//! ours/lwIP: also the MicroPython heap per connected TCP socket
//! (`board_heap.py`), and, in real time, throughput and a transfer each way
//! under Linux netem faults (`board_transfer.py`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::lab::firmware::{Firmware, Stack};
use crate::lab::qemu::{Clock, Nic, Qemu};
use usocket_netns::Netns;

/// How long the board's instruction-counted script may take.
pub(crate) const LIMIT: Duration = Duration::from_secs(300);
/// The instruction-counted TCP script: bulk each way, connect and accept cycles, the peak stack.
pub(crate) const TCP_SCRIPT: &str = "bench/device/board_tcp.py";
/// Bytes each way of the real-time throughput transfer, and its bound in seconds.
const THROUGHPUT: (u64, u64) = (4 << 20, 60);
/// Bytes each way of the transfer under faults, and its bound in seconds.
const FAULTED: (u64, u64) = (256 << 10, 120);
/// The faults (`tc qdisc add dev tap0 root netem ...`), on the TAP's egress:
/// the frames the kernel sends the board (data one way, ACKs the other).
const NETEM: [&str; 6] = ["loss", "5%", "reorder", "5%", "delay", "1ms"];

/// The firmwares compared: who, the stack, the board's IPv4 address (which the
/// kernel's peer connects to; ours' is spec/boards/mps2-an385.toml's).
fn firmwares() -> [(&'static str, Stack, &'static str); 2] {
    [
        ("ours", Stack::Usocket, crate::suites::emulated::BOARD_V4),
        ("lwip", Stack::Lwip { ipv6: true }, crate::provision::lwip::host(crate::provision::lwip::IPV4)),
    ]
}

/// The kernel's peer in the namespace, killed when dropped.
pub(crate) struct Peer(Child);

impl Peer {
    /// Starts `kernel_peer.py` for the board at `board` and waits for its `ready`.
    fn start(ns: &Netns, board: &str) -> Result<Peer, String> {
        let mut child = crate::exec::spawn(
            Command::new("ip")
                .args(["netns", "exec", &ns.name, "python3"])
                .arg(crate::root().join("bench/device/kernel_peer.py"))
                .arg(board)
                .stdout(Stdio::piped()),
        )
        .map_err(|e| format!("cannot run the kernel's peer: {e}"))?;
        let ready = child.stdout.take().map(|s| BufReader::new(s).lines().next());
        let peer = Peer(child);
        if !matches!(ready, Some(Some(Ok(ref l))) if l == "ready") {
            return Err("bench: the kernel's peer did not start".into());
        }
        Ok(peer)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `script` (with `first` as its first line, when given) on the board
/// through mpremote within `limit`, and returns the `key=value` pairs of its
/// `RESULT` lines (with `error` when it did not finish).
pub(crate) fn run_script(qemu: &Qemu, script: &str, first: &str, limit: Duration) -> Result<BTreeMap<String, String>, String> {
    let path = crate::root().join(script);
    let body = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file = std::env::temp_dir().join(format!("usocket-devbench-{}", path.file_name().map_or("script".into(), |n| n.to_string_lossy())));
    std::fs::write(&file, format!("{first}\n{body}")).map_err(|e| format!("{}: {e}", file.display()))?;
    let board = crate::exec::captured(Command::new("timeout").arg(limit.as_secs().to_string()).args(["mpremote", "connect", &qemu.serial, "run"]).arg(&file))
        .map_err(|e| format!("cannot run mpremote: {e}"))?;
    let stdout = String::from_utf8_lossy(&board.stdout);
    let mut figures: BTreeMap<String, String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("RESULT "))
        .flat_map(str::split_whitespace)
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if figures.is_empty() || !board.status.success() {
        let why = format!("{script} on the device did not finish ({}):\n{stdout}{}", board.status, String::from_utf8_lossy(&board.stderr));
        if figures.is_empty() {
            return Err(why);
        }
        figures.insert("error".into(), why);
    }
    Ok(figures)
}

/// Every figure of one firmware: the instruction-counted boot (board_tcp.py,
/// board_heap.py), then a real-time boot (throughput; the same under netem,
/// keys prefixed `real_` and `fault_`). A phase that fails is recorded as
/// `error_PHASE`, so that the other firmware and phases are still measured.
fn measure(fw: &Firmware, stack: Stack, address: &str) -> Result<BTreeMap<String, String>, String> {
    let elf = crate::lab::firmware::build_with(fw, fw.board, stack)?;
    let ns = Netns::with_tap(crate::exec::captured, &usocket_netns::private_name("usocket-emulated-bench"), crate::suites::multinet::KERNEL_V4, None)?;
    let mut figures = BTreeMap::new();
    let started = Instant::now();
    {
        let (qemu, _peer) = boot_counted(fw, &elf, &ns, address)?;
        phase(&mut figures, "tcp", run_script(&qemu, TCP_SCRIPT, "", LIMIT), "");
        phase(&mut figures, "heap", run_script(&qemu, "bench/device/board_heap.py", "", Duration::from_secs(120)), "");
    }
    figures.insert("icount_s".into(), format!("{:.1}", started.elapsed().as_secs_f64()));
    let qemu = Qemu::boot(fw, &elf, &Nic::Tap("tap0".into()), Clock::Real, Some(&ns.name))?;
    let _peer = Peer::start(&ns, address)?;
    let transfer = |(size, limit): (u64, u64), hash: u8| {
        let first = format!("SIZE = {size}\nHASH = {hash}\nLIMIT_S = {limit}");
        run_script(&qemu, "bench/device/board_transfer.py", &first, Duration::from_secs(3 * limit + 60))
    };
    phase(&mut figures, "throughput", transfer(THROUGHPUT, 0), "real_");
    let netem: Vec<&str> = ["-n", &ns.name, "qdisc", "add", "dev", "tap0", "root", "netem"].into_iter().chain(NETEM).collect();
    match crate::exec::captured(Command::new("tc").args(&netem)) {
        Ok(o) if o.status.success() => phase(&mut figures, "faults", transfer(FAULTED, 1), "fault_"),
        Ok(o) => {
            let why = String::from_utf8_lossy(&o.stderr);
            let failed = format!("`tc {}` failed: {}", netem.join(" "), why.trim());
            if why.contains("unknown") {
                // The machine, not the firmware: skipped, loudly, not failed.
                figures.insert(
                    "skipped_faults".into(),
                    format!("{failed} (this kernel has no netem qdisc, sch_netem: faults cannot be injected on this machine)"),
                );
            } else {
                phase(&mut figures, "faults", Err(failed), "");
            }
        }
        Err(e) => phase(&mut figures, "faults", Err(format!("cannot run tc: {e} (apt-get install iproute2)")), ""),
    }
    Ok(figures)
}

/// Boots `elf` under `-icount` on `ns`'s `tap0`, with the kernel's peer
/// for the board at `address` (both stop when dropped).
pub(crate) fn boot_counted(fw: &Firmware, elf: &Path, ns: &Netns, address: &str) -> Result<(Qemu, Peer), String> {
    let qemu = Qemu::boot(fw, elf, &Nic::Tap("tap0".into()), Clock::Instructions, Some(&ns.name))?;
    let peer = Peer::start(ns, address)?;
    Ok((qemu, peer))
}

/// Records a phase's figures under `prefix`, or its error as `error_NAME`.
fn phase(figures: &mut BTreeMap<String, String>, name: &str, result: Result<BTreeMap<String, String>, String>, prefix: &str) {
    match result {
        Ok(f) => figures.extend(f.into_iter().map(|(k, v)| (format!("{prefix}{k}"), v))),
        Err(e) => {
            figures.insert(format!("error_{name}"), e);
        }
    }
}

/// A figure as a number, when it was measured.
fn number(figures: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    figures.get(key)?.parse().ok()
}

/// MB/s (10^6 bytes per second) of a transfer, from its bytes and microseconds.
fn mb_per_s(figures: &BTreeMap<String, String>, dir: &str) -> Option<f64> {
    let us = number(figures, &format!("real_{dir}_us"))?;
    (us > 0.0 && figures.get(&format!("real_{dir}_intact"))? == "1").then(|| number(figures, &format!("real_{dir}_bytes")).unwrap_or(0.0) / us)
}

/// Seconds a faulted transfer took, when it arrived intact.
fn faulted_s(figures: &BTreeMap<String, String>, dir: &str) -> Option<f64> {
    let us = number(figures, &format!("fault_{dir}_us"))?;
    (figures.get(&format!("fault_{dir}_intact"))? == "1").then_some(us / 1e6)
}

/// Runs the benchmark on both firmwares and prints their figures and ratios.
pub fn run() -> Result<(), String> {
    if usocket_netns::skip_unless_root("the device benchmark", "a TAP device in a network namespace") {
        return Ok(());
    }
    let fw = crate::lab::firmware::find("mps2-an385")?;
    let mut all = Vec::new();
    for (who, stack, address) in firmwares() {
        all.push((who, measure(fw, stack, address)?));
    }
    let [(_, ours), (_, lwip)] = &all[..] else { return Err("bench: two firmwares expected".into()) };
    let figure = |f: &BTreeMap<String, String>, key: &str| f.get(key).cloned().unwrap_or_else(|| "?".into());
    let table = |f: &BTreeMap<String, String>| {
        println!("  bulk TCP kernel -> board       {:>10} instructions/byte", figure(f, "rx_insn_per_byte"));
        println!("  bulk TCP board -> kernel       {:>10} instructions/byte", figure(f, "tx_insn_per_byte"));
        println!("  connect/close (board connects) {:>10} instructions/cycle", figure(f, "connect_insn"));
        println!("  accept/close (kernel connects) {:>10} instructions/cycle", figure(f, "accept_insn"));
        println!("  peak stack since boot          {:>10} bytes", figure(f, "stack_peak"));
        println!("  ({} s of real time)", figure(f, "icount_s"));
    };
    println!("\nmps2-an385 firmware (Cortex-M3, QEMU -icount shift=0) <-> Linux over TAP, instructions executed by the firmware:");
    table(ours);
    println!(
        "the same firmware with MicroPython's lwIP socket module (modlwip, lwIP 2.2.1), board {}:",
        crate::provision::lwip::host(crate::provision::lwip::IPV4)
    );
    table(lwip);
    let ratio = |what: &str, a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => println!("  {what} ours/lwip {:.2}x", a / b),
        _ => println!("  {what} ours/lwip NOT MEASURED (ours {a:?}, lwip {b:?}; see the errors or skips below)"),
    };
    for (what, key) in [
        ("bulk TCP kernel->board insn/byte", "rx_insn_per_byte"),
        ("bulk TCP board->kernel insn/byte", "tx_insn_per_byte"),
        ("connect/close insn/cycle", "connect_insn"),
        ("accept/close insn/cycle", "accept_insn"),
        ("peak stack bytes", "stack_peak"),
    ] {
        ratio(what, number(ours, key), number(lwip, key));
    }
    println!("MicroPython heap per connected TCP socket (gc.mem_alloc over 4 sockets; modlwip's socket state is on the heap, ours in static tables):");
    println!("  ours {:>6} bytes   lwip {:>6} bytes", figure(ours, "heap_per_socket"), figure(lwip, "heap_per_socket"));
    ratio("heap per TCP socket", number(ours, "heap_per_socket"), number(lwip, "heap_per_socket"));
    let (size, limit) = THROUGHPUT;
    println!("throughput with the kernel in real time (QEMU without -icount; {} MiB each way, at most {limit} s each), MB/s:", size >> 20);
    let show = |v: Option<f64>, unit: &str| v.map_or("NOT MEASURED".to_string(), |v| format!("{v:.2} {unit}"));
    for (what, dir) in [("kernel -> board", "rx"), ("board -> kernel", "tx")] {
        println!("  {what}   ours {:>14}   lwip {:>14}", show(mb_per_s(ours, dir), "MB/s"), show(mb_per_s(lwip, dir), "MB/s"));
        ratio(&format!("throughput {what} MB/s"), mb_per_s(ours, dir), mb_per_s(lwip, dir));
    }
    let (size, limit) = FAULTED;
    let faults = NETEM.join(" ");
    println!(
        "under faults (tc netem {} on tap0's egress: the kernel's frames to the board), {} KiB each way, SHA-256 compared, at most {limit} s:",
        faults,
        size >> 10
    );
    for (what, dir) in [("kernel -> board", "rx"), ("board -> kernel", "tx")] {
        let state =
            |f: &BTreeMap<String, String>| format!("{} bytes, intact {}", figure(f, &format!("fault_{dir}_bytes")), figure(f, &format!("fault_{dir}_intact")));
        println!("  {what}   ours {:>10} ({})   lwip {:>10} ({})", show(faulted_s(ours, dir), "s"), state(ours), show(faulted_s(lwip, dir), "s"), state(lwip));
        ratio(&format!("faulted transfer {what} seconds"), faulted_s(ours, dir), faulted_s(lwip, dir));
    }
    let skipped: Vec<String> =
        all.iter().flat_map(|(who, f)| f.iter().filter(|(k, _)| k.starts_with("skipped_")).map(move |(k, v)| format!("{who} {k}: {v}"))).collect();
    if !skipped.is_empty() {
        eprintln!("\n!!! device bench: SKIPPED on this machine:\n{}", skipped.join("\n"));
    }
    let errors: Vec<String> = all
        .iter()
        .flat_map(|(who, f)| f.iter().filter(|(k, _)| k.starts_with("error") || k.ends_with("_error")).map(move |(k, v)| format!("{who} {k}: {v}")))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let bar = "!".repeat(88);
    eprintln!("\n{bar}\n!!! device bench: NOT MEASURED:\n{}\n{bar}", errors.join("\n"));
    Err(format!("device bench: {}", errors.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_count_only_when_intact() {
        let f: BTreeMap<String, String> = [
            ("real_rx_bytes", "2000000"),
            ("real_rx_us", "1000000"),
            ("real_rx_intact", "1"),
            ("real_tx_bytes", "5"),
            ("real_tx_us", "9"),
            ("real_tx_intact", "0"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
        assert_eq!(mb_per_s(&f, "rx"), Some(2.0));
        assert_eq!(mb_per_s(&f, "tx"), None);
        assert!(crate::root().join("bench/device/board_transfer.py").is_file());
    }
}
