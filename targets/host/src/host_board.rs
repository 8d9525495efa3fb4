//! The board a host process runs, chosen at run time: loopback (the default)
//! or a TAP device, configured from the environment.

use std::env;
use std::net::IpAddr;
use std::os::fd::RawFd;

use usocket_runtime::smoltcp::phy::{self, Device, DeviceCapabilities};
use usocket_runtime::smoltcp::time::Instant;
use usocket_runtime::smoltcp::wire::{IpAddress, Ipv4Address, Ipv6Address};
use usocket_runtime::{Board, BoardInfo, BoardTime, DhcpClient, Interrupted, NetConfig};

use crate::clock::{Clock, earliest, wait};
use crate::faults::{FaultStats, Faults, FaultyDevice};
use crate::loopback::{LOOPBACK_MTU, LoopbackDevice, LoopbackRx, LoopbackTx, loopback_net};
use crate::tap::{TapConfig, TapDevice, TapRx, TapTx, tap_net};

/// The environment variables that choose and configure the board.
///
/// # Examples
///
/// A program's `--help` lists them:
///
/// ```
/// use usocket_host::ENV_VARS;
///
/// let help: String = ENV_VARS.iter().map(|(name, what)| format!("  {name}: {what}\n")).collect();
/// assert!(help.starts_with("  USOCKET_BOARD: "));
/// ```
pub const ENV_VARS: [(&str, &str); 11] = [
    ("USOCKET_BOARD", "`loopback` (default) or `tap`"),
    ("USOCKET_TAP", "TAP device name (default `tap0`)"),
    ("USOCKET_IPV4", "IPv4 address/prefix, e.g. 192.0.2.2/24, or `dhcp` (with USOCKET_IPV6, replaces the board file's addresses, gateways and DNS)"),
    ("USOCKET_GATEWAY4", "IPv4 default gateway"),
    ("USOCKET_DHCP", "`1`: a DHCP client beside the static IPv4 address, which ifconfig('dhcp') starts; `0`: none (default: the board file's)"),
    ("USOCKET_IPV6", "IPv6 address/prefix, e.g. 2001:db8::2/64"),
    ("USOCKET_GATEWAY6", "IPv6 default gateway"),
    ("USOCKET_DNS", "DNS servers, comma-separated (at most 2)"),
    ("USOCKET_MAC", "MAC address; USOCKET_MTU sets the IP MTU (defaults: spec/boards/host-tap.toml)"),
    ("USOCKET_FAULTS", "faults on the board's frames, e.g. loss=10%,dup=2%,reorder=5%,corrupt=1%,delay=2ms,seed=7"),
    ("USOCKET_RUNNER", "`0`: no thread of the library runs the stack while nobody calls it (default: one does)"),
];

/// Either host board's device ([`AnyBoard`]'s, behind its fault layer:
/// see [`AnyBoard`] and [`FaultyDevice`]'s examples).
#[derive(Debug)]
pub enum HostDevice {
    /// In-process loopback.
    Loopback(LoopbackDevice),
    /// A TAP device.
    Tap(TapDevice),
}

/// Either device's received frame.
pub enum HostRx<'a> {
    /// Loopback.
    Loopback(LoopbackRx<'a>),
    /// TAP.
    Tap(TapRx<'a>),
}

/// Either device's transmit slot.
pub enum HostTx<'a> {
    /// Loopback.
    Loopback(LoopbackTx<'a>),
    /// TAP.
    Tap(TapTx<'a>),
}

impl phy::RxToken for HostRx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        match self {
            HostRx::Loopback(t) => t.consume(f),
            HostRx::Tap(t) => t.consume(f),
        }
    }
}

impl phy::TxToken for HostTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        match self {
            HostTx::Loopback(t) => t.consume(len, f),
            HostTx::Tap(t) => t.consume(len, f),
        }
    }
}

impl Device for HostDevice {
    type RxToken<'a> = HostRx<'a>;
    type TxToken<'a> = HostTx<'a>;

    fn receive(&mut self, now: Instant) -> Option<(HostRx<'_>, HostTx<'_>)> {
        match self {
            HostDevice::Loopback(d) => d.receive(now).map(|(r, t)| (HostRx::Loopback(r), HostTx::Loopback(t))),
            HostDevice::Tap(d) => d.receive(now).map(|(r, t)| (HostRx::Tap(r), HostTx::Tap(t))),
        }
    }

