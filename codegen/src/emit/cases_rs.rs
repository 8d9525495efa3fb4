//! `generated/conformance/cases.rs`: the behaviour cases for the Rust API's
//! runner (`runtime/tests/runner/`): their data types, each fixture's steps
//! once, the cases, and the dispatch from a step's call to its `SocketApi`
//! method. The dispatch converts each argument by its type and makes the
//! result a value by its kind through the runner's `Marshal` (one conversion
//! per argument type, one per kind of result), so a new method with existing
//! types needs no runner edit. What it does not call is `ir::NOT_DISPATCHED`;
//! the pseudo-steps (`value`, `buffer`) are the runner's.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::rust::ident;
use super::rust_print;
use crate::ir::{Arg, Callable, Case, FieldType, Outcome, Owner, Spec, Step, Value};
use crate::naming::Names;
use crate::types::{ArgType, ReturnKind};

/// The bytes a runner reads for an omitted (or negative) size, "all" for the
/// glue (which reads chunk by chunk to the end): one call this large holds
/// what any case reads.
pub(super) const READ_ALL: usize = 4096;

/// The output buffer of a str result: the glue's (an IPv6 address with a
/// scope takes at most 56).
pub(super) const TEXT_MAX: usize = 64;

/// The output buffer of a packed address.
pub(super) const PACKED_MAX: usize = 16;

