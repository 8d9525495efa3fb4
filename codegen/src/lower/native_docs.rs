//! The docs C and Rust callers read (a callable's and each argument's
//! `native_doc`, else `doc`): no Python-only words (OSError, None, b'', ...),
//! no seconds where the timeout is milliseconds, no Python argument the C ABI
//! does not have (`bufsize`), and every `{ENAME}` a known error code.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::checker::{Checker, Item};
use super::merge::InFile;
use crate::diag::FileId;
use crate::ir::{Callable, ErrorCode};
use crate::native;
use crate::raw::RawCallable;
use crate::types::{ArgType, ReturnKind};

/// What the hint of each problem says a native doc is written in.
const TERMS: &str = "C and Rust terms: errors as {ENAME} (C: -USOCKET_ENAME, Rust: Err(Errno::ENAME)), milliseconds, no None, the C/Rust parameters";

/// Checks the native docs of `raw` (lowered as `lowered`).
pub(super) fn check(ck: &mut Checker, raw: &[InFile<RawCallable>], lowered: &[Callable], codes: &HashMap<String, ErrorCode>) {
    for (file, r) in raw {
        let r = r.get_ref();
        let Some(c) = lowered.iter().find(|c| &c.name == r.name.get_ref()) else { continue };
        // A callable whose own definition failed (an unknown type) was lowered
        // without what failed: its docs are checked once it is fixed.
        if ck.is_poisoned(Item::Callable, &c.name) {
            continue;
        }
        let what = format!("`{}`", c.name);
        if !c.returns.has_abi() {
            if let Some(n) = &r.native_doc {
                ck.err(*file, n.span(), format!("{what} has `native_doc` but no C ABI function"), "no C or Rust caller", "remove `native_doc`");
            }
            continue;
        }
        let timeouts = c.returns == ReturnKind::Timeout || c.args.iter().any(|a| a.ty == ArgType::Timeout);
        let doc = Doc { file: *file, text: r.native_doc.as_ref().unwrap_or(&r.doc), own: r.native_doc.is_some(), timeouts };
        doc.check(ck, &what, codes);
        // The Python arguments the C and Rust functions do not have.
        let gone: Vec<&str> = c.args.iter().filter(|a| !c.abi_args().any(|b| b.name == a.name)).map(|a| a.name.as_str()).collect();
        if let Some(name) = native::code_spans(doc.text.get_ref()).find(|s| gone.contains(s)) {
            let span = doc.at(ck, &format!("`{name}`"));
            ck.err(
                *file,
                span,
                format!("the doc of {what} names `{name}`, which C and Rust callers do not have"),
                "Python argument",
                format!("`native_doc` in {TERMS}"),
            );
        }
        for a in &r.args {
            let a = a.get_ref();
            let reaches = c.abi_args().any(|b| &b.name == a.name.get_ref());
            match (&a.native_doc, reaches) {
                (Some(n), false) => {
                    ck.err(
                        *file,
                        n.span(),
                        format!("argument `{}` of {what} has `native_doc` but no C or Rust parameter", a.name.get_ref()),
                        "not a parameter",
                        "remove `native_doc`",
                    );
                }
                (_, true) => {
                    let timeouts = a.r#type.get_ref() == ArgType::Timeout.spec_name();
                    let doc = Doc { file: *file, text: a.native_doc.as_ref().unwrap_or(&a.doc), own: a.native_doc.is_some(), timeouts };
                    doc.check(ck, &format!("argument `{}` of {what}", a.name.get_ref()), codes);
                }
                (None, false) => {}
            }
        }
    }
}

/// One doc that reaches C and Rust callers.
struct Doc<'a> {
    file: FileId,
    text: &'a Spanned<String>,
    /// It is a `native_doc` (not the Python `doc` serving both).
    own: bool,
    /// Its callable or argument is a timeout (milliseconds for C and Rust).
    timeouts: bool,
}

impl Doc<'_> {
    /// The span of `needle` inside the doc's spec text (the whole doc when not found verbatim).
    fn at(&self, ck: &Checker, needle: &str) -> Range<usize> {
        let span = self.text.span();
        match ck.source(self.file, span.clone()).find(needle) {
            Some(i) => span.start + i..span.start + i + needle.len(),
            None => span,
        }
    }

    fn check(&self, ck: &mut Checker, what: &str, codes: &HashMap<String, ErrorCode>) {
        let text = self.text.get_ref();
        let fix = if self.own { format!("say it in {TERMS}") } else { format!("add `native_doc` in {TERMS}") };
        let whose = if self.own { "native_doc" } else { "doc (which C and Rust callers read too)" };
        if let Some(word) = native::python_word(text) {
            let span = self.at(ck, word);
            ck.err(self.file, span, format!("the {whose} of {what} says `{word}`, which only Python callers see"), "Python-only", fix.clone());
        }
        if self.timeouts
            && let Some(word) =
                ["second", "Second"].into_iter().find(|w| text.match_indices(w).any(|(i, _)| !text[..i].ends_with(|c: char| c.is_ascii_alphabetic())))
        {
            let span = self.at(ck, word);
            ck.err(self.file, span, format!("the {whose} of {what} speaks of seconds; C and Rust timeouts are milliseconds"), "seconds", fix);
        }
        for (_, name) in native::error_refs(text) {
            if !self.own {
                let span = self.at(ck, &format!("{{{name}}}"));
                ck.err(
                    self.file,
                    span,
                    format!("{{{name}}} in the Python doc of {what}"),
                    "Python shows it as written",
                    "write OSError(NAME) in `doc` and {NAME} in `native_doc`",
                );
            } else if !codes.contains_key(name) {
                let span = self.at(ck, &format!("{{{name}}}"));
                ck.err(
                    self.file,
                    span,
                    format!("{{{name}}} in the {whose} of {what} is not an error code"),
                    "unknown code",
                    "the name of an [[errno]] or [[gai_error]]",
                );
            }
        }
    }
}
