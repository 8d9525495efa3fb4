//! `runtime/generated/`: constants, error types, ABI structs, the `SocketApi`
//! trait the runtime implements (the C ABI over it: `c_abi.rs`). Built with
//! syn/quote and printed by prettyplease.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use super::{Output, c_abi, native_doc, rust_print};
use crate::ir::{Arg, Callable, ErrorCode, FieldType, Owner, Spec};
use crate::naming::Names;
use crate::types::{ArgType, ReturnKind};

/// Emits every file under `runtime/generated/`.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let files = [
        ("mod.rs", module_file()),
        ("constants.rs", constants_file(spec)),
        ("errno.rs", errno_file(spec)),
        ("types.rs", types_file(spec)),
        ("api.rs", api_file(spec)),
    ];
    let mut out = files
        .into_iter()
        .map(|(name, tokens)| {
            let path = format!("runtime/generated/{name}");
            Ok(Output::new(&path, rust_print::file(&path, tokens)?))
        })
        .collect::<Result<Vec<_>, String>>()?;
    out.push(c_abi::emit(spec)?);
    Ok(out)
}

pub(super) fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote! { #( #[doc = #lines] )* }
}

/// An unsuffixed integer literal (values are checked to fit i32 by validation).
fn lit(v: i64) -> Literal {
    Literal::i32_unsuffixed(i32::try_from(v).unwrap_or_default())
}

pub(super) fn ident(name: &str) -> Ident {
    const KEYWORDS: [&str; 6] = ["type", "match", "move", "ref", "self", "in"];
    if KEYWORDS.contains(&name) { Ident::new_raw(name, Span::call_site()) } else { format_ident!("{}", name) }
}

fn module_file() -> TokenStream {
    quote! {
        //! The generated part of the socket layer: constants, errors, ABI types, the API
        //! trait, the boards, the C ABI and the frame port's runtime side (a board
        //! defines their exports with the `c_abi` and `port_exports` modules' macros).
        pub mod api;
        pub mod boards;
        pub mod c_abi;
        pub mod constants;
        pub mod errno;
        pub mod port_exports;
        pub mod types;
    }
}

