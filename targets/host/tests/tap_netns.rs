//! The runtime on one side of a Linux TAP device and the real kernel on the
//! other, inside a network namespace that each test makes and removes: TCP
//! both ways with checksums (IPv4, and an IPv6 exchange), UDP echo both ways,
//! a full listen backlog, getaddrinfo against a DNS responder on the kernel
//! side, and the board talking to itself (127.0.0.1, ::1 and its own
//! addresses) without one frame on the wire.
//!
//! Needs root (network namespaces, TAP devices); skipped, loudly, otherwise.
//! Only documentation addresses are used, and only inside the namespace: the
//! kernel is 192.0.2.1 and 2001:db8::1 on `tap0`, the runtime 192.0.2.2 and
//! 2001:db8::2. The stack is single-threaded and driven by its own calls, so
//! it runs on a thread of its own while the kernel side runs std::net sockets
//! on others; every wait is bounded, and a test that hangs fails after
//! [`BUDGET`].

mod common;

use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::addr;
use usocket_host::constants::{AF_INET, AF_INET6, SHUT_WR, SOCK_DGRAM, SOCK_STREAM};
use usocket_host::smoltcp::wire::IpAddress;
use usocket_host::tap::TapConfig;
use usocket_host::{Addr, Addrinfo, AnyBoard, DhcpClient, Errno, Fd, GaiError, HostMemory, SocketApi, Stack};

/// How long a whole test may take before it fails as hung.
const BUDGET: Duration = Duration::from_secs(50);
/// How long the kernel may take to bring `tap0` up once the runtime attached to it.
const LINK_UP: Duration = Duration::from_secs(10);
/// Timeout of each blocking runtime call, in ms (the API's unit).
const RUNTIME_IO_MS: u32 = 20_000;
/// Timeout of each blocking kernel socket call.
const KERNEL_IO: Duration = Duration::from_secs(20);
/// One mebibyte: the TCP transfer in each direction.
const MIB: usize = 1 << 20;

/// The kernel's and the runtime's addresses on the link.
const KERNEL_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const RUNTIME_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const KERNEL_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const RUNTIME_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

// ---------------------------------------------------------------------------
// Privileges, the namespace, threads inside it
// ---------------------------------------------------------------------------

/// True when the test can run; otherwise says loudly why it is skipped.
fn root(test: &str) -> bool {
    !usocket_netns::skip_unless_root(&format!("tap_netns::{test}"), "a network namespace and a TAP device")
}

/// A network namespace `usocket-<pid>-<test>` with `tap0` (192.0.2.1/24,
/// 2001:db8::1/64) and `lo` up (made by `usocket_netns`, as xtask's are);
/// removed when dropped, also when a test fails.
struct Netns(usocket_netns::Netns);

impl Netns {
    fn new(test: u32) -> Netns {
        let name = format!("usocket-{}-{test}", std::process::id());
        Netns(usocket_netns::Netns::with_tap(Command::output, &name, "192.0.2.1/24", Some("2001:db8::1/64")).unwrap_or_else(|e| panic!("{e}")))
    }

    /// `ip -n NAME ARGS...`, which must succeed.
    fn ip(&self, args: &[&str]) {
        self.0.ip(args).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Starts a thread that enters the namespace, then runs `f`.
    fn spawn<T: Send + 'static>(&self, name: &str, f: impl FnOnce() -> T + Send + 'static) -> JoinHandle<T> {
        let ns = self.0.name.clone();
        let thread_name = name.to_string();
        thread::Builder::new()
            .name(thread_name.clone())
            .spawn(move || {
                usocket_netns::enter(&ns).unwrap_or_else(|e| panic!("{thread_name}: enter namespace {ns}: {e}"));
                f()
            })
            .expect("spawn a thread")
    }

