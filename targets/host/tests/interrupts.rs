//! A sendall() that a signal interrupts after queuing part of its data fails
//! with EINTR; called again with the same data (as the MicroPython glue does
//! after running the signal's handlers) it sends only the rest: the peer gets
//! every byte exactly once. Own test binary: it installs a SIGUSR1 handler.

mod common;

use std::time::Duration;

use common::{pair, stack};
use usocket_host::{Errno, SocketApi};

extern "C" fn ignore(_: libc::c_int) {}

#[test]
fn an_interrupted_sendall_resumes_without_resending() {
    // SAFETY: installs a handler that does nothing, so that SIGUSR1 only ends the wait (EINTR).
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
    }
    let mut s = stack();
    let (c, srv, _l) = pair(&mut s, "127.0.0.1");
    s.settimeout(c, Some(5000)).unwrap();
    // More than the send buffer and the peer's window hold together, less than twice that.
    let data: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() } as usize;
    let signal = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        // SAFETY: the test thread is alive: it waits in sendall() until this signal.
        unsafe { libc::pthread_kill(me as libc::pthread_t, libc::SIGUSR1) };
    });
    assert_eq!(s.sendall(c, &data), Err(Errno::EINTR), "the signal cut the blocked sendall() short");
    signal.join().unwrap();
    s.setblocking(srv, false).unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    let mut drain = |s: &mut usocket_host::Stack<'static, usocket_host::AnyBoard>, got: &mut Vec<u8>| loop {
        match s.recv(srv, &mut buf) {
            Ok(0) | Err(Errno::EAGAIN) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("recv: {e:?}"),
        }
    };
    drain(&mut s, &mut got);
    let first = got.len();
    assert!(first > 0 && first < data.len(), "part of the data went before the signal: {first}");
    s.sendall(c, &data).expect("the same sendall() again sends the rest");
    for _ in 0..100 {
        drain(&mut s, &mut got);
        if got.len() >= data.len() {
            break;
        }
        s.pump();
    }
    assert_eq!(got.len(), data.len(), "every byte once ({first} before the signal)");
    assert!(got == data, "the bytes in order");
}
