//! DHCP on request without root: the runtime on an Ethernet device whose wire
//! holds a small DHCP server (OFFER for a DISCOVER, ACK for a REQUEST, from
//! 192.0.2.1, leasing 192.0.2.77/24 with router 192.0.2.1 and DNS
//! 192.0.2.53), on simulated time (a wait jumps to its deadline). The board is
//! c-port-tap's (static 192.0.2.2/24) with a client on request, as
//! mps2-an385's file has it. `ifconfig('dhcp')` keeps the static
//! configuration until the lease and then uses the lease's (ARP asks from the
//! leased address), a static set stops the client, a board without a client
//! refuses, no server means ETIMEDOUT after 10 s with the client still asking
//! (status 1), and a lease that runs out takes its address away; 127.0.0.1
//! works throughout. `cargo xtask dhcp` and the device suite do the same
//! against dnsmasq.

mod common;
mod wire;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::addr;
use usocket_host::constants::{AF_INET, SOCK_DGRAM, SOCK_STREAM};
use usocket_host::smoltcp::phy::ChecksumCapabilities;
use usocket_host::smoltcp::time::Duration;
use usocket_host::smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, DhcpMessageType, DhcpPacket, DhcpRepr, EthernetAddress, EthernetFrame, EthernetProtocol, EthernetRepr, IpAddress,
    IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr, UdpPacket, UdpRepr,
};
use usocket_host::{Addr, Board, BoardTime, Config, DhcpClient, Errno, HostMemory, Ifconfig, IfconfigSet, Interrupted, NetConfig, SocketApi, Stack, Step};
use wire::{Frames, Wire};

/// The board's MAC.
const MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
/// The server's MAC and address.
const SERVER_MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x01]);
const SERVER: Ipv4Address = Ipv4Address::new(192, 0, 2, 1);
/// What it leases.
const LEASE: Ipv4Address = Ipv4Address::new(192, 0, 2, 77);
const DNS: Ipv4Address = Ipv4Address::new(192, 0, 2, 53);
/// The board file's static configuration (c-port-tap).
const STATIC: [&str; 4] = ["192.0.2.2", "255.255.255.0", "192.0.2.1", "192.0.2.1"];

/// The wire: its frames, and the DHCP server's state.
#[derive(Default)]
struct Server {
    frames: Frames,
    /// Frames the server has looked at.
    served: usize,
    /// The server answers (false: it is gone).
    answering: bool,
    /// Seconds of each lease.
    lease_s: u32,
}

/// What the server needs of a client's message.
struct Request {
    kind: DhcpMessageType,
    transaction_id: u32,
    mac: EthernetAddress,
}

/// The DHCP message in an Ethernet frame from the client, if it is one.
fn dhcp_of(frame: &[u8]) -> Option<Request> {
    let eth = EthernetFrame::new_checked(frame).ok()?;
    if eth.ethertype() != EthernetProtocol::Ipv4 {
        return None;
    }
    let ip = Ipv4Packet::new_checked(eth.payload()).ok()?;
    let ip_payload: &[u8] = ip.payload();
    let udp = UdpPacket::new_checked(ip_payload).ok()?;
    if udp.dst_port() != 67 {
        return None;
    }
    let payload: &[u8] = udp.payload();
    let packet = DhcpPacket::new_checked(payload).ok()?;
    let repr = DhcpRepr::parse(&packet).ok()?;
    Some(Request { kind: repr.message_type, transaction_id: repr.transaction_id, mac: repr.client_hardware_address })
}

