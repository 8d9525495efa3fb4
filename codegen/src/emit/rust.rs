//! `generated/rust/`: constants, error types, ABI structs, the `SocketApi`
//! trait the runtime implements, and the C ABI that calls it. Built with
//! syn/quote and printed by prettyplease.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use super::{GENERATED_LINE, Output};
use crate::abi::{self, CType};
use crate::ir::{Arg, Callable, ErrorCode, FieldType, Owner, Spec};
use crate::naming::Names;
use crate::types::{ArgType, ReturnKind};

/// Emits every file under `generated/rust/`.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let files = [
        ("mod.rs", module_file()),
        ("constants.rs", constants_file(spec)),
        ("errno.rs", errno_file(spec)),
        ("types.rs", types_file(spec)),
        ("api.rs", api_file(spec)),
        ("c_abi.rs", c_abi_file(spec)),
    ];
    files
        .into_iter()
        .map(|(name, tokens)| {
            let file: syn::File = syn::parse2(tokens).map_err(|e| format!("generated/rust/{name}: {e}"))?;
            let text = format!("// {GENERATED_LINE}\n{}", prettyplease::unparse(&file));
            Ok(Output::new(format!("generated/rust/{name}"), text))
        })
        .collect()
}

fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote! { #( #[doc = #lines] )* }
}

/// An unsuffixed integer literal (values are checked to fit i32 by validation).
fn lit(v: i64) -> Literal {
    Literal::i32_unsuffixed(i32::try_from(v).unwrap_or_default())
}

fn ident(name: &str) -> Ident {
    const KEYWORDS: [&str; 6] = ["type", "match", "move", "ref", "self", "in"];
    if KEYWORDS.contains(&name) { Ident::new_raw(name, Span::call_site()) } else { format_ident!("{}", name) }
}

fn module_file() -> TokenStream {
    quote! {
        //! The generated part of the socket layer: constants, errors, ABI types, the API
        //! trait and the boards. The C ABI (`c_abi.rs`) is not part of it: each target
        //! crate includes that file next to its own `AbiBackend`.
        pub mod api;
        pub mod boards;
        pub mod constants;
        pub mod errno;
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
    quote! {
        //! The module's constants, with the spec's values.
        #(#items)*
        /// The service names getaddrinfo() and getservbyname() know, with their
        /// port (the same for TCP and UDP), as `/etc/services` has them.
        pub const SERVICES: &[(&str, u16)] = &[#(#services),*];
    }
}

/// One error-code newtype (`Errno` or `GaiError`).
fn code_type(type_name: &str, summary: &str, codes: &[ErrorCode]) -> TokenStream {
    let ty = format_ident!("{}", type_name);
    let summary = doc(summary);
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
    let n = codes.len();
    quote! {
        #summary
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
        }

        impl core::fmt::Display for #ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{} ({}): {}", self.name(), self.0, self.message())
            }
        }
    }
}

