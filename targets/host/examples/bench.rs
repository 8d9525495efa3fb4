//! Throughput benchmark, run by `cargo xtask bench` (release build).
//!
//! Bulk TCP, interleaved in rounds and reported as medians: our stack on the
//! loopback board through the socket API, the kernel over 127.0.0.1
//! (`std::net`), and a bare smoltcp loop with the same buffers. Then, as root,
//! our stack on a TAP device in a private network namespace against the Linux
//! kernel, in each direction, beside bare smoltcp on the same TAP device
//! (same buffers and timing), and talking to itself over 127.0.0.1 (the
//! runtime's loop queue). Missed goals are reported, not fatal.
//!
//! Usage: `bench [--mib N] [--rounds N] [--tap-mib N]`

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use usocket_host::constants::{AF_INET, SOCK_STREAM};
use usocket_host::loopback::{LOOPBACK_MTU, LoopbackDevice};
use usocket_host::smoltcp::iface::{Config as IfaceConfig, Interface, SocketSet};
use usocket_host::smoltcp::socket::tcp;
use usocket_host::smoltcp::time::Instant as SmolInstant;
use usocket_host::smoltcp::wire::{HardwareAddress, IpCidr, Ipv4Address};
use usocket_host::tap::TapConfig;
use usocket_host::{Addr, AnyBoard, DhcpClient, Errno, Fd, HostMemory, SocketApi, Stack};

/// Bytes handed to one send or taken by one receive.
const CHUNK: usize = 256 * 1024;
/// Longest any one transfer may take.
const LIMIT: Duration = Duration::from_secs(30);
/// Socket timeout of the TAP bench's blocking calls, in ms.
const CALL_TIMEOUT_MS: u32 = 5_000;
/// Goal: our stack's throughput over the kernel's, on loopback.
const GOAL_VS_KERNEL: f64 = 1.0;
/// Goal: our stack's throughput over bare smoltcp's, on loopback.
const GOAL_VS_SMOLTCP: f64 = 0.85;
/// Goal: MB/s over TAP, each direction.
const GOAL_TAP_MBPS: f64 = 300.0;
/// Over TAP, ours over bare smoltcp on the same device (the data-path goal).
const GOAL_RAW_RATIO: f64 = 0.9;
/// The TAP bench's network namespace.
const NETNS: &str = "usocket-bench";
/// The kernel's end of the TAP link (documentation range, inside the namespace only).
const KERNEL_IP: [u8; 4] = [192, 0, 2, 1];
/// Our stack's end of the TAP link.
const RUNTIME_IP: [u8; 4] = [192, 0, 2, 2];
/// The kernel side's listening port.
const KERNEL_PORT: u16 = 5001;

/// One measured bulk transfer of `total` bytes.
type Bench = fn(usize) -> Result<Duration, String>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Options: `(loopback bytes, rounds, TAP bytes per direction)`.
fn options() -> Result<(usize, usize, usize), String> {
    let (mut mib, mut rounds, mut tap_mib) = (64, 3, 256);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--profile-usocket" {
            // For `perf record`: only our loopback transfer, nothing else in the process.
            let t = usocket_loopback(mib << 20)?;
            println!("usocket, loopback board {:.0} MB/s", mbps(mib << 20, t));
            std::process::exit(0);
        }
        let target = match flag.as_str() {
            "--mib" => &mut mib,
            "--rounds" => &mut rounds,
            "--tap-mib" => &mut tap_mib,
            _ => return Err(format!("unknown argument {flag:?}; usage: bench [--mib N] [--rounds N] [--tap-mib N] [--profile-usocket]")),
        };
        *target = args.next().and_then(|v| v.parse().ok()).filter(|&n: &usize| n > 0).ok_or(format!("{flag} needs a positive number"))?;
    }
    Ok((mib << 20, rounds, tap_mib << 20))
}

