//! Churn on the Rust API (loopback board): 10,000 connect/accept/close cycles
//! end with the fd table and the socket pool empty and the process's resident
//! memory where it was. Alone in its test binary, so that no other test's
//! stack shows in the memory figures.

mod common;

use common::{listener, stack, tcp};
use usocket_host::SocketApi;
use usocket_host::constants::AF_INET;

/// Resident set size of this process, in KiB (Linux's /proc/self/statm).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).expect("resident pages");
    pages * 4
}

#[test]
fn ten_thousand_cycles_leave_nothing_behind() {
    const CYCLES: usize = 10_000;
    let mut s = stack();
    let (l, a) = listener(&mut s, "127.0.0.1", 2);
    // Warm up (first allocations of the process), then take the baseline.
    let cycle = |s: &mut usocket_host::Stack<'static, usocket_host::AnyBoard>, i: usize| {
        let c = tcp(s, AF_INET);
        s.connect(c, &a).unwrap_or_else(|e| panic!("cycle {i}: connect: {e:?}"));
        let (srv, _) = s.accept(l).unwrap_or_else(|e| panic!("cycle {i}: accept: {e:?}"));
        s.sendall(c, b"ping").expect("sendall");
        let mut buf = [0u8; 4];
        assert_eq!(s.recv(srv, &mut buf), Ok(4));
        s.close(c).expect("close client");
        s.close(srv).expect("close server");
    };
    for i in 0..100 {
        cycle(&mut s, i);
    }
    let before = rss_kib();
    let start = std::time::Instant::now();
    for i in 0..CYCLES {
        cycle(&mut s, i);
    }
    let took = start.elapsed();
    s.close(l).expect("close listener");
    s.pump();
    let after = rss_kib();
    eprintln!("{CYCLES} connect/accept/close cycles in {took:.2?}: RSS {before} KiB before, {after} KiB after");
    assert_eq!(s.open_sockets(), 0, "fd table empty");
    assert_eq!(s.pool_in_use(), 0, "every pooled socket free (TIME-WAIT lives in the bind table)");
    assert!(after <= before + 256, "RSS grew from {before} KiB to {after} KiB");
}
