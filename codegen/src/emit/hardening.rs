//! Bad input, generated from the spec's signatures: `generated/hardening/`
//! `bad_input.py` calls every Python function, method and interface method with wrong types,
//! None, negative and huge sizes, out-of-range ports, bad addresses and on
//! closed sockets (each must raise or return, never crash or hang);
//! `bad_input.c` calls every C ABI function with a bad fd, NULL pointers and
//! huge lengths (each must return -EBADF / -EINVAL, getaddrinfo a negative code).

use serde::Serialize;

use super::python::str_literal;
use super::{GENERATED_LINE, Output, templates};
use crate::abi::{self, CType, Null};
use crate::ir::{Callable, Outcome, Owner, Spec};
use crate::naming::Names;
use crate::types::{ArgType, ReturnKind};

/// A Python value that is right for an argument of this type.
fn py_valid(ty: ArgType) -> &'static str {
    match ty {
        ArgType::Int => "0",
        ArgType::Bool => "True",
        ArgType::Timeout => "0.05",
        ArgType::Bytes => "b'x'",
        ArgType::Buffer => "bytearray(8)",
        ArgType::Size => "8",
        ArgType::Address => "('127.0.0.1', 9)",
        ArgType::Host => "'127.0.0.1'",
        ArgType::Port => "9",
        ArgType::Optval => "1",
        ArgType::Str => "'rb'",
        // Only in the call with too many arguments, which fails before it would start DHCP.
        ArgType::Ifconfig => "'dhcp'",
    }
}

/// Python values that are wrong (or at the edge) for an argument of this type.
fn py_bad(ty: ArgType) -> &'static [&'static str] {
    const INT: &[&str] = &["None", "'1'", "1.5", "-1", "2**31", "2**63", "-2**63", "2**100", "b'1'", "()"];
    match ty {
        ArgType::Int => INT,
        ArgType::Bool => &["None", "'yes'", "2**100", "[]"],
        ArgType::Timeout => &["-1", "'1'", "1e300", "float('nan')", "float('inf')", "2**100", "-0.0", "()"],
        ArgType::Bytes => &["None", "'text'", "1", "[1, 2]", "bytearray(0)", "memoryview(b'abc')", "b'\\x00' * 70000"],
        ArgType::Buffer => &["None", "b'immutable'", "'text'", "1", "bytearray(0)"],
        ArgType::Size => &["None", "-1", "2**31", "2**63", "2**100", "'8'", "1.5"],
        ArgType::Address => &[
            "None",
            "()",
            "('127.0.0.1',)",
            "('127.0.0.1', 1, 2, 3, 4)",
            "('256.0.0.1', 80)",
            "('127.0.0.1', 65536)",
            "('127.0.0.1', -1)",
            "('::1::', 80)",
            "('x' * 300, 80)",
            "(1, 80)",
            "('127.0.0.1', '80')",
            "'127.0.0.1:80'",
            "b'\\x02\\x00'",
            "('', 0)",
        ],
        ArgType::Host => &["''", "'x' * 300", "'256.256.256.256'", "'\\x00'", "1", "b'host'", "'\\u00fcmlaut'"],
        ArgType::Port => &["None", "-1", "65536", "2**100", "'http'", "'99999'", "''", "1.5"],
        ArgType::Optval => &["None", "-1", "2**100", "'1'", "b''", "b'\\x00' * 1000", "bytearray(4)", "1.5"],
        ArgType::Str => &["None", "1", "''", "'xyz'", "'r' * 1000", "b'rb'"],
        // Malformed all: none may change the interface (the script checks that it did not).
        ArgType::Ifconfig => &[
            "1",
            "'DHCP'",
            "''",
            "b'dhcp'",
            "()",
            "('127.0.0.1',)",
            "('127.0.0.1', '255.0.0.0', '0.0.0.0')",
            "('127.0.0.1', '255.0.0.0', '0.0.0.0', '0.0.0.0', '')",
            "(1, 2, 3, 4)",
            "('256.0.0.1', '255.0.0.0', '0.0.0.0', '0.0.0.0')",
            "('127.0.0.1', '255.0.255.0', '0.0.0.0', '0.0.0.0')",
            "('224.0.0.1', '255.0.0.0', '0.0.0.0', '0.0.0.0')",
            "('255.255.255.255', '255.0.0.0', '0.0.0.0', '0.0.0.0')",
            "('::1', '', '', '')",
            "('x' * 300, '', '', '')",
            "['127.0.0.1', '255.0.0.0', '0.0.0.0', None]",
        ],
    }
}

