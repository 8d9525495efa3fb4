//! Conversions between the ABI address struct and `core::net` addresses.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::constants::{AF_INET, AF_INET6, AF_UNSPEC};
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
/// An AF_UNSPEC address (`('', port)`) is the family's unspecified address:
/// bind() takes it as any address, connect() and sendto() as the loopback.
pub fn endpoint(a: &Addr, family: i32) -> Result<(smoltcp::wire::IpAddress, u16), Errno> {
    if i32::from(a.family) == AF_UNSPEC && a.ip == [0; 16] {
        return Ok((unspecified(family == AF_INET6), a.port));
    }
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
/// `""` is the any-address of whichever family the socket has (family
/// AF_UNSPEC), as CPython and MicroPython's lwIP ports take `('', port)`.
pub fn parse(host: Option<&str>, port: i32) -> Result<Addr, Errno> {
    let port = u16::try_from(port).map_err(|_| Errno::EINVAL)?;
    let host = host.ok_or(Errno::EINVAL)?;
    if host.is_empty() {
        return Ok(Addr { family: AF_UNSPEC as u16, port, ..Addr::default() });
    }
    let ip: IpAddr = host.parse().map_err(|_| Errno::EINVAL)?;
    Ok(from_socket_addr(SocketAddr::new(ip, port)))
}

/// Appends bytes to a slice; EINVAL once it is full.
struct SliceWriter<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl SliceWriter<'_> {
    fn push(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        let end = self.len + bytes.len();
        self.out.get_mut(self.len..end).ok_or(Errno::EINVAL)?.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// `n` in lowercase digits of `radix` (10 or 16), without leading zeros.
    fn number(&mut self, mut n: u32, radix: u32) -> Result<(), Errno> {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b"0123456789abcdef"[(n % radix) as usize];
            n /= radix;
            if n == 0 {
                break;
            }
        }
        self.push(&digits[i..])
    }

    fn ipv4(&mut self, ip: Ipv4Addr) -> Result<(), Errno> {
        for (i, octet) in ip.octets().into_iter().enumerate() {
            if i > 0 {
                self.push(b".")?;
            }
            self.number(octet.into(), 10)?;
        }
        Ok(())
    }

    /// RFC 5952 text, as `core`'s `Display` writes it: the longest run of two
    /// or more zero groups (the first of equal runs) as `::`, and IPv4-mapped
    /// addresses as `::ffff:a.b.c.d`.
    fn ipv6(&mut self, ip: Ipv6Addr) -> Result<(), Errno> {
        if let Some(v4) = ip.to_ipv4_mapped() {
            self.push(b"::ffff:")?;
            return self.ipv4(v4);
        }
        let groups = ip.segments();
        let (mut best, mut run) = ((0, 0), (0, 0));
        for (i, &g) in groups.iter().enumerate() {
            run = if g == 0 { (if run.1 == 0 { i } else { run.0 }, run.1 + 1) } else { (0, 0) };
            if run.1 > best.1 {
                best = run;
            }
        }
        let mut i = 0;
        while i < groups.len() {
            if best.1 >= 2 && i == best.0 {
                self.push(b"::")?;
                i += best.1;
                continue;
            }
            if i > 0 && !(best.1 >= 2 && i == best.0 + best.1) {
                self.push(b":")?;
            }
            self.number(groups[i].into(), 16)?;
            i += 1;
        }
        Ok(())
    }
}

/// Writes the numeric text of the address's IP; EINVAL when `out` is too
/// small. (Written out rather than through `core::fmt`, which would add about
/// 4 KB to a firmware that has no other use for it.)
pub fn format(a: &Addr, out: &mut [u8]) -> Result<usize, Errno> {
    let mut w = SliceWriter { out, len: 0 };
    match to_socket_addr(a)?.ip() {
        IpAddr::V4(ip) => w.ipv4(ip)?,
        IpAddr::V6(ip) => w.ipv6(ip)?,
    }
    Ok(w.len)
}

/// inet_pton(): the packed form of a numeric address of family `af` into
/// `out`; EINVAL when the text is not one, EAFNOSUPPORT for another family.
pub fn pack(af: i32, text: Option<&str>, out: &mut [u8]) -> Result<usize, Errno> {
    let text = text.ok_or(Errno::EINVAL)?;
    let mut packed = [0u8; 16];
    let len = match af {
        AF_INET => {
            packed[..4].copy_from_slice(&text.parse::<Ipv4Addr>().map_err(|_| Errno::EINVAL)?.octets());
            4
        }
        AF_INET6 => {
            packed = text.parse::<Ipv6Addr>().map_err(|_| Errno::EINVAL)?.octets();
            16
        }
        _ => return Err(Errno::EAFNOSUPPORT),
    };
    out.get_mut(..len).ok_or(Errno::EINVAL)?.copy_from_slice(&packed[..len]);
    Ok(len)
}

/// inet_ntop(): the text of a packed address of family `af` into `out`;
/// EINVAL for a length that is not the family's, EAFNOSUPPORT for another family.
pub fn unpack(af: i32, packed: &[u8], out: &mut [u8]) -> Result<usize, Errno> {
    let ip = match (af, packed.len()) {
        (AF_INET, 4) => IpAddr::V4(Ipv4Addr::new(packed[0], packed[1], packed[2], packed[3])),
        (AF_INET6, 16) => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(packed).map_err(|_| Errno::EINVAL)?)),
        (AF_INET | AF_INET6, _) => return Err(Errno::EINVAL),
        _ => return Err(Errno::EAFNOSUPPORT),
    };
    format(&from_socket_addr(SocketAddr::new(ip, 0)), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_what_core_displays() {
        extern crate std;
        use std::string::ToString;
        let v6 = [
            "::",
            "::1",
            "1::",
            "2001:db8::1",
            "2001:db8:0:0:1:0:0:1",
            "2001:0:0:1:0:0:0:1",
            "1:0:0:2:0:0:3:4",
            "fe80::1:2:3:4",
            "1:2:3:4:5:6:7:8",
            "0:1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:0",
            "1:0:2:3:4:5:6:7",
            "::ffff:192.0.2.1",
            "::192.0.2.1",
            "64:ff9b::c000:201",
            "ffff:ffff::ffff",
        ];
        for text in v6 {
            let ip: Ipv6Addr = text.parse().unwrap();
            let a = from_socket_addr(SocketAddr::new(IpAddr::V6(ip), 1));
            let mut buf = [0u8; 64];
            let n = format(&a, &mut buf).unwrap();
            assert_eq!(core::str::from_utf8(&buf[..n]).unwrap(), ip.to_string(), "{text}");
        }
        for ip in [Ipv4Addr::new(0, 0, 0, 0), Ipv4Addr::new(255, 255, 255, 255), Ipv4Addr::new(10, 0, 100, 9)] {
            let a = from_socket_addr(SocketAddr::new(IpAddr::V4(ip), 1));
            let mut buf = [0u8; 15];
            let n = format(&a, &mut buf).unwrap();
            assert_eq!(core::str::from_utf8(&buf[..n]).unwrap(), ip.to_string());
            assert_eq!(format(&a, &mut buf[..n - 1]), Err(Errno::EINVAL), "too small");
        }
    }

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