fn constants_file(spec: &Spec) -> TokenStream {
    let items = spec.constants.iter().map(|c| {
        let name = format_ident!("{}", c.name);
        let d = doc(&c.doc);
        let v = lit(c.value);
        quote! { #d pub const #name: i32 = #v; }
    });
    let services = spec.services.iter().map(|x| {
        let (name, port) = (&x.name, x.port);
        quote! { (#name, #port) }
    });
    let example = spec.constants.iter().find(|c| c.name == "SOCK_STREAM").or(spec.constants.first()).map_or(String::new(), |c| {
        format!(
            "\n\nThe same numbers as the C header's `{}` and Python's `{}.{}`:\n\n```\nassert_eq!(usocket_runtime::constants::{}, {});\n```",
            Names::new(&spec.module).c_macro(&c.name),
            spec.module.name,
            c.name,
            c.name,
            c.value
        )
    });
    let module_doc = format!("The module's constants, with the spec's values.{example}");
    let module_doc = module_doc.lines().map(|l| format!(" {l}"));
    quote! {
        #( #![doc = #module_doc] )*
        #(#items)*
        /// The service names getaddrinfo() and getservbyname() know, with their
        /// port (the same for TCP and UDP), as `/etc/services` has them.
        pub const SERVICES: &[(&str, u16)] = &[#(#services),*];
    }
}

/// A C string literal (`c"..."`); a NUL inside (none in the spec's messages) is dropped.
fn c_text(text: &str) -> Literal {
    let text = std::ffi::CString::new(text.replace('\0', "")).unwrap_or_default();
    Literal::c_string(&text)
}

/// The rustdoc example of an error-code type, on its code `example` (or its first).
fn code_example(type_name: &str, codes: &[ErrorCode], example: &str) -> String {
    let Some(c) = codes.iter().find(|c| c.name == example).or(codes.first()) else { return String::new() };
    format!(
        "\n\n# Example\n\n```\nuse usocket_runtime::{type_name};\n\n\
         let e = {type_name}::from_value({v}).ok_or(\"not in the table\")?;\n\
         assert_eq!(e, {type_name}::{n});\n\
         assert_eq!(e.name(), \"{n}\");\n\
         assert_eq!(e.to_string(), \"{n} ({v}): {m}\");\n\
         # Ok::<(), &str>(())\n```",
        v = c.value,
        n = c.name,
        m = c.message.replace('\\', "\\\\").replace('"', "\\\""),
    )
}

/// One error-code newtype (`Errno` or `GaiError`).
fn code_type(type_name: &str, summary: &str, codes: &[ErrorCode], example: &str) -> TokenStream {
    let ty = format_ident!("{}", type_name);
    let summary = doc(&format!("{summary}{}", code_example(type_name, codes, example)));
    let consts = codes.iter().map(|c| {
        let name = format_ident!("{}", c.name);
        let d = doc(&c.message);
        let v = lit(c.value);
        quote! { #d pub const #name: #ty = #ty(#v); }
    });
    let names: Vec<Ident> = codes.iter().map(|c| format_ident!("{}", c.name)).collect();
    let values: Vec<Literal> = codes.iter().map(|c| lit(c.value)).collect();
    let texts: Vec<&str> = codes.iter().map(|c| c.name.as_str()).collect();
    let messages: Vec<&str> = codes.iter().map(|c| c.message.as_str()).collect();
    let c_texts: Vec<Literal> = codes.iter().map(|c| c_text(&format!("{}: {}", c.name, c.message))).collect();
    let n = codes.len();
    let debug_format = format!("{type_name}({{}})");
    quote! {
        #summary
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct #ty(i32);

        impl #ty {
            #(#consts)*

            /// Every code of the table, in spec order.
            pub const ALL: [#ty; #n] = [#(#ty::#names),*];

            /// The number (what the C ABI returns negated, and Python's `e.args[0]`).
            pub const fn value(self) -> i32 {
                self.0
            }

            /// The code with this number, if the table has it.
            pub const fn from_value(value: i32) -> Option<#ty> {
                match value {
                    #(#values => Some(#ty::#names),)*
                    _ => None,
                }
            }

            /// The symbolic name.
            pub const fn name(self) -> &'static str {
                match self.0 {
                    #(#values => #texts,)*
                    _ => "?",
                }
            }

            /// What it means.
            pub const fn message(self) -> &'static str {
                match self.0 {
                    #(#values => #messages,)*
                    _ => "?",
                }
            }

            /// `NAME: message` as a static NUL-terminated string: what the C
            /// ABI's strerror functions return (no heap, no formatting).
            pub const fn c_text(self) -> &'static core::ffi::CStr {
                match self.0 {
                    #(#values => #c_texts,)*
                    _ => c"?",
                }
            }
        }

        impl core::fmt::Display for #ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{} ({}): {}", self.name(), self.0, self.message())
            }
        }

        /// The name, as a program's log wants it (`Errno(ETIMEDOUT)`); the number for one outside the table.
        impl core::fmt::Debug for #ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match #ty::from_value(self.0) {
                    Some(code) => write!(f, #debug_format, code.name()),
                    None => write!(f, #debug_format, self.0),
                }
            }
        }

        /// `?` into `Box<dyn Error>` and error-reporting crates.
        impl core::error::Error for #ty {}
    }
}

fn errno_file(spec: &Spec) -> TokenStream {
    let errno = code_type("Errno", "An error number of the spec's errno table (positive; the C ABI returns it negated).", &spec.errnos, "ETIMEDOUT");
    let gai = code_type("GaiError", "A getaddrinfo error: the separate, negative namespace.", &spec.gai_errors, "EAI_NONAME");
    quote! {
        //! Error numbers: errno and the getaddrinfo namespace.
        #errno
        #gai
    }
}

