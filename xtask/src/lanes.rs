//! Running the test steps: one after the other, or in two lanes, and the
//! table of their times. The beside lane is a second `cargo xtask test`
//! process whose output goes to `target/test-logs/beside.log` and is shown
//! when it ends, so the two lanes' lines never interleave.

use std::fs::File;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use usocket_harness::progress;
use usocket_harness::verbosity::Verbosity;

/// One step of the suite: its name (for `--only`), what it checks, how, and
/// in which lane a full run runs it.
pub struct Step {
    pub name: &'static str,
    pub doc: &'static str,
    pub run: fn() -> Result<(), String>,
    pub lane: Lane,
}

/// Where a full run (`cargo xtask test` without `--only`) runs a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// In order, in this process.
    Main,
    /// In order, in a second process beside the main lane, started once the
    /// main lane passed the step the table names (in `test.rs`): steps that mostly wait (QEMU,
    /// servers and peers in namespaces, fuzzing for a fixed time) and use
    /// only what is built by then, so the CPU-bound builds go on meanwhile.
    Beside,
}

/// A step's name, how long it took and whether it passed.
type Time = (String, Duration, bool);

/// Runs `steps` in order in this process; the time table at the end.
pub fn one(steps: &[&Step]) -> Result<(), String> {
    let (times, result) = in_order(steps);
    println!("{}", table(&times, None));
    result?;
    println!("==> test: {} step{} passed", steps.len(), if steps.len() == 1 { "" } else { "s" });
    Ok(())
}

/// Runs every step: the main lane here, the beside lane in a second process
/// from when the main lane passed the step `beside_after`; the table of both
/// lanes' times and the wall time at the end.
pub fn two(steps: &'static [Step], beside_after: &str) -> Result<(), String> {
    let started = Instant::now();
    let main: Vec<&Step> = steps.iter().filter(|s| s.lane == Lane::Main).collect();
    let beside: Vec<&Step> = steps.iter().filter(|s| s.lane == Lane::Beside).collect();
    let split = main.iter().position(|s| s.name == beside_after).map_or(main.len(), |i| i + 1);
    let (mut times, mut result) = in_order(&main[..split]);
    let mut lane = None;
    if result.is_ok() {
        match Beside::start(&beside) {
            Ok(b) => lane = Some(b),
            Err(e) => result = Err(e),
        }
    }
    if result.is_ok() {
        let (more, r) = in_order(&main[split..]);
        times.extend(more);
        result = r;
    }
    let beside_times = match lane {
        Some(lane) => {
            let (beside_times, r) = lane.finish(result.is_err());
            result = result.and(r);
            beside_times
        }
        None => Vec::new(),
    };
    times.extend(beside_times.into_iter().map(|(name, took, ok)| (format!("{name} (beside)"), took, ok)));
    println!("{}", table(&times, Some(started.elapsed())));
    result?;
    println!("==> test: {} steps passed", steps.len());
    Ok(())
}

/// Runs `steps` in order until one fails; each prints its time when it ends.
fn in_order(steps: &[&Step]) -> (Vec<Time>, Result<(), String>) {
    let mut times = Vec::new();
    for s in steps {
        progress!("==> step {}: {}", s.name, s.doc);
        let start = Instant::now();
        let outcome = (s.run)();
        let took = start.elapsed();
        println!("{}", ended(s.name, outcome.is_ok(), took));
        times.push((s.name.to_string(), took, outcome.is_ok()));
        if let Err(e) = outcome {
            return (times, Err(format!("step {} failed: {e}", s.name)));
        }
    }
    (times, Ok(()))
}

/// The line a step's end prints, which [`parse_ended`] reads back.
fn ended(name: &str, ok: bool, took: Duration) -> String {
    format!("==> step {name} {} in {}", if ok { "passed" } else { "FAILED" }, minutes(took))
}

