//! The typed API (`usocket_runtime::net`) on the loopback board: handles over
//! a `RefCell` stack and a `Shared` one, timeouts, close on drop, the
//! embedded-io and embedded-nal impls, and the error types' forms.

mod common;

use std::cell::RefCell;
use std::error::Error;
use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use common::stack;
use usocket_host::net::{Access, DnsError, Nal, Shutdown, TcpListener, TcpStream, UdpSocket};
use usocket_host::platform::HostPlatform;
use usocket_host::{AnyBoard, Board, Errno, GaiError, Shared, Stack, StartError, boards, static_memory};

type Net = Shared<Stack<'static, AnyBoard>, HostPlatform>;

fn at(text: &str) -> SocketAddr {
    text.parse().expect("socket address")
}

/// The loopback stack, shared by threads.
fn shared() -> Net {
    let stack = stack();
    let platform = HostPlatform::new();
    platform.started(stack.board().clock().clone(), None);
    Shared::new(stack, platform)
}

/// The loopback stack on simulated time: a timeout costs no wall time.
fn simulated() -> Stack<'static, AnyBoard> {
    let config = boards::HOST_LOOPBACK.config;
    let memory = Box::leak(Box::new(usocket_host::HostMemory::new(&config)));
    Stack::new(memory.lend(), AnyBoard::loopback().with_simulated_time(), config).unwrap()
}

