//! The closed set of argument types and return kinds a spec may use, and what
//! each means for Python, the C ABI and the Rust trait. Adding a method with
//! existing types is spec-only; a new type is added here and in the emitters.

/// The type of one argument, as Python passes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// A Python int; `int32_t` at the C ABI.
    Int,
    /// A truth value; `int32_t` 0/1 at the C ABI.
    Bool,
    /// Seconds (int/float) or None; `int32_t` milliseconds (-1 = None) at the C ABI.
    Timeout,
    /// A readable buffer: any buffer-protocol object, str included (its UTF-8
    /// bytes), as in MicroPython; pointer + length.
    Bytes,
    /// A writable buffer; pointer + length.
    Buffer,
    /// A non-negative int: the size of an output buffer, or a cap on a buffer argument.
    Size,
    /// `(ip_str, port)`; a pointer to the address struct at the C ABI.
    Address,
    /// A host name or numeric address string, or None; pointer + length (NULL = None).
    Host,
    /// A port: int, a decimal string, or a service name (the glue looks it up
    /// with `getservbyname`); `int32_t` (-1 = none of them) at the C ABI.
    Port,
    /// An int or a bytes-like value (socket options); pointer + length.
    Optval,
    /// A str, checked by the glue only (never reaches the C ABI).
    Str,
    /// What `ifconfig()` sets, as MicroPython's lwIP ports take it: `'dhcp'`
    /// or `(ip, netmask, gateway, dns)` strings (`''` is 0.0.0.0); a pointer to
    /// the `ifconfig_set` struct at the C ABI (NULL: omitted, nothing is set).
    Ifconfig,
}

impl ArgType {
    /// Every type with its spec spelling.
    pub const ALL: [(&'static str, ArgType); 12] = [
        ("int", ArgType::Int),
        ("bool", ArgType::Bool),
        ("timeout", ArgType::Timeout),
        ("bytes", ArgType::Bytes),
        ("buffer", ArgType::Buffer),
        ("size", ArgType::Size),
        ("address", ArgType::Address),
        ("host", ArgType::Host),
        ("port", ArgType::Port),
        ("optval", ArgType::Optval),
        ("str", ArgType::Str),
        ("ifconfig", ArgType::Ifconfig),
    ];

    /// The spec spelling.
    pub fn spec_name(self) -> &'static str {
        Self::ALL.iter().find(|(_, t)| *t == self).map(|(n, _)| *n).unwrap_or("?")
    }

    /// Parses the spec spelling.
    pub fn parse(s: &str) -> Option<ArgType> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, t)| *t)
    }

    /// The type in a `.pyi` stub.
    pub fn python_stub(self) -> &'static str {
        match self {
            ArgType::Int => "int",
            ArgType::Bool => "bool",
            ArgType::Timeout => "float | None",
            ArgType::Bytes => "ReadableBuffer",
            ArgType::Buffer => "WriteableBuffer",
            ArgType::Size => "int",
            ArgType::Address => "_Address",
            ArgType::Host => "str | None",
            ArgType::Port => "int | str",
            ArgType::Optval => "int | ReadableBuffer",
            ArgType::Str => "str",
            ArgType::Ifconfig => "str | tuple[str, str, str, str]",
        }
    }
}

/// What a callable returns, which also fixes its C ABI shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnKind {
    /// None.
    None,
    /// An int (a byte count or flags).
    Int,
    /// A new socket object (the ABI returns its fd).
    Socket,
    /// The socket itself; glue only, no ABI function.
    SelfRef,
    /// bytes read into an output buffer sized by the `size` argument.
    Bytes,
    /// Like `Bytes`, but None when a non-blocking socket has nothing; without a size, reads to EOF.
    BytesOrNone,
    /// A line (bytes), read in chunks; None when a non-blocking socket has nothing.
    LineOrNone,
    /// An int, or None when a non-blocking socket could do nothing.
    IntOrNone,
    /// `(bytes, address)`.
    BytesAddress,
    /// `(socket, address)`.
    SocketAddress,
    /// `(ip_str, port)`.
    Address,
    /// Seconds as float, or None.
    Timeout,
    /// A list of getaddrinfo 5-tuples; errors use the getaddrinfo namespace.
    Addrinfo,
    /// A str written into an output buffer.
    Str,
    /// A packed IP address (4 or 16 bytes) written into an output buffer.
    Packed,
    /// True or False (0/1 at the C ABI).
    Bool,
    /// `(ip, netmask, gateway, dns)` strings, from the `ifconfig` struct; from
    /// Python None when an `ifconfig` argument was given (it set the configuration).
    Ifconfig,
    /// MicroPython's (1.24+) `ipconfig()`: one parameter read by name, or some
    /// set by keyword. Glue only, over the interface's ifconfig and dhcp_state
    /// (no C ABI function of its own); the callable has no spec arguments, its
    /// doc lists the parameters.
    Ipconfig,
}

