//! Every error rule of spec/errors.toml on the loopback board, through the
//! Rust API (and the C ABI for the rules that are about argument checking).
//! One `rule_<id>` test per rule; `every_rule_has_a_test` keeps it that way.

mod common;

use std::time::Instant;

use common::*;
use usocket_host::constants::*;
use usocket_host::{Addrinfo, Config, Errno, Fd, GaiError, SocketApi};

/// Small buffers so that send buffers fill quickly.
const SMALL: Config = Config { tcp_rx_bytes: 4096, tcp_tx_bytes: 4096, ..usocket_host::boards::HOST_LOOPBACK.config };

/// Fills `c`'s send path (peer not reading) until a non-blocking send would block.
fn fill(s: &mut impl SocketApi, c: Fd) {
    s.setblocking(c, false).unwrap();
    let chunk = [7u8; 1024];
    for _ in 0..10_000 {
        match s.send(c, &chunk) {
            Ok(_) => {}
            Err(Errno::EAGAIN) => return,
            Err(e) => panic!("filling: {}", e.name()),
        }
    }
    panic!("the send buffer never filled");
}

/// Calls a socket method by its spec name with harmless arguments.
fn call(s: &mut impl SocketApi, method: &str, fd: Fd, peer: &usocket_host::Addr) -> Result<(), Errno> {
    let mut buf = [0u8; 16];
    match method {
        "bind" => s.bind(fd, peer),
        "listen" => s.listen(fd, 1),
        "accept" => s.accept(fd).map(drop),
        "connect" => s.connect(fd, peer),
        "send" => s.send(fd, b"x").map(drop),
        "sendall" => s.sendall(fd, b"x"),
        "recv" => s.recv(fd, &mut buf).map(drop),
        "sendto" => s.sendto(fd, b"x", peer).map(drop),
        "recvfrom" => s.recvfrom(fd, &mut buf).map(drop),
        "setsockopt" => s.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &1i32.to_ne_bytes()),
        "settimeout" => s.settimeout(fd, Some(5)),
        "setblocking" => s.setblocking(fd, true),
        "read" => s.read(fd, &mut buf).map(drop),
        "readinto" => s.readinto(fd, &mut buf).map(drop),
        "readline" => s.readline(fd, &mut buf).map(drop),
        "write" => s.write(fd, b"x").map(drop),
        "getsockname" => s.getsockname(fd).map(drop),
        "getpeername" => s.getpeername(fd).map(drop),
        "shutdown" => s.shutdown(fd, SHUT_RDWR),
        "gettimeout" => s.gettimeout(fd).map(drop),
        other => panic!("no call for {other}"),
    }
}

