//! `cargo xtask bench`: TCP throughput of the runtime against the kernel and
//! bare smoltcp, and over TAP as root (`targets/host/examples/bench.rs`); then
//! our MicroPython against stock unix MicroPython (kernel sockets) running the
//! same scripts from `bench/micropython/` (TLS too: both are built with
//! MicroPython's mbedtls binding); then the mps2-an385 firmware in QEMU
//! against the kernel, in instructions (`emulated_bench`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The MicroPython benchmarks: title, script, the figure its `RESULT` line
/// reports (`key=value`), its unit, and the goal for ours over stock.
/// The TLS ones run an asyncio server and client with `ssl=` in one process
/// (both ends' crypto on one CPU), with the certificate [`tls_certificate`] makes.
const MICROPYTHON_BENCHES: [(&str, &str, &str, &str, f64); 6] = [
    ("bulk TCP", "bench/micropython/bulk_tcp.py", "mbps", "MB/s", 1.0),
    ("connect/accept/close", "bench/micropython/connect_cycles.py", "per_s", "cycles/s", 1.0),
    // A pass may cost at most twice stock's: ours waits for the stack too.
    ("asyncio pass, a listener registered", "bench/micropython/asyncio_pass.py", "per_s", "passes/s", 0.5),
    ("asyncio echo round trip", "bench/micropython/asyncio_echo.py", "per_s", "round trips/s", 1.0),
    ("TLS handshake", "bench/micropython/tls_handshake.py", "per_s", "handshakes/s", 1.0),
    ("HTTPS GET 10 MiB", "bench/micropython/https_get.py", "mbps", "MB/s", 1.0),
];

/// A throwaway self-signed P-256 certificate and key for the TLS benchmarks,
/// in `target/bench-tls/` (where `bench/micropython/common.py` reads them).
fn tls_certificate() -> Result<(), String> {
    let dir = crate::root().join("target/bench-tls");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=bench"];
    let (key, cert) = (key.to_string_lossy(), cert.to_string_lossy());
    crate::exec::output("openssl", &[&args[..], &["-keyout", &key, "-out", &cert]].concat()).map(drop)
}

/// Longest one script run may take (the scripts bound themselves well below).
const SCRIPT_LIMIT: Duration = Duration::from_secs(120);

/// The sizes and rounds of `cargo xtask bench` (each positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// MiB per loopback transfer.
    pub mib: u64,
    /// Interleaved rounds, of the Rust benchmark and of the MicroPython comparison.
    pub rounds: u64,
    /// MiB per direction over TAP (root).
    pub tap_mib: u64,
}

/// Builds the Rust benchmark in release mode and runs it with `options`;
/// then the MicroPython comparison and the firmware in QEMU.
pub fn run(options: Options) -> Result<(), String> {
    let (mib, rounds, tap_mib) = (options.mib.to_string(), options.rounds.to_string(), options.tap_mib.to_string());
    let cargo = ["run", "-q", "--release", "-p", "usocket-host", "--example", "bench", "--", "--mib", &mib, "--rounds", &rounds, "--tap-mib", &tap_mib];
    let rust = crate::exec::step("bench", "cargo", &cargo);
    let micropython = micropython(options.rounds);
    let threads = crate::suites::threads::bench(options.rounds);
    // The firmware in QEMU, counted in instructions (root; skipped loudly otherwise).
    let device = crate::measure::emulated_bench::run();
    let errors: Vec<String> = [rust, micropython, threads, device].into_iter().filter_map(Result::err).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
}

