//! `cargo xtask test --only package`: the crates meant for crates.io package
//! and build from their packaged sources alone (`cargo package`, which
//! verifies them against each other through a temporary local registry), and
//! each carries its licences, its README and the generated code it includes.

use std::path::Path;

use usocket_harness::exec::{output, step};

/// The crates meant for crates.io, each with a file its package must hold
/// besides the licences and README: the generated Rust it includes, or the
/// templates it renders. Every other workspace crate has `publish = false`.
const PUBLISHED: [(&str, &str); 4] = [
    ("usocket-config", "src/lib.rs"),
    ("usocket-runtime", "generated/mod.rs"),
    ("usocket-cport", "generated/port.rs"),
    ("usocket-codegen", "templates/usocket.h.j2"),
];

/// Files every published crate's package holds.
const EVERY_PACKAGE: [&str; 3] = ["LICENSE-MIT", "LICENSE-APACHE", "README.md"];

/// Packages and verifies the published crates, then checks their file lists.
pub fn run() -> Result<(), String> {
    // cargo takes a crate from its temporary registry as immutable, by name
    // and version: in a shared target directory, a crate changed since an
    // earlier run would be built from that run's artifacts. Verify in a
    // directory of its own, from which our crates' artifacts are removed
    // first (their dependencies from crates.io stay built).
    let dir = usocket_harness::root().join("target/package-verify");
    forget_our_crates(&dir)?;
    let dir = dir.to_string_lossy().into_owned();
    let mut args = vec!["package", "--allow-dirty", "--target-dir", &dir];
    for (name, _) in PUBLISHED {
        args.extend(["-p", name]);
    }
    step("cargo package", "cargo", &args)?;
    for (name, own) in PUBLISHED {
        let listed = output("cargo", &["package", "--allow-dirty", "--list", "-p", name])?;
        let files: Vec<&str> = listed.lines().collect();
        for want in EVERY_PACKAGE.iter().chain([&own]) {
            if !files.contains(want) {
                return Err(format!("the package of {name} lacks {want}; it has: {}", files.join(" ")));
            }
        }
    }
    Ok(())
}

/// Whether a file or directory a build leaves (`libusocket_runtime-HASH.rlib`,
/// `usocket-runtime-HASH/`, `usocket_runtime-HASH.d`) is one of the published crates'.
fn is_ours(file: &str) -> bool {
    let file = file.strip_prefix("lib").unwrap_or(file);
    PUBLISHED.iter().any(|(name, _)| {
        [name.to_string(), name.replace('-', "_")].iter().any(|n| file == n || file.starts_with(&format!("{n}-")) || file.starts_with(&format!("{n}.")))
    })
}

/// Removes what a build left in `dir` of the published crates (fingerprints,
/// build-script outputs, libraries, dependency files), so that each builds
/// afresh from its package.
fn forget_our_crates(dir: &Path) -> Result<(), String> {
    let Ok(profiles) = std::fs::read_dir(dir) else { return Ok(()) };
    for profile in profiles.flatten() {
        for sub in [".fingerprint", "build", "deps"] {
            let Ok(entries) = std::fs::read_dir(profile.path().join(sub)) else { continue };
            for entry in entries.flatten() {
                if is_ours(&entry.file_name().to_string_lossy()) {
                    let path = entry.path();
                    let removed = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                    removed.map_err(|e| format!("{}: {e}", path.display()))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_crates_artifacts_are_told_from_their_dependencies() {
        for ours in ["libusocket_runtime-0a1b.rlib", "usocket-config-77ff", "usocket_codegen-12.d", "usocket-cport-9/"] {
            assert!(is_ours(ours.trim_end_matches('/')), "{ours}");
        }
        for theirs in ["libsmoltcp-1.rlib", "usocket-host-3", "libusocket_harness-2.rlib", "syn-4"] {
            assert!(!is_ours(theirs), "{theirs}");
        }
    }
}
