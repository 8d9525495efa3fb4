//! The spec as written: serde structures for the TOML files, with spans and
//! nothing else (no checks). Every file may hold any section; `crate::lower`
//! merges and checks them into `crate::ir`.

mod api;
mod board;
mod cases;
mod port;
mod ram;

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub use api::{RawArg, RawCallable, RawConstant, RawErrno, RawField, RawInterface, RawLimits, RawModule, RawService, RawStruct, RawValue};
pub use board::{RawAddressing, RawBoard, RawBuffers, RawSockets, RawTiming};
pub use cases::{RawCase, RawDifference, RawFixture, RawRule, RawStep};
pub use port::{RawPortArg, RawPortFunction};
pub use ram::{RawCosts, RawRam};

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
    pub board: Option<Spanned<RawBoard>>,
    /// Per-item RAM costs for board budgets.
    pub ram: Option<Spanned<RawRam>>,
    /// The C frame port's functions.
    #[serde(default)]
    pub port_function: Vec<Spanned<RawPortFunction>>,
}
