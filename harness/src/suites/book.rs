//! The guide (`docs/`, an mdBook): [`run`] gets the pinned mdBook
//! ([`crate::provision::mdbook`]), builds the guide into `target/book/`, and checks
//! that every relative link and `#anchor` in the built HTML resolves to a file
//! and an id there. External links are listed, never fetched: the checks run
//! without a network.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::exec::step;

/// Builds the guide into `target/book/` and checks its links.
pub fn run() -> Result<(), String> {
    let root = crate::root();
    let mdbook = crate::provision::mdbook::get()?;
    let out = root.join("target/book");
    // Pages of an earlier build must not answer for links of this one.
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let docs = root.join("docs");
    step("mdbook build", &mdbook.to_string_lossy(), &["build", &docs.to_string_lossy(), "--dest-dir", &out.to_string_lossy()])?;
    let report = check_links(&out)?;
    for link in &report.external {
        println!("    external, not fetched: {link}");
    }
    if !report.broken.is_empty() {
        return Err(format!("the guide ({}) has {} broken links:\n  {}", out.display(), report.broken.len(), report.broken.join("\n  ")));
    }
    println!("book: {} pages in {}, {} links resolve, {} external listed", report.pages, out.display(), report.checked, report.external.len());
    Ok(())
}

/// What the link check found in a built book.
#[derive(Debug, Default)]
struct Report {
    /// HTML pages read.
    pages: usize,
    /// Relative links that resolve.
    checked: usize,
    /// `page: link (why)` for each that does not.
    broken: Vec<String>,
    /// External links (http, https, protocol-relative), not fetched.
    external: BTreeSet<String>,
}

/// The ids an HTML page defines and the links (`href`, `src`) it makes.
#[derive(Debug, Default, PartialEq)]
struct Page {
    ids: BTreeSet<String>,
    links: Vec<String>,
}

/// Checks every link of every HTML page under `dir`.
fn check_links(dir: &Path) -> Result<Report, String> {
    let mut files = Vec::new();
    walk(dir, Path::new(""), &mut files)?;
    let mut pages = BTreeMap::new();
    for file in &files {
        if file.extension().is_some_and(|e| e == "html") {
            let path = dir.join(file);
            let html = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            pages.insert(file.clone(), scan(&html));
        }
    }
    let files: BTreeSet<PathBuf> = files.into_iter().collect();
    let mut report = Report { pages: pages.len(), ..Report::default() };
    for (page, parsed) in &pages {
        for link in &parsed.links {
            match resolve(page, link) {
                Target::Skip => {}
                Target::External => {
                    report.external.insert(link.clone());
                }
                Target::Outside => report.broken.push(format!("{}: {link} (leaves the book)", page.display())),
                Target::Local { file, fragment } => {
                    // A directory (or the root) is its index page.
                    let index = file.join("index.html");
                    let Some(file) = [&file, &index].into_iter().find(|f| files.contains(*f)) else {
                        report.broken.push(format!("{}: {link} (no file {})", page.display(), file.display()));
                        continue;
                    };
                    if let (Some(fragment), Some(target)) = (fragment, pages.get(file))
                        && !fragment.is_empty()
                        && !target.ids.contains(&fragment)
                    {
                        report.broken.push(format!("{}: {link} (no id `{fragment}` in {})", page.display(), file.display()));
                    } else {
                        report.checked += 1;
                    }
                }
            }
        }
    }
    Ok(report)
}

