//! MicroPython's own multi-instance network tests (`tests/multi_net/`, from the
//! same Debian source as the interpreter) with MicroPython's
//! `run-multitests.py`, our interpreter on TAP boards inside a network
//! namespace made for the run:
//!
//! - (a) ours on a TAP board ↔ CPython on the namespace's kernel stack;
//! - (b) ours ↔ ours, two TAP boards on one bridge.
//!
//! Each pairing runs in both instance orders. The namespace `usocket-multinet-<pid>`
//! holds a bridge `br0` (192.0.2.1/24, the kernel's and so CPython's address)
//! with `tap0` and `tap1` enslaved; our instances are 192.0.2.2 on `tap0` and
//! 192.0.2.3 on `tap1`. A default route via 192.0.2.254 (which does not exist)
//! exists only so that run-multitests.py's `HOST_IP` (a UDP connect to 8.8.8.8,
//! which sends nothing) becomes 192.0.2.1 rather than 127.0.0.1; nothing leaves
//! the namespace, which has no link to the outside. The harness runs inside the
//! namespace, so CPython instances use its kernel stack.
//!
//! Needs root; skipped, loudly, otherwise. Each harness run is killed after
//! [`BUDGET`]; the namespace and the private copies of the interpreter are
//! removed at the end, also on failure.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::verbosity::progress;
use usocket_netns::Netns;

/// The tests, from `tests/multi_net/` (without `.py`).
pub const TESTS: [&str; 10] = [
    "tcp_data",
    "tcp_accept_recv",
    "tcp_client_rst",
    "udp_data",
    "asyncio_tcp_client_rst",
    "asyncio_tcp_close_write",
    "asyncio_tcp_readall",
    "asyncio_tcp_readexactly",
    "asyncio_tcp_readinto",
    "asyncio_tcp_server_client",
];

/// Tests whose client (instance1) CPython cannot be: asyncio_tcp_readinto
/// calls `StreamReader.readinto`, which only MicroPython's asyncio has. With
/// CPython as instance0 and ours as the client they do run.
pub const MICROPYTHON_CLIENT_ONLY: [&str; 1] = ["asyncio_tcp_readinto"];

/// How long one run of run-multitests.py (one pairing, one order) may take.
/// A run takes about 10 s; a hung instance times out in the harness after 10 s.
const BUDGET: Duration = Duration::from_secs(150);

/// The kernel's address (bridge), the gateway that does not exist.
pub const KERNEL_V4: &str = "192.0.2.1/24";
pub const NOWHERE: &str = "192.0.2.254";

/// One of our instances: a TAP device on the bridge and the board's address and MAC.
struct Ours {
    tap: &'static str,
    ipv4: &'static str,
    mac: &'static str,
}

const OURS: [Ours; 2] =
    [Ours { tap: "tap0", ipv4: "192.0.2.2/24", mac: "02:00:00:00:00:02" }, Ours { tap: "tap1", ipv4: "192.0.2.3/24", mac: "02:00:00:00:00:03" }];

/// One test result line of run-multitests.py.
pub struct Outcome {
    /// `multi_net/NAME.py`.
    pub test: String,
    /// The instances, `instance0|instance1`.
    pub order: String,
    /// `pass`, `FAIL` or `skip`.
    pub result: String,
}

/// Runs the tests in both pairings; fails when any test does not pass.
pub fn run() -> Result<(), String> {
    if usocket_netns::skip_unless_root("multinet", "a network namespace and the TAP devices of MicroPython's multi_net tests") {
        return Ok(());
    }
    let start = Instant::now();
    let exe = crate::lab::micropython::build(None)?;
    let tests = crate::lab::micropython::source(None)?.join("tests");
    for t in TESTS {
        let f = tests.join(format!("multi_net/{t}.py"));
        if !f.is_file() {
            return Err(format!("multinet: {} is missing", f.display()));
        }
    }
    let env = Env::new(&exe)?;
    progress!("==> MicroPython's multi_net tests ({} files) in network namespace {}", TESTS.len(), env.ns.name);

    let cpython = "cpython".to_string();
    let pairings = [
        ("(a) ours on a TAP board <-> CPython on the kernel", [(env.ours(0), cpython.clone()), (cpython.clone(), env.ours(0))]),
        ("(b) ours <-> ours, two TAP boards on one bridge", [(env.ours(0), env.ours(1)), (env.ours(1), env.ours(0))]),
    ];
    let mut summary = Vec::new();
    let mut failed = false;
    for (name, orders) in &pairings {
        let t = Instant::now();
        let mut outcomes = Vec::new();
        let mut errors = Vec::new();
        for (first, second) in orders {
            let files: Vec<String> =
                TESTS.iter().filter(|t| !(second == &cpython && MICROPYTHON_CLIENT_ONLY.contains(t))).map(|t| format!("multi_net/{t}.py")).collect();
            match harness(&env.ns.name, &tests, &exe, [first, second], &files) {
                Ok(o) => outcomes.extend(o),
                Err(e) => errors.push(e),
            }
        }
        let passed = outcomes.iter().filter(|o| o.result == "pass").count();
        let mut line = format!("{name}: {passed}/{} passed in {:.1} s", outcomes.len(), t.elapsed().as_secs_f64());
        for o in outcomes.iter().filter(|o| o.result != "pass") {
            line.push_str(&format!("\n    {} {} on {}", o.result, o.test, o.order));
        }
        for e in &errors {
            line.push_str(&format!("\n    error: {e}"));
        }
        failed |= passed != outcomes.len() || !errors.is_empty();
        summary.push(line);
    }
    drop(env);
    let summary = format!("multi_net results ({:.1} s in all):\n{}", start.elapsed().as_secs_f64(), summary.join("\n"));
    if failed {
        return Err(format!("MicroPython's multi_net tests failed; {summary}"));
    }
    progress!("==> {summary}");
    Ok(())
}

