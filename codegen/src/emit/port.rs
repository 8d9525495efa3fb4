//! The C frame port: `generated/include/usocket_port.h` (what firmware defines
//! and calls), `targets/cport/generated/port.rs` (the firmware's functions as safe
//! Rust calls, for the c-port crate) and `runtime/generated/port_exports.rs`
//! (the runtime's side: a `PortApi` trait a board implements, the exports'
//! bodies over it, checking pointers with `usocket_runtime::ffi`, and the
//! macro that defines the exports on a board).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde::Serialize;

use super::{GENERATED_LINE, Output, rust_print, templates};
use crate::ir::Spec;
use crate::ir::port::{PortFunction, PortReturn, PortType};
use crate::naming::Names;

/// C parameters of one argument.
fn c_params(name: &str, ty: PortType) -> String {
    match ty {
        PortType::Bytes => format!("const uint8_t *{name}, size_t {name}_len"),
        PortType::Mac => format!("const uint8_t *{name}"),
        PortType::U64 => format!("uint64_t {name}"),
        PortType::I32 => format!("int32_t {name}"),
    }
}

fn c_return(r: PortReturn) -> &'static str {
    match r {
        PortReturn::None => "void",
        PortReturn::I32 => "int32_t",
        PortReturn::U64 => "uint64_t",
    }
}

/// The Rust return type with its arrow (none for `none`).
fn rust_return(r: PortReturn) -> TokenStream {
    match r {
        PortReturn::None => quote!(),
        PortReturn::I32 => quote!(-> i32),
        PortReturn::U64 => quote!(-> u64),
    }
}