fn run() -> Result<(), String> {
    let (total, rounds, tap_total) = options()?;
    let benches: [(&str, Bench); 3] =
        [("usocket, loopback board", usocket_loopback), ("std::net, 127.0.0.1", kernel_loopback), ("raw smoltcp, loopback", raw_smoltcp)];
    println!("bulk TCP, {} MiB per transfer, {rounds} interleaved rounds (MB/s = 10^6 bytes/s)", total >> 20);
    let mut times = [const { Vec::new() }; 3];
    for round in 1..=rounds {
        for ((name, bench), times) in benches.iter().zip(&mut times) {
            let t = bench(total).map_err(|e| format!("{name}: {e}"))?;
            println!("  round {round}  {name:<24} {:>8.0} MB/s", mbps(total, t));
            times.push(t);
        }
    }
    let [ours, kernel, smoltcp] = times.map(|mut t| {
        t.sort();
        mbps(total, t[t.len() / 2])
    });
    println!("median  usocket {ours:.0} MB/s, std::net {kernel:.0} MB/s, raw smoltcp {smoltcp:.0} MB/s");
    let (vs_kernel, vs_smoltcp) = (ours / kernel, ours / smoltcp);
    println!("ratio usocket/std::net = {vs_kernel:.2} (goal >= {GOAL_VS_KERNEL:?}) {}", verdict(vs_kernel, GOAL_VS_KERNEL));
    println!("ratio usocket/raw smoltcp = {vs_smoltcp:.2} (goal >= {GOAL_VS_SMOLTCP:?}) {}", verdict(vs_smoltcp, GOAL_VS_SMOLTCP));
    println!();
    tap(tap_total, total, rounds, ours)
}

/// Decimal megabytes per second.
fn mbps(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / t.as_secs_f64() / 1e6
}

/// A figure against its goal (a lower bound): MISSED when below.
fn verdict(value: f64, goal: f64) -> &'static str {
    if value >= goal { "ok" } else { "MISSED" }
}

/// Our stack's result, with the operation named on error.
fn ok<T>(what: &str, r: Result<T, Errno>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {}", e.name()))
}

/// An IPv4 socket address for the API.
fn v4(ip: [u8; 4], port: u16) -> Addr {
    let mut a = Addr { family: AF_INET as u16, port, ..Addr::default() };
    a.ip[..4].copy_from_slice(&ip);
    a
}

/// Fails once `start` is more than [`LIMIT`] ago.
fn in_time(start: Instant, moved: usize) -> Result<(), String> {
    match start.elapsed() > LIMIT {
        true => Err(format!("stalled: {moved} bytes in {LIMIT:?}")),
        false => Ok(()),
    }
}

/// Our stack on the loopback board: non-blocking client and server in this
/// thread, sends and receives interleaved.
fn usocket_loopback(total: usize) -> Result<Duration, String> {
    usocket_to_itself(AnyBoard::loopback(), total)
}

/// Our stack on `board` talking to itself over 127.0.0.1 (the loopback
/// board's device, or the runtime's loop queue on an Ethernet board).
fn usocket_to_itself(board: AnyBoard, total: usize) -> Result<Duration, String> {
    let config = board.config();
    let mut memory = HostMemory::new(&config);
    let mut stack = Stack::new(memory.lend(), board, config).map_err(|e| e.to_string())?;
    let s = &mut stack;
    let listener = ok("socket", s.socket(AF_INET, SOCK_STREAM, 0))?;
    ok("bind", s.bind(listener, &v4([127, 0, 0, 1], 0)))?;
    ok("listen", s.listen(listener, 1))?;
    let at = ok("getsockname", s.getsockname(listener))?;
    let client = ok("socket", s.socket(AF_INET, SOCK_STREAM, 0))?;
    let (data, mut buf) = (vec![0x5a; CHUNK], vec![0; CHUNK]);
    let start = Instant::now();
    ok("connect", s.connect(client, &at))?;
    let (server, _) = ok("accept", s.accept(listener))?;
    ok("setblocking", s.setblocking(client, false))?;
    ok("setblocking", s.setblocking(server, false))?;
    let (mut sent, mut received) = (0, 0);
    while received < total {
        in_time(start, received)?;
        if sent < total {
            match s.send(client, &data[..CHUNK.min(total - sent)]) {
                Ok(n) => sent += n,
                Err(Errno::EAGAIN) => {}
                Err(e) => return ok("send", Err(e)),
            }
        }
        match s.recv(server, &mut buf) {
            Ok(0) => return Err(format!("end of stream after {received} bytes")),
            Ok(n) => received += n,
            Err(Errno::EAGAIN) => {}
            Err(e) => return ok("recv", Err(e)),
        }
    }
    let elapsed = start.elapsed();
    for fd in [client, server, listener] {
        ok("close", s.close(fd))?;
    }
    Ok(elapsed)
}