/// The server's answer to a client's message, as a frame.
fn answer(request: &Request, lease_s: u32) -> Option<Vec<u8>> {
    let message_type = match request.kind {
        DhcpMessageType::Discover => DhcpMessageType::Offer,
        DhcpMessageType::Request => DhcpMessageType::Ack,
        _ => return None,
    };
    let mut repr = DhcpRepr {
        message_type,
        transaction_id: request.transaction_id,
        secs: 0,
        client_hardware_address: request.mac,
        client_ip: Ipv4Address::UNSPECIFIED,
        your_ip: LEASE,
        server_ip: SERVER,
        router: Some(SERVER),
        subnet_mask: Some(Ipv4Address::new(255, 255, 255, 0)),
        relay_agent_ip: Ipv4Address::UNSPECIFIED,
        broadcast: false,
        requested_ip: None,
        client_identifier: None,
        server_identifier: Some(SERVER),
        parameter_request_list: None,
        dns_servers: Some(Default::default()),
        max_size: None,
        lease_duration: Some(lease_s),
        renew_duration: None,
        rebind_duration: None,
        additional_options: &[],
    };
    repr.dns_servers.as_mut()?.push(DNS).ok()?;
    let (dhcp_len, caps) = (repr.buffer_len(), ChecksumCapabilities::default());
    let ip_repr = Ipv4Repr { src_addr: SERVER, dst_addr: LEASE, next_header: IpProtocol::Udp, payload_len: 8 + dhcp_len, hop_limit: 64 };
    let mut buf = vec![0u8; 14 + 20 + 8 + dhcp_len];
    let mut frame = EthernetFrame::new_unchecked(&mut buf[..]);
    EthernetRepr { src_addr: SERVER_MAC, dst_addr: request.mac, ethertype: EthernetProtocol::Ipv4 }.emit(&mut frame);
    let mut ip = Ipv4Packet::new_unchecked(frame.payload_mut());
    ip_repr.emit(&mut ip, &caps);
    let mut udp = UdpPacket::new_unchecked(ip.payload_mut());
    let emit = |payload: &mut [u8]| {
        let mut packet = DhcpPacket::new_unchecked(payload);
        repr.emit(&mut packet).expect("the answer fits");
    };
    UdpRepr { src_port: 67, dst_port: 68 }.emit(&mut udp, &IpAddress::Ipv4(SERVER), &IpAddress::Ipv4(LEASE), dhcp_len, emit, &caps);
    Some(buf)
}

impl wire::Link for Server {
    fn frames(&mut self) -> &mut Frames {
        &mut self.frames
    }
}

impl Server {
    /// Answers what the client sent since the last look.
    fn serve(&mut self) {
        while self.served < self.frames.sent.len() {
            let frame = self.frames.sent[self.served].clone();
            self.served += 1;
            if let Some(reply) = dhcp_of(&frame).filter(|_| self.answering).and_then(|r| answer(&r, self.lease_s)) {
                self.frames.incoming.push_back(reply);
            }
        }
    }

    /// DHCP messages the board sent from frame `from` on.
    fn dhcp_sent(&self, from: usize) -> Vec<DhcpMessageType> {
        self.frames.sent[from..].iter().filter_map(|f| dhcp_of(f).map(|r| r.kind)).collect()
    }

    /// The sender address of the ARP requests for `target` the board sent.
    fn arp_from(&self, target: Ipv4Address) -> Vec<Ipv4Address> {
        let request = |f: &Vec<u8>| {
            let eth = EthernetFrame::new_checked(&f[..]).ok().filter(|e| e.ethertype() == EthernetProtocol::Arp)?;
            match ArpRepr::parse(&ArpPacket::new_checked(eth.payload()).ok()?).ok()? {
                ArpRepr::EthernetIpv4 { operation: ArpOperation::Request, source_protocol_addr, target_protocol_addr, .. }
                    if target_protocol_addr == target =>
                {
                    Some(source_protocol_addr)
                }
                _ => None,
            }
        };
        self.frames.sent.iter().filter_map(request).collect()
    }
}

/// The board: the wire with its server, and a simulated clock.
struct WireBoard {
    device: Wire<Server>,
    now: Cell<BoardTime>,
}

impl Board for WireBoard {
    type Device = Wire<Server>;

    fn device(&mut self) -> &mut Wire<Server> {
        &mut self.device
    }

    fn net(&self) -> NetConfig {
        usocket_host::boards::C_PORT_TAP.net(Some(MAC), 7)
    }

    fn now(&self) -> BoardTime {
        self.now.get()
    }

    fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        // The server answers at once; with nothing to receive, time jumps to the deadline.
        let mut link = self.device.link.borrow_mut();
        link.serve();
        if link.frames.incoming.is_empty() {
            let now = self.now.get();
            self.now.set(until.unwrap_or(now + Duration::from_secs(1)).max(now));
        }
        Ok(())
    }
}

