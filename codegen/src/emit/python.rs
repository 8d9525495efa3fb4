//! Python spellings of spec values, written once for every emitter that
//! writes Python (the conformance and hardening scripts, the docs, the
//! stubs). Strings and bytes are escaped as MicroPython's `repr` escapes
//! them (`py/objstrunicode.c`, `py/objstr.c`): printable ASCII as is, `\n`
//! `\r` `\t`, `\xNN`, `\uNNNN`, `\UNNNNNNNN`, so every generated file is
//! ASCII and reads the same on MicroPython, with or without unicode strings
//! in its source, and on CPython.

use crate::ir::{Spec, Value};

/// A str literal in single quotes.
pub(super) fn str_literal(s: &str) -> String {
    let mut out = String::from("'");
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            ' '..='~' => out.push(ch),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('\'');
    out
}

/// A bytes literal in single quotes.
pub(super) fn bytes_literal(b: &[u8]) -> String {
    let mut out = String::from("b'");
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            0x20..=0x7e => out.push(byte as char),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('\'');
    out
}

/// A float literal that reads back as the same float (NaN and the infinities
/// through `float()`).
pub(super) fn float_literal(f: f64) -> String {
    if f.is_nan() {
        return "float('nan')".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "float('inf')".into() } else { "float('-inf')".into() };
    }
    let s = format!("{f:?}");
    if s.contains(['.', 'e', 'E']) { s } else { format!("{s}.0") }
}

/// A Python literal as Python's `repr` spells it: `None`, `True`, `2`, `0.5`,
/// `'rb'`, `b'\x00'`, `(1, 2)`; a constant by its name, a case variable by its name.
pub fn python_literal(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_literal(*f),
        Value::Str(s) => str_literal(s),
        Value::Bytes(b) => bytes_literal(b),
        Value::Const(name, _) | Value::Var(name) => name.clone(),
        Value::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(python_literal).collect();
            if parts.len() == 1 { format!("({},)", parts[0]) } else { format!("({})", parts.join(", ")) }
        }
    }
}

/// A default as Python code outside the implementation: a constant Python cannot
/// see (`python = false`) is spelled by its value instead of its name.
pub fn python_default(spec: &Spec, v: &Value) -> String {
    match v {
        Value::Const(name, value) if !spec.constants.iter().any(|c| c.python && &c.name == name) => value.to_string(),
        _ => python_literal(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_python() {
        assert_eq!(python_literal(&Value::None), "None");
        assert_eq!(python_literal(&Value::Bool(true)), "True");
        assert_eq!(python_literal(&Value::Float(1.0)), "1.0");
        assert_eq!(python_literal(&Value::Float(0.25)), "0.25");
        assert_eq!(python_literal(&Value::Str("it's".into())), "'it\\'s'");
        assert_eq!(python_literal(&Value::Bytes(vec![b'a', 0, b'\n'])), "b'a\\x00\\n'");
        assert_eq!(python_literal(&Value::Const("AF_INET".into(), 2)), "AF_INET");
        assert_eq!(python_literal(&Value::Tuple(vec![Value::Str("::1".into()), Value::Int(80)])), "('::1', 80)");
        assert_eq!(python_literal(&Value::Tuple(vec![Value::Int(1)])), "(1,)");
        assert_eq!(bytes_literal(b"a'\\\n\x00"), "b'a\\'\\\\\\n\\x00'");
        assert_eq!(float_literal(f64::NAN), "float('nan')");
    }

    #[test]
    fn non_ascii_is_escaped_as_micropython_repr_does() {
        assert_eq!(str_literal("caf\u{e9}\n\u{7f}"), "'caf\\xe9\\n\\x7f'");
        assert_eq!(str_literal("\u{20ac}"), "'\\u20ac'");
        assert_eq!(str_literal("\u{1f600}"), "'\\U0001f600'");
    }
}
