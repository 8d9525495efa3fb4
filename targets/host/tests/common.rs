//! Helpers shared by the integration tests: a loopback stack and address shorthands.

#![allow(dead_code)]

use std::net::SocketAddr;

use usocket_host::constants::{AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM};
use usocket_host::{Addr, AnyBoard, Config, Errno, Fd, HostMemory, SocketApi, Stack};

/// A stack on the loopback board; keeps its memory alive.
pub struct Loop {
    pub stack: Stack<'static, AnyBoard>,
}

/// A loopback stack with `config` (memory leaked: one per test).
pub fn stack_with(config: Config) -> Stack<'static, AnyBoard> {
    let memory = Box::leak(Box::new(HostMemory::new(&config)));
    Stack::new(memory.lend(), AnyBoard::loopback(), config).expect("stack starts")
}

/// A loopback stack with the host config.
pub fn stack() -> Stack<'static, AnyBoard> {
    stack_with(usocket_host::boards::HOST_LOOPBACK.config)
}

/// An ABI address from text like "127.0.0.1:80".
pub fn addr(text: &str) -> Addr {
    text.parse::<SocketAddr>().expect("socket address").into()
}

/// A TCP socket of a family.
pub fn tcp(s: &mut impl SocketApi, family: i32) -> Fd {
    s.socket(family, SOCK_STREAM, 0).expect("socket")
}

/// A UDP socket of a family.
pub fn udp(s: &mut impl SocketApi, family: i32) -> Fd {
    s.socket(family, SOCK_DGRAM, 0).expect("socket")
}

/// A listener on `host` port 0 with a backlog; returns it and its address.
pub fn listener(s: &mut impl SocketApi, host: &str, backlog: i32) -> (Fd, Addr) {
    let family = if host.contains(':') { AF_INET6 } else { AF_INET };
    let l = tcp(s, family);
    let at = if family == AF_INET6 { format!("[{host}]:0") } else { format!("{host}:0") };
    s.bind(l, &addr(&at)).expect("bind");
    s.listen(l, backlog).expect("listen");
    let a = s.getsockname(l).expect("getsockname");
    (l, a)
}

/// A connected pair (client, accepted) plus the listener.
pub fn pair(s: &mut impl SocketApi, host: &str) -> (Fd, Fd, Fd) {
    let (l, a) = listener(s, host, 2);
    let family = i32::from(a.family);
    let c = tcp(s, family);
    s.connect(c, &a).expect("connect");
    let (srv, _) = s.accept(l).expect("accept");
    (c, srv, l)
}

/// Expects an error.
#[track_caller]
pub fn fails<T: std::fmt::Debug>(r: Result<T, Errno>, e: Errno) {
    match r {
        Err(got) => assert_eq!(got, e, "expected {} got {}", e.name(), got.name()),
        Ok(v) => panic!("expected {} got Ok({v:?})", e.name()),
    }
}