/// A stack on the wire with a DHCP client `dhcp`, and the wire (its server answering with `lease_s` leases).
fn wired(dhcp: DhcpClient, lease_s: u32) -> (Stack<'static, WireBoard>, Rc<RefCell<Server>>) {
    let link = Rc::new(RefCell::new(Server { answering: true, lease_s, ..Server::default() }));
    let board = WireBoard { device: Wire::new(link.clone()), now: Cell::new(BoardTime::from_micros(1)) };
    let config = Config { dhcp_v4: dhcp, ..usocket_host::boards::C_PORT_TAP.config };
    let memory = Box::leak(Box::new(HostMemory::new(&config)));
    (Stack::new(memory.lend(), board, config).expect("stack starts"), link)
}

/// ifconfig() as the four strings Python shows.
fn ifconfig(s: &mut Stack<'static, WireBoard>) -> [String; 4] {
    let c = s.ifconfig(None).expect("ifconfig()");
    [c.ip, c.netmask, c.gateway, c.dns].map(|a| {
        let mut text = [0u8; 64];
        let n = s.addr_format(&a, &mut text).expect("format");
        String::from_utf8_lossy(&text[..n]).into_owned()
    })
}

/// ifconfig('dhcp').
fn dhcp(s: &mut Stack<'static, WireBoard>) -> Result<Ifconfig, Errno> {
    s.ifconfig(Some(&IfconfigSet { dhcp: 1, ..IfconfigSet::default() }))
}

/// ifconfig((ip, netmask, gateway, dns)).
fn set_static(s: &mut Stack<'static, WireBoard>, config: [&str; 4]) -> Result<Ifconfig, Errno> {
    let ip = |text: &str| -> Addr { addr(&format!("{text}:0")) };
    let config = Ifconfig { ip: ip(config[0]), netmask: ip(config[1]), gateway: ip(config[2]), dns: ip(config[3]) };
    s.ifconfig(Some(&IfconfigSet { dhcp: 0, config }))
}

/// One UDP datagram to `to` (an on-link address the board has not seen): its ARP request names the source address.
fn probe(s: &mut Stack<'static, WireBoard>, to: &str) {
    // smoltcp asks for a neighbour at most once a second, whichever it is.
    run_until(s, 2, |_| false);
    let u = s.socket(AF_INET, SOCK_DGRAM, 0).unwrap();
    s.sendto(u, b"probe", &addr(&format!("{to}:9"))).unwrap();
    s.close(u).unwrap();
    s.pump();
}

/// TCP over 127.0.0.1: a connection and a byte each way.
fn loopback_works(s: &mut Stack<'static, WireBoard>) -> bool {
    let l = s.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    s.bind(l, &addr("127.0.0.1:0")).unwrap();
    s.listen(l, 1).unwrap();
    let at = s.getsockname(l).unwrap();
    let c = s.socket(AF_INET, SOCK_STREAM, 0).unwrap();
    s.settimeout(c, Some(5000)).unwrap();
    let ok = s.connect(c, &at).is_ok() && {
        let (a, _) = s.accept(l).unwrap();
        let mut byte = [0u8; 1];
        let ok = s.send(c, b"x") == Ok(1) && s.recv(a, &mut byte) == Ok(1) && s.send(a, b"y") == Ok(1) && s.recv(c, &mut byte) == Ok(1);
        s.close(a).unwrap();
        ok
    };
    s.close(c).unwrap();
    s.close(l).unwrap();
    ok
}

/// Runs the stack until `done`, or until `seconds` of simulated time pass (in steps of 100 ms).
fn run_until(s: &mut Stack<'static, WireBoard>, seconds: u64, mut done: impl FnMut(&mut Stack<'static, WireBoard>) -> bool) -> bool {
    let end = s.board().now() + Duration::from_secs(seconds);
    while s.board().now() < end {
        if done(s) {
            return true;
        }
        let step = (s.board().now() + Duration::from_millis(100)).min(end);
        let _ = s.board_mut().wait(Some(step));
        s.pump();
    }
    done(s)
}

