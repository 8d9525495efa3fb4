//! Every generated name, in one place: C symbols, macros, Rust items, glue
//! objects. Emitters and templates never build names themselves.

use crate::ir::{Callable, Module, Namespace, Owner, Spec};
use crate::types::{ArgType, ReturnKind};

/// Names derived from the module's C prefix.
#[derive(Debug, Clone)]
pub struct Names {
    prefix: String,
}

impl Names {
    /// Names for a module.
    pub fn new(module: &Module) -> Self {
        Names { prefix: module.c_prefix.clone() }
    }

    /// The C prefix (`usocket`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// C ABI function: `usocket_recv`.
    pub fn c_fn(&self, c: &Callable) -> String {
        format!("{}_{}", self.prefix, c.name)
    }

    /// The function naming an error of a namespace, without the prefix:
    /// `strerror` (errno), `gai_strerror` (getaddrinfo codes, whose numbers
    /// overlap the negated errno's).
    pub fn strerror(ns: Namespace) -> &'static str {
        match ns {
            Namespace::Errno => "strerror",
            Namespace::Gai => "gai_strerror",
        }
    }

    /// Its C ABI function: `usocket_strerror`.
    pub fn c_strerror(&self, ns: Namespace) -> String {
        format!("{}_{}", self.prefix, Self::strerror(ns))
    }

    /// C macro for a constant or errno: `USOCKET_AF_INET`.
    pub fn c_macro(&self, name: &str) -> String {
        format!("{}_{}", self.prefix.to_uppercase(), name)
    }

    /// C struct typedef: `usocket_addr_t`.
    pub fn c_struct(&self, name: &str) -> String {
        format!("{}_{}_t", self.prefix, name)
    }

    /// Include guard of the header.
    pub fn include_guard(&self) -> String {
        format!("{}_H", self.prefix.to_uppercase())
    }

    /// Header file name.
    pub fn header(&self) -> String {
        format!("{}.h", self.prefix)
    }

    /// Rust struct name for a spec struct: `addr` → `Addr`, `addrinfo` → `Addrinfo`.
    pub fn rust_struct(name: &str) -> String {
        name.split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
            })
            .collect()
    }

    /// Glue C function implementing a method or function: `usocket_py_recv`.
    pub fn glue_fn(&self, c: &Callable) -> String {
        format!("{}_py_{}", self.prefix, c.name)
    }

    /// Glue function object: `usocket_py_recv_obj`.
    pub fn glue_obj(&self, c: &Callable) -> String {
        format!("{}_py_{}_obj", self.prefix, c.name)
    }

    /// Glue symbol with a fixed role: `usocket_py_<what>`.
    pub fn glue(&self, what: &str) -> String {
        format!("{}_py_{}", self.prefix, what)
    }

    /// A fixture's steps in the case data: `FIXTURE_TCP_PAIR` (Rust constant).
    pub fn fixture_rust(fixture: &str) -> String {
        format!("FIXTURE_{}", fixture.to_uppercase())
    }

    /// A fixture's steps in the case data: `fixture_tcp_pair` (C array).
    pub fn fixture_c(fixture: &str) -> String {
        format!("fixture_{fixture}")
    }

    /// The case dispatch's function that calls a callable (Rust): `call_recv`,
    /// `call_socket_close` for a socket method whose name a function has too.
    pub fn dispatch_fn(spec: &Spec, c: &Callable) -> String {
        let shared = spec.callables().filter(|o| o.name == c.name).count() > 1;
        match c.owner {
            Owner::Socket if shared => format!("call_socket_{}", c.name),
            Owner::Interface if shared => format!("call_interface_{}", c.name),
            _ => format!("call_{}", c.name),
        }
    }

    /// The case runner's conversion of an argument type, which the case
    /// dispatch calls (a `Marshal` method in Rust, a function in C): `arg_int`.
    pub fn marshal_arg(ty: ArgType) -> String {
        format!("arg_{}", ty.spec_name())
    }

    /// Rust constant of a board: `host-loopback` → `HOST_LOOPBACK`.
    pub fn board_const(board: &str) -> String {
        board.replace('-', "_").to_uppercase()
    }

    /// C macro of a board setting: `USOCKET_BOARD_MTU`.
    pub fn board_macro(&self, what: &str) -> String {
        format!("{}_BOARD_{what}", self.prefix.to_uppercase())
    }

    /// Include guard of a board header: `USOCKET_BOARD_HOST_LOOPBACK_H`.
    pub fn board_guard(&self, board: &str) -> String {
        format!("{}_BOARD_{}_H", self.prefix.to_uppercase(), Self::board_const(board))
    }

    /// C function of the frame port: `usocket_port_transmit`.
    pub fn port_fn(&self, name: &str) -> String {
        format!("{}_port_{name}", self.prefix)
    }

    /// The frame port's header: `usocket_port.h`.
    pub fn port_header(&self) -> String {
        format!("{}_port.h", self.prefix)
    }

    /// The installed package's name (pkg-config module `usocket.pc`, CMake
    /// package `usocket`, `find_package(usocket)`).
    pub fn package(&self) -> &str {
        &self.prefix
    }

    /// The CMake imported target a consumer links: `usocket::usocket`.
    pub fn cmake_target(&self) -> String {
        format!("{0}::{0}", self.prefix)
    }

    /// A board's C header: `generated/boards/<board>.h`, installed as `<board>.h`.
    pub fn board_header(board: &str) -> String {
        format!("{board}.h")
    }

    /// Docs page file name: `usocket.md`, `usocket.rst`.
    pub fn docs_page(&self, ext: &str) -> String {
        format!("{}.{ext}", self.prefix)
    }

    /// Stub file names, one per import name: `socket.pyi`, `usocket.pyi`.
    pub fn stub_files(module: &Module) -> Vec<String> {
        std::iter::once(&module.name).chain(&module.aliases).map(|n| format!("{n}.pyi")).collect()
    }

    /// The import name whose stub holds the module's text, the others'
    /// re-exporting it: the first alias (`usocket`), a name no standard
    /// library has, so that `from usocket import *` cannot resolve to
    /// another module's stub (`socket`'s would be CPython's); the module's
    /// own name when it has no alias.
    pub fn stub_module(module: &Module) -> &str {
        module.aliases.first().unwrap_or(&module.name)
    }

    /// The Python class of socket objects (`socket`), as the stubs spell the socket return kind.
    pub fn python_class() -> &'static str {
        ReturnKind::Socket.python_stub()
    }

    /// Python name qualified by module or class: `socket.getaddrinfo`, `socket.recv`, `LAN.ifconfig`.
    pub fn python_qualified(spec: &Spec, c: &Callable) -> String {
        match (c.owner, &spec.interface) {
            (Owner::Module, _) => format!("{}.{}", spec.module.name, c.name),
            (Owner::Socket, _) => format!("{}.{}", Self::python_class(), c.name),
            (Owner::Interface, Some(i)) => format!("{}.{}", i.class, c.name),
            (Owner::Interface, None) => c.name.clone(),
        }
    }
}
