//! Loopback on an Ethernet board, without root: the runtime on a device that
//! records every frame it is given (the wire) and receives only what a test
//! puts there, with the c-port-tap board's firmware sizes (a 6 KiB loop queue).
//! TCP over 127.0.0.1, ::1 and the board's own addresses, UDP to itself and
//! a refused connect all work, fast (no ARP/NDP question is left waiting), and
//! not one frame reaches the wire. A frame from the wire that claims a
//! loopback address is dropped; a queue of the smallest size drops what does
//! not fit and counts it. On IP medium (the loopback board given a queue, its
//! device losing every frame) the queue carries everything too. The same checks run over TAP against the kernel in
//! `tap_netns.rs` and in the c-port program (`tests/c/cport_tap.c`).

mod common;
mod wire;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{addr, fails};
use usocket_host::constants::{AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM};
use usocket_host::smoltcp::phy::ChecksumCapabilities;
use usocket_host::smoltcp::wire::{
    EthernetAddress, EthernetFrame, EthernetProtocol, IpAddress, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr, TcpControl, TcpPacket, TcpRepr, TcpSeqNumber,
};
use usocket_host::{Board, BoardTime, Config, Errno, Fd, HostMemory, Interrupted, NetConfig, SocketApi, Stack};
use wire::{Frames, Wire};

/// The board's MAC.
const MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
/// Bytes echoed per connection.
const ECHO: usize = 256 * 1024;
/// Longest a test's stack work may take.
const LIMIT: Duration = Duration::from_secs(30);

/// The board: the wire, the host's clock, and c-port-tap's addresses.
struct WireBoard {
    device: Wire<Frames>,
    start: Instant,
}

impl Board for WireBoard {
    type Device = Wire<Frames>;

    fn device(&mut self) -> &mut Wire<Frames> {
        &mut self.device
    }

    fn net(&self) -> NetConfig {
        usocket_host::boards::C_PORT_TAP.net(Some(MAC), 7)
    }

    fn now(&self) -> BoardTime {
        BoardTime::from_micros(self.start.elapsed().as_micros() as u64)
    }

    fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        // Nothing arrives on its own: sleep to the deadline, a little at a time.
        let left = until.map_or(1000, |t| t.saturating_since(self.now()).total_micros().min(1000));
        std::thread::sleep(Duration::from_micros(left));
        Ok(())
    }
}

/// A stack on the wire with `config`, and the wire.
fn wired(config: Config) -> (Stack<'static, WireBoard>, Rc<RefCell<Frames>>) {
    let link = Rc::new(RefCell::new(Frames::default()));
    let board = WireBoard { device: Wire::new(link.clone()), start: Instant::now() };
    let memory = Box::leak(Box::new(HostMemory::new(&config)));
    (Stack::new(memory.lend(), board, config).expect("stack starts"), link)
}

const CPORT: Config = usocket_host::boards::C_PORT_TAP.config;

/// The frames the board sent but its MLD reports: with the `multicast`
/// feature smoltcp reports its solicited-node groups (to 33:33:00:00:00:16),
/// as an IPv6 host must, whatever the traffic.
fn traffic(link: &Rc<RefCell<Frames>>) -> Vec<Vec<u8>> {
    const MLD_REPORTS: [u8; 6] = [0x33, 0x33, 0, 0, 0, 0x16];
    link.borrow().sent.iter().filter(|f| f.get(..6) != Some(&MLD_REPORTS[..])).cloned().collect()
}

fn family(host: &str) -> i32 {
    if host.contains(':') { AF_INET6 } else { AF_INET }
}

fn at(host: &str, port: u16) -> usocket_host::Addr {
    if host.contains(':') { addr(&format!("[{host}]:{port}")) } else { addr(&format!("{host}:{port}")) }
}

