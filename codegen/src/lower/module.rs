//! `[module]`, `[interface]` with its methods' names, and `[limits]`: the
//! tables there is one of.

use toml::Spanned;

use super::checker::{Checker, check_ident, is_ident};
use super::merge::InFile;
use crate::diag::FileId;
use crate::ir::{Callable, Interface, Limits, Module};
use crate::raw::{RawCallable, RawInterface, RawLimits, RawModule};

/// `near`: the file to point at when no file has `[module]` (the module functions' file).
pub(super) fn build_module(ck: &mut Checker, items: &[InFile<RawModule>], near: FileId) -> Option<Module> {
    let Some((file, first)) = items.first() else {
        ck.err(near, 0..0, "the spec has no [module] table", "no file defines it", "one file with `[module]` (name, c_prefix, doc)");
        return None;
    };
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [module] table", "second definition", "exactly one [module] in all spec files");
    }
    let raw = first.get_ref();
    check_ident(ck, *file, &raw.name, "module", false);
    check_ident(ck, *file, &raw.c_prefix, "C prefix", false);
    for a in &raw.aliases {
        check_ident(ck, *file, a, "module alias", false);
    }
    Some(Module {
        name: raw.name.get_ref().clone(),
        aliases: raw.aliases.iter().map(|a| a.get_ref().clone()).collect(),
        c_prefix: raw.c_prefix.get_ref().clone(),
        doc: raw.doc.trim().to_string(),
    })
}

/// `[interface]`: at most one; its module and class must be identifiers.
pub(super) fn build_interface(ck: &mut Checker, items: &[InFile<RawInterface>]) -> Option<Interface> {
    let (file, first) = items.first()?;
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [interface] table", "second definition", "at most one [interface] in all spec files");
    }
    let raw = first.get_ref();
    check_ident(ck, *file, &raw.module, "interface module", false);
    if !is_ident(raw.class.get_ref()) {
        ck.err(*file, raw.class.span(), format!("invalid class name `{}`", raw.class.get_ref()), "not an identifier", "an identifier such as LAN");
    }
    Some(Interface { module: raw.module.get_ref().clone(), class: raw.class.get_ref().clone(), doc: raw.doc.trim().to_string() })
}

/// Interface methods need `[interface]`, and their C ABI names must not clash
/// with functions' and socket methods' (all are `<prefix>_<name>`).
pub(super) fn check_interface_methods(ck: &mut Checker, items: &[InFile<RawCallable>], has_interface: bool, functions: &[Callable], methods: &[Callable]) {
    for (file, c) in items {
        let name = &c.get_ref().name;
        if !has_interface {
            ck.err(
                *file,
                name.span(),
                format!("interface method `{}` without [interface]", name.get_ref()),
                "no interface",
                "an [interface] table (module, class, doc)",
            );
        }
        if functions.iter().chain(methods).any(|f| &f.name == name.get_ref()) {
            ck.err(
                *file,
                name.span(),
                format!("interface method `{}` has the C ABI name of a function or socket method", name.get_ref()),
                "clash",
                "a name no function or socket method has",
            );
        }
    }
}

pub(super) fn build_limits(ck: &mut Checker, items: &[InFile<RawLimits>]) -> Option<Limits> {
    let Some((file, l)) = items.first() else {
        ck.err(0, 0..0, "the spec has no [limits] table", "missing", "[limits] with max_addrinfo and read_chunk");
        return None;
    };
    for (f, dup) in &items[1..] {
        ck.err(*f, dup.span(), "duplicate [limits] table", "second definition", "exactly one [limits]");
    }
    let l = l.get_ref();
    let mut get = |v: &Spanned<i64>, range: std::ops::RangeInclusive<i64>| {
        if !range.contains(v.get_ref()) {
            ck.err(*file, v.span(), format!("limit {} is out of range", v.get_ref()), "out of range", format!("{}..{}", range.start(), range.end()));
        }
        u32::try_from(*v.get_ref()).unwrap_or(0)
    };
    Some(Limits { max_addrinfo: get(&l.max_addrinfo, 1..=64), read_chunk: get(&l.read_chunk, 16..=65536) })
}
