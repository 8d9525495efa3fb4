//! Exhaustion on the Rust API (loopback board): filling the fd table or a
//! kind's socket pool gives the spec's ENOMEM, and closing makes room again.

mod common;

use common::{listener, stack, stack_with, udp};
use usocket_host::constants::{AF_INET, SOCK_STREAM};
use usocket_host::{Config, Errno, SocketApi};

#[test]
fn a_full_fd_table_gives_enomem_and_closing_makes_room() {
    let mut s = stack();
    let max = s.config().sockets;
    let fds: Vec<_> = (0..max).map(|i| s.socket(AF_INET, SOCK_STREAM, 0).unwrap_or_else(|e| panic!("socket {i} of {max}: {e:?}"))).collect();
    assert_eq!(s.socket(AF_INET, SOCK_STREAM, 0), Err(Errno::ENOMEM), "one more than the table holds");
    assert_eq!(s.open_sockets(), max);
    s.close(fds[max / 2]).expect("close one");
    let again = s.socket(AF_INET, SOCK_STREAM, 0).expect("room again after a close");
    for fd in fds.iter().filter(|&&fd| fd != fds[max / 2]).chain([&again]) {
        s.close(*fd).expect("close");
    }
    assert_eq!(s.open_sockets(), 0);
}

#[test]
fn a_full_pool_gives_enomem_for_each_kind() {
    // More fds than sockets of each kind: the pool runs out first.
    let mut s = stack_with(Config { sockets: 32, tcp_sockets: 4, udp_sockets: 3, ..usocket_host::boards::HOST_LOOPBACK.config });
    let udps: Vec<_> = (0..3).map(|_| udp(&mut s, AF_INET)).collect();
    assert_eq!(s.socket(AF_INET, usocket_host::constants::SOCK_DGRAM, 0), Err(Errno::ENOMEM), "a fourth UDP socket");
    // TCP sockets take pooled sockets (listening, connected, queued for
    // accept()): clients connect until the 4 TCP sockets are used up, and
    // socket() or connect() says so.
    let (l, a) = listener(&mut s, "127.0.0.1", 4);
    let mut clients = Vec::new();
    let refused = loop {
        assert!(clients.len() <= 4, "4 TCP sockets cannot hold {} connections and a listener", clients.len());
        let c = match s.socket(AF_INET, SOCK_STREAM, 0) {
            Ok(c) => c,
            Err(e) => break e,
        };
        clients.push(c);
        if let Err(e) = s.connect(c, &a) {
            break e;
        }
    };
    assert_eq!(refused, Errno::ENOMEM, "the socket() or connect() that finds no TCP socket");
    for fd in udps.into_iter().chain(clients).chain([l]) {
        s.close(fd).expect("close");
    }
    let probe = udp(&mut s, AF_INET);
    s.close(probe).expect("close");
    assert_eq!((s.open_sockets(), s.pool_in_use()), (0, 0), "everything free again");
}
