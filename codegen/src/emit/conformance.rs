//! `generated/conformance/`: the spec's behaviour cases as Python scripts in the
//! common subset of MicroPython and CPython, one per fixture. Each prints one
//! `PASS id` / `FAIL id: reason` line per case and `N passed, M failed` last, so
//! the same script runs on our interpreter, stock MicroPython and CPython.
//! `cases.rs` and `cases.h` hold the same cases as Rust and C data with the
//! dispatch of their calls, for the Rust API's and the C ABI's runners
//! (`cases_rs`, `cases_h`).

use serde::Serialize;

use super::python::{bytes_literal, float_literal, str_literal};
use super::{GENERATED_LINE, Output, cases_h, cases_rs, templates};
use crate::ir::{BUFFER_STEP, Case, Constant, FORGET_STEP, Outcome, Spec, Step, VALUE_STEP, Value};
use crate::types::EXCEPTIONS;

/// A Python expression for a spec value: constants from the interpreter's own
/// module (so their values are the interpreter's; those not in Python, the poll
/// flags, as numbers: select's are the same), variables from `v`, and the
/// loopback addresses as `HOST4`/`HOST6` (a board's own addresses when given).
fn py_value(module: &str, consts: &[Constant], value: &Value) -> String {
    match value {
        Value::Str(s) if s == "127.0.0.1" => "HOST4".into(),
        Value::Str(s) if s == "::1" => "HOST6".into(),
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_literal(*f),
        Value::Str(s) => str_literal(s),
        Value::Bytes(b) => bytes_literal(b),
        Value::Const(name, v) if consts.iter().any(|c| &c.name == name && !c.python) => v.to_string(),
        Value::Const(name, _) => format!("{module}.{name}"),
        Value::Var(name) => format!("v[{}]", str_literal(name)),
        Value::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(|i| py_value(module, consts, i)).collect();
            format!("({},)", inner.join(", "))
        }
    }
}

/// The call a step makes, as an expression: a module function, a method, a
/// template helper for a method Python lacks (`poll(sock, events)`), a method
/// of the interface (`interface().ifconfig()`), a value, a `bytearray(n)`, or
/// `forget(v, name)`.
fn py_call(spec: &Spec, step: &Step) -> String {
    let (module, consts) = (spec.module.name.as_str(), spec.constants.as_slice());
    let mut args: Vec<String> = step.args.iter().map(|a| py_value(module, consts, a)).collect();
    args.extend(step.kwargs.iter().map(|(k, v)| format!("{k}={}", py_value(module, consts, v))));
    let helper = spec.methods.iter().any(|m| m.name == step.call && !m.python);
    let interface = step.on.is_none() && spec.interface_methods.iter().any(|m| m.name == step.call);
    match (&step.on, step.call.as_str(), step.args.as_slice()) {
        (None, call, _) if interface => format!("interface().{call}({})", args.join(", ")),
        (None, VALUE_STEP, [_]) => args.join(""),
        (None, BUFFER_STEP, [_]) => format!("bytearray({})", args.join("")),
        (None, FORGET_STEP, [Value::Var(name)]) => format!("forget(v, {})", str_literal(name)),
        (Some(var), call, _) if helper => py_helper_call(call, var, args),
        (Some(var), call, _) => format!("v[{}].{call}({})", str_literal(var), args.join(", ")),
        (None, call, _) => format!("{module}.{call}({})", args.join(", ")),
    }
}

/// A call of a template helper on socket `v[var]`: `helper(v['var'], args...)`.
fn py_helper_call(helper: &str, var: &str, args: Vec<String>) -> String {
    let all: Vec<String> = [format!("v[{}]", str_literal(var))].into_iter().chain(args).collect();
    format!("{helper}({})", all.join(", "))
}

/// The Python lines of one step (inside a case function).
fn py_step(spec: &Spec, step: &Step) -> Vec<String> {
    let (module, consts) = (spec.module.name.as_str(), spec.constants.as_slice());
    let call = py_call(spec, step);
    let lambda = format!("lambda: {call}");
    let mut lines = Vec::new();
    let result = match (&step.until, &step.expect) {
        (Some((code, max)), _) => {
            lines.push(format!("until_errno({lambda}, {}, {}, {max})", str_literal(&code.name), code.value));
            None
        }
        (None, Some(Outcome::Error(code))) => {
            lines.push(format!("expect_errno({lambda}, {}, {})", str_literal(&code.name), code.value));
            None
        }
        (None, Some(Outcome::Exception(name))) if EXCEPTIONS.contains(&name.as_str()) => {
            lines.push(format!("expect_exception({lambda}, {name})"));
            None
        }
        (None, Some(Outcome::Exception(name))) => {
            lines.push(format!("raise Fail('unknown exception {name}')"));
            None
        }
        (None, Some(Outcome::Returns(value))) => {
            lines.push(format!("expect_value({}, {lambda}, {})", str_literal(&call), py_value(module, consts, value)));
            None
        }
        (None, None) => Some(call),
    };
    if let Some(call) = result {
        match (&step.bind, step.index) {
            (Some(var), Some(i)) => lines.push(format!("v[{}] = {call}[{i}]", str_literal(var))),
            (Some(var), None) => lines.push(format!("v[{}] = {call}", str_literal(var))),
            (None, _) => lines.push(call),
        }
    }
    lines
}

