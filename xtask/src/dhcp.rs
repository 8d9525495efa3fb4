//! DHCPv4 on a TAP board: our interpreter (`USOCKET_IPV4=dhcp`) against
//! dnsmasq in a namespace of its own, which also answers DNS (a host record)
//! while `python3 -m http.server` is the TCP peer. `tests/micropython/dhcp.py`
//! checks the lease, the applied address/gateway/DNS and that a renewal keeps
//! the address and open connections; here the dnsmasq log must show the
//! renewal (a second DHCPACK). Needs root and dnsmasq; says so when skipped.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::netns::Netns;
use crate::test::step;

/// The namespace of the run.
const NETNS: &str = "usocket-dhcp";

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `args` inside the namespace, output to `log`.
fn spawn_in(args: &[&str], log: &Path) -> Result<Killed, String> {
    let out = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = Command::new("ip")
        .args(["netns", "exec", NETNS])
        .args(args)
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", args[0]))?;
    Ok(Killed(child))
}

/// Runs the DHCP test with interpreter `exe`.
pub fn run(exe: &Path) -> Result<(), String> {
    if !crate::netns::is_root() {
        println!("SKIPPED DHCP: needs root for its network namespace and TAP device");
        return Ok(());
    }
    if Command::new("dnsmasq").arg("--version").output().is_err() {
        return Err("dnsmasq is not installed: apt-get install dnsmasq-base (the DHCP test needs it)".into());
    }
    let dir = crate::root().join("target/dhcp");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let _ns = Netns::with_tap(NETNS, "192.0.2.1/24", None)?;
    let leases = dir.join("leases");
    let _ = fs::remove_file(&leases);
    let dnsmasq_log = dir.join("dnsmasq.log");
    let (leasefile, pidfile) = (format!("--dhcp-leasefile={}", leases.display()), format!("--pid-file={}", dir.join("dnsmasq.pid").display()));
    let _dnsmasq = spawn_in(
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
            // dnsmasq's shortest lease is 2 minutes; T1/T2 make the client renew after 4 s.
            "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,120",
            "--dhcp-option=option:router,192.0.2.1",
            "--dhcp-option=option:dns-server,192.0.2.1",
            "--dhcp-option=option:T1,4",
            "--dhcp-option=option:T2,8",
            "--host-record=board-dns.test,192.0.2.1",
        ],
        &dnsmasq_log,
    )?;
    let _http = spawn_in(&["python3", "-m", "http.server", "--bind", "192.0.2.1", "8000", "--directory", &dir.to_string_lossy()], &dir.join("http.log"))?;
    std::thread::sleep(Duration::from_millis(500));
    let exe = exe.to_string_lossy().into_owned();
    let result = step(
        "DHCP against dnsmasq",
        "ip",
        &["netns", "exec", NETNS, "env", "USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=dhcp", "timeout", "60", &exe, "tests/micropython/dhcp.py"],
    );
    let log = fs::read_to_string(&dnsmasq_log).unwrap_or_default();
    let acks = log.lines().filter(|l| l.contains("DHCPACK(tap0)")).count();
    println!("dnsmasq: {acks} DHCPACK (the lease, then renewals)");
    result?;
    if acks < 2 {
        return Err(format!("dnsmasq acknowledged {acks} request(s); a renewal needs a second DHCPACK. Its log:\n{log}"));
    }
    // The servers stop before the namespace goes (locals drop in reverse order).
    Ok(())
}
