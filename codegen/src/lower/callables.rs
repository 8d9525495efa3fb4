//! `[[function]]`, `[[method]]` and `[[interface_method]]`: names, return
//! kinds, arguments with their defaults, forms, and the C ABI shape each
//! return kind needs.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::checker::{Checker, Item, check_ident};
use super::merge::InFile;
use super::values::resolve_value;
use crate::diag::FileId;
use crate::ir::{Arg, Callable, Owner, Value};
use crate::raw::{RawArg, RawCallable};
use crate::types::{ArgType, ReturnKind};

/// Does a default value fit the argument type?
pub(super) fn default_fits(ty: ArgType, v: &Value) -> bool {
    match (ty, v) {
        (ArgType::Int, Value::Int(_) | Value::Const(..)) => true,
        (ArgType::Bool, Value::Bool(_)) => true,
        (ArgType::Timeout, Value::Int(i)) => *i >= 0,
        (ArgType::Timeout, Value::Float(f)) => *f >= 0.0,
        (ArgType::Timeout | ArgType::Size | ArgType::Host | ArgType::Ifconfig, Value::None) => true,
        (ArgType::Size, Value::Int(i)) => *i >= 0,
        (ArgType::Str | ArgType::Host, Value::Str(_)) => true,
        (ArgType::Port, Value::Int(i)) => (0..=65535).contains(i),
        (ArgType::Port, Value::Str(_)) => true,
        (ArgType::Bytes | ArgType::Optval, Value::Bytes(_)) => true,
        (ArgType::Optval, Value::Int(_) | Value::Const(..)) => true,
        (ArgType::Address, Value::Tuple(t)) => matches!(t.as_slice(), [Value::Str(_), Value::Int(p)] if (0..=65535).contains(p)),
        _ => false,
    }
}

pub(super) fn build_callables(ck: &mut Checker, items: &[InFile<RawCallable>], owner: Owner, consts: &HashMap<String, i64>) -> Vec<Callable> {
    let kind = match owner {
        Owner::Module => "function",
        Owner::Socket => "method",
        Owner::Interface => "interface method",
    };
    let kinds: Vec<&str> = ReturnKind::ALL.iter().map(|(n, _)| *n).collect();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, c) in items {
        let (file, span, c) = (*file, c.span(), c.get_ref());
        check_ident(ck, file, &c.name, kind, false);
        if ck.duplicate(&mut seen, kind, file, &c.name) {
            continue;
        }
        // What refers to a callable whose own definition fails is not checked against it.
        let mark = ck.mark();
        let Some(returns) = ReturnKind::parse(c.returns.get_ref()) else {
            ck.err(file, c.returns.span(), format!("unknown return kind `{}`", c.returns.get_ref()), "unknown", format!("one of {}", kinds.join(", ")))
                .did_you_mean(c.returns.get_ref(), kinds.iter().copied());
            ck.poison(Item::Callable, c.name.get_ref());
            continue;
        };
        if returns == ReturnKind::Ifconfig && owner != Owner::Interface {
            ck.err(
                file,
                c.returns.span(),
                format!("`{}` returns ifconfig but is not an interface method", c.name.get_ref()),
                "ifconfig",
                "returns = \"ifconfig\" only in [[interface_method]]",
            );
        }
        let mut args = Args::default();
        let mut arg_names = HashMap::new();
        for a in &c.args {
            let a = a.get_ref();
            check_ident(ck, file, &a.name, "argument", false);
            let arg_name = a.name.get_ref().as_str();
            if RESERVED_ARGS.contains(&arg_name) || arg_name.starts_with("abi_") || arg_name.starts_with("ret_") {
                ck.err(
                    file,
                    a.name.span(),
                    format!("argument name `{}` is reserved", a.name.get_ref()),
                    "reserved",
                    format!("a name other than {} and not starting with abi_ or ret_", RESERVED_ARGS.join(", ")),
                );
            }
            if ck.duplicate(&mut arg_names, "argument", file, &a.name) {
                continue;
            }
            args.lower(ck, file, a, c, returns, consts);
        }
        let callable = Callable {
            name: c.name.get_ref().clone(),
            owner,
            returns,
            doc: c.doc.get_ref().trim().to_string(),
            native_doc: c.native_doc.as_ref().unwrap_or(&c.doc).get_ref().trim().to_string(),
            args: args.list,
            blocks: c.blocks,
            python: c.python,
            keywords: c.keywords,
            closes: c.closes,
            extension: c.extension.clone(),
            forms: c.forms.as_ref().map(|f| f.get_ref().clone()).unwrap_or_default(),
        };
        // Without all of its arguments, its forms and shape would report what is missing again.
        if callable.args.len() == c.args.len() {
            if let Some(forms) = &c.forms {
                check_forms(ck, file, forms.span(), &callable);
            }
            check_shape(ck, file, span, &c.returns, &callable);
        }
        ck.poison_if_failed(mark, Item::Callable, c.name.get_ref());
        out.push(callable);
    }
    out
}

/// A callable's arguments, lowered in order.
#[derive(Default)]
struct Args {
    /// Those lowered so far.
    list: Vec<Arg>,
    /// One of them has a default: every later one needs one too.
    optional_seen: bool,
}