    /// Starts the runtime's thread: a stack with the host config on `tap0`
    /// (192.0.2.2/24, 2001:db8::2/64, DNS server 192.0.2.1), given to `f`
    /// once the kernel reports the link up (see [`Netns::wait_link_up`]).
    fn runtime<T: Send + 'static>(&self, f: impl FnOnce(&mut Stack<'_, AnyBoard>) -> T + Send + 'static) -> JoinHandle<T> {
        let (open_tx, open_rx) = mpsc::channel::<()>();
        let (up_tx, up_rx) = mpsc::channel::<()>();
        let handle = self.spawn("runtime", move || {
            let board = AnyBoard::tap(tap_config()).unwrap_or_else(|e| panic!("AnyBoard::tap(tap0) in the namespace: {e}"));
            let mut memory = HostMemory::new(&usocket_host::boards::HOST_TAP.config);
            let mut stack = Stack::new(memory.lend(), board, usocket_host::boards::HOST_TAP.config).unwrap_or_else(|e| panic!("Stack::new: {e}"));
            open_tx.send(()).expect("signal the TAP device open");
            wait_for(&up_rx, Instant::now() + LINK_UP, "the test thread to see tap0 up");
            f(&mut stack)
        });
        if open_rx.recv_timeout(LINK_UP).is_err() {
            // The thread failed (its panic says why) or hangs.
            let _ = join(handle, Instant::now() + LINK_UP);
            panic!("the runtime thread ended before opening the TAP device");
        }
        self.wait_link_up();
        up_tx.send(()).expect("signal the link up");
        handle
    }

    /// Waits until the kernel reports `tap0` up (carrier seen) after the
    /// runtime attached to it. Without this wait the kernel left the runtime's
    /// first ARP request, sent at once, unanswered, and the first exchange
    /// waited a second for smoltcp's ARP retry.
    fn wait_link_up(&self) {
        let until = Instant::now() + LINK_UP;
        loop {
            let out = Command::new("ip").args(["-n", &self.0.name, "-o", "link", "show", "dev", "tap0"]).output().expect("run `ip link show`");
            let text = String::from_utf8_lossy(&out.stdout);
            if text.contains("state UP") {
                return;
            }
            assert!(Instant::now() < until, "tap0 not up {LINK_UP:?} after the runtime attached: {}", text.trim());
            thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The runtime's side of the link.
fn tap_config() -> TapConfig {
    TapConfig {
        name: "tap0".into(),
        mac: [0x02, 0, 0, 0, 0, 0x02],
        mtu: 1500,
        ipv4: Some((RUNTIME_V4, 24)),
        gateway_v4: None,
        ipv6: Some((RUNTIME_V6, 64)),
        gateway_v6: None,
        dns: vec![IpAddress::Ipv4(KERNEL_V4)],
        dhcp_v4: DhcpClient::None,
    }
}

/// Waits for a thread until `deadline`; a panic in it is re-raised here, a thread still running fails the test.
fn join<T>(handle: JoinHandle<T>, deadline: Instant) -> T {
    let name = handle.thread().name().unwrap_or("?").to_string();
    while !handle.is_finished() {
        assert!(Instant::now() < deadline, "thread `{name}` still running after the test's budget of {BUDGET:?}: it hangs");
        thread::sleep(Duration::from_millis(5));
    }
    match handle.join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Waits for a message from another thread until `deadline`.
fn wait_for<T>(rx: &mpsc::Receiver<T>, deadline: Instant, what: &str) -> T {
    let left = deadline.saturating_duration_since(Instant::now());
    rx.recv_timeout(left).unwrap_or_else(|e| panic!("waiting for {what}: {e}"))
}

/// Keeps the stack running (graceful closes, ACKs, FINs) until every kernel-side
/// thread holding a sender of `done` has ended.
fn pump_until_done(s: &mut Stack<'_, AnyBoard>, done: &mpsc::Receiver<()>, deadline: Instant) {
    while let Err(mpsc::TryRecvError::Empty) = done.try_recv() {
        assert!(Instant::now() < deadline, "runtime: the kernel side did not finish within the budget");
        s.pump();
        thread::sleep(Duration::from_millis(1));
    }
}

// ---------------------------------------------------------------------------
// Data and checksums
// ---------------------------------------------------------------------------

/// FNV-1a, 64 bits, over a byte stream fed in pieces.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// A deterministic byte stream per seed (xorshift64*), so each transfer has distinct, non-repeating content.
struct Pattern(u64);

impl Pattern {
    fn new(seed: u64) -> Pattern {
        Pattern(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let v = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Length and checksum of `len` bytes of the pattern of `seed`.
fn expected(seed: u64, len: usize) -> (usize, u64) {
    let mut p = Pattern::new(seed);
    let mut h = Fnv::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(buf.len());
        p.fill(&mut buf[..n]);
        h.add(&buf[..n]);
        left -= n;
    }
    (len, h.0)
}

// ---------------------------------------------------------------------------
// Runtime-side helpers
// ---------------------------------------------------------------------------

type Rt<'s, 'a> = &'s mut Stack<'a, AnyBoard>;

/// A std socket address from an ABI address.
fn sockaddr(a: &Addr) -> SocketAddr {
    let ip = if i32::from(a.family) == AF_INET6 { IpAddr::V6(Ipv6Addr::from(a.ip)) } else { IpAddr::V4(Ipv4Addr::new(a.ip[0], a.ip[1], a.ip[2], a.ip[3])) };
    SocketAddr::new(ip, a.port)
}

/// An ABI address from a std one.
fn abi(sa: SocketAddr) -> Addr {
    addr(&sa.to_string())
}

fn family_of(sa: SocketAddr) -> i32 {
    if sa.is_ipv6() { AF_INET6 } else { AF_INET }
}

/// A runtime socket with the test's I/O timeout.
fn rt_socket(s: Rt, family: i32, ty: i32) -> Fd {
    let fd = s.socket(family, ty, 0).unwrap_or_else(|e| panic!("runtime socket({family}, {ty}): {e}"));
    s.settimeout(fd, Some(RUNTIME_IO_MS)).expect("runtime settimeout");
    fd
}

/// A runtime TCP listener on `at` with `backlog`.
fn rt_listen(s: Rt, at: SocketAddr, backlog: i32) -> Fd {
    let l = rt_socket(s, family_of(at), SOCK_STREAM);
    s.bind(l, &abi(at)).unwrap_or_else(|e| panic!("runtime bind({at}): {e}"));
    s.listen(l, backlog).unwrap_or_else(|e| panic!("runtime listen({at}, {backlog}): {e}"));
    l
}

/// Sends `len` bytes of the pattern of `seed` with sendall(); returns what was sent and its checksum.
fn rt_send_pattern(s: Rt, fd: Fd, seed: u64, len: usize) -> (usize, u64) {
    let mut p = Pattern::new(seed);
    let mut h = Fnv::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent = 0;
    while sent < len {
        let n = (len - sent).min(buf.len());
        p.fill(&mut buf[..n]);
        s.sendall(fd, &buf[..n]).unwrap_or_else(|e| panic!("runtime sendall after {sent} of {len} bytes: {e}"));
        h.add(&buf[..n]);
        sent += n;
    }
    (sent, h.0)
}

/// Receives until end of stream (at most `max` bytes); returns the length and checksum.
fn rt_recv_to_eof(s: Rt, fd: Fd, max: usize, deadline: Instant) -> (usize, u64) {
    let mut h = Fnv::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = 0;
    loop {
        assert!(Instant::now() < deadline, "runtime recv: no end of stream within the budget ({got} bytes so far)");
        match s.recv(fd, &mut buf) {
            Ok(0) => return (got, h.0),
            Ok(n) => {
                h.add(&buf[..n]);
                got += n;
                assert!(got <= max, "runtime recv: {got} bytes, more than the {max} sent");
            }
            Err(e) => panic!("runtime recv after {got} bytes: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Kernel-side helpers
// ---------------------------------------------------------------------------

fn set_timeouts(stream: &TcpStream) {
    stream.set_read_timeout(Some(KERNEL_IO)).expect("set_read_timeout");
    stream.set_write_timeout(Some(KERNEL_IO)).expect("set_write_timeout");
}

/// Accepts one connection, waiting at most `KERNEL_IO`.
fn kernel_accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("set_nonblocking");
    let until = Instant::now() + KERNEL_IO;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).expect("set_nonblocking(false)");
                set_timeouts(&stream);
                return stream;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < until => thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("kernel accept: {e}"),
        }
    }
}

fn kernel_connect(to: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&to, KERNEL_IO).unwrap_or_else(|e| panic!("kernel connect({to}): {e}"));
    set_timeouts(&stream);
    stream
}

fn kernel_send_pattern(stream: &mut TcpStream, seed: u64, len: usize) -> (usize, u64) {
    let mut p = Pattern::new(seed);
    let mut h = Fnv::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent = 0;
    while sent < len {
        let n = (len - sent).min(buf.len());
        p.fill(&mut buf[..n]);
        stream.write_all(&buf[..n]).unwrap_or_else(|e| panic!("kernel write after {sent} of {len} bytes: {e}"));
        h.add(&buf[..n]);
        sent += n;
    }
    (sent, h.0)
}

fn kernel_recv_to_eof(stream: &mut TcpStream, max: usize) -> (usize, u64) {
    let mut h = Fnv::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = 0;
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (got, h.0),
            Ok(n) => {
                h.add(&buf[..n]);
                got += n;
                assert!(got <= max, "kernel read: {got} bytes, more than the {max} sent");
            }
            Err(e) => panic!("kernel read after {got} bytes: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------
// 1. TCP
// ---------------------------------------------------------------------------

/// What each side saw of one direction of a transfer: (length, checksum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flow {
    sent: (usize, u64),
    received: (usize, u64),
}

#[track_caller]
fn check_flow(what: &str, flow: Flow, seed: u64, len: usize) {
    let want = expected(seed, len);
    assert_eq!(flow.sent, want, "{what}: the sender's (length, FNV-1a)");
    assert_eq!(flow.received, want, "{what}: the receiver's (length, FNV-1a) differs from the sender's");
}

/// Runtime as client of a kernel server at `server`, then as server (at
/// `listen_at`) of a kernel client: `len` bytes each way on each connection,
/// each direction ended with a shutdown. Returns the four flows with their
/// pattern seeds.
fn tcp_exchange(test: u32, server: SocketAddr, listen_at: SocketAddr, len: usize) -> [(String, Flow, u64); 4] {
    let start = Instant::now();
    let deadline = start + BUDGET;
    let ns = Netns::new(test);
    let (done_tx, done_rx) = mpsc::channel::<()>();

    // The kernel's server: reads to end of stream, then answers with its own stream.
    let (ready_tx, ready_rx) = mpsc::channel();
    let done = done_tx.clone();
    let kernel_server = ns.spawn("kernel-server", move || {
        let _done = done;
        let listener = TcpListener::bind(server).unwrap_or_else(|e| panic!("kernel bind({server}): {e}"));
        ready_tx.send(()).expect("signal ready");
        let mut stream = kernel_accept(&listener);
        let received = kernel_recv_to_eof(&mut stream, len);
        let sent = kernel_send_pattern(&mut stream, 2, len);
        stream.shutdown(Shutdown::Write).expect("kernel shutdown(Write)");
        // The runtime closes after reading everything.
        let mut rest = [0u8; 16];
        let tail = stream.read(&mut rest).unwrap_or_else(|e| panic!("kernel read for the runtime's close: {e}"));
        assert_eq!(tail, 0, "kernel: data after the runtime's end of stream");
        (received, sent)
    });
    wait_for(&ready_rx, deadline, "the kernel server to listen");

    // The kernel's client, which connects once the runtime listens.
    let (listening_tx, listening_rx) = mpsc::channel::<()>();
    let done = done_tx.clone();
    let kernel_client = ns.spawn("kernel-client", move || {
        let _done = done;
        wait_for(&listening_rx, deadline, "the runtime to listen");
        let mut stream = kernel_connect(listen_at);
        let sent = kernel_send_pattern(&mut stream, 3, len);
        stream.shutdown(Shutdown::Write).expect("kernel shutdown(Write)");
        let received = kernel_recv_to_eof(&mut stream, len);
        (sent, received)
    });
    drop(done_tx);

    let runtime = ns.runtime(move |s| {
        // Runtime as client: upload, then download the kernel's answer.
        let t = Instant::now();
        let c = rt_socket(s, family_of(server), SOCK_STREAM);
        s.connect(c, &abi(server)).unwrap_or_else(|e| panic!("runtime connect({server}): {e}"));
        let peer = s.getpeername(c).expect("runtime getpeername");
        assert_eq!(sockaddr(&peer), server, "runtime getpeername");
        let client_up = rt_send_pattern(s, c, 1, len);
        s.shutdown(c, SHUT_WR).expect("runtime shutdown(SHUT_WR)");
        let client_down = rt_recv_to_eof(s, c, len, deadline);
        s.close(c).expect("runtime close");
        eprintln!("tap_netns: runtime as TCP client of {server}, {len} bytes each way: {:?}", t.elapsed());

        // Runtime as server: download, then upload.
        let t = Instant::now();
        let l = rt_listen(s, listen_at, 1);
        listening_tx.send(()).expect("signal listening");
        let (conn, from) = s.accept(l).unwrap_or_else(|e| panic!("runtime accept on {listen_at}: {e}"));
        assert_eq!(sockaddr(&from).ip(), server.ip(), "runtime accept: peer address");
        s.settimeout(conn, Some(RUNTIME_IO_MS)).expect("runtime settimeout");
        let server_down = rt_recv_to_eof(s, conn, len, deadline);
        let server_up = rt_send_pattern(s, conn, 4, len);
        s.shutdown(conn, SHUT_WR).expect("runtime shutdown(SHUT_WR)");
        let mut rest = [0u8; 16];
        let tail = s.recv(conn, &mut rest).unwrap_or_else(|e| panic!("runtime recv for the kernel's close: {e}"));
        assert_eq!(tail, 0, "runtime: data after the kernel's end of stream");
        s.close(conn).expect("runtime close");
        s.close(l).expect("runtime close listener");
        eprintln!("tap_netns: runtime as TCP server on {listen_at}, {len} bytes each way: {:?}", t.elapsed());
        pump_until_done(s, &done_rx, deadline);
        (client_up, client_down, server_down, server_up)
    });

    let (client_up, client_down, server_down, server_up) = join(runtime, deadline);
    let (k_server_received, k_server_sent) = join(kernel_server, deadline);
    let (k_client_sent, k_client_received) = join(kernel_client, deadline);
    drop(ns);
    eprintln!("tap_netns: TCP test {test} took {:?}", start.elapsed());
    [
        (format!("runtime client → kernel server {server}"), Flow { sent: client_up, received: k_server_received }, 1),
        (format!("kernel server {server} → runtime client"), Flow { sent: k_server_sent, received: client_down }, 2),
        (format!("kernel client → runtime server {listen_at}"), Flow { sent: k_client_sent, received: server_down }, 3),
        (format!("runtime server {listen_at} → kernel client"), Flow { sent: server_up, received: k_client_received }, 4),
    ]
}

#[test]
fn tcp_ipv4_one_mebibyte_each_way_checksummed() {
    if !root("tcp_ipv4_one_mebibyte_each_way_checksummed") {
        return;
    }
    let server = SocketAddr::new(KERNEL_V4.into(), 5001);
    let listen_at = SocketAddr::new(RUNTIME_V4.into(), 5002);
    for (what, flow, seed) in tcp_exchange(1, server, listen_at, MIB) {
        check_flow(&what, flow, seed, MIB);
    }
}

#[test]
fn tcp_ipv6_exchange_checksummed() {
    if !root("tcp_ipv6_exchange_checksummed") {
        return;
    }
    let len = 256 * 1024;
    let server = SocketAddr::new(KERNEL_V6.into(), 5001);
    let listen_at = SocketAddr::new(RUNTIME_V6.into(), 5002);
    for (what, flow, seed) in tcp_exchange(2, server, listen_at, len) {
        check_flow(&what, flow, seed, len);
    }
}

// ---------------------------------------------------------------------------
// 2. UDP
// ---------------------------------------------------------------------------

/// Datagram sizes echoed each way (all fit the 1500-byte MTU with IPv6 headers).
const DATAGRAMS: [usize; 4] = [1, 64, 512, 1400];

fn datagram(seed: u64, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    Pattern::new(seed).fill(&mut v);
    v
}

/// Kernel echo server ↔ runtime sendto/recvfrom, then runtime echo server ↔ kernel client.
fn udp_echo(test: u32, kernel_ip: IpAddr, runtime_ip: IpAddr) {
    let start = Instant::now();
    let deadline = start + BUDGET;
    let ns = Netns::new(test);
    let kernel_echo_at = SocketAddr::new(kernel_ip, 7007);
    let runtime_echo_at = SocketAddr::new(runtime_ip, 7008);
    let (done_tx, done_rx) = mpsc::channel::<()>();

    // The kernel's echo server: answers each datagram to its sender.
    let (ready_tx, ready_rx) = mpsc::channel();
    let done = done_tx.clone();
    let kernel_echo = ns.spawn("kernel-echo", move || {
        let _done = done;
        let sock = UdpSocket::bind(kernel_echo_at).unwrap_or_else(|e| panic!("kernel bind({kernel_echo_at}): {e}"));
        sock.set_read_timeout(Some(KERNEL_IO)).expect("set_read_timeout");
        ready_tx.send(()).expect("signal ready");
        let mut buf = [0u8; 2048];
        let mut peers = Vec::new();
        for i in 0..DATAGRAMS.len() {
            let (n, from) = sock.recv_from(&mut buf).unwrap_or_else(|e| panic!("kernel echo recv_from, datagram {i}: {e}"));
            sock.send_to(&buf[..n], from).unwrap_or_else(|e| panic!("kernel echo send_to({from}): {e}"));
            peers.push((n, from));
        }
        peers
    });
    wait_for(&ready_rx, deadline, "the kernel echo server");

    // The kernel's client of the runtime's echo server.
    let (bound_tx, bound_rx) = mpsc::channel::<()>();
    let done = done_tx.clone();
    let kernel_client = ns.spawn("kernel-client", move || {
        let _done = done;
        wait_for(&bound_rx, deadline, "the runtime echo server");
        let sock = UdpSocket::bind(SocketAddr::new(kernel_ip, 0)).expect("kernel bind");
        sock.set_read_timeout(Some(KERNEL_IO)).expect("set_read_timeout");
        let mut buf = [0u8; 2048];
        let mut results = Vec::new();
        for (i, &len) in DATAGRAMS.iter().enumerate() {
            let msg = datagram(100 + i as u64, len);
            sock.send_to(&msg, runtime_echo_at).unwrap_or_else(|e| panic!("kernel send_to({runtime_echo_at}): {e}"));
            let (n, from) = sock.recv_from(&mut buf).unwrap_or_else(|e| panic!("kernel recv_from, echo of datagram {i} ({len} bytes): {e}"));
            results.push((buf[..n] == msg[..], n, from));
        }
        results
    });
    drop(done_tx);

    let runtime = ns.runtime(move |s| {
        let t = Instant::now();
        // Runtime as client of the kernel's echo server.
        let u = rt_socket(s, family_of(kernel_echo_at), SOCK_DGRAM);
        let mut buf = [0u8; 2048];
        for (i, &len) in DATAGRAMS.iter().enumerate() {
            let msg = datagram(i as u64, len);
            let n = s.sendto(u, &msg, &abi(kernel_echo_at)).unwrap_or_else(|e| panic!("runtime sendto({kernel_echo_at}), {len} bytes: {e}"));
            assert_eq!(n, len, "runtime sendto: bytes sent");
            let (n, from) = s.recvfrom(u, &mut buf).unwrap_or_else(|e| panic!("runtime recvfrom, echo of datagram {i} ({len} bytes): {e}"));
            assert_eq!(sockaddr(&from), kernel_echo_at, "runtime recvfrom: source of the echo");
            assert_eq!(n, len, "runtime recvfrom: echo length");
            assert!(buf[..n] == msg[..], "runtime recvfrom: echo of datagram {i} differs");
        }
        let client_at = sockaddr(&s.getsockname(u).expect("runtime getsockname"));
        s.close(u).expect("runtime close");

        // Runtime as echo server for the kernel's client.
        let e = rt_socket(s, family_of(runtime_echo_at), SOCK_DGRAM);
        s.bind(e, &abi(runtime_echo_at)).unwrap_or_else(|err| panic!("runtime bind({runtime_echo_at}): {err}"));
        bound_tx.send(()).expect("signal bound");
        for i in 0..DATAGRAMS.len() {
            let (n, from) = s.recvfrom(e, &mut buf).unwrap_or_else(|err| panic!("runtime echo recvfrom, datagram {i}: {err}"));
            assert_eq!(sockaddr(&from).ip(), kernel_ip, "runtime echo recvfrom: source address");
            let sent = s.sendto(e, &buf[..n], &from).unwrap_or_else(|err| panic!("runtime echo sendto({}): {err}", sockaddr(&from)));
            assert_eq!(sent, n, "runtime echo sendto: bytes sent");
        }
        pump_until_done(s, &done_rx, deadline);
        s.close(e).expect("runtime close");
        eprintln!("tap_netns: UDP echo {kernel_ip} ↔ {runtime_ip}: {:?}", t.elapsed());
        client_at
    });

    let client_at = join(runtime, deadline);
    let peers = join(kernel_echo, deadline);
    let results = join(kernel_client, deadline);
    drop(ns);

    // sendto() bound the socket to the unspecified address (as BSD does) and an ephemeral port.
    assert!(client_at.ip().is_unspecified(), "runtime getsockname of an auto-bound UDP socket: {client_at}");
    assert_ne!(client_at.port(), 0, "runtime getsockname of an auto-bound UDP socket: port");
    for (i, (n, from)) in peers.into_iter().enumerate() {
        assert_eq!(n, DATAGRAMS[i], "kernel echo: length of the runtime's datagram {i}");
        assert_eq!(from, SocketAddr::new(runtime_ip, client_at.port()), "kernel echo: source of the runtime's datagram {i}");
    }
    assert_eq!(results.len(), DATAGRAMS.len());
    for (i, (same, n, from)) in results.into_iter().enumerate() {
        assert_eq!(from, runtime_echo_at, "kernel client: source of the runtime's echo {i}");
        assert_eq!(n, DATAGRAMS[i], "kernel client: length of the runtime's echo {i}");
        assert!(same, "kernel client: the runtime's echo {i} differs from what was sent");
    }
    eprintln!("tap_netns: UDP test {test} took {:?}", start.elapsed());
}

#[test]
fn udp_echo_ipv4_both_ways() {
    if !root("udp_echo_ipv4_both_ways") {
        return;
    }
    udp_echo(3, KERNEL_V4.into(), RUNTIME_V4.into());
}

#[test]
fn udp_echo_ipv6_both_ways() {
    if !root("udp_echo_ipv6_both_ways") {
        return;
    }
    udp_echo(4, KERNEL_V6.into(), RUNTIME_V6.into());
}

/// The runtime joins a group and gets the kernel's datagram to it; after
/// dropping the membership it gets no more; the kernel, a member of another
/// group, gets the runtime's datagram to that one (TTL 1, the default).
fn multicast_exchange(test: u32, v6: bool) {
    use usocket_host::constants::{IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IPPROTO_IP, IPPROTO_IPV6, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP};
    let deadline = Instant::now() + BUDGET;
    let ns = Netns::new(test);
    // The kernel sends its IPv4 multicast out of tap0 (the namespace has no other route).
    ns.ip(&["route", "add", "224.0.0.0/4", "dev", "tap0"]);
    let (to_runtime, to_kernel): (IpAddr, IpAddr) = if v6 {
        ("ff15::1234".parse().expect("group"), "ff15::5678".parse().expect("group"))
    } else {
        (Ipv4Addr::new(239, 1, 2, 3).into(), Ipv4Addr::new(239, 1, 2, 4).into())
    };
    let (runtime_port, kernel_port) = (7011, 7010);
    let membership = |group: IpAddr| -> Vec<u8> {
        match group {
            IpAddr::V4(g) => [g.octets(), [0; 4]].concat(),
            IpAddr::V6(g) => [&g.octets()[..], &[0; 4]].concat(),
        }
    };
    let (joined_tx, joined_rx) = mpsc::channel::<()>();
    let (left_tx, left_rx) = mpsc::channel::<()>();
    let (kernel_ready_tx, kernel_ready_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let kernel = ns.spawn("kernel-multicast", move || {
        let _done = done_tx;
        let any: IpAddr = if v6 { Ipv6Addr::UNSPECIFIED.into() } else { Ipv4Addr::UNSPECIFIED.into() };
        let member = UdpSocket::bind(SocketAddr::new(any, kernel_port)).expect("kernel bind");
        member.set_read_timeout(Some(KERNEL_IO)).expect("set_read_timeout");
        // SAFETY: a NUL-terminated name.
        let ifindex = unsafe { libc::if_nametoindex(c"tap0".as_ptr()) };
        assert_ne!(ifindex, 0, "tap0's index: {}", io::Error::last_os_error());
        match to_kernel {
            IpAddr::V4(g) => member.join_multicast_v4(&g, &KERNEL_V4).expect("kernel join"),
            IpAddr::V6(g) => member.join_multicast_v6(&g, ifindex).expect("kernel join"),
        }
        let sender = UdpSocket::bind(SocketAddr::new(any, 0)).expect("kernel bind");
        if v6 {
            // SAFETY: a valid socket and a c_int of the size given.
            let r = unsafe {
                let index = ifindex as libc::c_int;
                libc::setsockopt(sender.as_raw_fd(), libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_IF, (&raw const index).cast(), size_of::<libc::c_int>() as u32)
            };
            assert_eq!(r, 0, "IPV6_MULTICAST_IF: {}", io::Error::last_os_error());
        }
        kernel_ready_tx.send(()).expect("signal ready");
        wait_for(&joined_rx, deadline, "the runtime's join");
        // A few copies: the runtime's first IGMP/MLD report and the kernel's first send may cross.
        for _ in 0..3 {
            sender.send_to(b"to the group", SocketAddr::new(to_runtime, runtime_port)).expect("kernel send_to the group");
            thread::sleep(Duration::from_millis(20));
        }
        wait_for(&left_rx, deadline, "the runtime's leave");
        sender.send_to(b"after the leave", SocketAddr::new(to_runtime, runtime_port)).expect("kernel send_to the group");
        let mut buf = [0u8; 64];
        let (n, from) = member.recv_from(&mut buf).expect("kernel recv_from the runtime's group datagram");
        (buf[..n].to_vec(), from)
    });
    wait_for(&kernel_ready_rx, deadline, "the kernel's sockets");
    let runtime = ns.runtime(move |s| {
        let family = if v6 { AF_INET6 } else { AF_INET };
        let u = rt_socket(s, family, SOCK_DGRAM);
        let any = if v6 { "[::]:7011" } else { "0.0.0.0:7011" };
        s.bind(u, &addr(any)).expect("runtime bind");
        let (level, join, leave) = if v6 { (IPPROTO_IPV6, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP) } else { (IPPROTO_IP, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP) };
        s.setsockopt(u, level, join, &membership(to_runtime)).expect("runtime join");
        joined_tx.send(()).expect("signal joined");
        let mut buf = [0u8; 64];
        let (n, from) = s.recvfrom(u, &mut buf).expect("runtime recvfrom the kernel's group datagram");
        assert_eq!(&buf[..n], b"to the group");
        assert_eq!(sockaddr(&from).ip(), if v6 { IpAddr::V6(KERNEL_V6) } else { IpAddr::V4(KERNEL_V4) }, "source of the group datagram");
        s.setsockopt(u, level, leave, &membership(to_runtime)).expect("runtime leave");
        // Drain the copies that came before the leave.
        s.settimeout(u, Some(300)).expect("settimeout");
        while let Ok((n, _)) = s.recvfrom(u, &mut buf) {
            assert_eq!(&buf[..n], b"to the group", "a datagram after the leave reached the socket");
        }
        left_tx.send(()).expect("signal left");
        let after = s.recvfrom(u, &mut buf);
        assert_eq!(after.map(|(n, _)| n), Err(Errno::ETIMEDOUT), "after the leave the group's datagrams stay away");
        let n = s.sendto(u, b"from the board", &abi(SocketAddr::new(to_kernel, kernel_port))).expect("runtime sendto the kernel's group");
        assert_eq!(n, 14);
        pump_until_done(s, &done_rx, deadline);
        s.close(u).expect("close");
    });
    join(runtime, deadline);
    let (got, from) = join(kernel, deadline);
    drop(ns);
    assert_eq!(got, b"from the board", "the kernel's group datagram from the runtime");
    assert_eq!(from.ip(), if v6 { IpAddr::V6(RUNTIME_V6) } else { IpAddr::V4(RUNTIME_V4) }, "its source");
}

#[test]
fn multicast_ipv4_join_receive_leave_send() {
    if !root("multicast_ipv4_join_receive_leave_send") {
        return;
    }
    multicast_exchange(14, false);
}

#[test]
fn multicast_ipv6_join_receive_leave_send() {
    if !root("multicast_ipv6_join_receive_leave_send") {
        return;
    }
    multicast_exchange(15, true);
}

// ---------------------------------------------------------------------------
// 3. Listen backlog
// ---------------------------------------------------------------------------

#[test]
fn listen_backlog_holds_eight_simultaneous_kernel_clients() {
    if !root("listen_backlog_holds_eight_simultaneous_kernel_clients") {
        return;
    }
    const CLIENTS: usize = 8;
    let start = Instant::now();
    let deadline = start + BUDGET;
    let ns = Netns::new(5);
    let at = SocketAddr::new(RUNTIME_V4.into(), 5010);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (listening_tx, listening_rx) = mpsc::channel::<()>();
    let connected = Arc::new(AtomicUsize::new(0));

    let runtime = {
        let connected = connected.clone();
        ns.runtime(move |s| {
            let l = rt_listen(s, at, CLIENTS as i32);
            listening_tx.send(()).expect("signal listening");
            // Drive the stack without accepting until every client's connect() returned,
            // so that all of them sit in the accept queue at once.
            let limit = Instant::now() + KERNEL_IO;
            while connected.load(Ordering::SeqCst) < CLIENTS {
                assert!(
                    Instant::now() < limit,
                    "only {} of {CLIENTS} kernel clients connected within {KERNEL_IO:?} to a listener with backlog {CLIENTS}",
                    connected.load(Ordering::SeqCst)
                );
                s.pump();
                thread::sleep(Duration::from_millis(1));
            }
            let mut conns = Vec::new();
            for i in 0..CLIENTS {
                let (c, from) = s.accept(l).unwrap_or_else(|e| panic!("runtime accept {} of {CLIENTS} (all connected before the first): {e}", i + 1));
                assert_eq!(sockaddr(&from).ip(), IpAddr::V4(KERNEL_V4), "runtime accept: peer address");
                s.settimeout(c, Some(RUNTIME_IO_MS)).expect("runtime settimeout");
                conns.push((c, from));
            }
            let mut messages = Vec::new();
            for &(c, from) in &conns {
                let mut line = [0u8; 64];
                let n = s.readline(c, &mut line).unwrap_or_else(|e| panic!("runtime readline from {}: {e}", sockaddr(&from)));
                let text = String::from_utf8_lossy(&line[..n]).into_owned();
                let reply = format!("ok {text}");
                s.sendall(c, reply.as_bytes()).unwrap_or_else(|e| panic!("runtime sendall to {}: {e}", sockaddr(&from)));
                s.close(c).expect("runtime close");
                messages.push(text);
            }
            pump_until_done(s, &done_rx, deadline);
            s.close(l).expect("runtime close listener");
            messages
        })
    };
    wait_for(&listening_rx, deadline, "the runtime to listen");

    let barrier = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (done, barrier, connected) = (done_tx.clone(), barrier.clone(), connected.clone());
            ns.spawn(&format!("kernel-client-{i}"), move || -> Result<(), String> {
                let _done = done;
                barrier.wait();
                let mut stream = TcpStream::connect_timeout(&at, KERNEL_IO).map_err(|e| format!("client {i}: connect({at}): {e} ({:?})", e.kind()))?;
                set_timeouts(&stream);
                let msg = format!("client {i}\n");
                stream.write_all(msg.as_bytes()).map_err(|e| format!("client {i}: write: {e} ({:?})", e.kind()))?;
                connected.fetch_add(1, Ordering::SeqCst);
                let mut reply = Vec::new();
                stream.read_to_end(&mut reply).map_err(|e| format!("client {i}: read to end: {e} ({:?})", e.kind()))?;
                let want = format!("ok {msg}");
                if reply != want.as_bytes() {
                    return Err(format!("client {i}: reply {:?}, expected {want:?}", String::from_utf8_lossy(&reply)));
                }
                Ok(())
            })
        })
        .collect();
    drop(done_tx);

    // Join the clients first: a client error is the more precise report.
    let outcomes: Vec<_> = clients.into_iter().map(|h| join(h, deadline)).collect();
    let errors: Vec<_> = outcomes.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(errors.is_empty(), "kernel clients failed (a reset shows as ConnectionReset):\n{errors:#?}");
    let mut messages = join(runtime, deadline);
    drop(ns);
    messages.sort();
    let want: Vec<_> = (0..CLIENTS).map(|i| format!("client {i}\n")).collect();
    assert_eq!(messages, want, "the messages the runtime read");
    eprintln!("tap_netns: backlog test took {:?}", start.elapsed());
}

// ---------------------------------------------------------------------------
// 4. DNS
// ---------------------------------------------------------------------------

const TYPE_A: u16 = 1;
const TYPE_AAAA: u16 = 28;
const RCODE_NXDOMAIN: u16 = 3;

/// A parsed query: transaction id, flags, the question's name (lower case,
/// dotted), its type, and the question section's bytes.
struct Query<'p> {
    id: u16,
    flags: u16,
    name: String,
    qtype: u16,
    question: &'p [u8],
}

fn parse_query(p: &[u8]) -> Option<Query<'_>> {
    let be = |i: usize| Some(u16::from_be_bytes([*p.get(i)?, *p.get(i + 1)?]));
    let (id, flags, qdcount) = (be(0)?, be(2)?, be(4)?);
    if flags & 0x8000 != 0 || qdcount != 1 {
        return None;
    }
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*p.get(i)?);
        i += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return None; // no compression in a question we answer
        }
        labels.push(String::from_utf8_lossy(p.get(i..i + len)?).to_ascii_lowercase());
        i += len;
    }
    let qtype = be(i)?;
    let _qclass = be(i + 2)?;
    Some(Query { id, flags, name: labels.join("."), qtype, question: &p[12..i + 4] })
}