#[test]
fn ifconfig_dhcp_swaps_the_static_configuration_for_the_lease_and_a_static_set_brings_it_back() {
    let (mut s, link) = wired(DhcpClient::OnRequest, 3600);
    assert_eq!(ifconfig(&mut s), STATIC.map(String::from), "the board file's static configuration first");
    assert_eq!((s.status(), s.isconnected()), (Ok(3), Ok(true)));
    assert!(link.borrow().dhcp_sent(0).is_empty(), "no DHCP before ifconfig('dhcp')");

    let after = dhcp(&mut s).expect("ifconfig('dhcp') gets the lease");
    assert_eq!(ifconfig(&mut s), ["192.0.2.77", "255.255.255.0", "192.0.2.1", "192.0.2.53"].map(String::from));
    assert_eq!(after.ip, addr("192.0.2.77:0"), "ifconfig() with an argument also returns the new configuration");
    assert_eq!((s.status(), s.isconnected()), (Ok(3), Ok(true)));
    assert_eq!(link.borrow().dhcp_sent(0), [DhcpMessageType::Discover, DhcpMessageType::Request]);
    probe(&mut s, "192.0.2.9");
    assert_eq!(link.borrow().arp_from(Ipv4Address::new(192, 0, 2, 9)), [LEASE], "the lease is the source address");
    assert!(loopback_works(&mut s), "127.0.0.1 beside the lease");
    let sent = link.borrow().frames.sent.len();
    assert!(dhcp(&mut s).is_ok() && link.borrow().dhcp_sent(sent).is_empty(), "with a lease ifconfig('dhcp') returns at once");

    set_static(&mut s, STATIC).expect("a static set");
    assert_eq!(ifconfig(&mut s), STATIC.map(String::from));
    assert_eq!((s.status(), s.isconnected()), (Ok(3), Ok(true)));
    probe(&mut s, "192.0.2.10");
    assert_eq!(link.borrow().arp_from(Ipv4Address::new(192, 0, 2, 10)), [Ipv4Address::new(192, 0, 2, 2)], "192.0.2.2 is the source again");
    let sent = link.borrow().frames.sent.len();
    run_until(&mut s, 7200, |_| false);
    assert!(link.borrow().dhcp_sent(sent).is_empty(), "the client stopped: no renewal in two hours");
    assert_eq!(ifconfig(&mut s), STATIC.map(String::from));
    assert!(loopback_works(&mut s), "127.0.0.1 after it all");
}

#[test]
fn a_dhcp_start_without_waiting_returns_at_once_and_dhcp_state_follows_the_lease() {
    let (mut s, link) = wired(DhcpClient::OnRequest, 3600);
    assert_eq!(s.dhcp_state(), Ok(0), "no client before the request");
    let started = s.board().now();
    s.ifconfig(Some(&IfconfigSet { dhcp: 2, ..IfconfigSet::default() })).expect("start the client");
    assert_eq!(s.board().now(), started, "ipconfig(dhcp4=True) does not wait for the lease");
    assert_eq!(ifconfig(&mut s), STATIC.map(String::from), "the static configuration until the lease");
    assert!(run_until(&mut s, 30, |s| s.dhcp_state() == Ok(2)), "the lease comes: dhcp_state 2");
    assert_eq!(ifconfig(&mut s)[0], "192.0.2.77");
    assert_eq!(link.borrow().dhcp_sent(0), [DhcpMessageType::Discover, DhcpMessageType::Request]);
    set_static(&mut s, STATIC).expect("a static set stops the client");
    assert_eq!(s.dhcp_state(), Ok(0));
}

#[test]
fn without_a_server_ifconfig_dhcp_times_out_and_the_static_address_stays_in_use() {
    let (mut s, link) = wired(DhcpClient::OnRequest, 3600);
    link.borrow_mut().answering = false;
    let start = s.board().now();
    assert_eq!(dhcp(&mut s).map(|_| ()), Err(Errno::ETIMEDOUT));
    let waited = s.board().now().saturating_since(start).total_micros();
    assert!((10_000_000..10_100_000).contains(&waited), "MicroPython's 10 s wait, not {waited} µs");
    let discovers = link.borrow().dhcp_sent(0).len();
    assert!(discovers >= 5, "a DISCOVER every 2 s while waiting, not {discovers}");
    assert_eq!((s.status(), s.isconnected()), (Ok(1), Ok(false)), "the client goes on: status 1, not connected");
    assert_eq!(ifconfig(&mut s), STATIC.map(String::from), "the static configuration stays until a lease");
    probe(&mut s, "192.0.2.9");
    assert_eq!(link.borrow().arp_from(Ipv4Address::new(192, 0, 2, 9)), [Ipv4Address::new(192, 0, 2, 2)], "192.0.2.2 is still the source");
    assert!(loopback_works(&mut s));

    // The server comes back: the running client gets the lease on its own.
    link.borrow_mut().answering = true;
    assert!(run_until(&mut s, 10, |s| s.status() == Ok(3)), "the lease while the stack idles");
    assert_eq!(ifconfig(&mut s)[0], "192.0.2.77");

    set_static(&mut s, STATIC).unwrap();
    assert_eq!((s.status(), s.isconnected()), (Ok(3), Ok(true)));
}

