//! `cargo xtask conformance`: runs the generated conformance scripts
//! (`generated/conformance/*.py`, one per fixture) on our interpreter (loopback
//! board; as root also the TAP board, over its own addresses and over
//! 127.0.0.1/::1), the stock unix MicroPython built from the same source, and CPython,
//! and prints a case × target matrix. With `--serial PORT` the scripts run on
//! a board through `mpremote` instead (the board's firmware has the module).
//!
//! Fails when a case fails on ours, or when a `[[difference]]` of the spec
//! claims a case fails on an anchor (stock, CPython, modlwip) that passes it on
//! every column of that anchor (the claim went stale; `varies = true` claims
//! are exempt). An anchor's own failures are measurements: each is reported
//! with the difference that explains it, or loudly as unexplained, and never
//! fails the run — the anchors' races must not decide whether our work lands.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use usocket_netns::Netns;

/// One interpreter the scripts run on.
struct Target {
    /// The column's name.
    name: &'static str,
    /// The name differences use in `against` for it (stock, cpython, modlwip);
    /// unused where every case must pass.
    against: &'static str,
    /// How a script runs there.
    runner: Runner,
    /// Every case must pass here.
    ours: bool,
}

/// How a target runs a script.
enum Runner {
    /// A command here: the script's path is appended, then `after` (the addresses to use).
    Local { command: Vec<String>, after: Vec<String> },
    /// A board on serial port `port`, through mpremote; `own`: its own addresses.
    Serial { port: String, own: Option<(String, String)> },
    /// The anchor firmware (MicroPython's lwIP module) in QEMU without a link,
    /// booted afresh for each script, so that no script inherits another's
    /// state, and again after a case hung it: that case is reported as hung
    /// and the script goes on from the next one. `own`: its own addresses
    /// (lwIP's netif loopback) instead of 127.0.0.1 and ::1 (its loopif).
    FreshAnchor { elf: PathBuf, own: Option<(String, String)> },
}

/// A case's result on one target.
#[derive(Clone, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail(String),
}

/// How long one script may take before it is killed.
const SCRIPT_LIMIT: Duration = Duration::from_secs(60);

/// The scripts, sorted.
pub(crate) fn scripts(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = root.join("generated/conformance");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    out.sort();
    Ok(out)
}

/// Runs one script on one target: the `PASS id` / `FAIL id: reason` lines it printed.
fn run_script(target: &Target, script: &Path) -> Result<Vec<(String, Verdict)>, String> {
    let timed_out = |r: Run| match r {
        Run::Finished(results) => Ok(results),
        Run::TimedOut(_) => Err(format!("{}: {} did not finish in {SCRIPT_LIMIT:?}", target.name, script.display())),
    };
    match &target.runner {
        Runner::Local { command, after } if target.ours => timed_out(run_command(command, script, after, SCRIPT_LIMIT, SCRIPT_LIMIT)?),
        // Another interpreter may hang in a case (stock's streams block where
        // ours raise): that case is reported as hung and the rest run in a fresh process.
        Runner::Local { command, after } => run_with_restarts(script, INTERPRETER_IDLE, "hung the interpreter", |skip| {
            let mut after = after.clone();
            if !skip.is_empty() {
                if after.is_empty() {
                    after = vec!["127.0.0.1".into(), "::1".into()];
                }
                after.extend(skip.iter().cloned());
            }
            run_command(command, script, &after, SCRIPT_LIMIT, INTERPRETER_IDLE)
        }),
        Runner::Serial { port, own } => timed_out(run_command(&device_command(port, own.as_ref(), &[]), script, &[], SCRIPT_LIMIT, SCRIPT_LIMIT)?),
        Runner::FreshAnchor { elf, own } => cached_anchor_run(elf, script, target.name, || {
            let fw = crate::lab::firmware::find(ANCHOR_BOARD)?;
            run_with_restarts(script, ANCHOR_IDLE, "hung the board", |skip| {
                let qemu = crate::lab::qemu::Qemu::boot(fw, elf, &crate::lab::qemu::Nic::None, crate::lab::qemu::Clock::Real, None)?;
                run_command(&device_command(&qemu.serial, own.as_ref(), skip), script, &[], SCRIPT_LIMIT, ANCHOR_IDLE)
            })
        }),
    }
}