/// The answer: A 192.0.2.10 and AAAA 2001:db8::10 for `host.test`, NXDOMAIN for other names.
fn answer(q: &Query<'_>) -> Vec<u8> {
    let known = q.name == "host.test";
    let data: Vec<u8> = match (known, q.qtype) {
        (true, TYPE_A) => vec![192, 0, 2, 10],
        (true, TYPE_AAAA) => Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10).octets().to_vec(),
        _ => Vec::new(),
    };
    let ancount: u16 = if data.is_empty() { 0 } else { 1 };
    let rcode = if known { 0 } else { RCODE_NXDOMAIN };
    // QR, the query's opcode and RD, RA, and the rcode.
    let flags = 0x8000 | (q.flags & 0x7900) | 0x0080 | rcode;
    let mut r = Vec::new();
    for v in [q.id, flags, 1, ancount, 0, 0] {
        r.extend_from_slice(&v.to_be_bytes());
    }
    r.extend_from_slice(q.question);
    if ancount == 1 {
        r.extend_from_slice(&[0xc0, 12]); // the question's name
        r.extend_from_slice(&q.qtype.to_be_bytes());
        r.extend_from_slice(&1u16.to_be_bytes()); // IN
        r.extend_from_slice(&60u32.to_be_bytes()); // TTL
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(&data);
    }
    r
}

