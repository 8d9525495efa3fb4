//! Third-party sources and tools, fetched from the registries by name,
//! pinned by version and SHA-256, and cached under `target/`.

pub mod debian;
pub mod lwip;
pub mod mbedtls;
pub mod mdbook;
pub mod pypi;
pub mod rust_src;