/// A script's results: each case's verdict, in the order it ran.
type Results = Vec<(String, Verdict)>;
/// A target's column: per script, its results.
type Column = Vec<Results>;

/// Every script on every target: per target, per script, its results. The
/// anchor's columns (QEMU, mostly waiting on the emulated board) run in a
/// thread of their own beside the interpreters' columns.
fn run_columns(targets: &[Target], scripts: &[PathBuf]) -> Result<Vec<Column>, String> {
    let column = |target: &Target| scripts.iter().map(|s| run_script(target, s)).collect::<Result<Vec<_>, String>>();
    let is_anchor = |t: &Target| matches!(t.runner, Runner::FreshAnchor { .. });
    let (anchors, local) = std::thread::scope(|scope| {
        let anchors = scope.spawn(|| targets.iter().filter(|t| is_anchor(t)).map(column).collect::<Vec<_>>());
        let local: Vec<_> = targets.iter().filter(|t| !is_anchor(t)).map(column).collect();
        (anchors.join(), local)
    });
    let mut anchors = anchors.map_err(|_| "the anchor's columns panicked".to_string())?.into_iter();
    let mut local = local.into_iter();
    targets.iter().map(|t| if is_anchor(t) { anchors.next() } else { local.next() }.ok_or("a column is missing")?).collect()
}

/// The anchor's results of `script` as a file under `target/anchor-columns/`,
/// named by what they depend on: the script's and the firmware's SHA-256 and
/// the column. A cached column is reused while neither changed; a result is
/// the anchor's, not ours, so a stale cache can hide nothing of ours.
fn anchor_cache(elf: &Path, script: &Path, column: &str) -> Option<PathBuf> {
    let sha = |p: &Path| crate::provision::debian::sha256(p).map(|s| s[..16].to_string());
    let stem = script.file_stem()?.to_string_lossy().into_owned();
    Some(crate::root().join(format!("target/anchor-columns/{column}-{stem}-{}-{}.txt", sha(script)?, sha(elf)?)))
}

/// The anchor's results of a script: from the cache, or run and cached.
fn cached_anchor_run(
    elf: &Path,
    script: &Path,
    column: &str,
    run: impl FnOnce() -> Result<Vec<(String, Verdict)>, String>,
) -> Result<Vec<(String, Verdict)>, String> {
    let cache = anchor_cache(elf, script, column);
    if let Some(text) = cache.as_ref().and_then(|c| std::fs::read_to_string(c).ok()) {
        return Ok(parse(&text));
    }
    let results = run()?;
    if let Some(cache) = cache {
        let text: String = results
            .iter()
            .map(|(id, v)| match v {
                Verdict::Pass => format!("PASS {id}\n"),
                Verdict::Fail(why) => format!("FAIL {id}: {why}\n"),
            })
            .collect();
        let _ = std::fs::create_dir_all(cache.parent().unwrap_or(Path::new("."))).and_then(|_| std::fs::write(&cache, text));
    }
    Ok(results)
}

/// How a script's run ended.
enum Run {
    Finished(Vec<(String, Verdict)>),
    /// Killed at the limit: the results it printed until then.
    TimedOut(Vec<(String, Verdict)>),
}