/// The kernel over 127.0.0.1: a client thread (this one) and a server thread.
fn kernel_loopback(total: usize) -> Result<Duration, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let at = listener.local_addr().map_err(|e| e.to_string())?;
    let start = Instant::now();
    let server = thread::spawn(move || -> std::io::Result<usize> {
        let (mut s, _) = listener.accept()?;
        s.set_read_timeout(Some(LIMIT))?;
        let mut buf = vec![0; CHUNK];
        let mut received = 0;
        loop {
            match s.read(&mut buf)? {
                0 => return Ok(received),
                n => received += n,
            }
        }
    });
    let mut client = TcpStream::connect(at).map_err(|e| format!("connect: {e}"))?;
    client.set_write_timeout(Some(LIMIT)).map_err(|e| e.to_string())?;
    let data = vec![0x5a; CHUNK];
    let mut sent = 0;
    while sent < total {
        let n = client.write(&data[..CHUNK.min(total - sent)]).map_err(|e| format!("write: {e}"))?;
        sent += n;
    }
    drop(client);
    let received = server.join().map_err(|_| "server thread panicked")?.map_err(|e| format!("read: {e}"))?;
    let elapsed = start.elapsed();
    if received != total {
        return Err(format!("received {received} of {total} bytes"));
    }
    Ok(elapsed)
}

/// Bare smoltcp: one interface, two TCP sockets with the host profile's
/// buffers, ACK delay and Nagle off, on the same in-process loopback device.
fn raw_smoltcp(total: usize) -> Result<Duration, String> {
    let clock = Instant::now();
    let now = || SmolInstant::from_micros(clock.elapsed().as_micros() as i64);
    let mut device = LoopbackDevice::new(LOOPBACK_MTU);
    let mut iface = Interface::new(IfaceConfig::new(HardwareAddress::Ip), &mut device, now());
    let localhost = Ipv4Address::new(127, 0, 0, 1);
    iface.update_ip_addrs(|a| a.push(IpCidr::new(localhost.into(), 8)).expect("one address fits"));
    let socket = || {
        let rx = tcp::SocketBuffer::new(vec![0; usocket_host::boards::HOST_LOOPBACK.config.tcp_rx_bytes]);
        let tx = tcp::SocketBuffer::new(vec![0; usocket_host::boards::HOST_LOOPBACK.config.tcp_tx_bytes]);
        let mut s = tcp::Socket::new(rx, tx);
        s.set_ack_delay(None);
        s.set_nagle_enabled(false);
        s
    };
    let mut sockets = SocketSet::new(vec![]);
    let (server, client) = (sockets.add(socket()), sockets.add(socket()));
    let (data, mut buf) = (vec![0x5a; CHUNK], vec![0; CHUNK]);
    let start = Instant::now();
    sockets.get_mut::<tcp::Socket>(server).listen(5000).map_err(|e| format!("listen: {e}"))?;
    sockets.get_mut::<tcp::Socket>(client).connect(iface.context(), (localhost, 5000), 49152).map_err(|e| format!("connect: {e}"))?;
    let (mut sent, mut received) = (0, 0);
    while received < total {
        in_time(start, received)?;
        iface.poll(now(), &mut device, &mut sockets);
        let c = sockets.get_mut::<tcp::Socket>(client);
        if sent < total && c.can_send() {
            sent += c.send_slice(&data[..CHUNK.min(total - sent)]).map_err(|e| format!("send: {e}"))?;
        }
        let s = sockets.get_mut::<tcp::Socket>(server);
        if s.can_recv() {
            received += s.recv_slice(&mut buf).map_err(|e| format!("recv: {e}"))?;
        }
    }
    Ok(start.elapsed())
}

