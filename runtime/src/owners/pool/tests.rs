//! The pool alone: lending, parking, role moves and their counters, a listener's backlog.

extern crate std;
use std::vec;
use std::vec::Vec;

use super::*;
use smoltcp::wire::IpListenEndpoint;

use crate::constants::AF_INET;
use crate::owners::phase::Phase;
use crate::owners::table::Slot;
use crate::owners::table::{Kind, LocalAddr, Table};

const CONFIG: Config = Config {
    sockets: 4,
    tcp_sockets: 3,
    tcp_rx_bytes: 64,
    tcp_tx_bytes: 64,
    udp_sockets: 1,
    udp_rx_bytes: 64,
    udp_tx_bytes: 64,
    udp_packets: 2,
    raw_sockets: 0,
    raw_bytes: 0,
    raw_packets: 0,
    loopback_bytes: 0,
    dns_queries: 0,
    multicast_groups: 0,
    max_backlog: 2,
    linger_ms: 1000,
    connect_timeout_ms: 1000,
    dns_timeout_ms: 1000,
    tcp_user_timeout_ms: 0,
    ack_delay_ms: 0,
    nagle: true,
    dhcp_v4: crate::config::DhcpClient::None,
};

/// A pool over leaked host memory (tests only).
fn pool() -> Pool<'static> {
    let n = CONFIG.smoltcp_sockets();
    let mut bytes: &'static mut [u8] = vec![0; CONFIG.buffer_bytes()].leak();
    let memory = PoolMemory {
        sockets: ManagedSlice::Borrowed((0..n).map(|_| SocketStorage::EMPTY).collect::<Vec<_>>().leak()),
        entries: vec![Entry::EMPTY; n].leak(),
        parked: ManagedSlice::Borrowed((0..n).map(|_| None).collect::<Vec<_>>().leak()),
        bytes: &mut bytes,
        udp_meta: vec![udp::PacketMetadata::EMPTY; 2 * CONFIG.udp_packets].leak(),
    };
    Pool::new(memory, &CONFIG)
}

fn roles(p: &Pool<'_>) -> Vec<Role> {
    p.entries.iter().map(|e| e.role).collect()
}

#[test]
fn sockets_are_lent_by_kind_and_parked_when_free() {
    let mut p = pool();
    assert_eq!(p.in_use(), 0);
    assert_eq!(p.set().iter().count(), 0, "free sockets are out of the set");
    let t = p.open(PoolKind::Tcp, 7).unwrap();
    let u = p.open(PoolKind::Udp, 8).unwrap();
    assert_eq!((t, u), (0, 3));
    assert_eq!(p.open(PoolKind::Udp, 9), Err(Errno::ENOMEM), "one UDP socket");
    assert!(p.tcp(t).is_ok() && p.udp(u).is_ok());
    assert_eq!(p.udp(t).err(), Some(Errno::EBADF), "a TCP entry has no UDP socket");
    assert_eq!(p.tcp(1).err(), Some(Errno::EBADF), "a free entry has none");
    assert_eq!(p.tcp(99).err(), Some(Errno::EBADF));
    assert_eq!((p.in_use(), p.set().iter().count()), (2, 2));
    p.close(u);
    p.free_tcp(t);
    assert_eq!((p.in_use(), p.set().iter().count()), (0, 0));
    assert_eq!(roles(&p), [Role::Free; 4]);
}

#[test]
fn lingering_and_guards_are_counted_through_every_move() {
    let mut p = pool();
    let a = p.open(PoolKind::Tcp, 1).unwrap();
    let b = p.open(PoolKind::Tcp, 2).unwrap();
    p.guard_stall(a);
    p.guard_stall(a);
    assert_eq!(p.guarded, 1, "a second guard is the same guard");
    p.linger(a, BoardTime::from_micros(50));
    p.linger(a, BoardTime::from_micros(60));
    p.linger(b, BoardTime::from_micros(50));
    assert_eq!(p.lingering, 2);
    // Closed sockets with no peer are reaped at once.
    let mut bindings = [None; 8];
    let mut ports = PortTable::new(&mut bindings, 0);
    p.reap_lingering(BoardTime::ZERO, &mut ports);
    assert_eq!((p.lingering, p.guarded), (0, 0));
    assert!(p.lingering_delivered());
    assert_eq!(roles(&p)[..2], [Role::Free, Role::Free]);
}

#[test]
fn a_listener_arms_its_backlog_and_gives_its_sockets_up_on_close() {
    let mut p = pool();
    let mut slots = [crate::owners::table::FdSlot::FREE; 4];
    let mut fds = Table::new(&mut slots);
    let at = IpListenEndpoint { addr: None, port: 80 };
    let fd = fds.vacant().unwrap();
    let own = p.open(PoolKind::Tcp, fd).unwrap();
    p.listen(own, fd, at).unwrap();
    let mut slot = Slot::new(AF_INET, Kind::Stream(Phase::Listening { backlog: 2, accepting: false }));
    slot.local = LocalAddr { ip: None, port: 80 };
    fds.insert(slot).unwrap();
    assert!(p.rearm_due());
    p.rearm(&mut fds);
    assert!(!p.rearm_due());
    assert_eq!(fds.get(fd).unwrap().kind, Kind::Stream(Phase::Listening { backlog: 2, accepting: true }));
    assert_eq!(roles(&p)[..3], [Role::Armed(fd), Role::Free, Role::Free], "one armed socket at a time");
    assert_eq!(p.oldest_queued(fd), None);
    assert!(!p.listener_ready(fd));
    p.close_listener(fd, BoardTime::ZERO);
    assert_eq!((p.listeners, p.lingering), (0, 1));
    assert_eq!(roles(&p)[0], Role::Lingering(BoardTime::ZERO));
}