/// The Python calls of one callable: in each positional form, each argument in
/// turn gets each bad value (the earlier ones valid), then one call with too
/// many arguments.
fn py_calls(spec: &Spec, c: &Callable) -> Vec<String> {
    let target = match (c.owner, &spec.interface) {
        (Owner::Socket, _) => format!("fresh().{}", c.name),
        (Owner::Interface, Some(i)) => format!("{}.{}().{}", i.module, i.class, c.name),
        _ => format!("{}.{}", spec.module.name, c.name),
    };
    let mut calls = Vec::new();
    for form in c.positional_forms() {
        for (i, arg) in form.iter().enumerate() {
            let before: Vec<&str> = form[..i].iter().map(|a| py_valid(a.ty)).collect();
            for bad in py_bad(arg.ty) {
                let args: Vec<&str> = before.iter().copied().chain([*bad]).collect();
                let call = format!("{target}({})", args.join(", "));
                if !calls.contains(&call) {
                    calls.push(call);
                }
            }
        }
    }
    let too_many: Vec<&str> = c.args.iter().map(|a| py_valid(a.ty)).chain(["0", "0"]).collect();
    calls.push(format!("{target}({})", too_many.join(", ")));
    if c.owner == Owner::Socket {
        let valid: Vec<&str> = c.args.iter().filter(|a| a.default.is_none()).map(|a| py_valid(a.ty)).collect();
        calls.push(format!("closed().{}({})", c.name, valid.join(", ")));
    }
    calls
}

/// One Python call: its text as a literal, and the call.
#[derive(Serialize)]
struct PyCall {
    text: String,
    call: String,
}

#[derive(Serialize)]
struct PyContext {
    generated: &'static str,
    module: String,
    /// The interface's module (`network`), when the spec has one.
    interface: Option<String>,
    /// An expression reading the interface's configuration (`network.LAN().ifconfig()`),
    /// when it has an ifconfig method: bad input must not change it.
    snapshot: Option<String>,
    calls: Vec<PyCall>,
}

