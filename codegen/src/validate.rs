//! Raw spec files → validated [`Spec`]. Every problem becomes a [`Diagnostic`]
//! pointing at the offending text; validation goes on after an error so that one
//! run reports as much as it can.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use toml::Spanned;

use crate::boards::FEATURES;
use crate::diag::{Diagnostic, FileId};
use crate::ir::*;
use crate::raw::*;
use crate::types::{ArgType, EXCEPTIONS, ReturnKind};

/// A raw item and the file it came from.
type InFile<T> = (FileId, Spanned<T>);

/// Everything the files held, merged.
#[derive(Default)]
struct Merged {
    module: Vec<InFile<RawModule>>,
    functions: Vec<InFile<RawCallable>>,
    methods: Vec<InFile<RawCallable>>,
    interface: Vec<InFile<RawInterface>>,
    interface_methods: Vec<InFile<RawCallable>>,
    constants: Vec<InFile<RawConstant>>,
    errnos: Vec<InFile<RawErrno>>,
    gai_errors: Vec<InFile<RawErrno>>,
    services: Vec<InFile<RawService>>,
    rules: Vec<InFile<RawRule>>,
    fixtures: Vec<(FileId, Spanned<String>, Spanned<RawFixture>)>,
    cases: Vec<InFile<RawCase>>,
    differences: Vec<InFile<RawDifference>>,
    structs: Vec<InFile<RawStruct>>,
    limits: Vec<InFile<RawLimits>>,
    boards: Vec<InFile<crate::boards::RawBoard>>,
    ram: Vec<InFile<crate::ram::RawRam>>,
    port: Vec<InFile<crate::port::RawPortFunction>>,
}

/// Collects diagnostics.
/// Collects diagnostics while validating.
pub(crate) struct Checker {
    diags: Vec<Diagnostic>,
}

impl Checker {
    /// Reports an error at `span` of `file`, with a label and what was expected.
    pub(crate) fn err(&mut self, file: FileId, span: Range<usize>, msg: impl Into<String>, label: &str, hint: impl Into<String>) {
        let hint = hint.into();
        let d = Diagnostic::new(file, span, msg).label(label);
        self.diags.push(if hint.is_empty() { d } else { d.hint(hint) });
    }

    /// Reports a duplicate name; returns true when `name` was already seen.
    fn duplicate(&mut self, seen: &mut HashMap<String, String>, kind: &str, file: FileId, name: &Spanned<String>, first_at: String) -> bool {
        if let Some(prev) = seen.get(name.get_ref()) {
            self.err(
                file,
                name.span(),
                format!("duplicate {kind} `{}`", name.get_ref()),
                "defined again here",
                format!("a unique name; the first definition is at {prev}"),
            );
            true
        } else {
            seen.insert(name.get_ref().clone(), first_at);
            false
        }
    }
}

/// Parses and validates the spec files. `files` yields (file id, text) pairs.
pub fn validate(files: &[(FileId, &str)], locate: &dyn Fn(FileId, usize) -> String) -> Result<Spec, Vec<Diagnostic>> {
    let mut ck = Checker { diags: Vec::new() };
    let mut m = Merged::default();
    for &(file, text) in files {
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
                ck.err(file, span, msg, "here", hint);
            }
        }
    }
    if !ck.diags.is_empty() {
        return Err(ck.diags);
    }
    let spec = build(&mut ck, m, locate);
    match spec {
        Some(spec) if ck.diags.is_empty() => Ok(spec),
        _ => Err(ck.diags),
    }
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

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_ident(ck: &mut Checker, file: FileId, name: &Spanned<String>, what: &str, upper: bool) {
    let s = name.get_ref();
    let case_ok = if upper { s.chars().all(|c| !c.is_ascii_lowercase()) } else { s.chars().all(|c| !c.is_ascii_uppercase()) };
    if !is_ident(s) || !case_ok {
        let shape = if upper { "UPPER_CASE" } else { "lower_case" };
        ck.err(file, name.span(), format!("invalid {what} name `{s}`"), "not an identifier", format!("an {shape} identifier"));
    }
}

