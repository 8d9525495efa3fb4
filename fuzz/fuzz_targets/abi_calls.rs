//! Sequences of C ABI calls (the exported `extern "C"` functions of the host
//! library, on its loopback stack) decoded from the input: any fds, any
//! families and addresses, any lengths within the buffers given, NULL where
//! the input says so. Nothing may crash, trip a sanitizer or hang (every
//! socket has a timeout of at most 5 ms). Each run ends by closing every fd.

#![no_main]

use libfuzzer_sys::fuzz_target;
use usocket_host::c_abi::*;
use usocket_host::{Addr, Addrinfo, Ifconfig, IfconfigSet};

/// Reads the input byte by byte (zeros when it runs out).
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    fn bytes(&mut self, max: usize) -> &'a [u8] {
        let n = usize::from(self.byte()).min(max).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

/// Fds the run has seen, to aim calls at live sockets.
struct Fds(Vec<i32>);

impl Fds {
    fn pick(&self, input: &mut Input) -> i32 {
        let b = input.byte();
        match (b >> 6, self.0.len()) {
            // A raw, probably bad, fd now and then.
            (0, _) | (_, 0) => i32::from(b as i8),
            (_, n) => self.0[usize::from(b) % n],
        }
    }

    fn add(&mut self, fd: i32) {
        if fd >= 0 {
            // SAFETY: plain calls on an fd the C ABI gave out.
            unsafe { usocket_settimeout(fd, 2) };
            self.0.push(fd);
        }
    }
}