/// The namespace and the private copies of the interpreter; removed when dropped.
struct Env {
    ns: Netns,
    dir: PathBuf,
}

impl Env {
    /// Makes the namespace with the bridge and both TAP devices, and copies the
    /// interpreter as `ours-tap0` and `ours-tap1` (the names the harness prints;
    /// copies also keep a rebuild of the interpreter from failing with ETXTBSY
    /// while the tests run it).
    fn new(exe: &Path) -> Result<Env, String> {
        // From here the guard exists, so a failing step below still cleans up.
        let taps = OURS.map(|o| o.tap);
        let ns = Netns::with_bridge(crate::exec::captured, &usocket_netns::private_name("usocket-multinet"), KERNEL_V4, None, &taps, NOWHERE)?;
        let dir = crate::root().join(format!("target/multinet-{}", std::process::id()));
        let env = Env { ns, dir };
        std::fs::create_dir_all(&env.dir).map_err(|e| format!("{}: {e}", env.dir.display()))?;
        for o in &OURS {
            let copy = env.dir.join(format!("ours-{}", o.tap));
            std::fs::copy(exe, &copy).map_err(|e| format!("copy {} to {}: {e}", exe.display(), copy.display()))?;
        }
        Ok(env)
    }

    /// The harness's instance argument for our instance `i`: its copy of the
    /// interpreter and its board (the harness gives it only this environment).
    fn ours(&self, i: usize) -> String {
        let o = &OURS[i];
        let exe = self.dir.join(format!("ours-{}", o.tap));
        format!("exec:{},USOCKET_BOARD=tap,USOCKET_TAP={},USOCKET_IPV4={},USOCKET_MAC={}", exe.display(), o.tap, o.ipv4, o.mac)
    }
}

/// Runs run-multitests.py inside network namespace `ns` on `files` with the two
/// instances in this order (no permutations), echoing its output; returns
/// the result of each test, or why the run failed as a whole.
pub fn harness(ns: &str, tests: &Path, exe: &Path, instances: [&String; 2], files: &[String]) -> Result<Vec<Outcome>, String> {
    let mut args: Vec<String> = ["netns", "exec", ns, "python3", "run-multitests.py", "-p", "1"].map(String::from).to_vec();
    for i in instances {
        args.extend(["-i".to_string(), i.clone()]);
    }
    args.extend(files.iter().cloned());
    let order = instances.map(|i| label(i)).join("|");
    progress!("==> multi_net, instance0|instance1 = {order}: {} tests", files.len());
    let t = Instant::now();
    let mut child =
        crate::exec::spawn(Command::new("ip").args(&args).current_dir(tests).env("MICROPY_MICROPYTHON", exe).stdout(Stdio::piped()).process_group(0))
            .map_err(|e| format!("cannot run run-multitests.py: {e}"))?;
    let stdout = child.stdout.take().ok_or("run-multitests.py: no stdout")?;
    let reader = thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            println!("    {line}");
            lines.push(line);
        }
        lines
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if t.elapsed() > BUDGET => {
                // The leader is not reaped yet, so its group id is still ours:
                // kill the harness and every instance it started.
                let _ = crate::exec::status(Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]));
                let _ = child.wait();
                break Err(format!("run-multitests.py ({order}) killed after {BUDGET:?}"));
            }
            Ok(None) => thread::sleep(Duration::from_millis(50)),
            Err(e) => break Err(format!("run-multitests.py ({order}): {e}")),
        }
    };
    let lines = reader.join().map_err(|_| "run-multitests.py: output reader panicked".to_string())?;
    println!("    ({order}: {:.1} s)", t.elapsed().as_secs_f64());
    let status = status?;
    let outcomes: Vec<Outcome> = lines.iter().filter_map(|l| outcome(l, &order)).collect();
    let missing: Vec<&String> = files.iter().filter(|f| !outcomes.iter().any(|o| &&o.test == f)).collect();
    if !missing.is_empty() {
        return Err(format!("run-multitests.py ({order}, {status}) reported no result for {missing:?}"));
    }
    Ok(outcomes)
}

impl Drop for Env {
    fn drop(&mut self) {
        // The namespace goes with `self.ns`.
        if self.dir.exists()
            && let Err(e) = std::fs::remove_dir_all(&self.dir)
        {
            eprintln!("multinet: remove {}: {e}", self.dir.display());
        }
    }
}

/// A short name for an instance argument: `cpython`, or `ours@tapN`.
fn label(instance: &str) -> String {
    if let Some(device) = instance.strip_prefix("pyb:") {
        return format!("device@{device}");
    }
    match instance.split(',').next().and_then(|cmd| cmd.rsplit('/').next()) {
        Some(name) if name.starts_with("ours-") => format!("ours@{}", &name["ours-".len()..]),
        Some(name) => name.to_string(),
        None => instance.to_string(),
    }
}

/// A result line: `multi_net/X.py on A|B: pass` (or `FAIL`, `skip`).
fn outcome(line: &str, order: &str) -> Option<Outcome> {
    let (head, result) = line.rsplit_once(": ")?;
    let (test, _) = head.split_once(" on ")?;
    (test.starts_with("multi_net/") && matches!(result, "pass" | "FAIL" | "skip")).then(|| Outcome {
        test: test.to_string(),
        order: order.to_string(),
        result: result.to_string(),
    })
}