    fn transmit(&mut self, now: Instant) -> Option<HostTx<'_>> {
        match self {
            HostDevice::Loopback(d) => d.transmit(now).map(HostTx::Loopback),
            HostDevice::Tap(d) => d.transmit(now).map(HostTx::Tap),
        }
    }

    fn capabilities(&self) -> DeviceCapabilities {
        match self {
            HostDevice::Loopback(d) => d.capabilities(),
            HostDevice::Tap(d) => d.capabilities(),
        }
    }
}

/// Either host board behind one type (the C ABI's stack has one board type).
///
/// # Examples
///
/// The loopback board needs no privileges; its board file gives the sizes.
/// (The crate's quick start runs a stack on it.)
///
/// ```
/// use usocket_host::{AnyBoard, Board, HostMemory, Stack};
///
/// let board = AnyBoard::loopback().with_simulated_time();
/// assert_eq!(board.info().name, "host-loopback");
/// let config = board.config();
/// let mut memory = HostMemory::new(&config);
/// let mut stack = Stack::new(memory.lend(), board, config).unwrap();
/// // On simulated time, an idle round moves the clock instead of sleeping.
/// let before = stack.board().now();
/// stack.idle().unwrap();
/// assert!(stack.board().now() >= before);
/// ```
///
/// A TAP board (root, or CAP_NET_ADMIN, to create `tap0`):
///
/// ```no_run
/// use usocket_host::{AnyBoard, boards::HOST_TAP, tap::TapConfig};
///
/// let board = AnyBoard::tap(TapConfig::from_board(&HOST_TAP))?;
/// assert_eq!(board.info().name, HOST_TAP.name);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct AnyBoard {
    device: FaultyDevice<HostDevice>,
    tap: Option<TapConfig>,
    clock: Clock,
}

impl AnyBoard {
    /// The loopback board.
    pub fn loopback() -> AnyBoard {
        AnyBoard::loopback_mtu(LOOPBACK_MTU)
    }

    /// The loopback board with another MTU (smaller packets, e.g. 1500 as on
    /// Ethernet, put many segments in flight).
    pub fn loopback_mtu(mtu: usize) -> AnyBoard {
        let device = FaultyDevice::new(HostDevice::Loopback(LoopbackDevice::new(mtu)), Faults::default(), false);
        AnyBoard { device, tap: None, clock: Clock::new() }
    }

    /// A TAP board.
    pub fn tap(config: TapConfig) -> std::io::Result<AnyBoard> {
        let device = TapDevice::open(&config.name, config.mtu)?;
        Ok(AnyBoard { device: FaultyDevice::new(HostDevice::Tap(device), Faults::default(), true), tap: Some(config), clock: Clock::new() })
    }

    /// The same loopback board on a virtual clock: a wait moves time straight
    /// to its deadline, so timers (retransmissions) cost no wall time.
    pub fn with_simulated_time(self) -> AnyBoard {
        assert!(self.tap.is_none(), "simulated time is for the loopback board, whose only events are its own");
        AnyBoard { clock: Clock::simulated(), ..self }
    }

    /// The same board with `faults` on its frames, both ways.
    pub fn with_faults(self, faults: Faults) -> AnyBoard {
        let AnyBoard { device, tap, clock } = self;
        // Loopback receives its own sent frames: they suffer once, when sent.
        let rx_faults = tap.is_some();
        AnyBoard { device: FaultyDevice::new(device.into_inner(), faults, rx_faults), tap, clock }
    }

    /// What the fault layer did so far.
    pub fn fault_stats(&self) -> FaultStats {
        self.device.stats()
    }

