//! Integrity on a bad link: the loopback board behind the fault layer (10%
//! loss, 5% reordering, 5% duplication, 1% corruption, seeded) on a simulated
//! clock, so that retransmission timers cost no wall time. TCP carries 8 MiB
//! each way byte-identical (FNV hash) within a budget of link time, at the
//! loopback MTU and at Ethernet's; UDP delivers only intact datagrams and the
//! test reports how many the link lost.
//!
//! Seed 12 stalled a connection for good before the runtime's stall guard
//! (`runtime/src/stall.rs`): smoltcp went idle after a retransmission timeout
//! while it believed the peer's window was zero.

mod common;

use std::time::{Duration, Instant};

use usocket_host::Board;

use usocket_host::constants::{AF_INET, SHUT_WR};
use usocket_host::faults::Faults;
use usocket_host::smoltcp::time::Duration as LinkDuration;
use usocket_host::{AnyBoard, Errno, Fd, HostMemory, SocketApi, Stack};

/// The link: loss, reordering, duplication and corruption together.
const LINK: &str = "loss=10%,reorder=5%,dup=5%,corrupt=1%,seed=";
/// Bytes each way.
const BULK: usize = 8 << 20;
/// How much link time one direction may take: every loss of the one segment
/// in flight costs smoltcp's minimum RTO of 1 s, doubled when lost again.
const BUDGET: Duration = Duration::from_secs(900);

/// A loopback stack with MTU `mtu` on the faulty link, simulated time.
fn faulty_stack(mtu: usize, seed: u64) -> Stack<'static, AnyBoard> {
    let config = usocket_host::boards::HOST_LOOPBACK.config;
    let memory = Box::leak(Box::new(HostMemory::new(&config)));
    let faults = Faults::parse(&format!("{LINK}{seed}")).expect("fault settings");
    let board = AnyBoard::loopback_mtu(mtu).with_simulated_time().with_faults(faults);
    Stack::new(memory.lend(), board, config).expect("stack starts")
}

fn fnv(h: u64, data: &[u8]) -> u64 {
    data.iter().fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Sends BULK bytes from `from` to `to` (both non-blocking, one stack), then
/// EOF; returns the receiver's hash, the sender's hash and the time taken.
fn transfer(s: &mut Stack<'static, AnyBoard>, from: Fd, to: Fd) -> (u64, u64, Duration) {
    let data: Vec<u8> = (0..BULK).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let sent_hash = fnv(FNV_START, &data);
    let (mut sent, mut got, mut hash, mut shut) = (0, 0, FNV_START, false);
    let mut buf = vec![0u8; 65536];
    let start = s.board().now();
    let elapsed = |s: &Stack<'static, AnyBoard>| Duration::from_micros(s.board().now().saturating_since(start).total_micros());
    loop {
        assert!(elapsed(s) < BUDGET, "stuck after {got} of {BULK} bytes received ({sent} sent) in {:?} of link time", elapsed(s));
        let mut progress = false;
        if sent < BULK {
            match s.send(from, &data[sent..BULK.min(sent + 65536)]) {
                Ok(n) => {
                    sent += n;
                    progress |= n > 0;
                }
                Err(Errno::EAGAIN) => {}
                Err(e) => panic!("send after {sent} bytes, {:?} of link time: {e:?}", elapsed(s)),
            }
        } else if !shut {
            s.shutdown(from, SHUT_WR).expect("shutdown");
            shut = true;
        }
        match s.recv(to, &mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hash = fnv(hash, &buf[..n]);
                got += n;
                progress = true;
            }
            Err(Errno::EAGAIN) => {}
            Err(e) => panic!("recv after {got} bytes, {:?} of link time: {e:?}", elapsed(s)),
        }
        if !progress {
            // Retransmissions wait for timers: (simulated) time passes.
            s.idle().expect("idle");
        }
    }
    assert_eq!(got, BULK, "bytes received");
    (hash, sent_hash, elapsed(s))
}