fn build(ck: &mut Checker, m: Merged, locate: &dyn Fn(FileId, usize) -> String) -> Option<Spec> {
    let module = build_module(ck, &m.module, m.functions.first().map_or(0, |f| f.0))?;
    let constants = build_constants(ck, &m.constants, locate);
    let consts: HashMap<String, i64> = constants.iter().map(|c| (c.name.clone(), c.value)).collect();
    let errnos = build_codes(ck, &m.errnos, Namespace::Errno, locate);
    let gai_errors = build_codes(ck, &m.gai_errors, Namespace::Gai, locate);
    for (name, table) in REQUIRED_CODES {
        if !errnos.iter().chain(&gai_errors).any(|e| e.name == name) {
            let file = m.errnos.first().map(|e| e.0).unwrap_or(0);
            ck.diags.push(
                Diagnostic::new(file, 0..0, format!("the spec has no {table} `{name}`"))
                    .label("missing")
                    .hint(format!("[[{table}]] {name}: the generated C ABI returns it")),
            );
        }
    }
    let services = build_services(ck, &m.services, locate);
    let codes: HashMap<String, ErrorCode> = errnos.iter().chain(&gai_errors).map(|e| (e.name.clone(), e.clone())).collect();
    let functions = build_callables(ck, &m.functions, Owner::Module, &consts, locate);
    let methods = build_callables(ck, &m.methods, Owner::Socket, &consts, locate);
    let interface = build_interface(ck, &m.interface);
    let interface_methods = build_callables(ck, &m.interface_methods, Owner::Interface, &consts, locate);
    check_interface_methods(ck, &m.interface_methods, interface.is_some(), &functions, &methods);
    let constructors = functions.iter().filter(|f| f.returns == ReturnKind::Socket && f.python).count();
    if constructors != 1 {
        let (file, span) = m.functions.first().map(|(f, c)| (*f, c.get_ref().returns.span())).unwrap_or((0, 0..0));
        ck.err(
            file,
            span,
            format!("{constructors} Python functions return `socket`"),
            "constructor",
            "exactly one module function returning socket: it becomes the socket type's constructor",
        );
    }
    if !methods.iter().any(|m| m.closes) {
        ck.diags.push(
            Diagnostic::new(m.methods.first().map(|x| x.0).unwrap_or(0), 0..0, "no method has `closes = true`")
                .label("missing")
                .hint("one method (close) with closes = true: the finaliser calls it"),
        );
    }
    let callables: HashMap<String, Callable> = functions.iter().chain(&methods).chain(&interface_methods).map(|c| (c.name.clone(), c.clone())).collect();
    let scope = Scope { consts: &consts, codes: &codes, functions: &functions, methods: &methods, interface_methods: &interface_methods };
    let rules = build_rules(ck, &m.rules, &scope, &callables, locate);
    let mut fixtures = build_fixtures(ck, &m.fixtures, &scope, locate);
    let mut cases = build_cases(ck, &m.cases, &scope, &fixtures, &rules, locate);
    let (constants_fixture, constant_cases) = constant_cases(ck, &m, &constants);
    fixtures.insert(CONSTANTS_FIXTURE.to_string(), (constants_fixture, HashMap::new()));
    cases.extend(constant_cases);
    let differences = build_differences(ck, &m.differences, &cases, locate);
    let structs = build_structs(ck, &m.structs, locate);
    let limits = build_limits(ck, &m.limits)?;
    let ram = crate::ram::build_ram(ck, &m.ram);
    let boards = crate::boards::build_boards(ck, &m.boards, ram.as_ref());
    let ram = ram?;
    let port = crate::port::build_port(ck, &m.port);
    Some(Spec {
        module,
        functions,
        methods,
        interface,
        interface_methods,
        constants,
        errnos,
        gai_errors,
        services,
        rules,
        fixtures: fixtures.into_values().map(|(f, _)| f).collect(),
        cases,
        differences,
        structs,
        limits,
        boards,
        ram,
        port,
    })
}

/// Codes the generated C ABI itself returns (bad fd, bad pointer, no stack, getaddrinfo misuse).
const REQUIRED_CODES: [(&str, &str); 7] = [
    ("EBADF", "errno"),
    ("EINVAL", "errno"),
    ("ENODEV", "errno"),
    ("EAGAIN", "errno"),
    ("EINTR", "errno"),
    ("EAI_SYSTEM", "gai_error"),
    ("EAI_INTR", "gai_error"),
];

/// `near`: the file to point at when no file has `[module]` (the module functions' file).
fn build_module(ck: &mut Checker, items: &[InFile<RawModule>], near: FileId) -> Option<Module> {
    let Some((file, first)) = items.first() else {
        ck.diags.push(
            Diagnostic::new(near, 0..0, "the spec has no [module] table").label("no file defines it").hint("one file with `[module]` (name, c_prefix, doc)"),
        );
        return None;
    };
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [module] table", "second definition", "exactly one [module] in all spec files");
    }
    let raw = first.get_ref();
    check_ident(ck, *file, &raw.name, "module", false);
    check_ident(ck, *file, &raw.c_prefix, "C prefix", false);
    for a in &raw.aliases {
        check_ident(ck, *file, a, "module alias", false);
    }
    Some(Module {
        name: raw.name.get_ref().clone(),
        aliases: raw.aliases.iter().map(|a| a.get_ref().clone()).collect(),
        c_prefix: raw.c_prefix.get_ref().clone(),
        doc: raw.doc.trim().to_string(),
    })
}

/// `[interface]`: at most one; its module and class must be identifiers.
fn build_interface(ck: &mut Checker, items: &[InFile<RawInterface>]) -> Option<Interface> {
    let (file, first) = items.first()?;
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [interface] table", "second definition", "at most one [interface] in all spec files");
    }
    let raw = first.get_ref();
    check_ident(ck, *file, &raw.module, "interface module", false);
    if !is_ident(raw.class.get_ref()) {
        ck.err(*file, raw.class.span(), format!("invalid class name `{}`", raw.class.get_ref()), "not an identifier", "an identifier such as LAN");
    }
    Some(Interface { module: raw.module.get_ref().clone(), class: raw.class.get_ref().clone(), doc: raw.doc.trim().to_string() })
}