impl ReturnKind {
    /// Every kind with its spec spelling.
    pub const ALL: [(&'static str, ReturnKind); 18] = [
        ("none", ReturnKind::None),
        ("int", ReturnKind::Int),
        ("socket", ReturnKind::Socket),
        ("self", ReturnKind::SelfRef),
        ("bytes", ReturnKind::Bytes),
        ("bytes_or_none", ReturnKind::BytesOrNone),
        ("line_or_none", ReturnKind::LineOrNone),
        ("int_or_none", ReturnKind::IntOrNone),
        ("bytes_address", ReturnKind::BytesAddress),
        ("socket_address", ReturnKind::SocketAddress),
        ("address", ReturnKind::Address),
        ("timeout", ReturnKind::Timeout),
        ("addrinfo", ReturnKind::Addrinfo),
        ("str", ReturnKind::Str),
        ("packed", ReturnKind::Packed),
        ("bool", ReturnKind::Bool),
        ("ifconfig", ReturnKind::Ifconfig),
        ("ipconfig", ReturnKind::Ipconfig),
    ];

    /// The spec spelling.
    pub fn spec_name(self) -> &'static str {
        Self::ALL.iter().find(|(_, k)| *k == self).map(|(n, _)| *n).unwrap_or("?")
    }

    /// Parses the spec spelling.
    pub fn parse(s: &str) -> Option<ReturnKind> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)
    }

    /// The return type in a `.pyi` stub.
    pub fn python_stub(self) -> &'static str {
        match self {
            ReturnKind::None => "None",
            ReturnKind::Int => "int",
            ReturnKind::Socket | ReturnKind::SelfRef => "socket",
            ReturnKind::Bytes | ReturnKind::Packed => "bytes",
            ReturnKind::BytesOrNone | ReturnKind::LineOrNone => "bytes | None",
            ReturnKind::IntOrNone => "int | None",
            ReturnKind::BytesAddress => "tuple[bytes, _Address]",
            ReturnKind::SocketAddress => "tuple[socket, _Address]",
            ReturnKind::Address => "_Address",
            ReturnKind::Timeout => "float | None",
            ReturnKind::Addrinfo => "list[tuple[int, int, int, str, _Address]]",
            ReturnKind::Str => "str",
            ReturnKind::Bool => "bool",
            ReturnKind::Ifconfig => "tuple[str, str, str, str]",
            ReturnKind::Ipconfig => "bool | str | tuple[str, str] | None",
        }
    }

    /// Reads into a byte output buffer whose size comes from a `size` argument.
    pub fn sized_output(self) -> bool {
        matches!(self, ReturnKind::Bytes | ReturnKind::BytesOrNone | ReturnKind::BytesAddress)
    }

    /// Has a byte output buffer at the C ABI.
    pub fn byte_output(self) -> bool {
        self.sized_output() || matches!(self, ReturnKind::LineOrNone | ReturnKind::Str | ReturnKind::Packed)
    }

    /// The C ABI returns a byte count (`intptr_t`) rather than a status or fd (`int32_t`).
    pub fn returns_count(self) -> bool {
        self.byte_output() || matches!(self, ReturnKind::Int | ReturnKind::IntOrNone)
    }

    /// Has a C ABI function (everything but `self`).
    pub fn has_abi(self) -> bool {
        !matches!(self, ReturnKind::SelfRef | ReturnKind::Ipconfig)
    }
}

/// Python exceptions a rule or case may name.
pub const EXCEPTIONS: [&str; 3] = ["TypeError", "ValueError", "OverflowError"];
