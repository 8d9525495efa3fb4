//! Board files (`spec/boards/*.toml`): backend, medium, MTU, MAC, clock,
//! addressing, DNS and the sizes its stack gets, checked into
//! [`Board`]s; a board's budget must fit its `ram_limit`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::ops::{Range, RangeInclusive};

use toml::Spanned;
use usocket_config::text::CidrError;
use usocket_config::{Config, DhcpClient};

use super::checker::Checker;
use crate::diag::FileId;
use crate::ir::board::{Addressing, Board, frame_bytes};
use crate::ir::ram::{RamCosts, budget};
use crate::raw::{RawAddressing, RawBoard};

/// Backends a board may name.
pub const BACKENDS: [&str; 3] = ["loopback", "tap", "c-port"];

/// Largest value of any size field (1 GiB): a typo, not a board.
const MAX_SIZE: i64 = 1 << 30;

/// Bytes before each frame in the loop queue (the runtime's `loopq::HEADER`).
const LOOP_RECORD_HEADER: usize = 4;

/// The smallest loop queue for frames of `frame` bytes: one queued frame
/// besides the room kept for the next (the runtime's `LoopQueue::min_bytes`,
/// which refuses to start with less).
pub fn loopback_min(frame: usize) -> usize {
    2 * (LOOP_RECORD_HEADER + frame)
}

fn is_board_name(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
}

/// Checks one number against its range; its value as the field's type (0 when
/// out of range: every range fits its field).
fn number<T: TryFrom<i64> + Default>(ck: &mut Checker, file: FileId, v: &Spanned<i64>, what: &str, range: RangeInclusive<i64>) -> T {
    if !range.contains(v.get_ref()) {
        ck.err(file, v.span(), format!("{what} {} is out of range", v.get_ref()), "out of range", format!("{}..={}", range.start(), range.end()));
        return T::default();
    }
    T::try_from(*v.get_ref()).unwrap_or_default()
}

/// One of `choices`, or an error.
fn choice<'a>(ck: &mut Checker, file: FileId, v: &'a Spanned<String>, what: &str, choices: &[&str]) -> Option<&'a str> {
    if choices.contains(&v.get_ref().as_str()) {
        return Some(v.get_ref());
    }
    ck.err(file, v.span(), format!("unknown {what} `{}`", v.get_ref()), "unknown", format!("one of {}", choices.join(", ")))
        .did_you_mean(v.get_ref(), choices.iter().copied());
    None
}

/// An address of the family `v6` from `text`, or an error at `span`.
fn ip(ck: &mut Checker, file: FileId, text: &str, span: Range<usize>, v6: bool) -> Option<IpAddr> {
    let parsed = usocket_config::text::ip(text, v6);
    if parsed.is_none() {
        let hint = if v6 { "a numeric IPv6 address like 2001:db8::2" } else { "a numeric IPv4 address like 192.0.2.2" };
        ck.err(file, span, format!("`{text}` is not an {} address", if v6 { "IPv6" } else { "IPv4" }), "bad address", hint);
    }
    parsed
}

fn addressing(ck: &mut Checker, file: FileId, raw: &Spanned<RawAddressing>, v6: bool) -> Addressing {
    let r = raw.get_ref();
    let modes: &[&str] = if v6 { &["static", "none"] } else { &["static", "dhcp", "none"] };
    if v6 && r.mode.get_ref() == "slaac" {
        ck.err(file, r.mode.span(), "SLAAC is not supported", "unsupported", "static or none");
        return Addressing::None;
    }
    let Some(mode) = choice(ck, file, &r.mode, "addressing mode", modes) else { return Addressing::None };
    if mode != "static" {
        for extra in [&r.address, &r.gateway].into_iter().flatten() {
            ck.err(file, extra.span(), format!("an address with mode `{mode}`"), "not used", "mode = \"static\", or no address/gateway");
        }
        return if mode == "dhcp" { Addressing::Dhcp } else { Addressing::None };
    }
    let Some(address) = &r.address else {
        ck.err(file, r.mode.span(), "mode `static` without an address", "no address", "address = \"ADDRESS/PREFIX\"");
        return Addressing::None;
    };
    let (address_ip, prefix) = match usocket_config::text::cidr(address.get_ref(), v6) {
        Ok(parsed) => parsed,
        Err(CidrError::NoPrefix) => {
            ck.err(file, address.span(), format!("`{}` has no prefix length", address.get_ref()), "no prefix", "ADDRESS/PREFIX, e.g. 192.0.2.2/24");
            return Addressing::None;
        }
        Err(CidrError::BadPrefix { prefix, max }) => {
            ck.err(file, address.span(), format!("prefix `{prefix}` is not 0..={max}"), "bad prefix", format!("a prefix length 0..={max}"));
            return Addressing::None;
        }
        Err(CidrError::BadAddress { address: host }) => {
            ip(ck, file, host, address.span(), v6);
            return Addressing::None;
        }
    };
    let gateway = r.gateway.as_ref().and_then(|g| ip(ck, file, g.get_ref(), g.span(), v6));
    Addressing::Static { address: address_ip, prefix, gateway }
}