/// 1 MiB of bytes that are not all alike.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn a_mebibyte_echoes_through_typed_handles_on_a_shared_stack() {
    let net = shared();
    let data = pattern(1 << 20);
    let listener = TcpListener::bind(&net, at("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    assert_ne!(addr.port(), 0, "an ephemeral port was picked");
    let client = TcpStream::connect(&net, addr).unwrap();
    client.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let got = thread::scope(|scope| {
        scope.spawn(|| {
            let (conn, peer) = listener.accept().unwrap();
            assert_eq!(conn.peer_addr().unwrap(), peer);
            let mut buf = [0u8; 4096];
            loop {
                let n = conn.recv(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                conn.send_all(&buf[..n]).unwrap();
            }
        });
        let writer = scope.spawn(|| {
            for chunk in data.chunks(10_000) {
                client.send_all(chunk).unwrap();
            }
            client.shutdown(Shutdown::Write).unwrap();
        });
        let mut got = Vec::with_capacity(data.len());
        let mut buf = [0u8; 8192];
        loop {
            let n = client.recv(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        writer.join().unwrap();
        got
    });
    assert_eq!(got.len(), data.len());
    assert!(got == data, "the echo came back intact");
}

#[test]
fn a_udp_round_trip_with_addresses_and_a_connected_peer() {
    let net = RefCell::new(stack());
    let a = UdpSocket::bind(&net, at("127.0.0.1:0")).unwrap();
    let b = UdpSocket::bind(&net, at("[::1]:0")).unwrap();
    let mut c = UdpSocket::bind(&net, at("127.0.0.1:0")).unwrap();
    a.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    assert_eq!(b.local_addr().unwrap().ip(), at("[::1]:0").ip());

    assert_eq!(a.send_to(b"ping", c.local_addr().unwrap()).unwrap(), 4);
    let mut buf = [0u8; 16];
    let (n, from) = c.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr().unwrap()));

    assert_eq!(c.send(b"x"), Err(Errno::ENOTCONN));
    c.connect(from).unwrap();
    assert_eq!(c.peer_addr().unwrap(), from);
    c.send(b"pong!").unwrap();
    let (n, _) = a.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"pong!");
    assert_eq!(a.peer_addr(), Err(Errno::ENOTCONN));
    // A connected socket takes only its peer's datagrams.
    let stranger = UdpSocket::bind(&net, at("127.0.0.1:0")).unwrap();
    stranger.send_to(b"noise", c.local_addr().unwrap()).unwrap();
    a.send_to(b"real", c.local_addr().unwrap()).unwrap();
    let n = c.recv(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"real");
}

#[test]
fn timeouts_give_etimedout_and_nonblocking_gives_eagain() {
    let net = RefCell::new(simulated());
    let u = UdpSocket::bind(&net, at("127.0.0.1:0")).unwrap();
    assert_eq!(u.set_read_timeout(Some(Duration::ZERO)), Err(Errno::EINVAL), "zero is not a timeout, as std");
    u.set_read_timeout(Some(Duration::from_millis(150))).unwrap();
    assert_eq!(u.read_timeout(), Some(Duration::from_millis(150)));
    let mut buf = [0u8; 4];
    assert_eq!(u.recv_from(&mut buf), Err(Errno::ETIMEDOUT));

    u.set_nonblocking(true);
    // On simulated time a wait costs no wall time: the board's clock tells.
    let before = net.borrow().board().now();
    assert_eq!(u.recv_from(&mut buf), Err(Errno::EAGAIN));
    let waited = net.borrow().board().now().saturating_since(before).total_millis();
    assert!(waited < 150, "non-blocking does not wait: {waited} ms of board time (the read timeout is 150 ms)");
    u.set_nonblocking(false);
    assert_eq!(u.recv_from(&mut buf), Err(Errno::ETIMEDOUT), "the timeout is back");

    // A TCP read timeout with nothing sent, the write side unaffected.
    let listener = TcpListener::bind(&net, at("127.0.0.1:0")).unwrap();
    let client = TcpStream::connect(&net, listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    server.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    assert_eq!(server.recv(&mut buf), Err(Errno::ETIMEDOUT));
    assert_eq!(server.write_timeout(), None);
    server.send_all(b"ok").unwrap();
    assert_eq!(client.recv(&mut buf).unwrap(), 2);
    listener.set_timeout(Some(Duration::from_millis(50))).unwrap();
    assert_eq!(listener.accept().map(|(_, a)| a), Err(Errno::ETIMEDOUT));
}

#[test]
fn a_dropped_handle_closes_its_fd() {
    let net = RefCell::new(stack());
    let open = || net.borrow().open_sockets();
    let before = open();
    {
        let listener = TcpListener::bind(&net, at("127.0.0.1:0")).unwrap();
        let client = TcpStream::connect(&net, listener.local_addr().unwrap()).unwrap();
        let (_server, _) = listener.accept().unwrap();
        let _udp = UdpSocket::bind(&net, at("127.0.0.1:0")).unwrap();
        assert_eq!(open(), before + 4);
        let fd = client.fd();
        drop(client);
        assert_eq!(open(), before + 3);
        // The fd number is free again: the next socket may take it.
        let again = UdpSocket::bind(&net, at("127.0.0.1:0")).unwrap();
        assert_eq!(again.fd(), fd, "the closed fd came back");
        assert_eq!(again.close(), Ok(()), "an explicit close reports");
        assert_eq!(open(), before + 3, "and the drop after it closed nothing more");
    }
    assert_eq!(open(), before, "every handle closed its fd");
}

#[test]
fn a_call_from_inside_a_call_is_ealready_not_a_panic() {
    let net = RefCell::new(stack());
    let inner = net.call(|_| Ok(UdpSocket::bind(&net, at("127.0.0.1:0")).map(|_| ())));
    assert_eq!(inner, Ok(Err(Errno::EALREADY)));
}

#[test]
fn tcp_stream_is_embedded_io_read_write() {
    use embedded_io::{ErrorKind, Read, ReadReady, Write, WriteReady};

    let net = shared();
    let listener = TcpListener::bind(&net, at("[::1]:0")).unwrap();
    let mut client = TcpStream::connect(&net, listener.local_addr().unwrap()).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    assert!(!server.read_ready().unwrap(), "nothing sent yet");
    assert!(client.write_ready().unwrap());
    let data = pattern(100_000);
    thread::scope(|scope| {
        scope.spawn(|| {
            client.write_all(&data).unwrap();
            client.flush().unwrap();
        });
        let mut got = vec![0u8; data.len()];
        server.read_exact(&mut got).unwrap();
        assert!(got == data);
    });
    assert!(!server.read_ready().unwrap());
    server.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let err = server.read(&mut [0u8; 4]).unwrap_err();
    assert_eq!(embedded_io::Error::kind(&err), ErrorKind::TimedOut);
    drop(client);
    assert!(server.read_ready().unwrap(), "end of stream is ready");
    assert_eq!(server.read(&mut [0u8; 4]).unwrap(), 0);
    assert_eq!(embedded_io::Error::kind(&Errno::ECONNREFUSED), ErrorKind::ConnectionRefused);
}

#[test]
fn nal_connect_would_block_then_succeeds_and_moves_bytes() {
    use embedded_nal::{TcpClientStack, TcpFullStack, nb};

    let net = RefCell::new(stack());
    let mut nal = Nal::new(&net);
    let mut server = nal.socket().unwrap();
    nal.bind(&mut server, 0).unwrap();
    nal.listen(&mut server).unwrap();
    let port = server.local_addr().unwrap().port();
    assert!(matches!(nal.accept(&mut server), Err(nb::Error::WouldBlock)), "no connection yet");

    let mut client = nal.socket().unwrap();
    let remote = at(&format!("127.0.0.1:{port}"));
    let mut blocked = 0;
    let connected = (0..10_000).find_map(|_| match nal.connect(&mut client, remote) {
        Ok(()) => Some(Ok(())),
        Err(nb::Error::WouldBlock) => {
            blocked += 1;
            None
        }
        Err(nb::Error::Other(e)) => Some(Err(e)),
    });
    assert_eq!(connected, Some(Ok(())));
    assert!(blocked >= 1, "the first connect would block (EINPROGRESS)");
    assert_eq!(nal.connect(&mut client, remote), Ok(()), "connected stays Ok");

    let (mut conn, peer) = nb::block!(nal.accept(&mut server)).unwrap();
    assert_eq!(peer.ip(), remote.ip());
    let mut buf = [0u8; 8];
    assert!(matches!(nal.receive(&mut conn, &mut buf), Err(nb::Error::WouldBlock)));
    assert_eq!(nb::block!(nal.send(&mut client, b"hello")), Ok(5));
    let n = nb::block!(nal.receive(&mut conn, &mut buf)).unwrap();
    assert_eq!(&buf[..n], b"hello");
    nal.close(client).unwrap();
    let eof = nb::block!(nal.receive(&mut conn, &mut buf)).unwrap_err();
    assert_eq!(embedded_nal::TcpError::kind(&eof), embedded_nal::TcpErrorKind::PipeClosed, "end of stream is PipeClosed");

    // Refused: the failure comes back, not WouldBlock forever.
    let mut refused = nal.socket().unwrap();
    let nobody = at("127.0.0.1:9");
    let failed = (0..10_000).find_map(|_| match nal.connect(&mut refused, nobody) {
        Err(nb::Error::WouldBlock) => None,
        other => Some(other),
    });
    assert_eq!(failed, Some(Err(nb::Error::Other(Errno::ECONNREFUSED))));
}

#[test]
fn nal_udp_round_trips_and_dns_resolves_numbers() {
    use embedded_nal::{AddrType, Dns, UdpClientStack, UdpFullStack, nb};

    let net = RefCell::new(stack());
    let mut nal = Nal::new(&net);
    let mut a = nal.socket().unwrap();
    let mut b = nal.socket().unwrap();
    nal.bind(&mut b, 40_123).unwrap();
    let to = at("127.0.0.1:40123");
    nb::block!(nal.send_to(&mut a, to, b"one")).unwrap();
    let mut buf = [0u8; 8];
    let (n, from) = nb::block!(nal.receive(&mut b, &mut buf)).unwrap();
    assert_eq!(&buf[..n], b"one");
    nb::block!(nal.send_to(&mut b, from, b"two")).unwrap();
    let (n, _) = nb::block!(nal.receive(&mut a, &mut buf)).unwrap();
    assert_eq!(&buf[..n], b"two");
    assert!(matches!(nal.receive(&mut a, &mut buf), Err(nb::Error::WouldBlock)));
    // send goes to the last send_to's peer.
    nb::block!(nal.send(&mut a, b"three")).unwrap();
    let (n, _) = nb::block!(nal.receive(&mut b, &mut buf)).unwrap();
    assert_eq!(&buf[..n], b"three");

    // An IPv6 peer makes a fresh socket IPv6, for send_to and connect alike.
    let receiver = UdpSocket::bind(&net, at("[::1]:0")).unwrap();
    receiver.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut six = nal.socket().unwrap();
    nb::block!(nal.send_to(&mut six, receiver.local_addr().unwrap(), b"v6")).unwrap();
    let (n, from) = receiver.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from.port(), from.is_ipv6()), (&b"v6"[..], six.local_addr().unwrap().port(), true));
    let mut connected = nal.socket().unwrap();
    nal.connect(&mut connected, receiver.local_addr().unwrap()).unwrap();
    nb::block!(nal.send(&mut connected, b"c6")).unwrap();
    let (n, from) = receiver.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from.is_ipv6()), (&b"c6"[..], true));

    assert_eq!(nb::block!(nal.get_host_by_name("127.0.0.1", AddrType::Either)), Ok("127.0.0.1".parse().unwrap()));
    assert_eq!(nb::block!(nal.get_host_by_name("::1", AddrType::IPv6)), Ok("::1".parse().unwrap()));
    let unknown = nb::block!(nal.get_host_by_name("no-such-host.invalid", AddrType::IPv4)).unwrap_err();
    assert!(matches!(unknown, DnsError::Lookup(_)), "{unknown:?}");
    let mut name = [0u8; 255];
    assert_eq!(nal.get_host_by_address("127.0.0.1".parse().unwrap(), &mut name), Err(nb::Error::Other(DnsError::Unsupported)));
}

