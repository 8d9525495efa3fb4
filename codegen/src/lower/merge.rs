//! Raw spec files → one [`Merged`] set of sections, each item with its file.

use std::ops::Range;

use toml::Spanned;

use super::checker::Checker;
use crate::diag::{FileId, SpecFiles};
use crate::raw::*;

/// A raw item and the file it came from.
pub(super) type InFile<T> = (FileId, Spanned<T>);

/// Everything the files held, merged.
#[derive(Default)]
pub(super) struct Merged {
    pub(super) module: Vec<InFile<RawModule>>,
    pub(super) functions: Vec<InFile<RawCallable>>,
    pub(super) methods: Vec<InFile<RawCallable>>,
    pub(super) interface: Vec<InFile<RawInterface>>,
    pub(super) interface_methods: Vec<InFile<RawCallable>>,
    pub(super) constants: Vec<InFile<RawConstant>>,
    pub(super) errnos: Vec<InFile<RawErrno>>,
    pub(super) gai_errors: Vec<InFile<RawErrno>>,
    pub(super) services: Vec<InFile<RawService>>,
    pub(super) rules: Vec<InFile<RawRule>>,
    pub(super) fixtures: Vec<(FileId, Spanned<String>, Spanned<RawFixture>)>,
    pub(super) cases: Vec<InFile<RawCase>>,
    pub(super) differences: Vec<InFile<RawDifference>>,
    pub(super) structs: Vec<InFile<RawStruct>>,
    pub(super) limits: Vec<InFile<RawLimits>>,
    pub(super) boards: Vec<InFile<RawBoard>>,
    pub(super) ram: Vec<InFile<RawRam>>,
    pub(super) port: Vec<InFile<RawPortFunction>>,
}

/// Splits toml's "unknown field `x`, expected one of …" into message and hint.
fn split_expected(message: &str) -> (String, String) {
    match message.split_once(", expected ") {
        Some((m, e)) => (m.to_string(), e.to_string()),
        None => (message.to_string(), String::new()),
    }
}

/// Adds the key to toml's "invalid type: …" (whose span is the value, after `key =`).
fn name_key(text: &str, span: &Range<usize>, msg: String) -> String {
    let Some((what, rest)) = msg.split_once(": ").filter(|(w, _)| w.starts_with("invalid ")) else {
        return msg;
    };
    let key = text.get(..span.start).and_then(|b| b.trim_end().strip_suffix('=')).map(str::trim_end).map(|b| {
        let start = b.char_indices().rev().find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')).map_or(0, |(i, c)| i + c.len_utf8());
        &b[start..]
    });
    match key {
        Some(k) if !k.is_empty() => format!("{what} for `{k}`: {rest}"),
        _ => msg,
    }
}

/// The key or value serde names in "unknown field `x`" or "unknown variant `x`".
fn unknown_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    rest.split_once('`').map(|(name, _)| name)
}

/// Pairs each item with its file.
fn tag<T>(file: FileId, items: Vec<Spanned<T>>) -> impl Iterator<Item = InFile<T>> {
    items.into_iter().map(move |x| (file, x))
}

fn merge(m: &mut Merged, file: FileId, raw: RawFile) {
    m.module.extend(raw.module.map(|x| (file, x)));
    m.functions.extend(tag(file, raw.function));
    m.methods.extend(tag(file, raw.method));
    m.interface.extend(raw.interface.map(|x| (file, x)));
    m.interface_methods.extend(tag(file, raw.interface_method));
    m.constants.extend(tag(file, raw.constant));
    m.errnos.extend(tag(file, raw.errno));
    m.gai_errors.extend(tag(file, raw.gai_error));
    m.services.extend(tag(file, raw.service));
    m.rules.extend(tag(file, raw.rule));
    m.fixtures.extend(raw.fixture.into_iter().map(|(k, v)| (file, k, v)));
    m.cases.extend(tag(file, raw.case));
    m.differences.extend(tag(file, raw.difference));
    m.structs.extend(tag(file, raw.r#struct));
    m.limits.extend(raw.limits.map(|x| (file, x)));
    m.boards.extend(raw.board.map(|x| (file, x)));
    m.ram.extend(raw.ram.map(|x| (file, x)));
    m.port.extend(raw.port_function.into_iter().map(|x| (file, x)));
}

/// Parses every file of `files` and merges their sections; a file that is not
/// valid TOML for the spec's shape is reported (with the key and what was
/// expected) and left out.
pub(super) fn parse(ck: &mut Checker, files: &SpecFiles) -> Merged {
    let mut m = Merged::default();
    for file in files.ids() {
        let text = files.text(file);
        match toml::from_str::<RawFile>(text) {
            Ok(raw) => merge(&mut m, file, raw),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_string();
                let (msg, hint) = split_expected(&message);
                let msg = name_key(text, &span, msg);
                let hint = match msg.strip_prefix("missing field `").and_then(|k| k.strip_suffix('`')) {
                    Some(key) if hint.is_empty() => format!("a `{key} = ...` key in this table"),
                    _ => hint,
                };
                let typo = unknown_name(&msg).map(String::from);
                let d = ck.err(file, span, msg, "here", hint.as_str());
                if let Some(typo) = typo {
                    // serde lists the known names in backticks.
                    d.did_you_mean(&typo, hint.split('`').skip(1).step_by(2));
                }
            }
        }
    }
    m
}