/// Runs `command script after...` for at most `limit`, and at most `idle`
/// without printing a line (a script prints one per case).
fn run_command(command: &[String], script: &Path, after: &[String], limit: Duration, idle: Duration) -> Result<Run, String> {
    let (program, prefix) = command.split_first().ok_or("empty command")?;
    let mut child = crate::exec::spawn(
        Command::new(program)
            .args(prefix)
            .arg(script)
            .args(after)
            .stdout(Stdio::piped())
            // Unread, as before: a pipe nobody drains could stall the script.
            .stderr(Stdio::null()),
    )
    .map_err(|e| format!("cannot run {program}: {e}"))?;
    // Read as it comes, so that a killed run still gives what it printed.
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = std::time::Instant::now();
    let mut last = started;
    let mut lines = Vec::new();
    let mut killed = false;
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        while let Ok(line) = rx.try_recv() {
            lines.push(line);
            last = std::time::Instant::now();
        }
        if started.elapsed() > limit || last.elapsed() > idle {
            let _ = child.kill();
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.wait();
    lines.extend(rx.iter());
    let results = parse(&lines.join("\n"));
    Ok(if killed { Run::TimedOut(results) } else { Run::Finished(results) })
}

/// How long a case may take on the anchor before it counts as hung (the
/// slowest case that finishes there takes about 2 s; a fresh board boots and
/// takes the script in about 1.5 s).
const ANCHOR_IDLE: Duration = Duration::from_secs(12);

/// The case ids of a generated script, in the order it runs them.
fn case_ids(script: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(script).map_err(|e| format!("{}: {e}", script.display()))?;
    Ok(text.lines().filter_map(|l| l.strip_prefix("    (\"")?.split_once("\", case_").map(|(id, _)| id.to_string())).collect())
}

/// How long a case may take on stock MicroPython or CPython before it counts
/// as hung (the slowest case that finishes takes about 2 s).
const INTERPRETER_IDLE: Duration = Duration::from_secs(8);

/// Runs a script through `run(skip)` until it finishes: a run that prints
/// nothing for `idle` hung in the next case, which is reported as `hung`, and
/// the next run skips every case with a result (at most one run per case).
fn run_with_restarts(
    script: &Path,
    idle: Duration,
    hung: &str,
    mut run: impl FnMut(&[String]) -> Result<Run, String>,
) -> Result<Vec<(String, Verdict)>, String> {
    let ids = case_ids(script)?;
    let mut results: Vec<(String, Verdict)> = Vec::new();
    for _ in 0..=ids.len() {
        let skip: Vec<String> = results.iter().map(|(id, _)| id.clone()).collect();
        let outcome = run(&skip)?;
        let (Run::Finished(done) | Run::TimedOut(done)) = &outcome;
        if let Some((id, _)) = done.iter().find(|(id, _)| skip.contains(id)) {
            return Err(format!("{}: {id} ran although it was to be skipped (is generated/ stale?)", script.display()));
        }
        match outcome {
            Run::Finished(done) => {
                results.extend(done);
                return Ok(results);
            }
            Run::TimedOut(done) => {
                results.extend(done);
                let Some(next) = ids.iter().find(|id| !results.iter().any(|(r, _)| r == *id)).cloned() else {
                    return Ok(results);
                };
                results.push((next, Verdict::Fail(format!("{hung} (no result within {idle:?}; the rest ran afresh)"))));
            }
        }
    }
    Ok(results)
}

/// Parses the scripts' result lines.
fn parse(stdout: &str) -> Vec<(String, Verdict)> {
    stdout
        .lines()
        .filter_map(|l| {
            if let Some(id) = l.strip_prefix("PASS ") {
                Some((id.trim().to_string(), Verdict::Pass))
            } else {
                let rest = l.strip_prefix("FAIL ")?;
                let (id, why) = rest.split_once(": ").unwrap_or((rest, ""));
                Some((id.to_string(), Verdict::Fail(why.to_string())))
            }
        })
        .collect()
}

/// The command that runs a script on a board: `mpremote connect PORT run SCRIPT`,
/// with `sys.argv` set first (the board has no command line) when the cases
/// should use its own addresses instead of 127.0.0.1 and ::1, or skip cases.
fn device_command(port: &str, own: Option<&(String, String)>, skip: &[String]) -> Vec<String> {
    let mut command: Vec<String> = ["mpremote", "connect", port].map(String::from).to_vec();
    if own.is_some() || !skip.is_empty() {
        let (v4, v6) = own.map_or(("127.0.0.1", "::1"), |(a, b)| (a.as_str(), b.as_str()));
        let argv: Vec<String> = ["conformance", v4, v6].into_iter().chain(skip.iter().map(String::as_str)).map(|a| format!("'{a}'")).collect();
        command.extend(["exec".into(), format!("import sys; sys.argv[:] = [{}]", argv.join(", "))]);
    }
    command.push("run".into());
    command
}

/// The board whose firmware the anchor column runs on.
const ANCHOR_BOARD: &str = "mps2-an385";

/// Whether `program --version` runs: the tool is installed.
fn installed(program: &str) -> bool {
    crate::exec::captured(Command::new(program).arg("--version")).is_ok_and(|o| o.status.success())
}

/// The anchor's columns: MicroPython's lwIP module on the same emulated board
/// as our firmware, over its loopif and over its own addresses; skipped,
/// loudly, where QEMU or mpremote is missing.
fn anchor_targets() -> Result<Vec<Target>, String> {
    if !installed("qemu-system-arm") || !installed("mpremote") {
        eprintln!("!!! conformance on MicroPython's lwIP module (the modlwip column) SKIPPED: needs qemu-system-arm and mpremote (.ci/run installs them)");
        return Ok(vec![]);
    }
    let fw = crate::lab::firmware::find(ANCHOR_BOARD)?;
    let elf = crate::lab::firmware::build_with(fw, fw.board, crate::lab::firmware::Stack::Lwip { ipv6: true })?;
    let own = (crate::provision::lwip::host(crate::provision::lwip::IPV4).to_string(), crate::provision::lwip::host(crate::provision::lwip::IPV6).to_string());
    Ok(vec![
        Target { name: "modlwip", against: "modlwip", runner: Runner::FreshAnchor { elf: elf.clone(), own: None }, ours: false },
        Target { name: "modlwip-own", against: "modlwip", runner: Runner::FreshAnchor { elf, own: Some(own) }, ours: false },
    ])
}

/// Where the scripts run: `cargo xtask conformance`, `cargo xtask conformance --anchor`
/// or `cargo xtask conformance --serial PORT [--own IPV4 IPV6]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// Ours, stock, CPython and the anchor (MicroPython's lwIP module on the emulated board).
    Matrix,
    /// The anchor alone (`--anchor`).
    Anchor,
    /// A board on serial port `port` through mpremote (with the loopback
    /// fixtures, and with `own`, its IPv4 and IPv6 addresses, also through those).
    Serial { port: String, own: Option<(String, String)> },
}