/// Interface methods need `[interface]`, and their C ABI names must not clash
/// with functions' and socket methods' (all are `<prefix>_<name>`).
fn check_interface_methods(ck: &mut Checker, items: &[InFile<RawCallable>], has_interface: bool, functions: &[Callable], methods: &[Callable]) {
    for (file, c) in items {
        let name = &c.get_ref().name;
        if !has_interface {
            ck.err(
                *file,
                name.span(),
                format!("interface method `{}` without [interface]", name.get_ref()),
                "no interface",
                "an [interface] table (module, class, doc)",
            );
        }
        if functions.iter().chain(methods).any(|f| &f.name == name.get_ref()) {
            ck.err(
                *file,
                name.span(),
                format!("interface method `{}` has the C ABI name of a function or socket method", name.get_ref()),
                "clash",
                "a name no function or socket method has",
            );
        }
    }
}

fn build_constants(ck: &mut Checker, items: &[InFile<RawConstant>], locate: &dyn Fn(FileId, usize) -> String) -> Vec<Constant> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, c) in items {
        let c = c.get_ref();
        check_ident(ck, *file, &c.name, "constant", true);
        check_ident(ck, *file, &c.group, "group", false);
        if ck.duplicate(&mut seen, "constant", *file, &c.name, locate(*file, c.name.span().start)) {
            continue;
        }
        if i32::try_from(*c.value.get_ref()).is_err() {
            ck.err(*file, c.value.span(), format!("constant `{}` does not fit in 32 bits", c.name.get_ref()), "out of range", "a value in i32 range");
        }
        out.push(Constant {
            name: c.name.get_ref().clone(),
            value: *c.value.get_ref(),
            group: c.group.get_ref().clone(),
            linux: c.linux,
            python: c.python,
            doc: c.doc.trim().to_string(),
            extension: c.extension.clone(),
        });
    }
    out
}

/// Service names: lowercase `/etc/services` spellings, each once, ports 1..65535.
fn build_services(ck: &mut Checker, items: &[InFile<RawService>], locate: &dyn Fn(FileId, usize) -> String) -> Vec<Service> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, x) in items {
        let x = x.get_ref();
        let name = x.name.get_ref();
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            ck.err(
                *file,
                x.name.span(),
                format!("invalid service name `{name}`"),
                "not a service name",
                "lowercase letters, digits and '-', starting with a letter",
            );
        }
        if ck.duplicate(&mut seen, "service", *file, &x.name, locate(*file, x.name.span().start)) {
            continue;
        }
        let Some(port) = u16::try_from(*x.port.get_ref()).ok().filter(|p| *p != 0) else {
            ck.err(*file, x.port.span(), format!("service `{name}` has port {}", x.port.get_ref()), "out of range", "a port in 1..65535");
            continue;
        };
        out.push(Service { name: name.clone(), port });
    }
    out
}

fn build_codes(ck: &mut Checker, items: &[InFile<RawErrno>], ns: Namespace, locate: &dyn Fn(FileId, usize) -> String) -> Vec<ErrorCode> {
    let (kind, range, hint) = match ns {
        Namespace::Errno => ("errno", 1..=4095, "a positive errno value (1..4095); negative codes are [[gai_error]]s"),
        Namespace::Gai => ("getaddrinfo error", -4095..=-1, "a negative getaddrinfo code (-4095..-1)"),
    };
    let mut seen = HashMap::new();
    let mut values: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::new();
    for (file, e) in items {
        let e = e.get_ref();
        check_ident(ck, *file, &e.name, kind, true);
        if ck.duplicate(&mut seen, kind, *file, &e.name, locate(*file, e.name.span().start)) {
            continue;
        }
        let v = *e.value.get_ref();
        if !range.contains(&v) {
            ck.err(*file, e.value.span(), format!("{kind} `{}` has value {v}, out of range", e.name.get_ref()), "out of range", hint);
        } else if let Some(other) = values.insert(v, e.name.get_ref().clone()) {
            ck.err(
                *file,
                e.value.span(),
                format!("{kind} `{}` reuses the value {v} of `{other}`", e.name.get_ref()),
                "same value",
                "a value no other code has",
            );
        }
        out.push(ErrorCode { name: e.name.get_ref().clone(), value: v, message: e.message.trim().to_string(), namespace: ns });
    }
    out
}

/// Names a step or default may refer to.
struct Scope<'a> {
    consts: &'a HashMap<String, i64>,
    codes: &'a HashMap<String, ErrorCode>,
    functions: &'a [Callable],
    methods: &'a [Callable],
    /// Called like module functions (no `on`): the board has one interface.
    interface_methods: &'a [Callable],
}

/// Resolves a raw value; `vars` is None where variables are not allowed.
fn resolve_value(
    ck: &mut Checker,
    file: FileId,
    span: Range<usize>,
    raw: &RawValue,
    consts: &HashMap<String, i64>,
    vars: Option<&HashMap<String, bool>>,
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
                        ck.err(file, span, format!("unknown constant `{name}`"), "not defined", "the name of a [[constant]]");
                        return None;
                    }
                }
            } else if let Some(name) = s.strip_prefix('$') {
                match vars {
                    Some(v) if v.contains_key(name) => Value::Var(name.to_string()),
                    Some(_) => {
                        ck.err(file, span, format!("variable `${name}` is used before it is bound"), "unbound", "a name bound by an earlier step's `let`");
                        return None;
                    }
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

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|d| u8::from_str_radix(d, 16).ok())).collect()
}

