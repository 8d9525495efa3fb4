//! `generated/include/usocket.h`: the C ABI for firmware written in C.

use serde::Serialize;

use super::{GENERATED_LINE, Output, c_abi, native_doc, templates};
use crate::abi::{self, CType};
use crate::ir::{FieldType, Namespace, Spec};
use crate::naming::Names;

#[derive(Serialize)]
struct Item {
    name: String,
    value: String,
    doc: String,
}

#[derive(Serialize)]
struct Field {
    decl: String,
    doc: String,
}

#[derive(Serialize)]
struct Struct {
    name: String,
    doc: String,
    fields: Vec<Field>,
}

#[derive(Serialize)]
struct Function {
    name: String,
    ret: String,
    params: String,
    doc: Vec<String>,
}

#[derive(Serialize)]
struct Context {
    generated: &'static str,
    guard: String,
    doc: Vec<String>,
    constants: Vec<Item>,
    errnos: Vec<Item>,
    gai_errors: Vec<Item>,
    structs: Vec<Struct>,
    functions: Vec<Function>,
    /// What firmware must know of the error numbers (the top comment).
    errno_guide: Vec<String>,
    /// The functions naming an error of each namespace.
    strerrors: Vec<Function>,
}

/// The top comment's paragraph on error numbers: they are Linux's, whatever
/// the C library's `<errno.h>` says (newlib's numbers, quoted, differ).
fn errno_guide(spec: &Spec, names: &Names) -> Vec<String> {
    let value = |name: &str| spec.errnos.iter().find(|e| e.name == name).map_or(0, |e| e.value);
    let (inprogress, timedout) = (names.c_macro("EINPROGRESS"), names.c_macro("ETIMEDOUT"));
    let text = format!(
        "Errors: the {all} numbers are Linux's ({inprogress} is {}, {timedout} {}),\n\
         not the C library's: newlib's <errno.h> (arm-none-eabi firmware) has\n\
         EINPROGRESS 119 and ETIMEDOUT 116, so `r == -EINPROGRESS` silently never\n\
         matches there. Always compare a return with -{all} (getaddrinfo's with\n\
         {gai}), never with <errno.h>'s E*; {strerror}() and {gai_strerror}()\n\
         name one for a log.",
        value("EINPROGRESS"),
        value("ETIMEDOUT"),
        all = names.c_macro("E*"),
        gai = names.c_macro("EAI_*"),
        strerror = names.c_strerror(Namespace::Errno),
        gai_strerror = names.c_strerror(Namespace::Gai),
    );
    text.lines().map(String::from).collect()
}

/// The C spelling of a C ABI type.
pub fn c_type(names: &Names, t: CType) -> String {
    match t {
        CType::I32 => "int32_t".into(),
        CType::IntPtr => "intptr_t".into(),
        CType::Size => "size_t".into(),
        CType::ConstBytes => "const uint8_t *".into(),
        CType::MutBytes => "uint8_t *".into(),
        CType::ConstChar => "const char *".into(),
        CType::MutChar => "char *".into(),
        CType::ConstAddr => format!("const {} *", names.c_struct("addr")),
        CType::MutAddr => format!("{} *", names.c_struct("addr")),
        CType::MutI32 => "int32_t *".into(),
        CType::MutAddrinfo => format!("{} *", names.c_struct("addrinfo")),
        CType::MutIfconfig => format!("{} *", names.c_struct("ifconfig")),
        CType::ConstIfconfigSet => format!("const {} *", names.c_struct("ifconfig_set")),
    }
}

/// `type name` with the pointer star next to the name.
fn decl(ty: &str, name: &str) -> String {
    if ty.ends_with('*') { format!("{ty}{name}") } else { format!("{ty} {name}") }
}

fn field_decl(names: &Names, name: &str, ty: &FieldType) -> String {
    match ty {
        FieldType::U8 => format!("uint8_t {name}"),
        FieldType::U16 => format!("uint16_t {name}"),
        FieldType::U32 => format!("uint32_t {name}"),
        FieldType::I32 => format!("int32_t {name}"),
        FieldType::Bytes(n) => format!("uint8_t {name}[{n}]"),
        FieldType::Struct(s) => format!("{} {name}", names.c_struct(s)),
    }
}

/// One line of a C comment: `*/` cannot appear inside.
fn comment(text: &str) -> String {
    text.replace("*/", "* /")
}

/// Emits the header.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let names = Names::new(&spec.module);
    let item = |name: &str, value: i64, doc: &str| Item { name: names.c_macro(name), value: format!("({value})"), doc: comment(doc) };
    let functions = spec
        .callables()
        .filter(|c| c.returns.has_abi())
        .map(|c| {
            let params: Vec<String> = abi::params(c).iter().map(|p| decl(&c_type(&names, p.ty), &p.name)).collect();
            // `()` in C is "any arguments" (-Wstrict-prototypes): none is `(void)`.
            let params = if params.is_empty() { "void".to_string() } else { params.join(", ") };
            let doc = native_doc::c_lines(c, &names).iter().map(|l| comment(l)).collect();
            Function { name: names.c_fn(c), ret: c_type(&names, abi::ret(c)), params, doc }
        })
        .collect();
    let ctx = Context {
        generated: GENERATED_LINE,
        guard: names.include_guard(),
        doc: spec.module.doc.lines().map(comment).collect(),
        constants: spec.constants.iter().map(|c| item(&c.name, c.value, &c.doc)).collect(),
        errnos: spec.errnos.iter().map(|e| item(&e.name, e.value, &e.message)).collect(),
        gai_errors: spec.gai_errors.iter().map(|e| item(&e.name, e.value, &e.message)).collect(),
        structs: spec
            .structs
            .iter()
            .map(|s| Struct {
                name: names.c_struct(&s.name),
                doc: comment(&s.doc),
                fields: s.fields.iter().map(|f| Field { decl: field_decl(&names, &f.name, &f.ty), doc: comment(&f.doc) }).collect(),
            })
            .collect(),
        functions,
        errno_guide: errno_guide(spec, &names),
        strerrors: [Namespace::Errno, Namespace::Gai]
            .map(|ns| Function {
                name: names.c_strerror(ns),
                ret: "const char *".into(),
                params: "int32_t err".into(),
                doc: c_abi::strerror_doc(&names, ns).lines().map(comment).collect(),
            })
            .into(),
    };
    let text = templates::render("usocket.h.j2", &ctx)?;
    Ok(vec![Output::new(format!("generated/include/{}", names.header()), text)])
}