/// The targets [`Which`] names.
fn targets(which: Which) -> Result<Vec<Target>, String> {
    let local = |p: PathBuf| Runner::Local { command: vec![p.to_string_lossy().into_owned()], after: vec![] };
    match which {
        Which::Matrix => {
            let ours = crate::lab::micropython::build(None)?;
            let mut targets = vec![Target { name: "ours", against: "", runner: local(ours.clone()), ours: true }];
            match usocket_netns::is_root() {
                true => targets.extend(tap_targets(&ours)),
                false => eprintln!("!!! conformance on the TAP board SKIPPED: not root (a network namespace and a TAP device need root)"),
            }
            targets.push(Target { name: "stock", against: "stock", runner: local(crate::lab::micropython::build_stock(None)?), ours: false });
            targets.push(cpython_target());
            targets.extend(anchor_targets()?);
            Ok(targets)
        }
        Which::Anchor => anchor_targets(),
        Which::Serial { port, own } => {
            if !installed("mpremote") {
                return Err("mpremote is not installed: `pip install mpremote` (from PyPI), then retry".into());
            }
            let device = |own| Runner::Serial { port: port.clone(), own };
            let mut targets = vec![Target { name: "device", against: "", runner: device(None), ours: true }];
            if let Some(own) = own {
                targets.push(Target { name: "device-own", against: "", runner: device(Some(own)), ours: true });
            }
            Ok(targets)
        }
    }
}

/// CPython (`python3`), whose failures the spec's differences against `cpython` must name.
fn cpython_target() -> Target {
    Target { name: "cpython", against: "cpython", runner: Runner::Local { command: vec!["python3".into(), "-u".into()], after: vec![] }, ours: false }
}

/// Our interpreter on a TAP board in a namespace of its own, talking to
/// itself: through its own addresses (192.0.2.2, 2001:db8::2), and through
/// 127.0.0.1 and ::1, which the runtime's loop queue keeps off the wire.
fn tap_targets(ours: &Path) -> [Target; 2] {
    let command: Vec<String> =
        ["ip", "netns", "exec", &tap_netns_name(), "env", "USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=192.0.2.2/24", "USOCKET_IPV6=2001:db8::2/64"]
            .map(String::from)
            .into_iter()
            .chain([ours.to_string_lossy().into_owned()])
            .collect();
    let target = |name, v4: &str, v6: &str| Target {
        name,
        against: "",
        runner: Runner::Local { command: command.clone(), after: vec![v4.into(), v6.into()] },
        ours: true,
    };
    [target("ours-tap", "192.0.2.2", "2001:db8::2"), target("ours-tap-lo", "127.0.0.1", "::1")]
}