#[test]
fn dns_getaddrinfo_against_a_kernel_side_responder() {
    if !root("dns_getaddrinfo_against_a_kernel_side_responder") {
        return;
    }
    let start = Instant::now();
    let deadline = start + BUDGET;
    let ns = Netns::new(6);
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel();

    let responder = {
        let stop = stop.clone();
        ns.spawn("dns-responder", move || {
            let at = SocketAddr::new(KERNEL_V4.into(), 53);
            let sock = UdpSocket::bind(at).unwrap_or_else(|e| panic!("kernel bind({at}): {e}"));
            sock.set_read_timeout(Some(Duration::from_millis(50))).expect("set_read_timeout");
            ready_tx.send(()).expect("signal ready");
            let mut served = Vec::new();
            let mut buf = [0u8; 1500];
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                let (n, from) = match sock.recv_from(&mut buf) {
                    Ok(r) => r,
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
                    Err(e) => panic!("DNS responder recv_from: {e}"),
                };
                let Some(q) = parse_query(&buf[..n]) else {
                    served.push(format!("unparsable query of {n} bytes from {from}"));
                    continue;
                };
                sock.send_to(&answer(&q), from).unwrap_or_else(|e| panic!("DNS responder send_to({from}): {e}"));
                served.push(format!("{} type {} from {}", q.name, q.qtype, from.ip()));
            }
            served
        })
    };
    wait_for(&ready_rx, deadline, "the DNS responder");

    let runtime = ns.runtime(move |s| {
        let lookup = |s: Rt, host: &str, af: i32| -> Result<Vec<Addrinfo>, GaiError> {
            let t = Instant::now();
            let mut out = [Addrinfo::default(); 8];
            let r = s.getaddrinfo(Some(host), 80, af, SOCK_STREAM, 0, 0, &mut out).map(|n| out[..n].to_vec());
            eprintln!("tap_netns: getaddrinfo({host:?}, 80, af={af}) took {:?}", t.elapsed());
            r
        };
        (
            lookup(s, "host.test", AF_INET),
            lookup(s, "host.test", AF_INET6),
            lookup(s, "host.test", 0),
            lookup(s, "missing.test", 0),
            lookup(s, "missing.test", AF_INET),
        )
    });
    let results = join(runtime, deadline);
    stop.store(true, Ordering::SeqCst);
    let served = join(responder, deadline);
    drop(ns);
    eprintln!("tap_netns: the DNS responder served {served:#?}");

    let v4 = addr("192.0.2.10:80");
    let v6 = addr("[2001:db8::10]:80");
    let addrs = |r: &Result<Vec<Addrinfo>, GaiError>| r.clone().map(|v| v.iter().map(|a| (a.family, a.socktype, a.addr)).collect::<Vec<_>>());
    let (a, aaaa, any, missing, missing_v4) = results;
    assert_eq!(addrs(&a), Ok(vec![(AF_INET, SOCK_STREAM, v4)]), "getaddrinfo(\"host.test\", 80, AF_INET)");
    assert_eq!(addrs(&aaaa), Ok(vec![(AF_INET6, SOCK_STREAM, v6)]), "getaddrinfo(\"host.test\", 80, AF_INET6)");
    let mut both = addrs(&any).map_err(|e| format!("getaddrinfo(\"host.test\", 80, 0): {e}")).expect("both families");
    both.sort_by_key(|&(family, _, _)| family);
    assert_eq!(both, vec![(AF_INET, SOCK_STREAM, v4), (AF_INET6, SOCK_STREAM, v6)], "getaddrinfo(\"host.test\", 80, 0)");
    assert_eq!(missing.map(|v| v.len()), Err(GaiError::EAI_NONAME), "getaddrinfo(\"missing.test\", 80, 0)");
    assert_eq!(missing_v4.map(|v| v.len()), Err(GaiError::EAI_NONAME), "getaddrinfo(\"missing.test\", 80, AF_INET)");
    assert!(served.iter().any(|q| q.starts_with("host.test type 1 ")), "the responder saw no A query for host.test: {served:?}");
    assert!(served.iter().any(|q| q.starts_with("host.test type 28 ")), "the responder saw no AAAA query for host.test: {served:?}");
    eprintln!("tap_netns: DNS test took {:?}", start.elapsed());
}