#[test]
fn errors_print_their_names_and_go_into_box_dyn_error() {
    assert_eq!(format!("{:?}", Errno::ETIMEDOUT), "Errno(ETIMEDOUT)");
    assert_eq!(format!("{:?}", GaiError::EAI_NONAME), "GaiError(EAI_NONAME)");
    assert_eq!(format!("{:?}", Err::<(), _>(Errno::EAGAIN)), "Err(Errno(EAGAIN))");
    assert!(Errno::ECONNREFUSED.to_string().starts_with("ECONNREFUSED (111)"));

    fn start() -> Result<(), Box<dyn Error>> {
        let mut config = boards::HOST_LOOPBACK.config;
        config.sockets = 0;
        let mut memory = usocket_host::HostMemory::new(&config);
        Stack::new(memory.lend(), AnyBoard::loopback(), config)?;
        Ok(())
    }
    let err = start().unwrap_err();
    let start_error = err.downcast_ref::<StartError>().expect("a StartError");
    assert!(start_error.source().is_some(), "the config error is its source");
    assert!(err.to_string().contains("sockets"), "{err}");

    fn typed() -> Result<(), Box<dyn Error>> {
        let net = RefCell::new(stack());
        TcpStream::connect(&net, "127.0.0.1:9".parse()?)?;
        Ok(())
    }
    assert_eq!(typed().unwrap_err().downcast_ref::<Errno>(), Some(&Errno::ECONNREFUSED));
}