/// A line of [`ended`]'s, read back.
fn parse_ended(line: &str) -> Option<Time> {
    let rest = line.strip_prefix("==> step ")?;
    let (name, rest) = rest.split_once(' ')?;
    let (outcome, time) = rest.split_once(" in ")?;
    let (m, s) = time.trim().split_once(':')?;
    let took = Duration::from_secs(m.parse::<u64>().ok()? * 60 + s.parse::<u64>().ok()?);
    match outcome {
        "passed" => Some((name.to_string(), took, true)),
        "FAILED" => Some((name.to_string(), took, false)),
        _ => None,
    }
}

/// The beside lane: `cargo xtask test --one-lane` with an `--only` per step.
struct Beside {
    child: Child,
    log: std::path::PathBuf,
}

impl Beside {
    /// Starts the lane (this very program again, with the run's verbosity).
    fn start(steps: &[&Step]) -> Result<Beside, String> {
        let dir = usocket_harness::root().join("target/test-logs");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let log = dir.join("beside.log");
        let file = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| format!("{}: {e}", log.display()))?;
        let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
        let mut command = Command::new(exe);
        match usocket_harness::verbosity::get() {
            Verbosity::Quiet => command.arg("-q"),
            Verbosity::Verbose => command.arg("-v"),
            Verbosity::Normal => &mut command,
        };
        command.args(["test", "--one-lane"]).args(steps.iter().flat_map(|s| ["--only", s.name]));
        let child = usocket_harness::exec::spawn(command.stdin(Stdio::null()).stdout(file).stderr(err).current_dir(usocket_harness::root()))
            .map_err(|e| format!("cannot start the beside lane: {e}"))?;
        let names: Vec<&str> = steps.iter().map(|s| s.name).collect();
        println!("==> beside the main lane from now on: {} (its output, {}, is shown when it ends)", names.join(", "), log.display());
        Ok(Beside { child, log })
    }

    /// Waits for the lane (kills it first when `stop`: the main lane failed),
    /// prints its output, and returns its steps' times and its outcome.
    fn finish(mut self, stop: bool) -> (Vec<Time>, Result<(), String>) {
        if stop {
            let _ = self.child.kill();
        }
        let status = self.child.wait();
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        println!("==> the beside lane's output ({}):", self.log.display());
        println!("{text}");
        let times: Vec<Time> = text.lines().filter_map(parse_ended).collect();
        let result = match status {
            Ok(s) if s.success() => Ok(()),
            _ if stop => Err("the beside lane was stopped: the main lane failed".to_string()),
            Ok(s) => Err(format!("the beside lane failed ({s}); its output is above")),
            Err(e) => Err(format!("the beside lane: {e}")),
        };
        (times, result)
    }
}

/// `m:ss`.
fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// The step-time table: one row per step run, the sum, and the wall time
/// when the lanes overlapped.
fn table(times: &[Time], wall: Option<Duration>) -> String {
    let mut out = String::from("==> step times\n");
    for (name, took, ok) in times {
        out.push_str(&format!("    {name:<26} {:>6}{}\n", minutes(*took), if *ok { "" } else { "  FAILED" }));
    }
    let total: Duration = times.iter().map(|t| t.1).sum();
    out.push_str(&format!("    {:<26} {:>6}", "sum of the steps", minutes(total)));
    if let Some(wall) = wall {
        out.push_str(&format!("\n    {:<26} {:>6}", "wall time (two lanes)", minutes(wall)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_a_row_per_step_the_sum_and_the_wall_time() {
        let t = table(
            &[("codegen".into(), Duration::from_secs(5), true), ("emulated (beside)".into(), Duration::from_secs(600), false)],
            Some(Duration::from_secs(400)),
        );
        assert_eq!(
            t,
            "==> step times\n    codegen                      0:05\n    emulated (beside)           10:00  FAILED\n    sum of the steps            10:05\n    wall time (two lanes)        6:40"
        );
    }

    #[test]
    fn a_steps_end_line_reads_back() {
        assert_eq!(parse_ended(&ended("emulated", true, Duration::from_secs(125))), Some(("emulated".into(), Duration::from_secs(125), true)));
        assert_eq!(parse_ended(&ended("fuzz", false, Duration::from_secs(5))), Some(("fuzz".into(), Duration::from_secs(5), false)));
        assert_eq!(parse_ended("==> step fuzz: each fuzz target"), None);
    }
}