/// The namespace of the TAP run: its own per process, as namespaces are
/// machine-wide and another run may be going on.
fn tap_netns_name() -> String {
    usocket_netns::private_name("usocket-conformance")
}

/// Creates the namespace with tap0 (the kernel's end is up, 192.0.2.1).
fn tap_netns() -> Result<Netns, String> {
    Netns::with_tap(crate::exec::captured, &tap_netns_name(), "192.0.2.1/24", Some("2001:db8::1/64")).map_err(String::from)
}

/// Runs the scripts where `which` says and prints the matrix.
pub fn run(which: Which) -> Result<(), String> {
    matrix(&crate::root(), targets(which)?)
}

/// Runs the scripts and checks the differences of the repository at `root`
/// (a copy, for the README walkthroughs) on CPython alone: no interpreter to
/// build, and the column a new constant or method first differs in.
pub fn cpython_only(root: &Path) -> Result<(), String> {
    matrix(root, vec![cpython_target()])
}

/// Runs the scripts on the interpreter `exe` alone (loopback board), as the
/// column `name`: every case must pass there.
pub fn run_on(name: &'static str, exe: &Path) -> Result<(), String> {
    let runner = Runner::Local { command: vec![exe.to_string_lossy().into_owned()], after: vec![] };
    matrix(&crate::root(), vec![Target { name, against: "", runner, ours: true }])
}

