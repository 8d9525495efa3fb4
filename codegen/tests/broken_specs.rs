//! Broken specs must fail with precise `spec/FILE.toml:LINE:COL: error: ...`
//! diagnostics, never with a panic.
//!
//! Each `tests/broken/NAME.toml` is loaded together with the real spec files and
//! its diagnostics are compared with `tests/broken/NAME.stderr`. A fixture whose
//! first line is `# replaces: FILE.toml` is loaded in place of that real file.
//! Regenerate the snapshots with `UPDATE_EXPECT=1 cargo test -p usocket-codegen`.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use usocket_codegen::{Error, load_texts};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `*.toml` files of `dir`, sorted by name.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
}

fn file_name(p: &Path) -> String {
    p.file_name().expect("file name").to_string_lossy().into_owned()
}

/// The real spec as (display path, text), sorted by file name.
fn real_spec() -> Vec<(String, String)> {
    toml_files(&manifest_dir().join("../spec"))
        .iter()
        .map(|p| {
            let text = fs::read_to_string(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            (format!("spec/{}", file_name(p)), text)
        })
        .collect()
}

/// The real spec plus one fixture, or with one real file replaced by it.
fn spec_with_fixture(fixture: &Path) -> Vec<(String, String)> {
    let text = fs::read_to_string(fixture).unwrap_or_else(|e| panic!("reading {}: {e}", fixture.display()));
    let mut texts = real_spec();
    let replaces = text.lines().next().and_then(|l| l.strip_prefix("# replaces:")).map(str::trim);
    match replaces {
        Some(real) => {
            let display = format!("spec/{real}");
            let slot = texts
                .iter_mut()
                .find(|(path, _)| *path == display)
                .unwrap_or_else(|| panic!("{}: `# replaces: {real}` names no real spec file", fixture.display()));
            slot.1 = text;
        }
        None => texts.push((format!("spec/broken/{}", file_name(fixture)), text)),
    }
    texts
}

/// Checks `spec/[a-z_/]+\.toml:\d+:\d+: error: ` at the start of `line`.
fn has_location_prefix(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("spec/") else { return false };
    let Some((path, rest)) = rest.split_once(".toml:") else { return false };
    if path.is_empty() || !path.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '/') {
        return false;
    }
    let digits = |s: &str| -> Option<usize> {
        let n = s.chars().take_while(char::is_ascii_digit).count();
        (n > 0).then_some(n)
    };
    let Some(n) = digits(rest) else { return false };
    let Some(rest) = rest[n..].strip_prefix(':') else { return false };
    let Some(n) = digits(rest) else { return false };
    rest[n..].starts_with(": error: ")
}

#[test]
fn location_prefix_check() {
    assert!(has_location_prefix("spec/broken/a_b.toml:3:14: error: x"));
    assert!(has_location_prefix("spec/module.toml:1:1: error: "));
    assert!(!has_location_prefix("spec/module.toml:1: error: x"));
    assert!(!has_location_prefix("spec/Module.toml:1:1: error: x"));
    assert!(!has_location_prefix("spec/.toml:1:1: error: x"));
    assert!(!has_location_prefix("spec/m.toml:a:1: error: x"));
    assert!(!has_location_prefix("spec/m.toml:1:1: warning: x"));
    assert!(!has_location_prefix("module.toml:1:1: error: x"));
}

#[test]
fn real_spec_loads() {
    if let Err(e) = load_texts(real_spec()) {
        panic!("the real spec does not load:\n{e}");
    }
}