fn errno_file(spec: &Spec) -> TokenStream {
    let errno = code_type("Errno", "An error number of the spec's errno table (positive; the C ABI returns it negated).", &spec.errnos);
    let gai = code_type("GaiError", "A getaddrinfo error: the separate, negative namespace.", &spec.gai_errors);
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
fn trait_params(c: &Callable) -> Vec<(Ident, TokenStream)> {
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
fn many_args(n: usize) -> TokenStream {
    if n > 7 { quote!(#[allow(clippy::too_many_arguments)]) } else { quote!() }
}

fn abi_callables(spec: &Spec) -> impl Iterator<Item = &Callable> {
    spec.callables().filter(|c| c.returns.has_abi())
}

fn api_file(spec: &Spec) -> TokenStream {
    let methods = abi_callables(spec).map(|c| {
        let name = ident(&c.name);
        let d = doc(&c.doc);
        let params = trait_params(c);
        let allow = many_args(params.len() + 1);
        let params = params.into_iter().map(|(n, t)| quote!(#n: #t));
        let ret = trait_return(c.returns);
        quote! { #d #allow fn #name(&mut self, #(#params),*) -> #ret; }
    });
    quote! {
        //! The socket API the runtime implements: one method per spec operation.
        use super::errno::{Errno, GaiError};
        use super::types::{Addr, Addrinfo, Fd, Ifconfig, IfconfigSet};

        /// Every operation of the spec, with the spec's semantics. Buffers and
        /// outputs are borrowed; timeouts are in milliseconds (None: block).
        pub trait SocketApi {
            #(#methods)*
        }

        /// The stack the C ABI serves. The target crate that includes
        /// `generated/rust/c_abi.rs` defines `crate::AbiBackend` implementing this.
        pub trait Backend {
            /// The stack type.
            type Api: SocketApi;
            /// Runs `f` on the stack; `Err(ENODEV)` when it is not started.
            fn with<R>(f: impl FnOnce(&mut Self::Api) -> R) -> Result<R, Errno>;
        }
    }
}

/// The Rust spelling of a C ABI type.
fn rust_ctype(t: CType) -> TokenStream {
    match t {
        CType::I32 => quote!(i32),
        CType::IntPtr => quote!(isize),
        CType::Size => quote!(usize),
        CType::ConstBytes | CType::ConstChar => quote!(*const u8),
        CType::MutBytes | CType::MutChar => quote!(*mut u8),
        CType::ConstAddr => quote!(*const Addr),
        CType::MutAddr => quote!(*mut Addr),
        CType::MutI32 => quote!(*mut i32),
        CType::MutAddrinfo => quote!(*mut Addrinfo),
        CType::MutIfconfig => quote!(*mut Ifconfig),
        CType::ConstIfconfigSet => quote!(*const IfconfigSet),
    }
}

/// The statement converting an argument's C ABI parameters into the trait's type.
fn convert_arg(arg: &Arg) -> TokenStream {
    let name = ident(&arg.name);
    let len = format_ident!("{}", abi::len_name(&arg.name));
    let ms = format_ident!("{}", abi::ms_name(&arg.name));
    match arg.ty {
        ArgType::Int | ArgType::Port | ArgType::Size | ArgType::Str => quote!(),
        ArgType::Bool => quote!(let #name = #name != 0;),
        ArgType::Timeout => quote!(let #name = abi_timeout(#ms)?;),
        ArgType::Bytes | ArgType::Optval => quote!(let #name = unsafe { abi_bytes(#name, #len) }?;),
        ArgType::Buffer => quote!(let #name = unsafe { abi_bytes_mut(#name, #len) }?;),
        ArgType::Host => quote!(let #name = unsafe { abi_host(#name, #len) }?;),
        ArgType::Address => quote!(let #name = unsafe { abi_in(#name) }?;),
        ArgType::Ifconfig => quote!(let #name = unsafe { #name.as_ref() };),
    }
}

/// Conversions of the output parameters, and how the result is finished.
fn output_shape(k: ReturnKind) -> (Vec<TokenStream>, TokenStream) {
    let bytes = k.byte_output().then(|| quote!(let out = unsafe { abi_bytes_mut(out, out_len) }?;));
    let structured = match k {
        ReturnKind::SocketAddress => Some(quote!(let peer = unsafe { abi_out(peer) }?;)),
        ReturnKind::BytesAddress => Some(quote!(let from = unsafe { abi_out(from) }?;)),
        ReturnKind::Address => Some(quote!(let out = unsafe { abi_out(out) }?;)),
        ReturnKind::Timeout => Some(quote!(let out_ms = unsafe { abi_out(out_ms) }?;)),
        ReturnKind::Addrinfo => Some(quote!(let out = unsafe { abi_infos(out, out_cap) }?;)),
        ReturnKind::Ifconfig => Some(quote!(let out = unsafe { abi_out(out) }?;)),
        _ => None,
    };
    let convert = bytes.into_iter().chain(structured).collect();
    let finish = match k {
        ReturnKind::Socket | ReturnKind::SocketAddress | ReturnKind::Bool => quote!(ret_int(result)),
        ReturnKind::Addrinfo => quote!(ret_gai(result)),
        _ if k.returns_count() => quote!(ret_count(result)),
        _ => quote!(ret_status(result)),
    };
    (convert, finish)
}

/// How the call's value is stored through output pointers (inside the closure).
fn store_output(k: ReturnKind) -> TokenStream {
    match k {
        ReturnKind::SocketAddress => quote!(.map(|(fd, addr)| { *peer = addr; fd })),
        ReturnKind::BytesAddress => quote!(.map(|(n, addr)| { *from = addr; n })),
        ReturnKind::Address => quote!(.map(|addr| { *out = addr; })),
        ReturnKind::Ifconfig => quote!(.map(|config| { *out = config; })),
        ReturnKind::Bool => quote!(.map(i32::from)),
        ReturnKind::Timeout => {
            quote!(.map(|t| { *out_ms = t.map_or(-1, |ms| i32::try_from(ms).unwrap_or(i32::MAX)); }))
        }
        _ => quote!(),
    }
}

fn c_abi_fn(names: &Names, c: &Callable) -> TokenStream {
    let fn_name = format_ident!("{}", names.c_fn(c));
    let method = ident(&c.name);
    let d = doc(&format!("C ABI for `{}`: {}", c.name, c.doc));
    let params = abi::params(c).into_iter().map(|p| {
        let n = ident(&p.name);
        let t = rust_ctype(p.ty);
        quote!(#n: #t)
    });
    let mut convert = Vec::new();
    if c.owner == Owner::Socket {
        convert.push(quote!(let fd = abi_fd(fd)?;));
    }
    convert.extend(c.abi_args().map(convert_arg));
    let (out_convert, finish) = output_shape(c.returns);
    convert.extend(out_convert);
    convert.retain(|t| !t.is_empty());
    let call_args = trait_params(c).into_iter().map(|(n, _)| n);
    let store = store_output(c.returns);
    let ret = rust_ctype(abi::ret(c));
    let result_ty = match c.returns {
        ReturnKind::Addrinfo => quote!(Result<Result<usize, GaiError>, Errno>),
        ReturnKind::None | ReturnKind::Address | ReturnKind::Timeout | ReturnKind::Ifconfig => quote!(Result<(), Errno>),
        ReturnKind::Socket | ReturnKind::SocketAddress | ReturnKind::Bool => quote!(Result<i32, Errno>),
        _ => quote!(Result<usize, Errno>),
    };
    // Called through the trait: a stack's inherent method of the same name must not win.
    let call_args: Vec<Ident> = call_args.collect();
    let op = if call_args.is_empty() { quote!(SocketApi::#method) } else { quote!(|api| SocketApi::#method(api, #(#call_args),*)) };
    let call = if c.returns == ReturnKind::Addrinfo { quote!(AbiBackend::with(#op)) } else { quote!(AbiBackend::with(#op).and_then(|r| r) #store) };
    let allow = many_args(abi::params(c).len());
    // Conversions use `?`, so they run in a closure; without any, the call stands alone.
    let body = if convert.is_empty() { quote!(let result: #result_ty = #call;) } else { quote!(let result = (|| -> #result_ty { #(#convert)* #call })();) };
    quote! {
        #d
        ///
        /// # Safety
        /// Pointers must be NULL or valid for their lengths for the duration of the call.
        #[unsafe(no_mangle)]
        #allow
        pub unsafe extern "C" fn #fn_name(#(#params),*) -> #ret {
            #body
            #finish
        }
    }
}

fn c_abi_file(spec: &Spec) -> TokenStream {
    let names = Names::new(&spec.module);
    let fns = abi_callables(spec).map(|c| c_abi_fn(&names, c));
    quote! {
        //! The C ABI: one `extern "C"` function per spec operation. Each checks its
        //! pointers, lengths and fd, then calls the backend. Success is >= 0, failure
        //! -errno (getaddrinfo: its negative code). Nothing here can panic.
        #![allow(clippy::missing_safety_doc)]
        use usocket_runtime::generated::api::{Backend, SocketApi};
        use usocket_runtime::generated::errno::{Errno, GaiError};
        use usocket_runtime::generated::types::{Addr, Addrinfo, Fd, Ifconfig, IfconfigSet};
        use crate::AbiBackend;

        /// Borrows `len` bytes at `ptr` (NULL only with length 0); the frame port's too.
        pub(crate) unsafe fn abi_bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Errno> {
            if len > isize::MAX as usize {
                Err(Errno::EINVAL)
            } else if ptr.is_null() {
                if len == 0 { Ok(&[]) } else { Err(Errno::EINVAL) }
            } else {
                Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
            }
        }

        /// Borrows `len` writable bytes at `ptr` (NULL only with length 0).
        unsafe fn abi_bytes_mut<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], Errno> {
            if len > isize::MAX as usize {
                Err(Errno::EINVAL)
            } else if ptr.is_null() {
                if len == 0 { Ok(&mut []) } else { Err(Errno::EINVAL) }
            } else {
                Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
            }
        }

        /// A host string: NULL is None; it must be UTF-8.
        unsafe fn abi_host<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a str>, Errno> {
            if ptr.is_null() {
                return if len == 0 { Ok(None) } else { Err(Errno::EINVAL) };
            }
            let raw = unsafe { abi_bytes(ptr, len) }?;
            core::str::from_utf8(raw).map(Some).map_err(|_| Errno::EINVAL)
        }

        /// Borrows an input struct; NULL is EINVAL.
        unsafe fn abi_in<'a, T>(ptr: *const T) -> Result<&'a T, Errno> {
            unsafe { ptr.as_ref() }.ok_or(Errno::EINVAL)
        }

        /// Borrows an output struct; NULL is EINVAL.
        unsafe fn abi_out<'a, T>(ptr: *mut T) -> Result<&'a mut T, Errno> {
            unsafe { ptr.as_mut() }.ok_or(Errno::EINVAL)
        }

        /// Borrows an array of getaddrinfo results.
        unsafe fn abi_infos<'a>(ptr: *mut Addrinfo, cap: usize) -> Result<&'a mut [Addrinfo], Errno> {
            if cap > isize::MAX as usize / core::mem::size_of::<Addrinfo>() {
                Err(Errno::EINVAL)
            } else if ptr.is_null() {
                if cap == 0 { Ok(&mut []) } else { Err(Errno::EINVAL) }
            } else {
                Ok(unsafe { core::slice::from_raw_parts_mut(ptr, cap) })
            }
        }

        /// A negative fd is never open.
        fn abi_fd(fd: i32) -> Result<Fd, Errno> {
            if fd < 0 { Err(Errno::EBADF) } else { Ok(fd) }
        }

        /// Milliseconds, -1 for None (block).
        fn abi_timeout(ms: i32) -> Result<Option<u32>, Errno> {
            match ms {
                -1 => Ok(None),
                _ => u32::try_from(ms).map(Some).map_err(|_| Errno::EINVAL),
            }
        }

        /// 0 or -errno.
        fn ret_status(result: Result<(), Errno>) -> i32 {
            match result {
                Ok(()) => 0,
                Err(e) => -e.value(),
            }
        }

        /// A non-negative int (an fd, a flag) or -errno.
        fn ret_int(result: Result<i32, Errno>) -> i32 {
            match result {
                Ok(fd) => fd,
                Err(e) => -e.value(),
            }
        }

        /// A byte count or -errno.
        fn ret_count(result: Result<usize, Errno>) -> isize {
            match result {
                Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
                Err(e) => -(e.value() as isize),
            }
        }

        /// A result count, or a negative getaddrinfo code (C ABI misuse is EAI_SYSTEM).
        fn ret_gai(result: Result<Result<usize, GaiError>, Errno>) -> i32 {
            match result {
                Ok(Ok(n)) => i32::try_from(n).unwrap_or(i32::MAX),
                Ok(Err(e)) => e.value(),
                Err(_) => GaiError::EAI_SYSTEM.value(),
            }
        }

        #(#fns)*
    }
}
