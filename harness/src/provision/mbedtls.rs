//! mbedtls for MicroPython's `tls` module in our unix interpreters: Debian's
//! `mbedtls` source package, pinned by SHA-256, unpacked (with Debian's
//! patches and configuration) and built as static libraries under `target/`.
//! So the first run needs no `libmbedtls-dev`, and every machine links the same
//! mbedtls whatever its system has. It is the release Debian's MicroPython was
//! built against on this machine's Debian (bookworm's 2.28), whose
//! `mbedtls_strerror` texts the TLS tests know.

use std::path::{Path, PathBuf};

use crate::exec::step;
use crate::provision::debian;

/// Debian's mbedtls source package (bookworm's 2.28.3).
const PACKAGE: debian::SourcePackage = debian::SourcePackage {
    name: "mbedtls",
    suite: "bookworm",
    files: &[
        ("mbedtls_2.28.3-1.dsc", "a8bf91b5ffb40654efb0ebe0c962ac1e87b8eed5e104880982eaa70dd4bb33e3"),
        ("mbedtls_2.28.3.orig.tar.gz", "3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d"),
        ("mbedtls_2.28.3-1.debian.tar.xz", "3e03c61f63c7bbcd0bf695b53e6663ab448cc2e15429cd67d0e4f32e699645a9"),
    ],
};

/// A built mbedtls: where its headers and its static libraries are.
pub struct Mbedtls {
    /// The directory to put on the include path (`mbedtls/ssl.h` is under it).
    pub include: PathBuf,
    /// The directory holding `libmbedtls.a`, `libmbedx509.a` and `libmbedcrypto.a`.
    pub lib: PathBuf,
}

impl Mbedtls {
    /// The compiler flag that finds its headers first.
    pub fn cflags(&self) -> String {
        format!("-I{}", self.include.display())
    }

    /// The linker flag that finds its libraries before any of the system's.
    pub fn ldflags(&self) -> String {
        format!("-L{}", self.lib.display())
    }
}

/// Fetches (once) and builds (incrementally) mbedtls for the host into
/// `target/mbedtls-src/tree`.
pub fn host() -> Result<Mbedtls, String> {
    let cache = crate::root().join("target/mbedtls-src");
    let tree = PACKAGE.unpack(&cache, &cache.join("tree"), "library/ssl_tls.c")?;
    let library = tree.join("library");
    let text = |p: &Path| p.to_string_lossy().into_owned();
    step("mbedtls static libraries", "make", &["-s", "-C", &text(&library), "-j2", "static", "CFLAGS=-O2"])?;
    Ok(Mbedtls { include: tree.join("include"), lib: library })
}