/// The methods a rule names in spec/errors.toml.
fn rule_methods(id: &str) -> Vec<String> {
    let spec = include_str!("../../../spec/errors.toml");
    let start = spec.find(&format!("id = \"{id}\"")).unwrap_or_else(|| panic!("rule {id} not in spec"));
    let line = spec[start..].lines().find(|l| l.starts_with("methods")).expect("methods line");
    line.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn every_rule_has_a_test() {
    let spec = include_str!("../../../spec/errors.toml");
    let this = include_str!("rules.rs");
    let ids: Vec<&str> = spec.lines().filter_map(|l| l.strip_prefix("id = \"")).map(|l| l.trim_end_matches('"')).collect();
    assert!(ids.len() >= 20, "rules parsed: {ids:?}");
    for id in ids {
        let name = format!("fn rule_{}()", id.replace('-', "_"));
        assert!(this.contains(&name), "spec rule `{id}` has no test `{name}`");
    }
}

#[test]
fn rule_timeout() {
    let mut s = stack_with(SMALL);
    for method in rule_methods("timeout") {
        let started = Instant::now();
        let r = match method.as_str() {
            "recv" | "recvfrom" | "read" | "readinto" | "readline" => {
                let (c, _srv, _l) = pair(&mut s, "127.0.0.1");
                s.settimeout(c, Some(30)).unwrap();
                call(&mut s, &method, c, &addr("127.0.0.1:9"))
            }
            "send" | "sendall" | "write" => {
                let (c, _srv, _l) = pair(&mut s, "127.0.0.1");
                fill(&mut s, c);
                s.settimeout(c, Some(30)).unwrap();
                call(&mut s, &method, c, &addr("127.0.0.1:9"))
            }
            "accept" => {
                let (l, _) = listener(&mut s, "127.0.0.1", 1);
                s.settimeout(l, Some(30)).unwrap();
                s.accept(l).map(drop)
            }
            "connect" => {
                // A full listener drops SYNs (the client retries), so connect times out.
                let (l, a) = listener(&mut s, "127.0.0.1", 1);
                let first = tcp(&mut s, AF_INET);
                s.connect(first, &a).unwrap();
                let c = tcp(&mut s, AF_INET);
                s.settimeout(c, Some(30)).unwrap();
                let r = s.connect(c, &a);
                let _ = l;
                r
            }
            "sendto" => {
                eprintln!("SKIPPED rule timeout/sendto: UDP sends never wait for room on the loopback board (the link takes every datagram at once)");
                continue;
            }
            other => panic!("unexpected method {other}"),
        };
        fails(r, Errno::ETIMEDOUT);
        assert!(started.elapsed().as_millis() >= 25, "{method} gave up early: {:?}", started.elapsed());
    }
}

#[test]
fn rule_would_block() {
    let mut s = stack_with(SMALL);
    for method in rule_methods("would-block") {
        let r = match method.as_str() {
            "recv" => {
                let (c, _srv, _l) = pair(&mut s, "127.0.0.1");
                s.setblocking(c, false).unwrap();
                call(&mut s, &method, c, &addr("127.0.0.1:9"))
            }
            "recvfrom" => {
                let u = udp(&mut s, AF_INET);
                s.bind(u, &addr("127.0.0.1:0")).unwrap();
                s.setblocking(u, false).unwrap();
                call(&mut s, &method, u, &addr("127.0.0.1:9"))
            }
            "send" | "sendall" => {
                let (c, _srv, _l) = pair(&mut s, "127.0.0.1");
                fill(&mut s, c);
                call(&mut s, &method, c, &addr("127.0.0.1:9"))
            }
            "accept" => {
                let (l, _) = listener(&mut s, "127.0.0.1", 1);
                s.setblocking(l, false).unwrap();
                s.accept(l).map(drop)
            }
            "sendto" => {
                eprintln!("SKIPPED rule would-block/sendto: UDP sends never wait for room on the loopback board");
                continue;
            }
            other => panic!("unexpected method {other}"),
        };
        fails(r, Errno::EAGAIN);
    }
}

#[test]
fn rule_stream_would_block() {
    let mut s = stack_with(SMALL);
    let (c, _srv, _l) = pair(&mut s, "127.0.0.1");
    s.setblocking(c, false).unwrap();
    let mut buf = [0u8; 8];
    // The glue turns EAGAIN from these into None.
    fails(s.read(c, &mut buf), Errno::EAGAIN);
    fails(s.readinto(c, &mut buf), Errno::EAGAIN);
    fails(s.readline(c, &mut buf), Errno::EAGAIN);
    fill(&mut s, c);
    fails(s.write(c, b"more"), Errno::EAGAIN);
}

#[test]
fn rule_connect_in_progress() {
    let mut s = stack();
    let (l, a) = listener(&mut s, "127.0.0.1", 2);
    let c = tcp(&mut s, AF_INET);
    s.setblocking(c, false).unwrap();
    fails(s.connect(c, &a), Errno::EINPROGRESS);
    // It completes in the background: writable, then accepted.
    let mut flags = 0;
    for _ in 0..100 {
        flags = s.poll(c, POLL_WR).unwrap() as i32;
        if flags & POLL_WR != 0 {
            break;
        }
    }
    assert_eq!(flags, POLL_WR);
    fails(s.connect(c, &a), Errno::EISCONN);
    assert!(s.accept(l).is_ok());
}

#[test]
fn rule_connect_refused() {
    let mut s = stack();
    for host in ["127.0.0.1", "::1"] {
        let (t, a) = listener(&mut s, host, 1);
        s.close(t).unwrap();
        let c = tcp(&mut s, i32::from(a.family));
        s.settimeout(c, Some(2000)).unwrap();
        fails(s.connect(c, &a), Errno::ECONNREFUSED);
        // Non-blocking: EINPROGRESS, then the refusal is reported once.
        let c = tcp(&mut s, i32::from(a.family));
        s.setblocking(c, false).unwrap();
        fails(s.connect(c, &a), Errno::EINPROGRESS);
        let flags = s.poll(c, POLL_RD | POLL_WR).unwrap() as i32;
        assert_ne!(flags & POLL_ERR, 0, "poll flags {flags:#x}");
        fails(s.send(c, b"x"), Errno::ECONNREFUSED);
    }
}

#[test]
fn rule_reset() {
    let mut s = stack();
    let linger0 = [1i32.to_ne_bytes(), 0i32.to_ne_bytes()].concat();
    for method in rule_methods("reset") {
        let (c, srv, _l) = pair(&mut s, "127.0.0.1");
        s.setsockopt(srv, SOL_SOCKET, SO_LINGER, &linger0).unwrap();
        s.close(srv).unwrap();
        s.settimeout(c, Some(1000)).unwrap();
        fails(call(&mut s, &method, c, &addr("127.0.0.1:9")), Errno::ECONNRESET);
        // Later operations see a dead socket: EOF for reads, EPIPE for writes.
        let mut buf = [0u8; 4];
        assert_eq!(s.recv(c, &mut buf), Ok(0), "after {method}");
        fails(s.send(c, b"x"), Errno::EPIPE);
        s.close(c).unwrap();
    }
}

#[test]
fn rule_closed() {
    let mut s = stack();
    for method in rule_methods("closed") {
        let fd = tcp(&mut s, AF_INET);
        s.close(fd).unwrap();
        fails(call(&mut s, &method, fd, &addr("127.0.0.1:9")), Errno::EBADF);
        assert_eq!(s.close(fd), Err(Errno::EBADF), "the Rust API reports a second close; the glue ignores it");
    }
    assert_eq!(s.open_sockets(), 0);
}

#[test]
fn rule_not_connected() {
    let mut s = stack();
    for method in rule_methods("not-connected") {
        let fd = tcp(&mut s, AF_INET);
        fails(call(&mut s, &method, fd, &addr("127.0.0.1:9")), Errno::ENOTCONN);
        s.close(fd).unwrap();
    }
}

#[test]
fn rule_address_in_use() {
    let mut s = stack();
    let (l, a) = listener(&mut s, "127.0.0.1", 1);
    let t = tcp(&mut s, AF_INET);
    fails(s.bind(t, &a), Errno::EADDRINUSE);
    s.setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &1i32.to_ne_bytes()).unwrap();
    fails(s.bind(t, &a), Errno::EADDRINUSE);
    // The any-address overlaps, UDP is a separate port space.
    let any = addr(&format!("0.0.0.0:{}", a.port));
    fails(s.bind(t, &any), Errno::EADDRINUSE);
    let u = udp(&mut s, AF_INET);
    assert_eq!(s.bind(u, &a), Ok(()));
    // After a connection closes actively, its port is in TIME-WAIT: SO_REUSEADDR takes it.
    s.close(l).unwrap();
    let (l, a) = listener(&mut s, "127.0.0.1", 1);
    let c = tcp(&mut s, AF_INET);
    s.connect(c, &a).unwrap();
    let (srv, _) = s.accept(l).unwrap();
    let client_port = s.getsockname(c).unwrap();
    s.close(c).unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(s.recv(srv, &mut buf), Ok(0));
    s.close(srv).unwrap();
    let again = tcp(&mut s, AF_INET);
    fails(s.bind(again, &client_port), Errno::EADDRINUSE);
    s.setsockopt(again, SOL_SOCKET, SO_REUSEADDR, &1i32.to_ne_bytes()).unwrap();
    assert_eq!(s.bind(again, &client_port), Ok(()));
}

