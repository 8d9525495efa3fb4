//! Every `cargo xtask` invocation that README.md, the guide (`docs/src/`) or
//! a doc comment of xtask shows parses, so the docs and the command line ([`crate::cli`]) cannot
//! drift apart. An invocation is a code span or a code block line starting
//! `cargo xtask`; its usage notation is checked both ways: without the optional `[...]` parts and with all of them,
//! placeholders (SCRIPT, N, `<pty>`, ...) standing for sample values. A command
//! alone (`cargo xtask run`: prose naming it) need only be one, and a bare
//! `cargo xtask` names the tool.

use clap::{CommandFactory, Parser};

use crate::cli::Cli;

/// The invocations in `markdown`: code block lines (less their `#` comment)
/// and code spans (which may run over a line break), whitespace collapsed.
fn invocations(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut prose = String::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        } else if in_block {
            found.push(line.split('#').next().unwrap_or("").to_string());
        } else {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    found.extend(prose.split('`').skip(1).step_by(2).map(String::from));
    found.iter().map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|s| s.starts_with("cargo xtask")).collect()
}

/// The two readings of usage notation: without the optional parts, and with
/// them all (the first of `a|b`; `...` dropped).
fn readings(invocation: &str) -> [String; 2] {
    let mut without = String::new();
    let mut depth = 0;
    for c in invocation.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => without.push(c),
            _ => {}
        }
    }
    let with: Vec<&str> = invocation
        .split_whitespace()
        .map(|t| t.trim_matches(['[', ']']).trim_end_matches("...").split('|').next().unwrap_or(""))
        .filter(|t| !t.is_empty())
        .collect();
    [without, with.join(" ")]
}

/// A sample value for a placeholder (an upper-case word or `<...>`) after
/// `flag`; other words are themselves. An unknown placeholder fails the test,
/// so a new one gets a value here.
fn sample<'a>(word: &'a str, flag: &str) -> &'a str {
    let placeholder = word.starts_with('<')
        || (word.chars().any(|c| c.is_ascii_uppercase()) && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'));
    if !placeholder {
        return word;
    }
    match (word, flag) {
        ("NAME" | "STEP", "--step" | "--only") => "codegen",
        ("NAME", "--tap") => "tap0",
        ("NAME", "--stack") => "lwip",
        ("NAME", "--board") => "nucleo-f429zi",
        ("NAME", "--version") => "1.26",
        ("PORT", _) | ("<pty>", _) => "/dev/pts/0",
        ("IPV4", _) => "192.0.2.2",
        ("IPV6", _) => "2001:db8::2",
        ("ARGS", _) => "x",
        ("COMMAND", _) => "test",
        ("SCRIPT", _) => "examples/echo.py",
        ("VERSION", _) => "1.26",
        ("DIR", _) => "target/micropython-src",
        ("BOARD", _) => "mps2-an385",
        ("TARGET", _) => "thumbv7m-none-eabi",
        ("N", _) => "5",
        _ => panic!("placeholder {word} (after {flag}) has no sample value in readme_check::sample"),
    }
}

/// `reading` with its placeholders replaced, as arguments.
fn arguments(reading: &str) -> Vec<String> {
    let words: Vec<&str> = reading.split_whitespace().skip(1).collect();
    words.iter().enumerate().map(|(i, w)| sample(w, if i > 0 { words[i - 1] } else { "" }).to_string()).collect()
}

/// Fails, naming `file`, unless each of `found` parses in both readings.
fn check(file: &str, found: &[String]) {
    for invocation in found {
        for reading in readings(invocation) {
            let args = arguments(&reading);
            match &args[..] {
                [_] => continue,
                [_, name] if Cli::command().find_subcommand(name).is_some() => continue,
                _ => {}
            }
            if let Err(e) = Cli::try_parse_from(&args)
                && e.kind() != clap::error::ErrorKind::DisplayHelp
            {
                panic!("{file}'s `{invocation}` (read as `{}`) does not parse:\n{e}", args.join(" "));
            }
        }
    }
}

/// README.md and the guide's chapters, as (path, text).
fn docs() -> Vec<(String, String)> {
    let root = usocket_harness::root();
    let mut files = vec![root.join("README.md")];
    let chapters = root.join("docs/src");
    let mut found: Vec<_> = std::fs::read_dir(&chapters).expect("docs/src").map(|e| e.expect("docs/src entry").path()).collect();
    found.sort();
    files.extend(found.into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")));
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))).collect()
}

#[test]
fn every_invocation_in_the_readme_and_the_guide_parses() {
    let mut total = 0;
    for (path, text) in docs() {
        let found = invocations(&text);
        total += found.len();
        check(&path, &found);
    }
    assert!(total > 40, "only {total} invocations found in README.md and docs/src/");
}

#[test]
fn every_invocation_in_xtasks_doc_comments_parses() {
    let dir = usocket_harness::root().join("xtask/src");
    for entry in std::fs::read_dir(&dir).expect("xtask/src") {
        let path = entry.expect("xtask/src entry").path();
        let source = std::fs::read_to_string(&path).expect("a source file");
        let docs: String = source
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("//!").or_else(|| l.trim_start().strip_prefix("///")))
            .map(|l| format!("{l}\n"))
            .collect();
        check(&path.display().to_string(), &invocations(&docs));
    }
}

#[test]
fn usage_notation_is_read_both_ways() {
    let md = "a `cargo xtask test --step device\n[--step NAME ...]` b\n```sh\ncargo xtask run x.py   # note\n```\n`cargo fmt`";
    assert_eq!(invocations(md), ["cargo xtask run x.py", "cargo xtask test --step device [--step NAME ...]"]);
    assert_eq!(readings("cargo xtask firmware B [--stack usocket|lwip]"), ["cargo xtask firmware B ", "cargo xtask firmware B --stack usocket"]);
    assert_eq!(arguments("cargo xtask test --step NAME"), ["xtask", "test", "--step", "codegen"]);
}
