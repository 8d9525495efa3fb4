//! The README's quick starts are files the tests build and run: a code block
//! under a README heading must be that file (or, for the MicroPython one, a
//! part of it), verbatim, so text and code cannot drift. The README's
//! relative links must name files that exist.

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

/// The targets of the relative links (`[text](target)`) in `markdown`, less
/// any `#anchor`.
#[cfg(test)]
fn relative_links(markdown: &str) -> Vec<&str> {
    markdown
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| !target.contains("://") && !target.starts_with('#') && !target.starts_with("mailto:"))
        .map(|target| target.split('#').next().unwrap_or(target))
        .collect()
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

    #[test]
    fn the_micropython_quick_start_is_part_of_the_echo_example() {
        let root = usocket_harness::root();
        let readme = fs::read_to_string(root.join("README.md")).unwrap();
        let example = fs::read_to_string(root.join("examples/echo.py")).unwrap();
        let shown = block(&readme, "## MicroPython quick start", "python").expect("a ```python block under `## MicroPython quick start`");
        assert!(example.contains(shown), "README.md's MicroPython quick start is not a part of examples/echo.py: paste it from there");
    }

    #[test]
    fn the_readmes_relative_links_name_files_that_exist() {
        let root = usocket_harness::root();
        let readme = fs::read_to_string(root.join("README.md")).unwrap();
        let links = relative_links(&readme);
        assert!(!links.is_empty());
        for link in links {
            assert!(root.join(link).exists(), "README.md links to {link}, which does not exist");
        }
        assert_eq!(relative_links("[a](x.md#y) [b](https://e.org) [c](#z) [d](d/e.md)"), ["x.md", "d/e.md"]);
    }
}
