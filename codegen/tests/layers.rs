//! The generator's layers: the spec flows `raw` (serde only) → `lower` (the
//! checks) → `ir` (the typed spec) → `emit`, and imports follow [`ALLOWED`]:
//! `lower` uses `raw` and `ir`, `emit` uses `ir`, neither `raw` nor `ir` uses
//! another layer, so there is no cycle. This test reads every module's
//! `crate::` paths (outside comments) and fails on an edge not allowed. `cargo test -p usocket-codegen --test layers
//! -- --nocapture` prints the import graph.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Which top-level modules each layer may use besides itself.
const ALLOWED: [(&str, &[&str]); 11] = [
    ("raw", &[]),
    ("diag", &[]),
    ("types", &[]),
    ("targets", &[]),
    ("ir", &["types", "targets"]),
    ("lower", &["raw", "ir", "diag", "types", "targets"]),
    ("abi", &["ir", "types"]),
    ("naming", &["ir", "types"]),
    ("emit", &["ir", "abi", "naming", "types", "targets"]),
    ("sync", &["emit"]),
    ("lib", &["diag", "ir", "lower", "emit"]),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("codegen/src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A source file's module path (`lower/boards`, `ir`, `lib`).
fn module(src: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(src).expect("under src").with_extension("");
    let name = rel.to_string_lossy().replace('\\', "/");
    name.strip_suffix("/mod").map(str::to_string).unwrap_or(name)
}

/// The crate's top-level modules a file names as `crate::X`, outside
/// comments (`super::` stays inside a layer); only names of this crate's
/// top-level modules count (paths inside generated-code quotes, like
/// `crate::board_info`, name the runtime's).
fn uses(text: &str, tops: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines().map(str::trim_start).filter(|l| !l.starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let name: String = line[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if tops.contains(&name) {
                found.insert(name);
            }
        }
    }
    found
}

#[test]
fn layers_import_only_downwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let modules: Vec<String> = files.iter().map(|f| module(&src, f)).collect();
    let tops: BTreeSet<String> = modules.iter().map(|m| m.split('/').next().unwrap_or_default().to_string()).collect();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.into_iter().collect();
    let mut wrong = Vec::new();
    println!("import graph of codegen/src (module, lines -> crate modules it uses):");
    for (file, m) in files.iter().zip(&modules) {
        let text = fs::read_to_string(file).expect("readable");
        let top = m.split('/').next().unwrap_or_default();
        let used: Vec<String> = uses(&text, &tops).into_iter().filter(|u| u != top).collect();
        println!("  {m:<22} {:>4} -> {}", text.lines().count(), used.join(" "));
        let Some(ok) = allowed.get(top) else {
            wrong.push(format!("{m}: a top-level module the layering does not list"));
            continue;
        };
        wrong.extend(used.iter().filter(|u| !ok.contains(&u.as_str())).map(|u| format!("{m} uses {u}")));
    }
    assert!(wrong.is_empty(), "imports against the layering (raw → lower → ir → emit):\n{}", wrong.join("\n"));
}
