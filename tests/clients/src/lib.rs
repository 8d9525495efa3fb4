//! Clients from crates.io, written against the embedded ecosystem's traits,
//! run over usocket's impls of them against real servers: the board is a TAP
//! device in a network namespace each test makes (the kernel and its servers
//! at 192.0.2.1, the board at 192.0.2.2), removed when the test ends.
//! `tests/mqtt.rs`: minimq (embedded-nal) against mosquitto; `tests/http.rs`:
//! reqwless (embedded-nal-async) against Python's http.server. Needs root;
//! without it a test skips, loudly.

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use usocket_host::smoltcp::wire::IpAddress;
use usocket_host::tap::TapConfig;
use usocket_host::{AnyBoard, DhcpClient, HostMemory, Stack, boards};

/// The kernel's address on the link, where the servers listen.
pub const KERNEL: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// The board's address.
pub const BOARD: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
/// How long the kernel may take to see the link up, or a server to listen.
const READY: Duration = Duration::from_secs(10);

/// The stack a client runs on: single-threaded, behind a `RefCell`.
pub type Net<'a> = RefCell<Stack<'a, AnyBoard>>;

/// True when `test` can run (root); otherwise says loudly why it is skipped.
pub fn can_run(test: &str) -> bool {
    !usocket_netns::skip_unless_root(&format!("clients::{test}"), "a network namespace and a TAP device")
}

/// A namespace with `tap0` (the kernel at 192.0.2.1/24) and the servers
/// started in it; the servers are killed and the namespace removed on drop.
pub struct Link {
    ns: usocket_netns::Netns,
    servers: Vec<Child>,
}

impl Link {
    /// Makes the namespace `usocket-clients-<pid>-<test>`.
    pub fn new(test: &str) -> Link {
        let name = format!("uc-{}-{test}", std::process::id());
        let ns = usocket_netns::Netns::with_tap(Command::output, &name, "192.0.2.1/24", None).unwrap_or_else(|e| panic!("{e}"));
        Link { ns, servers: Vec::new() }
    }

    /// Starts `program ARGS` in the namespace and waits until it accepts
    /// TCP connections on 192.0.2.1:`port`.
    pub fn server(&mut self, port: u16, program: &str, args: &[&str]) {
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns.name, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program} in the namespace: {e}"));
        self.servers.push(child);
        let ns = self.ns.name.clone();
        let program = program.to_string();
        let up = thread::spawn(move || {
            usocket_netns::enter(&ns).expect("enter the namespace");
            let until = Instant::now() + READY;
            while TcpStream::connect_timeout(&SocketAddr::from((KERNEL, port)), Duration::from_millis(200)).is_err() {
                assert!(Instant::now() < until, "{program} does not listen on {KERNEL}:{port} after {READY:?}");
                thread::sleep(Duration::from_millis(20));
            }
        });
        if let Err(panic) = up.join() {
            std::panic::resume_unwind(panic);
        }
    }

    /// Runs `f` on a thread in the namespace with a stack on a TAP board on
    /// `tap0` (192.0.2.2/24), once the kernel sees the link up.
    pub fn on_board<T: Send + 'static>(&self, f: impl FnOnce(&Net<'_>) -> T + Send + 'static) -> T {
        let ns = self.ns.name.clone();
        let handle = thread::spawn(move || {
            usocket_netns::enter(&ns).expect("enter the namespace");
            let config = boards::HOST_TAP.config;
            let board = AnyBoard::tap(tap_config()).unwrap_or_else(|e| panic!("AnyBoard::tap(tap0): {e}"));
            let mut memory = HostMemory::new(&config);
            let stack = Stack::new(memory.lend(), board, config).unwrap_or_else(|e| panic!("Stack::new: {e}"));
            wait_link_up(&ns);
            f(&RefCell::new(stack))
        });
        handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        for server in &mut self.servers {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// The board's side of the link.
fn tap_config() -> TapConfig {
    TapConfig {
        name: "tap0".into(),
        mac: [0x02, 0, 0, 0, 0, 0x02],
        mtu: 1500,
        ipv4: Some((BOARD, 24)),
        gateway_v4: None,
        ipv6: None,
        gateway_v6: None,
        dns: vec![IpAddress::Ipv4(KERNEL)],
        dhcp_v4: DhcpClient::None,
    }
}

/// Waits until the kernel reports `tap0` up after the board attached (its
/// first frames are dropped before that).
fn wait_link_up(ns: &str) {
    let until = Instant::now() + READY;
    loop {
        let out = Command::new("ip").args(["-n", ns, "-o", "link", "show", "dev", "tap0"]).output().expect("run `ip link show`");
        if String::from_utf8_lossy(&out.stdout).contains("state UP") {
            return;
        }
        assert!(Instant::now() < until, "tap0 not up {READY:?} after the board attached");
        thread::sleep(Duration::from_millis(10));
    }
}

/// A monotonic clock in milliseconds, as minimq 0.10 asks (embedded-time).
#[derive(Clone, Copy)]
pub struct MonoClock(Instant);

impl Default for MonoClock {
    fn default() -> Self {
        MonoClock(Instant::now())
    }
}

impl embedded_time::Clock for MonoClock {
    type T = u32;
    const SCALING_FACTOR: embedded_time::rate::Fraction = embedded_time::rate::Fraction::new(1, 1000);

    fn try_now(&self) -> Result<embedded_time::Instant<Self>, embedded_time::clock::Error> {
        Ok(embedded_time::Instant::new(self.0.elapsed().as_millis() as u32))
    }
}
