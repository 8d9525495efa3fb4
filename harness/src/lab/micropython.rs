//! `cargo xtask micropython [--sanitize] [--version VERSION] [--micropython-dir DIR]`: builds MicroPython's unix
//! port with the generated `socket` module and the runtime, and prints the
//! interpreter's path as its last line. [`build_stock`] builds the same port
//! with MicroPython's own (kernel) socket module instead, for `cargo xtask bench`.
//!
//! Every unix build has TLS: MicroPython's `tls` module (its mbedtls binding,
//! over Debian's mbedtls built from source by [`crate::provision::mbedtls`]:
//! the Debian source's patch 0006 links `-lmbedx509 -lmbedtls -lmbedcrypto`,
//! which our `-L` finds first) and our `ssl` module over it (`frozen/python/ssl.py`), frozen in with asyncio.
//!
//! The source is DIR, or `$MICROPYTHON_DIR`, or Debian's `micropython` source
//! package, fetched with apt into `target/micropython-src/` (the archive comes
//! from the machine's own apt configuration) and pinned by SHA-256: trixie's
//! 1.25.0 by default; with `--version 1.26`, sid's (or forky's) 1.26.1 into
//! `target/micropython-src-1.26/`, built into `target/micropython-1.26/` (every
//! release's source and builds have their own directories).

use crate::exec::step;
use crate::provision::debian;
use crate::verbosity::progress;
use std::fs;
use std::path::{Path, PathBuf};

/// A MicroPython release we build: Debian's source package of it, and the
/// directories under `target/` of its source and builds.
pub struct Version {
    /// What `--version` takes.
    pub name: &'static str,
    /// Debian's source package (file names and SHA-256 sums from its .dsc and the suite's index).
    package: debian::SourcePackage,
    /// Appended to every directory under `target/`: empty for the default, so
    /// that its paths stay `target/micropython-src/`, `target/micropython/`, ...
    suffix: &'static str,
}

/// The releases `--version` knows; the first is the default.
pub const VERSIONS: [Version; 2] = [
    Version {
        name: "1.25",
        package: debian::SourcePackage {
            name: "micropython",
            suite: "trixie",
            files: &[
                ("micropython_1.25.0+ds-1.dsc", "8c7c406be88a6f3bc19e694eb0bbc5841112243fdf2b5a296e000d8fdc5f3c34"),
                ("micropython_1.25.0+ds.orig.tar.xz", "7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea"),
                ("micropython_1.25.0+ds-1.debian.tar.xz", "87cd89f7900c86b963885dabe25acf3e5348815993f1500278ad8f6464465af4"),
            ],
        },
        suffix: "",
    },
    Version {
        name: "1.26",
        package: debian::SourcePackage {
            name: "micropython",
            // sid's upload, also in forky (testing) once it migrated, where it stays longer.
            suite: "sid forky",
            files: &[
                ("micropython_1.26.1+ds-1.dsc", "5c3feac74c0ad2ec2a8810b04e223bd634023bd24c5e5e10b545ba05a6b74a65"),
                ("micropython_1.26.1+ds.orig.tar.xz", "f5ad2ec89d3e921f753d448955af98b6005655f84ba26087dde6ba0e8d062f34"),
                ("micropython_1.26.1+ds-1.debian.tar.xz", "1f6af20cc729518aeeb039455d43d5cd6fe7cb94f6ecff9980836003bdf795c2"),
            ],
        },
        suffix: "-1.26",
    },
];

/// The default release (Debian trixie's 1.25.0).
pub const DEFAULT: &Version = &VERSIONS[0];

/// The release `--version NAME` names; an unknown one is an error that lists the known ones.
pub fn version(name: &str) -> Result<&'static Version, String> {
    VERSIONS.iter().find(|v| v.name == name).ok_or_else(|| {
        let known: Vec<&str> = VERSIONS.iter().map(|v| v.name).collect();
        format!("unknown MicroPython version `{name}`: known versions are {} (default {})", known.join(", "), DEFAULT.name)
    })
}

impl Version {
    /// `target/BASE` with this release's suffix, as a path under the repository.
    fn dir(&self, base: &str) -> String {
        format!("target/{base}{}", self.suffix)
    }
}

/// `cargo xtask micropython`: builds `version` (with the sanitizers if
/// `sanitize`) from `dir` or Debian's source, and prints the interpreter's path.
pub fn run(sanitize: bool, version: &Version, dir: Option<PathBuf>) -> Result<(), String> {
    let exe = if sanitize { build_sanitized_version(version, dir)? } else { build_version(version, dir)? };
    println!("{}", exe.display());
    Ok(())
}

/// Builds the interpreter (incrementally) and returns its path.
pub fn build(dir: Option<PathBuf>) -> Result<PathBuf, String> {
    build_version(DEFAULT, dir)
}

/// [`build`] of `version`, into `target/micropython` with its suffix.
pub fn build_version(version: &Version, dir: Option<PathBuf>) -> Result<PathBuf, String> {
    build_ours(&format!("micropython {} unix port", version.name), version, dir, "micropython", "")
}