/// The TAP bench, when running as root; otherwise says loudly why not. Also
/// the TAP board talking to itself over 127.0.0.1 (`self_total` bytes),
/// against the loopback board's `loopback_mbps`.
fn tap(total: usize, self_total: usize, rounds: usize, loopback_mbps: f64) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    if euid != 0 {
        println!("!!! TAP bench SKIPPED: not root (euid {euid}); creating a network namespace and a TAP device needs root.");
        println!("!!! Run `sudo cargo xtask bench` to measure usocket <-> Linux kernel over TAP.");
        return Ok(());
    }
    // Standard Ethernet frames, then jumbo frames (fewer packets, so fewer
    // write(2) calls on the TAP fd, which dominate the sending side's cost).
    for mtu in TAP_MTUS {
        let ns = match netns(mtu) {
            Ok(ns) => ns,
            Err(e) => {
                println!("!!! TAP bench SKIPPED: cannot set up namespace {NETNS} with tap0: {e}");
                return Ok(());
            }
        };
        println!(
            "TAP in namespace {NETNS}, MTU {mtu}: usocket {} <-> Linux {}, {} MiB per direction, {rounds} rounds beside bare smoltcp (medians)",
            ipv4(RUNTIME_IP),
            ipv4(KERNEL_IP),
            total >> 20
        );
        // Ours and bare smoltcp interleaved, `rounds` times; medians of each direction.
        let mut runs: [[Vec<Duration>; 2]; 2] = Default::default();
        let mut failed = None;
        for _ in 0..rounds {
            for (side, run) in [tap_runtime as TapSide, tap_raw_smoltcp].into_iter().zip(runs.iter_mut()) {
                match tap_transfers(&ns, total, mtu, side) {
                    Ok((up, down)) => {
                        run[0].push(up);
                        run[1].push(down);
                    }
                    Err(e) => failed = Some(e),
                }
            }
        }
        let median = |mut t: Vec<Duration>| {
            t.sort();
            t.get(t.len() / 2).copied().ok_or_else(|| failed.clone().unwrap_or_default())
        };
        let [[up, down], [raw_up, raw_down]] = runs;
        let times = median(up).and_then(|up| Ok((up, median(down)?)));
        let raw = median(raw_up).and_then(|up| Ok((up, median(raw_down)?)));
        let to_itself = thread::scope(|scope| {
            joined("usocket side", scope.spawn(|| ns.enter().map_err(|e| format!("enter {NETNS}: {e}")).and_then(|()| tap_to_itself(self_total, mtu))))
        });
        drop(ns);
        let (up, down) = times?;
        let (raw_up, raw_down) = raw?;
        for (direction, t, raw) in [("usocket->kernel", up, raw_up), ("kernel->usocket", down, raw_down)] {
            let (rate, raw) = (mbps(total, t), mbps(total, raw));
            println!("TAP MTU {mtu} {direction} = {rate:.0} MB/s (goal >= {GOAL_TAP_MBPS:.0} MB/s) {}", verdict(rate, GOAL_TAP_MBPS));
            let ratio = rate / raw;
            println!(
                "TAP MTU {mtu} {direction}: raw smoltcp {raw:.0} MB/s, ratio usocket/raw smoltcp = {ratio:.2} (goal >= {GOAL_RAW_RATIO}) {}",
                verdict(ratio, GOAL_RAW_RATIO)
            );
        }
        let rate = mbps(self_total, to_itself?);
        let same_mtu = mbps(self_total, usocket_to_itself(AnyBoard::loopback_mtu(mtu), self_total)?);
        println!(
            "TAP MTU {mtu} usocket->itself over 127.0.0.1 (loop queue) = {rate:.0} MB/s, {} MiB; loopback board at MTU {mtu} {same_mtu:.0} MB/s \
             (ratio {:.2}), at its MTU {LOOPBACK_MTU} {loopback_mbps:.0} MB/s (ratio {:.2})",
            self_total >> 20,
            rate / same_mtu,
            rate / loopback_mbps
        );
    }
    Ok(())
}

