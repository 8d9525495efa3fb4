//! getaddrinfo's argument rules and results: numeric hosts, `localhost` and
//! None resolve here without network traffic; other names go to DNS (`stack/api/dns.rs`).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::constants::{
    AF_INET, AF_INET6, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_PASSIVE, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM,
};
use crate::generated::constants::SERVICES;
use crate::leaves::addr::from_socket_addr;
use crate::{Addrinfo, Errno, GaiError};

/// The flags this implementation knows.
const KNOWN_FLAGS: i32 = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_NUMERICSERV;

/// What the caller asked for, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// 0 (any), AF_INET or AF_INET6.
    pub af: i32,
    socktype: i32,
    proto: i32,
    port: u16,
}

/// The host to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host<'h> {
    /// Known without DNS.
    Ip(IpAddr),
    /// A name for DNS.
    Name(&'h str),
}

/// Checks the arguments and resolves what needs no DNS.
pub fn prepare(host: Option<&str>, port: i32, af: i32, ty: i32, proto: i32, flags: i32) -> Result<(Request, Host<'_>), GaiError> {
    if flags & !KNOWN_FLAGS != 0 {
        return Err(GaiError::EAI_BADFLAGS);
    }
    // Without the `ipv6` feature AF_INET6 is a family like any unknown one.
    if af != 0 && af != AF_INET && !(af == AF_INET6 && cfg!(feature = "ipv6")) {
        return Err(GaiError::EAI_FAMILY);
    }
    let socktype = if ty == 0 { SOCK_STREAM } else { ty };
    let proto = match (socktype, proto) {
        (SOCK_STREAM, 0) => IPPROTO_TCP,
        (SOCK_DGRAM, 0) => IPPROTO_UDP,
        (SOCK_STREAM | SOCK_DGRAM | SOCK_RAW, p) => p,
        _ => return Err(GaiError::EAI_SOCKTYPE),
    };
    let port = u16::try_from(port).map_err(|_| GaiError::EAI_SERVICE)?;
    let request = Request { af, socktype, proto, port };
    let v6 = af == AF_INET6;
    let any = if v6 { IpAddr::V6(Ipv6Addr::UNSPECIFIED) } else { IpAddr::V4(Ipv4Addr::UNSPECIFIED) };
    let loopback = if v6 { IpAddr::V6(Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    // '' is None, as `('', port)` is the any-address in bind() (glibc says EAI_NONAME).
    let host = match host.filter(|h| !h.is_empty()) {
        None if flags & AI_PASSIVE != 0 => Host::Ip(any),
        None => Host::Ip(loopback),
        Some(h) => match h.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) if !cfg!(feature = "ipv6") => return Err(GaiError::EAI_FAMILY),
            Ok(ip) => Host::Ip(ip),
            Err(_) if flags & AI_NUMERICHOST != 0 => return Err(GaiError::EAI_NONAME),
            Err(_) if h.eq_ignore_ascii_case("localhost") => Host::Ip(loopback),
            Err(_) => Host::Name(h),
        },
    };
    Ok((request, host))
}

/// Writes one result per address of the requested family; EAI_NONAME when none fits.
pub fn fill(request: &Request, ips: impl IntoIterator<Item = IpAddr>, out: &mut [Addrinfo]) -> Result<usize, GaiError> {
    let mut n = 0;
    let mut matched = false;
    for ip in ips {
        let family = if ip.is_ipv4() { AF_INET } else { AF_INET6 };
        if request.af != 0 && request.af != family {
            continue;
        }
        matched = true;
        if let Some(slot) = out.get_mut(n) {
            *slot = Addrinfo { family, socktype: request.socktype, proto: request.proto, addr: from_socket_addr(SocketAddr::new(ip, request.port)) };
            n += 1;
        }
    }
    if matched { Ok(n) } else { Err(GaiError::EAI_NONAME) }
}

/// The port of a service name from the spec's table (any case, as
/// getservbyname); ENOENT for a name it lacks or a protocol other than tcp/udp.
pub fn service_port(name: &str, protocol: Option<&str>) -> Result<u16, Errno> {
    if protocol.is_some_and(|p| !p.eq_ignore_ascii_case("tcp") && !p.eq_ignore_ascii_case("udp")) {
        return Err(Errno::ENOENT);
    }
    SERVICES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, port)| *port).ok_or(Errno::ENOENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(host: Option<&str>, port: i32, af: i32, flags: i32) -> Result<Addrinfo, GaiError> {
        let mut out = [Addrinfo::default(); 2];
        let (request, host) = prepare(host, port, af, 0, 0, flags)?;
        let Host::Ip(ip) = host else { panic!("{host:?} needs DNS") };
        fill(&request, [ip], &mut out).map(|n| {
            assert_eq!(n, 1);
            out[0]
        })
    }

    #[test]
    fn numeric_hosts_resolve_without_traffic() {
        let a = one(Some("127.0.0.1"), 80, 0, 0).unwrap();
        assert_eq!((a.family, a.socktype, a.proto, a.addr.port), (AF_INET, SOCK_STREAM, IPPROTO_TCP, 80));
        let v6 = if cfg!(feature = "ipv6") { Ok(AF_INET6) } else { Err(GaiError::EAI_FAMILY) };
        assert_eq!(one(Some("::1"), 1, 0, 0).map(|a| a.family), v6, "an IPv6 address needs the ipv6 feature");
        assert_eq!(one(None, 1, 0, AI_PASSIVE).unwrap().addr.ip[..4], [0, 0, 0, 0]);
        assert_eq!(prepare(Some("example.test"), 80, 0, 0, 0, 0).map(|r| r.1), Ok(Host::Name("example.test")));
    }

    #[test]
    fn errors_use_the_getaddrinfo_namespace() {
        assert_eq!(one(Some("127.0.0.1"), 70000, 0, 0), Err(GaiError::EAI_SERVICE));
        assert_eq!(one(Some("127.0.0.1"), -1, 0, 0), Err(GaiError::EAI_SERVICE));
        assert_eq!(one(Some("example.invalid"), 80, 0, AI_NUMERICHOST), Err(GaiError::EAI_NONAME));
        assert_eq!(one(Some("localhost"), 80, 0, AI_NUMERICHOST), Err(GaiError::EAI_NONAME));
        assert_eq!(one(Some("127.0.0.1"), 80, 99, 0), Err(GaiError::EAI_FAMILY));
        let v6 = if cfg!(feature = "ipv6") { GaiError::EAI_NONAME } else { GaiError::EAI_FAMILY };
        assert_eq!(one(Some("127.0.0.1"), 80, AF_INET6, 0), Err(v6));
        assert_eq!(one(Some("127.0.0.1"), 80, 0, 0x4000), Err(GaiError::EAI_BADFLAGS));
    }
}