#[test]
fn broken_specs_have_precise_diagnostics() {
    let dir = manifest_dir().join("tests/broken");
    let fixtures = toml_files(&dir);
    assert!(fixtures.len() >= 14, "expected at least 14 fixtures in {}, found {}", dir.display(), fixtures.len());
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let name = file_name(fixture);
        let texts = spec_with_fixture(fixture);
        let rendered = match catch_unwind(|| load_texts(texts)) {
            Err(_) => {
                failures.push(format!("{name}: load_texts panicked"));
                continue;
            }
            Ok(Ok(_)) => {
                failures.push(format!("{name}: the spec loaded, but the fixture should break it"));
                continue;
            }
            Ok(Err(Error::Spec(errors))) => errors.rendered,
            Ok(Err(other)) => {
                failures.push(format!("{name}: expected Error::Spec, got {other:?}"));
                continue;
            }
        };
        let first_line = rendered.first().and_then(|r| r.lines().next()).unwrap_or("");
        if !has_location_prefix(first_line) {
            failures.push(format!("{name}: first diagnostic does not start with `spec/FILE.toml:LINE:COL: error: `: {first_line:?}"));
        }
        for (i, r) in rendered.iter().enumerate() {
            if !r.contains("= expected: ") {
                failures.push(format!("{name}: diagnostic {} has no `expected:` note:\n{r}", i + 1));
            }
        }
        let snapshot = dir.join(name.replace(".toml", ".stderr"));
        let actual = rendered.concat();
        if catch_unwind(AssertUnwindSafe(|| expect_test::expect_file![&snapshot].assert_eq(&actual))).is_err() {
            failures.push(format!("{name}: output differs from {} (UPDATE_EXPECT=1 updates it)", snapshot.display()));
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}

/// Cut points every 97 bytes (moved back to a char boundary) and the full length.
fn cut_points(text: &str) -> Vec<usize> {
    let mut cuts: Vec<usize> = (0..text.len())
        .step_by(97)
        .map(|mut at| {
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        })
        .collect();
    cuts.push(text.len());
    cuts.dedup();
    cuts
}

#[test]
fn truncated_spec_files_never_panic() {
    let real = real_spec();
    let jobs: Vec<(usize, usize)> = real.iter().enumerate().flat_map(|(i, (_, text))| cut_points(text).into_iter().map(move |cut| (i, cut))).collect();
    assert!(jobs.len() > real.len(), "no truncations were tried");
    // Thousands of loads: spread over the cores (each job is independent).
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let panics: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = jobs
            .chunks(jobs.len().div_ceil(threads))
            .map(|chunk| {
                let real = &real;
                scope.spawn(move || {
                    let mut panics = Vec::new();
                    for &(i, cut) in chunk {
                        let mut texts = real.clone();
                        texts[i].1 = real[i].1[..cut].to_string();
                        if catch_unwind(|| load_texts(texts)).is_err() {
                            panics.push(format!("{} cut at byte {cut}", real[i].0));
                        }
                    }
                    panics
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|_| vec!["a worker thread panicked".to_string()])).collect()
    });
    assert!(panics.is_empty(), "load_texts panicked for:\n{}", panics.join("\n"));
}

/// The real spec with the first `from` in `file` replaced by `to`.
fn real_spec_with(file: &str, from: &str, to: &str) -> Vec<(String, String)> {
    let mut texts = real_spec();
    let slot = texts.iter_mut().find(|(path, _)| path == &format!("spec/{file}")).unwrap_or_else(|| panic!("no spec/{file}"));
    assert!(slot.1.contains(from), "spec/{file} no longer has {from:?}: pick another typo for this test");
    slot.1 = slot.1.replacen(from, to, 1);
    texts
}

/// A typo in the definition of something the real spec uses everywhere
/// (recv()'s size, read by dozens of cases and rules; socket()'s return kind,
/// the constructor; an errno many cases expect) is one error with its
/// suggestion, not one per use.
#[test]
fn a_typo_in_a_definition_is_one_error_with_a_suggestion() {
    let typos = [
        ("socket.toml", r#"{ name = "bufsize", type = "size","#, r#"{ name = "bufsize", type = "siez","#, "did you mean `size`?"),
        ("socket.toml", r#"{ name = "value", type = "timeout","#, r#"{ name = "value", type = "timeuot","#, "did you mean `timeout`?"),
        ("module.toml", r#"returns = "socket""#, r#"returns = "sockett""#, "did you mean `socket`?"),
    ];
    let mut failures = Vec::new();
    for (file, from, to, suggestion) in typos {
        match load_texts(real_spec_with(file, from, to)) {
            Err(Error::Spec(errors)) => {
                if errors.rendered.len() != 1 || !errors.rendered[0].contains(suggestion) {
                    failures.push(format!("{to}: expected one error saying {suggestion:?}, got {}:\n{}", errors.rendered.len(), errors.rendered.concat()));
                }
            }
            other => failures.push(format!("{to}: expected a spec error, got {:?}", other.map(|_| "a valid spec"))),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
