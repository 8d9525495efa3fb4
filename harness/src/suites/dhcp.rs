//! DHCPv4 against dnsmasq, which also answers DNS (a host record): on a TAP
//! board in a namespace of its own, our interpreter
//!
//! - with `USOCKET_IPV4=dhcp` (`tests/micropython/dhcp.py`): the lease, the
//!   applied address/gateway/DNS, and a renewal that keeps the address and open
//!   connections (`python3 -m http.server` is the TCP peer); the dnsmasq log
//!   must show the renewal (a second DHCPACK);
//! - static with a client on request, `USOCKET_IPV4=192.0.2.2/24 USOCKET_DHCP=1`
//!   (`tests/micropython/dhcp_switch.py`): `ifconfig('dhcp')` without a server
//!   times out (status 1, the static address still carries TCP), then with
//!   dnsmasq started it gets the lease and talks from it, and a static
//!   `ifconfig()` brings 192.0.2.2 back; the kernel's peer server
//!   (`tests/kernel/peer_server.py`) names the source address of each exchange.
//!
//! [`Dnsmasq`] is shared with the emulated-board suite (`emulated.rs`), which runs the
//! same switch on the firmware. Needs root and dnsmasq; says so when skipped.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use crate::exec::step;
use crate::verbosity::progress;
use usocket_netns::Netns;

/// The namespace of the run.
static NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-dhcp"));

/// The addresses dnsmasq leases: 192.0.2.50 to 192.0.2.60 (the kernel is 192.0.2.1).
pub(crate) const POOL: std::ops::RangeInclusive<u8> = 50..=60;

/// Where the kernel's peer server (`tests/kernel/peer_server.py`) listens.
pub(crate) const PEER_PORT: &str = "9300";

