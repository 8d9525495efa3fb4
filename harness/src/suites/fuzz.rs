//! `cargo xtask fuzz [--seconds N]`: the cargo fuzz targets in `fuzz/` (nightly,
//! libFuzzer, AddressSanitizer): the spec parser, sequences of C ABI calls,
//! raw frames into the runtime. Each first replays `fuzz/regressions/<target>/`
//! (inputs that once crashed), then fuzzes for N seconds (default 60) from a
//! corpus in `target/fuzz-corpus/`, seeded from the real spec files. A crash
//! fails the run, and its input is in `fuzz/artifacts/`.

use crate::verbosity::progress;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The targets, in the order they run.
const TARGETS: [&str; 3] = ["spec_parser", "abi_calls", "frames"];

/// Seeds for a target's corpus: each real spec file, as spec_parser reads
/// it (an even first byte: replace file i), and a loopback exchange for abi_calls.
fn seed(root: &Path, target: &str, corpus: &Path) -> Result<(), String> {
    let write = |name: String, data: Vec<u8>| fs::write(corpus.join(&name), data).map_err(|e| format!("{name}: {e}"));
    match target {
        "spec_parser" => {
            let mut texts = usocket_codegen::toml_texts(&root.join("spec"), "spec").map_err(|e| e.to_string())?;
            texts.extend(usocket_codegen::toml_texts(&root.join("spec/boards"), "spec/boards").map_err(|e| e.to_string())?);
            for (i, (_, text)) in texts.iter().enumerate() {
                write(format!("seed-{i}"), [&[(i * 2) as u8][..], text.as_bytes()].concat())?;
            }
        }
        "abi_calls" => write("seed-exchange".into(), vec![22, 0, 5, 0x40, 4, b'h', b'i', b'!', b'\n', 6, 0x41, 0, 1, 12, 0x40])?,
        _ => {}
    }
    Ok(())
}

/// "Done N runs in M second(s)" from libFuzzer's output.
fn runs(output: &str) -> Option<u64> {
    output.lines().rev().find_map(|l| l.strip_prefix("Done ")?.split_whitespace().next()?.parse().ok())
}

/// Runs one target: regressions, then fuzzing for `secs`; returns its executions.
fn run_target(root: &Path, target: &str, secs: u64) -> Result<u64, String> {
    let fuzz_dir = root.join("fuzz");
    let cargo_fuzz = |args: &[String]| -> Result<String, String> {
        progress!("==> cargo +nightly fuzz run {target} {}", args.join(" "));
        let out = crate::exec::captured(Command::new("cargo").args(["+nightly", "fuzz", "run", target]).args(args).current_dir(&fuzz_dir))
            .map_err(|e| format!("cannot run cargo fuzz: {e} (cargo install cargo-fuzz)"))?;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if out.status.success() {
            Ok(text)
        } else {
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            Err(format!("fuzz target {target} failed:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n")))
        }
    };
    let regressions = fuzz_dir.join("regressions").join(target);
    if regressions.is_dir() {
        let mut inputs: Vec<PathBuf> = fs::read_dir(&regressions).map_err(|e| e.to_string())?.filter_map(|e| Some(e.ok()?.path())).collect();
        inputs.sort();
        if !inputs.is_empty() {
            cargo_fuzz(&inputs.iter().map(|p| p.to_string_lossy().into_owned()).collect::<Vec<_>>())?;
            println!("    {} regression input(s) of {target}: no crash", inputs.len());
        }
    }
    let corpus = root.join("target/fuzz-corpus").join(target);
    fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    seed(root, target, &corpus)?;
    let out = cargo_fuzz(&[corpus.to_string_lossy().into_owned(), "--".into(), format!("-max_total_time={secs}"), "-timeout=10".into()])?;
    runs(&out).ok_or_else(|| format!("fuzz target {target}: no \"Done N runs\" line in libFuzzer's output"))
}

/// Runs every target, each for `secs` seconds after its regressions.
pub fn run(secs: u64) -> Result<(), String> {
    if crate::exec::captured(Command::new("cargo").args(["+nightly", "fuzz", "--version"])).map(|o| !o.status.success()).unwrap_or(true) {
        return Err("cargo fuzz on the nightly toolchain is needed: cargo install cargo-fuzz (nightly comes with the machine)".into());
    }
    let root = crate::root();
    let mut report = Vec::new();
    for target in TARGETS {
        let n = run_target(&root, target, secs)?;
        report.push(format!("{target}: {n} executions in {secs} s, no crash"));
    }
    println!("==> fuzz results");
    for line in report {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_output_is_read() {
        assert_eq!(runs("#1 INITED\nDone 86113 runs in 21 second(s)\n"), Some(86113));
        assert_eq!(runs("crash\n"), None);
    }
}