#[test]
fn static_memory_starts_a_stack_once() {
    fn memory() -> Option<usocket_host::Memory<'static>> {
        static_memory!(boards::HOST_LOOPBACK.config)
    }
    let config = boards::HOST_LOOPBACK.config;
    let stack = Stack::new(memory().expect("the first take"), AnyBoard::loopback(), config).unwrap();
    assert!(memory().is_none(), "given out once");
    let net = RefCell::new(stack);
    let listener = TcpListener::bind(&net, at("127.0.0.1:0")).unwrap();
    let client = TcpStream::connect(&net, listener.local_addr().unwrap()).unwrap();
    client.send_all(b"static").unwrap();
    let (server, _) = listener.accept().unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(server.recv(&mut buf).unwrap(), 6);
}

#[test]
fn a_shared_stack_handle_blocks_without_holding_the_stack() {
    let net = shared();
    let listener = TcpListener::bind(&net, at("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    thread::scope(|scope| {
        let blocked = scope.spawn(|| {
            let lonely = UdpSocket::bind(&net, at("127.0.0.1:0")).unwrap();
            lonely.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            lonely.recv_from(&mut [0u8; 4]).map(|(n, _)| n)
        });
        thread::sleep(Duration::from_millis(50));
        let t = Instant::now();
        let client = TcpStream::connect(&net, addr).unwrap();
        let (server, _) = listener.accept().unwrap();
        client.send_all(b"x").unwrap();
        assert_eq!(server.recv(&mut [0u8; 4]).unwrap(), 1);
        // Held up, it would take the blocked recv's 3 s; the room is for a loaded machine.
        assert!(t.elapsed() < Duration::from_millis(1500), "not held up by the blocked recv: {:?}", t.elapsed());
        assert_eq!(blocked.join().unwrap(), Err(Errno::ETIMEDOUT));
    });
    // Arc'd and &'d stacks are Access too.
    fn is_access<A: Access>(_: &A) {}
    is_access(&std::sync::Arc::new(shared()));
}

#[test]
fn async_connect_read_and_write_complete_on_a_polling_executor() {
    use embedded_io_async::{Read, Write};
    use embedded_nal_async::{Dns, TcpConnect};

    let net = RefCell::new(stack());
    let listener = TcpListener::bind(&net, at("127.0.0.1:0")).unwrap();
    listener.set_nonblocking(true);
    let addr = listener.local_addr().unwrap();
    let nal = Nal::new(&net);
    let data = pattern(200_000);
    embassy_futures::block_on(async {
        let mut client = nal.connect(addr).await.unwrap();
        let (mut server, _) = listener.accept().unwrap();
        // One task writes all while the other reads all: the writer must
        // give way (Pending) when the buffers are full, or this never ends.
        let write = async {
            client.write_all(&data).await.unwrap();
            drop(client);
        };
        let read = async {
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = server.read(&mut buf).await.unwrap();
                if n == 0 {
                    return got;
                }
                got.extend_from_slice(&buf[..n]);
            }
        };
        let ((), got) = embassy_futures::join::join(write, read).await;
        assert!(got == data, "all {} bytes, in order", data.len());
        assert_eq!(nal.connect(at("127.0.0.1:9")).await.map(drop), Err(Errno::ECONNREFUSED));
        assert_eq!(Dns::get_host_by_name(&nal, "::1", embedded_nal_async::AddrType::Either).await, Ok("::1".parse().unwrap()));
    });
}