/// 8 MiB each way over a faulty link of MTU `mtu`.
fn tcp_each_way(mtu: usize, seed: u64) {
    let mut s = faulty_stack(mtu, seed);
    let (c, srv, _l) = common::pair(&mut s, "127.0.0.1");
    for fd in [c, srv] {
        s.setblocking(fd, false).expect("non-blocking");
    }
    let wall = Instant::now();
    let (up, up_sent, up_time) = transfer(&mut s, c, srv);
    let (down, down_sent, down_time) = transfer(&mut s, srv, c);
    let st = s.board().fault_stats();
    eprintln!(
        "TCP under faults, MTU {mtu}, seed {seed}: {} MiB up in {up_time:.1?}, {} MiB down in {down_time:.1?} of link time ({:.1?} wall); link: {} frames, {} lost, {} duplicated, {} reordered, {} corrupted",
        BULK >> 20,
        BULK >> 20,
        wall.elapsed(),
        st.frames,
        st.dropped,
        st.duplicated,
        st.reordered,
        st.corrupted
    );
    assert_eq!(up, up_sent, "client -> server bytes differ");
    assert_eq!(down, down_sent, "server -> client bytes differ");
    assert!(st.dropped > 0 && st.corrupted > 0 && st.duplicated > 0 && st.reordered > 0, "every fault happened: {st:?}");
}

#[test]
fn tcp_8_mib_each_way_arrives_intact() {
    tcp_each_way(65535, 7);
}

#[test]
fn tcp_survives_the_stall_smoltcp_fell_into() {
    tcp_each_way(65535, 12);
}

#[test]
fn tcp_8_mib_each_way_at_ethernet_mtu() {
    tcp_each_way(1500, 7);
}

#[test]
fn udp_delivers_only_intact_datagrams() {
    const COUNT: u32 = 3000;
    let mut s = faulty_stack(1500, 11);
    let a = common::udp(&mut s, AF_INET);
    let b = common::udp(&mut s, AF_INET);
    s.bind(b, &common::addr("127.0.0.1:0")).expect("bind");
    let to = s.getsockname(b).expect("getsockname");
    s.setblocking(b, false).expect("non-blocking");
    let payload = |seq: u32| -> Vec<u8> {
        let mut p = seq.to_be_bytes().to_vec();
        p.extend((0..508u32).map(|i| (i.wrapping_mul(seq | 1) >> 3) as u8));
        p
    };
    let (mut received, mut seen) = (0u32, vec![0u8; COUNT as usize]);
    let mut buf = [0u8; 2048];
    let mut drain = |s: &mut Stack<'static, AnyBoard>, received: &mut u32| loop {
        match s.recvfrom(b, &mut buf) {
            Ok((n, _)) => {
                let seq = u32::from_be_bytes(buf[..4].try_into().expect("4 bytes"));
                assert!(seq < COUNT && buf[..n] == payload(seq)[..], "a corrupted datagram was delivered (seq field {seq}, {n} bytes)");
                seen[seq as usize] += 1;
                *received += 1;
            }
            Err(Errno::EAGAIN) => break,
            Err(e) => panic!("recvfrom: {e:?}"),
        }
    };
    for seq in 0..COUNT {
        s.sendto(a, &payload(seq), &to).expect("sendto");
        drain(&mut s, &mut received);
    }
    // Held-back (reordered) datagrams arrive within 5 ms of link time.
    let settle = s.board().now() + LinkDuration::from_millis(100);
    while s.board().now() < settle {
        s.idle().expect("idle");
        drain(&mut s, &mut received);
    }
    let st = s.board().fault_stats();
    let distinct = seen.iter().filter(|&&n| n > 0).count();
    eprintln!(
        "UDP under faults: {COUNT} sent, {received} delivered ({distinct} distinct, {} duplicates), {} lost on the way; link: {} lost, {} corrupted (dropped by checksum), {} duplicated",
        received as usize - distinct,
        COUNT as usize - distinct,
        st.dropped,
        st.corrupted,
        st.duplicated
    );
    // Every datagram is accounted for: delivered, or lost/corrupted by the link.
    assert!(COUNT as u64 - distinct as u64 <= st.dropped + st.corrupted, "more lost than the link dropped or corrupted: {st:?}");
    assert!(distinct as u32 > COUNT * 8 / 10, "most datagrams arrive: {distinct}");
    assert!(st.corrupted > 0, "corruption happened: {st:?}");
}
