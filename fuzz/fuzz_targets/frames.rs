//! Raw frames into the runtime: Ethernet frames decoded from the input reach a
//! stack (c-port-tap's firmware sizes, 192.0.2.2 and 2001:db8::2) with a TCP
//! listener, a TCP client mid-handshake, a bound UDP socket and a raw ICMP
//! socket, which accept, read and answer as the frames allow. Nothing may
//! crash or trip a sanitizer; the clock moves 1 ms per frame.

#![no_main]

use std::cell::Cell;
use std::collections::VecDeque;

use libfuzzer_sys::fuzz_target;
use usocket_host::constants::{AF_INET, IPPROTO_ICMP, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM};
use usocket_host::smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use usocket_host::smoltcp::time::{Duration, Instant};
use usocket_host::{Addr, Board, BoardTime, HostMemory, Interrupted, NetConfig, SocketApi, Stack};

/// Frames to deliver; what the stack sends is dropped.
struct FuzzDevice {
    rx: VecDeque<Vec<u8>>,
    tx: Vec<u8>,
}

struct Rx(Vec<u8>);
struct Tx<'a>(&'a mut Vec<u8>);

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.0.resize(len, 0);
        f(self.0)
    }
}

impl Device for FuzzDevice {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(Rx, Tx<'_>)> {
        let frame = self.rx.pop_front()?;
        Some((Rx(frame), Tx(&mut self.tx)))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps
    }
}

struct FuzzBoard {
    device: FuzzDevice,
    now: Cell<BoardTime>,
}

impl Board for FuzzBoard {
    type Device = FuzzDevice;

    fn device(&mut self) -> &mut FuzzDevice {
        &mut self.device
    }

    fn net(&self) -> NetConfig {
        usocket_host::boards::C_PORT_TAP.net(Some([2, 0, 0, 0, 0, 2]), 7)
    }

    fn now(&self) -> BoardTime {
        self.now.get()
    }

    fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        self.now.set(until.unwrap_or(self.now.get() + Duration::from_millis(1)).max(self.now.get()));
        Ok(())
    }
}

fn v4(a: [u8; 4], port: u16) -> Addr {
    let mut addr = Addr { family: AF_INET as u16, port, ..Addr::default() };
    addr.ip[..4].copy_from_slice(&a);
    addr
}

fuzz_target!(|data: &[u8]| {
    let config = usocket_host::boards::C_PORT_TAP.config;
    let mut memory = HostMemory::new(&config);
    let board = FuzzBoard { device: FuzzDevice { rx: VecDeque::new(), tx: Vec::new() }, now: Cell::new(BoardTime::ZERO) };
    let Ok(mut s) = Stack::new(memory.lend(), board, config) else { return };
    let l = s.socket(AF_INET, SOCK_STREAM, 0).expect("socket");
    s.bind(l, &v4([0, 0, 0, 0], 80)).expect("bind");
    s.listen(l, 2).expect("listen");
    let c = s.socket(AF_INET, SOCK_STREAM, 0).expect("socket");
    s.setblocking(c, false).expect("non-blocking");
    let _ = s.connect(c, &v4([192, 0, 2, 1], 80));
    let u = s.socket(AF_INET, SOCK_DGRAM, 0).expect("socket");
    s.bind(u, &v4([0, 0, 0, 0], 53)).expect("bind");
    let r = s.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP).expect("raw socket");
    for fd in [l, u, r] {
        s.setblocking(fd, false).expect("non-blocking");
    }
    let mut rest = data;
    let mut accepted = Vec::new();
    let mut buf = [0u8; 2048];
    while rest.len() >= 2 && accepted.len() < 4 {
        let n = usize::from(u16::from_be_bytes([rest[0], rest[1]])).min(rest.len() - 2).min(1514);
        let frame = rest[2..2 + n].to_vec();
        rest = &rest[2 + n..];
        s.board_mut().device.rx.push_back(frame);
        s.board().now.set(s.board().now.get() + Duration::from_millis(1));
        s.pump();
        if let Ok((fd, _)) = s.accept(l) {
            let _ = s.setblocking(fd, false);
            accepted.push(fd);
        }
        for &fd in accepted.iter().chain([&c]) {
            let _ = s.recv(fd, &mut buf);
            let _ = s.send(fd, b"reply");
        }
        let _ = s.recvfrom(u, &mut buf);
        let _ = s.recvfrom(r, &mut buf);
    }
    for fd in accepted.into_iter().chain([l, c, u, r]) {
        let _ = s.close(fd);
    }
    s.pump();
});
