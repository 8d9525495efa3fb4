//! A Rust program sharing one stack between threads (`usocket_runtime::Shared`
//! on the host's `HostPlatform`): a thread blocked in accept or recv does not
//! hold the stack — other threads connect and echo meanwhile — and closing its
//! socket from another thread wakes it with EBADF. A call that starts a
//! timer sooner than the one poll_delay() told wakes the task that asked.

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

/// A platform whose current task the test sets, that records whom it wakes
/// (its sleeps end at once: a parked call just tries again).
#[derive(Default)]
struct Recording {
    lock: std::sync::Mutex<()>,
    current: std::sync::atomic::AtomicU64,
    woken: std::sync::Mutex<Vec<u64>>,
}

impl usocket_host::Platform for Recording {
    type Guard<'g> = std::sync::MutexGuard<'g, ()>;
    type Task = u64;

    fn lock(&self) -> Self::Guard<'_> {
        self.lock.lock().unwrap()
    }

    fn current(&self) -> u64 {
        self.current.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn sleep(&self, _until: Option<usocket_host::BoardTime>) -> Result<(), usocket_host::Interrupted> {
        Ok(())
    }

    fn wake(&self, task: u64) {
        self.woken.lock().unwrap().push(task);
    }
}

#[test]
fn a_call_that_starts_a_sooner_timer_wakes_the_task_that_asked_poll_delay_once() {
    const NETWORK: u64 = 1;
    const APP: u64 = 2;
    let net: Shared<Stack<'static, AnyBoard>, Recording> = Shared::new(stack(), Recording::default());
    let as_task = |task| net.platform().current.store(task, std::sync::atomic::Ordering::SeqCst);
    as_task(APP);
    let l = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
    net.call(|s| s.bind(l, &addr("127.0.0.1:7002"))).unwrap();
    net.call(|s| s.listen(l, 1)).unwrap();
    let queued = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
    net.call(|s| s.connect(queued, &addr("127.0.0.1:7002"))).unwrap();
    // Let delayed ACKs go out: then nothing is due for a while.
    thread::sleep(Duration::from_millis(30));
    net.call(SocketApi::pump).unwrap();
    as_task(NETWORK);
    let told = net.call(|s| s.poll_delay()).unwrap();
    assert!(told.is_none_or(|ms| ms > 1000), "the network task is told it may sleep long: {told:?}");
    as_task(APP);
    net.platform().woken.lock().unwrap().clear();
    // The listener's queue is full: this SYN is dropped and its retransmission is a timer.
    let late = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
    net.call(|s| s.setblocking(late, false)).unwrap();
    assert_eq!(net.call(|s| s.connect(late, &addr("127.0.0.1:7002"))), Err(Errno::EINPROGRESS));
    assert_eq!(*net.platform().woken.lock().unwrap(), [NETWORK], "the network task is woken to ask again");
    let later = net.call(|s| s.socket(AF_INET, SOCK_STREAM, 0)).unwrap();
    net.call(|s| s.setblocking(later, false)).unwrap();
    assert_eq!(net.call(|s| s.connect(later, &addr("127.0.0.1:7002"))), Err(Errno::EINPROGRESS));
    assert_eq!(*net.platform().woken.lock().unwrap(), [NETWORK], "once, until it asks again");
    as_task(NETWORK);
    assert!(net.call(|s| s.poll_delay()).unwrap().is_some_and(|ms| ms <= 1000), "it asks: the retransmission is due within 1 s");
}