/// The DHCP client a board's addressing asks for: from start with IPv4 mode
/// `dhcp`; on request with `dhcp = true` beside a static IPv4 address, which
/// only IPv4 has and only mode `static` takes.
fn dhcp_client(ck: &mut Checker, file: FileId, ipv4: &RawAddressing, ipv6: &RawAddressing) -> DhcpClient {
    if let Some(d) = &ipv6.dhcp {
        ck.err(file, d.span(), "`dhcp` on IPv6: there is no DHCPv6 client", "IPv4 only", "`dhcp = true` in `ipv4`, beside a static address");
    }
    match (ipv4.mode.get_ref().as_str(), &ipv4.dhcp) {
        ("dhcp", None) => DhcpClient::FromStart,
        ("static", Some(d)) if *d.get_ref() => DhcpClient::OnRequest,
        ("static", _) | (_, None) => DhcpClient::None,
        (mode, Some(d)) => {
            let hint =
                if mode == "dhcp" { "no `dhcp` key: mode dhcp runs its client from start" } else { "mode = \"static\" with an address, or mode = \"dhcp\"" };
            ck.err(file, d.span(), format!("`dhcp` with IPv4 mode `{mode}`"), "static only", hint);
            if mode == "dhcp" { DhcpClient::FromStart } else { DhcpClient::None }
        }
    }
}

/// A c-port board's `target` (required, one of the known targets); other
/// boards run on the host and must not name one.
fn firmware_target(ck: &mut Checker, file: FileId, b: &RawBoard, c_port: bool) -> Option<String> {
    let known = || crate::targets::TARGETS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ");
    match (&b.target, c_port) {
        (Some(t), true) => match crate::targets::find(t.get_ref()) {
            Some(found) => Some(found.name.to_string()),
            None => {
                ck.err(file, t.span(), format!("unknown target `{}`", t.get_ref()), "unknown", format!("one of {}", known()))
                    .did_you_mean(t.get_ref(), crate::targets::TARGETS.iter().map(|t| t.name));
                None
            }
        },
        (None, true) => {
            ck.err(file, b.backend.span(), "a c-port board without `target`", "no target", format!("target = one of {}", known()));
            None
        }
        (Some(t), false) => {
            ck.err(file, t.span(), format!("`target` on a `{}` board", b.backend.get_ref()), "not used", "only c-port boards are built for a firmware target");
            None
        }
        (None, false) => None,
    }
}

/// Checks the loop queue's size: at least [`loopback_min`] for the board's
/// frames, or 0 on a loopback device (whose link already returns every frame).
fn loop_queue(ck: &mut Checker, file: FileId, raw: &Spanned<i64>, bytes: usize, frame: usize, backend: &str) {
    let min = loopback_min(frame);
    let expected = format!("at least {min} bytes: two records of a {frame}-byte frame and its {LOOP_RECORD_HEADER}-byte length");
    if bytes == 0 && backend != "loopback" && !backend.is_empty() {
        let message = format!("loopback 0 on a `{backend}` board: 127.0.0.1 and ::1 need a loop queue");
        ck.err(file, raw.span(), message, "no loop queue", expected);
    } else if bytes > 0 && bytes < min {
        let message = format!("loopback {bytes} is too small for {frame}-byte frames");
        ck.err(file, raw.span(), message, "too small", expected);
    }
}

