//! The stack's API, one file per concern, each an `impl Stack`:
//! [`dispatch`] implements the generated [`SocketApi`](crate::SocketApi) and
//! routes each call by the socket's kind to [`tcp`], [`dgram`] (UDP, and what
//! [`raw`] sockets share with it), [`stream`], the resolver ([`dns`]), the
//! interface object ([`netif`], [`dhcp`]) or [`multicast`].

mod dgram;
#[cfg(feature = "dhcpv4")]
mod dhcp;
mod dispatch;
#[cfg(feature = "dns")]
mod dns;
#[cfg(feature = "multicast")]
mod multicast;
mod netif;
#[cfg(feature = "raw")]
mod raw;
mod stream;
mod tcp;
