//! A Rust program sharing one stack between threads (`usocket_runtime::Shared`
//! on the host's `HostPlatform`): a thread blocked in accept or recv does not
//! hold the stack — other threads connect and echo meanwhile — and closing its
//! socket from another thread wakes it with EBADF.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{addr, stack};
use usocket_host::constants::{AF_INET, SOCK_STREAM};
use usocket_host::platform::HostPlatform;
use usocket_host::{AnyBoard, Errno, Shared, SocketApi, Stack};

type Net = Shared<Stack<'static, AnyBoard>, HostPlatform>;

/// The loopback stack, shared.
fn shared() -> Arc<Net> {
    let stack = stack();
    let platform = HostPlatform::new();
    platform.started(stack.board().clock().clone(), None);
    Arc::new(Shared::new(stack, platform))
}

#[test]
fn a_blocked_accept_holds_nothing_and_a_close_wakes_it_with_ebadf() {
    let net = shared();
    let listener = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
    net.call(|s| s.bind(listener, &addr("127.0.0.1:7000"))).unwrap();
    net.call(|s| s.listen(listener, 4)).unwrap();
    let lonely = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
    net.call(|s| s.bind(lonely, &addr("127.0.0.1:7001"))).unwrap();
    net.call(|s| s.listen(lonely, 1)).unwrap();

    // A server thread: accept, then echo what comes, all blocking.
    let server = {
        let net = net.clone();
        thread::spawn(move || {
            let (c, _) = net.call(|s| s.accept(listener)).unwrap();
            let mut buf = [0u8; 64];
            let n = net.call(|s| s.recv(c, &mut buf)).unwrap();
            net.call(|s| s.sendall(c, &buf[..n])).unwrap();
            net.call(|s| s.close(c)).unwrap();
        })
    };
    // A thread blocked in accept on a listener nobody connects to.
    let blocked = {
        let net = net.clone();
        thread::spawn(move || {
            let t = Instant::now();
            (net.call(|s| s.accept(lonely)).map(|(fd, _)| fd), t)
        })
    };
    thread::sleep(Duration::from_millis(50));

    let c = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
    net.call(|s| s.settimeout(c, Some(5000))).unwrap();
    net.call(|s| s.connect(c, &addr("127.0.0.1:7000"))).unwrap();
    net.call(|s| s.sendall(c, b"hello")).unwrap();
    let mut buf = [0u8; 16];
    let n = net.call(|s| s.recv(c, &mut buf)).unwrap();
    assert_eq!(&buf[..n], b"hello", "echoed while another thread is blocked in accept");
    server.join().unwrap();
    assert!(!blocked.is_finished(), "the blocked accept is still waiting");

    let closed = Instant::now();
    net.call(|s| s.close(lonely)).unwrap();
    let (result, _) = blocked.join().unwrap();
    assert_eq!(result, Err(Errno::EBADF));
    assert!(closed.elapsed() < Duration::from_secs(2), "woken by the close: {:?}", closed.elapsed());
    net.call(|s| s.close(c)).unwrap();
    net.call(|s| s.close(listener)).unwrap();
}

#[test]
fn a_timeout_still_counts_from_the_first_try_across_parks() {
    let net = shared();
    let u = net.call(|s| s.socket(AF_INET, usocket_host::constants::SOCK_DGRAM, 0)).unwrap();
    net.call(|s| s.bind(u, &addr("127.0.0.1:7002"))).unwrap();
    net.call(|s| s.settimeout(u, Some(200))).unwrap();
    // Another thread's calls make news (each wakes the parked recvfrom) but no data.
    let noisy = {
        let net = net.clone();
        thread::spawn(move || {
            for _ in 0..40 {
                let t = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
                net.call(|s| s.close(t)).unwrap();
                thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let t = Instant::now();
    let mut buf = [0u8; 8];
    let got = net.call(|s| s.recvfrom(u, &mut buf).map(|(n, _)| n));
    let took = t.elapsed();
    noisy.join().unwrap();
    assert_eq!(got, Err(Errno::ETIMEDOUT));
    assert!(took >= Duration::from_millis(190) && took < Duration::from_millis(1500), "the 200 ms timeout took {took:?}");
}