    /// The board file this board follows (its sizes and defaults).
    pub fn info(&self) -> &'static BoardInfo {
        if self.tap.is_some() { &usocket_runtime::boards::HOST_TAP } else { &usocket_runtime::boards::HOST_LOOPBACK }
    }

    /// The stack's config: the board file's, with the DHCP client the TAP
    /// board's environment asks for.
    pub fn config(&self) -> usocket_runtime::Config {
        let info = self.info();
        usocket_runtime::Config { dhcp_v4: self.tap.as_ref().map_or(info.config.dhcp_v4, |t| t.dhcp_v4), ..info.config }
    }

    /// The board named by the environment (see [`ENV_VARS`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use usocket_host::AnyBoard;
    ///
    /// let board = AnyBoard::from_env().unwrap_or_else(|why| panic!("{why}"));
    /// if std::env::var_os("USOCKET_BOARD").is_none() {
    ///     assert_eq!(board.info().name, "host-loopback", "loopback is the default");
    /// }
    /// ```
    pub fn from_env() -> Result<AnyBoard, String> {
        let var = |name: &str| env::var(name).ok().filter(|v| !v.is_empty());
        let faults = var("USOCKET_FAULTS").map(|f| Faults::parse(&f).map_err(|e| format!("USOCKET_FAULTS: {e}"))).transpose()?;
        let board = match var("USOCKET_BOARD").as_deref() {
            None | Some("loopback") => Ok(AnyBoard::loopback()),
            Some("tap") => {
                let board = &usocket_runtime::boards::HOST_TAP;
                let mut config = TapConfig::from_board(board);
                config.name = var("USOCKET_TAP").unwrap_or(config.name);
                if let Some(m) = var("USOCKET_MAC") {
                    config.mac = parse_mac(&m)?;
                }
                if let Some(m) = var("USOCKET_MTU") {
                    config.mtu = m.parse().map_err(|_| format!("USOCKET_MTU={m}: not a number"))?;
                }
                // Addresses from the environment replace the board file's altogether.
                if var("USOCKET_IPV4").is_some() || var("USOCKET_IPV6").is_some() {
                    config.dhcp_v4 = if var("USOCKET_IPV4").as_deref() == Some("dhcp") { DhcpClient::FromStart } else { DhcpClient::None };
                    config.ipv4 = var("USOCKET_IPV4")
                        .filter(|v| v != "dhcp")
                        .map(|v| parse_cidr(&v, "USOCKET_IPV4"))
                        .transpose()?
                        .map(|(ip, p)| match ip {
                            IpAddr::V4(a) => Ok((a, p)),
                            IpAddr::V6(_) => Err("USOCKET_IPV4: an IPv6 address".to_string()),
                        })
                        .transpose()?;
                    config.ipv6 = var("USOCKET_IPV6")
                        .map(|v| parse_cidr(&v, "USOCKET_IPV6"))
                        .transpose()?
                        .map(|(ip, p)| match ip {
                            IpAddr::V6(a) => Ok((a, p)),
                            IpAddr::V4(_) => Err("USOCKET_IPV6: an IPv4 address".to_string()),
                        })
                        .transpose()?;
                    config.gateway_v4 = None;
                    config.gateway_v6 = None;
                    config.dns.clear();
                }
                match (var("USOCKET_DHCP").as_deref(), config.dhcp_v4) {
                    (None, _) => {}
                    (Some("1"), DhcpClient::FromStart) | (Some("0"), DhcpClient::None) => {}
                    (Some("1"), _) => config.dhcp_v4 = DhcpClient::OnRequest,
                    (Some("0"), DhcpClient::OnRequest) => config.dhcp_v4 = DhcpClient::None,
                    (Some("0"), DhcpClient::FromStart) => return Err("USOCKET_DHCP=0 with USOCKET_IPV4=dhcp: that client runs from start".into()),
                    (Some(other), _) => return Err(format!("USOCKET_DHCP={other}: expected 1 (a client ifconfig('dhcp') starts) or 0")),
                }
                if let Some(v) = var("USOCKET_GATEWAY4") {
                    config.gateway_v4 = Some(v.parse::<Ipv4Address>().map_err(|_| format!("USOCKET_GATEWAY4={v}: not an IPv4 address"))?);
                }
                if let Some(v) = var("USOCKET_GATEWAY6") {
                    config.gateway_v6 = Some(v.parse::<Ipv6Address>().map_err(|_| format!("USOCKET_GATEWAY6={v}: not an IPv6 address"))?);
                }
                if let Some(v) = var("USOCKET_DNS") {
                    config.dns = v
                        .split(',')
                        .map(|s| s.trim().parse::<IpAddr>().map(IpAddress::from).map_err(|_| format!("USOCKET_DNS: {s:?} is not an IP address")))
                        .collect::<Result<Vec<_>, _>>()?;
                }
                let name = config.name.clone();
                AnyBoard::tap(config).map_err(|e| format!("TAP device {name:?}: {e}"))
            }
            Some(other) => Err(format!("USOCKET_BOARD={other}: expected `loopback` or `tap`")),
        }?;
        Ok(match faults {
            Some(f) => board.with_faults(f),
            None => board,
        })
    }
}