#[test]
fn rule_no_slot() {
    let config = Config { sockets: 4, tcp_sockets: 6, ..SMALL };
    let mut s = stack_with(config);
    let (l, a) = listener(&mut s, "127.0.0.1", 2);
    let c = tcp(&mut s, AF_INET);
    s.connect(c, &a).unwrap();
    let mut fds = vec![];
    while let Ok(fd) = s.socket(AF_INET, SOCK_DGRAM, 0) {
        fds.push(fd);
    }
    fails(s.socket(AF_INET, SOCK_STREAM, 0), Errno::ENOMEM);
    fails(s.accept(l), Errno::ENOMEM);
    // A freed fd makes room, and the queued connection is still there.
    s.close(fds.pop().unwrap()).unwrap();
    assert!(s.accept(l).is_ok());
    // The TCP pool runs out too.
    let config = Config { sockets: 8, tcp_sockets: 2, ..SMALL };
    let mut s = stack_with(config);
    let _a = tcp(&mut s, AF_INET);
    let _b = tcp(&mut s, AF_INET);
    fails(s.socket(AF_INET, SOCK_STREAM, 0), Errno::ENOMEM);
}

#[test]
fn rule_bad_family() {
    let mut s = stack();
    fails(s.socket(12345, SOCK_STREAM, 0), Errno::EAFNOSUPPORT);
    for method in ["bind", "connect", "sendto"] {
        assert!(rule_methods("bad-family").iter().any(|m| m == method));
        let kind = if method == "sendto" { SOCK_DGRAM } else { SOCK_STREAM };
        let fd = s.socket(AF_INET, kind, 0).unwrap();
        fails(call(&mut s, method, fd, &addr("[::1]:80")), Errno::EAFNOSUPPORT);
    }
}

