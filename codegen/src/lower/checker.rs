//! The [`Checker`]: where lowering reports problems, and the name checks
//! every section shares.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use crate::diag::{Diagnostic, FileId, SpecFiles};

/// Collects diagnostics while lowering, and knows the files they point into
/// (so that a duplicate names its first definition itself). It also keeps
/// the items whose own definition failed ([`Checker::poison`]): a reference
/// to one is not reported again, so one mistake gives one error.
pub(crate) struct Checker<'f> {
    files: &'f SpecFiles,
    diags: Vec<Diagnostic>,
    poisoned: HashSet<(Item, String)>,
}

/// The kinds of spec item other items refer to by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Item {
    /// A function, method or interface method.
    Callable,
    /// A `[[rule]]`.
    Rule,
    /// A `[[case]]`.
    Case,
}

/// How many diagnostics had been reported at some point ([`Checker::mark`]).
#[derive(Clone, Copy)]
pub(crate) struct Mark(usize);

/// Names seen so far, each with where it was first defined (file, byte offset).
pub(crate) type FirstSeen = HashMap<String, (FileId, usize)>;

impl<'f> Checker<'f> {
    /// A checker for `files`, with no diagnostics yet.
    pub(crate) fn new(files: &'f SpecFiles) -> Self {
        Checker { files, diags: Vec::new(), poisoned: HashSet::new() }
    }

    /// The diagnostics so far, if any (consumes the checker).
    pub(crate) fn finish(self) -> Result<(), Vec<Diagnostic>> {
        if self.diags.is_empty() { Ok(()) } else { Err(self.diags) }
    }

    /// Has nothing been reported yet?
    pub(crate) fn is_clean(&self) -> bool {
        self.diags.is_empty()
    }

    /// Reports an error at `span` of `file`, with a label and what was
    /// expected; returns it, for a [`Diagnostic::did_you_mean`].
    pub(crate) fn err(&mut self, file: FileId, span: Range<usize>, msg: impl Into<String>, label: &str, hint: impl Into<String>) -> &mut Diagnostic {
        let hint = hint.into();
        let d = Diagnostic::new(file, span, msg).label(label);
        self.diags.push(if hint.is_empty() { d } else { d.hint(hint) });
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    /// The diagnostics so far, to tell later whether an item's lowering reported any.
    pub(crate) fn mark(&self) -> Mark {
        Mark(self.diags.len())
    }

    /// Has anything been reported since `mark`?
    pub(crate) fn failed_since(&self, mark: Mark) -> bool {
        self.diags.len() > mark.0
    }

    /// Records that the definition of `name` failed (reported there): what
    /// refers to it is then not checked against it, and says nothing.
    pub(crate) fn poison(&mut self, item: Item, name: &str) {
        self.poisoned.insert((item, name.to_string()));
    }

    /// Poisons `name` when anything was reported since `mark` (its definition began).
    pub(crate) fn poison_if_failed(&mut self, mark: Mark, item: Item, name: &str) {
        if self.failed_since(mark) {
            self.poison(item, name);
        }
    }

    /// Did the definition of `name` fail?
    pub(crate) fn is_poisoned(&self, item: Item, name: &str) -> bool {
        self.poisoned.contains(&(item, name.to_string()))
    }

    /// The spec text at `span` of `file` (empty when out of range), to point
    /// a diagnostic at a word inside a value.
    pub(crate) fn source(&self, file: FileId, span: Range<usize>) -> &'f str {
        self.files.text(file).get(span).unwrap_or_default()
    }

    /// Reports a duplicate name; returns true when `name` was already seen.
    pub(crate) fn duplicate(&mut self, seen: &mut FirstSeen, kind: &str, file: FileId, name: &Spanned<String>) -> bool {
        if let Some(&(first_file, offset)) = seen.get(name.get_ref()) {
            let prev = self.files.location(first_file, offset);
            self.err(
                file,
                name.span(),
                format!("duplicate {kind} `{}`", name.get_ref()),
                "defined again here",
                format!("a unique name; the first definition is at {prev}"),
            );
            true
        } else {
            seen.insert(name.get_ref().clone(), (file, name.span().start));
            false
        }
    }
}

/// Is `s` an identifier (ASCII letters, digits, `_`; not starting with a digit)?
pub(crate) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reports `name` unless it is a lower_case (or, with `upper`, UPPER_CASE) identifier.
pub(crate) fn check_ident(ck: &mut Checker, file: FileId, name: &Spanned<String>, what: &str, upper: bool) {
    let s = name.get_ref();
    let case_ok = if upper { s.chars().all(|c| !c.is_ascii_lowercase()) } else { s.chars().all(|c| !c.is_ascii_uppercase()) };
    if !is_ident(s) || !case_ok {
        let shape = if upper { "UPPER_CASE" } else { "lower_case" };
        ck.err(file, name.span(), format!("invalid {what} name `{s}`"), "not an identifier", format!("an {shape} identifier"));
    }
}