/// Does a default value fit the argument type?
fn default_fits(ty: ArgType, v: &Value) -> bool {
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

fn build_callables(
    ck: &mut Checker,
    items: &[InFile<RawCallable>],
    owner: Owner,
    consts: &HashMap<String, i64>,
    locate: &dyn Fn(FileId, usize) -> String,
) -> Vec<Callable> {
    let kind = match owner {
        Owner::Module => "function",
        Owner::Socket => "method",
        Owner::Interface => "interface method",
    };
    let kinds: Vec<&str> = ReturnKind::ALL.iter().map(|(n, _)| *n).collect();
    let types: Vec<&str> = ArgType::ALL.iter().map(|(n, _)| *n).collect();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, c) in items {
        let (file, span, c) = (*file, c.span(), c.get_ref());
        check_ident(ck, file, &c.name, kind, false);
        if ck.duplicate(&mut seen, kind, file, &c.name, locate(file, c.name.span().start)) {
            continue;
        }
        let Some(returns) = ReturnKind::parse(c.returns.get_ref()) else {
            ck.err(file, c.returns.span(), format!("unknown return kind `{}`", c.returns.get_ref()), "unknown", format!("one of {}", kinds.join(", ")));
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
        let mut args: Vec<Arg> = Vec::new();
        let mut arg_names = HashMap::new();
        let mut optional_seen = false;
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
            if ck.duplicate(&mut arg_names, "argument", file, &a.name, locate(file, a.name.span().start)) {
                continue;
            }
            let Some(ty) = ArgType::parse(a.r#type.get_ref()) else {
                ck.err(file, a.r#type.span(), format!("unknown argument type `{}`", a.r#type.get_ref()), "unknown", format!("one of {}", types.join(", ")));
                continue;
            };
            let default = match &a.default {
                None => {
                    if optional_seen {
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
                    optional_seen = true;
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
                let target = args.iter().find(|b| &b.name == l.get_ref());
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
            args.push(Arg {
                name: a.name.get_ref().clone(),
                ty,
                default,
                doc: a.doc.trim().to_string(),
                choices,
                limits: a.limits.as_ref().map(|l| l.get_ref().clone()),
                offsets: a.offsets.as_ref().map(|l| l.get_ref().clone()),
            });
        }
        let callable = Callable {
            name: c.name.get_ref().clone(),
            owner,
            returns,
            doc: c.doc.trim().to_string(),
            args,
            blocks: c.blocks,
            python: c.python,
            keywords: c.keywords,
            closes: c.closes,
            extension: c.extension.clone(),
            forms: c.forms.as_ref().map(|f| f.get_ref().clone()).unwrap_or_default(),
        };
        if let Some(forms) = &c.forms {
            check_forms(ck, file, forms.span(), &callable);
        }
        check_shape(ck, file, span, &c.returns, &callable);
        out.push(callable);
    }
    out
}

/// Checks `forms`: positional only, each names known arguments once and holds
/// the required ones, one form per argument count, every argument in some form.
fn check_forms(ck: &mut Checker, file: FileId, span: Range<usize>, c: &Callable) {
    let mut problem = |msg: String, hint: &str| ck.err(file, span.clone(), msg, "forms", hint);
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
const RESERVED_ARGS: [&str; 9] = ["fd", "out", "out_len", "out_cap", "out_ms", "peer", "from", "result", "self"];

fn default_hint(ty: ArgType) -> &'static str {
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
fn check_shape(ck: &mut Checker, file: FileId, span: Range<usize>, returns: &Spanned<String>, c: &Callable) {
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

fn resolve_code(ck: &mut Checker, file: FileId, name: &Spanned<String>, codes: &HashMap<String, ErrorCode>) -> Option<ErrorCode> {
    let found = codes.get(name.get_ref()).cloned();
    if found.is_none() {
        ck.err(
            file,
            name.span(),
            format!("unknown errno `{}`", name.get_ref()),
            "not in the errno or getaddrinfo tables",
            "the name of an [[errno]] or [[gai_error]]",
        );
    }
    found
}

fn resolve_exception(ck: &mut Checker, file: FileId, name: &Spanned<String>) -> Option<String> {
    if EXCEPTIONS.contains(&name.get_ref().as_str()) {
        Some(name.get_ref().clone())
    } else {
        ck.err(
            file,
            name.span(),
            format!("unknown exception `{}`", name.get_ref()),
            "unknown",
            format!("one of {} (OSError is written as errno = \"...\")", EXCEPTIONS.join(", ")),
        );
        None
    }
}

/// The `errno`, `exception` and `returns` keys of a rule or step.
type OutcomeParts<'a> = (&'a Option<Spanned<String>>, &'a Option<Spanned<String>>, &'a Option<Spanned<RawValue>>);

/// Exactly one outcome of errno / exception / returns.
fn resolve_outcome(
    ck: &mut Checker,
    file: FileId,
    span: Range<usize>,
    parts: OutcomeParts,
    scope: &Scope,
    vars: Option<&HashMap<String, bool>>,
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

fn build_rules(
    ck: &mut Checker,
    items: &[InFile<RawRule>],
    scope: &Scope,
    callables: &HashMap<String, Callable>,
    locate: &dyn Fn(FileId, usize) -> String,
) -> Vec<Rule> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, r) in items {
        let (file, span, r) = (*file, r.span(), r.get_ref());
        if ck.duplicate(&mut seen, "rule", file, &r.id, locate(file, r.id.span().start)) {
            continue;
        }
        let outcome = resolve_outcome(ck, file, span, (&r.errno, &r.exception, &r.returns), scope, None, true);
        for m in &r.methods {
            let Some(c) = callables.get(m.get_ref()) else {
                ck.err(
                    file,
                    m.span(),
                    format!("rule `{}` names unknown method `{}`", r.id.get_ref(), m.get_ref()),
                    "unknown",
                    "the name of a [[function]], [[method]] or [[interface_method]]",
                );
                continue;
            };
            if let Some(Some(Outcome::Error(code))) = &outcome {
                let gai = c.returns == ReturnKind::Addrinfo;
                if gai != (code.namespace == Namespace::Gai) {
                    let (what, hint) = if gai {
                        ("the errno", "a getaddrinfo code (EAI_*)")
                    } else {
                        ("the getaddrinfo code", "a positive errno (getaddrinfo codes are for getaddrinfo only)")
                    };
                    ck.err(file, m.span(), format!("`{}` cannot raise {what} `{}`", m.get_ref(), code.name), "wrong namespace", hint);
                }
            }
        }
        if let Some(Some(outcome)) = outcome {
            out.push(Rule {
                id: r.id.get_ref().clone(),
                when: r.when.trim().to_string(),
                methods: r.methods.iter().map(|m| m.get_ref().clone()).collect(),
                outcome,
            });
        }
    }
    out
}

/// Validates a pseudo-step (`value`, `buffer`, `forget`; see ir.rs): its one
/// argument, and no `index`, `let` or outcome where they make no sense.
fn build_pseudo_step(ck: &mut Checker, file: FileId, span: Range<usize>, s: &RawStep, scope: &Scope, vars: &mut HashMap<String, bool>) -> Option<Step> {
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
        (FORGET_STEP, Value::Var(name)) if vars.get(name) == Some(&true) && expect.is_none() && s.r#let.is_none() => {
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
        vars.insert(name.get_ref().clone(), false);
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

/// Validates steps; `vars` maps bound variables to "is a socket".
fn build_steps(ck: &mut Checker, file: FileId, steps: &[Spanned<RawStep>], scope: &Scope, vars: &mut HashMap<String, bool>) -> Vec<Step> {
    let mut out = Vec::new();
    for s in steps {
        let (span, s) = (s.span(), s.get_ref());
        if s.on.is_none() && [VALUE_STEP, BUFFER_STEP, FORGET_STEP].contains(&s.call.get_ref().as_str()) {
            out.extend(build_pseudo_step(ck, file, span, s, scope, vars));
            continue;
        }
        let callable = match &s.on {
            Some(on) => {
                match vars.get(on.get_ref()) {
                    None => ck.err(
                        file,
                        on.span(),
                        format!("variable `{}` is used before it is bound", on.get_ref()),
                        "unbound",
                        "a socket bound by an earlier step's `let`",
                    ),
                    Some(false) => ck.err(
                        file,
                        on.span(),
                        format!("`{}` is not a socket", on.get_ref()),
                        "not a socket",
                        "a variable bound to a socket() or accept() result",
                    ),
                    Some(true) => {}
                }
                scope.methods.iter().find(|m| &m.name == s.call.get_ref())
            }
            None => scope.functions.iter().chain(scope.interface_methods).find(|f| &f.name == s.call.get_ref()),
        };
        let Some(callable) = callable else {
            let what = if s.on.is_some() { "method" } else { "module function or interface method" };
            ck.err(
                file,
                s.call.span(),
                format!("unknown {what} `{}`", s.call.get_ref()),
                "unknown",
                format!("a {what} of the spec (methods need `on`), or a `{VALUE_STEP}`/`{BUFFER_STEP}`/`{FORGET_STEP}` step"),
            );
            continue;
        };
        let n = s.args.len();
        // ipconfig() takes one parameter name, or keywords.
        let ipconfig = callable.returns == ReturnKind::Ipconfig;
        let (least, most) = if ipconfig { (0, 1) } else { (callable.required(), callable.args.len()) };
        if !s.kwargs.is_empty() && !ipconfig {
            let first = s.kwargs.values().next().map(|v| v.span()).unwrap_or(s.call.span());
            ck.err(
                file,
                first,
                format!("`{}` takes no keyword arguments in a step", callable.name),
                "keywords",
                "positional `args` (keywords are for ipconfig())",
            );
        }
        if n < least || n > most {
            ck.err(
                file,
                s.call.span(),
                format!("`{}` takes {least}..{most} arguments, the step passes {n}", callable.name),
                "argument count",
                "as many arguments as the spec's signature allows",
            );
        }
        let args: Vec<Value> = s.args.iter().filter_map(|a| resolve_value(ck, file, a.span(), a.get_ref(), scope.consts, Some(vars))).collect();
        let kwargs: Vec<(String, Value)> =
            s.kwargs.iter().filter_map(|(k, v)| Some((k.clone(), resolve_value(ck, file, v.span(), v.get_ref(), scope.consts, Some(vars))?))).collect();
        let expect = resolve_outcome(ck, file, span.clone(), (&s.errno, &s.exception, &s.returns), scope, Some(vars), false).flatten();
        let until = match (&s.until_errno, &s.max) {
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
        };
        if until.is_some() && expect.is_some() {
            ck.err(file, span.clone(), "a repeated step cannot also expect an outcome", "both", "either `until_errno` or one of errno/exception/returns");
        }
        let index = match &s.index {
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
        };
        if let Some(name) = &s.r#let {
            check_ident(ck, file, name, "variable", false);
            let socket = match callable.returns {
                ReturnKind::Socket => index.is_none(),
                ReturnKind::SocketAddress => index == Some(0),
                // makefile(): the socket itself.
                ReturnKind::SelfRef => index.is_none(),
                _ => false,
            };
            vars.insert(name.get_ref().clone(), socket);
        }
        out.push(Step {
            bind: s.r#let.as_ref().map(|l| l.get_ref().clone()),
            index,
            on: s.on.as_ref().map(|o| o.get_ref().clone()),
            call: callable.name.clone(),
            args,
            kwargs,
            expect,
            until,
        });
    }
    out
}

/// Fixtures by name, with the variables each binds.
type Fixtures = BTreeMap<String, (Fixture, HashMap<String, bool>)>;

fn build_fixtures(
    ck: &mut Checker,
    items: &[(FileId, Spanned<String>, Spanned<RawFixture>)],
    scope: &Scope,
    locate: &dyn Fn(FileId, usize) -> String,
) -> Fixtures {
    let mut seen = HashMap::new();
    let mut out = BTreeMap::new();
    for (file, name, f) in items {
        check_ident(ck, *file, name, "fixture", false);
        if ck.duplicate(&mut seen, "fixture", *file, name, locate(*file, name.span().start)) {
            continue;
        }
        let mut vars = HashMap::new();
        let steps = build_steps(ck, *file, &f.get_ref().steps, scope, &mut vars);
        let fixture = Fixture { name: name.get_ref().clone(), doc: f.get_ref().doc.trim().to_string(), steps };
        out.insert(name.get_ref().clone(), (fixture, vars));
    }
    out
}

fn build_cases(
    ck: &mut Checker,
    items: &[InFile<RawCase>],
    scope: &Scope,
    fixtures: &Fixtures,
    rules: &[Rule],
    locate: &dyn Fn(FileId, usize) -> String,
) -> Vec<Case> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, c) in items {
        let (file, c) = (*file, c.get_ref());
        if ck.duplicate(&mut seen, "case", file, &c.id, locate(file, c.id.span().start)) {
            continue;
        }
        let Some((_, fixture_vars)) = fixtures.get(c.fixture.get_ref()) else {
            let names: Vec<&str> = fixtures.keys().map(String::as_str).collect();
            ck.err(
                file,
                c.fixture.span(),
                format!("case `{}` names unknown fixture `{}`", c.id.get_ref(), c.fixture.get_ref()),
                "unknown fixture",
                format!("one of {}", names.join(", ")),
            );
            continue;
        };
        if let Some(r) = &c.rule
            && !rules.iter().any(|x| &x.id == r.get_ref())
        {
            ck.err(file, r.span(), format!("case `{}` names unknown rule `{}`", c.id.get_ref(), r.get_ref()), "unknown rule", "the id of a [[rule]]");
        }
        let mut vars = fixture_vars.clone();
        let steps = build_steps(ck, file, &c.steps, scope, &mut vars);
        let targets = c.targets.as_ref().map_or_else(|| CASE_TARGETS.map(String::from).to_vec(), |t| t.get_ref().clone());
        if let Some(t) = &c.targets
            && (t.get_ref().is_empty() || t.get_ref().iter().any(|x| !CASE_TARGETS.contains(&x.as_str())))
        {
            ck.err(file, t.span(), "unknown target in `targets`", "unknown", format!("a non-empty list of {}", CASE_TARGETS.join(", ")));
        }
        let span = c.targets.as_ref().map_or(c.id.span(), |t| t.span());
        let python_only = steps.iter().any(|s| matches!(s.expect, Some(Outcome::Exception(_))));
        if python_only && targets.iter().any(|t| t != "micropython") {
            ck.err(
                file,
                span.clone(),
                format!("case `{}` expects a Python exception, which only the MicroPython glue raises", c.id.get_ref()),
                "not for rust or c",
                "targets = [\"micropython\"]",
            );
        }
        let fixture_steps = fixtures.get(c.fixture.get_ref()).map(|(f, _)| f.steps.as_slice()).unwrap_or_default();
        let all_steps = || fixture_steps.iter().chain(&steps);
        let hidden = all_steps().map(|s| s.call.as_str()).find(|call| {
            !SCRIPT_HELPERS.contains(call) && scope.functions.iter().chain(scope.methods).chain(scope.interface_methods).any(|f| f.name == *call && !f.python)
        });
        if all_steps().any(|s| s.call == FORGET_STEP) && targets.iter().any(|t| t != "micropython") {
            ck.err(
                file,
                span.clone(),
                format!("case `{}` forgets a socket, which only a garbage collector closes", c.id.get_ref()),
                "not for rust or c",
                "targets = [\"micropython\"]",
            );
        } else if let Some(call) = hidden.filter(|_| targets.iter().any(|t| t == "micropython")) {
            ck.err(
                file,
                span.clone(),
                format!("case `{}` calls `{call}`, which Python does not have", c.id.get_ref()),
                "not for micropython",
                "targets = [\"rust\", \"c\"]",
            );
        }
        let without = c.without.as_ref().map_or_else(Vec::new, |w| w.get_ref().clone());
        if let Some(w) = &c.without {
            if without.is_empty() || without.iter().any(|f| !FEATURES.contains(&f.as_str())) {
                ck.err(file, w.span(), "unknown feature in `without`", "unknown", format!("a non-empty list of {}", FEATURES.join(", ")));
            } else if targets != ["rust"] {
                ck.err(
                    file,
                    w.span(),
                    format!("case `{}` needs a build without {}, which only the Rust API's feature runner has", c.id.get_ref(), without.join(", ")),
                    "not for a full build",
                    "targets = [\"rust\"]",
                );
            }
        }
        out.push(Case {
            id: c.id.get_ref().clone(),
            rule: c.rule.as_ref().map(|r| r.get_ref().clone()),
            fixture: c.fixture.get_ref().clone(),
            doc: c.doc.trim().to_string(),
            steps,
            targets,
            without,
        });
    }
    out
}

/// The id of the case generated for a constant: `constant-af-inet`.
fn constant_case_id(name: &str) -> String {
    format!("constant-{}", name.to_ascii_lowercase().replace('_', "-"))
}

/// One generated case per constant, with the fixture `constants`: reading the
/// constant returns the spec's value (on Python only for Python-visible ones).
/// The fixture name and the `constant-` case ids are reserved.
fn constant_cases(ck: &mut Checker, m: &Merged, constants: &[Constant]) -> (Fixture, Vec<Case>) {
    for (file, name, _) in &m.fixtures {
        if name.get_ref() == CONSTANTS_FIXTURE {
            ck.err(
                *file,
                name.span(),
                format!("fixture name `{CONSTANTS_FIXTURE}` is reserved"),
                "reserved",
                "another name: the constants' generated cases use it",
            );
        }
    }
    for (file, c) in &m.cases {
        let id = c.get_ref().id.get_ref();
        if id.starts_with("constant-") {
            ck.err(
                *file,
                c.get_ref().id.span(),
                format!("case id `{id}` uses the reserved prefix `constant-`"),
                "reserved",
                "another id: each constant gets a generated `constant-` case",
            );
        }
    }
    let fixture = Fixture {
        name: CONSTANTS_FIXTURE.to_string(),
        doc: "Nothing: one generated case per constant of the spec, reading its value.".to_string(),
        steps: Vec::new(),
    };
    let cases = constants
        .iter()
        .map(|c| {
            let targets: &[&str] = if c.python { &CASE_TARGETS } else { &["rust", "c"] };
            let value = Value::Const(c.name.clone(), c.value);
            Case {
                id: constant_case_id(&c.name),
                rule: None,
                fixture: CONSTANTS_FIXTURE.to_string(),
                doc: format!("{} is {}.", c.name, c.value),
                steps: vec![Step {
                    bind: None,
                    index: None,
                    on: None,
                    call: VALUE_STEP.to_string(),
                    args: vec![value],
                    kwargs: vec![],
                    expect: Some(Outcome::Returns(Value::Int(c.value))),
                    until: None,
                }],
                targets: targets.iter().map(|t| t.to_string()).collect(),
                without: Vec::new(),
            }
        })
        .collect();
    (fixture, cases)
}

/// Interpreters a difference may be against.
const OTHER_INTERPRETERS: [&str; 3] = ["cpython", "stock", "modlwip"];

fn build_differences(ck: &mut Checker, items: &[InFile<RawDifference>], cases: &[Case], locate: &dyn Fn(FileId, usize) -> String) -> Vec<Difference> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, d) in items {
        let d = d.get_ref();
        if ck.duplicate(&mut seen, "difference", *file, &d.id, locate(*file, d.id.span().start)) {
            continue;
        }
        let against = d.against.as_ref().map_or_else(|| vec!["cpython".to_string()], |a| a.get_ref().clone());
        if let Some(a) = &d.against
            && (a.get_ref().is_empty() || a.get_ref().iter().any(|x| !OTHER_INTERPRETERS.contains(&x.as_str())))
        {
            ck.err(*file, a.span(), "unknown interpreter in `against`", "unknown", format!("a non-empty list of {}", OTHER_INTERPRETERS.join(", ")));
        }
        for c in &d.cases {
            if !cases.iter().any(|k| &k.id == c.get_ref()) {
                ck.err(*file, c.span(), format!("unknown case `{}`", c.get_ref()), "no such case", "the id of a [[case]]");
            }
        }
        out.push(Difference {
            id: d.id.get_ref().clone(),
            page: d.page,
            summary: d.summary.trim().to_string(),
            detail: d.detail.trim().to_string(),
            against,
            cases: d.cases.iter().map(|c| c.get_ref().clone()).collect(),
            varies: d.varies,
        });
    }
    out
}

