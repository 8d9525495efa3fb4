//! `generated/micropython/usocket/`: the MicroPython module (C glue over the
//! C ABI), its `micropython.mk` and `micropython.cmake`. The glue parses and
//! checks Python arguments, calls the C ABI, and raises from C: MicroPython's
//! nlr jumps never cross a Rust frame. The generated `modusocket.c` holds
//! what the spec varies (each method's argument parsing and result, the
//! tables, the constants); what it calls for each argument type and result,
//! Ctrl-C around C ABI calls and the stream protocol are the hand-written
//! `codegen/c/usocket_glue.c`, which the build files compile beside it.

use serde::Serialize;

use super::{GENERATED_LINE, Output, templates};
use crate::abi::{self, CType, Param};
use crate::ir::{Arg, Callable, Owner, Spec, Value};
use crate::naming::Names;
use crate::types::{ArgType, ReturnKind};

/// One argument as the glue parses it.
#[derive(Serialize)]
struct GlueArg {
    name: String,
    index: String,
    flags: &'static str,
    convert: Vec<String>,
}

/// One Python-visible function or method.
#[derive(Serialize)]
struct GlueFn {
    name: String,
    c_fn: String,
    c_obj: String,
    /// `method`, `function`, `constructor` or `interface_method`.
    form: &'static str,
    /// Takes the object as its first positional argument (methods).
    has_self: bool,
    keywords: bool,
    n_min: usize,
    n_max: usize,
    args: Vec<GlueArg>,
    /// Lines after all conversions (e.g. a size capping a buffer).
    after: Vec<String>,
    /// The positional forms (argument names by position), when the callable
    /// has its own; empty: mp_arg_parse_all's prefixes.
    forms: Vec<Vec<String>>,
    call: String,
    kind: &'static str,
    /// C expression for the output size (sized outputs).
    out_size: String,
    closes: bool,
    /// Whether the C ABI function returns a count (`intptr_t`) or a status (`int32_t`).
    ret_type: &'static str,
    /// The C variable of an `ifconfig` argument (NULL when not given), for
    /// returning None after a set; empty without one.
    set_arg: String,
}

/// The network interface class and its module.
#[derive(Serialize)]
struct InterfaceCtx {
    module: String,
    class: String,
    doc_line: String,
    methods: Vec<GlueFn>,
}

#[derive(Serialize)]
struct Constant {
    name: String,
    c_name: String,
}

#[derive(Serialize)]
struct Check {
    mp_name: String,
    c_name: String,
}

#[derive(Serialize)]
struct Context {
    generated: &'static str,
    module: String,
    extra_aliases: Vec<String>,
    functions: Vec<GlueFn>,
    methods: Vec<GlueFn>,
    interface: Option<InterfaceCtx>,
    ifconfig_type: String,
    /// The spec has ipconfig(): the network module has one too (the DNS server).
    module_ipconfig: bool,
    constants: Vec<Constant>,
    errno_checks: Vec<Check>,
    poll_checks: Vec<Check>,
    pump_fn: String,
    addr_type: String,
    addrinfo_type: String,
    max_addrinfo: u32,
    read_chunk: u32,
    eagain: String,
    eai_intr: String,
}

/// A C literal for a default value.
fn c_default(names: &Names, v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => i32::from(*b).to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Const(name, _) => names.c_macro(name),
        Value::Str(s) => format!("{s:?}"),
        Value::None => "-1".into(),
        Value::Bytes(_) | Value::Var(_) | Value::Tuple(_) => "0".into(),
    }
}

