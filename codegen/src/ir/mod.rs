//! The validated, resolved spec every emitter works from. Names are resolved,
//! values typed, and every cross-reference checked (by `crate::lower`; this
//! layer holds the types only, with what follows from them).

pub mod board;
pub mod port;
pub mod ram;

use serde::Serialize;

use crate::types::{ArgType, ReturnKind};

/// The whole spec.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The module.
    pub module: Module,
    /// Module-level functions, in spec order.
    pub functions: Vec<Callable>,
    /// Socket methods, in spec order.
    pub methods: Vec<Callable>,
    /// The network interface object, when the spec has one.
    pub interface: Option<Interface>,
    /// Its methods, in spec order.
    pub interface_methods: Vec<Callable>,
    /// Constants, in spec order.
    pub constants: Vec<Constant>,
    /// Positive error numbers, in spec order.
    pub errnos: Vec<ErrorCode>,
    /// getaddrinfo errors (negative), in spec order.
    pub gai_errors: Vec<ErrorCode>,
    /// Service names and their ports, in spec order.
    pub services: Vec<Service>,
    /// Error rules.
    pub rules: Vec<Rule>,
    /// Fixtures, by name order.
    pub fixtures: Vec<Fixture>,
    /// Behaviour cases.
    pub cases: Vec<Case>,
    /// Differences from CPython.
    pub differences: Vec<Difference>,
    /// C ABI structs.
    pub structs: Vec<Struct>,
    /// Glue sizes.
    pub limits: Limits,
    /// Boards (`spec/boards/`), by file name order.
    pub boards: Vec<board::Board>,
    /// Per-item RAM costs for the boards' budgets.
    pub ram: ram::RamCosts,
    /// The C frame port's functions.
    pub port: Vec<port::PortFunction>,
}

impl Spec {
    /// Functions, socket methods, then interface methods.
    pub fn callables(&self) -> impl Iterator<Item = &Callable> {
        self.functions.iter().chain(&self.methods).chain(&self.interface_methods)
    }
}

/// The module.
#[derive(Debug, Clone, Serialize)]
pub struct Module {
    /// Python name.
    pub name: String,
    /// Other import names.
    pub aliases: Vec<String>,
    /// Prefix of C symbols.
    pub c_prefix: String,
    /// Docstring.
    pub doc: String,
}

/// The board's network interface as a Python object (`network.LAN()`).
#[derive(Debug, Clone, Serialize)]
pub struct Interface {
    /// Python module holding the class.
    pub module: String,
    /// Class name.
    pub class: String,
    /// Class docstring.
    pub doc: String,
}

/// Where a callable lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Owner {
    /// A module-level function.
    Module,
    /// A socket method (first C ABI argument: the fd).
    Socket,
    /// A method of the network interface object (no fd: the board has one interface).
    Interface,
}

/// A function or method.
#[derive(Debug, Clone)]
pub struct Callable {
    /// Python name.
    pub name: String,
    /// Module function or socket method.
    pub owner: Owner,
    /// Return kind.
    pub returns: ReturnKind,
    /// Documentation, in Python's terms.
    pub doc: String,
    /// Documentation for C and Rust callers (the spec's `native_doc`, else
    /// `doc`); its `{ENAME}` references are rendered per language
    /// (`crate::native`).
    pub native_doc: String,
    /// Arguments.
    pub args: Vec<Arg>,
    /// Waits according to the timeout.
    pub blocks: bool,
    /// Reachable from Python.
    pub python: bool,
    /// Takes keyword arguments.
    pub keywords: bool,
    /// Releases the socket (a no-op from Python when already closed).
    pub closes: bool,
    /// Why it is an extension, when it is.
    pub extension: Option<String>,
    /// The positional forms (argument names, one list per accepted count);
    /// empty: every prefix of `args` that holds the required ones.
    pub forms: Vec<Vec<String>>,
}

impl Callable {
    /// Number of required arguments.
    pub fn required(&self) -> usize {
        self.args.iter().filter(|a| a.default.is_none()).count()
    }

