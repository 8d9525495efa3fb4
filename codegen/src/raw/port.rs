//! `[[port_function]]` (`spec/port.toml`) as written.

use serde::Deserialize;
use toml::Spanned;

/// `[[port_function]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPortFunction {
    /// Name without the prefix (`transmit` → `usocket_port_transmit`).
    pub name: Spanned<String>,
    /// `firmware` (the firmware defines it) or `runtime` (the runtime exports it).
    pub supplier: Spanned<String>,
    /// `i32`, `u64` or `none`.
    pub returns: Spanned<String>,
    /// What it does.
    pub doc: String,
    /// Arguments.
    #[serde(default)]
    pub args: Vec<Spanned<RawPortArg>>,
}

/// A port function's argument as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPortArg {
    /// Name.
    pub name: Spanned<String>,
    /// `bytes`, `mac`, `u64` or `i32`.
    pub r#type: Spanned<String>,
    /// What it is.
    pub doc: String,
}
