//! What the docs of the C ABI and the Rust trait (the native callers) say
//! differently from Python's: the `{ENAME}` error references of a
//! `native_doc`, rendered in each language's form, and the Python-only words
//! such a doc must not carry. `lower` checks with it, `emit` renders with it.

use std::ops::Range;

use crate::naming::Names;

/// A language a native doc is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// The C header: `-USOCKET_ETIMEDOUT`.
    C,
    /// The Rust trait: `` `Err(Errno::ETIMEDOUT)` ``.
    Rust,
}

/// The `{NAME}` references of `text`: each one's byte range (braces included) and name.
pub fn error_refs(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let Some(close) = text[open..].find('}').map(|i| open + i) else { break };
        let name = &text[open + 1..close];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
            out.push((open..close + 1, name));
        }
        from = close + 1;
    }
    out
}

/// An error code as a native caller meets it: C returns `-PREFIX_ENAME`
/// (a getaddrinfo code `PREFIX_EAI_NAME`, already negative), Rust
/// `Err(Errno::ENAME)` (`Err(GaiError::EAI_NAME)`).
pub fn error_form(lang: Lang, names: &Names, name: &str) -> String {
    let gai = name.starts_with("EAI_");
    match (lang, gai) {
        (Lang::C, false) => format!("-{}", names.c_macro(name)),
        (Lang::C, true) => names.c_macro(name),
        (Lang::Rust, false) => format!("`Err(Errno::{name})`"),
        (Lang::Rust, true) => format!("`Err(GaiError::{name})`"),
    }
}

/// `text` with each `{NAME}` in `lang`'s form.
pub fn render(text: &str, lang: Lang, names: &Names) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (range, name) in error_refs(text) {
        out.push_str(&text[last..range.start]);
        out.push_str(&error_form(lang, names, name));
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Words that are true only for Python callers (exceptions, None, Python
/// literals and tuples, the garbage collector): a doc that reaches C and Rust
/// callers must not say them.
pub const PYTHON_ONLY: [&str; 10] = ["OSError", "raise", "None", "b''", "True", "False", "ip_str", "garbage", "bytes-like", "float"];

/// The first Python-only word in `text`, if any (whole words; `raise` also
/// as `raises`).
pub fn python_word(text: &str) -> Option<&'static str> {
    PYTHON_ONLY.into_iter().find(|w| {
        text.match_indices(w).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + w.len()..].chars().next();
            let plural = *w == "raise" && after == Some('s');
            !before.is_some_and(|c| c.is_ascii_alphanumeric()) && (plural || !after.is_some_and(|c| c.is_ascii_alphabetic()))
        })
    })
}

/// The names in backticks in `text` (`` `bufsize` ``).
pub fn code_spans(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_reference_in_the_languages_form() {
        let text = "fails with {EINPROGRESS}; {EAI_NONAME} for a name; {lower} stays";
        let names = Names::new(&crate::ir::Module { name: "socket".into(), aliases: vec![], c_prefix: "usocket".into(), doc: String::new() });
        assert_eq!(render(text, Lang::C, &names), "fails with -USOCKET_EINPROGRESS; USOCKET_EAI_NONAME for a name; {lower} stays");
        assert_eq!(render(text, Lang::Rust, &names), "fails with `Err(Errno::EINPROGRESS)`; `Err(GaiError::EAI_NONAME)` for a name; {lower} stays");
    }

    #[test]
    fn finds_python_words_as_words() {
        assert_eq!(python_word("this raises OSError(EINPROGRESS)"), Some("OSError"));
        assert_eq!(python_word("it raises"), Some("raise"));
        assert_eq!(python_word("Nonesuch and floating"), None);
        assert_eq!(python_word("returns b'' at end"), Some("b''"));
    }
}