/// C lines converting the Python object of `arg` into `v_<name>`.
fn convert(names: &Names, arg: &Arg) -> Vec<String> {
    let v = format!("v_{}", arg.name);
    let o = format!("vals[ARG_{}].u_obj", arg.name);
    let none_default = arg.default == Some(Value::None);
    let given = if none_default { format!("{o} != MP_OBJ_NULL && {o} != mp_const_none") } else { format!("{o} != MP_OBJ_NULL") };
    let default = arg.default.as_ref().map(|d| c_default(names, d));
    let scalar = |ty: &str, conv: String| match &default {
        None => vec![format!("{ty} {v} = {conv};")],
        Some(d) => vec![format!("{ty} {v} = {d};"), format!("if ({given}) {{ {v} = {conv}; }}")],
    };
    let p = names.prefix();
    match arg.ty {
        ArgType::Int => scalar("int32_t", format!("{p}_py_int32({o})")),
        ArgType::Bool => scalar("int32_t", format!("mp_obj_is_true({o})")),
        ArgType::Timeout => scalar("int32_t", format!("{p}_py_timeout_ms({o})")),
        ArgType::Port => scalar("int32_t", format!("{p}_py_port({o})")),
        // Omitted means "all" (read to EOF, the whole buffer): a negative size means the same, as in MicroPython's streams.
        ArgType::Size if none_default => scalar("mp_int_t", format!("{p}_py_size_or_all({o})")),
        ArgType::Size => scalar("mp_int_t", format!("{p}_py_size({o})")),
        // Any object with the buffer protocol, str included (its UTF-8 bytes), as everywhere in MicroPython.
        ArgType::Bytes => vec![format!("mp_buffer_info_t {v};"), format!("mp_get_buffer_raise({o}, &{v}, MP_BUFFER_READ);")],
        ArgType::Buffer => vec![format!("mp_buffer_info_t {v};"), format!("mp_get_buffer_raise({o}, &{v}, MP_BUFFER_WRITE);")],
        ArgType::Optval => vec![format!("int32_t {v}_int;"), format!("mp_buffer_info_t {v};"), format!("{p}_py_optval({o}, &{v}_int, &{v});")],
        ArgType::Address => vec![format!("{} {v};", names.c_struct("addr")), format!("{p}_py_addr_from_obj({o}, &{v});")],
        ArgType::Host => vec![format!("size_t {v}_len = 0;"), format!("const char *{v} = {p}_py_host({o}, &{v}_len);")],
        ArgType::Ifconfig => vec![
            format!("{} {v}_set;", names.c_struct("ifconfig_set")),
            format!("const {} *{v} = NULL;", names.c_struct("ifconfig_set")),
            format!("if ({given}) {{ {p}_py_ifconfig_from_obj({o}, &{v}_set); {v} = &{v}_set; }}"),
        ],
        ArgType::Str => {
            let mut lines = scalar("const char *", format!("mp_obj_str_get_str({o})"));
            if !arg.choices.is_empty() {
                let list: Vec<String> = arg.choices.iter().map(|c| format!("{c:?}")).collect();
                lines.push(format!("static const char *const {v}_choices[] = {{ {}, NULL }};", list.join(", ")));
                lines.push(format!("{p}_py_check_choice({v}, {v}_choices);"));
            }
            lines
        }
    }
}

/// The glue expression passed for one C ABI parameter.
fn call_arg(c: &Callable, param: &Param) -> String {
    match (param.name.as_str(), param.ty) {
        ("fd", CType::I32) if c.owner == Owner::Socket => return "self->fd".into(),
        ("out", CType::MutBytes | CType::MutChar) => return "out_buf".into(),
        ("out_len", CType::Size) => return "out_len".into(),
        ("peer", _) => return "&peer".into(),
        ("from", _) => return "&from".into(),
        ("out", CType::MutAddr) => return "&addr_out".into(),
        ("out_ms", _) => return "&ms_out".into(),
        ("out", CType::MutAddrinfo) => return "infos".into(),
        ("out", CType::MutIfconfig) => return "&config".into(),
        ("out_cap", _) => return "MP_ARRAY_SIZE(infos)".into(),
        _ => {}
    }
    for a in c.abi_args() {
        let v = format!("v_{}", a.name);
        if param.name == abi::len_name(&a.name) {
            return if a.ty == ArgType::Host { format!("{v}_len") } else { format!("{v}.len") };
        }
        if param.name == a.name || param.name == abi::ms_name(&a.name) {
            return match param.ty {
                CType::ConstBytes => format!("(const uint8_t *){v}.buf"),
                CType::MutBytes => format!("(uint8_t *){v}.buf"),
                CType::ConstAddr => format!("&{v}"),
                _ => v,
            };
        }
    }
    format!("/* unmapped parameter {} */ 0", param.name)
}

