//! `generated/stubs/usocket.pyi`: typed stubs for editors and type checkers;
//! `generated/stubs/socket.pyi`, the module's other import name, re-exports
//! it. The `socket` function is the constructor of the `socket` class.

use serde::Serialize;

use super::python::{python_default, python_literal};
use super::{GENERATED_LINE, Output, templates};
use crate::ir::{Arg, Callable, Spec, Value};
use crate::naming::Names;
use crate::types::{ArgType, ReturnKind};

/// Python's reserved words: never a parameter or function name in a stub.
const PY_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
    "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Indentation of a method body.
const METHOD_BODY: usize = 8;

/// Indentation of a function body.
const FUNCTION_BODY: usize = 4;

/// A `def`.
#[derive(Serialize)]
struct Def {
    /// Function or method name.
    name: String,
    /// Typed parameter list (`self, bufsize: int, /`).
    params: String,
    /// Return annotation.
    ret: String,
    /// Docstring lines, quotes and indentation included.
    doc: Vec<String>,
    /// One of several positional forms (`@overload`).
    overload: bool,
}

/// A module constant.
#[derive(Serialize)]
struct Const {
    /// Name.
    name: String,
    /// Docstring lines, quotes included.
    doc: Vec<String>,
}

/// Everything the stub template prints.
#[derive(Serialize)]
struct Context {
    generated: &'static str,
    doc: Vec<String>,
    constants: Vec<Const>,
    class_name: &'static str,
    methods: Vec<Def>,
    functions: Vec<Def>,
    /// Some def is an `@overload` (the stub imports it).
    overloads: bool,
}

/// Docstring lines at `indent`: `"""One line."""`, or an opening line, the
/// rest, and `"""` on a line of its own. Blank lines stay empty.
fn docstring(text: &str, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let text = text.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    let lines: Vec<&str> = text.trim().lines().map(str::trim_end).collect();
    match lines.as_slice() {
        [] => vec![format!("{pad}\"\"\"\"\"\"")],
        [one] => {
            let one = match one.strip_suffix('"') {
                Some(head) => format!("{head}\\\""),
                None => one.to_string(),
            };
            vec![format!("{pad}\"\"\"{one}\"\"\"")]
        }
        [first, rest @ ..] => {
            let mut out = vec![format!("{pad}\"\"\"{first}")];
            out.extend(rest.iter().map(|l| if l.is_empty() { String::new() } else { format!("{pad}{l}") }));
            out.push(format!("{pad}\"\"\""));
            out
        }
    }
}

/// The docstring text of a callable: its doc, its arguments (with their choices), its extension reason.
fn callable_text(c: &Callable) -> String {
    let mut text = c.doc.clone();
    if !c.args.is_empty() {
        text.push_str("\n\nArgs:");
        for a in &c.args {
            let mut doc = a.doc.split_whitespace().collect::<Vec<_>>().join(" ");
            if !a.choices.is_empty() {
                let choices: Vec<String> = a.choices.iter().map(|c| python_literal(&Value::Str(c.clone()))).collect();
                doc.push_str(&format!(" One of {}.", choices.join(", ")));
            }
            text.push_str(&format!("\n    {}: {doc}", a.name));
        }
    }
    if let Some(e) = &c.extension {
        text.push_str(&format!("\n\nExtension: {e}"));
    }
    text
}

/// An identifier that Python accepts as a name, or an error naming it.
fn python_name<'a>(name: &'a str, what: &str, owner: &str) -> Result<&'a str, String> {
    if PY_KEYWORDS.contains(&name) { Err(format!("stubs: {what} `{name}` of `{owner}` is a Python keyword")) } else { Ok(name) }
}