impl Args {
    /// Lowers argument `a` of `c` (its name already checked): a known type, a
    /// default that fits it and follows the required ones, and `choices`,
    /// `limits` and `offsets` where they apply.
    fn lower(&mut self, ck: &mut Checker, file: FileId, a: &RawArg, c: &RawCallable, returns: ReturnKind, consts: &HashMap<String, i64>) {
        if let Some(arg) = self.build(ck, file, a, c, returns, consts) {
            self.list.push(arg);
        }
    }

    /// The argument, or None when its type is unknown (reported).
    fn build(&mut self, ck: &mut Checker, file: FileId, a: &RawArg, c: &RawCallable, returns: ReturnKind, consts: &HashMap<String, i64>) -> Option<Arg> {
        let types: Vec<&str> = ArgType::ALL.iter().map(|(n, _)| *n).collect();
        let Some(ty) = ArgType::parse(a.r#type.get_ref()) else {
            ck.err(file, a.r#type.span(), format!("unknown argument type `{}`", a.r#type.get_ref()), "unknown", format!("one of {}", types.join(", ")))
                .did_you_mean(a.r#type.get_ref(), types.iter().copied());
            return None;
        };
        let default = match &a.default {
            None => {
                if self.optional_seen {
                    ck.err(
                        file,
                        a.name.span(),
                        format!("required argument `{}` follows an optional one", a.name.get_ref()),
                        "required",
                        "required arguments first, then those with a default",
                    );
                }
                None
            }
            Some(d) => {
                self.optional_seen = true;
                let v = resolve_value(ck, file, d.span(), d.get_ref(), consts, None);
                if let Some(v) = &v
                    && !default_fits(ty, v)
                {
                    ck.err(
                        file,
                        d.span(),
                        format!("default of `{}` does not fit its type `{}`", a.name.get_ref(), ty.spec_name()),
                        "wrong type",
                        default_hint(ty),
                    );
                }
                v
            }
        };
        let misplaced = match (returns, &default) {
            (ReturnKind::Ifconfig, Some(Value::None)) => None,
            (ReturnKind::Ifconfig, _) => Some("is not optional"),
            _ => Some("is on a callable that does not return ifconfig"),
        };
        if let (ArgType::Ifconfig, Some(why)) = (ty, misplaced) {
            ck.err(
                file,
                a.r#type.span(),
                format!("the ifconfig argument `{}` of `{}` {why}", a.name.get_ref(), c.name.get_ref()),
                "ifconfig",
                "an optional argument (default = \"~\") of a callable returning ifconfig: without it the call reads",
            );
        }
        let choices = a.choices.as_ref().map(|c| c.get_ref().clone()).unwrap_or_default();
        if let Some(ch) = &a.choices {
            if ty != ArgType::Str {
                ck.err(file, ch.span(), "`choices` is only for str arguments", "not a str", "remove `choices` or make the type `str`");
            } else if let Some(Value::Str(d)) = &default
                && !choices.contains(d)
            {
                ck.err(file, ch.span(), format!("the default `{d}` is not one of the choices"), "choices", "choices that include the default");
            }
        }
        for (key, l) in [("limits", &a.limits), ("offsets", &a.offsets)] {
            let Some(l) = l else { continue };
            let target = self.list.iter().find(|b| &b.name == l.get_ref());
            if ty != ArgType::Size {
                ck.err(file, l.span(), format!("`{key}` is only for size arguments"), "not a size", "type = \"size\"");
            } else if !matches!(target, Some(b) if matches!(b.ty, ArgType::Buffer | ArgType::Bytes)) {
                ck.err(
                    file,
                    l.span(),
                    format!("`{key}` names `{}`, which is not an earlier buffer or bytes argument", l.get_ref()),
                    "no such buffer",
                    "the name of an earlier argument of type buffer or bytes",
                );
            }
        }
        if let (Some(_), Some(o)) = (&a.limits, &a.offsets) {
            ck.err(file, o.span(), "a size either `limits` or `offsets` a buffer, not both", "both", "two size arguments");
        }
        Some(Arg {
            name: a.name.get_ref().clone(),
            ty,
            default,
            doc: a.doc.get_ref().trim().to_string(),
            native_doc: a.native_doc.as_ref().unwrap_or(&a.doc).get_ref().trim().to_string(),
            choices,
            limits: a.limits.as_ref().map(|l| l.get_ref().clone()),
            offsets: a.offsets.as_ref().map(|l| l.get_ref().clone()),
        })
    }
}

/// Checks `forms`: positional only, each names known arguments once and holds
/// the required ones, one form per argument count, every argument in some form.
pub(super) fn check_forms(ck: &mut Checker, file: FileId, span: Range<usize>, c: &Callable) {
    let mut problem = |msg: String, hint: &str| {
        ck.err(file, span.clone(), msg, "forms", hint);
    };
    if c.keywords {
        problem(format!("`{}` has `forms` and `keywords`", c.name), "forms are positional: drop `keywords`");
    }
    let mut counts = Vec::new();
    for form in &c.forms {
        if let Some(bad) = form.iter().find(|n| !c.args.iter().any(|a| &a.name == *n)) {
            problem(format!("a form of `{}` names `{bad}`, which is not an argument", c.name), "names from `args`");
        }
        if let Some(a) = c.args.iter().find(|a| a.default.is_none() && !form.contains(&a.name)) {
            problem(format!("a form of `{}` leaves out the required argument `{}`", c.name, a.name), "every required argument in every form");
        }
        if form.iter().enumerate().any(|(i, n)| form[..i].contains(n)) {
            problem(format!("a form of `{}` names an argument twice", c.name), "each argument once per form");
        }
        if counts.contains(&form.len()) {
            problem(format!("two forms of `{}` take {} arguments", c.name, form.len()), "one form per argument count");
        }
        counts.push(form.len());
    }
    if let Some(a) = c.args.iter().find(|a| !c.forms.iter().any(|f| f.contains(&a.name))) {
        problem(format!("no form of `{}` takes `{}`", c.name, a.name), "every argument in at least one form");
    }
}

/// Names the generated C ABI uses for its own parameters and locals.
pub(super) const RESERVED_ARGS: [&str; 9] = ["fd", "out", "out_len", "out_cap", "out_ms", "peer", "from", "result", "self"];

pub(super) fn default_hint(ty: ArgType) -> &'static str {
    match ty {
        ArgType::Int => "an integer or \"@CONSTANT\"",
        ArgType::Bool => "true or false",
        ArgType::Timeout => "a non-negative number or \"~\" (None)",
        ArgType::Size => "a non-negative integer or \"~\" (None)",
        ArgType::Str => "a string",
        ArgType::Host => "a string or \"~\" (None)",
        ArgType::Port => "an integer 0..65535 or a string",
        ArgType::Bytes => "bytes (\"b:text\" or \"hex:0a0b\")",
        ArgType::Optval => "an integer or bytes",
        ArgType::Address => "[\"ip\", port] with port 0..65535",
        ArgType::Buffer => "nothing: a buffer argument cannot have a default",
        ArgType::Ifconfig => "\"~\" (None: without the argument the call only reads)",
    }
}

/// Checks that the arguments fit the return kind's C ABI shape.
pub(super) fn check_shape(ck: &mut Checker, file: FileId, span: Range<usize>, returns: &Spanned<String>, c: &Callable) {
    let sizes: Vec<&Arg> = c.args.iter().filter(|a| a.ty == ArgType::Size && a.slices().is_none()).collect();
    let rs = returns.span();
    if c.returns.sized_output() && sizes.len() != 1 {
        ck.err(
            file,
            rs.clone(),
            format!("`{}` returns {} but has {} unbound size arguments", c.name, c.returns.spec_name(), sizes.len()),
            "needs one size",
            "exactly one argument of type size (the output buffer's size)",
        );
    }
    let line_cap = c.returns == ReturnKind::LineOrNone && sizes.len() == 1 && sizes[0].default.is_some();
    if !c.returns.sized_output() && !sizes.is_empty() && !line_cap {
        ck.err(
            file,
            rs.clone(),
            format!("`{}` has a size argument `{}` that sizes nothing", c.name, sizes[0].name),
            "unused size",
            "return bytes, bytes_or_none or bytes_address (line_or_none: one optional size), or give the size `limits = \"<buffer arg>\"`",
        );
    }
    let has_str = c.args.iter().any(|a| a.ty == ArgType::Str);
    if has_str && c.returns.has_abi() {
        ck.err(
            file,
            rs.clone(),
            format!("`{}` has a str argument but a C ABI function", c.name),
            "str needs returns = self",
            "str arguments only on glue-only callables (returns = \"self\")",
        );
    }
    if c.returns == ReturnKind::Ipconfig && (c.owner != Owner::Interface || !c.python || !c.keywords || !c.args.is_empty()) {
        ck.err(
            file,
            rs.clone(),
            format!("`{}` returns ipconfig but is not a Python interface method with keywords and no args", c.name),
            "ipconfig",
            "an [[interface_method]] with keywords = true and no `args` (the glue parses MicroPython's ipconfig() parameters)",
        );
    }
    if c.returns == ReturnKind::SelfRef && (c.owner == Owner::Module || !c.python) {
        ck.err(
            file,
            rs.clone(),
            format!("`{}` returns self but is not a Python method", c.name),
            "self",
            "returns = \"self\" only on methods with python = true",
        );
    }
    if c.returns == ReturnKind::Socket && c.owner == Owner::Socket {
        ck.err(file, rs.clone(), format!("method `{}` returns a bare socket", c.name), "socket", "socket_address for methods, socket for module functions");
    }
    if c.closes && (c.owner != Owner::Socket || c.returns != ReturnKind::None || !c.args.is_empty()) {
        ck.err(
            file,
            span.clone(),
            format!("`{}` closes but is not an argument-less method returning none", c.name),
            "closes",
            "closes = true only on a method like close()",
        );
    }
    if c.keywords && !c.python {
        ck.err(file, span, format!("`{}` takes keywords but is not reachable from Python", c.name), "keywords", "keywords = false for python = false");
    }
}
