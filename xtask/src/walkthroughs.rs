//! `cargo xtask test --only walkthroughs`: README.md's walkthroughs (add a
//! constant, a method, a behaviour case), followed as written on a copy of
//! the repository's HEAD, so that the text and what the project demands
//! cannot drift apart. The steps come from the README itself ([`parse`]):
//!
//! - "Append to `FILE`:" then a ```toml or ```rust block: the block is appended to FILE;
//! - "Add to `impl TRAIT for TYPE` in `FILE`:" then a ```rust block: it opens that impl block;
//! - "Add before `TEXT` in `FILE`:" then a block: it goes before the first line starting with TEXT;
//! - "in `FILE`, add `"ID"` to the `cases` of `[[difference]]` `NAME`": ID joins that list;
//! - a ```sh block: each line runs in the copy, in order; `cargo xtask
//!   conformance` runs on CPython only (said loudly): ours, stock MicroPython
//!   and the lwIP anchor need interpreters and firmware that the micropython
//!   and device steps build. A block without a language is an example, not a step.
//!
//! Each walkthrough starts from a clean copy (`target/walkthroughs/repo`, a git
//! repository of its own fetched from HEAD, so files a walkthrough did not
//! change keep their times and builds stay incremental) with its own target
//! directory (`target/walkthroughs/target`), and must run the checks that
//! would fail if the text left a step out ([`REQUIRED`]). After each, the C ABI
//! runner (`tests/c/conformance.c`, which `cargo xtask test --only c` runs) runs
//! the copy's cases on the copy's debug `libusocket_host.a`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::verbosity::progress;

/// Each walkthrough's title (after `## Walkthrough: `) and the checks it must
/// run, each of which fails when the text leaves a step out.
const REQUIRED: [(&str, &[&str]); 3] = [
    // The generated constant case fails on CPython unless a difference names it.
    ("add a constant", &["cargo xtask codegen --check", "cargo build", "cargo test -p usocket-codegen", CONFORMANCE]),
    // The compiler demands the method; codegen's tests demand a case that calls it.
    (
        "add a method",
        &["cargo xtask codegen --check", "cargo build", "cargo test -p usocket-codegen", "cargo test -p usocket-host --test conformance", CONFORMANCE],
    ),
    ("add a behaviour case", &["cargo xtask codegen --check", "cargo test -p usocket-codegen", "cargo test -p usocket-host --test conformance", CONFORMANCE]),
];

/// The conformance run, which here is CPython's column only.
const CONFORMANCE: &str = "cargo xtask conformance";

/// One thing a walkthrough says to do.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    /// Append `text` to the file `path`.
    Append { path: String, text: String },
    /// Insert `text` into `path` where `at` says.
    Insert { path: String, at: At, text: String },
    /// Add `case` to the `cases` of the `[[difference]]` with id `difference` in `path`.
    AddCase { path: String, difference: String, case: String },
    /// Run this command line in the copy.
    Run(String),
}

/// Where an inserted block goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum At {
    /// First in the block of this impl (`impl SocketApi for Stack`, generics left out), indented one level.
    ImplStart(String),
    /// Before the first line starting with this text (after indentation), indented as it is.
    Before(String),
}

/// A walkthrough of the README: its title and its actions, in order.
#[derive(Debug)]
struct Walkthrough {
    title: String,
    actions: Vec<Action>,
}

/// The code spans of a line of markdown.
fn spans(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

/// The code span right after `marker` in `line`.
fn span_after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &line[line.find(marker)? + marker.len()..];
    rest.strip_prefix('`')?.split('`').next()
}

/// What a prose line asks for the code block after it.
enum Pending {
    Append { path: String },
    Insert { path: String, at: At },
}

