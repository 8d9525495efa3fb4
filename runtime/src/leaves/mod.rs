//! Modules with one job each that know nothing of the [`Stack`](crate::Stack)
//! (no `impl Stack`, no fd table): each is tested alone, and the stack, its
//! owners and its API modules use them.

pub(crate) mod addr;
#[cfg(feature = "multicast")]
pub(crate) mod memberships;
#[cfg(feature = "raw")]
pub(crate) mod raw_area;
pub(crate) mod resolve;
pub(crate) mod resume;
#[cfg(any(feature = "dns", feature = "dhcpv4"))]
pub(crate) mod services;
pub(crate) mod stall;
pub(crate) mod time;