fn glue_fn(names: &Names, c: &Callable) -> GlueFn {
    let form = match (c.owner, c.returns) {
        (Owner::Module, ReturnKind::Socket) => "constructor",
        (Owner::Module, _) => "function",
        (Owner::Socket, _) => "method",
        (Owner::Interface, _) => "interface_method",
    };
    let args = c
        .args
        .iter()
        .map(|a| GlueArg {
            name: a.name.clone(),
            index: format!("ARG_{}", a.name),
            flags: if a.default.is_none() { "MP_ARG_REQUIRED | MP_ARG_OBJ" } else { "MP_ARG_OBJ" },
            convert: convert(names, a),
        })
        .collect();
    let p = names.prefix();
    let after = c
        .args
        .iter()
        .filter_map(|a| match (&a.limits, &a.offsets) {
            (Some(b), _) => Some(format!("{p}_py_limit(&v_{b}, v_{});", a.name)),
            (_, Some(b)) => Some(format!("{p}_py_offset(&v_{b}, v_{});", a.name)),
            _ => None,
        })
        .collect();
    let has_self = c.owner != Owner::Module;
    let self_arg = usize::from(has_self);
    let call = if c.returns.has_abi() {
        let params: Vec<String> = abi::params(c).iter().map(|p| call_arg(c, p)).collect();
        format!("{}({})", names.c_fn(c), params.join(", "))
    } else {
        String::new()
    };
    GlueFn {
        name: c.name.clone(),
        c_fn: if form == "constructor" { names.glue("make_new") } else { names.glue_fn(c) },
        c_obj: names.glue_obj(c),
        form,
        has_self,
        keywords: c.keywords,
        n_min: self_arg + c.forms.iter().map(Vec::len).min().unwrap_or(c.required()),
        n_max: self_arg + c.forms.iter().map(Vec::len).max().unwrap_or(c.args.len()),
        args,
        after,
        forms: c.forms.clone(),
        call,
        kind: c.returns.spec_name(),
        out_size: c.output_size_arg().map(|a| format!("v_{}", a.name)).unwrap_or_default(),
        closes: c.closes,
        ret_type: if abi::ret(c) == CType::IntPtr { "intptr_t" } else { "int32_t" },
        set_arg: c.args.iter().find(|a| a.ty == ArgType::Ifconfig).map(|a| format!("v_{}", a.name)).unwrap_or_default(),
    }
}

/// What the glue's fixed half (`codegen/c/usocket_glue.c`, hand-written)
/// calls by name: the stream protocol, the finaliser, addresses, port names,
/// ipconfig(), and the event hook of `micropython.mk`.
const FIXED_CALLS: [&str; 10] = ["close", "recv", "send", "poll", "pump", "addr_parse", "addr_format", "getservbyname", "ifconfig", "dhcp_state"];

/// Emits the glue and its build files.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let names = Names::new(&spec.module);
    for name in FIXED_CALLS {
        if !spec.callables().any(|c| c.name == name && c.returns.has_abi()) {
            return Err(format!("the MicroPython glue's fixed half (codegen/c/usocket_glue.c) calls `{name}` through the C ABI, which the spec lacks"));
        }
    }
    let pump = spec.functions.iter().find(|c| c.name == "pump").map(|c| names.c_fn(c)).unwrap_or_default();
    let macro_of = |name: &str| names.c_macro(name);
    let aliases = spec.module.aliases.iter().filter(|a| **a != format!("u{}", spec.module.name)).cloned().collect();
    let ctx = Context {
        generated: GENERATED_LINE,
        module: spec.module.name.clone(),
        extra_aliases: aliases,
        functions: spec.functions.iter().filter(|c| c.python).map(|c| glue_fn(&names, c)).collect(),
        methods: spec.methods.iter().filter(|c| c.python).map(|c| glue_fn(&names, c)).collect(),
        interface: spec.interface.as_ref().map(|i| InterfaceCtx {
            module: i.module.clone(),
            class: i.class.clone(),
            doc_line: i.doc.lines().next().unwrap_or_default().to_string(),
            methods: spec.interface_methods.iter().filter(|c| c.python).map(|c| glue_fn(&names, c)).collect(),
        }),
        ifconfig_type: names.c_struct("ifconfig"),
        module_ipconfig: spec.interface_methods.iter().any(|c| c.returns == ReturnKind::Ipconfig),
        constants: spec.constants.iter().filter(|c| c.python).map(|c| Constant { name: c.name.clone(), c_name: macro_of(&c.name) }).collect(),
        errno_checks: spec.errnos.iter().map(|e| Check { mp_name: format!("MP_{}", e.name), c_name: macro_of(&e.name) }).collect(),
        poll_checks: spec
            .constants
            .iter()
            .filter(|c| c.group == "poll")
            .map(|c| Check { mp_name: format!("MP_STREAM_{}", c.name), c_name: macro_of(&c.name) })
            .collect(),
        pump_fn: pump,
        addr_type: names.c_struct("addr"),
        addrinfo_type: names.c_struct("addrinfo"),
        max_addrinfo: spec.limits.max_addrinfo,
        read_chunk: spec.limits.read_chunk,
        eagain: macro_of("EAGAIN"),
        eai_intr: macro_of("EAI_INTR"),
    };
    let dir = format!("generated/micropython/{}", names.prefix());
    Ok(vec![
        Output::new(format!("{dir}/mod{}.c", names.prefix()), templates::render("modusocket.c.j2", &ctx)?),
        Output::new(format!("{dir}/micropython.mk"), templates::render("micropython.mk.j2", &ctx)?),
        Output::new(format!("{dir}/micropython.cmake"), templates::render("micropython.cmake.j2", &ctx)?),
    ])
}