/// The walkthroughs of `readme` (sections `## Walkthrough: TITLE`).
fn parse(readme: &str) -> Result<Vec<Walkthrough>, String> {
    let mut out: Vec<Walkthrough> = Vec::new();
    let mut pending: Option<Pending> = None;
    // An open code block: its indentation, its language and its lines.
    let mut block: Option<(usize, String, Vec<String>)> = None;
    for (n, line) in readme.lines().enumerate() {
        let at = || format!("README.md:{}", n + 1);
        if let Some((indent, lang, lines)) = &mut block {
            if line.trim_start().starts_with("```") {
                let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
                let Some(w) = out.last_mut() else { return Err(format!("{}: a code block outside a walkthrough", at())) };
                match (lang.as_str(), pending.take()) {
                    // An example (output, say), not a step.
                    ("", _) => {}
                    ("sh", _) => {
                        let commands = lines.iter().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty());
                        w.actions.extend(commands.map(|c| Action::Run(c.to_string())));
                    }
                    ("toml" | "rust" | "c", Some(Pending::Append { path })) => w.actions.push(Action::Append { path, text }),
                    ("toml" | "rust" | "c", Some(Pending::Insert { path, at })) => w.actions.push(Action::Insert { path, at, text }),
                    (other, _) => {
                        return Err(format!(
                            "{}: a ```{other} block in walkthrough `{}` without \"Append to `FILE`:\" \"Add to `impl ...` in `FILE`:\" or \"Add before `TEXT` in `FILE`:\" before it",
                            at(),
                            w.title
                        ));
                    }
                }
                block = None;
            } else {
                lines.push(line.get(*indent..).filter(|_| line.starts_with(&" ".repeat(*indent))).unwrap_or(line.trim_start()).to_string());
            }
            continue;
        }
        if let Some(title) = line.strip_prefix("## Walkthrough: ") {
            out.push(Walkthrough { title: title.trim().to_string(), actions: Vec::new() });
            pending = None;
            continue;
        }
        if line.starts_with("## ") {
            // Another section: nothing after it belongs to a walkthrough.
            if !out.is_empty() && !line.starts_with("## Walkthrough") {
                break;
            }
            continue;
        }
        let Some(w) = out.last_mut() else { continue };
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            block = Some((line.len() - trimmed.len(), lang.trim().to_string(), Vec::new()));
        } else if line.contains("to the `cases` of `[[difference]]`") {
            let (path, case) = match spans(line).as_slice() {
                [path, case, ..] => (path.to_string(), case.trim_matches('"').to_string()),
                _ => return Err(format!("{}: expected \"in `FILE`, add `\\\"ID\\\"` to the `cases` of ...\"", at())),
            };
            let difference = span_after(line, "`[[difference]]` ").ok_or_else(|| format!("{}: no difference id after `[[difference]]`", at()))?;
            w.actions.push(Action::AddCase { path, difference: difference.to_string(), case });
        } else if let Some(path) = span_after(line, "Append to ").filter(|_| line.trim_end().ends_with(':')) {
            pending = Some(Pending::Append { path: path.to_string() });
        } else if let (Some(imp), Some(path)) = (span_after(line, "Add to "), span_after(line, "` in "))
            && line.trim_end().ends_with(':')
        {
            pending = Some(Pending::Insert { path: path.to_string(), at: At::ImplStart(imp.to_string()) });
        } else if let (Some(anchor), Some(path)) = (span_after(line, "Add before "), span_after(line, "` in "))
            && line.trim_end().ends_with(':')
        {
            pending = Some(Pending::Insert { path: path.to_string(), at: At::Before(anchor.to_string()) });
        }
    }
    if block.is_some() {
        return Err("README.md: a code block in the walkthroughs is not closed".into());
    }
    Ok(out)
}

