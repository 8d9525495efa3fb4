//! `generated/docs/usocket.md` and `generated/docs/usocket.rst`: the module's
//! reference page rebuilt from the spec, the reStructuredText one in the style of
//! MicroPython's `docs/library/socket.rst`. Everything the templates print is
//! rendered and escaped here; the templates only loop.

use serde::Serialize;

use super::python::{python_default, python_literal, str_literal};
use super::{GENERATED_LINE, Output, templates};
use crate::ir::{Callable, Constant, ErrorCode, Outcome, Rule, Spec};
use crate::naming::Names;
use crate::native::{self, Lang};

/// What an error rule's outcome looks like from Python: `OSError(ETIMEDOUT)`,
/// `ValueError`, `returns None`.
pub fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Error(code) => format!("OSError({})", code.name),
        Outcome::Exception(name) => name.clone(),
        Outcome::Returns(v) => format!("returns {}", python_literal(v)),
    }
}

/// A float as Python prints it (always with a `.` or an exponent).
/// `arg, arg=default`: a Python-style argument list without types.
fn arg_list(spec: &Spec, c: &Callable) -> String {
    let args: Vec<String> = c
        .args
        .iter()
        .map(|a| match &a.default {
            Some(d) => format!("{}={}", a.name, python_default(spec, d)),
            None => a.name.clone(),
        })
        .collect();
    args.join(", ")
}

/// Text split into plain and `code` parts (a backtick without a partner is plain).
fn split_code(s: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else { break };
        if open > 0 {
            parts.push((false, &rest[..open]));
        }
        parts.push((true, &rest[open + 1..open + 1 + len]));
        rest = &rest[open + 2 + len..];
    }
    if !rest.is_empty() {
        parts.push((false, rest));
    }
    parts
}

/// Whitespace (line breaks included) collapsed to single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The markup a page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    /// CommonMark with GitHub tables.
    Markdown,
    /// reStructuredText for Sphinx.
    Rst,
}

impl Markup {
    /// Inline literal.
    fn code(self, s: &str) -> String {
        match self {
            Markup::Markdown if s.contains('`') => format!("`` {s} ``"),
            Markup::Markdown => format!("`{s}`"),
            Markup::Rst => format!("``{s}``"),
        }
    }

    /// Plain text (no code) escaped so that it stays plain text.
    fn escape(self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let chars: Vec<char> = s.chars().collect();
        for (i, &ch) in chars.iter().enumerate() {
            let next = chars.get(i + 1).copied();
            let escaped = match self {
                Markup::Markdown => matches!(ch, '\\' | '*' | '|' | '<' | '`'),
                Markup::Rst => {
                    matches!(ch, '\\' | '*' | '|' | '`') || (ch == '_' && !next.is_some_and(char::is_alphanumeric)) || (ch == ':' && next == Some(':'))
                }
            };
            if escaped {
                out.push('\\');
            }
            out.push(ch);
        }
        out
    }

    /// Spec prose (single backticks mark code) as inline markup.
    fn text(self, s: &str) -> String {
        split_code(s).into_iter().map(|(code, part)| if code { self.code(part) } else { self.escape(part) }).collect()
    }

    /// Spec prose as one table cell.
    fn cell(self, s: &str) -> String {
        let text = self.text(&one_line(s));
        match self {
            // GitHub tables split on `|` even inside code spans.
            Markup::Markdown => {
                split_code(&text).iter().map(|(code, part)| if *code { format!("`{}`", part.replace('|', "\\|")) } else { part.to_string() }).collect()
            }
            Markup::Rst => text,
        }
    }

    /// Spec prose as paragraph lines, each indented by `indent` spaces (blank lines stay empty).
    fn lines(self, s: &str, indent: usize) -> Vec<String> {
        let pad = " ".repeat(indent);
        self.text(s).lines().map(str::trim).map(|line| if line.is_empty() { String::new() } else { format!("{pad}{}", self.guard_line_start(line)) }).collect()
    }

    /// Escapes a line start that would open a block (list, heading, quote, comment).
    fn guard_line_start(self, line: &str) -> String {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && line[digits..].starts_with(['.', ')']) {
            return format!("{}\\{}", &line[..digits], &line[digits..]);
        }
        let markers: &[char] = match self {
            Markup::Markdown => &['#', '>', '-', '+', '='],
            Markup::Rst => &['#', '>', '-', '+', '=', '.'],
        };
        if line.starts_with(markers) { format!("\\{line}") } else { line.to_string() }
    }

