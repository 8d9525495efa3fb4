//! Conversions between the ABI address struct and `core::net` addresses.

use core::fmt::Write;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::constants::{AF_INET, AF_INET6};
use crate::{Addr, Errno};

impl From<SocketAddr> for Addr {
    fn from(sa: SocketAddr) -> Addr {
        from_socket_addr(sa)
    }
}

impl TryFrom<&Addr> for SocketAddr {
    type Error = Errno;

    /// EAFNOSUPPORT for an unknown family.
    fn try_from(a: &Addr) -> Result<SocketAddr, Errno> {
        to_socket_addr(a)
    }
}

/// The ABI form of a socket address.
pub fn from_socket_addr(sa: SocketAddr) -> Addr {
    let mut a = Addr { port: sa.port(), ..Addr::default() };
    match sa {
        SocketAddr::V4(v4) => {
            a.family = AF_INET as u16;
            a.ip[..4].copy_from_slice(&v4.ip().octets());
        }
        SocketAddr::V6(v6) => {
            a.family = AF_INET6 as u16;
            a.ip = v6.ip().octets();
            a.scope_id = v6.scope_id();
        }
    }
    a
}

/// The socket address of an ABI address; EAFNOSUPPORT for an unknown family.
pub fn to_socket_addr(a: &Addr) -> Result<SocketAddr, Errno> {
    match i32::from(a.family) {
        AF_INET => {
            let ip = Ipv4Addr::new(a.ip[0], a.ip[1], a.ip[2], a.ip[3]);
            Ok(SocketAddr::V4(SocketAddrV4::new(ip, a.port)))
        }
        AF_INET6 => Ok(SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(a.ip), a.port, 0, a.scope_id))),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}

/// The smoltcp form of an address; None for an IPv6 address on a build
/// without the `ipv6` feature (smoltcp then has no IPv6 addresses).
pub fn smoltcp_ip(ip: IpAddr) -> Option<smoltcp::wire::IpAddress> {
    match ip {
        IpAddr::V4(v4) => Some(smoltcp::wire::IpAddress::Ipv4(v4)),
        #[cfg(feature = "ipv6")]
        IpAddr::V6(v6) => Some(smoltcp::wire::IpAddress::Ipv6(v6)),
        #[cfg(not(feature = "ipv6"))]
        IpAddr::V6(_) => None,
    }
}

/// The IPv4 address, if `ip` is one.
pub fn v4_of(ip: smoltcp::wire::IpAddress) -> Option<Ipv4Addr> {
    match ip {
        smoltcp::wire::IpAddress::Ipv4(v4) => Some(v4),
        #[cfg(feature = "ipv6")]
        smoltcp::wire::IpAddress::Ipv6(_) => None,
    }
}

/// The IPv4 network, if `cidr` is one.
pub fn v4_cidr(cidr: smoltcp::wire::IpCidr) -> Option<smoltcp::wire::Ipv4Cidr> {
    match cidr {
        smoltcp::wire::IpCidr::Ipv4(c) => Some(c),
        #[cfg(feature = "ipv6")]
        smoltcp::wire::IpCidr::Ipv6(_) => None,
    }
}

/// The smoltcp address and port of an ABI address for a socket of `family`:
/// EAFNOSUPPORT when the families differ (or the build has no IPv6).
pub fn endpoint(a: &Addr, family: i32) -> Result<(smoltcp::wire::IpAddress, u16), Errno> {
    if i32::from(a.family) != family {
        return Err(Errno::EAFNOSUPPORT);
    }
    let sa = to_socket_addr(a)?;
    Ok((smoltcp_ip(sa.ip()).ok_or(Errno::EAFNOSUPPORT)?, sa.port()))
}

/// The ABI form of a smoltcp address and port.
pub fn from_endpoint(ip: smoltcp::wire::IpAddress, port: u16) -> Addr {
    from_socket_addr(SocketAddr::new(ip.into(), port))
}

/// The loopback address of a family, as smoltcp's type (connect() to the unspecified address goes there).
pub fn loopback(v6: bool) -> smoltcp::wire::IpAddress {
    match v6 {
        #[cfg(feature = "ipv6")]
        true => smoltcp::wire::IpAddress::Ipv6(Ipv6Addr::LOCALHOST),
        _ => smoltcp::wire::IpAddress::Ipv4(Ipv4Addr::LOCALHOST),
    }
}

/// The unspecified address of a family, as smoltcp's type.
pub fn unspecified(v6: bool) -> smoltcp::wire::IpAddress {
    match v6 {
        #[cfg(feature = "ipv6")]
        true => smoltcp::wire::IpAddress::Ipv6(Ipv6Addr::UNSPECIFIED),
        _ => smoltcp::wire::IpAddress::Ipv4(Ipv4Addr::UNSPECIFIED),
    }
}

/// Parses a numeric IPv4/IPv6 host; EINVAL when it is not numeric or the port is out of range.
pub fn parse(host: Option<&str>, port: i32) -> Result<Addr, Errno> {
    let port = u16::try_from(port).map_err(|_| Errno::EINVAL)?;
    let ip: IpAddr = host.ok_or(Errno::EINVAL)?.parse().map_err(|_| Errno::EINVAL)?;
    Ok(from_socket_addr(SocketAddr::new(ip, port)))
}

/// Writes into a byte slice, failing when it is full.
struct SliceWriter<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        let dst = self.out.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes the numeric text of the address's IP; EINVAL when `out` is too small.
pub fn format(a: &Addr, out: &mut [u8]) -> Result<usize, Errno> {
    let ip = to_socket_addr(a)?.ip();
    let mut w = SliceWriter { out, len: 0 };
    write!(w, "{ip}").map_err(|_| Errno::EINVAL)?;
    Ok(w.len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_v4_and_v6() {
        for (host, text) in [("127.0.0.1", "127.0.0.1"), ("2001:db8::1", "2001:db8::1"), ("::1", "::1")] {
            let a = parse(Some(host), 8080).unwrap();
            let mut buf = [0u8; 64];
            let n = format(&a, &mut buf).unwrap();
            assert_eq!(&buf[..n], text.as_bytes());
            assert_eq!(a.port, 8080);
        }
    }

    #[test]
    fn rejects_names_ports_and_small_buffers() {
        assert_eq!(parse(Some("localhost"), 80), Err(Errno::EINVAL));
        assert_eq!(parse(Some("127.0.0.1"), 65536), Err(Errno::EINVAL));
        assert_eq!(parse(None, 80), Err(Errno::EINVAL));
        let a = parse(Some("10.0.0.1"), 1).unwrap();
        assert_eq!(format(&a, &mut [0u8; 4]), Err(Errno::EINVAL));
    }
}