fn address(input: &mut Input) -> Addr {
    let mut a = Addr::default();
    a.family = match input.byte() % 4 {
        0 => 2,
        1 => 10,
        2 => 0,
        _ => u16::from(input.byte()),
    };
    a.port = input.u16();
    match input.byte() % 4 {
        0 => a.ip[..4].copy_from_slice(&[127, 0, 0, 1]),
        1 => a.ip[15] = 1,
        2 => {}
        _ => {
            for b in a.ip.iter_mut() {
                *b = input.byte();
            }
        }
    }
    a
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let mut fds = Fds(Vec::new());
    let mut buf = [0u8; 2048];
    let mut a = Addr::default();
    let mut infos = [Addrinfo::default(); 4];
    let mut ifc = Ifconfig::default();
    let mut ms = 0i32;
    let mut steps = 0;
    // SAFETY: every pointer below is valid for the length passed, or NULL
    // (which the C ABI must refuse with -EINVAL).
    unsafe {
        while !input.done() && steps < 64 {
            steps += 1;
            let op = input.byte();
            match op % 24 {
                0 => fds.add(usocket_socket([2, 10, 0, 99][usize::from(input.byte() % 4)], [1, 2, 3, 0][usize::from(input.byte() % 4)], i32::from(input.byte()))),
                1 => {
                    let (fd, to) = (fds.pick(&mut input), address(&mut input));
                    usocket_bind(fd, &to);
                }
                2 => {
                    usocket_listen(fds.pick(&mut input), i32::from(input.byte() as i8));
                }
                3 => {
                    let (fd, to) = (fds.pick(&mut input), address(&mut input));
                    usocket_connect(fd, &to);
                }
                4 => fds.add(usocket_accept(fds.pick(&mut input), &mut a)),
                5 => {
                    let fd = fds.pick(&mut input);
                    let d = input.bytes(256);
                    usocket_send(fd, d.as_ptr(), d.len());
                }
                6 => {
                    let fd = fds.pick(&mut input);
                    let n = usize::from(input.u16()) % buf.len();
                    usocket_recv(fd, buf.as_mut_ptr(), n);
                }
                7 => {
                    let fd = fds.pick(&mut input);
                    let to = address(&mut input);
                    let d = input.bytes(256);
                    usocket_sendto(fd, d.as_ptr(), d.len(), &to);
                }
                8 => {
                    let fd = fds.pick(&mut input);
                    usocket_recvfrom(fd, buf.as_mut_ptr(), buf.len(), &mut a);
                }
                9 => {
                    let fd = fds.pick(&mut input);
                    let (level, name) = ([4095, 6, 0, 1][usize::from(input.byte() % 4)], i32::from(input.byte()));
                    let v = input.bytes(16);
                    usocket_setsockopt(fd, level, name, v.as_ptr(), v.len());
                }
                10 => {
                    usocket_settimeout(fds.pick(&mut input), i32::from(input.byte() % 6));
                }
                11 => {
                    // Non-blocking only: blocking without a timeout could wait forever.
                    usocket_setblocking(fds.pick(&mut input), 0);
                }
                12 => {
                    usocket_close(fds.pick(&mut input));
                }
                13 => {
                    usocket_poll(fds.pick(&mut input), i32::from(input.byte()));
                }
                14 => {
                    usocket_shutdown(fds.pick(&mut input), i32::from(input.byte() % 4));
                }
                15 => {
                    usocket_getsockname(fds.pick(&mut input), &mut a);
                    usocket_getpeername(fds.pick(&mut input), &mut a);
                }
                16 => {
                    let host = input.bytes(64);
                    let (ptr, len) = if input.byte() % 8 == 0 { (core::ptr::null(), 0) } else { (host.as_ptr(), host.len()) };
                    let port = i32::from(input.u16());
                    usocket_getaddrinfo(ptr, len, port, i32::from(input.byte()), i32::from(input.byte()), 0, i32::from(input.byte()), infos.as_mut_ptr(), infos.len());
                }
                17 => {
                    let fd = fds.pick(&mut input);
                    let n = usize::from(input.byte());
                    match input.byte() % 3 {
                        0 => usocket_read(fd, buf.as_mut_ptr(), n),
                        1 => usocket_readline(fd, buf.as_mut_ptr(), n),
                        _ => usocket_readinto(fd, buf.as_mut_ptr(), n),
                    };
                }
                18 => {
                    let fd = fds.pick(&mut input);
                    let d = input.bytes(256);
                    if input.byte() % 2 == 0 {
                        usocket_write(fd, d.as_ptr(), d.len());
                    } else {
                        usocket_sendall(fd, d.as_ptr(), d.len());
                    }
                }
                19 => {
                    usocket_pump();
                    usocket_poll_delay(&mut ms);
                    assert!(ms >= -1, "usocket_poll_delay gave {ms} ms");
                    usocket_ifconfig(core::ptr::null(), &mut ifc);
                    if input.byte() % 4 == 0 {
                        // A fuzzed set (any mode, family, address, netmask), then the configuration back.
                        let config = Ifconfig { ip: address(&mut input), netmask: address(&mut input), gateway: address(&mut input), dns: address(&mut input) };
                        let (set, before) = (IfconfigSet { dhcp: u32::from(input.byte() % 3), config }, IfconfigSet { dhcp: 0, config: ifc });
                        usocket_ifconfig(&set, &mut ifc);
                        usocket_ifconfig(&before, &mut ifc);
                    }
                    usocket_status();
                    usocket_isconnected();
                    usocket_gettimeout(fds.pick(&mut input), &mut ms);
                }
                20 => {
                    // NULL pointers and huge lengths.
                    let fd = fds.pick(&mut input);
                    usocket_recv(fd, core::ptr::null_mut(), usize::from(input.byte()));
                    usocket_send(fd, buf.as_ptr(), usize::MAX);
                    usocket_bind(fd, core::ptr::null());
                }
                21 => {
                    let text = input.bytes(64);
                    let port = i32::from(input.u16() as i16);
                    usocket_addr_parse(text.as_ptr().cast(), text.len(), port, &mut a);
                    usocket_addr_format(&a, buf.as_mut_ptr().cast(), usize::from(input.byte()) % 64);
                }
                22 => {
                    // A loopback exchange: a listener, a client, an accepted end.
                    let l = usocket_socket(2, 1, 0);
                    let mut at = Addr::default();
                    usocket_addr_parse(c"127.0.0.1".as_ptr().cast(), 9, 0, &mut at);
                    usocket_bind(l, &at);
                    usocket_listen(l, 2);
                    usocket_getsockname(l, &mut at);
                    fds.add(l);
                    let c = usocket_socket(2, 1, 0);
                    fds.add(c);
                    usocket_connect(c, &at);
                    fds.add(usocket_accept(l, &mut a));
                }
                _ => {
                    let fd = fds.pick(&mut input);
                    let linger = [1i32.to_ne_bytes(), 0i32.to_ne_bytes()].concat();
                    usocket_setsockopt(fd, 4095, 0x80, linger.as_ptr(), linger.len());
                }
            }
        }
        for fd in 0..64 {
            usocket_close(fd);
        }
    }
});
