//! The stack's API, one file per concern, each an `impl Stack`:
//! [`dispatch`] implements the generated [`SocketApi`](crate::SocketApi) and
//! routes each call by the socket's kind to [`tcp`], [`dgram`] (UDP, and what
//! [`raw`] sockets share with it), [`stream`], the resolver ([`dns`]), the
//! interface object ([`netif`], [`dhcp`]) or [`multicast`].

pub(crate) mod dgram;
#[cfg(feature = "dhcpv4")]
pub(crate) mod dhcp;
pub(crate) mod dispatch;
#[cfg(feature = "dns")]
pub(crate) mod dns;
#[cfg(feature = "multicast")]
pub(crate) mod multicast;
pub(crate) mod netif;
#[cfg(feature = "raw")]
pub(crate) mod raw;
pub(crate) mod stream;
pub(crate) mod tcp;
