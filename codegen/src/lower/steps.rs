//! The steps of fixtures and cases: calls on known callables with fitting
//! arguments, variables bound before use, and the pseudo-steps.

use std::ops::Range;

use toml::Spanned;

use super::checker::{Checker, Item, check_ident};
use super::values::{Binding, Scope, Vars, resolve_code, resolve_outcome, resolve_value};
use crate::diag::FileId;
use crate::ir::{BUFFER_STEP, Callable, ErrorCode, FORGET_STEP, Step, VALUE_STEP, Value};
use crate::raw::RawStep;
use crate::types::ReturnKind;

/// Validates a pseudo-step (`value`, `buffer`, `forget`; see `crate::ir`): its one
/// argument, and no `index`, `let` or outcome where they make no sense.
pub(super) fn build_pseudo_step(ck: &mut Checker, file: FileId, span: Range<usize>, s: &RawStep, scope: &Scope, vars: &mut Vars) -> Option<Step> {
    let call = s.call.get_ref().as_str();
    let [arg] = s.args.as_slice() else {
        ck.err(file, s.call.span(), format!("`{call}` takes one argument, the step passes {}", s.args.len()), "argument count", "exactly one argument");
        return None;
    };
    if let Some(i) = &s.index {
        ck.err(file, i.span(), format!("`index` on a `{call}` step"), "no tuple", "no `index`");
    }
    let value = resolve_value(ck, file, arg.span(), arg.get_ref(), scope.consts, Some(vars))?;
    let expect = resolve_outcome(ck, file, span, (&s.errno, &s.exception, &s.returns), scope, Some(vars), false).flatten();
    match (call, &value) {
        (VALUE_STEP, Value::Const(..) | Value::Var(_)) => {}
        (BUFFER_STEP, Value::Int(n)) if (0..=65536).contains(n) && s.r#let.is_some() && expect.is_none() => {}
        (FORGET_STEP, Value::Var(name)) if vars.get(name) == Some(&Binding::Socket) && expect.is_none() && s.r#let.is_none() => {
            vars.remove(name);
        }
        _ => {
            let hint = match call {
                VALUE_STEP => "one \"@NAME\" constant or \"$name\" variable",
                BUFFER_STEP => "a size 0..65536, with `let` and no outcome",
                _ => "one \"$name\" socket variable, no `let` and no outcome",
            };
            ck.err(file, arg.span(), format!("bad `{call}` step"), "bad argument", hint);
            return None;
        }
    }
    if let Some(name) = &s.r#let {
        check_ident(ck, file, name, "variable", false);
        vars.insert(name.get_ref().clone(), Binding::Value);
    }
    Some(Step {
        bind: s.r#let.as_ref().map(|l| l.get_ref().clone()),
        index: None,
        on: None,
        call: call.to_string(),
        args: vec![value],
        kwargs: vec![],
        expect,
        until: None,
    })
}

/// Validates steps; `vars` holds the variables bound so far. A step that
/// cannot be built poisons the variable it would bind, so that the steps
/// using it say nothing more.
pub(super) fn build_steps(ck: &mut Checker, file: FileId, steps: &[Spanned<RawStep>], scope: &Scope, vars: &mut Vars) -> Vec<Step> {
    let mut out = Vec::new();
    for s in steps {
        let (span, s) = (s.span(), s.get_ref());
        let step = if s.on.is_none() && [VALUE_STEP, BUFFER_STEP, FORGET_STEP].contains(&s.call.get_ref().as_str()) {
            build_pseudo_step(ck, file, span, s, scope, vars)
        } else {
            build_call_step(ck, file, span, s, scope, vars)
        };
        match step {
            Some(step) => out.push(step),
            None => {
                if let Some(name) = &s.r#let {
                    vars.insert(name.get_ref().clone(), Binding::Poisoned);
                }
            }
        }
    }
    out
}

/// A step calling a function or method, or None when it has no callable
/// (reported, unless what it depends on failed before).
fn build_call_step(ck: &mut Checker, file: FileId, span: Range<usize>, s: &RawStep, scope: &Scope, vars: &mut Vars) -> Option<Step> {
    let callable = step_callable(ck, file, s, scope, vars)?;
    check_arg_count(ck, file, s, callable);
    let args: Vec<Value> = s.args.iter().filter_map(|a| resolve_value(ck, file, a.span(), a.get_ref(), scope.consts, Some(vars))).collect();
    let kwargs: Vec<(String, Value)> =
        s.kwargs.iter().filter_map(|(k, v)| Some((k.clone(), resolve_value(ck, file, v.span(), v.get_ref(), scope.consts, Some(vars))?))).collect();
    let expect = resolve_outcome(ck, file, span.clone(), (&s.errno, &s.exception, &s.returns), scope, Some(vars), false).flatten();
    let until = until(ck, file, s, scope);
    if until.is_some() && expect.is_some() {
        ck.err(file, span, "a repeated step cannot also expect an outcome", "both", "either `until_errno` or one of errno/exception/returns");
    }
    let index = index(ck, file, s, callable);
    if let Some(name) = &s.r#let {
        check_ident(ck, file, name, "variable", false);
        let socket = match callable.returns {
            ReturnKind::Socket => index.is_none(),
            ReturnKind::SocketAddress => index == Some(0),
            // makefile(): the socket itself.
            ReturnKind::SelfRef => index.is_none(),
            _ => false,
        };
        vars.insert(name.get_ref().clone(), if socket { Binding::Socket } else { Binding::Value });
    }
    Some(Step {
        bind: s.r#let.as_ref().map(|l| l.get_ref().clone()),
        index,
        on: s.on.as_ref().map(|o| o.get_ref().clone()),
        call: callable.name.clone(),
        args,
        kwargs,
        expect,
        until,
    })
}