/// A spec value as a `V` expression.
fn value(v: &Value) -> TokenStream {
    match v {
        Value::None => quote!(V::None),
        Value::Bool(b) => quote!(V::Bool(#b)),
        Value::Int(i) => {
            let i = Literal::i64_unsuffixed(*i);
            quote!(V::Int(#i))
        }
        Value::Float(f) => {
            let f = Literal::f64_unsuffixed(*f);
            quote!(V::Float(#f))
        }
        Value::Str(t) => quote!(V::Str(#t)),
        Value::Bytes(b) => {
            let lit = proc_macro2::Literal::byte_string(b);
            quote!(V::Bytes(#lit))
        }
        Value::Const(name, _) => {
            let ident = format_ident!("{}", name);
            quote!(V::Const(#name, constants::#ident as i64))
        }
        Value::Var(name) => quote!(V::Var(#name)),
        Value::Tuple(items) => {
            let items = items.iter().map(value);
            quote!(V::Tuple(&[#(#items),*]))
        }
    }
}

/// A step as a `Step` expression: the fields it sets, the rest `Step::BLANK`'s.
fn step(step: &Step) -> TokenStream {
    let mut fields = Vec::new();
    if let Some(x) = &step.bind {
        fields.push(quote!(bind: Some(#x)));
    }
    if let Some(i) = step.index {
        let i = usize_lit(i);
        fields.push(quote!(index: Some(#i)));
    }
    if let Some(x) = &step.on {
        fields.push(quote!(on: Some(#x)));
    }
    let call = &step.call;
    fields.push(quote!(call: #call));
    if !step.args.is_empty() {
        let args = step.args.iter().map(value);
        fields.push(quote!(args: &[#(#args),*]));
    }
    match &step.expect {
        None => {}
        Some(Outcome::Error(code)) => {
            let (n, v) = (&code.name, Literal::i64_unsuffixed(code.value));
            fields.push(quote!(expect: Expect::Error(#n, #v)));
        }
        Some(Outcome::Exception(e)) => fields.push(quote!(expect: Expect::Exception(#e))),
        Some(Outcome::Returns(v)) => {
            let v = value(v);
            fields.push(quote!(expect: Expect::Returns(#v)));
        }
    }
    if let Some((code, max)) = &step.until {
        let (n, v, max) = (&code.name, Literal::i64_unsuffixed(code.value), Literal::u32_unsuffixed(*max));
        fields.push(quote!(until: Some((#n, #v, #max))));
    }
    quote!(Step { #(#fields,)* ..Step::BLANK })
}

/// An unsuffixed usize literal.
fn usize_lit(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

/// One case as a `Case` expression: its fixture's constant and its own steps.
fn case(case: &Case) -> TokenStream {
    let id = &case.id;
    let fixture = format_ident!("{}", Names::fixture_rust(&case.fixture));
    let steps = case.steps.iter().map(step);
    quote!(Case { id: #id, fixture: #fixture, steps: &[#(#steps),*] })
}

/// Where argument `k` of `c` is among a step's arguments: `Some(k)`, or, for
/// a callable with positional forms, its place in the form the count picks
/// (`at[k]`, None when that form leaves it out).
fn positions(c: &Callable) -> (TokenStream, Vec<TokenStream>) {
    if c.forms.is_empty() {
        let at = (0..c.args.len())
            .map(|k| {
                let k = usize_lit(k);
                quote!(Some(#k))
            })
            .collect();
        return (quote!(), at);
    }
    let n = usize_lit(c.args.len());
    let form = |names: &[String]| {
        let items = c.args.iter().map(|a| match names.iter().position(|x| *x == a.name) {
            Some(p) => {
                let p = usize_lit(p);
                quote!(Some(#p))
            }
            None => quote!(None),
        });
        quote!([#(#items),*])
    };
    // The last form is the catch-all arm (the spec's checks allow only the forms' counts).
    let (last, rest) = c.forms.split_last().map_or((quote!([None; #n]), &[][..]), |(l, r)| (form(l), r));
    let arms = rest.iter().map(|names| {
        let count = usize_lit(names.len());
        let f = form(names);
        quote!(#count => #f,)
    });
    let at = (0..c.args.len())
        .map(|k| {
            let k = usize_lit(k);
            quote!(at[#k])
        })
        .collect();
    (quote!(let at: [Option<usize>; #n] = match m.count() { #(#arms)* _ => #last, };), at)
}

/// A default as an `Option<&'static V>` expression.
fn default(arg: &Arg) -> TokenStream {
    match &arg.default {
        Some(d) => {
            let v = value(d);
            quote!(Some(&#v))
        }
        None => quote!(None),
    }
}

/// The local of argument `a`.
fn local(a: &Arg) -> Ident {
    format_ident!("a_{}", a.name)
}

/// The range of a buffer argument's local that its slicing sizes leave: `a_<name>_at`.
fn range_local(a: &Arg) -> Ident {
    format_ident!("a_{}_at", a.name)
}

/// The statements converting the arguments of `c` that reach the API.
fn conversions(c: &Callable, at: &[TokenStream]) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for (k, a) in c.args.iter().enumerate() {
        let (x, at, d) = (local(a), &at[k], default(a));
        let conv = format_ident!("{}", Names::marshal_arg(a.ty));
        out.push(match a.ty {
            // Glue only (makefile's mode): it never reaches the API.
            ArgType::Str => continue,
            ArgType::Buffer => quote!(let mut #x = m.#conv(#at)?;),
            _ => quote!(let #x = m.#conv(#at, #d)?;),
        });
    }
    // The sizes that slice a buffer, in spec order as the glue applies them.
    for b in c.args.iter().filter(|b| matches!(b.ty, ArgType::Bytes | ArgType::Buffer | ArgType::Optval)) {
        let slicers: Vec<&Arg> = c.args.iter().filter(|s| s.slices() == Some(b.name.as_str())).collect();
        if slicers.is_empty() {
            continue;
        }
        let (x, r) = (local(b), range_local(b));
        out.push(quote!(let mut #r = 0..#x.len();));
        for s in slicers {
            let n = local(s);
            out.push(if s.offsets.is_some() {
                quote!(#r.start += #n.unwrap_or(0).min(#r.len());)
            } else {
                quote!(if let Some(n) = #n { #r.end = #r.end.min(#r.start + n); })
            });
        }
    }
    out
}

/// The API call's arguments, in `SocketApi`'s order (`super::rust::trait_params`).
fn call_args(c: &Callable) -> Vec<TokenStream> {
    let mut out = Vec::new();
    if c.owner == Owner::Socket {
        out.push(quote!(fd));
    }
    for a in c.abi_args() {
        let x = local(a);
        let sliced = c.args.iter().any(|s| s.slices() == Some(a.name.as_str()));
        let r = range_local(a);
        out.push(match a.ty {
            ArgType::Bytes | ArgType::Optval if sliced => quote!(&#x[#r]),
            ArgType::Buffer if sliced => quote!(&mut #x[#r]),
            ArgType::Buffer => quote!(&mut #x),
            ArgType::Bytes | ArgType::Optval | ArgType::Address => quote!(&#x),
            ArgType::Host => quote!(#x.as_deref()),
            ArgType::Ifconfig => quote!(#x.as_ref()),
            _ => quote!(#x),
        });
    }
    if c.returns.byte_output() || c.returns == ReturnKind::Addrinfo {
        out.push(quote!(&mut out));
    }
    out
}

/// The output buffer a call writes, before it.
fn output(c: &Callable, max_addrinfo: usize) -> TokenStream {
    let size = c.output_size_arg().map(local);
    match c.returns {
        ReturnKind::Str => quote!(let mut out = [0u8; TEXT_MAX];),
        ReturnKind::Packed => quote!(let mut out = [0u8; PACKED_MAX];),
        ReturnKind::Addrinfo => {
            let n = usize_lit(max_addrinfo);
            quote!(let mut out = [Addrinfo::default(); #n];)
        }
        k if k.byte_output() => match size {
            Some(s) => quote!(let mut out = vec![0u8; #s.unwrap_or(READ_ALL)];),
            None => quote!(let mut out = vec![0u8; READ_ALL];),
        },
        _ => quote!(),
    }
}

/// `call` (the API call expression) and its result made a value by `c`'s kind.
fn result(spec: &Spec, c: &Callable, call: TokenStream) -> Result<TokenStream, String> {
    // A kind that is None when a non-blocking socket could do nothing.
    let or_none = |made: TokenStream| {
        quote! {
            match #call {
                Ok(n) => Ok(#made),
                Err(Errno::EAGAIN) => Ok(m.ret_none()),
                Err(e) => Err(e.into()),
            }
        }
    };
    Ok(match c.returns {
        ReturnKind::None => quote! { #call?; Ok(m.ret_none()) },
        ReturnKind::Int => quote! { let n = #call?; Ok(m.ret_int(n as i64)) },
        ReturnKind::Socket => quote! { let new = #call?; Ok(m.ret_socket(new, true)) },
        ReturnKind::SelfRef => quote! { Ok(m.ret_socket(fd, false)) },
        ReturnKind::Bytes | ReturnKind::Packed => quote! { let n = #call?; Ok(m.ret_bytes(&out[..n])) },
        ReturnKind::Str => quote! { let n = #call?; Ok(m.ret_str(&out[..n])) },
        ReturnKind::BytesOrNone | ReturnKind::LineOrNone => or_none(quote!(m.ret_bytes(&out[..n]))),
        ReturnKind::IntOrNone => or_none(quote!(m.ret_int(n as i64))),
        ReturnKind::BytesAddress => quote! {
            let (n, from) = #call?;
            let items = vec![m.ret_bytes(&out[..n]), m.ret_address(&from)];
            Ok(m.ret_tuple(items))
        },
        ReturnKind::SocketAddress => quote! {
            let (new, peer) = #call?;
            let items = vec![m.ret_socket(new, true), m.ret_address(&peer)];
            Ok(m.ret_tuple(items))
        },
        ReturnKind::Address => quote! { let a = #call?; Ok(m.ret_address(&a)) },
        ReturnKind::Timeout => quote! { let ms = #call?; Ok(m.ret_seconds(ms)) },
        ReturnKind::Bool => quote! { let b = #call?; Ok(m.ret_bool(b)) },
        // Python's 5-tuples: (family, type, proto, canonname, sockaddr).
        ReturnKind::Addrinfo => quote! {
            let n = #call?;
            let mut list = Vec::new();
            for info in &out[..n] {
                let items = vec![
                    m.ret_int(info.family.into()),
                    m.ret_int(info.socktype.into()),
                    m.ret_int(info.proto.into()),
                    m.ret_str(b""),
                    m.ret_address(&info.addr),
                ];
                list.push(m.ret_tuple(items));
            }
            Ok(m.ret_tuple(list))
        },
        // The configuration's addresses as strs; None after a set, as from Python.
        ReturnKind::Ifconfig => {
            let fields = spec.structs.iter().find(|s| s.name == "ifconfig").map(|s| s.fields.as_slice()).unwrap_or_default();
            let items = fields.iter().filter(|f| f.ty == FieldType::Struct("addr".into())).map(|f| {
                let f = ident(&f.name);
                quote!(m.ret_ip(&config.#f))
            });
            let set = c.args.iter().find(|a| a.ty == ArgType::Ifconfig).map(|a| {
                let x = local(a);
                quote!(if #x.is_some() { return Ok(m.ret_none()); })
            });
            quote! {
                let config = #call?;
                #set
                let items = vec![#(#items),*];
                Ok(m.ret_tuple(items))
            }
        }
        ReturnKind::Ipconfig => return Err(format!("cases.rs: `{}` is not dispatched (NOT_DISPATCHED)", c.name)),
    })
}

/// The dispatch function of one callable.
fn call_fn(spec: &Spec, c: &Callable) -> Result<TokenStream, String> {
    let name = format_ident!("{}", Names::dispatch_fn(spec, c));
    let api = ident(&c.name);
    let doc = format!(" `{}`: {}.", Names::python_qualified(spec, c), c.returns.spec_name());
    let fd = (c.owner == Owner::Socket).then(|| quote!(, fd: Fd));
    let release = c.closes.then(|| {
        quote!(if !m.release(fd) {
            return Ok(m.ret_none());
        })
    });
    if !c.returns.has_abi() {
        let body = result(spec, c, quote!())?;
        return Ok(quote! {
            #[doc = #doc]
            fn #name<M: Marshal>(m: &mut M #fd) -> Result<M::Value, M::Raised> { #body }
        });
    }
    let (forms, at) = positions(c);
    let conversions = conversions(c, &at);
    let output = output(c, spec.limits.max_addrinfo as usize);
    let args = call_args(c);
    let buffers: Vec<TokenStream> = c
        .args
        .iter()
        .enumerate()
        .filter(|(_, a)| a.ty == ArgType::Buffer)
        .map(|(k, a)| {
            let (x, at) = (local(a), &at[k]);
            quote!(m.put_buffer(#at, #x);)
        })
        .collect();
    let body = if buffers.is_empty() {
        result(spec, c, quote!(m.api().#api(#(#args),*)))?
    } else {
        // The buffer goes back to its variable before the result is looked at.
        let made = result(spec, c, quote!(got))?;
        quote! {
            let got = m.api().#api(#(#args),*);
            #(#buffers)*
            #made
        }
    };
    Ok(quote! {
        #[doc = #doc]
        fn #name<M: Marshal>(m: &mut M #fd) -> Result<M::Value, M::Raised> {
            #release
            #forms
            #(#conversions)*
            #output
            #body
        }
    })
}

/// The runner's side of the dispatch: the trait it implements.
fn marshal_trait() -> TokenStream {
    let arg = |ty: ArgType| format_ident!("{}", Names::marshal_arg(ty));
    let (int, bool_, timeout, bytes, buffer, size, address, host, port, optval, ifconfig) = (
        arg(ArgType::Int),
        arg(ArgType::Bool),
        arg(ArgType::Timeout),
        arg(ArgType::Bytes),
        arg(ArgType::Buffer),
        arg(ArgType::Size),
        arg(ArgType::Address),
        arg(ArgType::Host),
        arg(ArgType::Port),
        arg(ArgType::Optval),
        arg(ArgType::Ifconfig),
    );
    quote! {
        /// What a runner gives the dispatch ([`call`]): the API, each argument
        /// type of the spec made from its values as the MicroPython glue makes
        /// it, and each kind of result made one of its values. An argument is
        /// at a position among the step's arguments (None: not given), else
        /// its spec default (None: required).
        pub trait Marshal {
            /// The API the calls go to.
            type Api: SocketApi;
            /// A value at run time.
            type Value;
            /// Why a step failed: the API's error, or the runner's own.
            type Raised: From<Errno> + From<GaiError>;
            /// The API.
            fn api(&mut self) -> &mut Self::Api;
            /// How many arguments the step passes (which positional form it uses).
            fn count(&self) -> usize;
            /// Python's second close() is a no-op: true the first time the socket is released.
            fn release(&mut self, fd: Fd) -> bool;
            /// An int (also a bool).
            fn #int(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<i32, Self::Raised>;
            /// A truth value.
            fn #bool_(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<bool, Self::Raised>;
            /// Seconds (int or float) or None, as milliseconds rounded up.
            fn #timeout(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<u32>, Self::Raised>;
            /// A readable buffer.
            fn #bytes(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Vec<u8>, Self::Raised>;
            /// A writable buffer: the variable's bytes, which [`Marshal::put_buffer`] gives back after the call.
            fn #buffer(&mut self, at: Option<usize>) -> Result<Vec<u8>, Self::Raised>;
            /// Gives a writable buffer back to its variable.
            fn put_buffer(&mut self, at: Option<usize>, buffer: Vec<u8>);
            /// A size; None for omitted or negative ("all").
            fn #size(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<usize>, Self::Raised>;
            /// `(ip_str, port)`.
            fn #address(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Addr, Self::Raised>;
            /// A host name or numeric address, or None.
            fn #host(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<String>, Self::Raised>;
            /// A port: an int, a decimal string or a service name (-1: none of them).
            fn #port(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<i32, Self::Raised>;
            /// An option's value: an int (native bytes) or bytes.
            fn #optval(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Vec<u8>, Self::Raised>;
            /// `'dhcp'` or four IPv4 strings; None: nothing to set.
            fn #ifconfig(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<IfconfigSet>, Self::Raised>;
            /// None.
            fn ret_none(&mut self) -> Self::Value;
            /// True or False.
            fn ret_bool(&mut self, value: bool) -> Self::Value;
            /// An int.
            fn ret_int(&mut self, value: i64) -> Self::Value;
            /// bytes.
            fn ret_bytes(&mut self, value: &[u8]) -> Self::Value;
            /// A str (UTF-8).
            fn ret_str(&mut self, value: &[u8]) -> Self::Value;
            /// A socket: a new one, or the one called (makefile()).
            fn ret_socket(&mut self, fd: Fd, new: bool) -> Self::Value;
            /// `(ip_str, port)`.
            fn ret_address(&mut self, address: &Addr) -> Self::Value;
            /// An address's IP as a str.
            fn ret_ip(&mut self, address: &Addr) -> Self::Value;
            /// Seconds as a float, or None.
            fn ret_seconds(&mut self, ms: Option<u32>) -> Self::Value;
            /// A tuple (a list too).
            fn ret_tuple(&mut self, items: Vec<Self::Value>) -> Self::Value;
        }
    }
}

/// The data types of the cases.
fn data_types() -> TokenStream {
    quote! {
        /// A spec value, as the cases write it.
        #[derive(Debug)]
        pub enum V {
            None,
            Bool(bool),
            Int(i64),
            Float(f64),
            Str(&'static str),
            Bytes(&'static [u8]),
            /// A constant: its name and the generated constant's value.
            Const(&'static str, i64),
            Var(&'static str),
            Tuple(&'static [V]),
        }

        /// What a step expects.
        #[derive(Debug)]
        pub enum Expect {
            Ok,
            /// OSError with this name and number.
            Error(&'static str, i64),
            Exception(&'static str),
            Returns(V),
        }

        /// One step (see spec/cases.toml).
        #[derive(Debug)]
        pub struct Step {
            pub bind: Option<&'static str>,
            pub index: Option<usize>,
            pub on: Option<&'static str>,
            pub call: &'static str,
            pub args: &'static [V],
            pub expect: Expect,
            /// Repeat until this error (name, number), at most this many calls.
            pub until: Option<(&'static str, i64, u32)>,
        }

        /// One case: its fixture's steps, then its own.
        #[derive(Debug)]
        pub struct Case {
            pub id: &'static str,
            pub fixture: &'static [Step],
            pub steps: &'static [Step],
        }

        impl Step {
            /// What a step leaves out: no `let`, `index` or `on`, no
            /// arguments, no expectation (it must succeed), no repetition.
            pub const BLANK: Step = Step { bind: None, index: None, on: None, call: "", args: &[], expect: Expect::Ok, until: None };
        }

        impl Case {
            /// Every step in order: the fixture's, then the case's.
            pub fn all_steps(&self) -> impl Iterator<Item = &'static Step> {
                self.fixture.iter().chain(self.steps)
            }
        }
    }
}

/// The file: the cases as data (`FIXTURE_*`, `CASES` for a full build,
/// `WITHOUT` for builds that leave features out) and the dispatch.
pub(super) fn emit(spec: &Spec) -> Result<String, String> {
    let elsewhere: Vec<&str> = spec.cases.iter().filter(|c| !c.applies("rust")).map(|c| c.id.as_str()).collect();
    let full = spec.cases.iter().filter(|c| c.applies("rust") && c.without.is_empty()).map(case);
    let without = spec.cases.iter().filter(|c| !c.without.is_empty()).map(|c| {
        let (features, case) = (&c.without, case(c));
        quote!((&[#(#features),*], #case))
    });
    let fixtures = spec.fixtures.iter().map(|f| {
        let name = format_ident!("{}", Names::fixture_rust(&f.name));
        let doc = format!(" Fixture `{}`: {}", f.name, f.doc.lines().next().unwrap_or_default());
        let steps = f.steps.iter().map(step);
        quote! {
            #[doc = #doc]
            pub const #name: &[Step] = &[#(#steps),*];
        }
    });
    let dispatched: Vec<&Callable> = spec.callables().filter(|c| c.not_dispatched().is_none()).collect();
    let functions = dispatched.iter().map(|c| call_fn(spec, c)).collect::<Result<Vec<_>, _>>()?;
    let arms = dispatched.iter().map(|c| {
        let (name, f) = (&c.name, format_ident!("{}", Names::dispatch_fn(spec, c)));
        match c.owner {
            Owner::Socket => quote!((#name, Some(fd)) => #f(m, fd),),
            _ => quote!((#name, None) => #f(m),),
        }
    });
    let (read_all, text_max, packed_max) = (usize_lit(READ_ALL), usize_lit(TEXT_MAX), usize_lit(PACKED_MAX));
    let data_types = data_types();
    let marshal = marshal_trait();
    let tokens = quote! {
        // The behaviour cases and their dispatch, for the runner that
        // includes this file in a module of its own.
        use usocket_runtime::constants;
        use usocket_runtime::{Addr, Addrinfo, Errno, Fd, GaiError, IfconfigSet, SocketApi};

        #data_types

        #(#fixtures)*

        /// The behaviour cases for the Rust API.
        pub const CASES: &[Case] = &[#(#full),*];
        /// Cases whose `targets` leave out the Rust API.
        pub const NOT_HERE: &[&str] = &[#(#elsewhere),*];
        /// Cases for a runtime built without some features (`without` in the
        /// spec): those features, and the case.
        pub const WITHOUT: &[(&[&str], Case)] = &[#(#without),*];

        /// The bytes read for an omitted or negative size ("all").
        pub const READ_ALL: usize = #read_all;
        /// The output buffer of a str result.
        pub const TEXT_MAX: usize = #text_max;
        /// The output buffer of a packed address.
        pub const PACKED_MAX: usize = #packed_max;

        #marshal

        /// Calls the function, interface method or (with `fd`, the socket of
        /// `on`) socket method named `call` through `m`, and makes its result
        /// a value. None when the API has no such call: a pseudo-step, or one
        /// the dispatch leaves to the glue (codegen's `NOT_DISPATCHED`).
        pub fn call<M: Marshal>(m: &mut M, call: &str, fd: Option<Fd>) -> Option<Result<M::Value, M::Raised>> {
            Some(match (call, fd) {
                #(#arms)*
                _ => return None,
            })
        }

        #(#functions)*
    };
    rust_print::file("generated/conformance/cases.rs", tokens)
}
