//! `cargo xtask install --prefix DIR [--board NAME]`: what a C program needs
//! to use the library without this repository. `include/` gets the header
//! (and `usocket_host.h`; with `--board`, the frame port's header and the
//! board's header), `lib/` the static library built in release with its debug
//! info stripped (symbols kept), and the pkg-config file and CMake package
//! that [`crate::package_files`] renders. Without `--board` it is the host library
//! (`libusocket_host.a`: the loopback and TAP boards, `USOCKET_BOARD` picks
//! one at run time); with it, a c-port board's firmware library
//! (`libusocket.a` from `cargo xtask firmware-lib BOARD`).
//!
//! [`test`] (`cargo xtask test --only install`) installs into a scratch
//! prefix and builds `tests/c/consumer/` (the README's C quick start, which
//! must be that file verbatim) twice, with pkg-config and with CMake, and runs
//! both; then installs a firmware board and compiles the example firmware
//! loop against that prefix.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use usocket_codegen::ir::Spec;
use usocket_codegen::naming::Names;

use crate::package_files::{self, Package};
use usocket_harness::exec::{output, step};

/// The host library's own header, beside the generated one.
const HOST_HEADER: &str = "targets/host/include/usocket_host.h";
pub use usocket_harness::lab::HOST_LIB;
/// The host library's crate.
const HOST_CRATE: &str = "usocket-host";
/// What stripping removes: debug info, and the LLVM bitcode Rust's standard
/// library embeds for cross-language LTO (two thirds of the host library,
/// unused by a C linker). Symbols stay.
const STRIP: [&str; 3] = ["--strip-debug", "--remove-section=.llvmbc", "--remove-section=.llvmcmd"];
/// The firmware library's crate.
const FIRMWARE_CRATE: &str = "usocket-cport-staticlib";

/// `cargo xtask install --prefix DIR [--board NAME]`.
pub fn run(prefix: &Path, board: Option<&str>) -> Result<(), String> {
    let installed = install(prefix, board)?;
    println!("installed {} into {}", installed.join(", "), prefix.display());
    Ok(())
}

/// One library built for installing, and what its package files say of it.
struct Built {
    /// The library as the build left it.
    lib: PathBuf,
    /// Its headers, installed into `include/` under their own names.
    headers: Vec<PathBuf>,
    /// Its name for `-l`.
    link_name: &'static str,
    /// The crate it is built from (its version is the package's).
    krate: &'static str,
    /// The strip program for its target.
    strip: &'static str,
    private_libs: &'static [&'static str],
    target_cflags: &'static [&'static str],
    description: String,
}

/// Builds the host library, or c-port board `board`'s firmware library.
fn build(spec: &Spec, names: &Names, board: Option<&str>) -> Result<Built, String> {
    let root = usocket_harness::root();
    let header = root.join("generated/include").join(names.header());
    Ok(match board {
        None => {
            step("host static library", "cargo", &["build", "--release", "-p", HOST_CRATE])?;
            Built {
                lib: root.join(HOST_LIB),
                headers: vec![header, root.join(HOST_HEADER)],
                link_name: "usocket_host",
                krate: HOST_CRATE,
                strip: "strip",
                private_libs: &usocket_harness::cflags::STATICLIB_LIBS,
                target_cflags: &[],
                description: "the C ABI on the host boards (loopback, TAP; USOCKET_BOARD picks one at run time)".to_string(),
            }
        }
        Some(name) => {
            let (lib, target) = crate::firmware_lib::build(spec, name, None)?;
            Built {
                lib,
                headers: vec![header, root.join("generated/include").join(names.port_header()), root.join("generated/boards").join(Names::board_header(name))],
                link_name: "usocket",
                krate: FIRMWARE_CRATE,
                strip: "arm-none-eabi-strip",
                private_libs: &[],
                target_cflags: usocket_harness::provision::rust_src::target(&target)?.cflags,
                description: format!("the C ABI and frame port for c-port board {name} on {target}"),
            }
        }
    })
}

