//! mdBook, which builds the guide: from crates.io at a pinned version, into
//! `target/tools/` once. Built unoptimized (`--debug`): it renders a small
//! book in well under a second either way, and compiles in about half the time.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::exec::step;

/// The mdBook release the guide is built with, installed with
/// `--no-default-features` (no server, file watcher or search index: `build`
/// is all we use).
const MDBOOK_VERSION: &str = "0.5.4";

/// `target/tools/bin/mdbook` at [`MDBOOK_VERSION`], installed with cargo
/// unless it is there already.
pub fn get() -> Result<PathBuf, String> {
    let tools = crate::root().join("target/tools");
    let exe = tools.join("bin/mdbook");
    if version(&exe).as_deref() == Some(MDBOOK_VERSION) {
        return Ok(exe);
    }
    let tools = tools.to_string_lossy();
    step(
        "install mdBook",
        "cargo",
        &["install", "mdbook", "--locked", "--force", "--version", MDBOOK_VERSION, "--no-default-features", "--debug", "--root", &tools],
    )?;
    match version(&exe) {
        Some(v) if v == MDBOOK_VERSION => Ok(exe),
        other => Err(format!("{} is {other:?} after cargo install, not {MDBOOK_VERSION}", exe.display())),
    }
}

/// The version `exe --version` prints (`mdbook v0.5.4` → `0.5.4`), if it runs.
fn version(exe: &Path) -> Option<String> {
    if !exe.is_file() {
        return None;
    }
    let out = crate::exec::captured(Command::new(exe).arg("--version")).ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.split_whitespace().last()?.trim_start_matches('v').to_string())
}
