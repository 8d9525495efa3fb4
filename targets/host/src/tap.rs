//! The TAP board: a Linux TAP device (Ethernet frames) with static IPv4/IPv6
//! addresses, gateways and DNS servers. Works inside a network namespace.
//! Traffic to itself (127.0.0.1, ::1, its own addresses) never reaches the
//! device: the runtime's loop queue keeps it.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::vec::Vec;

use usocket_runtime::smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use usocket_runtime::smoltcp::time::Instant;
use usocket_runtime::smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr, Ipv4Address, Ipv6Address};
use usocket_runtime::{Addressing, BoardInfo, DhcpClient, NetConfig};

/// Ethernet header bytes on top of the IP MTU.
const ETHERNET_HEADER: usize = 14;

/// How a TAP board is set up.
///
/// From the board file, changed where a test's network namespace differs;
/// [`AnyBoard::tap`](crate::AnyBoard::tap) opens it (see [`AnyBoard`](crate::AnyBoard)).
///
/// # Examples
///
/// ```
/// use usocket_host::boards::HOST_TAP;
/// use usocket_host::smoltcp::wire::Ipv4Address;
/// use usocket_host::tap::TapConfig;
///
/// let config = TapConfig { name: "tap7".into(), ipv4: Some((Ipv4Address::new(192, 0, 2, 7), 24)), ..TapConfig::from_board(&HOST_TAP) };
/// assert_eq!(config.mtu, HOST_TAP.mtu);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapConfig {
    /// Device name, e.g. `tap0` (created if it does not exist, which needs CAP_NET_ADMIN).
    pub name: String,
    /// The board's MAC address.
    pub mac: [u8; 6],
    /// IP MTU of the link.
    pub mtu: usize,
    /// IPv4 address and prefix length.
    pub ipv4: Option<(Ipv4Address, u8)>,
    /// IPv4 default gateway.
    pub gateway_v4: Option<Ipv4Address>,
    /// IPv6 address and prefix length.
    pub ipv6: Option<(Ipv6Address, u8)>,
    /// IPv6 default gateway.
    pub gateway_v6: Option<Ipv6Address>,
    /// DNS servers (at most two are used).
    pub dns: Vec<IpAddress>,
    /// The DHCPv4 client: from start (the IPv4 address, gateway and DNS servers
    /// come from a DHCP server instead), on request (`ifconfig('dhcp')`), or none.
    pub dhcp_v4: DhcpClient,
}

impl TapConfig {
    /// The settings of a board file (`spec/boards/host-tap.toml`) on device `tap0`.
    pub fn from_board(board: &BoardInfo) -> TapConfig {
        let (ipv4, gateway_v4) = match board.ipv4 {
            Addressing::Static { address: IpAddr::V4(a), prefix, gateway } => {
                (Some((a, prefix)), gateway.and_then(|g| if let IpAddr::V4(g) = g { Some(g) } else { None }))
            }
            _ => (None, None),
        };
        let (ipv6, gateway_v6) = match board.ipv6 {
            Addressing::Static { address: IpAddr::V6(a), prefix, gateway } => {
                (Some((a, prefix)), gateway.and_then(|g| if let IpAddr::V6(g) = g { Some(g) } else { None }))
            }
            _ => (None, None),
        };
        TapConfig {
            name: "tap0".into(),
            mac: board.mac.unwrap_or([2, 0, 0, 0, 0, 2]),
            mtu: board.mtu,
            ipv4,
            gateway_v4,
            ipv6,
            gateway_v6,
            dns: board.dns.iter().map(|&d| IpAddress::from(d)).collect(),
            dhcp_v4: board.config.dhcp_v4,
        }
    }
}

/// A TAP device's fd, read and written without blocking.
///
/// # Examples
///
/// Opening needs `/dev/net/tun` and CAP_NET_ADMIN to create the device; a
/// bad name fails before either:
///
/// ```
/// use usocket_host::tap::TapDevice;
///
/// let err = TapDevice::open("", 1500).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// ```
///
/// ```no_run
/// use usocket_host::tap::TapDevice;
///
/// let tap = TapDevice::open("tap0", 1500)?;
/// assert!(tap.raw_fd() >= 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TapDevice {
    fd: OwnedFd,
    mtu: usize,
    rx: Vec<u8>,
    tx: Vec<u8>,
}

impl TapDevice {
    /// Attaches to (or creates) the TAP device `name`.
    pub fn open(name: &str, mtu: usize) -> io::Result<TapDevice> {
        if name.is_empty() || name.len() >= libc::IFNAMSIZ {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("TAP device name {name:?}: 1 to {} bytes", libc::IFNAMSIZ - 1)));
        }
        // SAFETY: a NUL-terminated path; the result is checked.
        let raw = unsafe { libc::open(c"/dev/net/tun".as_ptr(), libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is an fd we just opened and own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: ifreq is plain data; all-zero is valid.
        let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
        for (dst, src) in req.ifr_name.iter_mut().zip(name.bytes()) {
            *dst = src as libc::c_char;
        }
        req.ifr_ifru.ifru_flags = (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short;
        // SAFETY: TUNSETIFF reads an ifreq we own.
        if unsafe { libc::ioctl(fd.as_raw_fd(), libc::TUNSETIFF, &mut req) } < 0 {
            return Err(io::Error::last_os_error());
        }
        wait_running(&req.ifr_name);
        let frame = mtu + ETHERNET_HEADER;
        Ok(TapDevice { fd, mtu: frame, rx: vec![0; frame], tx: vec![0; frame] })
    }

    /// The fd, for waiting.
    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }
}