/// A board's fixed MAC: none on an IP-medium board or from the port
/// (`"port"`); an Ethernet board must name one, unicast.
fn mac(ck: &mut Checker, file: FileId, b: &RawBoard, ethernet: bool) -> Option<[u8; 6]> {
    match (&b.mac, ethernet) {
        (None, true) => {
            ck.err(file, b.medium.span(), "an Ethernet board without `mac`", "no MAC", "mac = \"02:00:00:00:00:02\", or \"port\"");
            None
        }
        (Some(m), false) => {
            ck.err(file, m.span(), "`mac` on an IP-medium board", "not used", "no `mac`, or medium = \"ethernet\"");
            None
        }
        (Some(m), true) if m.get_ref() == "port" => None,
        (Some(m), true) => {
            let mac = usocket_config::text::mac(m.get_ref());
            match mac {
                Some(mac) if mac[0] & 1 == 1 => {
                    ck.err(file, m.span(), format!("`{}` is a multicast MAC", m.get_ref()), "multicast", "a unicast MAC (lowest bit of the first byte clear)");
                }
                None => {
                    ck.err(file, m.span(), format!("`{}` is not a MAC", m.get_ref()), "bad MAC", "six hex bytes like 02:00:00:00:00:02, or \"port\"");
                }
                Some(_) => {}
            }
            mac
        }
        (None, false) => None,
    }
}

/// The stack's sizes and timings: each in its range (out of range: an error,
/// and 0), and a TCP receive window smoltcp can use.
fn stack_config(ck: &mut Checker, file: FileId, b: &RawBoard, dhcp_v4: DhcpClient) -> Config {
    let (s, f, t) = (b.sockets.get_ref(), b.buffers.get_ref(), b.timing.get_ref());
    let config = Config {
        sockets: number(ck, file, &s.fds, "fds", 1..=4096),
        tcp_sockets: number(ck, file, &s.tcp, "tcp", 0..=4096),
        udp_sockets: number(ck, file, &s.udp, "udp", 0..=4096),
        raw_sockets: number(ck, file, &s.raw, "raw", 0..=4096),
        dns_queries: number(ck, file, &s.dns_queries, "dns_queries", 0..=64),
        multicast_groups: s.multicast_groups.as_ref().map_or(0, |g| number(ck, file, g, "multicast_groups", 0..=8)),
        max_backlog: number(ck, file, &s.max_backlog, "max_backlog", 1..=4096),
        tcp_rx_bytes: number(ck, file, &f.tcp_rx, "tcp_rx", 64..=MAX_SIZE),
        tcp_tx_bytes: number(ck, file, &f.tcp_tx, "tcp_tx", 64..=MAX_SIZE),
        udp_rx_bytes: number(ck, file, &f.udp_rx, "udp_rx", 0..=MAX_SIZE),
        udp_tx_bytes: number(ck, file, &f.udp_tx, "udp_tx", 0..=MAX_SIZE),
        udp_packets: number(ck, file, &f.udp_packets, "udp_packets", 1..=4096),
        raw_bytes: number(ck, file, &f.raw, "raw", 0..=MAX_SIZE),
        raw_packets: number(ck, file, &f.raw_packets, "raw_packets", 1..=4096),
        loopback_bytes: number(ck, file, &f.loopback, "loopback", 0..=MAX_SIZE),
        linger_ms: number(ck, file, &t.linger_ms, "linger_ms", 0..=3_600_000),
        connect_timeout_ms: number(ck, file, &t.connect_timeout_ms, "connect_timeout_ms", 1..=3_600_000),
        dns_timeout_ms: number(ck, file, &t.dns_timeout_ms, "dns_timeout_ms", 1..=3_600_000),
        tcp_user_timeout_ms: number(ck, file, &t.tcp_user_timeout_ms, "tcp_user_timeout_ms", 0..=3_600_000),
        ack_delay_ms: number(ck, file, &t.ack_delay_ms, "ack_delay_ms", 0..=500),
        nagle: t.nagle,
        dhcp_v4,
    };
    if config.tcp_rx_bytes > 65535 {
        // See the runtime's Config docs: smoltcp 0.14's window scaling stalls bulk transfers.
        ck.err(file, f.tcp_rx.span(), "tcp_rx over 65535", "window scaling", "at most 65535 (smoltcp 0.14 stalls with a scaled window)");
    }
    config
}

/// A c-port board's receive ring (required, 1..=64 frames); other boards have none.
fn rx_frames(ck: &mut Checker, file: FileId, b: &RawBoard, backend: &str) -> usize {
    match (&b.buffers.get_ref().rx_frames, backend == "c-port") {
        (Some(n), true) => number(ck, file, n, "rx_frames", 1..=64),
        (None, true) => {
            ck.err(file, b.buffers.span(), "a c-port board without `rx_frames`", "no rx_frames", "rx_frames = 4 (frames the receive ring holds)");
            0
        }
        (Some(n), false) => {
            ck.err(file, n.span(), format!("`rx_frames` on a `{backend}` board"), "not used", "only c-port boards have a receive ring");
            0
        }
        (None, false) => 0,
    }
}

