//! The spec as written: serde structures for the TOML files, with spans.
//! Every file may hold any section; [`crate::validate`] merges and checks them.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// One spec file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// The module itself (exactly one file has it).
    pub module: Option<Spanned<RawModule>>,
    /// Module-level functions.
    #[serde(default)]
    pub function: Vec<Spanned<RawCallable>>,
    /// Socket methods.
    #[serde(default)]
    pub method: Vec<Spanned<RawCallable>>,
    /// The network interface object (e.g. `network.LAN`).
    pub interface: Option<Spanned<RawInterface>>,
    /// Methods of the network interface object.
    #[serde(default)]
    pub interface_method: Vec<Spanned<RawCallable>>,
    /// Module constants.
    #[serde(default)]
    pub constant: Vec<Spanned<RawConstant>>,
    /// Positive error numbers.
    #[serde(default)]
    pub errno: Vec<Spanned<RawErrno>>,
    /// The negative getaddrinfo error namespace.
    #[serde(default)]
    pub gai_error: Vec<Spanned<RawErrno>>,
    /// Service names with their ports (getaddrinfo, getservbyname).
    #[serde(default)]
    pub service: Vec<Spanned<RawService>>,
    /// Error rules.
    #[serde(default)]
    pub rule: Vec<Spanned<RawRule>>,
    /// Fixtures for behaviour cases, by name.
    #[serde(default)]
    pub fixture: BTreeMap<Spanned<String>, Spanned<RawFixture>>,
    /// Behaviour cases.
    #[serde(default)]
    pub case: Vec<Spanned<RawCase>>,
    /// Differences from CPython.
    #[serde(default)]
    pub difference: Vec<Spanned<RawDifference>>,
    /// C ABI structs.
    #[serde(default)]
    pub r#struct: Vec<Spanned<RawStruct>>,
    /// Sizes the glue uses.
    pub limits: Option<Spanned<RawLimits>>,
    /// A board (one per file under `spec/boards/`).
    pub board: Option<Spanned<crate::boards::RawBoard>>,
    /// Per-item RAM costs for board budgets.
    pub ram: Option<Spanned<crate::ram::RawRam>>,
    /// The C frame port's functions.
    #[serde(default)]
    pub port_function: Vec<Spanned<crate::port::RawPortFunction>>,
}

/// `[module]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModule {
    /// Python module name.
    pub name: Spanned<String>,
    /// Other import names.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// Prefix of every C symbol.
    pub c_prefix: Spanned<String>,
    /// Module docstring.
    pub doc: String,
}

/// `[interface]`: the board's network interface as a Python object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInterface {
    /// Python module holding the class.
    pub module: Spanned<String>,
    /// Class name.
    pub class: Spanned<String>,
    /// Class docstring.
    pub doc: String,
}

/// A function or method.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCallable {
    /// Python name.
    pub name: Spanned<String>,
    /// Return kind (see `spec/README.md`).
    pub returns: Spanned<String>,
    /// Documentation.
    pub doc: String,
    /// Arguments in order.
    #[serde(default)]
    pub args: Vec<Spanned<RawArg>>,
    /// Waits according to the socket timeout.
    #[serde(default)]
    pub blocks: bool,
    /// Reachable from Python (false: C ABI only).
    #[serde(default = "yes")]
    pub python: bool,
    /// Accepts keyword arguments from Python.
    #[serde(default)]
    pub keywords: bool,
    /// Releases the socket: Python may call it again on a closed socket (a no-op).
    #[serde(default)]
    pub closes: bool,
    /// Why this is beyond the reference page, when it is.
    pub extension: Option<String>,
    /// The positional forms Python accepts, when not every prefix of `args`
    /// (MicroPython's stream `write(buf, max_len)` / `write(buf, off, max_len)`).
    pub forms: Option<Spanned<Vec<Vec<String>>>>,
}

fn yes() -> bool {
    true
}

/// One argument.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArg {
    /// Name (also the keyword name).
    pub name: Spanned<String>,
    /// Argument type (see `spec/README.md`).
    pub r#type: Spanned<String>,
    /// Default value; absent means required.
    pub default: Option<Spanned<RawValue>>,
    /// Documentation.
    pub doc: String,
    /// The only accepted values (strings).
    pub choices: Option<Spanned<Vec<String>>>,
    /// For a size: the buffer argument whose length it caps.
    pub limits: Option<Spanned<String>>,
    /// For a size: the buffer argument whose start it moves.
    pub offsets: Option<Spanned<String>>,
}

/// A literal value as written in the spec.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum RawValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string, possibly with a prefix (`$var`, `@CONST`, `~`, `b:`, `hex:`, `str:`).
    Str(String),
    /// An array: a tuple in Python.
    Array(Vec<RawValue>),
}

