//! The C ABI from C: the generated header compiles as C99 and C++11, and C
//! programs linked against the host library pass their checks.

use std::path::Path;

use crate::exec::step;

/// C programs linked against the runtime: ABI checks (`abi_smoke`), echo,
/// timeouts and error paths (`abi_echo`), the spec's behaviour cases
/// (`conformance`), and bad input generated from the spec: bad fds, NULL
/// pointers, huge lengths (`bad_input`).
const C_ABI_PROGRAMS: [&str; 4] = ["tests/c/abi_smoke.c", "tests/c/abi_echo.c", "tests/c/conformance.c", "generated/hardening/bad_input.c"];

/// The generated header compiles as C99 and C++11, and the C programs link
/// against the runtime and pass their checks.
pub fn run() -> Result<(), String> {
    let out = crate::root().join("target/c-tests");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let out = out.to_string_lossy().into_owned();
    let header_c = [&crate::cflags::WARNINGS[..], &["-std=c99", "-pedantic", "tests/c/header_compiles.c", "-c", "-o"]].concat();
    step("header as C99", "gcc", &[&header_c[..], &[&format!("{out}/header_c.o")]].concat())?;
    let header_cxx = [&crate::cflags::CXX_WARNINGS[..], &["-std=c++11", "-x", "c++", "tests/c/header_compiles.c", "-c", "-o"]].concat();
    step("header as C++11", "g++", &[&header_cxx[..], &[&format!("{out}/header_cxx.o")]].concat())?;
    step("host static library", "cargo", &["build", "--release", "-p", "usocket-host"])?;
    for src in C_ABI_PROGRAMS {
        let name = Path::new(src).file_stem().and_then(|n| n.to_str()).unwrap_or(src);
        let exe = format!("{out}/{name}");
        let link = [&crate::cflags::WARNINGS[..], &["-std=c99", src, crate::lab::HOST_LIB], &crate::cflags::STATICLIB_LIBS, &["-o", &exe]].concat();
        step(&format!("C ABI program {name}: build"), "gcc", &link)?;
        step(&format!("C ABI program {name}: run"), &exe, &[])?;
    }
    // As root: 8 threads at once over TAP against the kernel, under ASan.
    crate::suites::threads::run(crate::lab::HOST_LIB, &out)
}
