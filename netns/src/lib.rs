//! Network namespaces for the tests that need root, shared by xtask's suites
//! and `targets/host/tests/tap_netns.rs` so that both make, configure and
//! remove them the same way: the root check and its loud skip, `ip`, and
//! [`Netns`], a namespace (with TAP devices or a bridge) deleted when dropped.
//!
//! Each namespace runs `ip` through the caller's [`Run`] (xtask's echoes the
//! command under `-v`; a test passes [`Command::output`]).

use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Output};

/// How a caller runs a command and collects its output.
pub type Run = fn(&mut Command) -> io::Result<Output>;

/// An `ip` command that did not succeed.
#[derive(Debug)]
pub enum Error {
    /// `ip` could not be started.
    Spawn { command: String, source: io::Error },
    /// `ip` ran and failed.
    Failed { command: String, status: ExitStatus, stderr: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spawn { command, source } => write!(f, "cannot run `{command}`: {source}"),
            Error::Failed { command, status, stderr } => write!(f, "`{command}` failed ({status}): {stderr}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Spawn { source, .. } => Some(source),
            Error::Failed { .. } => None,
        }
    }
}

/// xtask's errors are strings: `?` turns an [`Error`] into its message.
impl From<Error> for String {
    fn from(e: Error) -> String {
        e.to_string()
    }
}

/// True when the effective uid is 0 (from /proc, without libc).
pub fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|ids| ids.split_whitespace().nth(1)).is_some_and(|euid| euid == "0")
}

/// When not root, says loudly that `what` is skipped because it `needs` root,
/// and returns true (the caller then returns without testing). Written
/// straight to fd 2: a test harness captures `eprintln!`, and this must be seen.
pub fn skip_unless_root(what: &str, needs: &str) -> bool {
    if is_root() {
        return false;
    }
    let bar = "!".repeat(88);
    let message =
        format!("\n{bar}\n!!! SKIPPED {what}: not running as root (effective uid != 0).\n!!! It needs root for {needs};\n!!! NOTHING WAS TESTED.\n{bar}\n\n");
    let _ = io::stderr().lock().write_all(message.as_bytes());
    true
}

/// `ip ARGS...` run by `run`, which must succeed.
pub fn ip(run: Run, args: &[&str]) -> Result<(), Error> {
    let command = format!("ip {}", args.join(" "));
    let out = run(Command::new("ip").args(args)).map_err(|source| Error::Spawn { command: command.clone(), source })?;
    match out.status.success() {
        true => Ok(()),
        false => Err(Error::Failed { command, status: out.status, stderr: String::from_utf8_lossy(&out.stderr).trim().to_string() }),
    }
}

/// `BASE-pidPID`: a namespace name of this process's own, so that two runs on one
/// machine (two CI jobs, a test beside a benchmark) never share or delete each
/// other's namespace. [`Netns::create`] removes the ones of processes that
/// are gone (an interrupted run's).
pub fn private_name(base: &str) -> String {
    format!("{base}-pid{}", std::process::id())
}

/// The pid a [`private_name`] ends with, if it is one (other names, such as
/// a test's `usocket-PID-N`, have none: their owner removes them).
fn owner(name: &str) -> Option<u32> {
    name.rsplit_once("-pid").and_then(|(_, pid)| pid.parse().ok())
}

/// Deletes the namespaces named `BASE-pidPID` whose process is gone, for
/// `name`'s BASE.
fn remove_orphans(run: Run, name: &str) {
    let Some((base, _)) = name.rsplit_once("-pid").filter(|_| owner(name).is_some()) else { return };
    let Ok(entries) = std::fs::read_dir("/var/run/netns") else { return };
    for entry in entries.flatten() {
        let other = entry.file_name().to_string_lossy().into_owned();
        let orphan = other.rsplit_once("-pid").is_some_and(|(b, _)| b == base) && owner(&other).is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
        if orphan {
            let _ = run(Command::new("ip").args(["netns", "del", &other]));
        }
    }
}

/// A network namespace, deleted when dropped.
pub struct Netns {
    /// Its name.
    pub name: String,
    /// How its `ip` commands run.
    run: Run,
}

impl Netns {
    /// Creates `name` (usually a [`private_name`]), first deleting one an
    /// interrupted run left behind: `name` itself, and for a private name
    /// those of its base whose process is gone.
    pub fn create(run: Run, name: &str) -> Result<Netns, Error> {
        remove_orphans(run, name);
        if Path::new(&format!("/var/run/netns/{name}")).exists() {
            let _ = run(Command::new("ip").args(["netns", "del", name]));
        }
        ip(run, &["netns", "add", name])?;
        Ok(Netns { name: name.to_string(), run })
    }

