//! The C frame port (`[[port_function]]`, `spec/port.toml`): the functions a
//! `c-port` board's firmware supplies (transmit, clock, wait) and the ones the
//! runtime exports to it (start, receive).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::FileId;
use crate::validate::Checker;

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

/// Validates the port functions: known types, unique names.
pub(crate) fn build_port(ck: &mut Checker, items: &[(FileId, Spanned<RawPortFunction>)]) -> Vec<PortFunction> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (file, raw) in items {
        let (file, f) = (*file, raw.get_ref());
        if !seen.insert(f.name.get_ref().clone()) {
            ck.err(file, f.name.span(), format!("duplicate port function `{}`", f.name.get_ref()), "defined again here", "a unique name");
        }
        let firmware = match f.supplier.get_ref().as_str() {
            "firmware" => true,
            "runtime" => false,
            other => {
                ck.err(file, f.supplier.span(), format!("unknown supplier `{other}`"), "unknown", "firmware or runtime");
                continue;
            }
        };
        let returns = match f.returns.get_ref().as_str() {
            "none" => PortReturn::None,
            "i32" => PortReturn::I32,
            "u64" => PortReturn::U64,
            other => {
                ck.err(file, f.returns.span(), format!("unknown port return `{other}`"), "unknown", "none, i32 or u64");
                continue;
            }
        };
        let mut args = Vec::new();
        for a in &f.args {
            let a = a.get_ref();
            let ty = match a.r#type.get_ref().as_str() {
                "bytes" => PortType::Bytes,
                "mac" => PortType::Mac,
                "u64" => PortType::U64,
                "i32" => PortType::I32,
                other => {
                    ck.err(file, a.r#type.span(), format!("unknown port argument type `{other}`"), "unknown", "bytes, mac, u64 or i32");
                    continue;
                }
            };
            args.push(PortArg { name: a.name.get_ref().clone(), ty, doc: a.doc.trim().to_string() });
        }
        out.push(PortFunction { name: f.name.get_ref().clone(), firmware, returns, doc: f.doc.trim().to_string(), args });
    }
    out
}