/// AddressSanitizer and UndefinedBehaviorSanitizer flags, as MicroPython's own
/// CI builds its sanitizer variants (no use-after-return checks: the garbage
/// collector scans the C stack, and ASan's fake stacks hide roots from it).
const SANITIZE: &str =
    "-fsanitize=address,undefined -fno-sanitize=nonnull-attribute -fno-sanitize-recover=all -fno-omit-frame-pointer --param asan-use-after-return=0";

/// Our interpreter built with ASan and UBSan into `target/micropython-asan/`.
pub fn build_sanitized(dir: Option<PathBuf>) -> Result<PathBuf, String> {
    build_sanitized_version(DEFAULT, dir)
}

/// [`build_sanitized`] of `version`, into `target/micropython-asan` with its suffix.
fn build_sanitized_version(version: &Version, dir: Option<PathBuf>) -> Result<PathBuf, String> {
    build_ours(&format!("sanitized micropython {} unix port", version.name), version, dir, "micropython-asan", SANITIZE)
}

/// The unix port of `version` (or of DIR) with our module and the runtime
/// library, into `target/OUT` with the version's suffix, compiled and linked
/// with `flags` too.
fn build_ours(name: &str, version: &Version, dir: Option<PathBuf>, out: &str, flags: &str) -> Result<PathBuf, String> {
    let root = crate::root();
    let src = source_of(version, dir)?;
    let out = root.join(version.dir(out));
    let abs = |p: &Path| p.to_string_lossy().into_owned();
    step("host static library", "cargo", &["build", "--release", "-p", "usocket-host"])?;
    let lib = root.join("target/release/libusocket_host.a");
    let ours = vec!["MICROPY_PY_SOCKET=0".into(), format!("USER_C_MODULES={}", abs(&user_modules()?)), format!("USOCKET_LIB={}", abs(&lib))];
    relink_if_newer(&out.join("build/micropython"), &lib)?;
    make_unix_port(name, &src, &out, &ours, flags)
}

/// The user C modules of our interpreters, in one directory as MicroPython's
/// build wants them (`target/micropython-modules/`, links): the generated
/// `socket` module and our `select` (`targets/host/micropython/select/`).
fn user_modules() -> Result<PathBuf, String> {
    let root = crate::root();
    let dir = root.join("target/micropython-modules");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, target) in [("usocket", "generated/micropython/usocket"), ("select", "targets/host/micropython/select")] {
        let link = dir.join(name);
        if fs::read_link(&link).ok().as_deref() != Some(root.join(target).as_path()) {
            let _ = fs::remove_file(&link);
            std::os::unix::fs::symlink(root.join(target), &link).map_err(|e| format!("{}: {e}", link.display()))?;
        }
    }
    Ok(dir)
}

/// Builds (incrementally) the stock unix interpreter from the same source and
/// with the same options, but with MicroPython's own kernel-socket module
/// instead of ours, into `target/micropython-stock/`; returns its path. For
/// comparisons (`cargo xtask bench`).
pub fn build_stock(dir: Option<PathBuf>) -> Result<PathBuf, String> {
    let src = source(dir)?;
    let out = crate::root().join(DEFAULT.dir("micropython-stock"));
    make_unix_port("stock micropython unix port", &src, &out, &["MICROPY_PY_SOCKET=1".into()], "")
}

/// The MicroPython source tree of the default release: DIR, or `$MICROPYTHON_DIR`, or its pinned Debian package.
pub fn source(dir: Option<PathBuf>) -> Result<PathBuf, String> {
    source_of(DEFAULT, dir)
}

/// The source tree of `version`: DIR, or (for the default release only)
/// `$MICROPYTHON_DIR`, or its pinned Debian package, fetched into
/// `target/micropython-src` with its suffix.
pub fn source_of(version: &Version, dir: Option<PathBuf>) -> Result<PathBuf, String> {
    let env = || std::env::var_os("MICROPYTHON_DIR").filter(|_| version.name == DEFAULT.name).map(PathBuf::from);
    let src = match dir.or_else(env) {
        Some(d) => d,
        None => {
            let cache = crate::root().join(version.dir("micropython-src"));
            version.package.unpack(&cache, &cache.join("mp"), "ports/unix/Makefile")?
        }
    };
    if !src.join("ports/unix/Makefile").is_file() {
        return Err(format!("{} is not a MicroPython source tree (no ports/unix/Makefile)", src.display()));
    }
    Ok(src)
}