#[test]
fn rule_bad_type() {
    let mut s = stack();
    fails(s.socket(AF_INET, 99, 0), Errno::EPROTONOSUPPORT);
    fails(s.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), Errno::EPROTONOSUPPORT);
    fails(s.socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), Errno::EPROTONOSUPPORT);
    fails(s.socket(AF_INET, SOCK_RAW, 0), Errno::EPROTONOSUPPORT);
}

#[test]
fn rule_accept_not_listening() {
    let mut s = stack();
    let fd = tcp(&mut s, AF_INET);
    fails(s.accept(fd), Errno::EINVAL);
    let (c, _srv, _l) = pair(&mut s, "127.0.0.1");
    fails(s.accept(c), Errno::EINVAL);
}

/// The C ABI serves one caller at a time (others wait their turn): tests take turns, so that one test's blocking call does not hold up another's.
static C_ABI: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The C ABI's settimeout, for rules about values the Rust types cannot carry.
fn c_settimeout(fd: Fd, ms: i32) -> i32 {
    // SAFETY: plain integers.
    unsafe { usocket_host::c_abi::usocket_settimeout(fd, ms) }
}

#[test]
fn rule_negative_timeout() {
    let _turn = C_ABI.lock().unwrap_or_else(|e| e.into_inner());
    // Python's ValueError comes from the glue; at the C ABI a negative
    // timeout other than -1 (block) is EINVAL.
    // SAFETY: plain integers.
    let fd = unsafe { usocket_host::c_abi::usocket_socket(AF_INET, SOCK_STREAM, 0) };
    assert!(fd >= 0);
    assert_eq!(c_settimeout(fd, -2), -Errno::EINVAL.value());
    assert_eq!(c_settimeout(fd, -1), 0);
    // SAFETY: an open fd.
    assert_eq!(unsafe { usocket_host::c_abi::usocket_close(fd) }, 0);
}

#[test]
fn rule_wrong_type() {
    let _turn = C_ABI.lock().unwrap_or_else(|e| e.into_inner());
    // TypeError is the glue's; the C ABI's part is rejecting malformed
    // buffers: NULL with a length, and lengths beyond isize::MAX.
    // SAFETY: the ABI checks the pointers before use.
    unsafe {
        let fd = usocket_host::c_abi::usocket_socket(AF_INET, SOCK_DGRAM, 0);
        assert!(fd >= 0);
        assert_eq!(usocket_host::c_abi::usocket_send(fd, std::ptr::null(), 4), -Errno::EINVAL.value() as isize);
        assert_eq!(usocket_host::c_abi::usocket_bind(fd, std::ptr::null()), -Errno::EINVAL.value());
        assert_eq!(usocket_host::c_abi::usocket_close(fd), 0);
    }
}

#[test]
fn rule_bad_port() {
    let mut s = stack();
    // ValueError in Python; the C ABI's address parser refuses the port.
    fails(s.addr_parse(Some("127.0.0.1"), 65536), Errno::EINVAL);
    fails(s.addr_parse(Some("127.0.0.1"), -1), Errno::EINVAL);
    assert!(s.addr_parse(Some("127.0.0.1"), 65535).is_ok());
}

#[test]
fn rule_bad_port_getaddrinfo() {
    let mut s = stack();
    let mut out = [Addrinfo::default(); 4];
    assert_eq!(s.getaddrinfo(Some("127.0.0.1"), 65536, 0, 0, 0, 0, &mut out), Err(GaiError::EAI_SERVICE));
    assert_eq!(s.getaddrinfo(Some("127.0.0.1"), -5, 0, 0, 0, 0, &mut out), Err(GaiError::EAI_SERVICE));
}