/// A child process killed when dropped.
pub(crate) struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How long a server started in a namespace may take to listen (a loaded
/// machine starts CPython in seconds).
pub(crate) const SERVER_START: Duration = Duration::from_secs(30);

/// dnsmasq's DNS on the kernel's side, which is listening once dnsmasq is.
const KERNEL_DNS: std::net::SocketAddr = std::net::SocketAddr::V4(std::net::SocketAddrV4::new(std::net::Ipv4Addr::new(192, 0, 2, 1), 53));

/// Starts `args` inside namespace `netns`, output to `log`.
pub(crate) fn spawn_in(netns: &str, args: &[&str], log: &Path) -> Result<Killed, String> {
    let out = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = crate::exec::spawn(Command::new("ip").args(["netns", "exec", netns]).args(args).stdout(Stdio::from(out)).stderr(Stdio::from(err)))
        .map_err(|e| format!("cannot start {}: {e}", args[0]))?;
    Ok(Killed(child))
}

/// dnsmasq serving DHCP and DNS on tap0 (192.0.2.1) of a namespace; stopped when dropped.
pub(crate) struct Dnsmasq {
    _child: Killed,
    log: PathBuf,
    leases: PathBuf,
}

impl Dnsmasq {
    /// Starts dnsmasq in `netns` with its log and lease file in `dir`: leases
    /// from [`POOL`] (the shortest dnsmasq gives, 2 minutes, with T1 4 s and
    /// T2 8 s so that a client renews soon), router and DNS server 192.0.2.1,
    /// and the host record board-dns.test → 192.0.2.1.
    pub(crate) fn start(netns: &str, dir: &Path) -> Result<Dnsmasq, String> {
        if crate::exec::captured(Command::new("dnsmasq").arg("--version")).is_err() {
            return Err("dnsmasq is not installed: apt-get install dnsmasq-base (the DHCP tests need it)".into());
        }
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let (log, leases) = (dir.join("dnsmasq.log"), dir.join("leases"));
        let _ = fs::remove_file(&leases);
        let (leasefile, pidfile) = (format!("--dhcp-leasefile={}", leases.display()), format!("--pid-file={}", dir.join("dnsmasq.pid").display()));
        let range = format!("--dhcp-range=192.0.2.{},192.0.2.{},255.255.255.0,120", POOL.start(), POOL.end());
        let child = spawn_in(
            netns,
            &[
                "dnsmasq",
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--user=root",
                "--interface=tap0",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--log-dhcp",
                "--log-facility=-",
                // Offer at once (no ping of the address first, which costs 3 s).
                "--no-ping",
                &leasefile,
                &pidfile,
                &range,
                "--dhcp-option=option:router,192.0.2.1",
                "--dhcp-option=option:dns-server,192.0.2.1",
                "--dhcp-option=option:T1,4",
                "--dhcp-option=option:T2,8",
                "--host-record=board-dns.test,192.0.2.1",
            ],
            &log,
        )?;
        // Its DNS over TCP answers once it has bound everything.
        usocket_netns::wait_listening(netns, KERNEL_DNS, SERVER_START)?;
        Ok(Dnsmasq { _child: child, log, leases })
    }

    /// Its log so far.
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// DHCPACKs it sent (a lease, then renewals).
    pub(crate) fn acks(&self) -> usize {
        self.log().lines().filter(|l| l.contains("DHCPACK(tap0)")).count()
    }

    /// The address it leased to `mac` (`aa:bb:...`, lower case), from its lease file.
    pub(crate) fn leased_to(&self, mac: &str) -> Option<String> {
        let leases = fs::read_to_string(&self.leases).unwrap_or_default();
        // Each line: expiry, MAC, address, host name, client id.
        leases.lines().map(|l| l.split_whitespace().collect::<Vec<_>>()).find(|f| f.get(1) == Some(&mac)).and_then(|f| f.get(2).map(|a| a.to_string()))
    }
}

/// The fixed MAC of board file `board`, as dnsmasq writes it (`02:00:00:00:00:02`).
pub(crate) fn board_mac(board: &str) -> Result<String, String> {
    let spec = usocket_codegen::load_spec(&crate::root().join("spec"), "spec").map_err(|e| e.to_string())?;
    let found = spec.boards.iter().find(|b| b.name == board).ok_or_else(|| format!("no spec/boards/{board}.toml"))?;
    let mac = found.mac.ok_or_else(|| format!("spec/boards/{board}.toml has no fixed MAC"))?;
    Ok(mac.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":"))
}

/// Is `ip` one of the pool's addresses?
pub(crate) fn in_pool(ip: &str) -> bool {
    ip.strip_prefix("192.0.2.").and_then(|last| last.parse::<u8>().ok()).is_some_and(|n| POOL.contains(&n))
}

