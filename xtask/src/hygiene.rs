//! The `hygiene` step: what a stranger reads is readable. Commit subjects
//! are at most 72 characters (a body says why) from the commit the rule
//! started at; code and comments cite no issue numbers (they mean nothing to
//! a reader); a workaround of upstream behaviour is tagged
//! `UPSTREAM(crate version): ... remove when ...`.

use std::path::Path;

/// The last commit before the subject rule: subjects after it are checked.
const RULE_SINCE: &str = "ba44954";
/// The longest subject `git log --oneline` shows whole.
const SUBJECT_MAX: usize = 72;
/// The trees whose sources are read (generated files come from these).
const SOURCES: [&str; 11] = ["codegen", "config", "runtime", "targets", "harness", "xtask", "netns", "tests", "bench", "spec", "examples"];
/// The extensions of the sources read.
const EXTENSIONS: [&str; 9] = ["rs", "c", "h", "py", "toml", "j2", "mk", "ld", "sh"];

/// Runs the checks; every finding is listed.
pub fn run() -> Result<(), String> {
    let root = usocket_harness::root();
    let mut findings = long_subjects()?;
    let mut files = Vec::new();
    for dir in SOURCES {
        sources(&root.join(dir), &mut files);
    }
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let shown = file.strip_prefix(&root).unwrap_or(file).display().to_string();
        findings.extend(text_findings(&text).into_iter().map(|(line, what)| format!("{shown}:{line}: {what}")));
    }
    if findings.is_empty() {
        println!("==> hygiene: subjects since {RULE_SINCE} within {SUBJECT_MAX} characters; {} source files cite no issue, tags well formed", files.len());
        Ok(())
    } else {
        Err(format!("hygiene:\n  {}", findings.join("\n  ")))
    }
}

/// Subjects over [`SUBJECT_MAX`] since [`RULE_SINCE`]; a clone without that
/// commit (shallow) is said loudly and checks nothing.
fn long_subjects() -> Result<Vec<String>, String> {
    let range = format!("{RULE_SINCE}..HEAD");
    let Ok(log) = usocket_harness::exec::output("git", &["log", "--format=%h %s", &range]) else {
        eprintln!("!!! hygiene: commit subjects NOT CHECKED: no {RULE_SINCE} in this clone's history (shallow?)");
        return Ok(Vec::new());
    };
    Ok(log
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, s)| s.chars().count() > SUBJECT_MAX)
        .map(|(h, s)| format!("commit {h}: subject of {} characters (at most {SUBJECT_MAX}; put the rest in the body): {s}", s.chars().count()))
        .collect())
}

/// Every source file under `dir` (not `target/`).
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| EXTENSIONS.iter().any(|x| e == *x)) {
            out.push(path);
        }
    }
}

/// The lines of `text` that cite an issue of ours, or tag a workaround
/// without the form.
fn text_findings(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lower = line.to_lowercase();
        let cites = lower.match_indices("issue ").any(|(at, m)| lower[at + m.len()..].trim_start_matches('#').starts_with(|c: char| c.is_ascii_digit()));
        if cites {
            found.push((i + 1, "cites an issue number (say what it means instead)"));
        }
        if let Some(at) = line.find(concat!("UPSTREAM", "(")) {
            let tag = &line[at..];
            if !tag.contains(')') || !tag.contains(": ") {
                found.push((i + 1, "an UPSTREAM tag is `UPSTREAM(crate version): what it does; remove when ...`"));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers_and_malformed_tags_are_found() {
        let text = concat!(
            "ok\n// as iss",
            "ue 16 says\n// Iss",
            "ue #3\n// an issue with it\n// UPSTREAM(smoltcp 0.14): stops; remove when fixed\n// UPSTREAM(smoltcp\n"
        );
        assert_eq!(text_findings(text).iter().map(|f| f.0).collect::<Vec<_>>(), [2, 3, 6]);
    }
}