/// `line` without its generic parameters (`impl<B: Board> X for Y<'_, B> {` → `impl X for Y {`).
fn without_generics(line: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in line.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `text` with `case` added to the `cases` of the difference `id`.
fn add_case(text: &str, id: &str, case: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim() == format!("id = \"{id}\"")).ok_or_else(|| format!("no [[difference]] with id = \"{id}\""))?;
    let end = lines[start..].iter().position(|l| l.starts_with("[[")).map_or(lines.len(), |i| start + i);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match (start..end).find(|&i| lines[i].starts_with("cases = [")) {
        Some(i) => {
            let list = lines[i].trim_end().strip_suffix(']').ok_or_else(|| format!("difference `{id}`: its `cases` is not on one line"))?;
            let sep = if list.ends_with('[') { "" } else { ", " };
            out[i] = format!("{list}{sep}\"{case}\"]");
        }
        None => out.insert(start + 1, format!("cases = [\"{case}\"]")),
    }
    Ok(out.iter().map(|l| format!("{l}\n")).collect())
}

/// `text` with `code` inserted where `at` says.
fn insert(text: &str, at: &At, code: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l[..l.len() - l.trim_start().len()].to_string();
    // Where, with what indentation, and what follows the code.
    let found = match at {
        At::ImplStart(imp) => lines.iter().position(|l| without_generics(l.trim()) == format!("{imp} {{")).map(|i| (i + 1, indent(lines[i]) + "    ", "\n")),
        At::Before(anchor) => lines.iter().position(|l| l.trim_start().starts_with(anchor.as_str())).map(|i| (i, indent(lines[i]), "")),
    };
    let (i, indent, gap) = found.ok_or_else(|| match at {
        At::ImplStart(imp) => format!("no `{imp} {{` line"),
        At::Before(anchor) => format!("no line starting with `{anchor}`"),
    })?;
    let code: String = code.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("{indent}{l}\n") }).collect();
    let joined = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    Ok(format!("{}{code}{gap}{}", joined(&lines[..i]), joined(&lines[i..])))
}

/// Applies one edit to the copy at `copy`.
fn apply(copy: &Path, action: &Action) -> Result<(), String> {
    let path = match action {
        Action::Append { path, .. } | Action::Insert { path, .. } | Action::AddCase { path, .. } => path,
        Action::Run(_) => return Ok(()),
    };
    let file = copy.join(path);
    let old = std::fs::read_to_string(&file).map_err(|e| format!("{path}: {e}"))?;
    let new = match action {
        Action::Insert { at, text, .. } => insert(&old, at, text),
        Action::AddCase { difference, case, .. } => add_case(&old, difference, case),
        // After a blank line, as the file's own entries are.
        Action::Append { text, .. } => Ok(format!("{}\n\n{text}", old.trim_end_matches('\n'))),
        Action::Run(_) => Ok(old),
    };
    std::fs::write(&file, new.map_err(|e| format!("{path}: {e}"))?).map_err(|e| format!("{path}: {e}"))
}

