//! `cargo xtask conformance`: runs the generated conformance scripts
//! (`generated/conformance/*.py`, one per fixture) on our interpreter (loopback
//! board; as root also the TAP board, over its own addresses and over
//! 127.0.0.1/::1), the stock unix MicroPython built from the same source, and CPython,
//! and prints a case × target matrix. With `--device PORT` the scripts run on
//! a board through `mpremote` instead (the board's firmware has the module). Fails when a case fails on ours, when a
//! case fails on another interpreter without a `[[difference]]` of the spec that
//! names it (against that interpreter), and when such a claim no longer holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::netns::Netns;

/// One interpreter the scripts run on.
struct Target {
    /// The name differences use in `against`: ours, stock, cpython (or device).
    name: &'static str,
    /// The command; the script's path is appended, then `after`.
    command: Vec<String>,
    /// Arguments after the script (the addresses to use).
    after: Vec<String>,
    /// Every case must pass here.
    ours: bool,
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
    let (program, prefix) = target.command.split_first().ok_or("empty command")?;
    let mut child = Command::new(program)
        .args(prefix)
        .arg(script)
        .args(&target.after)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: cannot run {program}: {e}", target.name))?;
    let started = std::time::Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if started.elapsed() > SCRIPT_LIMIT {
            let _ = child.kill();
            return Err(format!("{}: {} did not finish in {SCRIPT_LIMIT:?}", target.name, script.display()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok(parse(&String::from_utf8_lossy(&output.stdout)))
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
/// with `sys.argv` set first to the addresses the cases should use (the board
/// has no command line): its own instead of 127.0.0.1 and ::1.
fn device_command(port: &str, own: Option<(&str, &str)>) -> Vec<String> {
    let mut command: Vec<String> = ["mpremote", "connect", port].map(String::from).to_vec();
    if let Some((v4, v6)) = own {
        command.extend(["exec".into(), format!("import sys; sys.argv[:] = ['conformance', '{v4}', '{v6}']")]);
    }
    command.push("run".into());
    command
}

const USAGE: &str = "usage: cargo xtask conformance [--device PORT [--own IPV4 IPV6]]";

/// The targets: ours, stock and CPython; or one board (with the loopback
/// fixtures, and with `--own` also through its own addresses).
fn targets(args: &[String]) -> Result<Vec<Target>, String> {
    let path = |p: PathBuf| vec![p.to_string_lossy().into_owned()];
    match args {
        [] => {
            let ours = crate::micropython::build(None)?;
            let mut targets = vec![Target { name: "ours", command: path(ours.clone()), after: vec![], ours: true }];
            match crate::netns::is_root() {
                true => targets.extend(tap_targets(&ours)),
                false => eprintln!("!!! conformance on the TAP board SKIPPED: not root (a network namespace and a TAP device need root)"),
            }
            targets.push(Target { name: "stock", command: path(crate::micropython::build_stock(None)?), after: vec![], ours: false });
            targets.push(Target { name: "cpython", command: vec!["python3".into()], after: vec![], ours: false });
            Ok(targets)
        }
        [flag, port, rest @ ..] if flag == "--device" => {
            let found = Command::new("mpremote").arg("--version").output().is_ok_and(|o| o.status.success());
            if !found {
                return Err("mpremote is not installed: `pip install mpremote` (from PyPI), then retry".into());
            }
            let mut targets = vec![Target { name: "device", command: device_command(port, None), after: vec![], ours: true }];
            match rest {
                [] => {}
                [flag, v4, v6] if flag == "--own" => {
                    targets.push(Target { name: "device-own", command: device_command(port, Some((v4, v6))), after: vec![], ours: true });
                }
                _ => return Err(USAGE.into()),
            }
            Ok(targets)
        }
        _ => Err(USAGE.into()),
    }
}

/// Our interpreter on a TAP board in a namespace of its own, talking to
/// itself: through its own addresses (192.0.2.2, 2001:db8::2), and through
/// 127.0.0.1 and ::1, which the runtime's loop queue keeps off the wire.
fn tap_targets(ours: &Path) -> [Target; 2] {
    let command: Vec<String> =
        ["ip", "netns", "exec", TAP_NETNS, "env", "USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=192.0.2.2/24", "USOCKET_IPV6=2001:db8::2/64"]
            .map(String::from)
            .into_iter()
            .chain([ours.to_string_lossy().into_owned()])
            .collect();
    let target = |name, v4: &str, v6: &str| Target { name, command: command.clone(), after: vec![v4.into(), v6.into()], ours: true };
    [target("ours-tap", "192.0.2.2", "2001:db8::2"), target("ours-tap-lo", "127.0.0.1", "::1")]
}

/// The namespace name of the TAP run.
const TAP_NETNS: &str = "usocket-conformance";

/// Creates the namespace with tap0 (the kernel's end is up, 192.0.2.1).
fn tap_netns() -> Result<Netns, String> {
    Netns::with_tap(TAP_NETNS, "192.0.2.1/24", Some("2001:db8::1/64"))
}

/// Runs the matrix.
pub fn run(args: &[String]) -> Result<(), String> {
    let root = crate::root();
    let targets = targets(args)?;
    let _netns = if targets.iter().any(|t| t.name.starts_with("ours-tap")) { Some(tap_netns()?) } else { None };
    let mut matrix: BTreeMap<String, Vec<Option<Verdict>>> = BTreeMap::new();
    let mut order = Vec::new();
    for script in scripts(&root)? {
        for (t, target) in targets.iter().enumerate() {
            for (id, verdict) in run_script(target, &script)? {
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
    let explains = |target: &str, id: &str| spec.differences.iter().find(|d| d.against.iter().any(|a| a == target) && d.cases.iter().any(|c| c == id));
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
                (false, Some(Verdict::Pass)) => {
                    if let Some(d) = explains(target.name, id) {
                        stale.push(format!("{id} passes on {}, but difference `{}` says it fails there", target.name, d.id));
                    }
                    "pass"
                }
                (false, Some(Verdict::Fail(why))) => match explains(target.name, id) {
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
    let problems: Vec<String> = ours_failed
        .iter()
        .map(|f| format!("fails on ours: {f}"))
        .chain(unexplained.iter().map(|u| format!("no [[difference]] explains: {u}")))
        .chain(stale.iter().cloned())
        .collect();
    if problems.is_empty() {
        let ours: Vec<&str> = targets.iter().filter(|t| t.ours).map(|t| t.name).collect();
        println!("{}: {n} of {n} cases pass; every difference on stock MicroPython and CPython is in the spec", ours.join(", "), n = order.len());
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
        assert_eq!(device_command("/dev/ttyACM0", None), ["mpremote", "connect", "/dev/ttyACM0", "run"]);
        let own = device_command("/dev/pts/3", Some(("192.0.2.2", "2001:db8::2")));
        assert_eq!(own[3..5], ["exec".to_string(), "import sys; sys.argv[:] = ['conformance', '192.0.2.2', '2001:db8::2']".to_string()]);
        assert_eq!(own.last().map(String::as_str), Some("run"));
        assert!(targets(&["--device".into(), "p".into(), "--own".into()]).is_err(), "--own needs both addresses");
        assert!(targets(&["--device".into()]).is_err(), "a port is required");
        assert!(targets(&["--frob".into(), "x".into()]).is_err());
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
