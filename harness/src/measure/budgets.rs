//! The firmware's budgets: the figures of the mps2-an385 firmware that repeat
//! from run to run — flash and static RAM bytes exactly, instructions and the
//! peak stack under QEMU `-icount` within a [`Tolerance`] — committed per board
//! build in `bench/budgets/BOARD.toml` and enforced by the `budgets` step.
//! A figure over its budget fails the step; so does one clearly under it,
//! because a change that improves a figure lowers its budget in the same
//! commit (`cargo xtask budgets --write` writes the measured figures).
//! Timings are never budgets: they depend on the machine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::lab::firmware::{Firmware, Stack, sections};
use crate::measure::emulated_bench::{LIMIT, TCP_SCRIPT, boot_counted, run_script};
use usocket_netns::Netns;

/// How far a measured figure may be from its budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// Not at all: bytes of one toolchain's build.
    Exact,
    /// This fraction of the budget either way.
    Fraction(f64),
}

/// One budgeted figure: its key in the budget file, what it is, how close it repeats.
struct Figure {
    key: &'static str,
    what: &'static str,
    tolerance: Tolerance,
}

/// The figures of every board build: bytes over the firmware without the network.
const BYTES: [Figure; 2] = [
    Figure { key: "flash_bytes", what: "flash (.text + .data) over the firmware without the network", tolerance: Tolerance::Exact },
    Figure { key: "ram_bytes", what: "static RAM (.data + .bss) over the firmware without the network", tolerance: Tolerance::Exact },
];

/// The figures of the instruction-counted run (`bench/device/board_tcp.py`
/// against the kernel, as `cargo xtask bench --emulated` runs it), for the
/// board builds that have one. The board counts its own instructions, but the
/// kernel answers in real time: while the board waits for it, QEMU's clock
/// follows real time, and the timer interrupts of a longer wait count as
/// work, so a loaded machine adds instructions; and where an interrupt finds
/// the stack moves the peak. The tolerances are about twice the spread of
/// seven runs of one build on a loaded machine: per byte 0.6% (rx) and 1.6%
/// (tx), connect/close 1.7%, accept/close 5.2%, peak stack 2.7%.
const COUNTED: [Figure; 5] = [
    Figure { key: "rx_insn_per_byte", what: "bulk TCP kernel -> board, instructions per byte", tolerance: Tolerance::Fraction(0.03) },
    Figure { key: "tx_insn_per_byte", what: "bulk TCP board -> kernel, instructions per byte", tolerance: Tolerance::Fraction(0.03) },
    Figure { key: "connect_insn", what: "connect/close (the board connects), instructions per cycle", tolerance: Tolerance::Fraction(0.1) },
    Figure { key: "accept_insn", what: "accept/close (the kernel connects), instructions per cycle", tolerance: Tolerance::Fraction(0.1) },
    Figure { key: "stack_peak", what: "peak stack since boot, bytes", tolerance: Tolerance::Fraction(0.06) },
];

/// The board builds with budgets, and whether each has the instruction-counted run.
const BUILDS: [(&str, bool); 2] = [("mps2-an385-ipv4", false), ("mps2-an385", true)];

/// A measured figure against its budget.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Within the tolerance.
    Within,
    /// Over: the change costs more than the budget allows.
    Over,
    /// Under past the tolerance: the budget must come down to the figure.
    Under,
}

/// Judges `measured` against `budget`.
pub fn judge(budget: f64, measured: f64, tolerance: Tolerance) -> Verdict {
    let slack = match tolerance {
        Tolerance::Exact => 0.0,
        Tolerance::Fraction(f) => budget * f,
    };
    if measured > budget + slack {
        Verdict::Over
    } else if measured < budget - slack {
        Verdict::Under
    } else {
        Verdict::Within
    }
}

/// `bench/budgets/BOARD.toml`.
fn file(board: &str) -> PathBuf {
    crate::root().join("bench/budgets").join(format!("{board}.toml"))
}

