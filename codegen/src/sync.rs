//! Writes the generator's output directories ([`OUTPUT_DIRS`]) from the spec, or checks that they are up to date.
//! One function serves both, so the check can never drift from the write.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::emit::Output;

/// What [`sync`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write changed files and delete orphans.
    Write,
    /// Write nothing; report differences.
    Check,
}

/// A generated file that does not match the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Path relative to the root.
    pub path: String,
    /// `missing`, `orphaned` or `stale` with a short diff.
    pub detail: String,
}

/// What [`sync`] found or did.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (Write) or that would be (Check), with a reason.
    pub changed: Vec<Stale>,
    /// Files already up to date.
    pub unchanged: Vec<String>,
}

/// The directories that hold only generator output: `generated/`, and the
/// Rust each crate includes inside its own package (so `cargo package` takes
/// it along).
pub const OUTPUT_DIRS: [&str; 3] = ["generated", "runtime/generated", "targets/cport/generated"];

/// Generates everything from `root/spec` and writes or checks the [`OUTPUT_DIRS`].
pub fn sync(root: &Path, mode: Mode) -> Result<Report, Error> {
    let outputs = crate::generate(&root.join("spec"), "spec")?;
    let mut report = Report::default();
    let expected: BTreeSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    for o in &outputs {
        let path = root.join(&o.path);
        match fs::read_to_string(&path) {
            Ok(current) if current == o.contents => report.unchanged.push(o.path.clone()),
            Ok(current) => report.changed.push(Stale { path: o.path.clone(), detail: format!("stale\n{}", first_difference(&current, &o.contents)) }),
            Err(_) => report.changed.push(Stale { path: o.path.clone(), detail: "missing".into() }),
        }
    }
    let mut existing = Vec::new();
    for dir in OUTPUT_DIRS {
        let path = root.join(dir);
        if path.exists() {
            list_files(&path, &mut existing).map_err(|source| Error::Io { path: dir.into(), source })?;
        }
    }
    for p in existing {
        let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
        if !expected.contains(rel.as_str()) {
            report.changed.push(Stale { path: rel, detail: "orphaned (not produced by the spec)".into() });
        }
    }
    if mode == Mode::Write {
        apply(root, &outputs, &report)?;
    }
    Ok(report)
}

fn apply(root: &Path, outputs: &[Output], report: &Report) -> Result<(), Error> {
    let io = |p: &Path, source| Error::Io { path: p.display().to_string(), source };
    for s in &report.changed {
        let path = root.join(&s.path);
        match outputs.iter().find(|o| o.path == s.path) {
            Some(o) => {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                }
                fs::write(&path, &o.contents).map_err(|e| io(&path, e))?;
            }
            None => fs::remove_file(&path).map_err(|e| io(&path, e))?,
        }
    }
    Ok(())
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// A short diff: the first differing line with two lines of context.
fn first_difference(current: &str, expected: &str) -> String {
    let cur: Vec<&str> = current.lines().collect();
    let exp: Vec<&str> = expected.lines().collect();
    let at = (0..cur.len().max(exp.len())).find(|&i| cur.get(i) != exp.get(i)).unwrap_or(0);
    let mut out = format!("  first difference at line {}:\n", at + 1);
    for i in at.saturating_sub(2)..at {
        if let Some(l) = exp.get(i) {
            out.push_str(&format!("     {l}\n"));
        }
    }
    for l in cur.iter().skip(at).take(3) {
        out.push_str(&format!("  -  {l}\n"));
    }
    for l in exp.iter().skip(at).take(3) {
        out.push_str(&format!("  +  {l}\n"));
    }
    out
}