/// One case as the template renders it.
#[derive(Serialize)]
struct PyCase {
    id: String,
    function: String,
    doc: String,
    lines: Vec<String>,
}

#[derive(Serialize)]
struct Context {
    generated: &'static str,
    module: String,
    /// The interface's module and class (`network`, `LAN`), when the spec has one.
    interface: Option<(String, String)>,
    fixture: String,
    fixture_doc: String,
    cases: Vec<PyCase>,
}

/// The Python lines of a fixture's step: as a case's, except that `bind` and
/// `getsockname` go through the template's `bind()` and `sockname()`, so that
/// the set-up also runs on sockets without getsockname() (MicroPython's lwIP
/// module): the cases, not the set-up, then say what differs there.
fn py_fixture_step(spec: &Spec, step: &Step) -> Vec<String> {
    match (&step.on, step.call.as_str(), &step.expect, &step.until) {
        (Some(var), "bind" | "getsockname", None, None) => {
            let (module, consts) = (spec.module.name.as_str(), spec.constants.as_slice());
            let args = step.args.iter().map(|a| py_value(module, consts, a)).collect();
            let call = py_helper_call(if step.call == "bind" { "bind" } else { "sockname" }, var, args);
            match &step.bind {
                Some(name) => vec![format!("v[{}] = {call}", str_literal(name))],
                None => vec![call],
            }
        }
        _ => py_step(spec, step),
    }
}

fn py_case(spec: &Spec, case: &Case) -> PyCase {
    let fixture = spec.fixtures.iter().find(|f| f.name == case.fixture);
    let set_up = fixture.into_iter().flat_map(|f| &f.steps).flat_map(|s| py_fixture_step(spec, s));
    PyCase {
        id: case.id.clone(),
        function: format!("case_{}", case.id.replace('-', "_")),
        doc: case.doc.lines().next().unwrap_or_default().to_string(),
        lines: set_up.chain(case.steps.iter().flat_map(|s| py_step(spec, s))).collect(),
    }
}

/// One script per fixture that has cases, and the cases as Rust and C data.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let mut out =
        vec![Output::new("generated/conformance/cases.rs", cases_rs::emit(spec)?), Output::new("generated/conformance/cases.h", cases_h::emit(spec)?)];
    for fixture in &spec.fixtures {
        let cases: Vec<PyCase> = spec.cases.iter().filter(|c| c.fixture == fixture.name && c.applies("micropython")).map(|c| py_case(spec, c)).collect();
        if cases.is_empty() {
            continue;
        }
        let ctx = Context {
            generated: GENERATED_LINE,
            module: spec.module.name.clone(),
            interface: spec.interface.as_ref().map(|i| (i.module.clone(), i.class.clone())),
            fixture: fixture.name.clone(),
            fixture_doc: fixture.doc.lines().next().unwrap_or_default().to_string(),
            cases,
        };
        out.push(Output::new(format!("generated/conformance/{}.py", fixture.name), templates::render("conformance.py.j2", &ctx)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_python() {
        assert_eq!(str_literal("it's"), "'it\\'s'");
        let tuple = Value::Tuple(vec![Value::Str("127.0.0.1".into()), Value::Int(0)]);
        assert_eq!(py_value("socket", &[], &tuple), "(HOST4, 0,)");
        assert_eq!(py_value("socket", &[], &Value::Str("10.0.0.1".into())), "'10.0.0.1'");
        assert_eq!(py_value("socket", &[], &Value::Const("AF_INET".into(), 2)), "socket.AF_INET");
        assert_eq!(py_value("socket", &[], &Value::Var("addr".into())), "v['addr']");
        let hidden = Constant { name: "POLL_WR".into(), value: 4, group: "poll".into(), linux: None, python: false, doc: String::new(), extension: None };
        assert_eq!(py_value("socket", &[hidden], &Value::Const("POLL_WR".into(), 4)), "4");
    }
}