/// Installs; returns the files written, relative to `prefix`.
fn install(prefix: &Path, board: Option<&str>) -> Result<Vec<String>, String> {
    let spec = crate::firmware_lib::spec()?;
    let names = Names::new(&spec.module);
    let built = build(&spec, &names, board)?;
    let version = crate_version(built.krate)?;
    let mut written = Vec::new();
    let include = prefix.join("include");
    mkdir(&include)?;
    for header in &built.headers {
        let name = header.file_name().and_then(|n| n.to_str()).ok_or_else(|| format!("{}: no file name", header.display()))?;
        copy(header, &include.join(name))?;
        written.push(format!("include/{name}"));
    }
    let lib_dir = prefix.join("lib");
    mkdir(&lib_dir)?;
    let lib_name = format!("lib{}.a", built.link_name);
    let lib = lib_dir.join(&lib_name);
    output(built.strip, &[&STRIP[..], &["-o", &lib.to_string_lossy(), &built.lib.to_string_lossy()]].concat())?;
    println!("    lib/{lib_name}: {} as built, {} stripped of debug info and bitcode", size(&built.lib)?, size(&lib)?);
    written.push(format!("lib/{lib_name}"));
    let p = Package {
        names: &names,
        version: &version,
        description: built.description,
        link_name: built.link_name,
        private_libs: built.private_libs,
        target_cflags: built.target_cflags,
    };
    for (path, text) in package_files::files(&p) {
        let to = prefix.join(&path);
        mkdir(to.parent().ok_or("a package file without a directory")?)?;
        fs::write(&to, text).map_err(|e| format!("{}: {e}", to.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// A crate's version, as Cargo has it (`cargo pkgid -p NAME`: `...#name@1.2.3` or `...#1.2.3`).
fn crate_version(krate: &str) -> Result<String, String> {
    let id = output("cargo", &["pkgid", "-q", "-p", krate])?;
    let id = id.trim();
    let version = id.rsplit(['@', '#']).next().unwrap_or("");
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("cargo pkgid -p {krate} gave `{id}`, without a version"));
    }
    Ok(version.to_string())
}

fn mkdir(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}

/// A file's size, in MB or KB.
fn size(path: &Path) -> Result<String, String> {
    let bytes = fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    Ok(if bytes >= 1_000_000 { format!("{:.1} MB", bytes as f64 / 1e6) } else { format!("{:.1} KB", bytes as f64 / 1e3) })
}

/// The consumer program: the README's C quick start, verbatim.
const CONSUMER: &str = "tests/c/consumer";
/// The README's section that shows it.
const QUICK_START: &str = "## C quick start";
/// Warnings are errors for the consumer's builds too.
const CONSUMER_CFLAGS: &str = "-std=c99 -Wall -Wextra -Werror";
/// The c-port board whose installed prefix the example firmware loop compiles against.
const FIRMWARE_BOARD: &str = "nucleo-f429zi";

/// Runs `script` with `sh -c` in the repository root, with `env`.
fn sh(name: &str, script: &str, env: &[(&str, &Path)]) -> Result<(), String> {
    usocket_harness::verbosity::progress!("==> {name}: {script}");
    let mut command = Command::new("sh");
    command.args(["-c", script]).current_dir(usocket_harness::root());
    for (k, v) in env {
        command.env(k, v);
    }
    let status = usocket_harness::exec::status(&mut command).map_err(|e| format!("{name}: cannot run sh: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{name} failed ({status})")) }
}

/// `cargo xtask test --only install`.
pub fn test() -> Result<(), String> {
    let root = usocket_harness::root();
    let main_c = format!("{CONSUMER}/main.c");
    crate::readme_blocks::shows_file(QUICK_START, "c", &main_c)?;
    for tool in ["cmake", "pkg-config"] {
        if usocket_harness::exec::captured(Command::new(tool).arg("--version")).is_err() {
            return Err(format!("{tool} is not installed: apt-get install cmake pkgconf (.ci/run installs them)"));
        }
    }
    let scratch = root.join("target/install-test");
    let _ = fs::remove_dir_all(&scratch);
    let prefix = scratch.join("prefix");
    let files = install(&prefix, None)?;
    println!("    installed {}", files.join(", "));
    let pc_path = prefix.join("lib/pkgconfig");
    let pc_app = scratch.join("pc-app");
    let line = format!("cc {CONSUMER_CFLAGS} {main_c} $(pkg-config --cflags --libs --static usocket) -o {}", pc_app.display());
    sh("consumer with pkg-config: build", &line, &[("PKG_CONFIG_PATH", &pc_path)])?;
    step("consumer with pkg-config: run", &pc_app.to_string_lossy(), &[])?;
    let build = scratch.join("cmake");
    let prefix_arg = format!("-DCMAKE_PREFIX_PATH={}", prefix.display());
    let cmake_flags = format!("-DCMAKE_C_FLAGS={CONSUMER_CFLAGS}");
    let build_arg = build.to_string_lossy().into_owned();
    step("consumer with CMake: configure", "cmake", &["-S", CONSUMER, "-B", &build_arg, &prefix_arg, &cmake_flags])?;
    step("consumer with CMake: build", "cmake", &["--build", &build_arg])?;
    step("consumer with CMake: run", &build.join("consumer").to_string_lossy(), &[])?;
    cmake_versions(&prefix, &scratch)?;
    firmware(&scratch)
}

/// `find_package(usocket VERSION)` takes the installed version and refuses a
/// newer major one (the version file is read, and can say no).
fn cmake_versions(prefix: &Path, scratch: &Path) -> Result<(), String> {
    let version = crate_version(HOST_CRATE)?;
    let major: u64 = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let prefix_arg = format!("-DCMAKE_PREFIX_PATH={}", prefix.display());
    let configure = |want: &str, dir: &str| {
        let dir = scratch.join(dir).to_string_lossy().into_owned();
        usocket_harness::exec::captured(
            Command::new("cmake").args(["-S", CONSUMER, "-B", &dir, &prefix_arg, &format!("-DUSOCKET_VERSION={want}")]).current_dir(usocket_harness::root()),
        )
        .map_err(|e| format!("cmake: {e}"))
    };
    let same = configure(&version, "cmake-same")?;
    if !same.status.success() {
        return Err(format!("find_package(usocket {version}) failed: {}", String::from_utf8_lossy(&same.stderr)));
    }
    let newer = format!("{}.0", major + 1);
    if configure(&newer, "cmake-newer")?.status.success() {
        return Err(format!("find_package(usocket {newer}) took the installed {version}"));
    }
    println!("    find_package(usocket {version}) found it; find_package(usocket {newer}) did not");
    Ok(())
}

/// A c-port board's prefix: its headers and the firmware library, which is
/// for Arm with no debug info left; the example firmware loop compiles with
/// the pkg-config file's flags.
fn firmware(scratch: &Path) -> Result<(), String> {
    let prefix = scratch.join("firmware");
    let files = install(&prefix, Some(FIRMWARE_BOARD))?;
    println!("    installed {}", files.join(", "));
    let sections = output("arm-none-eabi-objdump", &["-h", &prefix.join("lib/libusocket.a").to_string_lossy()])?;
    if sections.contains(".debug_") {
        return Err("the installed firmware libusocket.a still has .debug_ sections".into());
    }
    let pc_path = prefix.join("lib/pkgconfig");
    let object = scratch.join("firmware.o");
    let line = format!(
        "arm-none-eabi-gcc $(pkg-config --variable=target_cflags usocket) {CONSUMER_CFLAGS} $(pkg-config --cflags usocket) -c examples/firmware/main.c -o {}",
        object.display()
    );
    sh("example firmware against the installed board", &line, &[("PKG_CONFIG_PATH", &pc_path)])
}
