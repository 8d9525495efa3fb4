//! The README's quick starts are files the tests build and run: a code block
//! under a README heading must be that file, verbatim, so text and code
//! cannot drift.

use std::fs;

/// The first code block in `lang` under the README heading `section`.
pub fn block<'a>(readme: &'a str, section: &str, lang: &str) -> Option<&'a str> {
    let section = &readme[readme.find(section)?..];
    let fence = format!("```{lang}\n");
    let start = section.find(&fence)? + fence.len();
    let len = section[start..].find("```")?;
    Some(&section[start..start + len])
}

/// Fails unless README.md's first `lang` block under `section` is the file at
/// `path` (relative to the repository root).
pub fn shows_file(section: &str, lang: &str, path: &str) -> Result<(), String> {
    let root = usocket_harness::root();
    let readme = fs::read_to_string(root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let file = fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))?;
    match block(&readme, section, lang) {
        Some(shown) if shown == file => Ok(()),
        Some(_) => Err(format!("README.md's `{section}` {lang} block differs from {path}: paste the file into it")),
        None => Err(format!("README.md has no ```{lang} block under `{section}` (it shows {path})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_the_first_of_its_language_in_its_section() {
        let md = "## A\n```c\nnot this\n```\n## B\n```sh\nx\n```\n```c\nint y;\n```\n```c\nno\n```\n";
        assert_eq!(block(md, "## B", "c"), Some("int y;\n"));
        assert_eq!(block(md, "## C", "c"), None);
    }

    #[test]
    fn the_rust_quick_start_is_the_host_example() {
        shows_file("## Rust quick start", "rust", "targets/host/examples/quick_start.rs").unwrap();
    }
}