#[test]
fn rule_negative_size() {
    let _turn = C_ABI.lock().unwrap_or_else(|e| e.into_inner());
    // ValueError in Python; at the C ABI a length that is negative as a
    // signed size is EINVAL.
    // SAFETY: the ABI rejects the length before touching the buffer.
    unsafe {
        let fd = usocket_host::c_abi::usocket_socket(AF_INET, SOCK_DGRAM, 0);
        let mut buf = [0u8; 4];
        assert_eq!(usocket_host::c_abi::usocket_recv(fd, buf.as_mut_ptr(), usize::MAX), -Errno::EINVAL.value() as isize);
        assert_eq!(usocket_host::c_abi::usocket_close(fd), 0);
    }
}

#[test]
fn rule_unknown_option() {
    let mut s = stack();
    let t = tcp(&mut s, AF_INET);
    let u = udp(&mut s, AF_INET);
    let one = 1i32.to_ne_bytes();
    fails(s.setsockopt(t, SOL_SOCKET, 0x7777, &one), Errno::ENOPROTOOPT);
    fails(s.setsockopt(t, 12345, SO_REUSEADDR, &one), Errno::ENOPROTOOPT);
    fails(s.setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one), Errno::ENOPROTOOPT);
    assert_eq!(s.setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one), Ok(()));
}

#[test]
fn rule_name_not_found() {
    let mut s = stack();
    let mut out = [Addrinfo::default(); 4];
    assert_eq!(s.getaddrinfo(Some("example.test"), 80, 0, 0, 0, AI_NUMERICHOST, &mut out), Err(GaiError::EAI_NONAME));
    assert_eq!(s.getaddrinfo(Some("127.0.0.1"), 80, AF_INET6, 0, 0, 0, &mut out), Err(GaiError::EAI_NONAME));
    // A name on a board without DNS servers cannot be looked up at all.
    assert_eq!(s.getaddrinfo(Some("example.test"), 80, 0, 0, 0, 0, &mut out), Err(GaiError::EAI_FAIL));
    // NXDOMAIN from a real server is covered by the TAP test (tests/tap_netns.rs).
}

#[test]
fn rule_bad_address_string() {
    let mut s = stack();
    fails(s.addr_parse(Some("localhost"), 80), Errno::EINVAL);
    fails(s.addr_parse(Some("1.2.3"), 80), Errno::EINVAL);
    fails(s.addr_parse(None, 80), Errno::EINVAL);
}

// The rules for builds without a feature: host boards have every feature, so
// here the other side holds; `runtime/tests/features.rs` runs the spec's cases
// for them on builds that leave the feature out (`cargo xtask features`).

#[test]
fn rule_family_not_built() {
    const { assert!(usocket_host::Features::BUILT.ipv6, "host boards have IPv6") };
    let mut s = stack();
    let t = tcp(&mut s, AF_INET6);
    assert_eq!(s.bind(t, &addr("[::1]:0")), Ok(()));
    let u = udp(&mut s, AF_INET6);
    assert_eq!(s.sendto(u, b"x", &addr("[::1]:9")), Ok(1));
}

#[test]
fn rule_family_not_built_getaddrinfo() {
    let mut s = stack();
    let mut out = [Addrinfo::default(); 4];
    assert_eq!(s.getaddrinfo(Some("::1"), 80, 0, 0, 0, 0, &mut out), Ok(1));
    assert_eq!(out[0].family, AF_INET6);
    assert_eq!(s.getaddrinfo(Some("localhost"), 80, AF_INET6, 0, 0, 0, &mut out), Ok(1));
}

#[test]
fn rule_raw_not_built() {
    const { assert!(usocket_host::Features::BUILT.raw, "host boards have raw sockets") };
    let mut s = stack();
    let r = s.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP).expect("SOCK_RAW with the raw feature");
    assert_eq!(s.close(r), Ok(()));
}

#[test]
fn rule_multicast_not_built() {
    // A board without multicast groups refuses memberships as a build without the feature does.
    const { assert!(usocket_host::Features::BUILT.multicast, "host boards have multicast") };
    let join = [239, 1, 2, 3, 0, 0, 0, 0];
    let mut s = stack_with(Config { multicast_groups: 0, ..SMALL });
    let u = udp(&mut s, AF_INET);
    assert_eq!(s.setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join), Err(Errno::ENOPROTOOPT));
    let mut s = stack();
    let u = udp(&mut s, AF_INET);
    assert_eq!(s.setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join), Ok(()), "the host board has groups");
}