#[test]
fn checksum_and_dns_helpers_work() {
    // Runs without root: the pieces the namespace tests rely on.
    assert_eq!(expected(1, 0), (0, Fnv::new().0));
    assert_ne!(expected(1, MIB), expected(2, MIB), "different seeds give different streams");
    let mut h = Fnv::new();
    h.add(b"a");
    assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c, "FNV-1a 64 of \"a\"");
    let q = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 4, b'H', b'o', b's', b't', 4, b't', b'e', b's', b't', 0, 0, 28, 0, 1];
    let parsed = parse_query(&q).expect("query parses");
    assert_eq!((parsed.id, parsed.name.as_str(), parsed.qtype), (0x1234, "host.test", TYPE_AAAA));
    let r = answer(&parsed);
    assert_eq!(&r[..4], &[0x12, 0x34, 0x81, 0x80]);
    assert_eq!(r.len(), q.len() + 2 + 2 + 2 + 4 + 2 + 16);
    assert_eq!(sockaddr(&addr("[2001:db8::10]:80")), "[2001:db8::10]:80".parse().unwrap());
}

// ---------------------------------------------------------------------------
// Misbehaving peers and floods (issue: hardening)
// ---------------------------------------------------------------------------

/// After a test: no fd open, and no pooled socket in use once lingering closes end.
fn rt_assert_clean(s: Rt, deadline: Instant) {
    while s.pool_in_use() > 0 {
        assert!(Instant::now() < deadline, "runtime: {} pooled sockets still in use", s.pool_in_use());
        s.pump();
        thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(s.open_sockets(), 0, "runtime: fds left open");
}

#[test]
fn a_peer_reset_mid_transfer_fails_the_send_without_a_hang() {
    if !root("a_peer_reset_mid_transfer_fails_the_send_without_a_hang") {
        return;
    }
    let deadline = Instant::now() + BUDGET;
    let ns = Netns::new(7);
    let at = SocketAddr::new(KERNEL_V4.into(), 5030);
    let (ready_tx, ready_rx) = mpsc::channel();
    let kernel = ns.spawn("kernel-resetter", move || {
        let listener = TcpListener::bind(at).unwrap_or_else(|e| panic!("kernel bind({at}): {e}"));
        ready_tx.send(()).expect("signal ready");
        let mut stream = kernel_accept(&listener);
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0;
        while got < 256 * 1024 {
            got += stream.read(&mut buf).expect("kernel read");
        }
        // SO_LINGER(on, 0): close() sends RST.
        let linger = libc::linger { l_onoff: 1, l_linger: 0 };
        // SAFETY: a valid socket fd and a linger struct of the size given.
        let r = unsafe {
            libc::setsockopt(stream.as_raw_fd(), libc::SOL_SOCKET, libc::SO_LINGER, (&linger as *const libc::linger).cast(), size_of::<libc::linger>() as u32)
        };
        assert_eq!(r, 0, "setsockopt(SO_LINGER)");
        drop(stream);
        got
    });
    wait_for(&ready_rx, deadline, "the kernel listener");
    let runtime = ns.runtime(move |s| {
        let c = rt_socket(s, AF_INET, SOCK_STREAM);
        s.connect(c, &abi(at)).expect("runtime connect");
        let chunk = vec![0x5au8; 64 * 1024];
        let started = Instant::now();
        let mut sent = 0usize;
        let error = loop {
            match s.sendall(c, &chunk) {
                Ok(()) => sent += chunk.len(),
                Err(e) => break e,
            }
            assert!(sent < 64 * MIB, "the peer reset, yet 64 MiB went out");
        };
        let took = started.elapsed();
        let mut buf = [0u8; 16];
        let after = s.recv(c, &mut buf);
        s.close(c).expect("runtime close");
        rt_assert_clean(s, deadline);
        (error, sent, took, after)
    });
    let (error, sent, took, after) = join(runtime, deadline);
    let kernel_got = join(kernel, deadline);
    drop(ns);
    eprintln!("tap_netns: reset after the kernel read {kernel_got} bytes; runtime sent {sent}, then {error:?} after {took:?}; recv then {after:?}");
    assert!(matches!(error, Errno::ECONNRESET | Errno::EPIPE), "sendall after the peer's RST: {error:?}");
    assert!(took < Duration::from_secs(10), "the reset was noticed in {took:?}");
    assert!(matches!(after, Ok(0) | Err(Errno::ECONNRESET)), "recv after the reset: {after:?}");
}

#[test]
fn a_half_closed_peer_still_gets_the_reply() {
    if !root("a_half_closed_peer_still_gets_the_reply") {
        return;
    }
    let deadline = Instant::now() + BUDGET;
    let ns = Netns::new(8);
    let at = SocketAddr::new(RUNTIME_V4.into(), 5031);
    let (listening_tx, listening_rx) = mpsc::channel();
    let runtime = ns.runtime(move |s| {
        let l = rt_listen(s, at, 1);
        listening_tx.send(()).expect("signal listening");
        let (c, _) = s.accept(l).expect("runtime accept");
        s.settimeout(c, Some(RUNTIME_IO_MS)).expect("settimeout");
        let (got, hash) = rt_recv_to_eof(s, c, 4 * MIB, deadline);
        // The peer's half is closed; ours is open: reply with the same stream.
        let reply = rt_send_pattern(s, c, 9, MIB);
        s.close(c).expect("runtime close");
        s.close(l).expect("runtime close listener");
        rt_assert_clean(s, deadline);
        ((got, hash), reply)
    });
    wait_for(&listening_rx, deadline, "the runtime to listen");
    let kernel = ns.spawn("kernel-half-closer", move || {
        let mut stream = kernel_connect(at);
        let sent = kernel_send_pattern(&mut stream, 8, MIB);
        stream.shutdown(Shutdown::Write).expect("kernel shutdown(SHUT_WR)");
        (sent, kernel_recv_to_eof(&mut stream, 4 * MIB))
    });
    let (kernel_sent, kernel_got) = join(kernel, deadline);
    let (runtime_got, runtime_sent) = join(runtime, deadline);
    drop(ns);
    assert_eq!(runtime_got, kernel_sent, "kernel -> runtime up to the kernel's FIN");
    assert_eq!(kernel_got, runtime_sent, "runtime -> kernel after the kernel's FIN");
    assert_eq!(kernel_got, expected(9, MIB));
}

#[test]
fn a_peer_that_stops_reading_times_out_the_send() {
    if !root("a_peer_that_stops_reading_times_out_the_send") {
        return;
    }
    let deadline = Instant::now() + BUDGET;
    let ns = Netns::new(9);
    let at = SocketAddr::new(KERNEL_V4.into(), 5032);
    let (ready_tx, ready_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let kernel = ns.spawn("kernel-sleeper", move || {
        let listener = TcpListener::bind(at).unwrap_or_else(|e| panic!("kernel bind({at}): {e}"));
        ready_tx.send(()).expect("signal ready");
        let mut stream = kernel_accept(&listener);
        // Read nothing until told: the receive buffer and window fill up.
        wait_for(&release_rx, deadline, "the runtime's timeout");
        kernel_recv_to_eof(&mut stream, 256 * MIB).0
    });
    wait_for(&ready_rx, deadline, "the kernel listener");
    let runtime = ns.runtime(move |s| {
        let c = rt_socket(s, AF_INET, SOCK_STREAM);
        s.connect(c, &abi(at)).expect("runtime connect");
        s.settimeout(c, Some(500)).expect("settimeout 0.5 s");
        let chunk = vec![0xa5u8; 64 * 1024];
        let started = Instant::now();
        let mut sent = 0usize;
        let error = loop {
            match s.send(c, &chunk) {
                Ok(n) => sent += n,
                Err(e) => break e,
            }
            assert!(sent < 256 * MIB, "the peer reads nothing, yet 256 MiB went out");
        };
        let took = started.elapsed();
        release_tx.send(()).expect("release the kernel reader");
        s.close(c).expect("runtime close");
        // close() delivers what is queued, then FIN.
        rt_assert_clean(s, deadline);
        (error, sent, took)
    });
    let (error, sent, took) = join(runtime, deadline);
    let kernel_got = join(kernel, deadline);
    drop(ns);
    eprintln!("tap_netns: the peer's window closed after {sent} bytes; send gave {error:?} after {took:?}; the kernel then read {kernel_got} bytes");
    assert_eq!(error, Errno::ETIMEDOUT, "send() into a closed window with a 0.5 s timeout");
    assert_eq!(kernel_got, sent, "every byte send() accepted reached the peer after it read again");
}

#[test]
fn a_flood_of_200_syns_at_backlog_2_is_survived() {
    if !root("a_flood_of_200_syns_at_backlog_2_is_survived") {
        return;
    }
    const SYNS: usize = 200;
    let deadline = Instant::now() + BUDGET;
    let ns = Netns::new(10);
    let at = SocketAddr::new(RUNTIME_V4.into(), 5033);
    let (listening_tx, listening_rx) = mpsc::channel();
    let (flooded_tx, flooded_rx) = mpsc::channel::<()>();
    let (closed_tx, closed_rx) = mpsc::channel::<()>();
    let runtime = ns.runtime(move |s| {
        let l = rt_listen(s, at, 2);
        listening_tx.send(()).expect("signal listening");
        wait_for(&flooded_rx, deadline, "the flood");
        // Accept for a second while the kernel retries its SYNs: each queued
        // connection is a working one.
        let mut accepted = 0;
        let until = Instant::now() + Duration::from_secs(1);
        s.settimeout(l, Some(50)).expect("settimeout");
        while Instant::now() < until {
            match s.accept(l) {
                Ok((c, _)) => {
                    accepted += 1;
                    s.close(c).expect("close");
                }
                Err(Errno::ETIMEDOUT) => {}
                Err(e) => panic!("runtime accept during the flood: {e}"),
            }
        }
        wait_for(&closed_rx, deadline, "the kernel to close its sockets");
        // After the flood: a fresh connection is accepted and carries data.
        s.settimeout(l, Some(RUNTIME_IO_MS)).expect("settimeout");
        let fresh = loop {
            let (c, _) = s.accept(l).expect("runtime accept after the flood");
            s.settimeout(c, Some(RUNTIME_IO_MS)).expect("settimeout");
            let mut line = [0u8; 32];
            // Connections left from the flood read EOF or reset; the fresh one says hello.
            match s.readline(c, &mut line) {
                Ok(n) if &line[..n] == b"hello\n" => {
                    s.sendall(c, b"welcome\n").expect("sendall");
                    s.close(c).expect("close");
                    break true;
                }
                _ => s.close(c).expect("close"),
            }
        };
        s.close(l).expect("close listener");
        rt_assert_clean(s, deadline);
        (accepted, fresh)
    });
    wait_for(&listening_rx, deadline, "the runtime to listen");
    let kernel = ns.spawn("kernel-flood", move || {
        // 200 non-blocking connects: 200 SYNs at once.
        let target = libc::sockaddr_in {
            sin_family: libc::AF_INET as u16,
            sin_port: at.port().to_be(),
            sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes(RUNTIME_V4.octets()) },
            sin_zero: [0; 8],
        };
        let fds: Vec<i32> = (0..SYNS)
            .map(|_| {
                // SAFETY: plain socket calls on fds this thread owns.
                unsafe {
                    let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0);
                    assert!(fd >= 0, "kernel socket()");
                    libc::connect(fd, (&target as *const libc::sockaddr_in).cast(), size_of::<libc::sockaddr_in>() as u32);
                    fd
                }
            })
            .collect();
        flooded_tx.send(()).expect("signal the flood");
        thread::sleep(Duration::from_millis(1500));
        for fd in fds {
            // SAFETY: closing fds opened above.
            unsafe { libc::close(fd) };
        }
        closed_tx.send(()).expect("signal closed");
        let mut stream = kernel_connect(at);
        stream.write_all(b"hello\n").expect("kernel write");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("kernel read");
        reply
    });
    let reply = join(kernel, deadline);
    let (accepted, fresh) = join(runtime, deadline);
    drop(ns);
    eprintln!("tap_netns: {SYNS} SYNs at backlog 2: {accepted} accepted during the flood, then a fresh connection: {fresh}");
    assert!(accepted >= 2, "the queued connections were accepted: {accepted}");
    assert!(fresh && reply == "welcome\n", "after the flood a new connection works: {reply:?}");
}

