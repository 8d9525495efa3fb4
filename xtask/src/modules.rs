//! `cargo xtask modules`: each crate's module import graph (which module names
//! which, from `crate::` paths outside comments and tests) and its cycles; the
//! test step `modules` fails on a cycle, and on an import against the
//! generator's layers ([`CODEGEN_LAYERS`]), so that ARCHITECTURE.md stays true.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The crates' source trees whose modules must form no cycle.
pub const CRATES: [&str; 8] = ["codegen/src", "config/src", "runtime/src", "targets/host/src", "targets/cport/src", "netns/src", "harness/src", "xtask/src"];

/// The generator's layers: the spec flows `raw` (serde only) → `lower` (the
/// checks) → `ir` (the typed spec) → `emit`; each top-level module of
/// `codegen/src` and the others it may use.
const CODEGEN_LAYERS: [(&str, &[&str]); 11] = [
    ("raw", &[]),
    ("diag", &[]),
    ("types", &[]),
    ("targets", &[]),
    ("ir", &["types", "targets"]),
    ("lower", &["raw", "ir", "diag", "native", "types", "targets"]),
    ("abi", &["ir", "types"]),
    ("naming", &["ir", "types"]),
    // How C and Rust name what a native doc says ({ENAME}), for its checks and its emitters.
    ("native", &["ir", "naming"]),
    ("emit", &["ir", "abi", "naming", "native", "types", "targets"]),
    ("sync", &["emit"]),
];

/// The imports of `graph` that go against `layers` (by top-level module).
fn against_layers(graph: &Graph, layers: &[(&str, &[&str])]) -> Vec<String> {
    let top = |m: &str| m.split("::").next().unwrap_or(m).to_string();
    let mut wrong = Vec::new();
    for (module, named) in graph {
        let Some((_, allowed)) = layers.iter().find(|(layer, _)| *layer == top(module)) else {
            wrong.push(format!("{module}: a top-level module the layering does not list"));
            continue;
        };
        for n in named.iter().filter(|n| top(n) != top(module) && !allowed.contains(&top(n).as_str())) {
            wrong.push(format!("{module} uses {n}"));
        }
    }
    wrong
}

/// A module graph: module path -> the modules it names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The module path of a file under `root` (`a/b.rs` and `a/b/mod.rs` are `a::b`); None for the crate root.
fn module_of(root: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(root).ok()?.with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    match parts.as_slice() {
        [] => None,
        [one] if one == "lib" || one == "main" => None,
        _ => Some(parts.join("::")),
    }
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), String> {
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            sources(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The code of a file without comments (a doc link is no dependency) and its
/// `#[cfg(test)] mod tests` (tests may name anything).
fn code(text: &str) -> String {
    let text = text.find("#[cfg(test)]\nmod tests").map_or(text, |i| &text[..i]);
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The longest known module that `path` (after `crate::`) starts with.
fn named_module<'a>(path: &str, modules: &'a BTreeSet<String>) -> Option<&'a String> {
    let segments: Vec<&str> = path.split("::").take_while(|s| s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')).collect();
    (1..=segments.len()).rev().find_map(|n| modules.get(&segments[..n].join("::")))
}

/// The `crate::` paths a source text names, `use crate::{a, b::c}` groups included.
fn crate_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            paths.extend(group[..end].split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()));
        } else {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            paths.push(rest[..end].to_string());
        }
    }
    paths
}

/// The module graph of the crate whose sources are under `root`.
pub fn graph(root: &Path) -> Result<Graph, String> {
    let mut files = Vec::new();
    sources(root, &mut files)?;
    let mut texts = BTreeMap::new();
    for file in &files {
        if let Some(module) = module_of(root, file) {
            let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            texts.insert(module, text);
        }
    }
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let mut graph = Graph::new();
    for (module, text) in &texts {
        let named = crate_paths(&code(text))
            .iter()
            .filter_map(|p| named_module(p, &modules))
            .filter(|m| *m != module && !module.starts_with(&format!("{m}::")))
            .cloned()
            .collect();
        graph.insert(module.clone(), named);
    }
    Ok(graph)
}

/// The graph's cycles: its strongly connected components of more than one module (Tarjan).
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    self.low.entry(v).and_modify(|l| *l = (*l).min(lw));
                } else if self.stack.contains(&w) {
                    let iw = self.index[w];
                    self.low.entry(v).and_modify(|l| *l = (*l).min(iw));
                }
            }
            if self.low[v] == self.index[v] {
                let at = self.stack.iter().rposition(|m| *m == v).unwrap_or(0);
                let component: Vec<String> = self.stack.drain(at..).map(str::to_string).collect();
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found.iter_mut().for_each(|c| c.sort());
    walk.found
}

/// Prints each crate's graph under `tree` (with `print`) and fails when a
/// crate has a cycle or codegen an import against its layers.
pub fn run(tree: &Path, print: bool) -> Result<(), String> {
    let mut bad = Vec::new();
    for dir in CRATES {
        let root = tree.join(dir);
        if !root.exists() {
            continue;
        }
        let graph = graph(&root)?;
        if print {
            println!("{dir}:");
            for (module, named) in &graph {
                println!("  {module} -> {}", named.iter().cloned().collect::<Vec<_>>().join(", "));
            }
        }
        for cycle in cycles(&graph) {
            bad.push(format!("{dir}: a cycle: {}", cycle.join(" <-> ")));
        }
        if dir == "codegen/src" {
            bad.extend(against_layers(&graph, &CODEGEN_LAYERS).into_iter().map(|w| format!("{dir}: against the layers raw → lower → ir → emit: {w}")));
        }
    }
    match bad.is_empty() {
        true => Ok(()),
        false => Err(format!("module imports against the structure (ARCHITECTURE.md):\n  {}", bad.join("\n  "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_of(edges: &[(&str, &[&str])]) -> Graph {
        edges.iter().map(|(m, to)| (m.to_string(), to.iter().map(|t| t.to_string()).collect())).collect()
    }

    #[test]
    fn paths_and_groups_are_read() {
        let text = "use crate::a::B;\nuse crate::{b, c::D};\nfn f() { crate::d::e(); }";
        assert_eq!(crate_paths(text), ["a::B", "b", "c::D", "d::e"]);
        let modules: BTreeSet<String> = ["a", "c", "c::d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(named_module("c::d::X", &modules).map(String::as_str), Some("c::d"));
        assert_eq!(named_module("Errno", &modules), None);
        assert_eq!(crate_paths(&code("//! see [`crate::x`]\nuse crate::y;\n#[cfg(test)]\nmod tests { use crate::z; }")), ["y"]);
    }

    #[test]
    fn a_layer_may_use_only_the_layers_it_lists() {
        let layers: [(&str, &[&str]); 3] = [("raw", &[]), ("ir", &[]), ("lower", &["raw", "ir"])];
        let ok = graph_of(&[("lower::a", &["raw::b", "ir", "lower::c"]), ("raw::b", &[]), ("ir", &[])]);
        assert!(against_layers(&ok, &layers).is_empty());
        let bad = graph_of(&[("ir", &["lower::a"]), ("emit", &[])]);
        assert_eq!(against_layers(&bad, &layers), ["emit: a top-level module the layering does not list", "ir uses lower::a"]);
    }

    #[test]
    fn cycles_are_found_and_a_chain_is_not_one() {
        assert!(cycles(&graph_of(&[("a", &["b"]), ("b", &["c"]), ("c", &[])])).is_empty());
        let found = cycles(&graph_of(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &["a"])]));
        assert_eq!(found, [["a", "b", "c"]]);
    }
}