/// The budgets of `board`, and the compiler its byte figures came from.
fn read(board: &str) -> Result<(BTreeMap<String, f64>, String), String> {
    let path = file(board);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e} (cargo xtask budgets --write makes it)", path.display()))?;
    let table: toml::Table = text.parse().map_err(|e| format!("{}: {e}", path.display()))?;
    let mut budgets = BTreeMap::new();
    let mut rustc = String::new();
    for (key, value) in table {
        match value {
            toml::Value::Integer(n) => {
                budgets.insert(key, n as f64);
            }
            toml::Value::Float(x) => {
                budgets.insert(key, x);
            }
            toml::Value::String(s) if key == "rustc" => rustc = s,
            other => return Err(format!("{}: `{key}` is {other}, expected a number (or rustc = \"VERSION\")", path.display())),
        }
    }
    Ok((budgets, rustc))
}

/// The version `rustc --version` prints (`1.95.0`).
fn rustc_version() -> Result<String, String> {
    let out = crate::exec::output("rustc", &["--version"])?;
    out.split_whitespace().nth(1).map(str::to_string).ok_or_else(|| format!("rustc --version: unexpected {out:?}"))
}

/// Every figure of one board build, given the sections of the firmware
/// without the network; the counted ones only when `runs` > 0, each the
/// median of that many boots.
fn measure(fw: &Firmware, board: &str, plain: [u64; 3], runs: usize) -> Result<BTreeMap<String, f64>, String> {
    let [t0, d0, b0] = plain;
    let elf = crate::lab::firmware::build_with(fw, board, Stack::Usocket)?;
    let [t, d, b] = sections(&elf)?;
    let over = |with: u64, without: u64, what: &str| {
        with.checked_sub(without).map(|n| n as f64).ok_or_else(|| format!("{board}: {what} {with} is less than the firmware's without the network, {without}"))
    };
    let mut figures = BTreeMap::from([("flash_bytes".to_string(), over(t + d, t0 + d0, "flash")?), ("ram_bytes".to_string(), over(d + b, d0 + b0, "RAM")?)]);
    if runs == 0 || usocket_netns::skip_unless_root("the budgets' instruction counts", "the firmware's TAP device in a network namespace") {
        return Ok(figures);
    }
    let ns = Netns::with_tap(crate::exec::captured, &usocket_netns::private_name("usocket-budgets"), crate::suites::multinet::KERNEL_V4, None)?;
    let mut samples: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for _ in 0..runs {
        for (key, value) in counted(fw, &elf, &ns)? {
            samples.entry(key).or_default().push(value);
        }
    }
    for (key, values) in samples {
        figures.insert(key.to_string(), median(values));
    }
    Ok(figures)
}

/// The counted figures of one boot of `elf` on `ns`.
fn counted(fw: &Firmware, elf: &Path, ns: &Netns) -> Result<Vec<(&'static str, f64)>, String> {
    let (qemu, _peer) = boot_counted(fw, elf, ns, crate::suites::emulated::BOARD_V4)?;
    let run = run_script(&qemu, TCP_SCRIPT, "", LIMIT)?;
    if let Some(e) = run.get("error") {
        return Err(e.clone());
    }
    COUNTED
        .iter()
        .map(|figure| {
            let value = run.get(figure.key).and_then(|v| v.parse().ok()).ok_or_else(|| format!("{TCP_SCRIPT} printed no {} ({run:?})", figure.key))?;
            Ok((figure.key, value))
        })
        .collect()
}

/// The middle value (the lower of the two middle ones for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len().saturating_sub(1) / 2).copied().unwrap_or(f64::NAN)
}