#[test]
fn a_lease_that_runs_out_takes_its_address_and_127_0_0_1_stays() {
    let (mut s, link) = wired(DhcpClient::OnRequest, 120);
    dhcp(&mut s).expect("the lease");
    link.borrow_mut().answering = false;
    assert!(run_until(&mut s, 300, |s| s.status() != Ok(3)), "the lease of 120 s ends");
    assert_eq!((s.status(), s.isconnected()), (Ok(1), Ok(false)));
    assert_eq!(ifconfig(&mut s), ["0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0"].map(String::from), "no address, gateway or DNS server left");
    assert!(loopback_works(&mut s), "127.0.0.1 without an IPv4 address");
}

#[test]
fn a_board_without_a_client_refuses_and_bad_configurations_change_nothing() {
    let (mut s, link) = wired(DhcpClient::None, 3600);
    assert_eq!(dhcp(&mut s).map(|_| ()), Err(Errno::EOPNOTSUPP));
    assert!(link.borrow().dhcp_sent(0).is_empty());
    let bad: [[&str; 4]; 3] = [
        ["192.0.2.5", "255.0.255.0", "0.0.0.0", "0.0.0.0"],
        ["224.0.0.1", "255.255.255.0", "0.0.0.0", "0.0.0.0"],
        ["255.255.255.255", "255.255.255.0", "0.0.0.0", "0.0.0.0"],
    ];
    for config in bad {
        assert_eq!(set_static(&mut s, config).map(|_| ()), Err(Errno::EINVAL), "{config:?}");
    }
    let ipv6 = IfconfigSet { dhcp: 0, config: Ifconfig { ip: addr("[2001:db8::5]:0"), ..Ifconfig::default() } };
    let unknown = IfconfigSet { dhcp: 3, ..IfconfigSet::default() };
    let no_wait = IfconfigSet { dhcp: 2, ..IfconfigSet::default() };
    assert_eq!(s.ifconfig(Some(&no_wait)).map(|_| ()), Err(Errno::EOPNOTSUPP), "no client to start, waiting or not");
    assert_eq!(s.dhcp_state(), Ok(0));
    assert_eq!(s.ifconfig(Some(&ipv6)).map(|_| ()), Err(Errno::EINVAL));
    assert_eq!(s.ifconfig(Some(&unknown)).map(|_| ()), Err(Errno::EINVAL));
    assert_eq!(ifconfig(&mut s), STATIC.map(String::from), "nothing changed");
    // No IPv4 address at all: 127.0.0.1 still works.
    set_static(&mut s, ["0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0"]).unwrap();
    assert_eq!(ifconfig(&mut s), ["0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0"].map(String::from));
    assert!(loopback_works(&mut s));
}

#[test]
fn a_parked_ifconfig_dhcp_resumes_its_wait_without_asking_again() {
    // As on a shared stack (usocket_runtime::Shared): the call parks whenever
    // it must wait, and runs again from its record after the wait.
    let (mut s, link) = wired(DhcpClient::OnRequest, 3600);
    let mut resume = None;
    let mut parks = 0;
    let result = loop {
        match s.call_step(resume.take(), |s| dhcp(s).map(|_| ())).expect("the call runs") {
            Step::Done(result) => break result,
            Step::Parked(parked) => {
                parks += 1;
                assert!(parks < 1000, "the lease never came");
                // The caller's sleep: until the stack's next timer, on simulated time.
                s.board_mut().wait(parked.until()).unwrap();
                resume = Some(parked);
            }
        }
    };
    assert_eq!(result, Ok(()));
    assert!(parks > 0, "the request parked while it waited");
    assert_eq!(
        link.borrow().dhcp_sent(0),
        [DhcpMessageType::Discover, DhcpMessageType::Request],
        "one discovery across {parks} parks: a resumed request does not start it again"
    );
}
