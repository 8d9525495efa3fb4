//! `generated/conformance/`: the spec's behaviour cases as Python scripts in the
//! common subset of MicroPython and CPython, one per fixture. Each prints one
//! `PASS id` / `FAIL id: reason` line per case and `N passed, M failed` last, so
//! the same script runs on our interpreter, stock MicroPython and CPython.
//! `cases.rs` holds the same cases as Rust data, for the Rust API's runner
//! (`targets/host/tests/conformance.rs`).

use proc_macro2::TokenStream;
use quote::quote;
use serde::Serialize;

use super::python::{bytes_literal, float_literal, str_literal};
use super::{GENERATED_LINE, Output, templates};
use crate::ir::{BUFFER_STEP, Case, Constant, FORGET_STEP, Outcome, Spec, Step, VALUE_STEP, Value};
use crate::naming::Names;
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

/// A spec value as a `V` expression.
fn rust_value(value: &Value) -> TokenStream {
    match value {
        Value::None => quote!(V::None),
        Value::Bool(b) => quote!(V::Bool(#b)),
        Value::Int(i) => quote!(V::Int(#i)),
        Value::Float(f) => quote!(V::Float(#f)),
        Value::Str(t) => quote!(V::Str(#t)),
        Value::Bytes(b) => {
            let lit = proc_macro2::Literal::byte_string(b);
            quote!(V::Bytes(#lit))
        }
        Value::Const(name, _) => {
            let ident = quote::format_ident!("{}", name);
            quote!(V::Const(#name, constants::#ident as i64))
        }
        Value::Var(name) => quote!(V::Var(#name)),
        Value::Tuple(items) => {
            let items = items.iter().map(rust_value);
            quote!(V::Tuple(&[#(#items),*]))
        }
    }
}

fn rust_step(step: &Step) -> TokenStream {
    let opt = |o: &Option<String>| match o {
        Some(x) => quote!(Some(#x)),
        None => quote!(None),
    };
    let bind = opt(&step.bind);
    let on = opt(&step.on);
    let index = match step.index {
        Some(i) => quote!(Some(#i)),
        None => quote!(None),
    };
    let call = &step.call;
    let args = step.args.iter().map(rust_value);
    let expect = match &step.expect {
        None => quote!(Expect::Ok),
        Some(Outcome::Error(code)) => {
            let (n, v) = (&code.name, code.value);
            quote!(Expect::Error(#n, #v))
        }
        Some(Outcome::Exception(e)) => quote!(Expect::Exception(#e)),
        Some(Outcome::Returns(v)) => {
            let v = rust_value(v);
            quote!(Expect::Returns(#v))
        }
    };
    let until = match &step.until {
        Some((code, max)) => {
            let (n, v) = (&code.name, code.value);
            quote!(Some((#n, #v, #max)))
        }
        None => quote!(None),
    };
    quote!(Step { bind: #bind, index: #index, on: #on, call: #call, args: &[#(#args),*], expect: #expect, until: #until })
}

/// One case as a `Case` expression, its fixture's steps first.
fn rust_case(spec: &Spec, case: &Case) -> TokenStream {
    let id = &case.id;
    let fixture = spec.fixtures.iter().find(|f| f.name == case.fixture);
    let steps = fixture.into_iter().flat_map(|f| &f.steps).chain(&case.steps).map(rust_step);
    quote!(Case { id: #id, steps: &[#(#steps),*] })
}

/// The cases as Rust data: `CASES` for a full build, `WITHOUT` for builds that
/// leave features out.
fn rust_cases(spec: &Spec) -> Result<String, String> {
    let elsewhere: Vec<&str> = spec.cases.iter().filter(|c| !c.applies("rust")).map(|c| c.id.as_str()).collect();
    let full = spec.cases.iter().filter(|c| c.applies("rust") && c.without.is_empty()).map(|c| rust_case(spec, c));
    let without = spec.cases.iter().filter(|c| !c.without.is_empty()).map(|c| {
        let (features, case) = (&c.without, rust_case(spec, c));
        quote!((&[#(#features),*], #case))
    });
    let tokens = quote! {
        /// The behaviour cases for the Rust API, as data (fixture steps first). The
        /// runner that includes this file defines `Case`, `Step`, `V` and `Expect`
        /// and brings the generated `constants` module into scope.
        pub const CASES: &[Case] = &[#(#full),*];
        /// Cases whose `targets` leave out the Rust API.
        pub const NOT_HERE: &[&str] = &[#(#elsewhere),*];
        /// Cases for a runtime built without some features (`without` in the
        /// spec): those features, and the case.
        pub const WITHOUT: &[(&[&str], Case)] = &[#(#without),*];
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated/conformance/cases.rs: {e}"))?;
    Ok(format!("// {GENERATED_LINE}\n{}", prettyplease::unparse(&file)))
}

/// A C string literal (bytes escaped as octal, so no escape runs into a digit).
fn c_literal(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(c as char);
            }
            0x20..=0x7e if c != b'?' => s.push(c as char),
            _ => s.push_str(&format!("\\{c:03o}")),
        }
    }
    s.push('"');
    s
}

/// Writes C arrays for the cases: values first (tuples need their items
/// defined before use), then steps and cases.
struct CWriter {
    arrays: Vec<String>,
    naming: Names,
}

impl CWriter {
    /// A `cv_t` initializer for a value.
    fn value(&mut self, v: &Value) -> String {
        match v {
            Value::None => "{ .kind = CV_NONE }".into(),
            Value::Bool(b) => format!("{{ .kind = CV_BOOL, .i = {} }}", i32::from(*b)),
            Value::Int(i) => format!("{{ .kind = CV_INT, .i = {i}LL }}"),
            Value::Const(name, _) => format!("{{ .kind = CV_INT, .i = {} }}", self.naming.c_macro(name)),
            Value::Float(f) => format!("{{ .kind = CV_FLOAT, .f = {f:?} }}"),
            Value::Str(t) => format!("{{ .kind = CV_STR, .s = {}, .len = {} }}", c_literal(t.as_bytes()), t.len()),
            Value::Bytes(b) => format!("{{ .kind = CV_BYTES, .s = {}, .len = {} }}", c_literal(b), b.len()),
            Value::Var(n) => format!("{{ .kind = CV_VAR, .s = {} }}", c_literal(n.as_bytes())),
            Value::Tuple(items) => {
                let name = self.array(items);
                format!("{{ .kind = CV_TUPLE, .items = {name}, .len = {} }}", items.len())
            }
        }
    }

    /// A named array of values; its name.
    fn array(&mut self, items: &[Value]) -> String {
        let inits: Vec<String> = items.iter().map(|i| self.value(i)).collect();
        let name = format!("cv_{}", self.arrays.len());
        let body = if inits.is_empty() { "{ .kind = CV_NONE }".to_string() } else { inits.join(", ") };
        self.arrays.push(format!("static const cv_t {name}[] = {{ {body} }};"));
        name
    }

    fn step(&mut self, step: &Step) -> String {
        let opt = |o: &Option<String>| o.as_ref().map_or("NULL".to_string(), |x| c_literal(x.as_bytes()));
        let args = self.array(&step.args);
        let (expect, name, code, value) = match &step.expect {
            None => ("CE_OK", "NULL".to_string(), 0, "NULL".to_string()),
            Some(Outcome::Error(c)) => ("CE_ERROR", c_literal(c.name.as_bytes()), c.value, "NULL".into()),
            Some(Outcome::Exception(e)) => ("CE_EXCEPTION", c_literal(e.as_bytes()), 0, "NULL".into()),
            Some(Outcome::Returns(v)) => ("CE_RETURNS", "NULL".into(), 0, self.array(std::slice::from_ref(v))),
        };
        let (expect, name, code, until) = match &step.until {
            Some((c, max)) => ("CE_ERROR", c_literal(c.name.as_bytes()), c.value, *max),
            None => (expect, name, code, 0),
        };
        format!(
            "{{ .bind = {}, .index = {}, .on = {}, .call = {}, .args = {args}, .n_args = {}, .expect = {expect}, .name = {name}, .code = {code}LL, .value = {value}, .until_max = {until} }}",
            opt(&step.bind),
            step.index.map_or(-1, |i| i as i64),
            opt(&step.on),
            c_literal(step.call.as_bytes()),
            step.args.len(),
        )
    }
}

/// The cases as C data for the C ABI runner (`tests/c/conformance.c`).
fn c_cases(spec: &Spec) -> Result<String, String> {
    let mut w = CWriter { arrays: Vec::new(), naming: Names::new(&spec.module) };
    let mut step_arrays = Vec::new();
    let mut cases = Vec::new();
    let elsewhere: Vec<String> = spec.cases.iter().filter(|c| !c.applies("c")).map(|c| c_literal(c.id.as_bytes())).collect();
    for (n, case) in spec.cases.iter().filter(|c| c.applies("c")).enumerate() {
        let fixture = spec.fixtures.iter().find(|f| f.name == case.fixture);
        let steps: Vec<String> = fixture.into_iter().flat_map(|f| &f.steps).chain(&case.steps).map(|s| w.step(s)).collect();
        step_arrays.push(format!("static const cstep_t steps_{n}[] = {{\n    {}\n}};", steps.join(",\n    ")));
        cases.push(format!("{{ {}, steps_{n}, {} }}", c_literal(case.id.as_bytes()), steps.len()));
    }
    #[derive(Serialize)]
    struct CContext {
        generated: &'static str,
        arrays: Vec<String>,
        steps: Vec<String>,
        cases: Vec<String>,
        elsewhere: Vec<String>,
    }
    templates::render("cases.h.j2", &CContext { generated: GENERATED_LINE, arrays: w.arrays, steps: step_arrays, cases, elsewhere })
}

/// One script per fixture that has cases, and the cases as Rust and C data.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let mut out = vec![Output::new("generated/conformance/cases.rs", rust_cases(spec)?), Output::new("generated/conformance/cases.h", c_cases(spec)?)];
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