/// Writes `board`'s budget file with `figures`.
fn write(board: &str, figures: &BTreeMap<String, f64>, rustc: &str) -> Result<(), String> {
    let mut text = format!(
        "# Budgets of the mps2-an385 firmware built with spec/boards/{board}.toml.\n\
         # Measured and written by `cargo xtask budgets --write`; enforced by the\n\
         # `budgets` step of `cargo xtask test`: bytes exactly, instruction counts\n\
         # (QEMU -icount) and the peak stack within the tolerances of\n\
         # harness/src/measure/budgets.rs, either way.\n\
         # Bytes are this compiler's builds; another one's are only reported.\n\
         rustc = \"{rustc}\"\n"
    );
    for figure in BYTES.iter().chain(&COUNTED) {
        if let Some(v) = figures.get(figure.key) {
            text.push_str(&format!("# {}\n{} = {}\n", figure.what, figure.key, v));
        }
    }
    let path = file(board);
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Measures every board build and checks its figures against its budget
/// file (or, with `write_them`, writes them there). Fails naming each figure
/// over or under its budget.
pub fn run(write_them: bool) -> Result<(), String> {
    let fw = crate::lab::firmware::find("mps2-an385")?;
    let rustc = rustc_version()?;
    let plain = sections(&crate::lab::firmware::build_with(fw, fw.board, Stack::Plain)?)?;
    let mut wrong = Vec::new();
    for (board, counted) in BUILDS {
        // A budget is the median of five boots; a check takes one.
        let runs = match (counted, write_them) {
            (false, _) => 0,
            (true, true) => 5,
            (true, false) => 1,
        };
        let figures = measure(fw, board, plain, runs)?;
        if write_them {
            if let Some(missing) = COUNTED.iter().find(|f| runs > 0 && !figures.contains_key(f.key)) {
                return Err(format!("{board}: no {} measured (not root?): its budget file is left as it was", missing.key));
            }
            write(board, &figures, &rustc)?;
            println!("wrote {}", file(board).display());
            continue;
        }
        let (budgets, budget_rustc) = read(board)?;
        let other_compiler = budget_rustc != rustc;
        if other_compiler {
            eprintln!("!!! {board}: the budgets are rustc {budget_rustc}'s, this is {rustc}: its bytes are reported, NOT CHECKED");
        }
        println!("{board}: figure, budget, measured");
        for figure in BYTES.iter().chain(&COUNTED) {
            let Some(&measured) = figures.get(figure.key) else { continue };
            let budget = *budgets.get(figure.key).ok_or_else(|| format!("{}: no budget `{}` ({})", file(board).display(), figure.key, figure.what))?;
            let verdict = judge(budget, measured, figure.tolerance);
            if other_compiler && figure.tolerance == Tolerance::Exact {
                println!("  {:<18} {budget:>10} {measured:>10}  {verdict:?}, NOT CHECKED (another compiler): {}", figure.key, figure.what);
                continue;
            }
            println!("  {:<18} {budget:>10} {measured:>10}  {verdict:?}: {}", figure.key, figure.what);
            match verdict {
                Verdict::Within => {}
                Verdict::Over => wrong.push(format!("{board} {} is {measured}, over its budget {budget}", figure.key)),
                Verdict::Under => {
                    wrong.push(format!("{board} {} is {measured}, under its budget {budget}: lower the budget (cargo xtask budgets --write)", figure.key))
                }
            }
        }
    }
    if wrong.is_empty() { Ok(()) } else { Err(wrong.join("; ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_must_match_and_counts_hold_within_their_tolerance() {
        assert_eq!(judge(100.0, 100.0, Tolerance::Exact), Verdict::Within);
        assert_eq!(judge(100.0, 101.0, Tolerance::Exact), Verdict::Over);
        assert_eq!(judge(100.0, 99.0, Tolerance::Exact), Verdict::Under);
        assert_eq!(judge(1000.0, 1009.0, Tolerance::Fraction(0.01)), Verdict::Within);
        assert_eq!(judge(1000.0, 1011.0, Tolerance::Fraction(0.01)), Verdict::Over);
        assert_eq!(judge(1000.0, 989.0, Tolerance::Fraction(0.01)), Verdict::Under);
    }

    #[test]
    fn a_median_is_the_middle_sample() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.0);
        assert!(median(Vec::new()).is_nan());
    }

    #[test]
    fn every_build_has_its_budget_file_with_every_figure() {
        for (board, counted) in BUILDS {
            let (budgets, rustc) = read(board).unwrap_or_else(|e| panic!("{e}"));
            assert!(!rustc.is_empty(), "{board}: no rustc");
            let expected = BYTES.iter().chain(if counted { &COUNTED[..] } else { &[] });
            for figure in expected {
                assert!(budgets.contains_key(figure.key), "{board}: no {}", figure.key);
            }
        }
    }
}
