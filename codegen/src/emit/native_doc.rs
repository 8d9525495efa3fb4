//! The docs of each operation for its C and Rust callers: the spec's
//! `native_doc` in the language's error form, then every parameter by its
//! name in that language (pointer and `_len` pairs, what NULL means, units)
//! and the return convention its return kind fixes.

use crate::abi::{self, CType, Null};
use crate::ir::{Callable, Owner};
use crate::naming::Names;
use crate::native::{self, Lang};
use crate::types::{ArgType, ReturnKind};

/// What the C prose says of a NULL pointer parameter, if anything.
fn c_null(null: Null) -> Option<&'static str> {
    match null {
        Null::NotPointer => None,
        Null::Invalid => Some("Not NULL"),
        Null::Empty => Some("NULL only with a length of 0"),
        Null::Absent => Some("NULL with a length of 0: none"),
        Null::Skipped => Some("NULL: not written"),
    }
}

/// `text` as a sentence: capitalised, ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim().trim_end_matches('.');
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase().to_string()).unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

/// One C parameter's line.
fn c_param(c: &Callable, names: &Names, p: &abi::Param) -> String {
    let arg = p.arg.as_ref().and_then(|n| c.args.iter().find(|a| &a.name == n));
    let what = match (arg, p.ty) {
        (None, CType::I32) => "the socket's fd".to_string(),
        (Some(a), CType::Size) => format!("the length of `{}` in bytes", a.name),
        (Some(a), CType::I32) if a.ty == ArgType::Timeout => {
            format!("{} In milliseconds; -1: no timeout (block), 0: non-blocking", sentence(&a.native_doc))
        }
        (Some(a), CType::I32) if a.ty == ArgType::Bool => format!("{} Nonzero: true", sentence(&a.native_doc)),
        (Some(a), CType::ConstChar) => {
            format!("{} UTF-8 text of `{}` bytes, not NUL-terminated (pass its strlen())", sentence(&a.native_doc), abi::len_name(&a.name))
        }
        (Some(a), _) => a.native_doc.clone(),
        (None, CType::Size) if p.name == "out_cap" => "how many results `out` holds".to_string(),
        (None, CType::Size) => "the size of `out` in bytes".to_string(),
        (None, CType::MutChar) => "where the text is written, without a NUL terminator; -EINVAL when it does not fit".to_string(),
        (None, CType::MutBytes) => "where the bytes are written".to_string(),
        (None, CType::MutAddr) if p.name == "peer" => "where the peer's address is written".to_string(),
        (None, CType::MutAddr) if p.name == "from" => "where the sender's address is written".to_string(),
        (None, CType::MutAddr) => "where the address is written".to_string(),
        (None, CType::MutI32) => "where the timeout is written, in milliseconds (-1: no timeout, the socket blocks)".to_string(),
        (None, CType::MutAddrinfo) => format!("an array of `out_cap` `{}` the results are written to", names.c_struct("addrinfo")),
        (None, CType::MutIfconfig) => "where the configuration is written".to_string(),
        (None, _) => String::new(),
    };
    let mut line = format!("`{}`: {}", p.name, sentence(&what));
    if let Some(null) = c_null(p.null) {
        line = format!("{line} {}", sentence(null));
    }
    line
}

/// What the C function returns, by its return kind.
fn c_returns(c: &Callable, names: &Names) -> String {
    let again = format!(", or -{} on a non-blocking socket when nothing could be done (Python's None)", names.c_macro("EAGAIN"));
    let ok = match c.returns {
        ReturnKind::None => "0".to_string(),
        ReturnKind::Socket => "the new socket's fd (>= 0)".to_string(),
        ReturnKind::SocketAddress => "the new socket's fd (>= 0), with the peer's address written to `*peer` (unless NULL)".to_string(),
        ReturnKind::Bytes => "the number of bytes written to `out` (>= 0)".to_string(),
        ReturnKind::BytesOrNone | ReturnKind::LineOrNone => format!("the number of bytes written to `out` (>= 0){again}"),
        ReturnKind::IntOrNone => format!("the number of bytes (>= 0){again}"),
        ReturnKind::BytesAddress => "the number of bytes written to `out` (>= 0), with the sender's address written to `*from`".to_string(),
        ReturnKind::Address => "0, with the address written to `*out`".to_string(),
        ReturnKind::Timeout => "0, with the timeout written to `*out_ms`".to_string(),
        ReturnKind::Addrinfo => "the number of results written to `out` (>= 0)".to_string(),
        ReturnKind::Str => "the length of the text written to `out` (>= 0)".to_string(),
        ReturnKind::Packed => "the number of bytes written to `out` (4 or 16)".to_string(),
        ReturnKind::Bool => "1 (true) or 0 (false)".to_string(),
        ReturnKind::Ifconfig => "0, with the configuration written to `*out`".to_string(),
        ReturnKind::Int => "the value (>= 0)".to_string(),
        ReturnKind::SelfRef | ReturnKind::Ipconfig => String::new(),
    };
    let fail = if c.returns == ReturnKind::Addrinfo {
        format!("a negative getaddrinfo code ({}; never -errno)", names.c_macro("EAI_*"))
    } else {
        format!("a negative errno (-{})", names.c_macro("E*"))
    };
    format!("Returns {ok}; on failure {fail}.")
}