    /// The positional forms as arguments: the spec's `forms`, or else all the
    /// arguments in order (Python may then stop after any required prefix).
    pub fn positional_forms(&self) -> Vec<Vec<&Arg>> {
        if self.forms.is_empty() {
            return vec![self.args.iter().collect()];
        }
        self.forms.iter().map(|f| f.iter().filter_map(|n| self.args.iter().find(|a| &a.name == n)).collect()).collect()
    }

    /// The `size` argument that sizes the output buffer, for sized outputs (a
    /// line's: the most it reads).
    pub fn output_size_arg(&self) -> Option<&Arg> {
        if self.returns.sized_output() || self.returns == ReturnKind::LineOrNone {
            self.args.iter().find(|a| a.ty == ArgType::Size && a.slices().is_none())
        } else {
            None
        }
    }

    /// Arguments that reach the C ABI (not folded into an output or a buffer length, not glue-only).
    pub fn abi_args(&self) -> impl Iterator<Item = &Arg> {
        let out = self.output_size_arg().map(|a| a.name.clone());
        self.args.iter().filter(move |a| a.ty != ArgType::Str && a.slices().is_none() && Some(&a.name) != out.as_ref())
    }
}

/// One argument.
#[derive(Debug, Clone)]
pub struct Arg {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: ArgType,
    /// Default, when optional.
    pub default: Option<Value>,
    /// Documentation, in Python's terms.
    pub doc: String,
    /// Documentation of its C and Rust parameters (the spec's `native_doc`, else `doc`).
    pub native_doc: String,
    /// Accepted strings, when restricted.
    pub choices: Vec<String>,
    /// For a size: the buffer argument it caps (a larger size is clipped, as
    /// MicroPython's streams do).
    pub limits: Option<String>,
    /// For a size: the buffer argument whose start it moves (clipped to its end).
    pub offsets: Option<String>,
}

impl Arg {
    /// The buffer argument this size slices (caps or offsets): such a size
    /// never reaches the C ABI, the glue applies it to the buffer.
    pub fn slices(&self) -> Option<&str> {
        self.limits.as_deref().or(self.offsets.as_deref())
    }
}

/// A resolved literal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    /// None.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A str.
    Str(String),
    /// bytes.
    Bytes(Vec<u8>),
    /// A constant: its name and value.
    Const(String, i64),
    /// A case variable.
    Var(String),
    /// A tuple.
    Tuple(Vec<Value>),
}

/// A constant.
#[derive(Debug, Clone, Serialize)]
pub struct Constant {
    /// Name.
    pub name: String,
    /// Value.
    pub value: i64,
    /// Group.
    pub group: String,
    /// CPython's value on Linux.
    pub linux: Option<i64>,
    /// Exported to Python.
    pub python: bool,
    /// Documentation.
    pub doc: String,
    /// Why it is an extension, when it is.
    pub extension: Option<String>,
}

/// Which error namespace a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Namespace {
    /// Positive errno.
    Errno,
    /// Negative getaddrinfo codes.
    Gai,
}

/// A service name getaddrinfo() and getservbyname() know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    /// Name (lowercase, as `/etc/services`).
    pub name: String,
    /// Its port (the same for TCP and UDP).
    pub port: u16,
}

/// An error number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorCode {
    /// Name.
    pub name: String,
    /// Number.
    pub value: i64,
    /// Meaning.
    pub message: String,
    /// Namespace.
    pub namespace: Namespace,
}

/// What an operation does in a rule's situation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// OSError with this code.
    Error(ErrorCode),
    /// This Python exception.
    Exception(String),
    /// This value.
    Returns(Value),
}

/// An error rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Identifier.
    pub id: String,
    /// Situation.
    pub when: String,
    /// Callables it covers.
    pub methods: Vec<String>,
    /// Outcome.
    pub outcome: Outcome,
}

/// A fixture.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Name.
    pub name: String,
    /// What it sets up.
    pub doc: String,
    /// Steps.
    pub steps: Vec<Step>,
}

/// A behaviour case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Identifier.
    pub id: String,
    /// Rule demonstrated.
    pub rule: Option<String>,
    /// Fixture name.
    pub fixture: String,
    /// What it shows.
    pub doc: String,
    /// Steps after the fixture.
    pub steps: Vec<Step>,
    /// Targets it applies to: `rust` (the Rust API), `c` (the C ABI), `micropython` (the scripts).
    pub targets: Vec<String>,
    /// Runtime features the build must leave out (empty: a full build). Such a
    /// case runs on the Rust API of a runtime built without them
    /// (`runtime/tests/features.rs`), not on the full builds of the other runners.
    pub without: Vec<String>,
}