/// Builds the unix port of `src` in `out/build` (mpy-cross in `out/mpy-cross`,
/// asyncio frozen in) with the options every interpreter of ours shares plus
/// `socket` (which socket module), compiled and linked with `flags` too,
/// copies it to `out/micropython` and returns that path.
fn make_unix_port(name: &str, src: &Path, out: &Path, socket: &[String], flags: &str) -> Result<PathBuf, String> {
    let abs = |p: &Path| p.to_string_lossy().into_owned();
    let tls = crate::provision::mbedtls::host()?;
    let ssl = crate::root().join("frozen/python");
    let (mpy_cross, manifest) = frozen(src, out, &format!("module(\"ssl.py\", base_path=\"{}\")\n", abs(&ssl)))?;
    let mpy_cross = abs(&mpy_cross);
    let shared = [
        format!("BUILD={}", abs(&out.join("build"))),
        "VARIANT=standard".into(),
        "MICROPY_PY_BTREE=0".into(),
        "MICROPY_PY_SSL=1".into(),
        "MICROPY_SSL_MBEDTLS=1".into(),
        "MICROPY_SSL_AXTLS=0".into(),
        "MICROPY_PY_FFI=0".into(),
        format!("CFLAGS_EXTRA={} {flags}", tls.cflags()),
        format!("LDFLAGS_EXTRA={} {flags}", tls.ldflags()),
        format!("FROZEN_MANIFEST={}", abs(&manifest)),
        format!("MICROPY_MPYCROSS={mpy_cross}"),
        format!("MICROPY_MPYCROSS_DEPENDENCY={mpy_cross}"),
    ];
    let unix = abs(&src.join("ports/unix"));
    let mut args: Vec<&str> = vec!["-s", "-C", &unix, "-j2"];
    args.extend(shared.iter().chain(socket).map(String::as_str));
    fresh_if_changed(&out.join("build"), &args.join("\n"))?;
    step(name, "make", &args)?;
    let exe = out.join("micropython");
    fs::copy(out.join("build/micropython"), &exe).map_err(|e| format!("copy interpreter: {e}"))?;
    Ok(exe)
}

/// The make options of the last build in `build`, so that a changed option
/// rebuilds from scratch (MicroPython's makefiles do not track them).
fn fresh_if_changed(build: &Path, options: &str) -> Result<(), String> {
    let stamp = build.with_file_name("make-options.txt");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(options) {
        if build.exists() {
            progress!("==> make options changed: removing {}", build.display());
            fs::remove_dir_all(build).map_err(|e| format!("{}: {e}", build.display()))?;
        }
        fs::create_dir_all(build).map_err(|e| format!("{}: {e}", build.display()))?;
        fs::write(&stamp, options).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    Ok(())
}

/// Builds mpy-cross (in `out/mpy-cross`) and writes `out/manifest.py`, which
/// freezes MicroPython's asyncio package: what every build of ours (unix port
/// or firmware) freezes. Returns the mpy-cross binary and the manifest.
pub fn frozen_asyncio(src: &Path, out: &Path) -> Result<(PathBuf, PathBuf), String> {
    frozen(src, out, "")
}

/// [`frozen_asyncio`] with the manifest lines `more` too.
fn frozen(src: &Path, out: &Path, more: &str) -> Result<(PathBuf, PathBuf), String> {
    let abs = |p: &Path| p.to_string_lossy().into_owned();
    let mpy_cross_build = out.join("mpy-cross");
    step("mpy-cross", "make", &["-s", "-C", &abs(&src.join("mpy-cross")), "-j2", &format!("BUILD={}", abs(&mpy_cross_build))])?;
    let manifest = out.join("manifest.py");
    let frozen = format!("include(\"$(MPY_DIR)/extmod/asyncio\")\n{more}");
    if fs::read_to_string(&manifest).ok().as_deref() != Some(frozen.as_str()) {
        fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        fs::write(&manifest, frozen).map_err(|e| format!("{}: {e}", manifest.display()))?;
    }
    Ok((mpy_cross_build.join("mpy-cross"), manifest))
}

/// The unix port's link rule does not depend on libraries named in LDFLAGS:
/// removes the interpreter when the runtime library is newer, so make relinks it.
pub fn relink_if_newer(exe: &Path, lib: &Path) -> Result<(), String> {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(exe), modified(lib)) {
        (Some(e), Some(l)) if l > e => fs::remove_file(exe).map_err(|e| format!("{}: {e}", exe.display())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_named_and_an_unknown_one_lists_the_known() {
        assert_eq!(DEFAULT.name, "1.25");
        assert_eq!(DEFAULT.dir("micropython"), "target/micropython", "the default's paths stay as they were");
        let v = version("1.26").unwrap();
        assert_eq!((v.dir("micropython-src"), v.dir("micropython")), ("target/micropython-src-1.26".into(), "target/micropython-1.26".into()));
        let err = version("1.27").err().unwrap();
        assert!(err.contains("`1.27`") && err.contains("1.25, 1.26"), "{err}");
    }

    #[test]
    fn every_release_has_its_own_directories() {
        let mut dirs: Vec<String> = VERSIONS.iter().map(|v| v.dir("micropython-src")).collect();
        dirs.sort();
        dirs.dedup();
        assert_eq!(dirs.len(), VERSIONS.len());
        for v in &VERSIONS {
            assert!(v.package.files[0].0.ends_with(".dsc"), "{}: the .dsc first", v.name);
        }
    }
}
