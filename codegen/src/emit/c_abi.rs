//! `runtime/generated/c_abi.rs`: the C ABI. Per spec operation, a function
//! generic over the board's `Backend` that checks the caller's arguments
//! (with `usocket_runtime::ffi`) and calls the trait; and the
//! `<prefix>_c_exports!` macro that a board invokes with its backend type to
//! define the `extern "C"` functions over them. The runtime compiles the
//! generic functions (and lints them); a board names nothing by convention.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::rust::{abi_callables, doc, ident, many_args, trait_params};
use super::{Output, rust_print};
use crate::abi::{self, CType};
use crate::ir::{Arg, Callable, Namespace, Owner, Spec};
use crate::naming::Names;
use crate::native::{self, Lang};
use crate::types::{ArgType, ReturnKind};

/// The `# Safety` of every function with pointers, generic and export alike
/// (the contract in full: `runtime/src/ffi.rs` and the header).
const CONTRACT: &str = "
# Safety
The C ABI's pointer contract (`usocket_runtime::ffi`): each pointer is NULL or
valid for its length for the call, and used by nobody else meanwhile.";

/// The `# Safety` of a function without pointers.
const NO_POINTERS: &str = "
# Safety
None: every argument is a plain value.";

/// The Rust spelling of a C ABI type; struct types under `root` (`crate` in
/// the runtime, `$crate` in the macro).
fn rust_ctype(t: CType, root: &TokenStream) -> TokenStream {
    match t {
        CType::I32 => quote!(i32),
        CType::IntPtr => quote!(isize),
        CType::Size => quote!(usize),
        CType::ConstBytes | CType::ConstChar => quote!(*const u8),
        CType::MutBytes | CType::MutChar => quote!(*mut u8),
        CType::ConstAddr => quote!(*const #root::Addr),
        CType::MutAddr => quote!(*mut #root::Addr),
        CType::MutI32 => quote!(*mut i32),
        CType::MutAddrinfo => quote!(*mut #root::Addrinfo),
        CType::MutIfconfig => quote!(*mut #root::Ifconfig),
        CType::ConstIfconfigSet => quote!(*const #root::IfconfigSet),
    }
}

/// Whether the operation takes a caller pointer (its functions are `unsafe`).
fn has_pointers(c: &Callable) -> bool {
    abi::params(c).iter().any(|p| !matches!(p.ty, CType::I32 | CType::IntPtr | CType::Size))
}

/// One caller pointer the operation borrows.
struct Borrow {
    /// The pointer parameter, rebound to the borrow.
    name: Ident,
    /// Its length parameter (values it points to); None: one struct.
    len: Option<Ident>,
    /// Whether the call writes through it.
    written: bool,
    /// The `ffi` function that checks and borrows it.
    take: Ident,
}

impl Borrow {
    /// `len` values at `name`, read or written, taken by `ffi::take`.
    fn slice(name: &str, len: &str, written: bool, take: &str) -> Borrow {
        Borrow { name: ident(name), len: Some(format_ident!("{}", len)), written, take: format_ident!("{}", take) }
    }

    /// One struct at `name`, taken by `ffi::take`.
    fn one(name: &str, written: bool, take: &str) -> Borrow {
        Borrow { name: ident(name), len: None, written, take: format_ident!("{}", take) }
    }

    /// Its region, for the overlap check.
    fn region(&self) -> TokenStream {
        let n = &self.name;
        let count = self.len.as_ref().map_or(quote!(1), |len| quote!(#len));
        if self.written { quote!(ffi::Region::written(#n, #count)) } else { quote!(ffi::Region::read(#n, #count)) }
    }

    /// The statement that borrows it, with its SAFETY comment.
    fn statement(&self, checked: bool) -> TokenStream {
        let (n, take) = (&self.name, &self.take);
        let call = match &self.len {
            Some(len) => quote!(ffi::#take(#n, #len)),
            None => quote!(ffi::#take(#n)),
        };
        let access = if self.written { "writes" } else { "reads" };
        let count = self.len.as_ref().map_or_else(|| "one value".to_string(), |len| format!("`{len}` values"));
        let disjoint = if checked { ", overlapping no other argument (checked above)" } else { "" };
        let note = rust_print::safety(&format!(
            "`{n}` is NULL or valid for {access} of {count} for the call and used by nobody else (this function's contract){disjoint}."
        ));
        quote! { #note let #n = unsafe { #call }?; }
    }
}

/// The borrow of an argument's pointer, if it has one.
fn arg_borrow(arg: &Arg) -> Option<Borrow> {
    let (name, len) = (arg.name.as_str(), abi::len_name(&arg.name));
    match arg.ty {
        ArgType::Bytes | ArgType::Optval => Some(Borrow::slice(name, &len, false, "abi_slice")),
        ArgType::Buffer => Some(Borrow::slice(name, &len, true, "abi_slice_mut")),
        ArgType::Host => Some(Borrow::slice(name, &len, false, "abi_host")),
        ArgType::Address => Some(Borrow::one(name, false, "abi_in")),
        ArgType::Ifconfig => Some(Borrow::one(name, false, "abi_opt_in")),
        ArgType::Int | ArgType::Port | ArgType::Size | ArgType::Str | ArgType::Bool | ArgType::Timeout => None,
    }
}

/// The conversion of a plain argument (no pointer), if it needs one.
fn arg_value(arg: &Arg) -> Option<TokenStream> {
    let name = ident(&arg.name);
    let ms = format_ident!("{}", abi::ms_name(&arg.name));
    match arg.ty {
        ArgType::Bool => Some(quote!(let #name = #name != 0;)),
        ArgType::Timeout => Some(quote!(let #name = ffi::abi_timeout(#ms)?;)),
        _ => None,
    }
}

/// The borrows of the output pointers.
fn output_borrows(k: ReturnKind) -> Vec<Borrow> {
    let bytes = k.byte_output().then(|| Borrow::slice("out", "out_len", true, "abi_slice_mut"));
    let structured = match k {
        ReturnKind::SocketAddress => Some(Borrow::one("peer", true, "abi_opt_out")),
        ReturnKind::BytesAddress => Some(Borrow::one("from", true, "abi_out")),
        ReturnKind::Address | ReturnKind::Ifconfig => Some(Borrow::one("out", true, "abi_out")),
        ReturnKind::Timeout => Some(Borrow::one("out_ms", true, "abi_out")),
        ReturnKind::Addrinfo => Some(Borrow::slice("out", "out_cap", true, "abi_slice_mut")),
        _ => None,
    };
    bytes.into_iter().chain(structured).collect()
}

/// How the call's value is stored through output pointers.
fn store_output(k: ReturnKind) -> TokenStream {
    match k {
        // NULL: the caller does not want the peer's address (as BSD accept()).
        ReturnKind::SocketAddress => quote!(.map(|(fd, addr)| { if let Some(peer) = peer { *peer = addr; } fd })),
        ReturnKind::BytesAddress => quote!(.map(|(n, addr)| { *from = addr; n })),
        ReturnKind::Address => quote!(.map(|addr| { *out = addr; })),
        ReturnKind::Ifconfig => quote!(.map(|config| { *out = config; })),
        ReturnKind::Bool => quote!(.map(i32::from)),
        ReturnKind::Timeout => quote!(.map(|t| { *out_ms = ffi::ret_timeout(t); })),
        _ => quote!(),
    }
}

/// The body's result type and the `ffi` function that makes it the C return value.
fn result_shape(k: ReturnKind) -> (TokenStream, TokenStream) {
    match k {
        ReturnKind::Addrinfo => (quote!(Result<Result<usize, GaiError>, Errno>), quote!(ffi::ret_gai)),
        ReturnKind::Socket | ReturnKind::SocketAddress | ReturnKind::Bool => (quote!(Result<i32, Errno>), quote!(ffi::ret_int)),
        _ if k.returns_count() => (quote!(Result<usize, Errno>), quote!(ffi::ret_count)),
        _ => (quote!(Result<(), Errno>), quote!(ffi::ret_status)),
    }
}

/// The `# Safety` section as doc attributes.
fn safety_doc(c: &Callable) -> TokenStream {
    doc(if has_pointers(c) { CONTRACT } else { NO_POINTERS })
}

/// The operation's function in the runtime, generic over the backend.
fn generic_fn(names: &Names, c: &Callable) -> TokenStream {
    let method = ident(&c.name);
    let d = doc(&format!("The body of `{}` on backend `B` (see the `{}` macro).", names.c_fn(c), exports_macro(names)));
    let root = quote!(crate);
    let params = abi::params(c).into_iter().map(|p| {
        let (n, t) = (ident(&p.name), rust_ctype(p.ty, &root));
        quote!(#n: #t)
    });
    let mut convert = Vec::new();
    if c.owner == Owner::Socket {
        convert.push(quote!(let fd = ffi::abi_fd(fd)?;));
    }
    convert.extend(c.abi_args().filter_map(arg_value));
    let borrows: Vec<Borrow> = c.abi_args().filter_map(arg_borrow).chain(output_borrows(c.returns)).collect();
    let checked = borrows.len() > 1 && borrows.iter().any(|b| b.written);
    if checked {
        let regions = borrows.iter().map(Borrow::region);
        convert.push(quote!(ffi::disjoint(&[#(#regions),*])?;));
    }
    convert.extend(borrows.iter().map(|b| b.statement(checked)));
    // Called through the trait: a stack's inherent method of the same name must not win.
    let call_args: Vec<Ident> = trait_params(c).into_iter().map(|(n, _)| n).collect();
    let op = if call_args.is_empty() { quote!(SocketApi::#method) } else { quote!(|api| SocketApi::#method(api, #(#call_args),*)) };
    let store = store_output(c.returns);
    let call = if c.returns == ReturnKind::Addrinfo { quote!(B::call(#op)) } else { quote!(B::call(#op).and_then(|r| r) #store) };
    let (result_ty, finish) = result_shape(c.returns);
    let ret = rust_ctype(abi::ret(c), &root);
    let allow = many_args(abi::params(c).len());
    let unsafety = if has_pointers(c) { quote!(unsafe) } else { quote!() };
    let safety = if has_pointers(c) { doc(CONTRACT) } else { quote!() };
    quote! {
        #d
        #safety
        #allow
        pub #unsafety fn #method<B: Backend>(#(#params),*) -> #ret {
            #finish(B::guard(|| -> #result_ty { #(#convert)* #call }))
        }
    }
}

/// The operation's `extern "C"` function, as the macro defines it (`__crate`
/// and `__Backend` stand for the macro's `$crate` and `$backend`).
fn export_fn(names: &Names, c: &Callable) -> TokenStream {
    let fn_name = format_ident!("{}", names.c_fn(c));
    let method = ident(&c.name);
    let d = doc(&format!("C ABI for `{}`: {}", c.name, native::render(&c.native_doc, Lang::C, names)));
    let safety = safety_doc(c);
    let root = quote!(__crate);
    let params: Vec<(Ident, TokenStream)> = abi::params(c).into_iter().map(|p| (ident(&p.name), rust_ctype(p.ty, &root))).collect();
    let decl = params.iter().map(|(n, t)| quote!(#n: #t));
    let pass = params.iter().map(|(n, _)| n);
    let ret = rust_ctype(abi::ret(c), &root);
    let allow = many_args(params.len());
    let call = quote!(__crate::generated::c_abi::#method::<__Backend>(#(#pass),*));
    let body = if has_pointers(c) {
        let note = rust_print::safety(&format!("the caller keeps this function's contract, which is `{}`'s.", c.name));
        quote!(#note unsafe { #call })
    } else {
        call
    };
    quote! {
        #d
        #safety
        #[unsafe(no_mangle)]
        #allow
        pub unsafe extern "C" fn #fn_name(#(#decl),*) -> #ret {
            #body
        }
    }
}

/// The doc of a namespace's strerror function (C header and Rust alike).
pub(super) fn strerror_doc(names: &Names, ns: Namespace) -> String {
    match ns {
        Namespace::Errno => format!(
            "The name and meaning of an error, as `ETIMEDOUT: Timed out`, for a log:\n\
             `err` is an errno ({0}) or a function's negative return\n\
             (-{0}). A static NUL-terminated string, never NULL (`unknown error`\n\
             for a number the table does not have); it needs no started stack.",
            names.c_macro("ETIMEDOUT")
        ),
        Namespace::Gai => format!(
            "The name and meaning of a getaddrinfo code ({}, as {} returns it),\n\
             as {} does for errno: a function of its own, as the two\n\
             namespaces overlap (-2 is EAI_NONAME, and also -ENOENT).",
            names.c_macro("EAI_NONAME"),
            names.prefix().to_string() + "_getaddrinfo()",
            names.c_strerror(Namespace::Errno) + "()"
        ),
    }
}

/// The strerror function of a namespace in the runtime, and its export.
fn strerror_fns(names: &Names, ns: Namespace) -> (TokenStream, TokenStream) {
    let name = format_ident!("{}", Names::strerror(ns));
    let export = format_ident!("{}", names.c_strerror(ns));
    let (lookup, unknown) = match ns {
        // An errno or its negation (a return value); i32::MIN is neither.
        Namespace::Errno => (quote!(err.checked_abs().and_then(Errno::from_value).map(Errno::c_text)), quote!(c"unknown error")),
        Namespace::Gai => (quote!(GaiError::from_value(err).map(GaiError::c_text)), quote!(c"unknown getaddrinfo error")),
    };
    let d = doc(&strerror_doc(names, ns));
    let generic = quote! {
        #d
        pub fn #name(err: i32) -> *const core::ffi::c_char {
            match #lookup {
                Some(text) => text.as_ptr(),
                None => #unknown.as_ptr(),
            }
        }
    };
    let exported = quote! {
        #d
        #[unsafe(no_mangle)]
        pub extern "C" fn #export(err: i32) -> *const core::ffi::c_char {
            __crate::generated::c_abi::#name(err)
        }
    };
    (generic, exported)
}

/// The macro's name: `usocket_c_exports` for module `usocket`.
fn exports_macro(names: &Names) -> String {
    format!("{}_c_exports!", names.prefix())
}

/// `runtime/generated/c_abi.rs`.
pub fn emit(spec: &Spec) -> Result<Output, String> {
    const PATH: &str = "runtime/generated/c_abi.rs";
    let names = Names::new(&spec.module);
    let strerrors = [Namespace::Errno, Namespace::Gai].map(|ns| strerror_fns(&names, ns));
    let fns = abi_callables(spec).map(|c| generic_fn(&names, c)).chain(strerrors.iter().map(|(f, _)| f.clone()));
    let exports = abi_callables(spec).map(|c| export_fn(&names, c)).chain(strerrors.iter().map(|(_, e)| e.clone()));
    let macro_name = exports_macro(&names);
    let module_doc = format!(
        "The C ABI, one function per spec operation, generic over the board's\n\
         [`Backend`]: it checks the caller's pointers, lengths and fd ([`crate::ffi`]),\n\
         then calls the stack. Success is >= 0, failure -errno (getaddrinfo: its\n\
         negative code). `{macro_name}` defines the `extern \"C\"` functions over\n\
         them. No panic is known to be reachable from here; should one happen, a\n\
         board whose panics unwind (the host) returns EIO from `Backend::guard`,\n\
         and firmware (panic = abort) stops."
    );
    let module_doc = module_doc.lines().map(|l| format!(" {l}"));
    let functions = quote! {
        #( #![doc = #module_doc] )*
        #![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]
        use crate::{Backend, Errno, GaiError, SocketApi, ffi};
        #(#fns)*
    };
    let exports = rust_print::items(PATH, quote! { #(#exports)* })?;
    let macro_doc = format!(
        "Defines the C ABI on a board: one `#[no_mangle] extern \"C\"` function per\n\
         spec operation (`{}_socket`, ...) in the module that invokes it with\n\
         the board's backend type (`{macro_name}(MyBackend);`), each calling its\n\
         function in this module.",
        names.prefix()
    );
    let exports = rust_print::exports_macro(macro_name.trim_end_matches('!'), &macro_doc, &exports);
    Ok(Output::new(PATH, format!("{}\n{exports}", rust_print::file(PATH, functions)?)))
}