    /// Creates `name` with `tap0` up, the kernel's end at `v4` (and `v6`,
    /// without duplicate address detection) and `lo` up.
    pub fn with_tap(run: Run, name: &str, v4: &str, v6: Option<&str>) -> Result<Netns, Error> {
        // From here the guard exists, so a failing step below still removes the namespace.
        let ns = Netns::create(run, name)?;
        ns.ip(&["tuntap", "add", "dev", "tap0", "mode", "tap"])?;
        ns.ip(&["link", "set", "lo", "up"])?;
        ns.ip(&["addr", "add", v4, "dev", "tap0"])?;
        if let Some(v6) = v6 {
            ns.ip(&["addr", "add", v6, "dev", "tap0", "nodad"])?;
        }
        ns.ip(&["link", "set", "tap0", "up"])?;
        Ok(ns)
    }

    /// Creates `name` with a bridge `br0` (the kernel's end at `v4`, and `v6`
    /// without duplicate address detection) that `taps` are enslaved to, `lo`
    /// up, and a default route via `nowhere` (an address nobody has: it makes
    /// the kernel's source address for any destination `v4`'s, as
    /// run-multitests.py's HOST_IP needs; nothing leaves the namespace).
    pub fn with_bridge(run: Run, name: &str, v4: &str, v6: Option<&str>, taps: &[&str], nowhere: &str) -> Result<Netns, Error> {
        let ns = Netns::create(run, name)?;
        ns.ip(&["link", "set", "lo", "up"])?;
        ns.ip(&["link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0"])?;
        ns.ip(&["addr", "add", v4, "dev", "br0"])?;
        if let Some(v6) = v6 {
            ns.ip(&["addr", "add", v6, "dev", "br0", "nodad"])?;
        }
        for tap in taps {
            ns.ip(&["tuntap", "add", "dev", tap, "mode", "tap"])?;
            ns.ip(&["link", "set", tap, "master", "br0"])?;
            ns.ip(&["link", "set", tap, "up"])?;
        }
        ns.ip(&["link", "set", "br0", "up"])?;
        ns.ip(&["route", "add", "default", "via", nowhere, "dev", "br0"])?;
        Ok(ns)
    }

    /// `ip -n NAME ARGS...`, which must succeed.
    pub fn ip(&self, args: &[&str]) -> Result<(), Error> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        ip(self.run, &all)
    }

    /// Moves the calling thread into the namespace (the process's other threads stay where they are).
    pub fn enter(&self) -> io::Result<()> {
        enter(&self.name)
    }
}

/// Moves the calling thread into the network namespace `name` (made by `ip netns add`).
pub fn enter(name: &str) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::open(format!("/var/run/netns/{name}"))?;
    // SAFETY: setns on a namespace fd this function holds open; it only changes the calling thread's network namespace.
    match unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// Waits until something in namespace `name` accepts TCP connections at
/// `addr` (a server a test started there), at most `within`: a fixed pause
/// is too short on a busy machine and too long on an idle one. The connects
/// come from a thread of its own that enters the namespace.
pub fn wait_listening(name: &str, addr: std::net::SocketAddr, within: std::time::Duration) -> Result<(), String> {
    let name = name.to_string();
    std::thread::spawn(move || {
        enter(&name).map_err(|e| format!("enter namespace {name}: {e}"))?;
        let started = std::time::Instant::now();
        loop {
            let last = match std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(500)) {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            if started.elapsed() > within {
                return Err(format!("nothing accepted connections at {addr} in namespace {name} within {within:?}: {last}"));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    })
    .join()
    .map_err(|_| "the waiting thread panicked".to_string())?
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Err(e) = ip(self.run, &["netns", "del", &self.name]) {
            eprintln!("{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers every command with `false`'s failure, without running `ip`.
    fn fails(_: &mut Command) -> io::Result<Output> {
        Command::new("false").output()
    }

    #[test]
    fn a_failing_ip_names_the_command() {
        let e = ip(fails, &["link", "show"]).unwrap_err();
        assert!(matches!(&e, Error::Failed { command, .. } if command == "ip link show"), "{e:?}");
        assert!(e.to_string().starts_with("`ip link show` failed ("), "{e}");
    }

    #[test]
    fn a_private_name_is_owned_by_this_process() {
        let name = private_name("usocket-dhcp");
        assert_eq!(owner(&name), Some(std::process::id()));
        assert!(name.starts_with("usocket-dhcp-pid"));
        assert_eq!(owner("usocket-dhcp"), None, "a fixed name has no owner");
        assert_eq!(owner("usocket-26946-11"), None, "a test's name is not a private name: its siblings are not orphans");
    }
}