// ---------------------------------------------------------------------------
// Loopback: the board talks to itself, never through the wire
// ---------------------------------------------------------------------------

/// Frames the kernel's tap0 received so far: what the runtime wrote to its TAP fd.
fn kernel_rx_frames(ns: &Netns) -> u64 {
    let out = Command::new("ip").args(["netns", "exec", &ns.0.name, "cat", "/proc/net/dev"]).output().expect("read /proc/net/dev in the namespace");
    let text = String::from_utf8_lossy(&out.stdout);
    let counters = text.lines().find_map(|l| l.trim_start().strip_prefix("tap0:")).unwrap_or_else(|| panic!("no tap0 in /proc/net/dev:\n{text}"));
    counters.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("tap0's received packets in {counters:?}"))
}

/// The count of an Ok, 0 for EAGAIN; any other error fails.
fn ok_or_again(what: &str, r: Result<usize, Errno>) -> usize {
    match r {
        Ok(n) => n,
        Err(Errno::EAGAIN) => 0,
        Err(e) => panic!("runtime {what}: {e}"),
    }
}

/// A client of the runtime's own listener at `at` echoes `len` bytes through
/// it, both non-blocking on the one stack; returns the echo's FNV-1a and time.
fn rt_self_echo(s: Rt, at: SocketAddr, len: usize, deadline: Instant) -> (u64, Duration) {
    let l = rt_listen(s, at, 1);
    let c = rt_socket(s, family_of(at), SOCK_STREAM);
    let start = Instant::now();
    s.connect(c, &abi(at)).unwrap_or_else(|e| panic!("runtime connect to itself at {at}: {e}"));
    let (srv, from) = s.accept(l).unwrap_or_else(|e| panic!("runtime accept on {at}: {e}"));
    assert_eq!(sockaddr(&from).ip(), at.ip(), "the peer over {at} is the runtime itself");
    for fd in [c, srv] {
        s.setblocking(fd, false).expect("setblocking");
    }
    let mut data = vec![0u8; len];
    Pattern::new(at.port().into()).fill(&mut data);
    let (mut sent, mut back, mut pending, mut h) = (0, 0, Vec::new(), Fnv::new());
    let mut buf = vec![0u8; 16 * 1024];
    while back < len {
        assert!(Instant::now() < deadline, "echo over {at} stuck: {sent} sent, {back} back");
        if sent < len {
            sent += ok_or_again("send", s.send(c, &data[sent..(sent + 16 * 1024).min(len)]));
        }
        if pending.is_empty() {
            let n = ok_or_again("server recv", s.recv(srv, &mut buf));
            pending.extend_from_slice(&buf[..n]);
        }
        if !pending.is_empty() {
            let n = ok_or_again("server send", s.send(srv, &pending));
            pending.drain(..n);
        }
        let n = ok_or_again("recv", s.recv(c, &mut buf));
        h.add(&buf[..n]);
        back += n;
    }
    let took = start.elapsed();
    for fd in [c, srv, l] {
        s.close(fd).expect("close");
    }
    (h.0, took)
}