/// The function, interface method or (with `on`, a bound socket) method a
/// step calls, or None after reporting why there is none. A callable or a
/// variable whose definition failed gives None and no report.
fn step_callable<'a>(ck: &mut Checker, file: FileId, s: &RawStep, scope: &Scope<'a>, vars: &Vars) -> Option<&'a Callable> {
    let call = s.call.get_ref();
    let callable = match &s.on {
        Some(on) => {
            match vars.get(on.get_ref()) {
                None => {
                    ck.err(
                        file,
                        on.span(),
                        format!("variable `{}` is used before it is bound", on.get_ref()),
                        "unbound",
                        "a socket bound by an earlier step's `let`",
                    )
                    .did_you_mean(on.get_ref(), vars.iter().filter(|(_, b)| **b == Binding::Socket).map(|(n, _)| n.as_str()));
                }
                Some(Binding::Value) => {
                    ck.err(file, on.span(), format!("`{}` is not a socket", on.get_ref()), "not a socket", "a variable bound to a socket() or accept() result");
                }
                Some(Binding::Poisoned) => return None,
                Some(Binding::Socket) => {}
            }
            scope.methods.iter().find(|m| &m.name == call)
        }
        None => scope.functions.iter().chain(scope.interface_methods).find(|f| &f.name == call),
    };
    if ck.is_poisoned(Item::Callable, call) {
        return None;
    }
    if callable.is_none() {
        let what = if s.on.is_some() { "method" } else { "module function or interface method" };
        let names: Vec<&str> = match &s.on {
            Some(_) => scope.methods.iter().map(|m| m.name.as_str()).collect(),
            None => scope.functions.iter().chain(scope.interface_methods).map(|f| f.name.as_str()).chain([VALUE_STEP, BUFFER_STEP, FORGET_STEP]).collect(),
        };
        ck.err(
            file,
            s.call.span(),
            format!("unknown {what} `{call}`"),
            "unknown",
            format!("a {what} of the spec (methods need `on`), or a `{VALUE_STEP}`/`{BUFFER_STEP}`/`{FORGET_STEP}` step"),
        )
        .did_you_mean(call, names);
    }
    callable
}

/// A step passes as many arguments as `callable` takes, keywords only to ipconfig().
fn check_arg_count(ck: &mut Checker, file: FileId, s: &RawStep, callable: &Callable) {
    let n = s.args.len();
    // ipconfig() takes one parameter name, or keywords.
    let ipconfig = callable.returns == ReturnKind::Ipconfig;
    let (least, most) = if ipconfig { (0, 1) } else { (callable.required(), callable.args.len()) };
    if !s.kwargs.is_empty() && !ipconfig {
        let first = s.kwargs.values().next().map(|v| v.span()).unwrap_or(s.call.span());
        ck.err(file, first, format!("`{}` takes no keyword arguments in a step", callable.name), "keywords", "positional `args` (keywords are for ipconfig())");
    }
    let forms: Vec<usize> = callable.forms.iter().map(Vec::len).collect();
    if !forms.is_empty() && !forms.contains(&n) {
        let counts: Vec<String> = forms.iter().map(usize::to_string).collect();
        let counts = match counts.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => counts.join(""),
        };
        ck.err(
            file,
            s.call.span(),
            format!("`{}` takes {counts} arguments (its `forms`), the step passes {n}", callable.name),
            "argument count",
            "as many arguments as one of its positional forms",
        );
    } else if n < least || n > most {
        ck.err(
            file,
            s.call.span(),
            format!("`{}` takes {least}..{most} arguments, the step passes {n}", callable.name),
            "argument count",
            "as many arguments as the spec's signature allows",
        );
    }
}

/// A repeated step's `until_errno` with its `max` count (both or neither).
fn until(ck: &mut Checker, file: FileId, s: &RawStep, scope: &Scope) -> Option<(ErrorCode, u32)> {
    match (&s.until_errno, &s.max) {
        (Some(e), Some(max)) => {
            let max_v = u32::try_from(*max.get_ref()).ok().filter(|m| *m > 0);
            if max_v.is_none() {
                ck.err(file, max.span(), "`max` must be a positive count", "bad count", "1..4294967295");
            }
            resolve_code(ck, file, e, scope.codes).zip(max_v)
        }
        (None, None) => None,
        (Some(e), None) => {
            ck.err(file, e.span(), "`until_errno` without `max`", "unbounded", "a `max` count that bounds the loop");
            None
        }
        (None, Some(m)) => {
            ck.err(file, m.span(), "`max` without `until_errno`", "nothing to bound", "`until_errno` with `max`");
            None
        }
    }
}

/// A step's `index` into its call's tuple result (with `let`).
fn index(ck: &mut Checker, file: FileId, s: &RawStep, callable: &Callable) -> Option<usize> {
    match &s.index {
        None => None,
        Some(i) => {
            let items = match callable.returns {
                ReturnKind::SocketAddress | ReturnKind::BytesAddress | ReturnKind::Address => 2,
                ReturnKind::Ifconfig => 4,
                _ => 0,
            };
            let ok = s.r#let.is_some() && (0..items).contains(i.get_ref());
            if !ok {
                ck.err(
                    file,
                    i.span(),
                    "`index` needs `let` and a tuple result",
                    "bad index",
                    "0 or 1, with `let`, on a call returning a pair (0..3 for ifconfig)",
                );
            }
            usize::try_from(*i.get_ref()).ok()
        }
    }
}