/// Link MTUs the TAP bench runs at.
const TAP_MTUS: [usize; 2] = [1500, 9000];

/// One side of the TAP transfers on the board's end of tap0: sends `total`
/// bytes and waits for the acknowledgement, then receives `total` bytes
/// (once `listening` says the kernel listens); returns both times.
type TapSide = fn(usize, usize, mpsc::Receiver<()>) -> Result<(Duration, Duration), String>;

/// Both transfers, each side on its own thread inside the namespace.
fn tap_transfers(ns: &usocket_netns::Netns, total: usize, mtu: usize, side: TapSide) -> Result<(Duration, Duration), String> {
    let (ready, listening) = mpsc::channel();
    thread::scope(|scope| {
        let kernel = scope.spawn(move || ns.enter().map_err(|e| format!("enter {NETNS}: {e}")).and_then(|()| tap_kernel(total, ready)));
        let ours = scope.spawn(move || ns.enter().map_err(|e| format!("enter {NETNS}: {e}")).and_then(|()| side(total, mtu, listening)));
        let ours = joined("usocket side", ours);
        joined("kernel side", kernel).and(ours)
    })
}

/// A thread's result, its side named on error.
fn joined<T>(side: &str, thread: thread::ScopedJoinHandle<'_, Result<T, String>>) -> Result<T, String> {
    thread.join().map_err(|_| format!("{side}: panicked"))?.map_err(|e| format!("{side}: {e}"))
}

/// An IPv4 address from its bytes.
fn ipv4(a: [u8; 4]) -> std::net::Ipv4Addr {
    a.into()
}

/// The kernel side, inside the namespace: receives `total` bytes and
/// acknowledges them with one byte, then sends `total` bytes.
fn tap_kernel(total: usize, ready: mpsc::Sender<()>) -> Result<(), String> {
    let listener = TcpListener::bind((ipv4(KERNEL_IP), KERNEL_PORT)).map_err(|e| format!("bind: {e}"))?;
    let _ = ready.send(());
    let mut buf = vec![0; CHUNK];
    let mut s = accept_within(&listener)?;
    let mut received = 0;
    while received < total {
        match s.read(&mut buf).map_err(|e| format!("read after {received} bytes: {e}"))? {
            0 => return Err(format!("end of stream after {received} bytes")),
            n => received += n,
        }
    }
    s.write_all(&[1]).map_err(|e| format!("write: {e}"))?;
    let mut s = accept_within(&listener)?;
    let mut sent = 0;
    while sent < total {
        sent += s.write(&buf[..CHUNK.min(total - sent)]).map_err(|e| format!("write after {sent} bytes: {e}"))?;
    }
    Ok(())
}

/// A connection on `listener` within [`LIMIT`], with I/O timeouts of [`LIMIT`].
fn accept_within(listener: &TcpListener) -> Result<TcpStream, String> {
    let start = Instant::now();
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let s = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && start.elapsed() < LIMIT => thread::sleep(Duration::from_millis(1)),
            Err(e) => return Err(format!("accept: {e}")),
        }
    };
    s.set_nonblocking(false).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(LIMIT)).map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(LIMIT)).map_err(|e| e.to_string())?;
    Ok(s)
}