/// How long [`TapDevice::open`] waits for the kernel to bring an up
/// interface's link into operation after we attached.
const LINK_UP_US: u64 = 1_000_000;

/// Waits (at most [`LINK_UP_US`]) until the kernel runs the link of interface
/// `name` (IFF_RUNNING), if it is administratively up. Attaching raises the
/// carrier, but the kernel starts transmitting on the link a few ms later
/// (its link watch work): a reply before that is dropped. So the first ARP
/// request of a fresh process went unanswered, and its first connection
/// waited a second for smoltcp's next request (measured: 2 of 6 fresh
/// processes took 1.0 s to connect to the kernel, the others 2 ms).
///
/// UPSTREAM(Linux): a TAP interface transmits only a few ms after its carrier
/// comes up, dropping what is sent to it before — remove when smoltcp asks
/// an unanswered neighbour again within milliseconds rather than a second.
fn wait_running(name: &[libc::c_char; libc::IFNAMSIZ]) {
    // SAFETY: socket() has no preconditions; the result is checked.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return;
    }
    // SAFETY: `raw` is a socket we just opened and own.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    let start = std::time::Instant::now();
    loop {
        // SAFETY: ifreq is plain data; all-zero is valid.
        let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
        req.ifr_name = *name;
        // SAFETY: SIOCGIFFLAGS fills the flags of an ifreq we own.
        if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) } < 0 {
            return;
        }
        // SAFETY: SIOCGIFFLAGS set the flags member.
        let flags = i32::from(unsafe { req.ifr_ifru.ifru_flags });
        // Down (e.g. just created): nobody on the link answers before someone brings it up.
        if flags & libc::IFF_UP == 0 || flags & libc::IFF_RUNNING != 0 || start.elapsed().as_micros() as u64 >= LINK_UP_US {
            return;
        }
        std::thread::sleep(std::time::Duration::from_micros(500));
    }
}

/// A frame read from the TAP device.
pub struct TapRx<'a> {
    frame: &'a [u8],
}

/// Sends one frame to the TAP device.
pub struct TapTx<'a> {
    fd: &'a OwnedFd,
    buf: &'a mut Vec<u8>,
}

impl phy::RxToken for TapRx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.frame)
    }
}

impl phy::TxToken for TapTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        self.buf.resize(len.max(self.buf.len()), 0);
        let result = f(&mut self.buf[..len]);
        // SAFETY: writes `len` initialised bytes from our buffer. A full queue
        // (EAGAIN) drops the frame, as a busy link would; TCP retransmits.
        unsafe { libc::write(self.fd.as_raw_fd(), self.buf.as_ptr().cast(), len) };
        result
    }
}

impl Device for TapDevice {
    type RxToken<'a> = TapRx<'a>;
    type TxToken<'a> = TapTx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(TapRx<'_>, TapTx<'_>)> {
        // SAFETY: reads at most `rx.len()` bytes into our buffer.
        let n = unsafe { libc::read(self.fd.as_raw_fd(), self.rx.as_mut_ptr().cast(), self.rx.len()) };
        let n = usize::try_from(n).ok().filter(|&n| n > 0)?;
        Some((TapRx { frame: &self.rx[..n] }, TapTx { fd: &self.fd, buf: &mut self.tx }))
    }

    fn transmit(&mut self, _: Instant) -> Option<TapTx<'_>> {
        Some(TapTx { fd: &self.fd, buf: &mut self.tx })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = self.mtu;
        caps
    }
}

/// A TAP board's interface: its MAC, static addresses, gateways and DNS servers.
///
/// # Examples
///
/// ```
/// use usocket_host::boards::HOST_TAP;
/// use usocket_host::smoltcp::wire::{EthernetAddress, HardwareAddress};
/// use usocket_host::tap::{TapConfig, tap_net};
///
/// let config = TapConfig { mac: [2, 0, 0, 0, 0, 9], ..TapConfig::from_board(&HOST_TAP) };
/// assert_eq!(tap_net(&config).hardware, HardwareAddress::Ethernet(EthernetAddress([2, 0, 0, 0, 0, 9])));
/// ```
pub fn tap_net(c: &TapConfig) -> NetConfig {
    let mut dns = [None, None];
    for (slot, s) in dns.iter_mut().zip(&c.dns) {
        *slot = Some(*s);
    }
    NetConfig {
        hardware: HardwareAddress::Ethernet(EthernetAddress(c.mac)),
        addresses: [c.ipv4.map(|(a, p)| IpCidr::new(a.into(), p)), c.ipv6.map(|(a, p)| IpCidr::new(a.into(), p)), None, None],
        gateway_v4: c.gateway_v4,
        gateway_v6: c.gateway_v6,
        dns_servers: dns,
        random_seed: crate::seed(),
    }
}
