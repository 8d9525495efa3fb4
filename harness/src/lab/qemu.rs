//! `cargo xtask qemu BOARD [--stack NAME] [--tap NAME]`: boots a board's firmware in QEMU with
//! its serial port on a pty (printed as `serial: /dev/pts/N`) and an explicit
//! network: the TAP device NAME, or none. Without an explicit `-nic` QEMU would
//! attach its user-mode network, which reaches beyond the machine; so every
//! boot here names one. [`Qemu`] is the same for the device tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::lab::firmware::Firmware;

/// The network a boot gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nic {
    /// No link: the board's MAC has no peer.
    None,
    /// The TAP device of this name (in the namespace QEMU runs in).
    Tap(String),
}

impl Nic {
    /// QEMU's `-nic` value.
    fn arg(&self) -> String {
        match self {
            Nic::None => "none".into(),
            Nic::Tap(name) => format!("tap,ifname={name},script=no,downscript=no"),
        }
    }
}

/// How QEMU keeps time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Real time (tests).
    Real,
    /// `-icount shift=0`: one nanosecond of the emulated clock per instruction,
    /// so the firmware's own clock counts instructions (benchmarks, and tests
    /// whose output depends on timing).
    Instructions,
}

/// A running QEMU; killed when dropped.
pub struct Qemu {
    child: Child,
    /// The serial port's pty.
    pub serial: String,
}

/// How long QEMU may take to print its pty.
const BOOT_LIMIT: Duration = Duration::from_secs(20);

impl Qemu {
    /// The command line that boots `firmware`'s ELF at `elf`.
    pub fn command(firmware: &Firmware, elf: &Path, nic: &Nic, clock: Clock) -> Vec<String> {
        let mut args: Vec<String> =
            [firmware.qemu, "-machine", firmware.machine, "-nographic", "-monitor", "none", "-semihosting", "-serial", "pty"].map(String::from).to_vec();
        args.extend(["-nic".into(), nic.arg()]);
        if clock == Clock::Instructions {
            args.extend(["-icount".into(), "shift=0,sleep=off".into()]);
        }
        args.extend(["-kernel".into(), elf.to_string_lossy().into_owned()]);
        args
    }

    /// Boots, inside network namespace `netns` when given; returns once the pty is known.
    pub fn boot(firmware: &Firmware, elf: &Path, nic: &Nic, clock: Clock, netns: Option<&str>) -> Result<Qemu, String> {
        let args = Qemu::command(firmware, elf, nic, clock);
        let mut command = match netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).args(&args);
                c
            }
            None => {
                let mut c = Command::new(&args[0]);
                c.args(&args[1..]);
                c
            }
        };
        let mut child = crate::exec::spawn(command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))
            .map_err(|e| format!("cannot run {}: {e} (apt-get install qemu-system-arm)", firmware.qemu))?;
        // QEMU's complaints, except the one every boot without a link makes.
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if !line.ends_with("has no peer") {
                        eprintln!("{line}");
                    }
                }
            });
        }
        let stdout = child.stdout.take().ok_or("qemu: no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(pty) = pty_of(&line) {
                    let _ = tx.send(pty);
                }
            }
        });
        match rx.recv_timeout(BOOT_LIMIT) {
            Ok(serial) => Ok(Qemu { child, serial }),
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                Err(format!("qemu did not report its serial pty within {BOOT_LIMIT:?} ({status}): {}", args.join(" ")))
            }
        }
    }

    /// Waits for QEMU to exit (the `cargo xtask qemu` foreground).
    pub fn wait(mut self) -> Result<(), String> {
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if status.success() { Ok(()) } else { Err(format!("qemu exited: {status}")) }
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The pty in QEMU's `char device redirected to /dev/pts/N (label serial0)`.
fn pty_of(line: &str) -> Option<String> {
    let rest = line.strip_prefix("char device redirected to ")?;
    let (pty, label) = rest.split_once(' ')?;
    (label.contains("serial0") && pty.starts_with("/dev/")).then(|| pty.to_string())
}

/// `cargo xtask qemu BOARD [--stack NAME] [--tap NAME]`: builds and boots it until QEMU exits.
pub fn run(firmware: &Firmware, stack: crate::lab::firmware::Stack, nic: &Nic) -> Result<(), String> {
    let elf = crate::lab::firmware::build_with(firmware, firmware.board, stack)?;
    let qemu = Qemu::boot(firmware, &elf, nic, Clock::Real, None)?;
    println!("serial: {}", qemu.serial);
    qemu.wait()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pty_is_read_from_qemus_line() {
        assert_eq!(pty_of("char device redirected to /dev/pts/7 (label serial0)").as_deref(), Some("/dev/pts/7"));
        assert_eq!(pty_of("char device redirected to /dev/pts/7 (label monitor)"), None);
        assert_eq!(pty_of("qemu-system-arm: warning: nic lan9118.0 has no peer"), None);
    }

    #[test]
    fn every_boot_names_its_network() {
        let fw = crate::lab::firmware::find("mps2-an385").unwrap();
        let none = Qemu::command(fw, Path::new("fw.elf"), &Nic::None, Clock::Real);
        assert!(none.windows(2).any(|w| w == ["-nic", "none"]), "{none:?}");
        let tap = Qemu::command(fw, Path::new("fw.elf"), &Nic::Tap("tap0".into()), Clock::Instructions);
        assert!(tap.windows(2).any(|w| w == ["-nic", "tap,ifname=tap0,script=no,downscript=no"]), "{tap:?}");
        assert!(tap.windows(2).any(|w| w[0] == "-icount"), "{tap:?}");
    }
}