/// Every file under `dir/rel`, relative to `dir`.
fn walk(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let here = dir.join(rel);
    let entries = fs::read_dir(&here).map_err(|e| format!("{}: {e}", here.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", here.display()))?;
        let rel = rel.join(entry.file_name());
        if entry.file_type().map_err(|e| format!("{}: {e}", rel.display()))?.is_dir() {
            walk(dir, &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// Where a link points.
#[derive(Debug, PartialEq)]
enum Target {
    /// Not a place to check (`mailto:`, `javascript:`, `data:`, an empty href).
    Skip,
    /// Another site.
    External,
    /// A path above the book's root.
    Outside,
    /// A file of the book (relative to its root; empty: the root itself) and
    /// the fragment after `#`, decoded.
    Local { file: PathBuf, fragment: Option<String> },
}

/// Where `link`, found on `page` (relative to the book's root), points.
fn resolve(page: &Path, link: &str) -> Target {
    let link = link.trim();
    let lower = link.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
        return Target::External;
    }
    let scheme_end = link.find(':');
    let before_path = link.find(['/', '?', '#']).unwrap_or(link.len());
    if link.is_empty() || scheme_end.is_some_and(|i| i < before_path) {
        return Target::Skip;
    }
    let (path, fragment) = match link.split_once('#') {
        Some((path, fragment)) => (path, Some(percent_decoded(fragment))),
        None => (link, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Target::Local { file: page.to_path_buf(), fragment };
    }
    let path = percent_decoded(path);
    let base = if path.starts_with('/') { PathBuf::new() } else { page.parent().map(Path::to_path_buf).unwrap_or_default() };
    let mut file = base;
    for part in Path::new(path.trim_start_matches('/')).components() {
        let inside = match part {
            Component::Normal(name) => {
                file.push(name);
                true
            }
            Component::ParentDir => file.pop(),
            _ => true,
        };
        if !inside {
            return Target::Outside;
        }
    }
    Target::Local { file, fragment }
}

/// `text` with its `%XX` escapes decoded (as UTF-8).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An attribute value with the character references HTML writers use decoded.
fn entities_decoded(value: &str) -> String {
    value.replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The ids and links of an HTML page. Comments and the text of `<script>` and
/// `<style>` elements are skipped; a `<script src>` counts.
fn scan(html: &str) -> Page {
    let mut page = Page::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let name_len = tag.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(tag.len());
        let name = tag[..name_len].to_ascii_lowercase();
        if name.is_empty() {
            // A closing tag, a doctype or a processing instruction.
            continue;
        }
        for (attribute, value) in attributes(&tag[name_len..]) {
            match attribute.as_str() {
                "id" => {
                    page.ids.insert(entities_decoded(&value));
                }
                "name" if name == "a" => {
                    page.ids.insert(entities_decoded(&value));
                }
                "href" | "src" => page.links.push(entities_decoded(&value)),
                _ => {}
            }
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = rest.to_ascii_lowercase().find(&close).map_or("", |i| &rest[i..]);
        }
    }
    page
}

/// The index of the `>` that ends the tag `tag` starts (outside quoted values).
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The attributes of a tag's inside after its name: (lower-case name, raw value).
fn attributes(mut rest: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let name_len = rest.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(rest.len()).max(1);
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            out.push((name, String::new()));
            continue;
        };
        let after = after.trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after[1..];
                let end = body.find(q).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push((name, value.to_string()));
        rest = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_give_their_ids_and_links_but_scripts_and_comments_do_not() {
        let html = "<!DOCTYPE html><h2 id=\"a&amp;b\">x</h2><a name=old></a><a class='c' href='x.html?v=1#y'>l</a>\
                    <script src=\"s.js\">var t = '<a href=\"no.html\">';</script><!-- <a href=\"nor.html\"> --><img alt=\"1 > 0\" src=i.png />";
        let page = scan(html);
        assert_eq!(page.ids, BTreeSet::from(["a&b".to_string(), "old".to_string()]));
        assert_eq!(page.links, ["x.html?v=1#y", "s.js", "i.png"]);
    }

    #[test]
    fn links_resolve_against_their_page() {
        let page = Path::new("sub/p.html");
        let local = |file: &str, fragment: Option<&str>| Target::Local { file: PathBuf::from(file), fragment: fragment.map(String::from) };
        assert_eq!(resolve(page, "https://example.com/"), Target::External);
        assert_eq!(resolve(page, "mailto:x@example.com"), Target::Skip);
        assert_eq!(resolve(page, "#here"), local("sub/p.html", Some("here")));
        assert_eq!(resolve(page, "../a%20b.html#x%2Dy"), local("a b.html", Some("x-y")));
        assert_eq!(resolve(page, "/c.css?v=2"), local("c.css", None));
        assert_eq!(resolve(page, "../../up.html"), Target::Outside);
    }

    #[test]
    fn the_checker_finds_missing_files_and_ids_and_lists_external_links() {
        let dir = std::env::temp_dir().join(format!("usocket-book-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        let files = [
            (
                "index.html",
                "<h1 id=\"top\">T</h1><a href=\"sub/b.html#there\">ok</a><a href=\"sub/b.html#nowhere\">bad id</a>\
                 <a href=\"missing.html\">bad file</a><a href=\"#top\">self</a><a href=\"https://example.com/x\">ext</a>\
                 <link rel=\"stylesheet\" href=\"style.css\"><script>var a = '<a href=\"broken.html\">';</script>",
            ),
            ("sub/b.html", "<p id=\"there\">x</p><a href=\"../index.html#top\">back</a><a href=\"..\">root</a><img src=\"../img%20one.png\">"),
            ("style.css", ""),
            ("img one.png", ""),
        ];
        for (name, text) in files {
            fs::write(dir.join(name), text).unwrap();
        }
        let report = check_links(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(report.pages, 2);
        assert_eq!(report.broken, ["index.html: sub/b.html#nowhere (no id `nowhere` in sub/b.html)", "index.html: missing.html (no file missing.html)"]);
        assert_eq!(report.checked, 6, "{report:?}");
        assert_eq!(report.external, BTreeSet::from(["https://example.com/x".to_string()]));
    }
}