/// Fields the generator relies on, per struct.
const REQUIRED_FIELDS: [(&str, &[(&str, &str)]); 4] = [
    ("addr", &[("family", "u16"), ("port", "u16"), ("scope_id", "u32")]),
    ("addrinfo", &[("family", "i32"), ("socktype", "i32"), ("proto", "i32"), ("addr", "addr")]),
    ("ifconfig", &[("ip", "addr"), ("netmask", "addr"), ("gateway", "addr"), ("dns", "addr")]),
    ("ifconfig_set", &[("dhcp", "u32"), ("config", "ifconfig")]),
];

/// The spec spelling of a field type.
fn field_spelling(ty: &FieldType) -> String {
    match ty {
        FieldType::U8 => "u8".into(),
        FieldType::U16 => "u16".into(),
        FieldType::U32 => "u32".into(),
        FieldType::I32 => "i32".into(),
        FieldType::Bytes(n) => format!("u8[{n}]"),
        FieldType::Struct(s) => s.clone(),
    }
}

fn parse_field_type(s: &str, known: &[Struct]) -> Option<FieldType> {
    Some(match s {
        "u8" => FieldType::U8,
        "u16" => FieldType::U16,
        "u32" => FieldType::U32,
        "i32" => FieldType::I32,
        _ => {
            if let Some(n) = s.strip_prefix("u8[").and_then(|r| r.strip_suffix(']')) {
                return n.parse().ok().filter(|n| (1..=256).contains(n)).map(FieldType::Bytes);
            }
            return known.iter().any(|k| k.name == s).then(|| FieldType::Struct(s.to_string()));
        }
    })
}

