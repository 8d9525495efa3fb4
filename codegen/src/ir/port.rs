//! The C frame port (`[[port_function]]`, `spec/port.toml`): the functions a
//! `c-port` board's firmware supplies (transmit, clock, wait) and the ones the
//! runtime exports to it (start, receive).

use serde::Serialize;

/// Types a port argument may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PortType {
    /// Pointer and length.
    Bytes,
    /// Six bytes, or NULL.
    Mac,
    /// 64-bit unsigned.
    U64,
    /// 32-bit signed.
    I32,
}

/// A port function's return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PortReturn {
    /// Nothing.
    None,
    /// 0 or a negative errno.
    I32,
    /// A 64-bit count.
    U64,
}

/// A validated argument.
#[derive(Debug, Clone, Serialize)]
pub struct PortArg {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: PortType,
    /// What it is.
    pub doc: String,
}

/// A validated port function.
#[derive(Debug, Clone, Serialize)]
pub struct PortFunction {
    /// Name without the prefix.
    pub name: String,
    /// The firmware supplies it (true) or the runtime exports it.
    pub firmware: bool,
    /// Return.
    pub returns: PortReturn,
    /// What it does.
    pub doc: String,
    /// Arguments.
    pub args: Vec<PortArg>,
}
