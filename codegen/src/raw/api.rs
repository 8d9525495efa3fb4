//! The API sections as written: `[module]`, `[interface]`, functions and
//! methods with their arguments, constants, error codes, services, C ABI
//! structs and `[limits]`.

use serde::Deserialize;
use toml::Spanned;

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
    /// Documentation, in Python's terms (docstrings, stubs, the reference pages).
    pub doc: Spanned<String>,
    /// Documentation in C and Rust terms where `doc`'s Python wording would be
    /// false for them (milliseconds, errors as codes, no None); `{ENAME}`
    /// names an error code in each language's form. Absent: `doc` serves all.
    pub native_doc: Option<Spanned<String>>,
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
    /// Documentation, in Python's terms.
    pub doc: Spanned<String>,
    /// Documentation of its C and Rust parameters, where `doc`'s Python
    /// wording would be false for them; as the callable's `native_doc`.
    pub native_doc: Option<Spanned<String>>,
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
