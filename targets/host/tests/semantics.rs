//! BSD behaviour beyond the error rules, on the loopback board: listen
//! backlogs, graceful close after the fd is gone, SO_LINGER resets, shutdown,
//! UDP queues and truncation, stream helpers, raw sockets, and that churn
//! leaves nothing behind.

mod common;

use common::*;
use usocket_host::constants::*;
use usocket_host::{Config, Errno, SocketApi};

#[test]
fn a_listener_queues_up_to_its_backlog_and_drops_further_syns() {
    let mut s = stack();
    let (l, a) = listener(&mut s, "127.0.0.1", 3);
    // Back-to-back connects: all three are taken without accept() running.
    let clients: Vec<_> = (0..3)
        .map(|_| {
            let c = tcp(&mut s, AF_INET);
            s.connect(c, &a).expect("queued connect completes");
            c
        })
        .collect();
    // The queue is full: the next SYN is dropped, not reset, so connect waits.
    let late = tcp(&mut s, AF_INET);
    s.setblocking(late, false).unwrap();
    fails(s.connect(late, &a), Errno::EINPROGRESS);
    for _ in 0..20 {
        assert_eq!(s.poll(late, POLL_RD | POLL_WR), Ok(0), "the late client is neither refused nor connected");
    }
    // Accepting makes room; the client's SYN retransmission then gets in.
    let mut peers = vec![];
    for _ in 0..3 {
        let (fd, peer) = s.accept(l).unwrap();
        peers.push(peer.port);
        s.close(fd).unwrap();
    }
    let ports: Vec<u16> = clients.iter().map(|&c| s.getsockname(c).unwrap().port).collect();
    assert_eq!(peers, ports, "accept() returns connections in arrival order");
    s.settimeout(l, Some(5000)).unwrap();
    let (fd, peer) = s.accept(l).expect("the dropped SYN was retried");
    assert_eq!(peer.port, s.getsockname(late).unwrap().port);
    assert_eq!(s.poll(late, POLL_WR), Ok(POLL_WR as usize));
    s.close(fd).unwrap();
}

