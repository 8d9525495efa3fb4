//! The usocket generator, in layers: [`raw`] (the TOML as written, serde
//! only) → [`lower`] (the checks, one file per spec section) → [`ir`] (the
//! typed, validated spec) → [`emit`] (the Rust core, the C header, the
//! MicroPython glue, the docs and the stubs). [`sync`] writes or checks
//! `generated/`.

pub mod abi;
pub mod diag;
pub mod emit;
pub mod ir;
pub mod lower;
pub mod naming;
pub mod native;
pub mod raw;
pub mod sync;
pub mod targets;
pub mod types;

use std::fs;
use std::path::Path;

use diag::{SpecErrors, SpecFiles};

/// Why loading or generating failed.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read or written.
    Io {
        /// The path involved.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spec is invalid; each diagnostic is rendered.
    Spec(SpecErrors),
    /// An emitter failed (a generator bug, reported rather than panicking).
    Emit(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{path}: {source}"),
            Error::Spec(e) => write!(f, "{e}"),
            Error::Emit(e) => write!(f, "generator error: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// Loads every `*.toml` in `spec_dir` and in its `boards/` folder (each sorted
/// by name) and validates them. Paths in diagnostics are shown as
/// `display_dir/FILE.toml` and `display_dir/boards/FILE.toml`.
pub fn load_spec(spec_dir: &Path, display_dir: &str) -> Result<ir::Spec, Error> {
    let mut texts = toml_texts(spec_dir, display_dir)?;
    let boards = spec_dir.join("boards");
    if boards.is_dir() {
        texts.extend(toml_texts(&boards, &format!("{display_dir}/boards"))?);
    }
    load_texts(texts)
}

/// The `*.toml` files of one folder as (display path, text), sorted by name.
pub fn toml_texts(dir: &Path, display_dir: &str) -> Result<Vec<(String, String)>, Error> {
    let io = |path: &Path, source| Error::Io { path: path.display().to_string(), source };
    let mut paths: Vec<_> = fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut texts = Vec::new();
    for p in &paths {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        texts.push((format!("{display_dir}/{name}"), fs::read_to_string(p).map_err(|e| io(p, e))?));
    }
    Ok(texts)
}

/// Validates spec files given as (display path, text) pairs.
pub fn load_texts(texts: Vec<(String, String)>) -> Result<ir::Spec, Error> {
    let mut files = SpecFiles::default();
    for (path, text) in texts {
        files.add(path, text);
    }
    lower::lower(&files).map_err(|diags| Error::Spec(SpecErrors { rendered: diags.iter().map(|d| d.render(&files)).collect() }))
}

/// Loads the spec and runs every emitter.
pub fn generate(spec_dir: &Path, display_dir: &str) -> Result<Vec<emit::Output>, Error> {
    let spec = load_spec(spec_dir, display_dir)?;
    emit::generate(&spec).map_err(Error::Emit)
}