    /// Spec prose in bold; reStructuredText cannot nest code in bold, so code stays apart.
    fn strong(self, s: &str) -> String {
        let s = one_line(s);
        match self {
            Markup::Markdown => format!("**{}**", self.text(&s)),
            Markup::Rst => split_code(&s)
                .into_iter()
                .filter(|(_, part)| !part.trim().is_empty())
                .map(|(code, part)| if code { self.code(part) } else { format!("**{}**", self.escape(part.trim())) })
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// One argument of a callable.
#[derive(Serialize)]
struct ArgDoc {
    /// Argument name.
    name: String,
    /// One line of documentation.
    doc: String,
}

/// A function or method.
#[derive(Serialize)]
struct CallableDoc {
    /// `recv(bufsize)`.
    signature: String,
    /// `socket.recv(bufsize)`.
    qualified: String,
    /// Documentation lines (indented for reStructuredText directives).
    doc: Vec<String>,
    /// Arguments.
    args: Vec<ArgDoc>,
    /// `yes` or `no`.
    blocks: &'static str,
    /// Why it is an extension, or empty.
    extension: String,
}

/// A Python-visible constant.
#[derive(Serialize)]
struct ConstantDoc {
    /// Name.
    name: String,
    /// Value.
    value: i64,
    /// CPython's value on Linux, or a dash.
    linux: String,
    /// Documentation (one line for Markdown tables, indented for reStructuredText).
    doc: String,
    /// Why it is an extension (one line), or empty.
    extension: String,
}

/// A constant only the C ABI has.
#[derive(Serialize)]
struct AbiConstantDoc {
    /// Spec name.
    name: String,
    /// C macro.
    c_name: String,
    /// Value.
    value: i64,
    /// One line of documentation.
    doc: String,
}

/// A function only the C ABI has.
#[derive(Serialize)]
struct AbiFunctionDoc {
    /// C function name.
    c_name: String,
    /// One line of documentation.
    doc: String,
    /// Why it is an extension, or empty.
    extension: String,
}

/// An error number.
#[derive(Serialize)]
struct CodeDoc {
    /// Name.
    name: String,
    /// Number.
    value: i64,
    /// Meaning, one line.
    message: String,
}

/// An error rule.
#[derive(Serialize)]
struct RuleDoc {
    /// Identifier.
    id: String,
    /// Situation, one line.
    when: String,
    /// Operations covered, as markup.
    operations: String,
    /// Outcome, as markup.
    outcome: String,
}

/// A difference from CPython.
/// One behaviour case's row of the compatibility table: what each target does,
/// as the spec claims it (`cargo xtask conformance` checks the claims).
#[derive(Serialize)]
struct CompatRow {
    id: String,
    rust: String,
    c: String,
    ours: String,
    stock: String,
    cpython: String,
    modlwip: String,
}

/// Whether a difference is from MicroPython's lwIP module alone.
fn anchor_only(d: &crate::ir::Difference) -> bool {
    d.against.iter().all(|a| a == "modlwip")
}

/// What a difference's heading adds about where else it holds: the
/// interpreters it is against besides CPython.
fn also(against: &[String]) -> String {
    let names: Vec<&str> = against
        .iter()
        .filter_map(|a| match a.as_str() {
            "stock" => Some("stock MicroPython"),
            "modlwip" => Some("MicroPython's lwIP module"),
            _ => None,
        })
        .collect();
    match (against.iter().any(|a| a == "cpython"), names.as_slice()) {
        (_, []) => String::new(),
        (true, names) => format!(", also {}", names.join(" and ")),
        (false, names) => format!(", {} only", names.join(" and ")),
    }
}

/// The compatibility table of all cases.
fn compat_rows(spec: &Spec, m: Markup) -> Vec<CompatRow> {
    spec.cases
        .iter()
        .map(|case| {
            let api = |t: &str| match (case.applies(t), case.without.as_slice()) {
                (false, _) => "n/a".to_string(),
                (true, []) => "pass".to_string(),
                (true, without) => format!("pass (built without {})", without.join(", ")),
            };
            let other = |target: &str| match spec.differences.iter().find(|d| d.against.iter().any(|a| a == target) && d.cases.contains(&case.id)) {
                Some(d) => format!("differs: {}", m.code(&d.id)),
                None => "pass".to_string(),
            };
            CompatRow {
                id: m.code(&case.id),
                rust: api("rust"),
                c: api("c"),
                ours: api("micropython"),
                stock: other("stock"),
                cpython: other("cpython"),
                modlwip: other("modlwip"),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct DifferenceDoc {
    /// The summary in bold.
    summary: String,
    /// Explanation lines (indented for reStructuredText admonitions).
    detail: Vec<String>,
}

/// Everything both page templates print.
#[derive(Serialize)]
struct Context {
    generated: &'static str,
    module: String,
    title: String,
    title_rule: String,
    aliases: String,
    doc: Vec<String>,
    functions: Vec<CallableDoc>,
    methods: Vec<CallableDoc>,
    class_name: &'static str,
    class_title: String,
    class_rule: String,
    interface: Option<InterfaceDoc>,
    compat: Vec<CompatRow>,
    constants: Vec<ConstantDoc>,
    errnos: Vec<CodeDoc>,
    gai_errors: Vec<CodeDoc>,
    rules: Vec<RuleDoc>,
    page_differences: Vec<DifferenceDoc>,
    other_differences: Vec<DifferenceDoc>,
    /// Differences from MicroPython's lwIP module alone (the lwIP ports' `socket`).
    modlwip_differences: Vec<DifferenceDoc>,
    header: String,
    abi_constants: Vec<AbiConstantDoc>,
    abi_functions: Vec<AbiFunctionDoc>,
}

/// The network interface class, documented after the socket class.
#[derive(Serialize)]
struct InterfaceDoc {
    title: String,
    rule: String,
    module: String,
    class: String,
    doc: Vec<String>,
    methods: Vec<CallableDoc>,
}

/// Indentation of a directive's content in reStructuredText.
const RST_INDENT: usize = 3;

fn callable_doc(spec: &Spec, m: Markup, c: &Callable) -> CallableDoc {
    let indent = if m == Markup::Rst { RST_INDENT } else { 0 };
    // Positional forms read as alternatives: `write(buf) / write(buf, max_len) / ...`.
    let lists = if c.forms.is_empty() { vec![arg_list(spec, c)] } else { c.forms.iter().map(|f| f.join(", ")).collect() };
    let with_name = |name: &str| lists.iter().map(|args| format!("{name}({args})")).collect::<Vec<_>>().join(" / ");
    let signature = with_name(&c.name);
    let qualified = with_name(&Names::python_qualified(spec, c));
    let args = c
        .args
        .iter()
        .map(|a| {
            let mut doc = m.cell(&a.doc);
            if !a.choices.is_empty() {
                let choices: Vec<String> = a.choices.iter().map(|ch| m.code(&str_literal(ch))).collect();
                doc = format!("{doc} One of {}.", choices.join(", "));
            }
            ArgDoc { name: a.name.clone(), doc }
        })
        .collect();
    CallableDoc {
        signature,
        qualified,
        doc: m.lines(&c.doc, indent),
        args,
        blocks: if c.blocks { "yes" } else { "no" },
        extension: c.extension.as_deref().map(|e| m.cell(e)).unwrap_or_default(),
    }
}

fn constant_doc(m: Markup, c: &Constant) -> ConstantDoc {
    let doc = match m {
        Markup::Markdown => m.cell(&c.doc),
        Markup::Rst => m.lines(&c.doc, RST_INDENT).join("\n"),
    };
    ConstantDoc {
        name: c.name.clone(),
        value: c.value,
        linux: c.linux.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
        doc,
        extension: c.extension.as_deref().map(|e| m.cell(e)).unwrap_or_default(),
    }
}

fn code_doc(m: Markup, e: &ErrorCode) -> CodeDoc {
    CodeDoc { name: e.name.clone(), value: e.value, message: m.cell(&e.message) }
}

fn rule_doc(m: Markup, r: &Rule) -> RuleDoc {
    let operations: Vec<String> = r.methods.iter().map(|name| m.code(&format!("{name}()"))).collect();
    let outcome = match &r.outcome {
        Outcome::Returns(v) => format!("returns {}", m.code(&python_literal(v))),
        o => m.code(&outcome_text(o)),
    };
    RuleDoc { id: r.id.clone(), when: m.cell(&r.when), operations: operations.join(", "), outcome }
}

fn context(spec: &Spec, m: Markup) -> Context {
    let names = Names::new(&spec.module);
    let module = spec.module.name.clone();
    let title = match m {
        Markup::Markdown => format!("{} — {module} module", m.code(&module)),
        Markup::Rst => format!(":mod:`{module}` -- {module} module"),
    };
    let class_title = match m {
        Markup::Markdown => format!("class {}", m.code(Names::python_class())),
        Markup::Rst => format!("class {}", Names::python_class()),
    };
    let aliases: Vec<String> = spec.module.aliases.iter().map(|a| m.code(a)).collect();
    let difference = |d: &crate::ir::Difference| DifferenceDoc {
        summary: format!("{} ({}{})", m.strong(&d.summary), m.code(&d.id), also(&d.against)),
        detail: m.lines(&d.detail, if m == Markup::Rst { RST_INDENT } else { 0 }),
    };
    Context {
        generated: GENERATED_LINE,
        title_rule: "*".repeat(title.chars().count()),
        title,
        module,
        aliases: aliases.join(", "),
        doc: m.lines(&spec.module.doc, 0),
        functions: spec.functions.iter().filter(|c| c.python).map(|c| callable_doc(spec, m, c)).collect(),
        methods: spec.methods.iter().filter(|c| c.python).map(|c| callable_doc(spec, m, c)).collect(),
        class_name: Names::python_class(),
        class_rule: "=".repeat(class_title.chars().count()),
        class_title,
        interface: spec.interface.as_ref().map(|i| {
            let title = format!("class {}", m.code(&format!("{}.{}", i.module, i.class)));
            InterfaceDoc {
                rule: "=".repeat(title.chars().count()),
                title,
                module: i.module.clone(),
                class: i.class.clone(),
                doc: m.lines(&i.doc, 0),
                methods: spec.interface_methods.iter().filter(|c| c.python).map(|c| callable_doc(spec, m, c)).collect(),
            }
        }),
        compat: compat_rows(spec, m),
        constants: spec.constants.iter().filter(|c| c.python).map(|c| constant_doc(m, c)).collect(),
        errnos: spec.errnos.iter().map(|e| code_doc(m, e)).collect(),
        gai_errors: spec.gai_errors.iter().map(|e| code_doc(m, e)).collect(),
        rules: spec.rules.iter().map(|r| rule_doc(m, r)).collect(),
        page_differences: spec.differences.iter().filter(|d| d.page && !anchor_only(d)).map(difference).collect(),
        other_differences: spec.differences.iter().filter(|d| !d.page && !anchor_only(d)).map(difference).collect(),
        modlwip_differences: spec.differences.iter().filter(|d| anchor_only(d)).map(difference).collect(),
        header: names.header(),
        abi_constants: spec
            .constants
            .iter()
            .filter(|c| !c.python)
            .map(|c| AbiConstantDoc { name: c.name.clone(), c_name: names.c_macro(&c.name), value: c.value, doc: m.cell(&c.doc) })
            .collect(),
        abi_functions: spec
            .callables()
            .filter(|c| !c.python && c.returns.has_abi())
            .map(|c| AbiFunctionDoc {
                c_name: names.c_fn(c),
                doc: m.cell(&native::render(&c.native_doc, Lang::C, &names)),
                extension: c.extension.as_deref().map(|e| m.cell(e)).unwrap_or_default(),
            })
            .collect(),
    }
}

/// Emits the Markdown and reStructuredText pages.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let names = Names::new(&spec.module);
    let md = templates::render("usocket.md.j2", &context(spec, Markup::Markdown))?;
    let rst = templates::render("usocket.rst.j2", &context(spec, Markup::Rst))?;
    Ok(vec![Output::new(format!("generated/docs/{}", names.docs_page("md")), md), Output::new(format!("generated/docs/{}", names.docs_page("rst")), rst)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The project's spec.
    fn spec() -> Spec {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        crate::load_spec(&dir, "spec").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn pages_render_the_spec() {
        let out = emit(&spec()).unwrap_or_else(|e| panic!("{e}"));
        let [md, rst] = out.as_slice() else { panic!("two pages expected") };
        assert_eq!(md.path, "generated/docs/usocket.md");
        assert_eq!(rst.path, "generated/docs/usocket.rst");
        assert_eq!(md.contents.lines().next(), Some(format!("<!-- {GENERATED_LINE} -->").as_str()));
        assert_eq!(rst.contents.lines().next(), Some(format!(".. {GENERATED_LINE}").as_str()));
        assert!(rst.contents.contains("\n.. method:: socket.recv(bufsize)\n"));
        assert!(rst.contents.contains("\n.. data:: AF_INET\n"));
        assert!(md.contents.contains("| `timeout` |"));
        assert!(md.contents.contains("`OSError(ETIMEDOUT)`"));
        for page in [md, rst] {
            let abi = page.contents.find("C ABI only").unwrap_or(0);
            assert!(page.contents.find("POLL_RD").is_some_and(|p| p > abi), "{}: C ABI constants only in their section", page.path);
            assert!(!page.contents.contains("addr_parse(host"), "{}: C ABI functions are not Python functions", page.path);
            assert!(page.contents.lines().all(|l| l == l.trim_end()), "{}: trailing whitespace", page.path);
        }
        assert_eq!(emit(&spec()), Ok(out), "deterministic");
    }

    #[test]
    fn markup_escapes_outside_code() {
        assert_eq!(Markup::Markdown.text("SO_* and `a|b*`"), "SO_\\* and `a|b*`");
        assert_eq!(Markup::Markdown.cell("`a|b`\nc|d"), "`a\\|b` c\\|d");
        assert_eq!(Markup::Rst.text("SO_* `x_*` b'\\n'"), "SO\\_\\* ``x_*`` b'\\\\n'");
        assert_eq!(Markup::Rst.strong("name the argument `af`"), "**name the argument** ``af``");
        assert_eq!(Markup::Markdown.lines("a\n- b\n\n1. c", 2), vec!["  a", "  \\- b", "", "  1\\. c"]);
    }
}