#[test]
fn rule_no_dns() {
    // The loopback board has DNS queries but no server: names fail at once.
    let mut s = stack();
    assert!(s.config().dns_queries > 0);
    let mut out = [Addrinfo::default(); 4];
    let started = Instant::now();
    assert_eq!(s.getaddrinfo(Some("example.invalid"), 80, 0, 0, 0, 0, &mut out), Err(GaiError::EAI_FAIL));
    // A query would wait for the board's DNS timeout (seconds); the room is for a loaded machine.
    assert!(started.elapsed().as_millis() < 1000, "no query was sent");
    assert_eq!(s.getaddrinfo(Some("127.0.0.1"), 80, 0, 0, 0, 0, &mut out), Ok(1));
}

/// ifconfig((ip, netmask, gateway, dns)) as the glue passes it.
fn ifconfig_set(s: &mut impl SocketApi, config: [&str; 4]) -> Result<usocket_host::Ifconfig, Errno> {
    let ip = |text: &str| addr(&format!("{text}:0"));
    let config = usocket_host::Ifconfig { ip: ip(config[0]), netmask: ip(config[1]), gateway: ip(config[2]), dns: ip(config[3]) };
    s.ifconfig(Some(&usocket_host::IfconfigSet { dhcp: 0, config }))
}

#[test]
fn rule_bad_ifconfig_tuple() {
    let mut s = stack();
    // ValueError in Python, from the glue's parsing of each item with the C
    // ABI's address parser: not numeric is EINVAL, IPv6 is not AF_INET.
    fails(s.addr_parse(Some("1.2.3"), 0), Errno::EINVAL);
    fails(s.addr_parse(Some("192.0.2.x"), 0), Errno::EINVAL);
    assert_eq!(s.addr_parse(Some("::1"), 0).map(|a| i32::from(a.family)), Ok(AF_INET6));
}

#[test]
fn rule_bad_ipv4_config() {
    let mut s = stack();
    let before = s.ifconfig(None).unwrap();
    for bad in [
        ["127.0.0.1", "255.0.255.0", "0.0.0.0", "0.0.0.0"],
        ["224.0.0.1", "255.0.0.0", "0.0.0.0", "0.0.0.0"],
        ["255.255.255.255", "0.0.0.0", "0.0.0.0", "0.0.0.0"],
    ] {
        fails(ifconfig_set(&mut s, bad), Errno::EINVAL);
    }
    let ipv6 = usocket_host::Ifconfig { ip: addr("[::1]:0"), netmask: addr("255.0.0.0:0"), gateway: addr("0.0.0.0:0"), dns: addr("0.0.0.0:0") };
    fails(s.ifconfig(Some(&usocket_host::IfconfigSet { dhcp: 0, config: ipv6 })), Errno::EINVAL);
    fails(s.ifconfig(Some(&usocket_host::IfconfigSet { dhcp: 7, config: before })), Errno::EINVAL);
    assert_eq!(s.ifconfig(None), Ok(before), "nothing changed");
    // A good one is taken (and read back), the loopback board's own set again.
    assert_eq!(ifconfig_set(&mut s, ["127.0.0.1", "255.0.0.0", "0.0.0.0", "0.0.0.0"]), Ok(before));
}

#[test]
fn rule_no_dhcp_client() {
    let _turn = C_ABI.lock().unwrap_or_else(|e| e.into_inner());
    let mut s = stack();
    fails(s.ifconfig(Some(&usocket_host::IfconfigSet { dhcp: 1, ..Default::default() })), Errno::EOPNOTSUPP);
    assert_eq!((s.status(), s.isconnected()), (Ok(3), Ok(true)), "nothing started");
    // The same at the C ABI, on the process's loopback stack.
    let set = usocket_host::IfconfigSet { dhcp: 1, ..Default::default() };
    let mut out = usocket_host::Ifconfig::default();
    // SAFETY: both pointers are valid for the call.
    assert_eq!(unsafe { usocket_host::c_abi::usocket_ifconfig(&set, &mut out) }, -Errno::EOPNOTSUPP.value());
}
