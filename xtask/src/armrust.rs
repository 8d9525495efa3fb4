//! TEMPORARY stand-in until the registry-based ARM build lands (wt-arm).
use std::path::PathBuf;

/// The c-port static library for `board` on `target`.
pub fn staticlib(_board: &str, target: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(format!("/tmp/fwlib/target/{target}/release/libusocket.a"));
    if p.is_file() { Ok(p) } else { Err(format!("{} missing", p.display())) }
}
