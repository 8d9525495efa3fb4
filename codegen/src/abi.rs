//! The C ABI signature of each operation, shared by the Rust `extern "C"`
//! functions and the C header so that the two can never disagree.

use crate::ir::{Callable, Owner};
use crate::types::{ArgType, ReturnKind};

/// A C ABI parameter or return type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CType {
    /// `int32_t`.
    I32,
    /// `intptr_t` (byte counts).
    IntPtr,
    /// `size_t`.
    Size,
    /// `const uint8_t *`.
    ConstBytes,
    /// `uint8_t *`.
    MutBytes,
    /// `const char *` (UTF-8 text, not NUL-terminated).
    ConstChar,
    /// `char *`.
    MutChar,
    /// `const <addr struct> *`.
    ConstAddr,
    /// `<addr struct> *`.
    MutAddr,
    /// `int32_t *`.
    MutI32,
    /// `<addrinfo struct> *`.
    MutAddrinfo,
    /// `<ifconfig struct> *`.
    MutIfconfig,
    /// `const <ifconfig_set struct> *` (NULL: nothing to set).
    ConstIfconfigSet,
}

/// What a NULL pointer parameter means (`runtime/src/ffi.rs` checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Null {
    /// Not a pointer.
    NotPointer,
    /// NULL is -EINVAL.
    Invalid,
    /// NULL is allowed with a length of 0 (an empty buffer).
    Empty,
    /// NULL (with a length of 0) means none: no host, nothing to set.
    Absent,
    /// NULL: the output is not written.
    Skipped,
}

/// One C ABI parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Name (the same in C and Rust).
    pub name: String,
    /// Type.
    pub ty: CType,
    /// What NULL means for it.
    pub null: Null,
    /// The spec argument it carries (its value, pointer or length); None:
    /// the fd or an output.
    pub arg: Option<String>,
}

/// A parameter that carries no spec argument (the fd, an output).
fn p(name: impl Into<String>, ty: CType) -> Param {
    let null = match ty {
        CType::I32 | CType::IntPtr | CType::Size => Null::NotPointer,
        CType::ConstBytes | CType::MutBytes | CType::MutChar | CType::MutAddrinfo => Null::Empty,
        _ => Null::Invalid,
    };
    Param { name: name.into(), ty, null, arg: None }
}

/// A parameter of spec argument `arg`.
fn of(arg: &str, name: impl Into<String>, ty: CType) -> Param {
    let null = match ty {
        CType::ConstChar | CType::ConstIfconfigSet => Null::Absent,
        _ => p("", ty).null,
    };
    Param { name: name.into(), ty, null, arg: Some(arg.to_string()) }
}

/// Name of the length parameter that follows a pointer argument.
pub fn len_name(arg: &str) -> String {
    format!("{arg}_len")
}

/// Name of the millisecond parameter of a timeout argument.
pub fn ms_name(arg: &str) -> String {
    format!("{arg}_ms")
}

/// The C ABI parameters of an operation, in order.
pub fn params(c: &Callable) -> Vec<Param> {
    let mut out = Vec::new();
    if c.owner == Owner::Socket {
        out.push(p("fd", CType::I32));
    }
    for a in c.abi_args() {
        let n = a.name.as_str();
        let p = |name: &str, ty| of(n, name, ty);
        match a.ty {
            ArgType::Int | ArgType::Bool | ArgType::Port => out.push(p(n, CType::I32)),
            ArgType::Timeout => out.push(p(&ms_name(n), CType::I32)),
            ArgType::Bytes | ArgType::Optval => out.extend([p(n, CType::ConstBytes), p(&len_name(n), CType::Size)]),
            ArgType::Buffer => out.extend([p(n, CType::MutBytes), p(&len_name(n), CType::Size)]),
            ArgType::Host => out.extend([p(n, CType::ConstChar), p(&len_name(n), CType::Size)]),
            ArgType::Address => out.push(p(n, CType::ConstAddr)),
            ArgType::Ifconfig => out.push(p(n, CType::ConstIfconfigSet)),
            ArgType::Size | ArgType::Str => {}
        }
    }
    match c.returns {
        ReturnKind::Str => out.extend([p("out", CType::MutChar), p("out_len", CType::Size)]),
        k if k.byte_output() => out.extend([p("out", CType::MutBytes), p("out_len", CType::Size)]),
        _ => {}
    }
    match c.returns {
        // As BSD accept(): a caller that does not want the peer's address passes NULL.
        ReturnKind::SocketAddress => out.push(Param { null: Null::Skipped, ..p("peer", CType::MutAddr) }),
        ReturnKind::BytesAddress => out.push(p("from", CType::MutAddr)),
        ReturnKind::Address => out.push(p("out", CType::MutAddr)),
        ReturnKind::Timeout => out.push(p("out_ms", CType::MutI32)),
        ReturnKind::Addrinfo => out.extend([p("out", CType::MutAddrinfo), p("out_cap", CType::Size)]),
        ReturnKind::Ifconfig => out.push(p("out", CType::MutIfconfig)),
        _ => {}
    }
    out
}

/// The C ABI return type.
pub fn ret(c: &Callable) -> CType {
    if c.returns.returns_count() { CType::IntPtr } else { CType::I32 }
}
