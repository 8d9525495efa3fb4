//! Per board (`spec/boards/`): `runtime/generated/boards.rs` (each board's
//! `BoardInfo`, the runtime's config for it), `generated/boards/<name>.h` (a C
//! board header for firmware) and `generated/docs/boards/<name>.md` (a page with
//! its RAM budget).

use std::net::IpAddr;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde::Serialize;

use super::{GENERATED_LINE, Output, templates};
use usocket_config::DhcpClient;

use crate::ir::Spec;
use crate::ir::board::{Addressing, Board, FEATURES};
use crate::ir::ram::{Budget, budget};
use crate::naming::Names;

/// A `core::net::IpAddr` expression (core's, not smoltcp's: smoltcp has no
/// IPv6 addresses in a build without the `ipv6` feature, and every board
/// compiles into every build).
fn rust_ip(ip: &IpAddr) -> TokenStream {
    match ip {
        IpAddr::V4(a) => {
            let [a, b, c, d] = a.octets();
            quote!(IpAddr::V4(Ipv4Addr::new(#a, #b, #c, #d)))
        }
        IpAddr::V6(a) => {
            let s = a.segments();
            quote!(IpAddr::V6(Ipv6Addr::new(#(#s),*)))
        }
    }
}

/// The runtime's `Features` value for the features a board needs.
fn rust_features(board: &Board) -> TokenStream {
    let needed = board.features();
    let fields = FEATURES.map(|f| {
        let (name, on) = (format_ident!("{f}"), needed.contains(&f));
        quote!(#name: #on)
    });
    quote!(Features { #(#fields),* })
}

fn rust_addressing(a: &Addressing) -> TokenStream {
    match a {
        Addressing::None => quote!(Addressing::None),
        Addressing::Dhcp => quote!(Addressing::Dhcp),
        Addressing::Static { address, prefix, gateway } => {
            let address = rust_ip(address);
            let gateway = match gateway {
                Some(g) => {
                    let g = rust_ip(g);
                    quote!(Some(#g))
                }
                None => quote!(None),
            };
            quote!(Addressing::Static { address: #address, prefix: #prefix, gateway: #gateway })
        }
    }
}

fn rust_dhcp(d: DhcpClient) -> TokenStream {
    match d {
        DhcpClient::None => quote!(DhcpClient::None),
        DhcpClient::OnRequest => quote!(DhcpClient::OnRequest),
        DhcpClient::FromStart => quote!(DhcpClient::FromStart),
    }
}

fn rust_board(board: &Board, budget: &Budget) -> TokenStream {
    let name = format_ident!("{}", Names::board_const(&board.name));
    let doc = format!(" {} (`spec/boards/{}.toml`)", board.doc, board.name);
    let (board_name, backend, ethernet, mtu, port_clock) = (&board.name, &board.backend, board.ethernet, board.mtu as usize, board.port_clock);
    let mac = match board.mac {
        Some(m) => quote!(Some([#(#m),*])),
        None => quote!(None),
    };
    let (ipv4, ipv6) = (rust_addressing(&board.ipv4), rust_addressing(&board.ipv6));
    let dns = board.dns.iter().map(rust_ip);
    let features = rust_features(board);
    let s = &board.config;
    let (sockets, tcp_sockets, tcp_rx, tcp_tx, udp_sockets, udp_rx, udp_tx, udp_packets) =
        (s.sockets, s.tcp_sockets, s.tcp_rx_bytes, s.tcp_tx_bytes, s.udp_sockets, s.udp_rx_bytes, s.udp_tx_bytes, s.udp_packets);
    let (raw_sockets, raw_bytes, raw_packets, dns_queries, max_backlog, loopback) =
        (s.raw_sockets, s.raw_bytes, s.raw_packets, s.dns_queries, s.max_backlog, s.loopback_bytes);
    let multicast_groups = s.multicast_groups;
    let (linger, connect, dns_timeout, user_timeout, ack_delay, nagle, dhcp_v4) =
        (s.linger_ms, s.connect_timeout_ms, s.dns_timeout_ms, s.tcp_user_timeout_ms, s.ack_delay_ms, s.nagle, rust_dhcp(s.dhcp_v4));
    let (ram, rx_frames) = (budget.total, board.rx_frames);
    quote! {
        #[doc = #doc]
        pub const #name: BoardInfo = BoardInfo {
            name: #board_name,
            backend: #backend,
            ethernet: #ethernet,
            mtu: #mtu,
            mac: #mac,
            port_clock: #port_clock,
            ipv4: #ipv4,
            ipv6: #ipv6,
            dns: &[#(#dns),*],
            features: #features,
            config: Config {
                sockets: #sockets,
                tcp_sockets: #tcp_sockets,
                tcp_rx_bytes: #tcp_rx,
                tcp_tx_bytes: #tcp_tx,
                udp_sockets: #udp_sockets,
                udp_rx_bytes: #udp_rx,
                udp_tx_bytes: #udp_tx,
                udp_packets: #udp_packets,
                raw_sockets: #raw_sockets,
                raw_bytes: #raw_bytes,
                raw_packets: #raw_packets,
                loopback_bytes: #loopback,
                dns_queries: #dns_queries,
                multicast_groups: #multicast_groups,
                max_backlog: #max_backlog,
                linger_ms: #linger,
                connect_timeout_ms: #connect,
                dns_timeout_ms: #dns_timeout,
                tcp_user_timeout_ms: #user_timeout,
                ack_delay_ms: #ack_delay,
                nagle: #nagle,
                dhcp_v4: #dhcp_v4,
            },
            ram_bytes: #ram,
            rx_frames: #rx_frames,
        };
    }
}

fn rust_file(spec: &Spec) -> Result<Output, String> {
    let boards = spec.boards.iter().map(|b| rust_board(b, &budget(b, &spec.ram)));
    let names = spec.boards.iter().map(|b| format_ident!("{}", Names::board_const(&b.name)));
    let tokens = quote! {
        //! The boards of `spec/boards/`: each one's network setup and stack config.
        use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        use crate::{Config, DhcpClient, Features};
        use crate::board_info::{Addressing, BoardInfo};
        #(#boards)*
        /// Every board, in file name order.
        pub const ALL: &[&BoardInfo] = &[#(&#names),*];
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("runtime/generated/boards.rs: {e}"))?;
    Ok(Output::new("runtime/generated/boards.rs", format!("// {GENERATED_LINE}\n{}", prettyplease::unparse(&file))))
}

/// A `#define` line's name and value.
#[derive(Serialize)]
struct Define {
    name: String,
    value: String,
    doc: String,
}

/// A C initializer for an address: `{ 192, 0, 2, 2 }` or sixteen bytes.
fn c_bytes(ip: &IpAddr) -> String {
    let bytes: Vec<String> = match ip {
        IpAddr::V4(a) => a.octets().iter().map(|b| b.to_string()).collect(),
        IpAddr::V6(a) => a.octets().iter().map(|b| format!("0x{b:02x}")).collect(),
    };
    format!("{{ {} }}", bytes.join(", "))
}

fn c_addressing(names: &Names, family: &str, a: &Addressing, out: &mut Vec<Define>) {
    let mut def = |what: &str, value: String, doc: String| out.push(Define { name: names.board_macro(&format!("{family}_{what}")), value, doc });
    let mode = match a {
        Addressing::None => "0",
        Addressing::Static { .. } => "1",
        Addressing::Dhcp => "2",
    };
    def("MODE", mode.into(), format!("{family}: 0 none, 1 static, 2 DHCP."));
    if let Addressing::Static { address, prefix, gateway } = a {
        def("ADDRESS", c_bytes(address), format!("{family} address ({address})."));
        def("PREFIX", prefix.to_string(), "Prefix length.".into());
        if let Some(g) = gateway {
            def("GATEWAY", c_bytes(g), format!("Default gateway ({g})."));
        }
    }
}

fn c_defines(names: &Names, board: &Board, budget: &Budget) -> Vec<Define> {
    let mut out = Vec::new();
    let mut def = |what: &str, value: String, doc: &str| out.push(Define { name: names.board_macro(what), value, doc: doc.into() });
    let s = &board.config;
    def("NAME", format!("\"{}\"", board.name), "Board name.");
    def("ETHERNET", u8::from(board.ethernet).to_string(), "1: Ethernet frames; 0: IP packets.");
    def("MTU", board.mtu.to_string(), "Largest IP packet.");
    def("FRAME_BYTES", board.frame_bytes().to_string(), "Largest frame the port passes (MTU plus the Ethernet header).");
    if board.backend == "c-port" {
        def("RX_FRAMES", board.rx_frames.to_string(), "Received frames the runtime's ring holds until the stack takes them.");
    }
    def("MAC_FROM_PORT", u8::from(board.ethernet && board.mac.is_none()).to_string(), "1: the firmware supplies the MAC at start.");
    if let Some(mac) = board.mac {
        let bytes: Vec<String> = mac.iter().map(|b| format!("0x{b:02x}")).collect();
        def("MAC", format!("{{ {} }}", bytes.join(", ")), "Fixed MAC address.");
    }
    def("PORT_CLOCK", u8::from(board.port_clock).to_string(), "1: the firmware's clock, through the frame port.");
    def("SOCKETS", s.sockets.to_string(), "Open sockets of any kind.");
    def("TCP_SOCKETS", s.tcp_sockets.to_string(), "TCP sockets (connected, listening, queued, lingering).");
    def("UDP_SOCKETS", s.udp_sockets.to_string(), "UDP sockets.");
    def("RAW_SOCKETS", s.raw_sockets.to_string(), "Raw IP sockets.");
    def("MULTICAST_GROUPS", s.multicast_groups.to_string(), "Multicast groups the interface may join at once.");
    def("TCP_RX_BYTES", s.tcp_rx_bytes.to_string(), "TCP receive buffer per socket.");
    def("TCP_TX_BYTES", s.tcp_tx_bytes.to_string(), "TCP transmit buffer per socket.");
    def("LOOPBACK_BYTES", s.loopback_bytes.to_string(), "Loop queue: frames the board sends itself (127.0.0.1, ::1, its own addresses).");
    let ram_doc = match &board.target {
        Some(t) => format!("RAM of the runtime's statics (.bss) on {t}."),
        None => format!("RAM the stack needs on a {}-bit host.", budget.pointer_bits),
    };
    def("RAM_BYTES", format!("{}u", budget.total), &ram_doc);
    def("FEATURES", format!("\"{}\"", board.features().join(",")), "The runtime's cargo features the board needs (more only cost flash).");
    c_addressing(names, "IPV4", &board.ipv4, &mut out);
    let dhcp = match board.config.dhcp_v4 {
        DhcpClient::None => "0",
        DhcpClient::OnRequest => "1",
        DhcpClient::FromStart => "2",
    };
    out.push(Define {
        name: names.board_macro("IPV4_DHCP"),
        value: dhcp.into(),
        doc: "DHCPv4 client: 0 none, 1 started by ifconfig('dhcp') (usocket_ifconfig), 2 running from start.".into(),
    });
    c_addressing(names, "IPV6", &board.ipv6, &mut out);
    out
}

#[derive(Serialize)]
struct BoardPage<'a> {
    generated: &'static str,
    board: &'a Board,
    guard: String,
    defines: Vec<Define>,
    budget: Budget,
    ram_doc: &'a str,
    costs_doc: &'a str,
    cpu: &'a str,
    ipv4: String,
    ipv6: String,
    dns: String,
    features: Vec<&'static str>,
}

fn describe(a: &Addressing) -> String {
    match a {
        Addressing::None => "none".into(),
        Addressing::Dhcp => "DHCP".into(),
        Addressing::Static { address, prefix, gateway: Some(g) } => format!("{address}/{prefix}, gateway {g}"),
        Addressing::Static { address, prefix, gateway: None } => format!("{address}/{prefix}"),
    }
}

/// Every board's Rust config, C header and docs page.
pub fn emit(spec: &Spec) -> Result<Vec<Output>, String> {
    let names = Names::new(&spec.module);
    let mut out = vec![rust_file(spec)?];
    for board in &spec.boards {
        let budget = budget(board, &spec.ram);
        let dns: Vec<String> = board.dns.iter().map(|d| d.to_string()).collect();
        let page = BoardPage {
            generated: GENERATED_LINE,
            board,
            guard: names.board_guard(&board.name),
            defines: c_defines(&names, board, &budget),
            budget,
            ram_doc: &spec.ram.doc,
            costs_doc: &spec.ram.for_bits(board.pointer_bits()).doc,
            cpu: board.target.as_deref().and_then(crate::targets::find).map_or("", |t| t.cpu),
            ipv4: match board.config.dhcp_v4 {
                DhcpClient::OnRequest => format!("{}; a DHCP client that `ifconfig('dhcp')` starts", describe(&board.ipv4)),
                _ => describe(&board.ipv4),
            },
            ipv6: describe(&board.ipv6),
            dns: if dns.is_empty() { "none".into() } else { dns.join(", ") },
            features: board.features(),
        };
        out.push(Output::new(format!("generated/boards/{}", Names::board_header(&board.name)), templates::render("board.h.j2", &page)?));
        out.push(Output::new(format!("generated/docs/boards/{}.md", board.name), templates::render("board.md.j2", &page)?));
    }
    Ok(out)
}
