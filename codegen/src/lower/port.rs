//! `[[port_function]]` (`spec/port.toml`): known suppliers, types and returns, unique names.

use std::collections::HashSet;

use toml::Spanned;

use super::checker::Checker;
use crate::diag::FileId;
use crate::ir::port::{PortArg, PortFunction, PortReturn, PortType};
use crate::raw::RawPortFunction;

/// Validates the port functions: known types, unique names.
pub(super) fn build_port(ck: &mut Checker, items: &[(FileId, Spanned<RawPortFunction>)]) -> Vec<PortFunction> {
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
                ck.err(file, f.supplier.span(), format!("unknown supplier `{other}`"), "unknown", "firmware or runtime")
                    .did_you_mean(other, ["firmware", "runtime"]);
                continue;
            }
        };
        let returns = match f.returns.get_ref().as_str() {
            "none" => PortReturn::None,
            "i32" => PortReturn::I32,
            "u64" => PortReturn::U64,
            other => {
                ck.err(file, f.returns.span(), format!("unknown port return `{other}`"), "unknown", "none, i32 or u64")
                    .did_you_mean(other, ["none", "i32", "u64"]);
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
                    ck.err(file, a.r#type.span(), format!("unknown port argument type `{other}`"), "unknown", "bytes, mac, u64 or i32")
                        .did_you_mean(other, ["bytes", "mac", "u64", "i32"]);
                    continue;
                }
            };
            args.push(PortArg { name: a.name.get_ref().clone(), ty, doc: a.doc.trim().to_string() });
        }
        out.push(PortFunction { name: f.name.get_ref().clone(), firmware, returns, doc: f.doc.trim().to_string(), args });
    }
    out
}
