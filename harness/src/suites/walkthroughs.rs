//! `cargo xtask test --only walkthroughs`: the guide's walkthroughs (add a
//! constant, a method, a behaviour case), each a patch in
//! `docs/walkthroughs/` that `docs/src/walkthroughs.md` quotes verbatim,
//! applied to a copy of the repository's HEAD and checked, so that the guide
//! and what the project demands cannot drift apart.
//!
//! A patch holds what a contributor writes by hand (spec, runtime, case
//! runners); the generator's output is not in it. For each walkthrough
//! ([`WALKTHROUGHS`]) on a clean copy (`target/walkthroughs/repo`, a git
//! repository of its own fetched from HEAD, so files a walkthrough did not
//! change keep their times and builds stay incremental), built in the
//! repository's own target directory (the copy's crates are other packages
//! to cargo, by their path, so they build beside ours and share the
//! dependencies from crates.io): `git apply` the patch, `cargo
//! xtask codegen`, then the checks that fail when the patch leaves a step out.
//! `cargo xtask conformance` there runs on CPython only (said loudly): ours,
//! stock MicroPython and the lwIP anchor need interpreters and firmware that
//! the micropython and emulated steps build. After each, the C ABI runner
//! (`tests/c/conformance.c`, which `cargo xtask test --only c` runs) runs the
//! copy's cases on the copy's debug `libusocket_host.a`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::verbosity::progress;

/// A walkthrough: its title (a heading of the guide's chapter), its patch and
/// the checks that run after `cargo xtask codegen`.
struct Walkthrough {
    title: &'static str,
    patch: &'static str,
    checks: &'static [&'static str],
}

/// The guide's chapter that quotes the patches.
const CHAPTER: &str = "docs/src/walkthroughs.md";

/// What runs first after a patch: the generator, which writes what the patch
/// leaves out.
const CODEGEN: &str = "cargo xtask codegen";

/// The conformance run, which here is CPython's column only.
const CONFORMANCE: &str = "cargo xtask conformance";

/// Every walkthrough, in the guide's order.
const WALKTHROUGHS: [Walkthrough; 3] = [
    // The generated constant case fails on CPython unless a difference names it.
    Walkthrough {
        title: "Add a constant",
        patch: "docs/walkthroughs/add-constant.patch",
        checks: &["cargo xtask codegen --check", "cargo build", "cargo test -p usocket-codegen", CONFORMANCE],
    },
    // The compiler demands the method; codegen's tests demand a case that calls it.
    Walkthrough {
        title: "Add a method",
        patch: "docs/walkthroughs/add-method.patch",
        checks: &["cargo xtask codegen --check", "cargo build", "cargo test -p usocket-codegen", "cargo test -p usocket-host --test conformance", CONFORMANCE],
    },
    Walkthrough {
        title: "Add a behaviour case",
        patch: "docs/walkthroughs/add-behaviour-case.patch",
        checks: &["cargo xtask codegen --check", "cargo test -p usocket-codegen", "cargo test -p usocket-host --test conformance", CONFORMANCE],
    },
];

/// The test that parses every truncation of every spec file (half a minute):
/// a walkthrough's spec is HEAD's plus a few lines, which the `tests` step
/// already truncates on HEAD, so the copy leaves it out.
const TRUNCATIONS: &str = "truncated_spec_files_never_panic";