/// A board's budget must fit its `ram_limit`.
fn check_ram_limit(ck: &mut Checker, file: FileId, board: &Board, costs: &RamCosts, raw_limit: &Spanned<i64>) {
    let Some(limit) = board.ram_limit else { return };
    let total = budget(board, costs).total;
    if total > limit {
        ck.err(
            file,
            raw_limit.span(),
            format!("board `{}` needs {total} bytes of RAM, over its ram_limit of {limit}", board.name),
            "over budget",
            "fewer sockets or smaller buffers, or a larger ram_limit",
        );
    }
}

/// Validates the board files (each `[board]` with its file); a board's budget
/// must fit its `ram_limit`.
pub(super) fn build_boards(ck: &mut Checker, items: &[(FileId, Spanned<RawBoard>)], costs: Option<&RamCosts>) -> Vec<Board> {
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut out = Vec::new();
    for (file, raw) in items {
        let (file, b) = (*file, raw.get_ref());
        let name = b.name.get_ref();
        if !is_board_name(name) {
            ck.err(
                file,
                b.name.span(),
                format!("invalid board name `{name}`"),
                "not a board name",
                "lower-case letters, digits and dashes, like host-loopback",
            );
        }
        if seen.insert(name.clone(), ()).is_some() {
            ck.err(file, b.name.span(), format!("duplicate board `{name}`"), "defined again here", "one file per board, each with its own name");
        }
        let backend = choice(ck, file, &b.backend, "backend", &BACKENDS).unwrap_or_default().to_string();
        // What depends on an unknown backend, medium or clock is not checked: its error says enough.
        let medium = choice(ck, file, &b.medium, "medium", &["ethernet", "ip"]);
        let ethernet = medium == Some("ethernet");
        let clock = choice(ck, file, &b.clock, "clock", &["host", "port"]);
        let port_clock = clock == Some("port");
        if port_clock != (backend == "c-port") && !backend.is_empty() && clock.is_some() {
            let hint = if backend == "c-port" { "clock = \"port\": a c-port board's time comes from the firmware" } else { "clock = \"host\"" };
            ck.err(file, b.clock.span(), format!("clock `{}` with backend `{backend}`", b.clock.get_ref()), "wrong clock", hint);
        }
        let min_mtu = if ethernet { 576 } else { 68 };
        let mtu: u32 = number(ck, file, &b.mtu, "MTU", min_mtu..=65535);
        let mac = if medium.is_some() { mac(ck, file, b, ethernet) } else { None };
        let ram_limit = b.ram_limit.as_ref().map(|r| number(ck, file, r, "ram_limit", 1024..=MAX_SIZE));
        let ipv4 = addressing(ck, file, &b.ipv4, false);
        let ipv6 = addressing(ck, file, &b.ipv6, true);
        if ipv4 == Addressing::None && ipv6 == Addressing::None {
            ck.err(file, b.ipv4.span(), "a board with no addressing", "no address", "ipv4 or ipv6 mode static (or dhcp)");
        }
        let dns = b.dns.iter().filter_map(|d| ip(ck, file, d.get_ref(), d.span(), d.get_ref().contains(':'))).collect::<Vec<_>>();
        if dns.len() > 2 {
            ck.err(file, b.dns[2].span(), "more than two DNS servers", "too many", "at most two");
        }
        let dhcp_v4 = dhcp_client(ck, file, b.ipv4.get_ref(), b.ipv6.get_ref());
        let config = stack_config(ck, file, b, dhcp_v4);
        let f = b.buffers.get_ref();
        if mtu > 0 && medium.is_some() {
            loop_queue(ck, file, &f.loopback, config.loopback_bytes, frame_bytes(mtu, ethernet), &backend);
        }
        let (target, rx_frames) =
            if backend.is_empty() { (None, 0) } else { (firmware_target(ck, file, b, backend == "c-port"), rx_frames(ck, file, b, &backend)) };
        let board = Board {
            name: name.clone(),
            doc: b.doc.trim().to_string(),
            backend,
            ethernet,
            mtu,
            mac,
            port_clock,
            ram_limit,
            target,
            rx_frames,
            dns,
            ipv4,
            ipv6,
            config,
        };
        if let (Some(costs), Some(raw_limit)) = (costs, &b.ram_limit) {
            check_ram_limit(ck, file, &board, costs, raw_limit);
        }
        out.push(board);
    }
    out
}