/// Parses `ADDRESS/PREFIX` of `var`'s family (IPv6 for `USOCKET_IPV6`), as a board file's address.
fn parse_cidr(text: &str, var: &str) -> Result<(IpAddr, u8), String> {
    use usocket_config::text::{CidrError, cidr};
    cidr(text, var.ends_with("6")).map_err(|e| match e {
        CidrError::NoPrefix => format!("{var}={text}: expected ADDRESS/PREFIX"),
        CidrError::BadPrefix { max, .. } => format!("{var}={text}: prefix must be 0..={max}"),
        CidrError::BadAddress { address } => format!("{var}={text}: {address:?} is not an {} address", if var.ends_with("6") { "IPv6" } else { "IPv4" }),
    })
}

/// Parses `USOCKET_MAC`, six two-digit hex bytes as in a board file.
fn parse_mac(text: &str) -> Result<[u8; 6], String> {
    usocket_config::text::mac(text).ok_or_else(|| format!("USOCKET_MAC={text}: expected six hex bytes like 02:00:00:00:00:02"))
}

impl Board for AnyBoard {
    type Device = FaultyDevice<HostDevice>;

    fn device(&mut self) -> &mut FaultyDevice<HostDevice> {
        &mut self.device
    }

    fn net(&self) -> NetConfig {
        match &self.tap {
            None => loopback_net(),
            Some(config) => tap_net(config),
        }
    }

    fn now(&self) -> BoardTime {
        self.clock.now()
    }

    fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        let plan = self.wake_plan(until);
        wait(&self.clock, plan.fd, plan.until)
    }
}

/// What a wait on a host board waits for: its device's fd becoming readable
/// (the TAP device; the loopback board has none), until a time.
///
/// A host loop that polls its own fds too puts `fd` among them.
///
/// # Examples
///
/// ```
/// use usocket_host::{AnyBoard, BoardTime};
///
/// let at = BoardTime::from_micros(5_000);
/// let plan = AnyBoard::loopback().wake_plan(Some(at));
/// assert_eq!((plan.fd, plan.until), (None, Some(at)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakePlan {
    /// The device's fd, readable when frames came.
    pub fd: Option<RawFd>,
    /// When to wake at the latest (None: only for the fd).
    pub until: Option<BoardTime>,
}

impl AnyBoard {
    /// What a wait until `until` waits for: frames the fault layer holds
    /// back are due at their time, packets the loopback device holds at once.
    pub fn wake_plan(&self, until: Option<BoardTime>) -> WakePlan {
        let until = earliest(until, self.device.next_release_us().map(BoardTime::from_micros));
        match self.device.inner() {
            HostDevice::Loopback(d) if d.has_pending() => WakePlan { fd: None, until: Some(self.clock.now()) },
            HostDevice::Loopback(_) => WakePlan { fd: None, until },
            HostDevice::Tap(d) => WakePlan { fd: Some(d.raw_fd()), until },
        }
    }

    /// The board's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_settings_are_parsed_with_clear_errors() {
        assert_eq!(parse_cidr("192.0.2.2/24", "V4"), Ok(("192.0.2.2".parse().unwrap(), 24)));
        assert_eq!(parse_cidr("2001:db8::2/64", "V6").map(|c| c.1), Ok(64));
        assert_eq!(parse_cidr("192.0.2.2/33", "V4"), Err("V4=192.0.2.2/33: prefix must be 0..=32".into()));
        assert_eq!(parse_cidr("192.0.2.2", "V4"), Err("V4=192.0.2.2: expected ADDRESS/PREFIX".into()));
        assert_eq!(parse_cidr("192.0.2.2/24", "V6"), Err("V6=192.0.2.2/24: \"192.0.2.2\" is not an IPv6 address".into()));
        assert_eq!(parse_mac("02:00:00:00:00:0a"), Ok([2, 0, 0, 0, 0, 10]));
        assert!(parse_mac("02:00:00:00:00").is_err());
        assert!(parse_mac("02:00:00:00:00:00:00").is_err());
    }
}