impl Case {
    /// Does it apply to this target?
    pub fn applies(&self, target: &str) -> bool {
        self.targets.iter().any(|t| t == target)
    }
}

/// The targets a case may name.
pub const CASE_TARGETS: [&str; 3] = ["rust", "c", "micropython"];

/// A step that returns its one argument, a constant or a variable:
/// `{ call = "value", args = ["@NAME"], returns = 2 }` reads the module's value of
/// NAME (the generated constant on Rust and C); `args = ["$buf"]` a buffer's bytes.
pub const VALUE_STEP: &str = "value";

/// A step that makes a writable buffer of N zero bytes (a bytearray), for
/// readinto(): `{ let = "buf", call = "buffer", args = [8] }`.
pub const BUFFER_STEP: &str = "buffer";

/// A step that drops a socket variable without closing it and runs the garbage
/// collector (MicroPython only): `{ call = "forget", args = ["$s"] }`.
pub const FORGET_STEP: &str = "forget";

/// Methods that are not Python methods but that the scripts reach through a
/// helper of their template (`poll`: select.poll).
pub const SCRIPT_HELPERS: [&str; 1] = ["poll"];

/// The one list of what the Rust and C case runners' generated dispatch does
/// not call (`generated/conformance/cases.rs`, `cases.h`), by return kind, and
/// why: a case that calls such a callable is for micropython only
/// (`lower/cases.rs` says so). Everything else a step calls is mapped from the
/// spec: the callable's arguments by type, its result by kind.
pub const NOT_DISPATCHED: [(ReturnKind, &str); 1] =
    [(ReturnKind::Ipconfig, "glue only: MicroPython's ipconfig() over the interface's ifconfig and dhcp_state, with no C ABI function of its own")];

impl Callable {
    /// Why the case runners' dispatch does not call it ([`NOT_DISPATCHED`]), when it does not.
    pub fn not_dispatched(&self) -> Option<&'static str> {
        NOT_DISPATCHED.iter().find(|(k, _)| *k == self.returns).map(|(_, why)| *why)
    }
}

/// The fixture of the cases generated from the constants (one per constant).
pub const CONSTANTS_FIXTURE: &str = "constants";

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    /// Variable bound to the result.
    pub bind: Option<String>,
    /// Tuple item bound instead of the whole result.
    pub index: Option<usize>,
    /// Socket variable the method is called on (None: module function).
    pub on: Option<String>,
    /// Callable name.
    pub call: String,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments, by name (Python only).
    pub kwargs: Vec<(String, Value)>,
    /// Expected outcome (None: must succeed).
    pub expect: Option<Outcome>,
    /// Repeat until this error, at most this many calls.
    pub until: Option<(ErrorCode, u32)>,
}

/// A difference from CPython.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// Identifier.
    pub id: String,
    /// On the reference page.
    pub page: bool,
    /// One line.
    pub summary: String,
    /// Explanation.
    pub detail: String,
    /// Interpreters it is a difference against (`cpython`, `stock`, `modlwip`).
    pub against: Vec<String>,
    /// Behaviour cases it explains failing there.
    pub cases: Vec<String>,
    /// Their results vary from run to run there: a pass is no stale claim.
    pub varies: bool,
}

/// A C ABI struct.
#[derive(Debug, Clone)]
pub struct Struct {
    /// Spec name.
    pub name: String,
    /// Documentation.
    pub doc: String,
    /// Fields.
    pub fields: Vec<Field>,
}

/// Type of a struct field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// u8.
    U8,
    /// u16.
    U16,
    /// u32.
    U32,
    /// i32.
    I32,
    /// u8[N].
    Bytes(usize),
    /// Another struct (by spec name).
    Struct(String),
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: FieldType,
    /// Documentation.
    pub doc: String,
}

/// Sizes the glue uses.
#[derive(Debug, Clone, Serialize)]
pub struct Limits {
    /// Most getaddrinfo results.
    pub max_addrinfo: u32,
    /// Chunk size for unbounded reads.
    pub read_chunk: u32,
}