/// Our side, on a TAP board in the namespace: sends `total` bytes and waits
/// for the acknowledgement, then receives `total` bytes. Returns both times.
fn tap_runtime(total: usize, mtu: usize, listening: mpsc::Receiver<()>) -> Result<(Duration, Duration), String> {
    listening.recv_timeout(LIMIT).map_err(|_| "the kernel side is not listening")?;
    let board = AnyBoard::tap(TapConfig {
        name: "tap0".into(),
        mac: [2, 0, 0, 0, 0, 2],
        mtu,
        ipv4: Some((RUNTIME_IP.into(), 24)),
        gateway_v4: None,
        ipv6: None,
        gateway_v6: None,
        dns: vec![],
        dhcp_v4: DhcpClient::None,
    })
    .map_err(|e| format!("TAP device tap0: {e}"))?;
    let mut memory = HostMemory::new(&usocket_host::boards::HOST_TAP.config);
    let mut stack = Stack::new(memory.lend(), board, usocket_host::boards::HOST_TAP.config).map_err(|e| e.to_string())?;
    let kernel = v4(KERNEL_IP, KERNEL_PORT);
    let (data, mut buf) = (vec![0x5a; CHUNK], vec![0; CHUNK]);

    let (fd, start) = tap_connect(&mut stack, &kernel)?;
    let mut sent = 0;
    while sent < total {
        in_time(start, sent)?;
        sent += ok("send", stack.send(fd, &data[..CHUNK.min(total - sent)]))?;
    }
    if ok("recv acknowledgement", stack.recv(fd, &mut buf[..1]))? != 1 {
        return Err("no acknowledgement".into());
    }
    let up = start.elapsed();
    ok("close", stack.close(fd))?;

    let (fd, start) = tap_connect(&mut stack, &kernel)?;
    let mut received = 0;
    while received < total {
        in_time(start, received)?;
        match ok("recv", stack.recv(fd, &mut buf))? {
            0 => return Err(format!("end of stream after {received} bytes")),
            n => received += n,
        }
    }
    let down = start.elapsed();
    ok("close", stack.close(fd))?;
    Ok((up, down))
}