#[test]
fn close_delivers_queued_data_and_fin_after_the_fd_is_gone() {
    let mut s = stack_with(Config { tcp_tx_bytes: 8192, tcp_rx_bytes: 8192, ..usocket_host::boards::HOST_LOOPBACK.config });
    let (c, srv, _l) = pair(&mut s, "127.0.0.1");
    let data: Vec<u8> = (0..6000u32).map(|i| (i * 7) as u8).collect();
    s.setblocking(srv, false).unwrap();
    assert_eq!(s.send(srv, &data), Ok(6000));
    s.close(srv).unwrap();
    let mut got = vec![0u8; 7000];
    let mut n = 0;
    loop {
        match s.recv(c, &mut got[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => panic!("recv: {}", e.name()),
        }
    }
    assert_eq!(&got[..n], &data[..], "every byte, then EOF");
    s.close(c).unwrap();
    for _ in 0..10 {
        s.poll(c, 0).ok();
    }
    assert!(s.pool_in_use() <= 2, "only the listener and at most one TIME-WAIT remain: {}", s.pool_in_use());
}

#[test]
fn shutdown_write_sends_eof_and_keeps_reading() {
    let mut s = stack();
    let (c, srv, _l) = pair(&mut s, "::1");
    s.shutdown(c, SHUT_WR).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(s.recv(srv, &mut buf), Ok(0), "the peer sees EOF");
    assert_eq!(s.send(srv, b"late"), Ok(4), "the other direction stays open");
    assert_eq!(s.recv(c, &mut buf), Ok(4));
    fails(s.send(c, b"x"), Errno::EPIPE);
    s.shutdown(srv, SHUT_RD).unwrap();
    assert_eq!(s.recv(srv, &mut buf), Ok(0));
    fails(s.shutdown(srv, 7), Errno::EINVAL);
}

#[test]
fn stream_helpers_read_exactly_and_by_line() {
    let mut s = stack();
    let (c, srv, _l) = pair(&mut s, "127.0.0.1");
    s.sendall(srv, b"first line\nsecond").unwrap();
    let mut line = [0u8; 64];
    assert_eq!(s.readline(c, &mut line), Ok(11));
    assert_eq!(&line[..11], b"first line\n");
    s.sendall(srv, b" part\nrest").unwrap();
    let n = s.readline(c, &mut line).unwrap();
    assert_eq!(&line[..n], b"second part\n");
    // read(4) waits for all four bytes, then EOF cuts the last read short.
    let mut four = [0u8; 4];
    assert_eq!(s.read(c, &mut four), Ok(4));
    assert_eq!(&four, b"rest");
    s.sendall(srv, b"ab").unwrap();
    s.close(srv).unwrap();
    assert_eq!(s.read(c, &mut four), Ok(2));
    assert_eq!(s.read(c, &mut four), Ok(0));
}

#[test]
fn udp_queues_datagrams_and_truncates_like_bsd() {
    let mut s = stack();
    let a = udp(&mut s, AF_INET);
    let b = udp(&mut s, AF_INET);
    s.bind(a, &addr("127.0.0.1:0")).unwrap();
    let at = s.getsockname(a).unwrap();
    for i in 0..5u8 {
        assert_eq!(s.sendto(b, &[i; 100], &at), Ok(100), "sendto auto-binds");
    }
    let from = s.getsockname(b).unwrap();
    assert!(from.port >= 49152, "ephemeral port {}", from.port);
    let mut small = [0u8; 10];
    for i in 0..5u8 {
        let (n, peer) = s.recvfrom(a, &mut small).unwrap();
        assert_eq!((n, small[0], peer.port), (10, i, from.port), "datagram {i}: cut to the buffer, the rest discarded");
    }
    s.setblocking(a, false).unwrap();
    fails(s.recvfrom(a, &mut small), Errno::EAGAIN);
    fails(s.sendto(b, b"x", &addr("127.255.255.255:9")), Errno::EPERM);
    s.setsockopt(b, SOL_SOCKET, SO_BROADCAST, &1i32.to_ne_bytes()).unwrap();
    assert_eq!(s.sendto(b, b"x", &addr("127.255.255.255:9")), Ok(1));
}

#[test]
fn datagrams_to_an_unspecified_address_are_refused() {
    // A raw sendto() to 0.0.0.0 or :: reached smoltcp's assertion that a
    // packet has a destination, a panic across the C ABI (found by fuzzing).
    let mut s = stack();
    for (family, to) in [(AF_INET, "0.0.0.0:0"), (AF_INET6, "[::]:0")] {
        let proto = if family == AF_INET { IPPROTO_ICMP } else { IPPROTO_ICMPV6 };
        let r = s.socket(family, SOCK_RAW, proto).unwrap();
        fails(s.sendto(r, b"\x08\x00\x00\x00", &addr(to)), Errno::EINVAL);
        s.close(r).unwrap();
        let u = udp(&mut s, family);
        fails(s.sendto(u, b"x", &addr(&to.replace(":0", ":9"))), Errno::EINVAL);
        s.close(u).unwrap();
    }
    s.pump();
}

#[test]
fn raw_icmp_echo_gets_the_stacks_reply() {
    let mut s = stack();
    let r = s.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP).unwrap();
    // Echo request: type 8, code 0, checksum, id 0x1234, seq 1, payload.
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1, b'p', b'i', b'n', b'g'];
    let sum = icmp.chunks(2).map(|w| u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)]))).sum::<u32>();
    let folded = !(((sum & 0xffff) + (sum >> 16)) as u16);
    icmp[2..4].copy_from_slice(&folded.to_be_bytes());
    assert_eq!(s.sendto(r, &icmp, &addr("127.0.0.1:0")), Ok(icmp.len()));
    s.settimeout(r, Some(1000)).unwrap();
    let mut buf = [0u8; 128];
    // IPv4 raw sockets receive the IP header too; find the reply (type 0).
    for _ in 0..4 {
        let (n, from) = s.recvfrom(r, &mut buf).unwrap();
        let header = usize::from(buf[0] & 0x0f) * 4;
        if buf[header] == 0 {
            assert_eq!(&buf[header + 4..n], &icmp[4..], "same id, sequence and payload");
            assert_eq!(&from.ip[..4], &[127, 0, 0, 1]);
            return;
        }
    }
    panic!("no echo reply");
}

#[test]
fn churn_leaves_no_socket_behind() {
    let mut s = stack_with(Config { sockets: 8, tcp_sockets: 8, ..usocket_host::boards::HOST_LOOPBACK.config });
    let (l, a) = listener(&mut s, "127.0.0.1", 2);
    for i in 0..500 {
        let c = tcp(&mut s, AF_INET);
        s.connect(c, &a).unwrap_or_else(|e| panic!("cycle {i}: connect {}", e.name()));
        let (srv, _) = s.accept(l).unwrap();
        s.sendall(c, b"ping").unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(s.recv(srv, &mut buf), Ok(4));
        if i % 2 == 0 {
            s.close(c).unwrap();
            s.close(srv).unwrap();
        } else {
            s.close(srv).unwrap();
            s.close(c).unwrap();
        }
    }
    s.close(l).unwrap();
    for _ in 0..5 {
        let probe = udp(&mut s, AF_INET);
        s.poll(probe, 0).unwrap();
        s.close(probe).unwrap();
    }
    assert_eq!(s.open_sockets(), 0);
    assert_eq!(s.pool_in_use(), 0, "TIME-WAIT lives in the bind table only: every pooled socket is free");
}

