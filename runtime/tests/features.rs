//! A runtime built without some of its features behaves as the spec says: the
//! spec's `without` cases (`WITHOUT` in `generated/conformance/cases.rs`) for
//! the features this build leaves out run on a loopback stack through the
//! shared case runner, and a config that asks for a missing part does not
//! start. `cargo xtask test` runs this with each feature off and with all off
//! (`--no-default-features --features std,...`); a full build runs no case.

#![cfg(feature = "std")]

// Public, as a library's items are: each user of the shared runner uses a part of it.
pub mod runner;

use std::time::{Duration, Instant};

use runner::{Runner, data};
use usocket_runtime::boards::HOST_LOOPBACK;
use usocket_runtime::smoltcp::phy::{Loopback, Medium};
use usocket_runtime::{Board, BoardTime, Config, ConfigError, DhcpClient, Feature, Features, HostMemory, Interrupted, NetConfig, Stack, StartError};

/// smoltcp's loopback device with the loopback board file's addresses (IPv6
/// ones only when this build has IPv6).
struct LoopBoard {
    device: Loopback,
    start: Instant,
}

impl Board for LoopBoard {
    type Device = Loopback;

    fn device(&mut self) -> &mut Loopback {
        &mut self.device
    }

    fn net(&self) -> NetConfig {
        HOST_LOOPBACK.net(None, 7)
    }

    fn now(&self) -> BoardTime {
        BoardTime::from_micros(self.start.elapsed().as_micros() as u64)
    }

    fn wait(&mut self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        let left = until.map_or(1000, |t| t.saturating_since(self.now()).total_micros().min(1000));
        std::thread::sleep(Duration::from_micros(left));
        Ok(())
    }
}

/// Small sizes, with only the parts this build has.
fn config() -> Config {
    let built = Features::BUILT;
    Config {
        sockets: 8,
        tcp_sockets: 8,
        tcp_rx_bytes: 4096,
        tcp_tx_bytes: 4096,
        udp_sockets: 4,
        udp_rx_bytes: 2048,
        udp_tx_bytes: 2048,
        udp_packets: 4,
        raw_sockets: if built.raw { 2 } else { 0 },
        raw_bytes: 1024,
        raw_packets: 2,
        dns_queries: if built.dns { 2 } else { 0 },
        multicast_groups: if built.multicast { 2 } else { 0 },
        dhcp_v4: DhcpClient::None,
        ..HOST_LOOPBACK.config
    }
}

/// A stack on the loopback device (memory leaked: one per case).
fn start(config: Config) -> Result<Stack<'static, LoopBoard>, StartError> {
    let memory = Box::leak(Box::new(HostMemory::new(&config)));
    Stack::new(memory.lend(), LoopBoard { device: Loopback::new(Medium::Ip), start: Instant::now() }, config)
}

/// Is the feature named `name` in this build?
fn built(name: &str) -> bool {
    let b = Features::BUILT;
    [(Feature::Ipv6, b.ipv6), (Feature::Dns, b.dns), (Feature::Dhcpv4, b.dhcpv4), (Feature::Raw, b.raw), (Feature::Multicast, b.multicast)]
        .iter()
        .find(|(f, _)| f.name() == name)
        .unwrap_or_else(|| panic!("the spec names feature `{name}`, which the runtime does not have"))
        .1
}

#[test]
fn the_specs_cases_for_what_this_build_leaves_out_pass() {
    let (mut ran, mut failures) = (0, Vec::new());
    for (without, case) in data::WITHOUT {
        if without.iter().any(|f| built(f)) {
            eprintln!("NOT APPLICABLE to this build (needs one without {}): {}", without.join(", "), case.id);
            continue;
        }
        ran += 1;
        if let Err(e) = Runner::new(start(config()).expect("the stack starts")).run(case) {
            failures.push(format!("{}: {e}", case.id));
        }
    }
    eprintln!("built {:?}: {ran} cases run, {} failed", Features::BUILT, failures.len());
    assert!(failures.is_empty(), "failing cases:\n  {}", failures.join("\n  "));
    // The spec has cases for leaving out each of these; a build without one runs them.
    for feature in [Feature::Ipv6, Feature::Dns, Feature::Raw] {
        let expected = data::WITHOUT.iter().any(|(w, _)| w.contains(&feature.name()));
        assert!(!expected || built(feature.name()) || ran > 0, "no case ran although the build leaves out {}", feature.name());
    }
}

#[test]
fn a_config_that_needs_a_missing_part_does_not_start() {
    let base = config();
    let asks = [
        (Config { dhcp_v4: DhcpClient::FromStart, ..base }, "dhcp_v4", Feature::Dhcpv4),
        (Config { dhcp_v4: DhcpClient::OnRequest, ..base }, "dhcp_v4", Feature::Dhcpv4),
        (Config { dns_queries: 1, ..base }, "dns_queries", Feature::Dns),
        (Config { raw_sockets: 1, ..base }, "raw_sockets", Feature::Raw),
        (Config { multicast_groups: 1, ..base }, "multicast_groups", Feature::Multicast),
    ];
    for (config, field, feature) in asks {
        let started = start(config).map(|_| ());
        let expected = if built(feature.name()) { Ok(()) } else { Err(StartError::Config(ConfigError::NotBuilt { field, feature })) };
        assert_eq!(started, expected, "{field}");
        if let Err(e) = started {
            assert!(e.to_string().contains(&format!("`{}` feature", feature.name())), "the message names the feature: {e}");
        }
    }
}

#[test]
fn a_board_needs_what_its_file_uses() {
    // host-loopback.toml: static IPv4 and IPv6, DNS queries, raw sockets, multicast groups, no DHCP.
    assert_eq!(HOST_LOOPBACK.features, Features { ipv6: true, dns: true, dhcpv4: false, raw: true, multicast: true });
    let fits = built("ipv6") && built("dns") && built("raw") && built("multicast");
    assert_eq!(HOST_LOOPBACK.features.missing_from(&Features::BUILT).is_none(), fits);
    // Its IPv6 address needs the ipv6 feature: 127.0.0.1/8, and ::1 with IPv6.
    let net = HOST_LOOPBACK.net(None, 1);
    assert_eq!(net.addresses.iter().flatten().count(), if built("ipv6") { 2 } else { 1 }, "{:?}", net.addresses);
}
