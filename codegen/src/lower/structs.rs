//! `[[struct]]`: the C ABI structs, with the fields the generator relies on.

use std::collections::HashMap;

use super::checker::{Checker, check_ident};
use super::merge::InFile;
use crate::ir::{Field, FieldType, Struct};
use crate::raw::RawStruct;

/// Fields the generator relies on, per struct.
pub(super) const REQUIRED_FIELDS: [(&str, &[(&str, &str)]); 4] = [
    ("addr", &[("family", "u16"), ("port", "u16"), ("scope_id", "u32")]),
    ("addrinfo", &[("family", "i32"), ("socktype", "i32"), ("proto", "i32"), ("addr", "addr")]),
    ("ifconfig", &[("ip", "addr"), ("netmask", "addr"), ("gateway", "addr"), ("dns", "addr")]),
    ("ifconfig_set", &[("dhcp", "u32"), ("config", "ifconfig")]),
];

/// The spec spelling of a field type.
pub(super) fn field_spelling(ty: &FieldType) -> String {
    match ty {
        FieldType::U8 => "u8".into(),
        FieldType::U16 => "u16".into(),
        FieldType::U32 => "u32".into(),
        FieldType::I32 => "i32".into(),
        FieldType::Bytes(n) => format!("u8[{n}]"),
        FieldType::Struct(s) => s.clone(),
    }
}

pub(super) fn parse_field_type(s: &str, known: &[Struct]) -> Option<FieldType> {
    Some(match s {
        "u8" => FieldType::U8,
        "u16" => FieldType::U16,
        "u32" => FieldType::U32,
        "i32" => FieldType::I32,
        _ => {
            if let Some(n) = s.strip_prefix("u8[").and_then(|r| r.strip_suffix(']')) {
                return n.parse().ok().filter(|n| (1..=256).contains(n)).map(FieldType::Bytes);
            }
            return known.iter().any(|k| k.name == s).then(|| FieldType::Struct(s.to_string()));
        }
    })
}

pub(super) fn build_structs(ck: &mut Checker, items: &[InFile<RawStruct>]) -> Vec<Struct> {
    let mut seen = HashMap::new();
    let mut out: Vec<Struct> = Vec::new();
    for (file, s) in items {
        let (file, span, s) = (*file, s.span(), s.get_ref());
        check_ident(ck, file, &s.name, "struct", false);
        if ck.duplicate(&mut seen, "struct", file, &s.name) {
            continue;
        }
        let mut fields = Vec::new();
        let mut names = HashMap::new();
        for f in &s.fields {
            let f = f.get_ref();
            check_ident(ck, file, &f.name, "field", false);
            if ck.duplicate(&mut names, "field", file, &f.name) {
                continue;
            }
            match parse_field_type(f.r#type.get_ref(), &out) {
                Some(ty) => fields.push(Field { name: f.name.get_ref().clone(), ty, doc: f.doc.trim().to_string() }),
                None => {
                    ck.err(
                        file,
                        f.r#type.span(),
                        format!("unknown field type `{}`", f.r#type.get_ref()),
                        "unknown",
                        "u8, u16, u32, i32, u8[N] (N in 1..256) or an earlier struct's name",
                    )
                    .did_you_mean(f.r#type.get_ref(), ["u8", "u16", "u32", "i32"].into_iter().chain(out.iter().map(|s| s.name.as_str())));
                }
            }
        }
        if let Some((_, required)) = REQUIRED_FIELDS.iter().find(|(n, _)| n == s.name.get_ref()) {
            for (name, ty) in required.iter() {
                if !fields.iter().any(|f| f.name == *name && field_spelling(&f.ty) == *ty) {
                    ck.err(
                        file,
                        span.clone(),
                        format!("struct `{}` lacks field `{name}` of type {ty}", s.name.get_ref()),
                        "incomplete",
                        "the fields the generated glue reads",
                    );
                }
            }
        }
        out.push(Struct { name: s.name.get_ref().clone(), doc: s.doc.trim().to_string(), fields });
    }
    for (name, _) in REQUIRED_FIELDS {
        if !out.iter().any(|s| s.name == name) {
            ck.err(
                items.first().map(|i| i.0).unwrap_or(0),
                0..0,
                format!("the spec has no struct `{name}`"),
                "missing",
                format!("a [[struct]] named `{name}`"),
            );
        }
    }
    out
}