#[test]
fn loopback_and_own_addresses_never_reach_the_wire() {
    if !root("loopback_and_own_addresses_never_reach_the_wire") {
        return;
    }
    const LEN: usize = 256 * 1024;
    let deadline = Instant::now() + BUDGET;
    let ns = Netns::new(11);
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let hosts: [IpAddr; 4] = [Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into(), RUNTIME_V4.into(), RUNTIME_V6.into()];
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let runtime = ns.runtime(move |s| {
        // The interface's own start-up frames (MLD reports of its solicited-node
        // groups, with the multicast feature) go out before the count starts.
        let settled = Instant::now() + Duration::from_millis(200);
        while Instant::now() < settled {
            s.pump();
            thread::sleep(Duration::from_millis(1));
        }
        ready_tx.send(()).expect("signal settled");
        wait_for(&go_rx, deadline, "the kernel's frame count");
        let mut echoes = Vec::new();
        for (i, ip) in hosts.into_iter().enumerate() {
            let at = SocketAddr::new(ip, 6000 + i as u16);
            let (hash, took) = rt_self_echo(s, at, LEN, deadline);
            eprintln!("tap_netns: {} KiB echoed over {at} in {took:?}", LEN >> 10);
            echoes.push((at, hash));
        }
        for ip in &hosts[..2] {
            // UDP to itself, datagrams up to the MTU.
            let to = SocketAddr::new(*ip, 6100);
            let rx = rt_socket(s, family_of(to), SOCK_DGRAM);
            s.bind(rx, &abi(to)).expect("runtime bind");
            let tx = rt_socket(s, family_of(to), SOCK_DGRAM);
            for (i, &len) in DATAGRAMS.iter().enumerate() {
                let msg = datagram(i as u64, len);
                assert_eq!(s.sendto(tx, &msg, &abi(to)), Ok(len), "sendto {to}");
                let mut buf = [0u8; 2048];
                let (n, from) = s.recvfrom(rx, &mut buf).unwrap_or_else(|e| panic!("recvfrom over {to}: {e}"));
                assert_eq!(&buf[..n], &msg[..], "datagram of {len} bytes over {to}");
                assert_eq!(sockaddr(&from).ip(), *ip);
            }
            s.close(rx).expect("close");
            s.close(tx).expect("close");
            // A closed local port: refused at once (smoltcp's RST comes straight back).
            let c = rt_socket(s, family_of(to), SOCK_STREAM);
            let t = Instant::now();
            assert_eq!(s.connect(c, &abi(SocketAddr::new(*ip, 6101))), Err(Errno::ECONNREFUSED), "connect to a closed port on {ip}");
            assert!(t.elapsed() < Duration::from_secs(1), "refused after {:?}", t.elapsed());
            s.close(c).expect("close");
        }
        rt_assert_clean(s, deadline);
        (echoes, s.loopback_stats())
    });
    wait_for(&ready_rx, deadline, "the runtime's start-up frames");
    let before = kernel_rx_frames(&ns);
    go_tx.send(()).expect("start the runtime");
    let (echoes, stats) = join(runtime, deadline);
    let after = kernel_rx_frames(&ns);
    drop(ns);
    for (at, hash) in echoes {
        assert_eq!((LEN, hash), expected(at.port().into(), LEN), "echo over {at}: the bytes came back changed");
    }
    eprintln!("tap_netns: loop queue {stats:?}");
    assert_eq!(stats.dropped, 0, "the board file's loop queue holds what one pump round sends");
    assert_eq!(after - before, 0, "frames the runtime wrote to the TAP device while talking to itself");
}