fn fnv(h: u64, data: &[u8]) -> u64 {
    data.iter().fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Connects a client to a listener on `host`, then echoes
/// [`ECHO`] bytes through the accepted socket, all non-blocking in one thread.
/// Returns how long connect() took.
fn echo(s: &mut Stack<'static, WireBoard>, host: &str, port: u16) -> Duration {
    let t = Instant::now();
    let (c, srv) = connected(s, host, port);
    let connect = t.elapsed();
    let data: Vec<u8> = (0..ECHO).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    let (mut sent, mut echoed, mut back, mut hash) = (0, 0, 0, 0xcbf2_9ce4_8422_2325);
    let mut buf = vec![0u8; 4096];
    let mut pending: Vec<u8> = Vec::new();
    let start = Instant::now();
    while back < ECHO {
        assert!(start.elapsed() < LIMIT, "echo over {host} stuck: {sent} sent, {echoed} echoed, {back} back");
        if sent < ECHO {
            sent += ok_or_again(s.send(c, &data[sent..(sent + 1024).min(ECHO)]));
        }
        if pending.is_empty() {
            let n = ok_or_again(s.recv(srv, &mut buf));
            pending.extend_from_slice(&buf[..n]);
        }
        if !pending.is_empty() {
            let n = ok_or_again(s.send(srv, &pending));
            pending.drain(..n);
            echoed += n;
        }
        let n = ok_or_again(s.recv(c, &mut buf));
        hash = fnv(hash, &buf[..n]);
        back += n;
    }
    assert_eq!(hash, fnv(0xcbf2_9ce4_8422_2325, &data), "echo over {host}: the bytes came back changed");
    for fd in [c, srv] {
        s.close(fd).unwrap();
    }
    connect
}

/// A non-blocking client and its accepted peer over `host` (the listener is closed).
fn connected<B: Board>(s: &mut Stack<'static, B>, host: &str, port: u16) -> (Fd, Fd) {
    let l = s.socket(family(host), SOCK_STREAM, 0).unwrap();
    s.bind(l, &at(host, port)).unwrap();
    s.listen(l, 1).unwrap();
    let c = s.socket(family(host), SOCK_STREAM, 0).unwrap();
    s.settimeout(c, Some(5000)).unwrap();
    s.connect(c, &at(host, port)).unwrap_or_else(|e| panic!("connect to {host}: {e}"));
    let (srv, from) = s.accept(l).unwrap();
    assert_eq!(from.ip, at(host, 0).ip, "the peer of a connection over {host} is {host}");
    s.close(l).unwrap();
    for fd in [c, srv] {
        s.setblocking(fd, false).unwrap();
    }
    (c, srv)
}

/// The count of an Ok, 0 for EAGAIN; any other error fails.
fn ok_or_again(r: Result<usize, Errno>) -> usize {
    match r {
        Ok(n) => n,
        Err(Errno::EAGAIN) => 0,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn tcp_over_loopback_and_own_addresses_stays_off_the_wire() {
    let (mut s, link) = wired(CPORT);
    let addresses: Vec<IpAddress> = s.addresses().map(|c| c.address()).collect();
    assert_eq!(addresses.len(), 4, "192.0.2.2, 2001:db8::2, 127.0.0.1, ::1: {addresses:?}");
    for (i, host) in ["127.0.0.1", "::1", "192.0.2.2", "2001:db8::2"].into_iter().enumerate() {
        let connect = echo(&mut s, host, 7000 + i as u16);
        // smoltcp holds back a neighbour question for a second after any other:
        // the board's own addresses are known without asking.
        assert!(connect < Duration::from_millis(500), "connect over {host} took {connect:?}");
    }
    let stats = s.loopback_stats();
    assert!(stats.looped > 4 * 2 * (ECHO as u64 / 1460), "every segment went through the loop queue: {stats:?}");
    assert_eq!(stats.dropped, 0, "the board file's queue holds what one pump round sends");
    assert_eq!(traffic(&link).len(), 0, "frames on the wire: {:02x?}", traffic(&link).first());
}

#[test]
fn udp_to_itself_and_a_refused_connect() {
    let (mut s, link) = wired(CPORT);
    for host in ["127.0.0.1", "::1"] {
        let rx = s.socket(family(host), SOCK_DGRAM, 0).unwrap();
        s.bind(rx, &at(host, 9000)).unwrap();
        let tx = s.socket(family(host), SOCK_DGRAM, 0).unwrap();
        s.settimeout(rx, Some(2000)).unwrap();
        for len in [1, 512, 1400] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5a).collect();
            assert_eq!(s.sendto(tx, &msg, &at(host, 9000)), Ok(len));
            let mut buf = [0u8; 2048];
            let (n, from) = s.recvfrom(rx, &mut buf).unwrap_or_else(|e| panic!("recvfrom over {host}: {e}"));
            assert_eq!(&buf[..n], &msg[..], "datagram of {len} bytes over {host}");
            assert_eq!(from.ip, at(host, 0).ip);
        }
        s.close(rx).unwrap();
        s.close(tx).unwrap();
        // No listener: smoltcp answers the SYN with RST, which comes back at once.
        let c = s.socket(family(host), SOCK_STREAM, 0).unwrap();
        s.settimeout(c, Some(2000)).unwrap();
        let t = Instant::now();
        fails(s.connect(c, &at(host, 9001)), Errno::ECONNREFUSED);
        assert!(t.elapsed() < Duration::from_millis(500), "refused over {host} after {:?}", t.elapsed());
        s.close(c).unwrap();
    }
    assert_eq!(traffic(&link).len(), 0, "frames on the wire: {:02x?}", traffic(&link).first());
}

/// A TCP SYN from the wire, from `src` to 127.0.0.1:`port`, to the board's MAC.
fn syn_from_wire(src: Ipv4Address, port: u16) -> Vec<u8> {
    let dst = Ipv4Address::new(127, 0, 0, 1);
    let tcp = TcpRepr {
        src_port: 40000,
        dst_port: port,
        control: TcpControl::Syn,
        seq_number: TcpSeqNumber(1),
        ack_number: None,
        window_len: 1000,
        window_scale: None,
        max_seg_size: None,
        sack_permitted: false,
        sack_ranges: [None; 3],
        timestamp: None,
        payload: &[],
    };
    let ip = Ipv4Repr { src_addr: src, dst_addr: dst, next_header: IpProtocol::Tcp, payload_len: tcp.header_len(), hop_limit: 64 };
    let mut frame = vec![0u8; 14 + 20 + tcp.header_len()];
    let mut eth = EthernetFrame::new_unchecked(&mut frame[..]);
    eth.set_dst_addr(EthernetAddress(MAC));
    eth.set_src_addr(EthernetAddress([0x02, 0, 0, 0, 0, 0x66]));
    eth.set_ethertype(EthernetProtocol::Ipv4);
    let caps = ChecksumCapabilities::default();
    ip.emit(&mut Ipv4Packet::new_unchecked(&mut frame[14..34]), &caps);
    tcp.emit(&mut TcpPacket::new_unchecked(&mut frame[34..]), &src.into(), &dst.into(), &caps);
    frame
}

#[test]
fn frames_from_the_wire_that_claim_loopback_addresses_are_dropped() {
    let (mut s, link) = wired(CPORT);
    let l = s.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    s.bind(l, &addr("127.0.0.1:8000")).unwrap();
    s.listen(l, 2).unwrap();
    s.setblocking(l, false).unwrap();
    // From a loopback source, and from a link address to 127.0.0.1: a host on
    // the link must not reach a service bound to 127.0.0.1.
    for src in [Ipv4Address::new(127, 0, 0, 9), Ipv4Address::new(192, 0, 2, 1)] {
        link.borrow_mut().incoming.push_back(syn_from_wire(src, 8000));
        for _ in 0..5 {
            s.pump();
        }
        assert!(link.borrow().incoming.is_empty(), "the stack took the frame");
        fails(s.accept(l), Errno::EAGAIN);
    }
    assert_eq!(traffic(&link).len(), 0, "no SYN-ACK, no RST, no ARP went out: {:02x?}", traffic(&link).first());
}

#[test]
fn a_full_loop_queue_drops_and_counts() {
    // The smallest queue: one full frame besides the room for the next.
    let config = Config { loopback_bytes: 2 * (4 + 1514), ..CPORT };
    let (mut s, link) = wired(config);
    let too_small = Config { loopback_bytes: config.loopback_bytes - 1, ..CPORT };
    let memory = Box::leak(Box::new(HostMemory::new(&too_small)));
    let board = WireBoard { device: Wire::new(link.clone()), start: Instant::now() };
    let refused = Stack::new(memory.lend(), board, too_small).err().map(|e| e.to_string());
    assert_eq!(refused.as_deref(), Some("board config: `loopback_bytes` must be at least 3036"));

    // The device is busy while a UDP socket queues a full-size datagram and
    // both ends of a connection some data: once it is free, one
    // round sends them all to the board itself. One frame fits; the rest are
    // dropped and counted, and TCP sends its segment again.
    let rx = s.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    s.bind(rx, &addr("127.0.0.1:9100")).unwrap();
    s.setblocking(rx, false).unwrap();
    let tx = s.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    let (c, srv) = connected(&mut s, "127.0.0.1", 9101);
    link.borrow_mut().busy = true;
    let msg = [0xa5u8; 1400];
    assert_eq!(s.sendto(tx, &msg, &addr("127.0.0.1:9100")), Ok(msg.len()));
    let data: Vec<u8> = (0..1000).map(|i| (i * 7) as u8).collect();
    assert_eq!(s.send(c, &data), Ok(data.len()));
    assert_eq!(s.send(srv, &data), Ok(data.len()));
    assert_eq!(s.loopback_stats().dropped, 0, "nothing was sent while the device was busy");
    link.borrow_mut().busy = false;
    s.pump();
    let mut datagrams = 0;
    let mut buf = [0u8; 2048];
    while let Ok((n, _)) = s.recvfrom(rx, &mut buf) {
        assert_eq!(n, msg.len());
        datagrams += 1;
    }
    let dropped = s.loopback_stats().dropped;
    assert!(dropped >= 2, "three frames in one round, room for one: {:?}", s.loopback_stats());
    assert!(datagrams <= 1, "{datagrams} datagrams came");
    let start = Instant::now();
    for (from, to) in [(srv, c), (c, srv)] {
        let mut got = Vec::new();
        while got.len() < data.len() {
            assert!(start.elapsed() < LIMIT, "TCP did not resend: {} of {} bytes", got.len(), data.len());
            let n = ok_or_again(s.recv(to, &mut buf));
            got.extend_from_slice(&buf[..n]);
            if n == 0 {
                s.idle().unwrap();
            }
        }
        assert_eq!(got, data, "{from} -> {to}");
    }
    eprintln!("selflink: after the drops TCP delivered both ways in {:?}; {:?}", start.elapsed(), s.loopback_stats());
    assert_eq!(traffic(&link).len(), 0, "a dropped frame to itself does not go to the wire instead");
}

#[test]
fn an_ip_medium_board_with_a_loop_queue_keeps_its_traffic_off_the_device() {
    // The loopback board's device loses every frame: what arrives came through the loop queue.
    let config = Config { loopback_bytes: 4 * (4 + 65535), ..usocket_host::boards::HOST_LOOPBACK.config };
    let memory = Box::leak(Box::new(HostMemory::new(&config)));
    let board = usocket_host::AnyBoard::loopback().with_faults(usocket_host::faults::Faults::parse("loss=100%,seed=1").unwrap());
    let mut s = Stack::new(memory.lend(), board, config).expect("stack starts");
    for (i, host) in ["127.0.0.1", "::1"].into_iter().enumerate() {
        let (c, srv) = connected(&mut s, host, 7100 + i as u16);
        let data = vec![0x3cu8; 200_000];
        let (mut sent, mut got) = (0, 0);
        let mut buf = vec![0u8; 65536];
        let start = Instant::now();
        while got < data.len() {
            assert!(start.elapsed() < LIMIT, "stuck over {host}: {got} of {}", data.len());
            if sent < data.len() {
                sent += ok_or_again(s.send(c, &data[sent..]));
            }
            let n = ok_or_again(s.recv(srv, &mut buf));
            assert!(buf[..n].iter().all(|&b| b == 0x3c));
            got += n;
        }
    }
    assert_eq!(s.board().fault_stats().frames, 0, "frames given to the device");
    assert!(s.loopback_stats().looped > 0);
}