/// The comment lines of the C declaration of `c`.
pub fn c_lines(c: &Callable, names: &Names) -> Vec<String> {
    let mut lines: Vec<String> = native::render(&c.native_doc, Lang::C, names).lines().map(String::from).collect();
    let params = abi::params(c);
    if !params.is_empty() {
        lines.push(String::new());
        lines.extend(params.iter().map(|p| c_param(c, names, p)));
    }
    lines.push(c_returns(c, names));
    lines
}

/// What the Rust trait method returns, by its return kind.
fn rust_returns(c: &Callable) -> String {
    let again = " `Err(Errno::EAGAIN)` on a non-blocking socket when nothing could be done (Python's None).";
    let ok = match c.returns {
        ReturnKind::None => "`Ok(())`.".to_string(),
        ReturnKind::Socket => "`Ok(fd)`: the new socket.".to_string(),
        ReturnKind::SocketAddress => "`Ok((fd, peer))`: the new socket and the peer's address.".to_string(),
        ReturnKind::Bytes => "`Ok(n)`: `n` bytes written to the start of `out`.".to_string(),
        ReturnKind::BytesOrNone | ReturnKind::LineOrNone => format!("`Ok(n)`: `n` bytes written to the start of `out`;{again}"),
        ReturnKind::IntOrNone => format!("`Ok(n)`: the number of bytes;{again}"),
        ReturnKind::BytesAddress => "`Ok((n, from))`: `n` bytes written to the start of `out`, and the sender's address.".to_string(),
        ReturnKind::Address => "`Ok(address)`.".to_string(),
        ReturnKind::Timeout => "`Ok(Some(ms))`: the timeout in milliseconds; `Ok(None)`: no timeout (the socket blocks).".to_string(),
        ReturnKind::Addrinfo => "`Ok(n)`: `n` results written to the start of `out`.".to_string(),
        ReturnKind::Str => "`Ok(n)`: the text's length, written to the start of `out` (`Err(Errno::EINVAL)` when it does not fit).".to_string(),
        ReturnKind::Packed => "`Ok(n)`: `n` bytes (4 or 16) written to the start of `out`.".to_string(),
        ReturnKind::Bool => "`Ok(true)` or `Ok(false)`.".to_string(),
        ReturnKind::Ifconfig => "`Ok(config)`: the configuration.".to_string(),
        ReturnKind::Int => "`Ok(n)`: the value.".to_string(),
        ReturnKind::SelfRef | ReturnKind::Ipconfig => String::new(),
    };
    let fail = if c.returns == ReturnKind::Addrinfo { "a getaddrinfo code, `Err(GaiError)`" } else { "`Err(Errno)`" };
    format!("Returns {ok} Errors are {fail}.")
}

/// One Rust parameter's line, if it says more than its type.
fn rust_param(c: &Callable, name: &str) -> String {
    let arg = c.args.iter().find(|a| a.name == name);
    let what = match arg {
        None if name == "fd" => "the socket".to_string(),
        None if c.returns == ReturnKind::Addrinfo => "where the results are written (its length: the most results)".to_string(),
        None => "where the result is written (its length: the most bytes)".to_string(),
        Some(a) if a.ty == ArgType::Timeout => format!("{} In milliseconds; `None`: no timeout (block), `Some(0)`: non-blocking.", a.native_doc),
        Some(a) => a.native_doc.clone(),
    };
    format!("- `{name}`: {}", what.trim_end_matches('.')) + "."
}

/// The doc of the Rust trait method of `c`.
pub fn rust_text(c: &Callable, names: &Names) -> String {
    let mut text = native::render(&c.native_doc, Lang::Rust, names);
    let params: Vec<String> = super::rust::trait_params(c).iter().map(|(n, _)| rust_param(c, n.to_string().trim_start_matches("r#"))).collect();
    if !params.is_empty() {
        text.push_str("\n\n");
        text.push_str(&params.join("\n"));
    }
    text.push_str("\n\n");
    text.push_str(&rust_returns(c));
    if c.owner == Owner::Socket && c.blocks {
        text.push_str(" It waits according to the socket's timeout (`settimeout`).");
    }
    text
}
