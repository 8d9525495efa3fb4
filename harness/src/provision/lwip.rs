//! The anchor: lwIP with MicroPython's own socket module (`extmod/modlwip.c`)
//! in the same firmware as ours (`MPS2_STACK=lwip`). lwIP comes from Debian's
//! `lwip` source package, pinned by SHA-256 and unpacked where MicroPython's
//! stripped submodule would be (`lib/lwip` of the MicroPython tree under
//! `target/`). This file is also the one writer of the anchor's interface
//! configuration, which `make` passes to the board folder.

use std::path::Path;

use crate::provision::debian;

/// Debian's lwIP source package (trixie's security update of 2.2.1).
const PACKAGE: debian::SourcePackage = debian::SourcePackage {
    name: "lwip",
    suite: "trixie",
    files: &[
        ("lwip_2.2.1+dfsg1-1+deb13u1.dsc", "07ecb7122b2882a5265c6d1413947dd9a054d5ae25150b7042885d3f3d0b5aad"),
        ("lwip_2.2.1+dfsg1.orig.tar.xz", "83729c274c499d3348e9fbbe043a3113f3fa8953e7efddc7c21c7fcbb1f2b7b1"),
        ("lwip_2.2.1+dfsg1-1+deb13u1.debian.tar.xz", "faa343b3c76d69080240ae1323932b7348fa1d0042f6ad29bd286246660720a9"),
    ],
};

/// The anchor firmware's MAC: its own, so that it shares a bridge with ours (…:38:50).
pub const MAC: &str = "02:00:00:00:38:51";
/// Its IPv4 address (ours is 192.0.2.2), with the prefix.
pub const IPV4: &str = "192.0.2.3/24";
/// Its IPv6 address (ours is 2001:db8::2), with the prefix.
pub const IPV6: &str = "2001:db8::3/64";
/// Its gateway: the namespace's kernel, as for ours.
pub const GATEWAY: &str = "192.0.2.1";
/// Its DNS server: the same kernel.
pub const DNS: &str = "192.0.2.1";

/// The address alone (`192.0.2.3` of `192.0.2.3/24`).
pub fn host(with_prefix: &str) -> &str {
    with_prefix.split('/').next().unwrap_or(with_prefix)
}

/// Puts lwIP's source into `micropython/lib/lwip` (once).
pub fn source(micropython: &Path) -> Result<(), String> {
    let cache = crate::root().join("target/lwip-src");
    PACKAGE.unpack(&cache, &micropython.join("lib/lwip"), "src/core/tcp.c").map(|_| ())
}

/// The `make` variables of the anchor firmware: its interface, and whether lwIP has IPv6.
pub fn make_vars(ipv6: bool) -> Vec<String> {
    vec![
        "MPS2_STACK=lwip".into(),
        format!("MPS2_LWIP_MAC={MAC}"),
        format!("MPS2_LWIP_IPV4={IPV4}"),
        format!("MPS2_LWIP_GATEWAY={GATEWAY}"),
        format!("MPS2_LWIP_DNS={DNS}"),
        format!("MPS2_LWIP_IPV6={IPV6}"),
        format!("MPS2_LWIP_WITH_IPV6={}", u8::from(ipv6)),
    ]
}