/// The typed parameter list of `args`; `self` first for methods, `/` when keywords are refused.
fn params(spec: &Spec, c: &Callable, args: &[&Arg], with_self: bool) -> Result<String, String> {
    let mut out: Vec<String> = Vec::new();
    if with_self {
        out.push("self".into());
    }
    for a in args {
        let name = python_name(&a.name, "argument", &c.name)?;
        let mut ty = a.ty.python_stub().to_string();
        if a.default == Some(Value::None) && !ty.split(" | ").any(|t| t == "None") {
            ty.push_str(" | None");
        }
        out.push(match &a.default {
            None => format!("{name}: {ty}"),
            Some(Value::Tuple(_) | Value::Var(_)) => format!("{name}: {ty} = ..."),
            Some(d) => format!("{name}: {ty} = {}", python_default(spec, d)),
        });
    }
    if !c.keywords && !args.is_empty() {
        out.push("/".into());
    }
    Ok(out.join(", "))
}

/// The module function that is the class constructor: `socket()` returning a socket.
fn is_constructor(c: &Callable) -> bool {
    c.returns == ReturnKind::Socket && c.name == Names::python_class()
}

/// The `def`s of one callable: one, or one `@overload` per positional form.
fn def(spec: &Spec, c: &Callable, method: bool) -> Result<Vec<Def>, String> {
    let indent = if method { METHOD_BODY } else { FUNCTION_BODY };
    let mut ret = c.returns.python_stub().to_string();
    // With an ifconfig argument the call sets, and returns None.
    if c.args.iter().any(|a| a.ty == ArgType::Ifconfig) {
        ret.push_str(" | None");
    }
    let name = python_name(&c.name, "function", &c.name)?.to_string();
    let doc = docstring(&callable_text(c), indent);
    if c.returns == ReturnKind::Ipconfig {
        let params = "self, param: str | None = None, /, **config: object".to_string();
        return Ok(vec![Def { name, params, ret, doc, overload: false }]);
    }
    if c.forms.is_empty() {
        let all: Vec<&Arg> = c.args.iter().collect();
        return Ok(vec![Def { name, params: params(spec, c, &all, method)?, ret, doc, overload: false }]);
    }
    // One `@overload` per positional form: every argument of a form is given.
    let required = |form: Vec<&Arg>| form.into_iter().map(|a| Arg { default: None, ..a.clone() }).collect::<Vec<_>>();
    c.positional_forms()
        .into_iter()
        .map(|form| {
            let form = required(form);
            let refs: Vec<&Arg> = form.iter().collect();
            Ok(Def { name: name.clone(), params: params(spec, c, &refs, method)?, ret: ret.clone(), doc: doc.clone(), overload: true })
        })
        .collect()
}

/// Emits one stub per import name of the module.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let python_functions = || spec.functions.iter().filter(|c| c.python);
    let mut methods = Vec::new();
    for c in python_functions().filter(|c| is_constructor(c)) {
        let all: Vec<&Arg> = c.args.iter().collect();
        methods.push(Def {
            name: "__init__".into(),
            params: params(spec, c, &all, true)?,
            ret: "None".into(),
            doc: docstring(&callable_text(c), METHOD_BODY),
            overload: false,
        });
    }
    for c in spec.methods.iter().filter(|c| c.python) {
        methods.extend(def(spec, c, true)?);
    }
    let functions =
        python_functions().filter(|c| !is_constructor(c)).map(|c| def(spec, c, false)).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
    let constants = spec
        .constants
        .iter()
        .filter(|c| c.python)
        .map(|c| {
            let text = match &c.extension {
                Some(e) => format!("{}\n\nExtension: {e}", c.doc),
                None => c.doc.clone(),
            };
            Const { name: c.name.clone(), doc: docstring(&text, 0) }
        })
        .collect();
    let mut module_doc = spec.module.doc.clone();
    if !spec.module.aliases.is_empty() {
        module_doc.push_str(&format!("\n\nAlso importable as {}.", spec.module.aliases.join(", ")));
    }
    let overloads = methods.iter().chain(&functions).any(|d: &Def| d.overload);
    let ctx =
        Context { generated: GENERATED_LINE, doc: docstring(&module_doc, 0), constants, class_name: Names::python_class(), methods, functions, overloads };
    let text = templates::render("socket.pyi.j2", &ctx)?;
    let source = Names::stub_module(&spec.module);
    let reexport = templates::render("reexport.pyi.j2", &Reexport { generated: GENERATED_LINE, doc: ctx.doc.clone(), source })?;
    let mut out: Vec<Output> = Names::stub_files(&spec.module)
        .into_iter()
        .map(|f| {
            let contents = if f == format!("{source}.pyi") { text.clone() } else { reexport.clone() };
            Output::new(format!("generated/stubs/{f}"), contents)
        })
        .collect();
    if let Some(i) = &spec.interface {
        let methods =
            spec.interface_methods.iter().filter(|c| c.python).map(|c| def(spec, c, true)).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
        let module_ipconfig = spec.interface_methods.iter().any(|c| c.returns == ReturnKind::Ipconfig);
        let ctx = InterfaceContext { generated: GENERATED_LINE, doc: docstring(&i.doc, 0), class_name: &i.class, methods, module_ipconfig };
        out.push(Output::new(format!("generated/stubs/{}.pyi", i.module), templates::render("interface.pyi.j2", &ctx)?));
    }
    Ok(out)
}