/// Raw (C-side) parameters of one argument.
fn rust_raw_params(name: &str, ty: PortType) -> TokenStream {
    let n = format_ident!("{name}");
    let len = format_ident!("{name}_len");
    match ty {
        PortType::Bytes => quote!(#n: *const u8, #len: usize),
        PortType::Mac => quote!(#n: *const u8),
        PortType::U64 => quote!(#n: u64),
        PortType::I32 => quote!(#n: i32),
    }
}

/// Safe (Rust-side) parameter of one argument.
fn rust_safe_param(name: &str, ty: PortType) -> TokenStream {
    let n = format_ident!("{name}");
    match ty {
        PortType::Bytes => quote!(#n: &[u8]),
        PortType::Mac => quote!(#n: Option<[u8; 6]>),
        PortType::U64 => quote!(#n: u64),
        PortType::I32 => quote!(#n: i32),
    }
}

/// A firmware function: its extern declaration and a safe wrapper.
fn firmware_fn(names: &Names, f: &PortFunction) -> (TokenStream, TokenStream) {
    let c = format_ident!("{}", names.port_fn(&f.name));
    let safe = format_ident!("{}", f.name);
    let raw = f.args.iter().map(|a| rust_raw_params(&a.name, a.ty));
    let params = f.args.iter().map(|a| rust_safe_param(&a.name, a.ty));
    let pass = f.args.iter().map(|a| {
        let n = format_ident!("{}", a.name);
        match a.ty {
            PortType::Bytes => quote!(#n.as_ptr(), #n.len()),
            PortType::Mac => quote!(#n.as_ref().map_or(core::ptr::null(), |m| m.as_ptr())),
            PortType::U64 | PortType::I32 => quote!(#n),
        }
    });
    let ret = rust_return(f.returns);
    let doc = f.doc.lines().map(|l| format!(" {l}"));
    let decl = quote! { fn #c(#(#raw),*) #ret; };
    let note = rust_print::safety("the firmware implements the port's contract (usocket_port.h); pointers passed are valid for their lengths, for the call.");
    let wrapper = quote! {
        #(#[doc = #doc])*
        pub fn #safe(#(#params),*) #ret {
            #note
            unsafe { #c(#(#pass),*) }
        }
    };
    (decl, wrapper)
}

/// The `# Safety` of a runtime export and of its body.
const PORT_CONTRACT: &str = "
# Safety
A byte pointer is NULL (only with length 0) or readable for its length for
the call; a MAC pointer is NULL or points to 6 readable bytes.";

/// A runtime export: its trait method, its body generic over the backend
/// (in the runtime), and its `extern "C"` function (in the macro; `__crate`
/// and `__Backend` stand for `$crate` and `$backend`).
fn runtime_fn(names: &Names, f: &PortFunction) -> (TokenStream, TokenStream, TokenStream) {
    let c = format_ident!("{}", names.port_fn(&f.name));
    let method = format_ident!("{}", f.name);
    let raw: Vec<TokenStream> = f.args.iter().map(|a| rust_raw_params(&a.name, a.ty)).collect();
    let params = f.args.iter().map(|a| rust_safe_param(&a.name, a.ty));
    let convert = f.args.iter().map(|a| {
        let n = format_ident!("{}", a.name);
        let len = format_ident!("{}_len", a.name);
        match a.ty {
            PortType::Bytes => {
                let note = rust_print::safety(&format!("`{n}` is NULL or readable for `{len}` bytes for the call (this function's contract)."));
                quote! {
                    #note
                    let #n = match unsafe { ffi::abi_slice(#n, #len) } { Ok(b) => b, Err(e) => return -e.value() };
                }
            }
            PortType::Mac => {
                let note = rust_print::safety(&format!("`{n}` is NULL or points to 6 readable bytes (this function's contract)."));
                quote! {
                    #note
                    let #n = match unsafe { ffi::abi_opt_in(#n.cast::<[u8; 6]>()) } { Ok(m) => m.copied(), Err(e) => return -e.value() };
                }
            }
            PortType::U64 | PortType::I32 => quote!(),
        }
    });
    let args: Vec<Ident> = f.args.iter().map(|a| format_ident!("{}", a.name)).collect();
    let ret = rust_return(f.returns);
    let doc: Vec<String> = f.doc.lines().map(|l| format!(" {l}")).collect();
    let safety: Vec<String> = PORT_CONTRACT.lines().map(|l| format!(" {l}")).collect();
    let method_decl = quote! { #(#[doc = #doc])* fn #method(#(#params),*) #ret; };
    let body_doc = format!(" The body of `{c}` on backend `B` (see the `{}` macro).", exports_macro(names));
    let body = quote! {
        #[doc = #body_doc]
        #(#[doc = #safety])*
        pub unsafe fn #method<B: PortApi>(#(#raw),*) #ret {
            #(#convert)*
            B::#method(#(#args),*)
        }
    };
    let pass = f.args.iter().map(|a| {
        let (n, len) = (format_ident!("{}", a.name), format_ident!("{}_len", a.name));
        if a.ty == PortType::Bytes { quote!(#n, #len) } else { quote!(#n) }
    });
    let note = rust_print::safety(&format!("the caller keeps this function's contract, which is `{method}`'s."));
    let export = quote! {
        #(#[doc = #doc])*
        #(#[doc = #safety])*
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn #c(#(#raw),*) #ret {
            #note
            unsafe { __crate::generated::port_exports::#method::<__Backend>(#(#pass),*) }
        }
    };
    (method_decl, body, export)
}

/// The macro's name: `usocket_port_exports` for module `usocket`.
fn exports_macro(names: &Names) -> String {
    format!("{}_port_exports!", names.prefix())
}

/// `targets/cport/generated/port.rs`: the firmware's functions as safe calls (the
/// c-port crate includes it; only firmware defines those symbols).
fn firmware_file(spec: &Spec, names: &Names) -> Result<Output, String> {
    const PATH: &str = "targets/cport/generated/port.rs";
    let (decls, wrappers): (Vec<_>, Vec<_>) = spec.port.iter().filter(|f| f.firmware).map(|f| firmware_fn(names, f)).unzip();
    let tokens = quote! {
        //! The C frame port of `c-port` boards, the firmware's side: its
        //! functions as safe calls (the board crate includes this file; the
        //! runtime's side is `usocket_runtime::generated::port_exports`).
        #![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]
        unsafe extern "C" {
            #(#decls)*
        }
        #(#wrappers)*
    };
    Ok(Output::new(PATH, rust_print::file(PATH, tokens)?))
}

/// `runtime/generated/port_exports.rs`: what the runtime does for the
/// firmware's calls, as a trait, bodies generic over it, and the macro that
/// defines the `extern "C"` functions on a board.
fn exports_file(spec: &Spec, names: &Names) -> Result<Output, String> {
    const PATH: &str = "runtime/generated/port_exports.rs";
    let parts: Vec<_> = spec.port.iter().filter(|f| !f.firmware).map(|f| runtime_fn(names, f)).collect();
    let methods = parts.iter().map(|(m, _, _)| m);
    let bodies = parts.iter().map(|(_, b, _)| b);
    let exports = parts.iter().map(|(_, _, e)| e);
    let macro_name = exports_macro(names);
    let module_doc = format!(
        " The C frame port of `c-port` boards, the runtime's side: [`PortApi`], the\n \
         exports' bodies over it, and `{macro_name}`, which a board invokes\n \
         with its `PortApi` type to define the `extern \"C\"` functions."
    );
    let module_doc = module_doc.lines();
    let tokens = quote! {
        #( #![doc = #module_doc] )*
        #![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]
        use crate::ffi;
        /// What the runtime does for the firmware's calls (a board implements it).
        pub trait PortApi {
            #(#methods)*
        }
        #(#bodies)*
    };
    let exports = rust_print::items(PATH, quote! { #(#exports)* })?;
    let macro_doc = format!(
        "Defines the frame port's runtime side on a board: its `extern \"C\"`\n\
         functions, in the module that invokes it with the board's [`PortApi`]\n\
         type (`{macro_name}(MyPort);`)."
    );
    let exports = rust_print::exports_macro(macro_name.trim_end_matches('!'), &macro_doc, &exports);
    Ok(Output::new(PATH, format!("{}\n{exports}", rust_print::file(PATH, tokens)?)))
}

#[derive(Serialize)]
struct CFunction {
    decl: String,
    doc: Vec<String>,
    firmware: bool,
}

#[derive(Serialize)]
struct Context {
    generated: &'static str,
    guard: String,
    header: String,
    functions: Vec<CFunction>,
}

/// The port's header and Rust file.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let names = Names::new(&spec.module);
    let functions = spec
        .port
        .iter()
        .map(|f| {
            let params: Vec<String> = f.args.iter().map(|a| c_params(&a.name, a.ty)).collect();
            let params = if params.is_empty() { "void".to_string() } else { params.join(", ") };
            let mut doc: Vec<String> = f.doc.lines().map(str::to_string).collect();
            doc.extend(f.args.iter().map(|a| format!("`{}`: {}", a.name, a.doc)));
            CFunction { decl: format!("{} {}({params});", c_return(f.returns), names.port_fn(&f.name)), doc, firmware: f.firmware }
        })
        .collect();
    let ctx = Context { generated: GENERATED_LINE, guard: format!("{}_PORT_H", names.prefix().to_uppercase()), header: names.header(), functions };
    Ok(vec![
        Output::new(format!("generated/include/{}", names.port_header()), templates::render("port.h.j2", &ctx)?),
        firmware_file(spec, &names)?,
        exports_file(spec, &names)?,
    ])
}