/// Runs a command line in the copy.
fn run(copy: &Path, target: &Path, line: &str) -> Result<(), String> {
    if line == CONFORMANCE {
        eprintln!(
            "!!! `{CONFORMANCE}` here runs CPython's column only: ours, stock MicroPython and the lwIP anchor need interpreters and firmware (the micropython and emulated steps run them on the real spec)"
        );
        return crate::suites::conformance::cpython_only(copy);
    }
    let mut words: Vec<&str> = line.split_whitespace().collect();
    if line == "cargo test -p usocket-codegen" {
        words.extend(["--", "--skip", TRUNCATIONS]);
    }
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

/// Follows each walkthrough of HEAD's guide on a fresh copy of HEAD.
pub fn run_all() -> Result<(), String> {
    let root = crate::root();
    if !git(&root, &["status", "--porcelain"])?.is_empty() {
        eprintln!("!!! walkthroughs: the copy is HEAD (its patches too); uncommitted changes are not in it");
    }
    let base: PathBuf = root.join("target/walkthroughs");
    let (copy, target) = (base.join("repo"), root.join("target"));
    let mut times = Vec::new();
    for w in &WALKTHROUGHS {
        let started = Instant::now();
        let commit = fresh_copy(&root, &copy)?;
        progress!("==> walkthrough `{}` on {commit} in {}", w.title, copy.display());
        let followed = || -> Result<(), String> {
            progress!("==> walkthrough: git apply {}", w.patch);
            git(&copy, &["apply", w.patch])
                .map_err(|e| format!("{} no longer applies to HEAD (redo the walkthrough and write the patch anew, see {CHAPTER}): {e}", w.patch))?;
            for line in [CODEGEN].iter().chain(w.checks) {
                let started = Instant::now();
                run(&copy, &target, line)?;
                progress!("==> walkthrough: `{line}` took {:.1} s", started.elapsed().as_secs_f64());
            }
            c_conformance(&copy, &target)
        };
        followed().map_err(|e| format!("walkthrough `{}`: {e}", w.title))?;
        times.push(format!("{}: {:.0} s", w.title, started.elapsed().as_secs_f64()));
    }
    println!("walkthroughs: {} followed ({})", WALKTHROUGHS.len(), times.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files a patch changes (its `diff --git a/X b/X` lines).
    fn changed_files(patch: &str) -> Vec<&str> {
        patch.lines().filter_map(|l| l.strip_prefix("diff --git a/")).filter_map(|l| l.split(" b/").next()).collect()
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(crate::root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_guide_quotes_each_patch_under_its_heading() {
        let chapter = read(CHAPTER);
        for w in &WALKTHROUGHS {
            let heading = format!("\n## {}\n", w.title);
            let at = chapter.find(&heading).unwrap_or_else(|| panic!("{CHAPTER} has no heading `## {}`", w.title));
            let section = &chapter[at + heading.len()..];
            let section = &section[..section.find("\n## ").unwrap_or(section.len())];
            let file = w.patch.strip_prefix("docs/").unwrap();
            let include = format!("```diff\n{{{{#include ../{file}}}}}\n```");
            assert!(section.contains(&include), "`## {}` in {CHAPTER} quotes {} with\n{include}", w.title, w.patch);
            let prose = section.split_whitespace().collect::<Vec<_>>().join(" ");
            for check in w.checks {
                assert!(prose.contains(&format!("`{check}`")), "`## {}` in {CHAPTER} names its check `{check}`", w.title);
            }
        }
    }

    #[test]
    fn patches_edit_by_hand_what_the_walkthrough_says_and_nothing_generated() {
        let files = |i: usize| changed_files(&read(WALKTHROUGHS[i].patch)).into_iter().map(String::from).collect::<Vec<_>>();
        for (i, w) in WALKTHROUGHS.iter().enumerate() {
            for file in files(i) {
                assert!(!file.contains("generated/"), "{} changes {file}: the generator writes it", w.patch);
            }
        }
        for file in ["spec/constants.toml", "spec/cpython.toml", "spec/modlwip.toml"] {
            assert!(files(0).iter().any(|f| f == file), "the constant walkthrough edits {file}");
        }
        for file in ["spec/socket.toml", "runtime/src/stack/api/dispatch.rs", "spec/cases.toml", "spec/cpython.toml"] {
            assert!(files(1).iter().any(|f| f == file), "the method walkthrough edits {file}");
        }
        // The case runners call a new method through their generated dispatch.
        for file in ["runtime/tests/runner/mod.rs", "tests/c/conformance.c"] {
            assert!(!files(1).iter().any(|f| f == file), "the method walkthrough edits {file}, which the generated dispatch makes needless");
        }
        assert_eq!(files(2), ["spec/cases.toml"]);
    }

    /// A patch the tree moved under fails here first, before the step that
    /// builds a copy.
    #[test]
    fn each_patch_applies_to_the_tree() {
        let root = crate::root();
        for w in &WALKTHROUGHS {
            if let Err(e) = git(&root, &["apply", "--check", w.patch]) {
                panic!("{} no longer applies (redo the walkthrough and write the patch anew, see {CHAPTER}): {e}", w.patch);
            }
        }
    }

    #[test]
    fn a_patch_names_its_files() {
        let patch = "diff --git a/spec/x.toml b/spec/x.toml\nindex 1..2 100644\n--- a/spec/x.toml\n+++ b/spec/x.toml\n@@ -1 +1,2 @@\n a\n+b\ndiff --git a/t/y.c b/t/y.c\n";
        assert_eq!(changed_files(patch), ["spec/x.toml", "t/y.c"]);
    }
}