/// A C argument list for `c` with valid values, except parameter `bad` set to `value`.
fn c_args(c: &Callable, bad: Option<(usize, &str)>) -> String {
    abi::params(c)
        .iter()
        .enumerate()
        .map(|(i, p)| match bad {
            Some((j, v)) if i == j => v.to_string(),
            _ => match p.ty {
                CType::I32 if p.name == "fd" => "fd".into(),
                CType::I32 | CType::IntPtr => "0".into(),
                CType::Size => "4".into(),
                CType::ConstBytes => "bytes_in".into(),
                CType::MutBytes => "bytes_out".into(),
                CType::ConstChar => "\"127.0.0.1\"".into(),
                CType::MutChar => "text_out".into(),
                CType::ConstAddr => "&addr_in".into(),
                CType::MutAddr => "&addr_out".into(),
                CType::MutI32 => "&int_out".into(),
                CType::MutAddrinfo => "infos".into(),
                CType::MutIfconfig => "&ifconfig_out".into(),
                // NULL: read only (a set would change the board the other checks run on).
                CType::ConstIfconfigSet => "NULL".into(),
            },
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One C check: a label, the call, and what it must return.
#[derive(Serialize)]
struct CCheck {
    label: String,
    call: String,
    /// `-USOCKET_EBADF`, `-USOCKET_EINVAL`, `negative`, or `any` (it must only return).
    want: String,
}

fn c_checks(spec: &Spec, names: &Names, c: &Callable) -> Vec<CCheck> {
    let f = names.c_fn(c);
    let params = abi::params(c);
    let gai = c.returns == ReturnKind::Addrinfo;
    let want = |code: &str| if gai { "negative".to_string() } else { format!("-{}", names.c_macro(code)) };
    let mut out = Vec::new();
    if c.owner == Owner::Socket {
        // A negative fd is never open; a number that is not open gives EBADF
        // where a spec rule says so (poll reports POLL_NVAL instead).
        out.push(CCheck { label: format!("{f}: fd -1"), call: format!("{f}({})", c_args(c, Some((0, "-1")))), want: want("EBADF") });
        let ebadf = spec.rules.iter().any(|r| matches!(&r.outcome, Outcome::Error(e) if e.name == "EBADF") && r.methods.contains(&c.name));
        let not_open = if ebadf { want("EBADF") } else { "any".to_string() };
        out.push(CCheck { label: format!("{f}: fd 4095 (not open)"), call: format!("{f}({})", c_args(c, Some((0, "4095")))), want: not_open });
    }
    for (i, p) in params.iter().enumerate() {
        let call = format!("{f}({})", c_args(c, Some((i, "NULL"))));
        match p.null {
            // NULL with a length (4 here) is an error; an empty buffer is not.
            Null::Invalid | Null::Empty => out.push(CCheck { label: format!("{f}: NULL {}", p.name), call, want: want("EINVAL") }),
            // An output the caller does not want: the call only must not write through it.
            Null::Skipped => out.push(CCheck { label: format!("{f}: NULL {} (not written)", p.name), call, want: "any".to_string() }),
            // A NULL host is None (any address), NULL ifconfig only reads: not errors.
            Null::Absent | Null::NotPointer => {}
        }
        if p.ty == CType::ConstIfconfigSet {
            let call = format!("{f}({})", c_args(c, Some((i, "&ifconfig_set_bad"))));
            out.push(CCheck { label: format!("{f}: {} with an unknown dhcp value", p.name), call, want: want("EINVAL") });
        }
        if p.ty == CType::Size {
            out.push(CCheck { label: format!("{f}: huge {}", p.name), call: format!("{f}({})", c_args(c, Some((i, "SIZE_MAX")))), want: want("EINVAL") });
        }
    }
    out
}

#[derive(Serialize)]
struct CContext {
    generated: &'static str,
    header: String,
    prefix: String,
    upper: String,
    addr_t: String,
    addrinfo_t: String,
    ifconfig_t: String,
    ifconfig_set_t: String,
    checks: Vec<CCheck>,
}

/// The two programs.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let names = Names::new(&spec.module);
    let calls = spec.callables().filter(|c| c.python).flat_map(|c| py_calls(spec, c)).map(|call| PyCall { text: str_literal(&call), call }).collect();
    let reader = spec.interface_methods.iter().find(|c| c.python && c.returns == ReturnKind::Ifconfig);
    let snapshot = spec.interface.as_ref().zip(reader).map(|(i, c)| format!("{}.{}().{}()", i.module, i.class, c.name));
    let py = PyContext {
        generated: GENERATED_LINE,
        module: spec.module.name.clone(),
        interface: spec.interface.as_ref().map(|i| i.module.clone()),
        snapshot,
        calls,
    };
    // pump takes no arguments and cannot fail: nothing to check.
    let checks = spec.callables().filter(|c| c.returns.has_abi()).flat_map(|c| c_checks(spec, &names, c)).collect();
    let c = CContext {
        generated: GENERATED_LINE,
        header: names.header(),
        prefix: names.prefix().to_string(),
        upper: names.prefix().to_uppercase(),
        addr_t: names.c_struct("addr"),
        addrinfo_t: names.c_struct("addrinfo"),
        ifconfig_t: names.c_struct("ifconfig"),
        ifconfig_set_t: names.c_struct("ifconfig_set"),
        checks,
    };
    Ok(vec![
        Output::new("generated/hardening/bad_input.py", templates::render("bad_input.py.j2", &py)?),
        Output::new("generated/hardening/bad_input.c", templates::render("bad_input.c.j2", &c)?),
    ])
}