#[test]
fn data_received_before_a_reset_is_read_first() {
    let mut s = stack();
    let (c, srv, _l) = pair(&mut s, "127.0.0.1");
    s.sendall(srv, b"last words").unwrap();
    let linger0 = [1i32.to_ne_bytes(), 0i32.to_ne_bytes()].concat();
    s.setsockopt(srv, SOL_SOCKET, SO_LINGER, &linger0).unwrap();
    s.close(srv).unwrap();
    let flags = s.poll(c, POLL_RD).unwrap() as i32;
    assert_eq!(flags & (POLL_RD | POLL_ERR), POLL_RD | POLL_ERR, "readable, and the reset shows: {flags:#x}");
    let mut buf = [0u8; 32];
    assert_eq!(s.recv(c, &mut buf), Ok(10));
    assert_eq!(&buf[..10], b"last words");
    fails(s.recv(c, &mut buf), Errno::ECONNRESET);
    assert_eq!(s.recv(c, &mut buf), Ok(0), "then a dead socket reads end of stream");
}

#[test]
fn closing_a_socket_drops_its_multicast_memberships() {
    // More joins than the board has groups (and the table pairs), each on a
    // socket closed afterwards: a membership left behind would fill them.
    let mut s = stack();
    let groups = s.config().multicast_groups;
    for (ty, proto) in [(SOCK_DGRAM, 0), (SOCK_RAW, IPPROTO_UDP)] {
        for i in 0..3 * groups as u8 {
            let fd = s.socket(AF_INET, ty, proto).expect("socket");
            assert_eq!(s.setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &[239, 1, 9, i, 0, 0, 0, 0]), Ok(()), "join {i} on type {ty}");
            s.close(fd).expect("close");
        }
    }
}

#[test]
fn poll_delay_is_the_next_timer_and_none_when_idle() {
    let mut s = stack();
    assert_eq!(s.poll_delay(), Ok(None), "a fresh stack waits for frames only");
    let (_l, a) = listener(&mut s, "127.0.0.1", 1);
    let queued = tcp(&mut s, AF_INET);
    s.connect(queued, &a).expect("the queue takes one");
    let late = tcp(&mut s, AF_INET);
    s.setblocking(late, false).unwrap();
    fails(s.connect(late, &a), Errno::EINPROGRESS);
    // The late SYN was dropped (the queue is full): its retransmission is due
    // within smoltcp's initial retransmission timeout, 1 s.
    let delay = s.poll_delay().unwrap().expect("a SYN retransmission is pending");
    assert!(delay <= 1000, "next timer in {delay} ms");
    s.close_all().unwrap();
    assert_eq!(s.poll_delay(), Ok(None), "nothing is pending once every connection is closed");
}

#[test]
fn retrying_a_non_blocking_connect_alone_completes_it() {
    // A Stack used directly has no runner: only calls drive it, as on bare
    // metal. The listener's full queue drops the late client's SYN, so its
    // handshake ends only with the SYN's retransmission, a timer later.
    let mut s = stack();
    let (l, a) = listener(&mut s, "127.0.0.1", 1);
    let first = tcp(&mut s, AF_INET);
    s.connect(first, &a).unwrap();
    let late = tcp(&mut s, AF_INET);
    s.setblocking(late, false).unwrap();
    fails(s.connect(late, &a), Errno::EINPROGRESS);
    let (fd, _) = s.accept(l).unwrap();
    s.close(fd).unwrap();
    let start = std::time::Instant::now();
    let last = loop {
        match s.connect(late, &a) {
            Err(Errno::EALREADY) if start.elapsed() < std::time::Duration::from_secs(5) => std::thread::sleep(std::time::Duration::from_millis(1)),
            other => break other,
        }
    };
    assert_eq!(last, Err(Errno::EISCONN), "after {:?} of retries", start.elapsed());
}

#[test]
fn a_board_whose_device_and_address_differ_in_medium_does_not_start() {
    use usocket_host::smoltcp::phy::Medium;
    use usocket_host::smoltcp::wire::{EthernetAddress, HardwareAddress};
    use usocket_host::{AnyBoard, Board, BoardTime, HostMemory, Interrupted, NetConfig, Stack, StartError};

    /// The loopback board (an IP-medium device) claiming a MAC.
    struct WithMac(AnyBoard);
    impl Board for WithMac {
        type Device = <AnyBoard as Board>::Device;
        fn device(&mut self) -> &mut Self::Device {
            self.0.device()
        }
        fn net(&self) -> NetConfig {
            NetConfig { hardware: HardwareAddress::Ethernet(EthernetAddress([2, 0, 0, 0, 0, 9])), ..self.0.net() }
        }
        fn now(&self) -> BoardTime {
            self.0.now()
        }
        fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
            self.0.wait(until)
        }
    }
    let config = usocket_host::boards::HOST_LOOPBACK.config;
    let mut memory = HostMemory::new(&config);
    let started = Stack::new(memory.lend(), WithMac(AnyBoard::loopback()), config);
    assert_eq!(started.err(), Some(StartError::Medium(Medium::Ip)));
}