fn field_type(ty: &FieldType) -> TokenStream {
    match ty {
        FieldType::U8 => quote!(u8),
        FieldType::U16 => quote!(u16),
        FieldType::U32 => quote!(u32),
        FieldType::I32 => quote!(i32),
        FieldType::Bytes(n) => quote!([u8; #n]),
        FieldType::Struct(s) => {
            let t = format_ident!("{}", Names::rust_struct(s));
            quote!(#t)
        }
    }
}

fn types_file(spec: &Spec) -> TokenStream {
    let structs = spec.structs.iter().map(|s| {
        let name = format_ident!("{}", Names::rust_struct(&s.name));
        let d = doc(&s.doc);
        let fields = s.fields.iter().map(|f| {
            let fname = ident(&f.name);
            let fd = doc(&f.doc);
            let ft = field_type(&f.ty);
            quote! { #fd pub #fname: #ft, }
        });
        quote! {
            #d
            #[repr(C)]
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub struct #name { #(#fields)* }
        }
    });
    quote! {
        //! Types shared by the Rust API and the C ABI.
        /// A socket descriptor: a small non-negative integer.
        pub type Fd = i32;
        #(#structs)*
    }
}

/// The Rust trait parameter for an argument.
fn param_type(arg: &Arg) -> TokenStream {
    match arg.ty {
        ArgType::Int | ArgType::Port => quote!(i32),
        ArgType::Bool => quote!(bool),
        ArgType::Timeout => quote!(Option<u32>),
        ArgType::Bytes | ArgType::Optval => quote!(&[u8]),
        ArgType::Buffer => quote!(&mut [u8]),
        ArgType::Address => quote!(&Addr),
        ArgType::Host => quote!(Option<&str>),
        ArgType::Ifconfig => quote!(Option<&IfconfigSet>),
        // Folded into outputs or buffer lengths; never a trait parameter.
        ArgType::Size | ArgType::Str => quote!(()),
    }
}

/// Trait parameters (after `&mut self`), names and types.
pub(super) fn trait_params(c: &Callable) -> Vec<(Ident, TokenStream)> {
    let mut params = Vec::new();
    if c.owner == Owner::Socket {
        params.push((format_ident!("fd"), quote!(Fd)));
    }
    params.extend(c.abi_args().map(|a| (ident(&a.name), param_type(a))));
    if c.returns.byte_output() {
        params.push((format_ident!("out"), quote!(&mut [u8])));
    }
    if c.returns == ReturnKind::Addrinfo {
        params.push((format_ident!("out"), quote!(&mut [Addrinfo])));
    }
    params
}

fn trait_return(k: ReturnKind) -> TokenStream {
    match k {
        ReturnKind::None => quote!(Result<(), Errno>),
        ReturnKind::Socket => quote!(Result<Fd, Errno>),
        ReturnKind::SocketAddress => quote!(Result<(Fd, Addr), Errno>),
        ReturnKind::BytesAddress => quote!(Result<(usize, Addr), Errno>),
        ReturnKind::Address => quote!(Result<Addr, Errno>),
        ReturnKind::Timeout => quote!(Result<Option<u32>, Errno>),
        ReturnKind::Addrinfo => quote!(Result<usize, GaiError>),
        ReturnKind::Bool => quote!(Result<bool, Errno>),
        ReturnKind::Ifconfig => quote!(Result<Ifconfig, Errno>),
        _ => quote!(Result<usize, Errno>),
    }
}

/// Clippy's argument limit is 7; the spec decides how many an operation has.
pub(super) fn many_args(n: usize) -> TokenStream {
    if n > 7 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() }
}

pub(super) fn abi_callables(spec: &Spec) -> impl Iterator<Item = &Callable> {
    spec.callables().filter(|c| c.returns.has_abi())
}

/// The doc of the `SocketApi` trait, with an example generic over any stack.
const TRAIT_DOC: &str = "Every operation of the spec, with the spec's semantics. Buffers and
outputs are borrowed; timeouts are in milliseconds (`None`: block); errors
are [`Errno`] values (getaddrinfo: [`GaiError`]), the numbers the C ABI
returns negated. A [`Stack`](crate::Stack) implements it.

# Example

A request and its reply over TCP, on any implementation:

```
use usocket_runtime::constants::{AF_INET, SOCK_STREAM};
use usocket_runtime::{Addr, Errno, SocketApi};

/// Sends `request` to `server` and reads the reply's first bytes into `reply`.
fn ask(api: &mut impl SocketApi, server: &Addr, request: &[u8], reply: &mut [u8]) -> Result<usize, Errno> {
    let fd = api.socket(AF_INET, SOCK_STREAM, 0)?;
    api.settimeout(fd, Some(2_000))?; // 2 s, in milliseconds
    let got = api.connect(fd, server).and_then(|()| api.sendall(fd, request)).and_then(|()| api.recv(fd, reply));
    api.close(fd)?;
    match got {
        Err(Errno::ETIMEDOUT) => Ok(0), // no reply in time
        other => other,
    }
}
```";

fn api_file(spec: &Spec) -> TokenStream {
    let names = Names::new(&spec.module);
    let methods = abi_callables(spec).map(|c| {
        let name = ident(&c.name);
        let d = doc(&native_doc::rust_text(c, &names));
        let params = trait_params(c);
        let allow = many_args(params.len() + 1);
        let params = params.into_iter().map(|(n, t)| quote!(#n: #t));
        let ret = trait_return(c.returns);
        quote! { #d #allow fn #name(&mut self, #(#params),*) -> #ret; }
    });
    let trait_doc = doc(TRAIT_DOC);
    quote! {
        //! The socket API the runtime implements: one method per spec operation.
        use super::errno::{Errno, GaiError};
        use super::types::{Addr, Addrinfo, Fd, Ifconfig, IfconfigSet};

        #trait_doc
        pub trait SocketApi {
            #(#methods)*
        }
    }
}
