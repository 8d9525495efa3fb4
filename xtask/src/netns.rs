//! Network namespaces for tests that need root: the root check, `ip`, and a
//! namespace that is deleted when dropped.

use std::path::Path;
use std::process::Command;

/// True when the effective uid is 0 (from /proc, without libc).
pub fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|ids| ids.split_whitespace().nth(1)).is_some_and(|euid| euid == "0")
}

/// When not root, says loudly that `what` is skipped because it `needs` root,
/// and returns true (the caller then returns Ok without testing).
pub fn skip_unless_root(what: &str, needs: &str) -> bool {
    if is_root() {
        return false;
    }
    let bar = "!".repeat(88);
    eprintln!("\n{bar}\n!!! SKIPPED {what}: not running as root (effective uid != 0).\n!!! It needs root for {needs};\n!!! NOTHING WAS TESTED.\n{bar}\n");
    true
}

/// `ip ARGS...`, which must succeed.
pub fn ip(args: &[&str]) -> Result<(), String> {
    let out = crate::exec::captured(Command::new("ip").args(args)).map_err(|e| format!("cannot run `ip {}`: {e}", args.join(" ")))?;
    if out.status.success() { Ok(()) } else { Err(format!("`ip {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim())) }
}

/// A network namespace, deleted when dropped.
pub struct Netns {
    /// Its name.
    pub name: String,
}

impl Netns {
    /// Creates `name`, first deleting one an interrupted run left behind.
    pub fn create(name: &str) -> Result<Netns, String> {
        if Path::new(&format!("/var/run/netns/{name}")).exists() {
            let _ = crate::exec::captured(Command::new("ip").args(["netns", "del", name]));
        }
        ip(&["netns", "add", name])?;
        Ok(Netns { name: name.to_string() })
    }

    /// Creates `name` with `tap0` up, the kernel's end at `v4` (and `v6`,
    /// without duplicate address detection) and `lo` up.
    pub fn with_tap(name: &str, v4: &str, v6: Option<&str>) -> Result<Netns, String> {
        let ns = Netns::create(name)?;
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
    pub fn with_bridge(name: &str, v4: &str, v6: Option<&str>, taps: &[&str], nowhere: &str) -> Result<Netns, String> {
        let ns = Netns::create(name)?;
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
    pub fn ip(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        ip(&all)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Err(e) = ip(&["netns", "del", &self.name]) {
            eprintln!("{e}");
        }
    }
}