/// Runs each script on our interpreter and on stock's, interleaved in
/// `rounds` rounds, and prints the medians and their ratio. A missed goal is
/// reported, not fatal; a failing script is an error.
fn micropython(rounds: u64) -> Result<(), String> {
    let ours = crate::lab::micropython::build(None)?;
    let stock = crate::lab::micropython::build_stock(None)?;
    tls_certificate()?;
    println!();
    println!(
        "MicroPython: ours (usocket, loopback board) vs stock unix port (kernel sockets, 127.0.0.1), {rounds} interleaved round{}, medians",
        if rounds == 1 { "" } else { "s" }
    );
    let mut errors = Vec::new();
    for (title, script, key, unit, goal) in MICROPYTHON_BENCHES {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for round in 1..=rounds {
            for (who, exe, results) in [("ours", &ours, &mut a), ("stock", &stock, &mut b)] {
                match run_script(exe, script, key) {
                    Ok((value, line)) => {
                        println!("  round {round}  {title:<22} {who:<5} {value:>8.1} {unit}   ({line})");
                        results.push(value);
                    }
                    Err(e) => {
                        println!("  round {round}  {title:<22} {who:<5} FAILED: {e}");
                        errors.push(format!("{script} failed on {who} in round {round}"));
                    }
                }
            }
        }
        match (crate::stats::median(&mut a), crate::stats::median(&mut b)) {
            (Some(a), Some(b)) => {
                let ratio = a / b;
                let verdict = if ratio >= goal { "" } else { " MISSED" };
                println!("micropython {title}: ours {a:.0} {unit}, stock {b:.0} {unit}, ratio {ratio:.2} (goal >= {goal:?}){verdict}");
            }
            _ => println!("micropython {title}: no result (see the failures above)"),
        }
    }
    idle_cpu(&ours, &stock, &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(format!("micropython bench: {}", errors.join("; "))) }
}

/// Most CPU an idle asyncio server may use (its waits sleep in the kernel), in percent.
const IDLE_CPU_GOAL_PCT: f64 = 0.5;

/// The CPU an idle asyncio server uses on ours and on stock (an absolute
/// figure: stock's is about 0, so no ratio).
fn idle_cpu(ours: &Path, stock: &Path, errors: &mut Vec<String>) {
    let script = "bench/micropython/asyncio_idle.py";
    for (who, exe) in [("ours", ours), ("stock", stock)] {
        match run_script(exe, script, "cpu_pct") {
            Ok((pct, line)) => {
                let verdict = if who == "stock" || pct <= IDLE_CPU_GOAL_PCT { "" } else { " MISSED" };
                println!("micropython idle asyncio server: {who} {pct:.2}% CPU (goal <= {IDLE_CPU_GOAL_PCT}% for ours){verdict}   ({line})");
            }
            Err(e) => errors.push(format!("{script} failed on {who}: {e}")),
        }
    }
}

/// Runs `script` with `exe` (from the repository root, at most
/// [`SCRIPT_LIMIT`]) and returns the `key=` figure of its `RESULT` line and that line.
fn run_script(exe: &Path, script: &str, key: &str) -> Result<(f64, String), String> {
    let mut child =
        crate::exec::spawn(Command::new(exe).arg(script).current_dir(crate::root()).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    // Drain the pipes while waiting, so a chatty failure cannot block the child.
    let stdout = child.stdout.take().map(|mut s| thread::spawn(move || std::io::read_to_string(&mut s).unwrap_or_default()));
    let stderr = child.stderr.take().map(|mut s| thread::spawn(move || std::io::read_to_string(&mut s).unwrap_or_default()));
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| format!("wait: {e}"))? {
            Some(status) => break Some(status),
            None if start.elapsed() > SCRIPT_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => thread::sleep(Duration::from_millis(20)),
        }
    };
    let text = |h: Option<thread::JoinHandle<String>>| h.and_then(|h| h.join().ok()).unwrap_or_default();
    let (out, err) = (text(stdout), text(stderr));
    let tail = || {
        let all = format!("{out}{err}");
        let lines: Vec<&str> = all.lines().collect();
        lines[lines.len().saturating_sub(8)..].join("\n    ")
    };
    let Some(status) = status else {
        return Err(format!("killed after {} s\n    {}", SCRIPT_LIMIT.as_secs(), tail()));
    };
    if !status.success() {
        return Err(format!("{status}\n    {}", tail()));
    }
    let line = out.lines().find(|l| l.starts_with("RESULT ")).ok_or_else(|| format!("no RESULT line\n    {}", tail()))?;
    let value = line
        .split_whitespace()
        .find_map(|field| field.strip_prefix(key)?.strip_prefix('=')?.parse::<f64>().ok())
        .ok_or_else(|| format!("no {key}= in {line:?}"))?;
    Ok((value, line.trim_start_matches("RESULT ").to_string()))
}
