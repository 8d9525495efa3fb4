//! How a board sets up one address family: the same fact for the generator,
//! which reads it from a board file, and the runtime, which starts with it.

use core::net::IpAddr;

/// How one address family is set up.
///
/// A board's generated `BoardInfo` has one for IPv4 and one for IPv6.
///
/// # Examples
///
/// ```
/// use core::net::{IpAddr, Ipv4Addr};
/// use usocket_config::Addressing;
///
/// let v4 = Addressing::Static {
///     address: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
///     prefix: 24,
///     gateway: Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))),
/// };
/// assert_ne!(v4, Addressing::Dhcp);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(tag = "mode", rename_all = "lowercase"))]
pub enum Addressing {
    /// Not used.
    None,
    /// DHCPv4: the address, gateway and DNS come from a lease.
    Dhcp,
    /// A fixed address.
    Static {
        /// The address.
        address: IpAddr,
        /// Its prefix length.
        prefix: u8,
        /// The default gateway.
        gateway: Option<IpAddr>,
    },
}
