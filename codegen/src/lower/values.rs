//! Values, error codes, exceptions and outcomes as steps, rules and defaults
//! write them, resolved against the spec's names ([`Scope`]).

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::checker::Checker;
use crate::diag::FileId;
use crate::ir::{Callable, ErrorCode, Outcome, Value};
use crate::raw::RawValue;
use crate::types::EXCEPTIONS;

/// Names a step or default may refer to.
pub(super) struct Scope<'a> {
    pub(super) consts: &'a HashMap<String, i64>,
    pub(super) codes: &'a HashMap<String, ErrorCode>,
    pub(super) functions: &'a [Callable],
    pub(super) methods: &'a [Callable],
    /// Called like module functions (no `on`): the board has one interface.
    pub(super) interface_methods: &'a [Callable],
}

/// What a step's `let` bound a variable to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Binding {
    /// A socket: steps may call its methods (`on`).
    Socket,
    /// Any other value.
    Value,
    /// Nothing known: the step that binds it failed (and said why), so a
    /// step using it is not checked, and says nothing.
    Poisoned,
}

/// The variables bound so far, by name.
pub(super) type Vars = HashMap<String, Binding>;

/// Resolves a raw value; `vars` is None where variables are not allowed. A
/// poisoned variable gives None without a diagnostic.
pub(super) fn resolve_value(
    ck: &mut Checker,
    file: FileId,
    span: Range<usize>,
    raw: &RawValue,
    consts: &HashMap<String, i64>,
    vars: Option<&Vars>,
) -> Option<Value> {
    Some(match raw {
        RawValue::Bool(b) => Value::Bool(*b),
        RawValue::Int(i) => Value::Int(*i),
        RawValue::Float(f) => Value::Float(*f),
        RawValue::Array(items) => {
            let mut out = Vec::new();
            for i in items {
                out.push(resolve_value(ck, file, span.clone(), i, consts, vars)?);
            }
            Value::Tuple(out)
        }
        RawValue::Str(s) => {
            if s == "~" {
                Value::None
            } else if let Some(name) = s.strip_prefix('@') {
                match consts.get(name) {
                    Some(v) => Value::Const(name.to_string(), *v),
                    None => {
                        ck.err(file, span, format!("unknown constant `{name}`"), "not defined", "the name of a [[constant]]")
                            .did_you_mean(name, consts.keys().map(String::as_str));
                        return None;
                    }
                }
            } else if let Some(name) = s.strip_prefix('$') {
                match vars {
                    Some(v) => match v.get(name) {
                        Some(Binding::Poisoned) => return None,
                        Some(_) => Value::Var(name.to_string()),
                        None => {
                            ck.err(file, span, format!("variable `${name}` is used before it is bound"), "unbound", "a name bound by an earlier step's `let`")
                                .did_you_mean(name, v.keys().map(String::as_str));
                            return None;
                        }
                    },
                    None => {
                        ck.err(file, span, "variables are not allowed here", "a variable", "a literal or a constant");
                        return None;
                    }
                }
            } else if let Some(text) = s.strip_prefix("b:") {
                Value::Bytes(text.as_bytes().to_vec())
            } else if let Some(hex) = s.strip_prefix("hex:") {
                match parse_hex(hex) {
                    Some(b) => Value::Bytes(b),
                    None => {
                        ck.err(file, span, format!("bad hex bytes `{hex}`"), "not hex", "an even number of hex digits, e.g. \"hex:0a0b\"");
                        return None;
                    }
                }
            } else if let Some(text) = s.strip_prefix("str:") {
                Value::Str(text.to_string())
            } else {
                Value::Str(s.clone())
            }
        }
    })
}

pub(super) fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|d| u8::from_str_radix(d, 16).ok())).collect()
}

pub(super) fn resolve_code(ck: &mut Checker, file: FileId, name: &Spanned<String>, codes: &HashMap<String, ErrorCode>) -> Option<ErrorCode> {
    let found = codes.get(name.get_ref()).cloned();
    if found.is_none() {
        ck.err(
            file,
            name.span(),
            format!("unknown errno `{}`", name.get_ref()),
            "not in the errno or getaddrinfo tables",
            "the name of an [[errno]] or [[gai_error]]",
        )
        .did_you_mean(name.get_ref(), codes.keys().map(String::as_str));
    }
    found
}

pub(super) fn resolve_exception(ck: &mut Checker, file: FileId, name: &Spanned<String>) -> Option<String> {
    if EXCEPTIONS.contains(&name.get_ref().as_str()) {
        Some(name.get_ref().clone())
    } else {
        ck.err(
            file,
            name.span(),
            format!("unknown exception `{}`", name.get_ref()),
            "unknown",
            format!("one of {} (OSError is written as errno = \"...\")", EXCEPTIONS.join(", ")),
        )
        .did_you_mean(name.get_ref(), EXCEPTIONS);
        None
    }
}

/// The `errno`, `exception` and `returns` keys of a rule or step.
pub(super) type OutcomeParts<'a> = (&'a Option<Spanned<String>>, &'a Option<Spanned<String>>, &'a Option<Spanned<RawValue>>);

/// Exactly one outcome of errno / exception / returns.
pub(super) fn resolve_outcome(
    ck: &mut Checker,
    file: FileId,
    span: Range<usize>,
    parts: OutcomeParts,
    scope: &Scope,
    vars: Option<&Vars>,
    required: bool,
) -> Option<Option<Outcome>> {
    let (errno, exception, returns) = parts;
    let given: Vec<(&str, Range<usize>)> =
        [("errno", errno.as_ref().map(|e| e.span())), ("exception", exception.as_ref().map(|x| x.span())), ("returns", returns.as_ref().map(|r| r.span()))]
            .into_iter()
            .filter_map(|(name, at)| Some((name, at?)))
            .collect();
    let hint = if required { "exactly one of `errno`, `exception`, `returns`" } else { "at most one of `errno`, `exception`, `returns`" };
    if let [(first, _), (second, at), ..] = given.as_slice() {
        ck.err(file, at.clone(), format!("more than one outcome: `{first}` and `{second}`"), "second outcome", hint);
        return None;
    }
    if required && given.is_empty() {
        ck.err(file, span, "no outcome", "states none", hint);
        return None;
    }
    if let Some(e) = errno {
        return resolve_code(ck, file, e, scope.codes).map(|c| Some(Outcome::Error(c)));
    }
    if let Some(x) = exception {
        return resolve_exception(ck, file, x).map(|x| Some(Outcome::Exception(x)));
    }
    if let Some(r) = returns {
        return resolve_value(ck, file, r.span(), r.get_ref(), scope.consts, vars).map(|v| Some(Outcome::Returns(v)));
    }
    Some(None)
}