/// Bare smoltcp as the board's side of the TAP transfers ([`TapSide`]): one
/// interface on the same TAP device with the board's address, one TCP socket
/// with the TAP board's buffers, ACK delay and Nagle, polled in a loop that
/// sleeps in poll(2) on the device until smoltcp's next timer when idle.
fn tap_raw_smoltcp(total: usize, mtu: usize, listening: mpsc::Receiver<()>) -> Result<(Duration, Duration), String> {
    listening.recv_timeout(LIMIT).map_err(|_| "the kernel side is not listening")?;
    let config = usocket_host::boards::HOST_TAP.config;
    let mut device = usocket_host::tap::TapDevice::open("tap0", mtu).map_err(|e| format!("TAP device tap0: {e}"))?;
    let clock = Instant::now();
    let now = || SmolInstant::from_micros(clock.elapsed().as_micros() as i64);
    let mac = usocket_host::smoltcp::wire::EthernetAddress([2, 0, 0, 0, 0, 2]);
    let mut iface = Interface::new(IfaceConfig::new(HardwareAddress::Ethernet(mac)), &mut device, now());
    let [a, b, c, d] = RUNTIME_IP;
    iface.update_ip_addrs(|addrs| addrs.push(IpCidr::new(Ipv4Address::new(a, b, c, d).into(), 24)).expect("one address fits"));
    let [a, b, c, d] = KERNEL_IP;
    let kernel = (Ipv4Address::new(a, b, c, d), KERNEL_PORT);
    let mut sockets = SocketSet::new(vec![]);
    let (data, mut buf) = (vec![0x5a; CHUNK], vec![0; CHUNK]);
    let mut times = [Duration::ZERO; 2];
    // A fresh local port per connection: the kernel keeps earlier ones in TIME-WAIT.
    static NEXT_PORT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(50000);
    for (i, time) in times.iter_mut().enumerate() {
        let local_port = NEXT_PORT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut s = tcp::Socket::new(tcp::SocketBuffer::new(vec![0; config.tcp_rx_bytes]), tcp::SocketBuffer::new(vec![0; config.tcp_tx_bytes]));
        s.set_ack_delay((config.ack_delay_ms > 0).then(|| usocket_host::smoltcp::time::Duration::from_millis(config.ack_delay_ms.into())));
        s.set_nagle_enabled(config.nagle);
        let h = sockets.add(s);
        let start = Instant::now();
        sockets.get_mut::<tcp::Socket>(h).connect(iface.context(), kernel, local_port).map_err(|e| format!("connect: {e}"))?;
        let (mut moved, mut acknowledged) = (0, false);
        loop {
            in_time(start, moved)?;
            iface.poll(now(), &mut device, &mut sockets);
            let s = sockets.get_mut::<tcp::Socket>(h);
            let mut progress = false;
            if i == 0 {
                if moved < total && s.can_send() {
                    let n = s.send_slice(&data[..CHUNK.min(total - moved)]).map_err(|e| format!("send: {e}"))?;
                    moved += n;
                    progress = n > 0;
                }
                if s.can_recv() {
                    acknowledged = s.recv_slice(&mut buf[..1]).map_err(|e| format!("recv: {e}"))? == 1;
                }
                if acknowledged {
                    break;
                }
            } else {
                if s.can_recv() {
                    let n = s.recv_slice(&mut buf).map_err(|e| format!("recv: {e}"))?;
                    moved += n;
                    progress = n > 0;
                }
                if moved >= total {
                    break;
                }
            }
            if !progress {
                let delay = iface.poll_delay(now(), &sockets).map_or(-1, |d| d.total_millis().min(100) as i32);
                let mut fd = libc::pollfd { fd: device.raw_fd(), events: libc::POLLIN, revents: 0 };
                // SAFETY: polls one live pollfd.
                unsafe { libc::poll(&mut fd, 1, delay) };
            }
        }
        *time = start.elapsed();
        sockets.get_mut::<tcp::Socket>(h).close();
        for _ in 0..20 {
            iface.poll(now(), &mut device, &mut sockets);
            thread::sleep(Duration::from_millis(1));
        }
        sockets.remove(h);
    }
    Ok((times[0], times[1]))
}

/// A TAP board (MTU `mtu`) in the namespace sending `total` bytes to itself over 127.0.0.1.
fn tap_to_itself(total: usize, mtu: usize) -> Result<Duration, String> {
    let board = AnyBoard::tap(TapConfig { mtu, ipv4: Some((RUNTIME_IP.into(), 24)), ..TapConfig::from_board(&usocket_host::boards::HOST_TAP) })
        .map_err(|e| format!("TAP device tap0: {e}"))?;
    usocket_to_itself(board, total)
}

/// A blocking socket with a timeout, connected to `to`, and when connect() began.
fn tap_connect(stack: &mut Stack<'_, AnyBoard>, to: &Addr) -> Result<(Fd, Instant), String> {
    let fd = ok("socket", stack.socket(AF_INET, SOCK_STREAM, 0))?;
    ok("settimeout", stack.settimeout(fd, Some(CALL_TIMEOUT_MS)))?;
    let start = Instant::now();
    ok("connect", stack.connect(fd, to))?;
    Ok((fd, start))
}

/// The private network namespace with the kernel's end of the TAP link
/// (`tap0`, 192.0.2.1/24) at `mtu`, deleted on drop.
fn netns(mtu: usize) -> Result<usocket_netns::Netns, String> {
    let ns = usocket_netns::Netns::with_tap(|c| c.output(), NETNS, &format!("{}/24", ipv4(KERNEL_IP)), None)?;
    ns.ip(&["link", "set", "tap0", "mtu", &mtu.to_string()])?;
    Ok(ns)
}
