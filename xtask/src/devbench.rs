//! The device part of `cargo xtask bench` (root): the mps2-an385 firmware in
//! QEMU with `-icount shift=0` (one emulated nanosecond per instruction), its
//! LAN9118 on a TAP device in a namespace made for the run, against the kernel
//! (`bench/device/kernel_peer.py`). `bench/device/board_tcp.py` measures on the
//! board, in time not asleep in WFI: so the figures are instructions the
//! firmware executed, the same from run to run whatever the machine is doing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::netns::Netns;
use crate::qemu::{Clock, Nic, Qemu};

/// How long the board's script may take.
const LIMIT: Duration = Duration::from_secs(600);

/// Runs the benchmark and prints its figures.
pub fn run() -> Result<(), String> {
    if crate::netns::skip_unless_root("the device benchmark", "a TAP device in a network namespace") {
        return Ok(());
    }
    let fw = crate::firmware::find("mps2-an385")?;
    let elf = crate::firmware::build(fw)?;
    let ns = Netns::with_tap("usocket-devbench", crate::multinet::KERNEL_V4, None)?;
    let qemu = Qemu::boot(fw, &elf, &Nic::Tap("tap0".into()), Clock::Instructions, Some(&ns.name))?;
    let root = crate::root();
    let mut peer = Command::new("ip")
        .args(["netns", "exec", &ns.name, "python3"])
        .arg(root.join("bench/device/kernel_peer.py"))
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the kernel's peer: {e}"))?;
    let ready = peer.stdout.take().map(|s| BufReader::new(s).lines().next());
    if !matches!(ready, Some(Some(Ok(ref l))) if l == "ready") {
        let _ = peer.kill();
        return Err("bench: the kernel's peer did not start".into());
    }
    let started = Instant::now();
    let board = Command::new("timeout")
        .arg(LIMIT.as_secs().to_string())
        .args(["mpremote", "connect", &qemu.serial, "run"])
        .arg(root.join("bench/device/board_tcp.py"))
        .output()
        .map_err(|e| format!("cannot run mpremote: {e}"))?;
    let _ = peer.kill();
    let _ = peer.wait();
    let stdout = String::from_utf8_lossy(&board.stdout);
    let result = stdout.lines().find_map(|l| l.strip_prefix("RESULT ")).ok_or_else(|| {
        format!("bench: board_tcp.py on the device printed no RESULT ({}):\n{stdout}{}", board.status, String::from_utf8_lossy(&board.stderr))
    })?;
    let figure = |key: &str| result.split_whitespace().find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')).unwrap_or("?").to_string();
    println!("\nmps2-an385 firmware (Cortex-M3, QEMU -icount shift=0) <-> Linux over TAP, instructions executed by the firmware:");
    println!("  bulk TCP kernel -> board       {:>10} instructions/byte", figure("rx_insn_per_byte"));
    println!("  bulk TCP board -> kernel       {:>10} instructions/byte", figure("tx_insn_per_byte"));
    println!("  connect/close (board connects) {:>10} instructions/cycle", figure("connect_insn"));
    println!("  accept/close (kernel connects) {:>10} instructions/cycle", figure("accept_insn"));
    println!("  peak stack since boot          {:>10} bytes", figure("stack_peak"));
    println!("  ({:.1} s of real time)", started.elapsed().as_secs_f64());
    Ok(())
}
