//! The text forms of a board's network facts, read the same way from a board
//! file (the generator) and from a host board's environment: a MAC address and
//! an `ADDRESS/PREFIX` interface address.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A MAC address written as six two-digit hex bytes, `02:00:00:00:00:02`.
///
/// # Examples
///
/// ```
/// use usocket_config::text::mac;
///
/// assert_eq!(mac("02:00:00:00:00:0a"), Some([2, 0, 0, 0, 0, 10]));
/// assert_eq!(mac("2:0:0:0:0:a"), None);
/// ```
pub fn mac(text: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = text.split(':');
    for byte in mac.iter_mut() {
        let part = parts.next().filter(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))?;
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(mac)
}

/// Why a text is not an `ADDRESS/PREFIX` of its family; each names the bad part.
///
/// # Examples
///
/// ```
/// use usocket_config::text::{CidrError, cidr};
///
/// assert_eq!(cidr("192.0.2.1/33", false), Err(CidrError::BadPrefix { prefix: "33", max: 32 }));
/// assert_eq!(cidr("2001:db8::1/24", false), Err(CidrError::BadAddress { address: "2001:db8::1" }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CidrError<'a> {
    /// No `/PREFIX`.
    NoPrefix,
    /// The prefix is not a number up to the family's bits.
    BadPrefix {
        /// The prefix as written.
        prefix: &'a str,
        /// 32 or 128.
        max: u8,
    },
    /// The address is not a numeric address of the family.
    BadAddress {
        /// The address as written.
        address: &'a str,
    },
}

/// An interface address `ADDRESS/PREFIX` of IPv6 (`v6`) or IPv4; the prefix is checked first.
///
/// # Examples
///
/// ```
/// use core::net::{IpAddr, Ipv4Addr};
/// use usocket_config::text::cidr;
///
/// assert_eq!(cidr("192.0.2.10/24", false), Ok((IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 24)));
/// ```
pub fn cidr(text: &str, v6: bool) -> Result<(IpAddr, u8), CidrError<'_>> {
    let (address, prefix) = text.split_once('/').ok_or(CidrError::NoPrefix)?;
    let max = if v6 { 128 } else { 32 };
    let prefix = prefix.parse::<u8>().ok().filter(|&p| p <= max).ok_or(CidrError::BadPrefix { prefix, max })?;
    Ok((ip(address, v6).ok_or(CidrError::BadAddress { address })?, prefix))
}

/// A numeric address of IPv6 (`v6`) or IPv4.
///
/// # Examples
///
/// ```
/// use usocket_config::text::ip;
///
/// assert!(ip("2001:db8::1", true).is_some());
/// assert_eq!(ip("2001:db8::1", false), None, "not an IPv4 address");
/// ```
pub fn ip(text: &str, v6: bool) -> Option<IpAddr> {
    match v6 {
        true => text.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        false => text.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_are_six_two_digit_hex_bytes() {
        assert_eq!(mac("02:00:00:00:00:0a"), Some([2, 0, 0, 0, 0, 10]));
        for bad in ["02:00:00:00:00", "02:00:00:00:00:00:00", "2:00:00:00:00:00", "02:00:00:00:00:0g", "+2:00:00:00:00:00", ""] {
            assert_eq!(mac(bad), None, "{bad}");
        }
    }

    #[test]
    fn addresses_need_their_family_and_a_prefix_in_range() {
        assert_eq!(cidr("192.0.2.2/24", false), Ok((IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)), 24)));
        assert_eq!(cidr("2001:db8::2/64", true).map(|c| c.1), Ok(64));
        assert_eq!(cidr("192.0.2.2", false), Err(CidrError::NoPrefix));
        assert_eq!(cidr("192.0.2.2/33", false), Err(CidrError::BadPrefix { prefix: "33", max: 32 }));
        assert_eq!(cidr("nope/99", false), Err(CidrError::BadPrefix { prefix: "99", max: 32 }), "the prefix first");
        assert_eq!(cidr("2001:db8::2/24", false), Err(CidrError::BadAddress { address: "2001:db8::2" }));
    }
}
