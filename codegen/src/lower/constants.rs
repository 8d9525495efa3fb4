//! `[[constant]]`, `[[errno]]`, `[[gai_error]]` and `[[service]]`: the name
//! tables steps and rules refer to.

use std::collections::HashMap;

use super::checker::{Checker, check_ident};
use super::merge::InFile;
use crate::ir::{Constant, ErrorCode, Namespace, Service};
use crate::raw::{RawConstant, RawErrno, RawService};

/// Codes the generated C ABI itself returns (bad fd, bad pointer, no stack, getaddrinfo misuse).
pub(super) const REQUIRED_CODES: [(&str, &str); 7] = [
    ("EBADF", "errno"),
    ("EINVAL", "errno"),
    ("ENODEV", "errno"),
    ("EAGAIN", "errno"),
    ("EINTR", "errno"),
    ("EAI_SYSTEM", "gai_error"),
    ("EAI_INTR", "gai_error"),
];

pub(super) fn build_constants(ck: &mut Checker, items: &[InFile<RawConstant>]) -> Vec<Constant> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, c) in items {
        let c = c.get_ref();
        check_ident(ck, *file, &c.name, "constant", true);
        check_ident(ck, *file, &c.group, "group", false);
        if ck.duplicate(&mut seen, "constant", *file, &c.name) {
            continue;
        }
        if i32::try_from(*c.value.get_ref()).is_err() {
            ck.err(*file, c.value.span(), format!("constant `{}` does not fit in 32 bits", c.name.get_ref()), "out of range", "a value in i32 range");
        }
        out.push(Constant {
            name: c.name.get_ref().clone(),
            value: *c.value.get_ref(),
            group: c.group.get_ref().clone(),
            linux: c.linux,
            python: c.python,
            doc: c.doc.trim().to_string(),
            extension: c.extension.clone(),
        });
    }
    out
}

/// Service names: lowercase `/etc/services` spellings, each once, ports 1..65535.
pub(super) fn build_services(ck: &mut Checker, items: &[InFile<RawService>]) -> Vec<Service> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, x) in items {
        let x = x.get_ref();
        let name = x.name.get_ref();
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            ck.err(
                *file,
                x.name.span(),
                format!("invalid service name `{name}`"),
                "not a service name",
                "lowercase letters, digits and '-', starting with a letter",
            );
        }
        if ck.duplicate(&mut seen, "service", *file, &x.name) {
            continue;
        }
        let Some(port) = u16::try_from(*x.port.get_ref()).ok().filter(|p| *p != 0) else {
            ck.err(*file, x.port.span(), format!("service `{name}` has port {}", x.port.get_ref()), "out of range", "a port in 1..65535");
            continue;
        };
        out.push(Service { name: name.clone(), port });
    }
    out
}

pub(super) fn build_codes(ck: &mut Checker, items: &[InFile<RawErrno>], ns: Namespace) -> Vec<ErrorCode> {
    let (kind, range, hint) = match ns {
        Namespace::Errno => ("errno", 1..=4095, "a positive errno value (1..4095); negative codes are [[gai_error]]s"),
        Namespace::Gai => ("getaddrinfo error", -4095..=-1, "a negative getaddrinfo code (-4095..-1)"),
    };
    let mut seen = HashMap::new();
    let mut values: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::new();
    for (file, e) in items {
        let e = e.get_ref();
        check_ident(ck, *file, &e.name, kind, true);
        if ck.duplicate(&mut seen, kind, *file, &e.name) {
            continue;
        }
        let v = *e.value.get_ref();
        if !range.contains(&v) {
            ck.err(*file, e.value.span(), format!("{kind} `{}` has value {v}, out of range", e.name.get_ref()), "out of range", hint);
        } else if let Some(other) = values.insert(v, e.name.get_ref().clone()) {
            ck.err(
                *file,
                e.value.span(),
                format!("{kind} `{}` reuses the value {v} of `{other}`", e.name.get_ref()),
                "same value",
                "a value no other code has",
            );
        }
        out.push(ErrorCode { name: e.name.get_ref().clone(), value: v, message: e.message.trim().to_string(), namespace: ns });
    }
    out
}
