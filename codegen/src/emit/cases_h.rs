//! `generated/conformance/cases.h`: the behaviour cases for the C ABI's runner
//! (`tests/c/conformance.c`): their data types, each fixture's steps once,
//! the cases, and the dispatch from a step's call to its `usocket_*`
//! function. As in `cases.rs`, the dispatch converts each argument by its
//! type and makes the result a value by its kind through functions the
//! runner defines (declared here: one per argument type, one per kind of
//! result), so a new function with existing types needs no runner edit.

use std::collections::HashMap;

use serde::Serialize;

use super::cases_rs::{PACKED_MAX, READ_ALL, TEXT_MAX};
use super::{GENERATED_LINE, templates};
use crate::abi::{self, CType, Param};
use crate::ir::{Arg, Callable, FieldType, Outcome, Owner, Spec, Step, Value};
use crate::naming::Names;
use crate::types::{ArgType, ReturnKind};

/// The runner's output buffer: as large as the largest `buffer` step.
const OUT_MAX: usize = 65536;

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
/// defined before use), each distinct array once.
struct CWriter {
    arrays: Vec<String>,
    by_body: HashMap<String, String>,
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

    /// A named array of values (one element for none, which C needs); its name.
    fn array(&mut self, items: &[Value]) -> String {
        let inits: Vec<String> = items.iter().map(|i| self.value(i)).collect();
        let body = if inits.is_empty() { "{ .kind = CV_NONE }".to_string() } else { inits.join(", ") };
        if let Some(name) = self.by_body.get(&body) {
            return name.clone();
        }
        let name = format!("cv_{}", self.arrays.len());
        self.arrays.push(format!("static const cv_t {name}[] = {{ {body} }};"));
        self.by_body.insert(body, name.clone());
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

    /// A named array of steps; its name and length (`NULL, 0` for none).
    fn steps(&mut self, name: String, steps: &[Step], out: &mut Vec<String>) -> (String, usize) {
        if steps.is_empty() {
            return ("NULL".into(), 0);
        }
        let lines: Vec<String> = steps.iter().map(|s| self.step(s)).collect();
        out.push(format!("static const cstep_t {name}[] = {{\n    {}\n}};", lines.join(",\n    ")));
        (name, steps.len())
    }
}

/// The local of argument `a`.
fn local(a: &Arg) -> String {
    format!("v_{}", a.name)
}

/// Where each argument of `c` is among a step's arguments: its index, or, for
/// a callable with positional forms, `at[k]` after the lines that set `at`
/// from the count (-1: that form leaves it out).
fn positions(c: &Callable) -> (Vec<String>, Vec<String>) {
    if c.forms.is_empty() {
        return (Vec::new(), (0..c.args.len()).map(|k| k.to_string()).collect());
    }
    let form = |names: &[String]| -> String {
        let items: Vec<String> =
            c.args.iter().enumerate().map(|(k, a)| format!("at[{k}] = {};", names.iter().position(|x| *x == a.name).map_or(-1, |p| p as i64))).collect();
        items.join(" ")
    };
    let mut lines = vec![format!("int at[{}];", c.args.len()), "switch (step->n_args) {".to_string()];
    // The last form is the catch-all (the spec's checks allow only the forms' counts).
    if let Some((last, rest)) = c.forms.split_last() {
        for names in rest {
            lines.push(format!("case {}: {} break;", names.len(), form(names)));
        }
        lines.push(format!("default: {} break;", form(last)));
    }
    lines.push("}".into());
    (lines, (0..c.args.len()).map(|k| format!("at[{k}]")).collect())
}

/// Lines converting the arguments of `c` that reach the C ABI, then the
/// sizes that slice a buffer, in spec order as the glue applies them.
fn conversions(w: &mut CWriter, c: &Callable, at: &[String]) -> Vec<String> {
    let names = w.naming.clone();
    let mut out = Vec::new();
    for (k, a) in c.args.iter().enumerate() {
        let (v, at) = (local(a), &at[k]);
        let default = match &a.default {
            Some(d) => w.array(std::slice::from_ref(d)),
            None => "NULL".into(),
        };
        let conv = Names::marshal_arg(a.ty);
        let (decl, outputs) = match a.ty {
            // Glue only (makefile's mode): it never reaches the C ABI.
            ArgType::Str => continue,
            ArgType::Int | ArgType::Bool | ArgType::Port | ArgType::Timeout => (format!("int32_t {v};"), format!("&{v}")),
            ArgType::Size => (format!("long long {v};"), format!("&{v}")),
            ArgType::Bytes | ArgType::Optval => (format!("const uint8_t *{v};\nsize_t {v}_len;"), format!("&{v}, &{v}_len")),
            ArgType::Buffer => (format!("uint8_t *{v};\nsize_t {v}_len;"), format!("&{v}, &{v}_len")),
            ArgType::Host => (format!("const char *{v};\nsize_t {v}_len;"), format!("&{v}, &{v}_len")),
            ArgType::Address => (format!("{} {v};", names.c_struct("addr")), format!("&{v}")),
            ArgType::Ifconfig => {
                let set = names.c_struct("ifconfig_set");
                (format!("{set} {v}_set;\nconst {set} *{v};"), format!("&{v}_set, &{v}"))
            }
        };
        out.extend(decl.lines().map(String::from));
        out.push(format!("CONFORMANCE_TRY({conv}(step, {at}, {default}, {outputs}));"));
    }
    for b in c.args.iter().filter(|b| matches!(b.ty, ArgType::Bytes | ArgType::Buffer | ArgType::Optval)) {
        let v = local(b);
        for s in c.args.iter().filter(|s| s.slices() == Some(b.name.as_str())) {
            let n = local(s);
            if s.offsets.is_some() {
                out.push(format!("if ({n} > 0) {{"));
                out.push(format!("    size_t skip = (size_t){n} < {v}_len ? (size_t){n} : {v}_len;"));
                out.push(format!("    {v} += skip;"));
                out.push(format!("    {v}_len -= skip;"));
                out.push("}".into());
            } else {
                out.push(format!("if ({n} >= 0 && (size_t){n} < {v}_len) {{"));
                out.push(format!("    {v}_len = (size_t){n};"));
                out.push("}".into());
            }
        }
    }
    out
}

/// The expression passed for one C ABI parameter.
fn call_arg(c: &Callable, param: &Param) -> String {
    match (param.name.as_str(), param.ty) {
        ("fd", CType::I32) if c.owner == Owner::Socket => return "fd".into(),
        ("out", CType::MutBytes) => return "conformance_out".into(),
        ("out", CType::MutChar) => return "(char *)conformance_out".into(),
        ("out_len", CType::Size) => return "out_len".into(),
        ("peer" | "from", _) | ("out", CType::MutAddr) => return "&addr_out".into(),
        ("out_ms", _) => return "&ms_out".into(),
        ("out", CType::MutAddrinfo) => return "infos".into(),
        ("out_cap", _) => return "CONFORMANCE_MAX_ADDRINFO".into(),
        ("out", CType::MutIfconfig) => return "&config".into(),
        _ => {}
    }
    for a in c.abi_args() {
        let v = local(a);
        if param.name == abi::len_name(&a.name) {
            return format!("{v}_len");
        }
        if param.name == a.name || param.name == abi::ms_name(&a.name) {
            return if param.ty == CType::ConstAddr { format!("&{v}") } else { v };
        }
    }
    format!("/* unmapped parameter {} */ 0", param.name)
}

/// Lines declaring the outputs a call writes.
fn outputs(names: &Names, c: &Callable) -> Vec<String> {
    let size = c.output_size_arg().map(local);
    let mut out = Vec::new();
    match c.returns {
        ReturnKind::Str => out.push("size_t out_len = CONFORMANCE_TEXT_MAX;".into()),
        ReturnKind::Packed => out.push("size_t out_len = CONFORMANCE_PACKED_MAX;".into()),
        k if k.byte_output() => out.push(format!("size_t out_len = conformance_out_len({});", size.as_deref().unwrap_or("-1"))),
        _ => {}
    }
    match c.returns {
        ReturnKind::SocketAddress | ReturnKind::BytesAddress | ReturnKind::Address => out.push(format!("{} addr_out;", names.c_struct("addr"))),
        ReturnKind::Timeout => out.push("int32_t ms_out = -1;".into()),
        ReturnKind::Addrinfo => out.push(format!("{} infos[CONFORMANCE_MAX_ADDRINFO];", names.c_struct("addrinfo"))),
        ReturnKind::Ifconfig => out.push(format!("{} config;", names.c_struct("ifconfig"))),
        _ => {}
    }
    out
}

/// Lines making the result `r` of the call a value in `out`, by `c`'s kind.
fn result(spec: &Spec, names: &Names, c: &Callable) -> Result<Vec<String>, String> {
    let fail = "if (r < 0) {\n    return r;\n}";
    let or_none = format!("if (r == -{}) {{\n    ret_none(out);\n    return 0;\n}}\n{fail}", names.c_macro("EAGAIN"));
    let text = match c.returns {
        ReturnKind::None => format!("{fail}\nret_none(out);"),
        ReturnKind::Int => format!("{fail}\nret_int(out, r);"),
        ReturnKind::Bool => format!("{fail}\nret_bool(out, r);"),
        ReturnKind::Socket => format!("{fail}\nret_socket(out, (int32_t)r, 1);"),
        ReturnKind::SelfRef => "ret_socket(out, fd, 0);".into(),
        ReturnKind::Bytes | ReturnKind::Packed => format!("{fail}\nret_bytes(out, conformance_out, (size_t)r);"),
        ReturnKind::Str => format!("{fail}\nret_str(out, conformance_out, (size_t)r);"),
        ReturnKind::BytesOrNone | ReturnKind::LineOrNone => format!("{or_none}\nret_bytes(out, conformance_out, (size_t)r);"),
        ReturnKind::IntOrNone => format!("{or_none}\nret_int(out, r);"),
        ReturnKind::BytesAddress => {
            format!("{fail}\nret_tuple(out, 2);\nret_bytes(ret_item(out, 0), conformance_out, (size_t)r);\nret_address(ret_item(out, 1), &addr_out);")
        }
        ReturnKind::SocketAddress => {
            format!("{fail}\nret_tuple(out, 2);\nret_socket(ret_item(out, 0), (int32_t)r, 1);\nret_address(ret_item(out, 1), &addr_out);")
        }
        ReturnKind::Address => format!("{fail}\nret_address(out, &addr_out);"),
        ReturnKind::Timeout => format!("{fail}\nret_seconds(out, ms_out);"),
        // Python's 5-tuples: (family, type, proto, canonname, sockaddr).
        ReturnKind::Addrinfo => format!(
            "{fail}\nret_tuple(out, (size_t)r);\nfor (size_t k = 0; k < (size_t)r && k < CONFORMANCE_MAX_ADDRINFO; k++) {{\n    rv_t *e = ret_item(out, k);\n    ret_tuple(e, 5);\n    ret_int(ret_item(e, 0), infos[k].family);\n    ret_int(ret_item(e, 1), infos[k].socktype);\n    ret_int(ret_item(e, 2), infos[k].proto);\n    ret_str(ret_item(e, 3), \"\", 0);\n    ret_address(ret_item(e, 4), &infos[k].addr);\n}}"
        ),
        // The configuration's addresses as strs; None after a set, as from Python.
        ReturnKind::Ifconfig => {
            let fields = spec.structs.iter().find(|s| s.name == "ifconfig").map(|s| s.fields.as_slice()).unwrap_or_default();
            let addrs: Vec<&str> = fields.iter().filter(|f| f.ty == FieldType::Struct("addr".into())).map(|f| f.name.as_str()).collect();
            let mut text = fail.to_string();
            if let Some(a) = c.args.iter().find(|a| a.ty == ArgType::Ifconfig) {
                text.push_str(&format!("\nif ({} != NULL) {{\n    ret_none(out);\n    return 0;\n}}", local(a)));
            }
            text.push_str(&format!("\nret_tuple(out, {});", addrs.len()));
            for (k, f) in addrs.iter().enumerate() {
                text.push_str(&format!("\nret_ip(ret_item(out, {k}), &config.{f});"));
            }
            text
        }
        ReturnKind::Ipconfig => return Err(format!("cases.h: `{}` is not dispatched (NOT_DISPATCHED)", c.name)),
    };
    Ok(text.lines().map(String::from).chain(["return 0;".to_string()]).collect())
}

/// One callable's branch of the dispatch: its condition and body lines.
#[derive(Serialize)]
struct Branch {
    condition: String,
    lines: Vec<String>,
}

fn branch(w: &mut CWriter, spec: &Spec, c: &Callable) -> Result<Branch, String> {
    let names = w.naming.clone();
    let method = if c.owner == Owner::Socket { "method" } else { "!method" };
    let condition = format!("{method} && strcmp(c, {}) == 0", c_literal(c.name.as_bytes()));
    let mut lines = Vec::new();
    if c.closes {
        lines.extend(["if (!release(fd)) {", "    ret_none(out);", "    return 0;", "}"].map(String::from));
    }
    if c.returns.has_abi() {
        let (forms, at) = positions(c);
        lines.extend(forms);
        lines.extend(conversions(w, c, &at));
        lines.extend(outputs(&names, c));
        let args: Vec<String> = abi::params(c).iter().map(|p| call_arg(c, p)).collect();
        lines.push(format!("long long r = (long long){}({});", names.c_fn(c), args.join(", ")));
    }
    lines.extend(result(spec, &names, c)?);
    Ok(Branch { condition, lines })
}

#[derive(Serialize)]
struct Context {
    generated: &'static str,
    header: String,
    addr_type: String,
    ifconfig_set_type: String,
    read_all: usize,
    text_max: usize,
    packed_max: usize,
    out_max: usize,
    max_addrinfo: u32,
    arrays: Vec<String>,
    steps: Vec<String>,
    cases: Vec<String>,
    elsewhere: Vec<String>,
    branches: Vec<Branch>,
}

/// The cases as C data, and the dispatch, for the C ABI runner (`tests/c/conformance.c`).
pub(super) fn emit(spec: &Spec) -> Result<String, String> {
    let names = Names::new(&spec.module);
    let mut w = CWriter { arrays: Vec::new(), by_body: HashMap::new(), naming: names.clone() };
    let mut step_arrays = Vec::new();
    let mut fixtures = HashMap::new();
    for f in &spec.fixtures {
        let array = w.steps(Names::fixture_c(&f.name), &f.steps, &mut step_arrays);
        fixtures.insert(f.name.as_str(), array);
    }
    let mut cases = Vec::new();
    let elsewhere: Vec<String> = spec.cases.iter().filter(|c| !c.applies("c")).map(|c| c_literal(c.id.as_bytes())).collect();
    for (n, case) in spec.cases.iter().filter(|c| c.applies("c")).enumerate() {
        let (fixture, n_fixture) = fixtures.get(case.fixture.as_str()).cloned().unwrap_or(("NULL".into(), 0));
        let (steps, n_steps) = w.steps(format!("steps_{n}"), &case.steps, &mut step_arrays);
        cases.push(format!("{{ {}, {fixture}, {n_fixture}, {steps}, {n_steps} }}", c_literal(case.id.as_bytes())));
    }
    let branches = spec.callables().filter(|c| c.not_dispatched().is_none()).map(|c| branch(&mut w, spec, c)).collect::<Result<Vec<_>, _>>()?;
    let ctx = Context {
        generated: GENERATED_LINE,
        header: names.header(),
        addr_type: names.c_struct("addr"),
        ifconfig_set_type: names.c_struct("ifconfig_set"),
        read_all: READ_ALL,
        text_max: TEXT_MAX,
        packed_max: PACKED_MAX,
        out_max: OUT_MAX,
        max_addrinfo: spec.limits.max_addrinfo,
        arrays: w.arrays,
        steps: step_arrays,
        cases,
        elsewhere,
        branches,
    };
    templates::render("cases.h.j2", &ctx)
}
