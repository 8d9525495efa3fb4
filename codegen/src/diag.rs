//! Diagnostics for bad specs: `spec/FILE.toml:LINE:COL: message`, then the
//! offending line with a label and a hint, rendered by codespan-reporting.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::{Files, SimpleFiles};
use codespan_reporting::term::{self, Config};

/// Index of a spec file inside [`SpecFiles`].
pub type FileId = usize;

/// The spec files as loaded, kept for rendering diagnostics.
#[derive(Default)]
pub struct SpecFiles {
    files: SimpleFiles<String, String>,
    count: usize,
}

impl SpecFiles {
    /// Adds a file under its display path (e.g. `spec/socket.toml`).
    pub fn add(&mut self, path: String, text: String) -> FileId {
        self.count += 1;
        self.files.add(path, text)
    }

    /// Every file's id, in the order they were added.
    pub fn ids(&self) -> Range<FileId> {
        0..self.count
    }

    /// The text of a file.
    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id).map(|f| f.source().as_str()).unwrap_or("")
    }

    /// `path:line:col` of a byte offset.
    pub fn location(&self, id: FileId, offset: usize) -> String {
        let name = self.files.name(id).unwrap_or_else(|_| "<unknown>".into());
        match self.files.location(id, offset) {
            Ok(loc) => format!("{name}:{}:{}", loc.line_number, loc.column_number),
            Err(_) => name,
        }
    }
}

/// One problem found in the spec, pointing at its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: FileId,
    /// Byte range of the offending text.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// Short text under the highlighted span.
    pub label: String,
    /// What was expected, or how to fix it.
    pub hint: Option<String>,
    /// The known name closest to a misspelt one (`did you mean ...?`).
    pub suggestion: Option<String>,
}

/// The candidate closest to `typo`, when it is close enough to be a likely
/// misspelling: at most one edit (insertion, deletion, substitution or swap
/// of neighbours, case ignored) per four characters, and at least one; of
/// equally close ones, the first in sort order (candidates may come from a
/// hash map).
pub fn closest<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typo_lower = typo.to_lowercase();
    let most = (typo.chars().count() / 4).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == typo {
            continue;
        }
        let d = strsim::damerau_levenshtein(&typo_lower, &c.to_lowercase());
        if d <= most && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

impl Diagnostic {
    /// A diagnostic at `span` of `file`.
    pub fn new(file: FileId, span: Range<usize>, message: impl Into<String>) -> Self {
        let message = message.into();
        Diagnostic { file, span, label: String::new(), message, hint: None, suggestion: None }
    }

    /// Sets the label shown under the span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets the hint (what was expected).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Suggests the candidate closest to `typo` ([`closest`]), if one is close.
    pub fn did_you_mean<'a>(&mut self, typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.suggestion = closest(typo, candidates).map(String::from);
        self
    }

    /// Renders as `path:line:col: error: message` followed by the source excerpt.
    pub fn render(&self, files: &SpecFiles) -> String {
        let mut report = Report::error().with_message(&self.message).with_labels(vec![Label::primary(self.file, self.span.clone()).with_message(&self.label)]);
        let notes = self.hint.iter().map(|h| format!("expected: {h}")).chain(self.suggestion.iter().map(|s| format!("help: did you mean `{s}`?")));
        report = report.with_notes(notes.collect());
        let body = term::emit_into_string(&Config::default(), &files.files, &report).unwrap_or_else(|e| format!("(could not render source excerpt: {e})\n"));
        // codespan repeats `error: message` above the excerpt; the first line already says it.
        let header = format!("error: {}\n", self.message);
        let excerpt = body.strip_prefix(header.as_str()).unwrap_or(&body);
        format!("{}: error: {}\n{}", files.location(self.file, self.span.start), self.message, excerpt)
    }
}

/// All diagnostics of one run, rendered.
#[derive(Debug)]
pub struct SpecErrors {
    /// Each diagnostic, already rendered with its source excerpt.
    pub rendered: Vec<String>,
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rendered {
            f.write_str(r)?;
        }
        write!(f, "{} error(s) in the spec", self.rendered.len())
    }
}

impl std::error::Error for SpecErrors {}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_only_close_names() {
        let types = ["int", "bool", "timeout", "str", "size"];
        assert_eq!(closest("itn", types), Some("int"));
        assert_eq!(closest("Timeout", types), Some("timeout"));
        assert_eq!(closest("ETIMEOUT", ["EAGAIN", "ETIMEDOUT", "EINTR"]), Some("ETIMEDOUT"));
        // Two edits in four letters is another word, not a typo.
        assert_eq!(closest("list", types), None);
        assert_eq!(closest("int", types), None, "an exact match needs no suggestion");
        // Equally close: the first in sort order, whatever the candidates' order.
        assert_eq!(closest("ab", ["ac", "aa"]), Some("aa"));
        assert_eq!(closest("ab", ["aa", "ac"]), Some("aa"));
    }
}