/// `[[constant]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConstant {
    /// Name, as in Python and (prefixed) in C.
    pub name: Spanned<String>,
    /// Value.
    pub value: Spanned<i64>,
    /// Group (family, type, proto, level, sockopt, …).
    pub group: Spanned<String>,
    /// CPython's value on Linux, when it has the constant.
    pub linux: Option<i64>,
    /// Exported to Python (false: C only).
    #[serde(default = "yes")]
    pub python: bool,
    /// Documentation.
    pub doc: String,
    /// Why this is beyond the reference page, when it is.
    pub extension: Option<String>,
}

/// `[[errno]]` or `[[gai_error]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawErrno {
    /// Symbolic name.
    pub name: Spanned<String>,
    /// Number.
    pub value: Spanned<i64>,
    /// What it means.
    pub message: String,
}

/// `[[service]]`: a well-known service name and its port.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    /// Name, as `/etc/services` spells it.
    pub name: Spanned<String>,
    /// Port, 1..65535.
    pub port: Spanned<i64>,
}

/// `[[rule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Identifier.
    pub id: Spanned<String>,
    /// The situation.
    pub when: String,
    /// Functions and methods it applies to.
    pub methods: Vec<Spanned<String>>,
    /// Outcome: OSError with this errno (or getaddrinfo code).
    pub errno: Option<Spanned<String>>,
    /// Outcome: this Python exception.
    pub exception: Option<Spanned<String>>,
    /// Outcome: this value is returned.
    pub returns: Option<Spanned<RawValue>>,
}

/// `[fixture.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFixture {
    /// What it sets up.
    pub doc: String,
    /// Steps.
    pub steps: Vec<Spanned<RawStep>>,
}

/// `[[case]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// Identifier.
    pub id: Spanned<String>,
    /// The rule it demonstrates, if any.
    pub rule: Option<Spanned<String>>,
    /// Fixture to run first.
    pub fixture: Spanned<String>,
    /// What it shows.
    pub doc: String,
    /// Steps after the fixture.
    pub steps: Vec<Spanned<RawStep>>,
    /// Targets it applies to (`rust`, `c`, `micropython`); all when absent.
    pub targets: Option<Spanned<Vec<String>>>,
    /// Runtime features the build must leave out (`ipv6`, `dns`, `dhcpv4`,
    /// `raw`): the case shows what a smaller build does instead.
    pub without: Option<Spanned<Vec<String>>>,
}

/// One step of a fixture or case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Bind the result to this variable.
    pub r#let: Option<Spanned<String>>,
    /// With `let`: bind this item of a tuple result.
    pub index: Option<Spanned<i64>>,
    /// Call a method on this variable (absent: a module function).
    pub on: Option<Spanned<String>>,
    /// Function or method name.
    pub call: Spanned<String>,
    /// Positional arguments.
    #[serde(default)]
    pub args: Vec<Spanned<RawValue>>,
    /// Keyword arguments (Python only: ipconfig()).
    #[serde(default)]
    pub kwargs: BTreeMap<String, Spanned<RawValue>>,
    /// Expect OSError with this errno.
    pub errno: Option<Spanned<String>>,
    /// Expect this exception.
    pub exception: Option<Spanned<String>>,
    /// Expect this return value.
    pub returns: Option<Spanned<RawValue>>,
    /// Repeat the call until it fails with this errno.
    pub until_errno: Option<Spanned<String>>,
    /// With `until_errno`: give up (fail) after this many calls.
    pub max: Option<Spanned<i64>>,
}

/// `[[difference]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDifference {
    /// Identifier.
    pub id: Spanned<String>,
    /// Listed on the reference page.
    #[serde(default)]
    pub page: bool,
    /// One line.
    pub summary: String,
    /// Explanation.
    pub detail: String,
    /// Interpreters it is a difference against: `cpython` (default), `stock` (stock MicroPython) and/or `modlwip` (MicroPython's lwIP socket module, the anchor firmware).
    pub against: Option<Spanned<Vec<String>>>,
    /// Behaviour cases that fail on those interpreters because of it.
    #[serde(default)]
    pub cases: Vec<Spanned<String>>,
    /// The cases' results vary from run to run there (e.g. the interpreter
    /// reads memory it does not own): a pass is then no stale claim.
    #[serde(default)]
    pub varies: bool,
}

/// `[[struct]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStruct {
    /// Name (C: `PREFIX_NAME_t`).
    pub name: Spanned<String>,
    /// Documentation.
    pub doc: String,
    /// Fields in order.
    pub fields: Vec<Spanned<RawField>>,
}

/// A struct field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    /// Name.
    pub name: Spanned<String>,
    /// Type: u8, u16, u32, i32, u8[N] or a struct name.
    pub r#type: Spanned<String>,
    /// Documentation.
    pub doc: String,
}

/// `[limits]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Most getaddrinfo results the glue asks for.
    pub max_addrinfo: Spanned<i64>,
    /// Chunk size for unbounded reads.
    pub read_chunk: Spanned<i64>,
}