/// Runs a walkthrough's command line in the copy.
fn run(copy: &Path, target: &Path, line: &str) -> Result<(), String> {
    if line == CONFORMANCE {
        eprintln!(
            "!!! `{CONFORMANCE}` here runs CPython's column only: ours, stock MicroPython and the lwIP anchor need interpreters and firmware (the micropython and device steps run them on the real spec)"
        );
        return crate::conformance::cpython_only(copy);
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let (program, args) = words.split_first().ok_or("an empty command")?;
    progress!("==> walkthrough: {line}");
    let status = crate::exec::status(Command::new(program).args(args).current_dir(copy).env("CARGO_TARGET_DIR", target))
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{line}` failed ({status})")) }
}

/// The C ABI runner (`tests/c/conformance.c`) on the copy's cases, linked
/// with the copy's debug `libusocket_host.a` (`cargo xtask test --only c`
/// links the release one, which a walkthrough would build afresh).
fn c_conformance(copy: &Path, target: &Path) -> Result<(), String> {
    run(copy, target, "cargo build -p usocket-host")?;
    let lib = target.join("debug/libusocket_host.a").to_string_lossy().into_owned();
    let exe = target.join("walkthrough-c-conformance").to_string_lossy().into_owned();
    let flags = [&crate::cflags::WARNINGS[..], &["-std=c99", "tests/c/conformance.c", &lib], &crate::cflags::STATICLIB_LIBS, &["-o", &exe]].concat();
    progress!("==> walkthrough: the C ABI runner");
    for (program, args) in [("gcc", &flags[..]), (exe.as_str(), &[][..])] {
        let status = crate::exec::status(Command::new(program).args(args).current_dir(copy)).map_err(|e| format!("cannot run {program}: {e}"))?;
        if !status.success() {
            return Err(format!("the C ABI runner: {program} failed ({status})"));
        }
    }
    Ok(())
}

/// Runs `git args` in `dir`.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = crate::exec::captured(Command::new("git").arg("-C").arg(dir).args(args)).map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Makes `copy` the repository's HEAD and nothing else (a git repository of
/// its own: only files that differ are rewritten); returns the commit.
fn fresh_copy(root: &Path, copy: &Path) -> Result<String, String> {
    if !copy.join(".git").is_dir() {
        std::fs::create_dir_all(copy).map_err(|e| format!("{}: {e}", copy.display()))?;
        git(copy, &["init", "-q"])?;
    }
    let root = root.to_string_lossy();
    git(copy, &["fetch", "-q", "--depth", "1", &root, "HEAD"])?;
    git(copy, &["reset", "-q", "--hard", "FETCH_HEAD"])?;
    git(copy, &["clean", "-q", "-f", "-d", "-x"])?;
    git(copy, &["rev-parse", "--short", "HEAD"])
}

/// Follows each walkthrough of HEAD's README on a fresh copy of HEAD.
pub fn run_all() -> Result<(), String> {
    let root = crate::root();
    if !git(&root, &["status", "--porcelain"])?.is_empty() {
        eprintln!("!!! walkthroughs: the copy is HEAD (its README too); uncommitted changes are not in it");
    }
    let base: PathBuf = root.join("target/walkthroughs");
    let (copy, target) = (base.join("repo"), base.join("target"));
    fresh_copy(&root, &copy)?;
    let readme = std::fs::read_to_string(copy.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let walkthroughs = parse(&readme)?;
    check_required(&walkthroughs)?;
    let mut times = Vec::new();
    for w in &walkthroughs {
        let started = Instant::now();
        let commit = fresh_copy(&root, &copy)?;
        progress!("==> walkthrough `{}` on {commit} in {}", w.title, copy.display());
        for action in &w.actions {
            let done = match action {
                Action::Run(line) => {
                    let started = Instant::now();
                    let done = run(&copy, &target, line);
                    progress!("==> walkthrough: `{line}` took {:.1} s", started.elapsed().as_secs_f64());
                    done
                }
                edit => apply(&copy, edit),
            };
            done.map_err(|e| format!("README walkthrough `{}`: {e}", w.title))?;
        }
        c_conformance(&copy, &target).map_err(|e| format!("README walkthrough `{}`: {e}", w.title))?;
        times.push(format!("{}: {:.0} s", w.title, started.elapsed().as_secs_f64()));
    }
    println!("walkthroughs: {} followed ({})", walkthroughs.len(), times.join(", "));
    Ok(())
}

/// Every walkthrough of [`REQUIRED`] is in the README, edits something and
/// runs its checks.
fn check_required(walkthroughs: &[Walkthrough]) -> Result<(), String> {
    for (title, checks) in REQUIRED {
        let w = walkthroughs.iter().find(|w| w.title == title).ok_or_else(|| format!("README.md has no \"## Walkthrough: {title}\""))?;
        if !w.actions.iter().any(|a| !matches!(a, Action::Run(_))) {
            return Err(format!("README walkthrough `{title}` changes nothing (no \"Append to `FILE`:\" with a block)"));
        }
        for check in checks {
            if !w.actions.contains(&Action::Run(check.to_string())) {
                return Err(format!("README walkthrough `{title}` does not run `{check}` (in a ```sh block), which fails when a step is left out"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_walkthroughs_parse_and_run_their_checks() {
        let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
        let walkthroughs = parse(&readme).unwrap();
        check_required(&walkthroughs).unwrap();
        let method = walkthroughs.iter().find(|w| w.title == "add a method").unwrap();
        let inserts = |file: &str| method.actions.iter().any(|a| matches!(a, Action::Insert { path, .. } if path == file));
        for file in ["runtime/src/stack/api/dispatch.rs", "runtime/tests/runner/mod.rs", "tests/c/conformance.c"] {
            assert!(inserts(file), "the method walkthrough edits {file}: {method:?}");
        }
        let constant = walkthroughs.iter().find(|w| w.title == "add a constant").unwrap();
        assert!(constant.actions.iter().any(|a| matches!(a, Action::AddCase { .. })), "{constant:?}");
    }

    #[test]
    fn steps_are_read_from_markdown() {
        let md = "# x\n## Walkthrough: demo\n1. Append to `a.toml`:\n   ```toml\n   [[x]]\n     y = 1\n   ```\n2. Add to `impl T for S` in `b.rs`:\n   ```rust\n   fn f() {}\n   ```\n   Add before `x()` in `e.c`:\n   ```c\n   y();\n   ```\n   - in `c.toml`, add `\"k\"` to the `cases` of `[[difference]]` `d`\n   ```sh\n   cargo build  # all\n   ```\n## Other\n   ```sh\n   not this\n   ```\n";
        let w = parse(md).unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].actions,
            [
                Action::Append { path: "a.toml".into(), text: "[[x]]\n  y = 1\n".into() },
                Action::Insert { path: "b.rs".into(), at: At::ImplStart("impl T for S".into()), text: "fn f() {}\n".into() },
                Action::Insert { path: "e.c".into(), at: At::Before("x()".into()), text: "y();\n".into() },
                Action::AddCase { path: "c.toml".into(), difference: "d".into(), case: "k".into() },
                Action::Run("cargo build".into()),
            ]
        );
        assert!(parse("## Walkthrough: bad\n```toml\nx = 1\n```\n").is_err(), "a block without an instruction");
    }

    #[test]
    fn edits_land_where_the_text_says() {
        let rs = "use x;\n\nimpl<B: Board> SocketApi for Stack<'_, B> {\n    fn a() {}\n}\n";
        let at = At::ImplStart("impl SocketApi for Stack".into());
        assert_eq!(
            insert(rs, &at, "fn b() {\n    1\n}\n").unwrap(),
            "use x;\n\nimpl<B: Board> SocketApi for Stack<'_, B> {\n    fn b() {\n        1\n    }\n\n    fn a() {}\n}\n"
        );
        assert!(insert(rs, &At::ImplStart("impl Other for Stack".into()), "fn b() {}\n").is_err());
        assert_eq!(
            insert(rs, &At::Before("fn a()".into()), "fn z() {}\n").unwrap(),
            "use x;\n\nimpl<B: Board> SocketApi for Stack<'_, B> {\n    fn z() {}\n    fn a() {}\n}\n"
        );
        assert!(insert(rs, &At::Before("fn q()".into()), "").is_err());
        let toml = "[[difference]]\nid = \"a\"\ncases = [\"x\"]\n\n[[difference]]\nid = \"b\"\ncases = []\n\n[[difference]]\nid = \"c\"\n";
        let added = add_case(toml, "a", "y").unwrap();
        assert!(added.contains("cases = [\"x\", \"y\"]\n\n[[difference]]\nid = \"b\"\ncases = []"), "{added}");
        assert!(add_case(toml, "b", "y").unwrap().contains("id = \"b\"\ncases = [\"y\"]"));
        assert!(add_case(toml, "c", "y").unwrap().ends_with("id = \"c\"\ncases = [\"y\"]\n"));
        assert!(add_case(toml, "nope", "y").is_err());
    }
}