/// Runs every script of the repository at `root` on every target and prints
/// the case × target matrix; fails as the module's doc says.
fn matrix(root: &Path, targets: Vec<Target>) -> Result<(), String> {
    let _netns = if targets.iter().any(|t| t.name.starts_with("ours-tap")) { Some(tap_netns()?) } else { None };
    let scripts = scripts(root)?;
    let columns = run_columns(&targets, &scripts)?;
    let mut matrix: BTreeMap<String, Vec<Option<Verdict>>> = BTreeMap::new();
    let mut order = Vec::new();
    for s in 0..scripts.len() {
        for (t, column) in columns.iter().enumerate() {
            for (id, verdict) in column[s].iter().cloned() {
                if !matrix.contains_key(&id) {
                    order.push(id.clone());
                }
                matrix.entry(id).or_insert_with(|| vec![None; targets.len()])[t] = Some(verdict);
            }
        }
    }
    let header: Vec<String> = targets.iter().map(|t| format!("{:>11}", t.name)).collect();
    println!("\n{:<28} {}", "case", header.join(" "));
    let spec = usocket_codegen::load_spec(&root.join("spec"), "spec").map_err(|e| e.to_string())?;
    let explains = |against: &str, id: &str| spec.differences.iter().find(|d| d.against.iter().any(|a| a == against) && d.cases.iter().any(|c| c == id));
    let mut ours_failed = Vec::new();
    let mut differences = Vec::new();
    let mut unexplained = Vec::new();
    let mut stale = Vec::new();
    for id in &order {
        let row = &matrix[id];
        let mut cells = Vec::new();
        for (target, verdict) in targets.iter().zip(row) {
            let cell = match (target.ours, verdict) {
                (_, None) => "missing",
                (true, Some(Verdict::Pass)) => "pass",
                (true, Some(Verdict::Fail(why))) => {
                    ours_failed.push(format!("{id}: {why}"));
                    "FAIL"
                }
                (false, Some(Verdict::Pass)) => "pass",
                (false, Some(Verdict::Fail(why))) => match explains(target.against, id) {
                    Some(d) => {
                        differences.push(format!("{id} on {}: `{}` ({why})", target.name, d.id));
                        "differs"
                    }
                    None => {
                        unexplained.push(format!("{id} on {}: {why}", target.name));
                        "UNEXPLAINED"
                    }
                },
            };
            cells.push(cell);
        }
        // A claim is stale when the case passes on every column of the interpreter it names.
        let mut groups: Vec<&str> = targets.iter().filter(|t| !t.ours).map(|t| t.against).collect();
        groups.dedup();
        for group in groups {
            let columns = targets.iter().zip(row).filter(|(t, _)| !t.ours && t.against == group);
            if let Some(d) = explains(group, id)
                && !d.varies
                && columns.clone().all(|(_, v)| v == &Some(Verdict::Pass))
            {
                stale.push(format!("{id} passes on {group}, but difference `{}` says it fails there", d.id));
            }
        }
        if cells.contains(&"missing") {
            ours_failed.push(format!("{id}: no result on some interpreter"));
        }
        let cells: Vec<String> = cells.iter().map(|c| format!("{c:>11}")).collect();
        println!("{id:<28} {}", cells.join(" "));
    }
    println!("\n{} cases; differences explained by the spec:", order.len());
    for d in &differences {
        println!("  {d}");
    }
    if !unexplained.is_empty() {
        println!(
            "!!! {} anchor failure(s) no [[difference]] explains (measured, not gating; name them in spec/cpython.toml or spec/modlwip.toml):",
            unexplained.len()
        );
        for u in &unexplained {
            println!("!!!   {u}");
        }
    }
    let problems: Vec<String> = ours_failed.iter().map(|f| format!("fails on ours: {f}")).chain(stale.iter().cloned()).collect();
    if problems.is_empty() {
        let ours: Vec<&str> = targets.iter().filter(|t| t.ours).map(|t| t.name).collect();
        let others: Vec<&str> = targets.iter().filter(|t| !t.ours).map(|t| t.name).collect();
        let explained = match (others.is_empty(), unexplained.len()) {
            (true, _) => String::new(),
            (false, 0) => format!("; every difference on {} is in the spec", others.join(", ")),
            (false, n) => format!("; {n} difference(s) on {} not in the spec (reported above)", others.join(", ")),
        };
        let n = order.len();
        let passed = if ours.is_empty() { format!("{n} cases ran") } else { format!("{}: {n} of {n} cases pass", ours.join(", ")) };
        println!("{passed}{explained}");
        Ok(())
    } else {
        Err(format!("conformance:\n  {}", problems.join("\n  ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_runs_go_through_mpremote() {
        assert_eq!(device_command("/dev/ttyACM0", None, &[]), ["mpremote", "connect", "/dev/ttyACM0", "run"]);
        let addrs = ("192.0.2.2".to_string(), "2001:db8::2".to_string());
        let own = device_command("/dev/pts/3", Some(&addrs), &[]);
        assert_eq!(own[3..5], ["exec".to_string(), "import sys; sys.argv[:] = ['conformance', '192.0.2.2', '2001:db8::2']".to_string()]);
        assert_eq!(own.last().map(String::as_str), Some("run"));
        let skip = device_command("/dev/pts/3", None, &["recv-negative-size".into()]);
        assert_eq!(skip[4], "import sys; sys.argv[:] = ['conformance', '127.0.0.1', '::1', 'recv-negative-size']");
    }

    #[test]
    fn a_scripts_cases_are_read_in_order() {
        let script = crate::root().join("generated/conformance/tcp_pair.py");
        let ids = case_ids(&script).unwrap();
        assert!(ids.len() > 10, "{ids:?}");
        assert!(ids.contains(&"recv-negative-size".to_string()) && ids.contains(&"tcp-echo".to_string()), "{ids:?}");
        let text = std::fs::read_to_string(&script).unwrap();
        assert_eq!(ids.len(), text.matches(", case_").count(), "every entry of CASES");
    }

    #[test]
    fn result_lines_are_parsed() {
        let got = parse("noise\nPASS a-b\nFAIL c: expected X, got Y\nFAIL d\n1 passed, 2 failed\n");
        assert_eq!(got.len(), 3);
        assert!(got[0] == ("a-b".into(), Verdict::Pass));
        assert!(got[1] == ("c".into(), Verdict::Fail("expected X, got Y".into())));
        assert!(got[2] == ("d".into(), Verdict::Fail(String::new())));
    }
}
