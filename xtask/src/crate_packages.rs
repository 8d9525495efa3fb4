//! `cargo xtask test --only package`: the crates meant for crates.io package
//! and build from their packaged sources alone (`cargo package`, which
//! verifies them against each other through a temporary local registry), and
//! each carries its licences, its README and the generated code it includes.

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
    // directory of its own, emptied first.
    let dir = usocket_harness::root().join("target/package-verify");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
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