fn build_structs(ck: &mut Checker, items: &[InFile<RawStruct>], locate: &dyn Fn(FileId, usize) -> String) -> Vec<Struct> {
    let mut seen = HashMap::new();
    let mut out: Vec<Struct> = Vec::new();
    for (file, s) in items {
        let (file, span, s) = (*file, s.span(), s.get_ref());
        check_ident(ck, file, &s.name, "struct", false);
        if ck.duplicate(&mut seen, "struct", file, &s.name, locate(file, s.name.span().start)) {
            continue;
        }
        let mut fields = Vec::new();
        let mut names = HashMap::new();
        for f in &s.fields {
            let f = f.get_ref();
            check_ident(ck, file, &f.name, "field", false);
            if ck.duplicate(&mut names, "field", file, &f.name, locate(file, f.name.span().start)) {
                continue;
            }
            match parse_field_type(f.r#type.get_ref(), &out) {
                Some(ty) => fields.push(Field { name: f.name.get_ref().clone(), ty, doc: f.doc.trim().to_string() }),
                None => ck.err(
                    file,
                    f.r#type.span(),
                    format!("unknown field type `{}`", f.r#type.get_ref()),
                    "unknown",
                    "u8, u16, u32, i32, u8[N] (N in 1..256) or an earlier struct's name",
                ),
            }
        }
        if let Some((_, required)) = REQUIRED_FIELDS.iter().find(|(n, _)| n == s.name.get_ref()) {
            for (name, ty) in required.iter() {
                if !fields.iter().any(|f| f.name == *name && field_spelling(&f.ty) == *ty) {
                    ck.err(
                        file,
                        span.clone(),
                        format!("struct `{}` lacks field `{name}` of type {ty}", s.name.get_ref()),
                        "incomplete",
                        "the fields the generated glue reads",
                    );
                }
            }
        }
        out.push(Struct { name: s.name.get_ref().clone(), doc: s.doc.trim().to_string(), fields });
    }
    for (name, _) in REQUIRED_FIELDS {
        if !out.iter().any(|s| s.name == name) {
            ck.diags.push(
                Diagnostic::new(items.first().map(|i| i.0).unwrap_or(0), 0..0, format!("the spec has no struct `{name}`"))
                    .label("missing")
                    .hint(format!("a [[struct]] named `{name}`")),
            );
        }
    }
    out
}

fn build_limits(ck: &mut Checker, items: &[InFile<RawLimits>]) -> Option<Limits> {
    let Some((file, l)) = items.first() else {
        ck.diags.push(Diagnostic::new(0, 0..0, "the spec has no [limits] table").label("missing").hint("[limits] with max_addrinfo and read_chunk"));
        return None;
    };
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [limits] table", "second definition", "exactly one [limits]");
    }
    let l = l.get_ref();
    let mut get = |v: &Spanned<i64>, range: std::ops::RangeInclusive<i64>| {
        if !range.contains(v.get_ref()) {
            ck.err(*file, v.span(), format!("limit {} is out of range", v.get_ref()), "out of range", format!("{}..{}", range.start(), range.end()));
        }
        u32::try_from(*v.get_ref()).unwrap_or(0)
    };
    Some(Limits { max_addrinfo: get(&l.max_addrinfo, 1..=64), read_chunk: get(&l.read_chunk, 16..=65536) })
}
