//! `cargo xtask size`: RAM per TCP socket and per stack for each board profile
//! (`targets/host/examples/size.rs`), then the firmware's flash and static RAM
//! with and without usocket (`fwsize`). `cargo xtask size --text`: the code the
//! c-port crate brings for each feature set (every feature, each left out,
//! none): its release staticlib for board `c-port-minimal` (which every set
//! fits) linked into `tests/c/cport_tap.c` with `--gc-sections`, as a firmware
//! link keeps only what is used; `.text` of the program and of the runtime's,
//! smoltcp's and the C ABI's functions in it.

use usocket_harness::exec::{output, step};

/// Where the size builds go (not to disturb the release build the tests use).
const TARGET_DIR: &str = "target/sizes";

/// Builds and runs the RAM report, then the firmware's sizes.
pub fn run() -> Result<(), String> {
    step("size", "cargo", &["run", "-q", "--release", "-p", "usocket-host", "--example", "size"])?;
    crate::firmware_size::run()
}

/// Bytes of `.text` in a linked program (`size -A`).
fn program_text(exe: &str) -> Result<u64, String> {
    let out = output("size", &["-A", exe])?;
    let line = out.lines().find(|l| l.starts_with(".text ")).ok_or_else(|| format!("{exe}: no .text in `size -A`"))?;
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).ok_or_else(|| format!("{exe}: bad `size -A` line {line:?}"))
}

/// Bytes of the functions in `exe` that come from the runtime, smoltcp,
/// managed, the c-port crate or the C ABI (`nm -C -S`, text symbols).
fn our_text(exe: &str) -> Result<u64, String> {
    let ours = |name: &str| name.starts_with("usocket_") || ["smoltcp::", "usocket_runtime::", "usocket_cport::", "managed::"].iter().any(|c| name.contains(c));
    let mut total = 0;
    for line in output("nm", &["-C", "-S", exe])?.lines() {
        let fields: Vec<&str> = line.splitn(4, ' ').collect();
        if let [_, size, kind, name] = fields[..]
            && matches!(kind, "t" | "T" | "w" | "W")
            && ours(name)
        {
            total += u64::from_str_radix(size, 16).map_err(|e| format!("nm size {size:?}: {e}"))?;
        }
    }
    Ok(total)
}

/// `--text`: builds, links and measures each feature set, then prints the table.
pub fn text() -> Result<(), String> {
    let mut rows = Vec::new();
    for (what, features) in crate::features::feature_sets() {
        let list = ["std"].into_iter().chain(features.iter().copied()).collect::<Vec<_>>().join(",");
        let build = [
            "USOCKET_CPORT_BOARD=c-port-minimal",
            "cargo",
            "build",
            "-q",
            "--release",
            "-p",
            "usocket-cport-staticlib",
            "--no-default-features",
            "--features",
            &list,
            "--target-dir",
            TARGET_DIR,
        ];
        step(&format!("c-port staticlib {what}"), "env", &build)?;
        let exe = format!("{TARGET_DIR}/cport_tap-{}", features.join("-"));
        let lib = format!("{TARGET_DIR}/release/libusocket.a");
        let link = ["-O2", "-std=c99", "-Igenerated/include", "-ffunction-sections", "-Wl,--gc-sections", "tests/c/cport_tap.c", &lib];
        let link = [&link[..], &usocket_harness::cflags::STATICLIB_LIBS, &["-o", &exe]].concat();
        step(&format!("link {what}"), "gcc", &link)?;
        rows.push((what, program_text(&exe)?, our_text(&exe)?));
    }
    let (all_program, all_ours) = (rows[0].1, rows[0].2);
    println!("{:<22} {:>14} {:>9} {:>26} {:>9}", "c-port (x86_64)", "program .text", "change", "runtime+smoltcp+ABI .text", "change");
    for (what, program, ours) in &rows {
        println!("{what:<22} {program:>14} {:>9} {ours:>26} {:>9}", *program as i64 - all_program as i64, *ours as i64 - all_ours as i64);
    }
    Ok(())
}