/// What `reexport.pyi.j2` renders: the stub of another import name of the
/// module, which re-exports the one that holds the text.
#[derive(Serialize)]
struct Reexport<'a> {
    generated: &'static str,
    doc: Vec<String>,
    /// The import name whose stub it re-exports.
    source: &'a str,
}

/// What `interface.pyi.j2` renders: the network interface's module.
#[derive(Serialize)]
struct InterfaceContext<'a> {
    generated: &'static str,
    doc: Vec<String>,
    class_name: &'a str,
    methods: Vec<Def>,
    /// The module has ipconfig() beside the class's (the DNS server).
    module_ipconfig: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stubs_render_the_spec() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let spec = crate::load_spec(&dir, "spec").unwrap_or_else(|e| panic!("{e}"));
        let out = emit(&spec).unwrap_or_else(|e| panic!("{e}"));
        let [a, b, network] = out.as_slice() else { panic!("socket, usocket and network stubs expected") };
        assert_eq!(network.path, "generated/stubs/network.pyi");
        let ifconfig = "    def ifconfig(self, config: str | tuple[str, str, str, str] | None = None, /) -> tuple[str, str, str, str] | None:\n";
        assert!(network.contents.contains("\nclass LAN:\n") && network.contents.contains(ifconfig));
        assert_eq!((a.path.as_str(), b.path.as_str()), ("generated/stubs/socket.pyi", "generated/stubs/usocket.pyi"));
        // socket.pyi re-exports usocket.pyi, which holds the text.
        let (a, b) = (b, a);
        assert!(b.contents.ends_with("\nfrom usocket import *\n"), "{}", b.contents);
        assert_eq!(b.contents.lines().next(), Some(format!("# {GENERATED_LINE}").as_str()));
        assert_eq!(a.contents.lines().next(), Some(format!("# {GENERATED_LINE}").as_str()));
        assert!(a.contents.contains("\nclass socket:\n    def __init__(self, af: int = AF_INET, "));
        assert!(a.contents.contains("    def recv(self, bufsize: int, /) -> bytes:\n"));
        assert!(a.contents.contains("\nAF_INET: int\n"));
        assert!(!a.contents.contains("POLL_RD") && !a.contents.contains("def poll("));
        assert!(a.contents.lines().all(|l| l == l.trim_end()), "trailing whitespace");
    }

    #[test]
    fn docstrings_are_python() {
        assert_eq!(docstring("One.", 4), vec!["    \"\"\"One.\"\"\""]);
        assert_eq!(docstring("Say \"hi\"", 0), vec!["\"\"\"Say \"hi\\\"\"\"\""]);
        assert_eq!(docstring("b'\\n'\n\nmore", 0), vec!["\"\"\"b'\\\\n'", "", "more", "\"\"\""]);
    }
}
