//! getaddrinfo for numeric hosts (and `localhost`), without network traffic.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::addr::from_socket_addr;
use crate::constants::{AF_INET, AF_INET6, AI_NUMERICHOST, AI_PASSIVE, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM};
use crate::{Addrinfo, GaiError};

/// The flags this implementation knows.
const KNOWN_FLAGS: i32 = AI_PASSIVE | crate::constants::AI_CANONNAME | AI_NUMERICHOST | crate::constants::AI_NUMERICSERV;

/// Resolves `host` without DNS: numeric addresses, `localhost`, and None (the
/// any-address with AI_PASSIVE, else loopback). Names need DNS (the runtime
/// issue) and give EAI_NONAME until then.
pub fn resolve(host: Option<&str>, port: i32, af: i32, ty: i32, proto: i32, flags: i32, out: &mut [Addrinfo]) -> Result<usize, GaiError> {
    if flags & !KNOWN_FLAGS != 0 {
        return Err(GaiError::EAI_BADFLAGS);
    }
    if af != 0 && af != AF_INET && af != AF_INET6 {
        return Err(GaiError::EAI_FAMILY);
    }
    let ty = if ty == 0 { SOCK_STREAM } else { ty };
    let proto = match (ty, proto) {
        (SOCK_STREAM, 0) => IPPROTO_TCP,
        (SOCK_DGRAM, 0) => IPPROTO_UDP,
        (SOCK_STREAM | SOCK_DGRAM | SOCK_RAW, p) => p,
        _ => return Err(GaiError::EAI_SOCKTYPE),
    };
    let port = u16::try_from(port).map_err(|_| GaiError::EAI_SERVICE)?;
    let v6 = af == AF_INET6;
    let ip = match host {
        None if flags & AI_PASSIVE != 0 => {
            if v6 {
                IpAddr::V6(Ipv6Addr::UNSPECIFIED)
            } else {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            }
        }
        None => {
            if v6 {
                IpAddr::V6(Ipv6Addr::LOCALHOST)
            } else {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            }
        }
        Some(h) => match h.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) if flags & AI_NUMERICHOST == 0 && h.eq_ignore_ascii_case("localhost") => {
                if v6 {
                    IpAddr::V6(Ipv6Addr::LOCALHOST)
                } else {
                    IpAddr::V4(Ipv4Addr::LOCALHOST)
                }
            }
            Err(_) => return Err(GaiError::EAI_NONAME),
        },
    };
    let family = if ip.is_ipv4() { AF_INET } else { AF_INET6 };
    if af != 0 && af != family {
        return Err(GaiError::EAI_NONAME);
    }
    let Some(slot) = out.first_mut() else { return Ok(0) };
    *slot = Addrinfo { family, socktype: ty, proto, addr: from_socket_addr(SocketAddr::new(ip, port)) };
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(host: Option<&str>, port: i32, af: i32, flags: i32) -> Result<Addrinfo, GaiError> {
        let mut out = [Addrinfo::default(); 2];
        resolve(host, port, af, 0, 0, flags, &mut out).map(|n| {
            assert_eq!(n, 1);
            out[0]
        })
    }

    #[test]
    fn numeric_hosts_resolve_without_traffic() {
        let a = one(Some("127.0.0.1"), 80, 0, 0).unwrap();
        assert_eq!((a.family, a.socktype, a.proto, a.addr.port), (AF_INET, SOCK_STREAM, IPPROTO_TCP, 80));
        assert_eq!(one(Some("::1"), 1, 0, 0).unwrap().family, AF_INET6);
        assert_eq!(one(None, 1, 0, AI_PASSIVE).unwrap().addr.ip[..4], [0, 0, 0, 0]);
    }

    #[test]
    fn errors_use_the_getaddrinfo_namespace() {
        assert_eq!(one(Some("127.0.0.1"), 70000, 0, 0), Err(GaiError::EAI_SERVICE));
        assert_eq!(one(Some("127.0.0.1"), -1, 0, 0), Err(GaiError::EAI_SERVICE));
        assert_eq!(one(Some("example.invalid"), 80, 0, AI_NUMERICHOST), Err(GaiError::EAI_NONAME));
        assert_eq!(one(Some("localhost"), 80, 0, AI_NUMERICHOST), Err(GaiError::EAI_NONAME));
        assert_eq!(one(Some("127.0.0.1"), 80, 99, 0), Err(GaiError::EAI_FAMILY));
        assert_eq!(one(Some("127.0.0.1"), 80, AF_INET6, 0), Err(GaiError::EAI_NONAME));
        assert_eq!(one(Some("127.0.0.1"), 80, 0, 0x4000), Err(GaiError::EAI_BADFLAGS));
    }
}