/// The kernel's peer server in `netns` at 192.0.2.1:[`PEER_PORT`], its output to `log`.
pub(crate) fn peer_server(netns: &str, log: &Path) -> Result<Killed, String> {
    let script = crate::root().join("tests/kernel/peer_server.py");
    let server = spawn_in(netns, &["python3", &script.to_string_lossy(), "192.0.2.1", PEER_PORT], log)?;
    // It says when it listens (a fixed pause was sometimes too short on a busy machine).
    let started = std::time::Instant::now();
    while !fs::read_to_string(log).unwrap_or_default().contains("listening on") {
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!("the kernel's peer server did not listen within 10 s: {}", fs::read_to_string(log).unwrap_or_default()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(server)
}

/// Runs the DHCP tests with interpreter `exe`.
pub fn run(exe: &Path) -> Result<(), String> {
    if usocket_netns::skip_unless_root("DHCP", "its network namespace and TAP device") {
        return Ok(());
    }
    let dir = crate::root().join("target/dhcp");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let exe = exe.to_string_lossy().into_owned();
    lease_and_renewal(&exe, &dir)?;
    switch(&exe, &dir)
}

/// `USOCKET_IPV4=dhcp`: the lease from start, and its renewal.
fn lease_and_renewal(exe: &str, dir: &Path) -> Result<(), String> {
    let _ns = Netns::with_tap(crate::exec::captured, NETNS.as_str(), "192.0.2.1/24", None)?;
    let dnsmasq = Dnsmasq::start(NETNS.as_str(), dir)?;
    let _http = spawn_in(
        NETNS.as_str(),
        &["python3", "-m", "http.server", "--bind", "192.0.2.1", "8000", "--directory", &dir.to_string_lossy()],
        &dir.join("http.log"),
    )?;
    usocket_netns::wait_listening(NETNS.as_str(), "192.0.2.1:8000".parse().map_err(|e| format!("{e}"))?, SERVER_START)?;
    let result = step(
        "DHCP against dnsmasq",
        "ip",
        &[
            "netns",
            "exec",
            NETNS.as_str(),
            "env",
            "USOCKET_BOARD=tap",
            "USOCKET_TAP=tap0",
            "USOCKET_IPV4=dhcp",
            "timeout",
            "60",
            exe,
            "tests/micropython/dhcp.py",
        ],
    );
    let acks = dnsmasq.acks();
    println!("dnsmasq: {acks} DHCPACK (the lease, then renewals)");
    result?;
    if acks < 2 {
        return Err(format!("dnsmasq acknowledged {acks} request(s); a renewal needs a second DHCPACK. Its log:\n{}", dnsmasq.log()));
    }
    // The servers stop before the namespace goes (locals drop in reverse order).
    Ok(())
}

/// Static with a client on request: `ifconfig('dhcp')` without a server, then
/// with dnsmasq, then static again (`tests/micropython/dhcp_switch.py`, which
/// waits on stdin for dnsmasq to start).
fn switch(exe: &str, dir: &Path) -> Result<(), String> {
    let ns = Netns::with_tap(crate::exec::captured, NETNS.as_str(), "192.0.2.1/24", None)?;
    let _peer = peer_server(&ns.name, &dir.join("peer.log"))?;
    let env = ["USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=192.0.2.2/24", "USOCKET_GATEWAY4=192.0.2.1", "USOCKET_DNS=192.0.2.1", "USOCKET_DHCP=1"];
    progress!("==> DHCP on request: {} {exe} tests/micropython/dhcp_switch.py", env.join(" "));
    let mut board = crate::exec::spawn(
        Command::new("ip")
            .args(["netns", "exec", NETNS.as_str(), "env"])
            .args(env)
            .args(["timeout", "90", exe, "tests/micropython/dhcp_switch.py"])
            .current_dir(crate::root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    )
    .map_err(|e| format!("cannot run {exe}: {e}"))?;
    let mut stdin = board.stdin.take().ok_or("no stdin")?;
    let mut lines = BufReader::new(board.stdout.take().ok_or("no stdout")?).lines();
    let mut said = Vec::new();
    let mut dnsmasq = None;
    for line in lines.by_ref().map_while(Result::ok) {
        println!("    {line}");
        if line.trim() == "START DNSMASQ" {
            dnsmasq = Some(Dnsmasq::start(NETNS.as_str(), dir)?);
            writeln!(stdin, "go").map_err(|e| format!("dhcp_switch.py's stdin: {e}"))?;
        }
        said.push(line);
    }
    let status = board.wait().map_err(|e| e.to_string())?;
    let dnsmasq = dnsmasq.ok_or("dhcp_switch.py never asked for dnsmasq")?;
    let lease = said.iter().find_map(|l| l.strip_prefix("LEASE ")).and_then(|l| l.split_whitespace().next()).unwrap_or("").to_string();
    let recorded = dnsmasq.leased_to(&board_mac("host-tap")?);
    if !status.success() || !in_pool(&lease) || recorded.as_deref() != Some(lease.as_str()) {
        return Err(format!("DHCP on request failed ({status}): leased {lease:?}, dnsmasq's lease file says {recorded:?}; dnsmasq's log:\n{}", dnsmasq.log()));
    }
    progress!("==> DHCP on request: static 192.0.2.2, timed out without a server, lease {lease} from dnsmasq, static again");
    Ok(())
}
