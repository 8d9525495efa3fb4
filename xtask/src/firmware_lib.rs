//! The c-port library as firmware links it, for every c-port board file
//! (and `cargo xtask firmware-lib BOARD [TARGET]`, which builds one):
//!
//! - [`builds`]: clippy on the firmware code, and `libusocket.a` for the
//!   board's own target (`target` in its board file: thumbv6m, thumbv7m,
//!   thumbv7em-hf), for thumbv7m, and the fullest board for every target; it
//!   exports every C ABI
//!   function and the runtime's frame-port functions, and leaves the
//!   firmware's frame-port functions undefined.
//! - [`ram`]: the library linked into a minimal C firmware (every export kept,
//!   `--gc-sections`) on thumbv7m and on the board's target; nothing of ours is
//!   in `.data`, and the statics in `.bss` are exactly the board header's
//!   `USOCKET_BOARD_RAM_BYTES`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use usocket_codegen::ir::board::Board;
use usocket_codegen::ir::{Namespace, Spec};
use usocket_codegen::naming::Names;

use usocket_harness::exec::output;
use usocket_harness::provision::rust_src;

/// The target `spec/ram.toml`'s 32-bit costs are measured on; every board is checked on it too.
const RAM_TARGET: &str = "thumbv7m-none-eabi";

/// Padding the toolchain's default linker script may add after the statics:
/// it aligns the end of `.bss` to 4 bytes (and sorting input sections by
/// alignment leaves no padding between them), so at most 3 bytes; 7 allows an
/// 8-byte alignment of the section end as well.
const PADDING: u64 = 7;

/// The validated spec.
pub fn spec() -> Result<Spec, String> {
    usocket_codegen::load_spec(&usocket_harness::root().join("spec"), "spec").map_err(|e| e.to_string())
}

/// The c-port boards with their firmware targets.
fn c_port_boards(spec: &Spec) -> Vec<(&Board, &str)> {
    spec.boards.iter().filter_map(|b| Some((b, b.target.as_deref()?))).collect()
}

/// One symbol of `arm-none-eabi-nm -S -C`: size (if listed), type letter, name.
pub struct Symbol {
    pub size: Option<u64>,
    pub kind: char,
    pub name: String,
}

/// The symbols of an object, archive or ELF file.
pub fn symbols(path: &Path) -> Result<Vec<Symbol>, String> {
    let text = output("arm-none-eabi-nm", &["-S", "-C", &path.to_string_lossy()])?;
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (size, kind, name) = match fields.as_slice() {
            [_, size, kind, name @ ..] if kind.len() == 1 && !name.is_empty() => (u64::from_str_radix(size, 16).ok(), kind, name.join(" ")),
            [kind, name] | [_, kind, name] if kind.len() == 1 => (None, kind, (*name).to_string()),
            _ => continue,
        };
        out.push(Symbol { size, kind: kind.chars().next().unwrap_or('?'), name });
    }
    Ok(out)
}

/// The C ABI functions of the header: one per spec operation, and the
/// strerror of each error namespace.
fn abi_functions(spec: &Spec, names: &Names) -> Vec<String> {
    let mut out: Vec<String> = spec.callables().filter(|c| c.returns.has_abi()).map(|c| names.c_fn(c)).collect();
    out.extend([Namespace::Errno, Namespace::Gai].map(|ns| names.c_strerror(ns)));
    out
}

/// The library's exports: every C ABI function and the runtime's port
/// functions defined, the firmware's port functions undefined.
fn check_exports(spec: &Spec, lib: &Path) -> Result<usize, String> {
    let names = Names::new(&spec.module);
    let syms = symbols(lib)?;
    let defined: BTreeSet<&str> = syms.iter().filter(|s| s.kind == 'T').map(|s| s.name.as_str()).collect();
    let undefined: BTreeSet<&str> = syms.iter().filter(|s| s.kind == 'U').map(|s| s.name.as_str()).collect();
    let mut exported = abi_functions(spec, &names);
    exported.extend(spec.port.iter().filter(|p| !p.firmware).map(|p| names.port_fn(&p.name)));
    let missing: Vec<&String> = exported.iter().filter(|n| !defined.contains(n.as_str())).collect();
    if !missing.is_empty() {
        return Err(format!("{} does not export {missing:?}", lib.display()));
    }
    for p in spec.port.iter().filter(|p| p.firmware) {
        let name = names.port_fn(&p.name);
        if !undefined.contains(name.as_str()) || defined.contains(name.as_str()) {
            return Err(format!("{}: {name} is the firmware's to define; the library must only refer to it", lib.display()));
        }
    }
    Ok(exported.len())
}

/// `.text`, `.data` and `.bss` of our object in the library (without compiler_builtins).
fn our_object_sizes(lib: &Path) -> Result<(u64, u64, u64), String> {
    let text = output("arm-none-eabi-size", &[&lib.to_string_lossy()])?;
    let mut sum = (0, 0, 0);
    for line in text.lines().skip(1).filter(|l| !l.contains("compiler_builtins")) {
        let n: Vec<u64> = line.split_whitespace().take(3).filter_map(|f| f.parse().ok()).collect();
        if let [t, d, b] = n[..] {
            sum = (sum.0 + t, sum.1 + d, sum.2 + b);
        }
    }
    Ok(sum)
}

/// `cargo xtask firmware-lib BOARD [TARGET]`: builds the board's `libusocket.a`
/// (for its board file's target unless TARGET is given) and prints its path.
pub fn run(name: &str, target: Option<&str>) -> Result<(), String> {
    let (lib, _) = build(&spec()?, name, target)?;
    println!("{}", lib.display());
    Ok(())
}

/// Builds c-port board `name`'s `libusocket.a` for `target` (None: its board
/// file's); returns the library and the target. An unknown board is an error
/// that lists the c-port boards.
pub fn build(spec: &Spec, name: &str, target: Option<&str>) -> Result<(PathBuf, String), String> {
    let boards = c_port_boards(spec);
    let Some((board, own)) = boards.iter().find(|(b, _)| b.name == name) else {
        let names: Vec<&str> = boards.iter().map(|(b, _)| b.name.as_str()).collect();
        return Err(format!("no c-port board `{name}` in spec/boards/: one of {}", names.join(", ")));
    };
    let target = target.unwrap_or(own);
    Ok((rust_src::build_staticlib(&board.name, target, &board.features())?, target.to_string()))
}

/// The (board, target) pairs the firmware-lib step builds: every board on
/// its own target and on [`RAM_TARGET`] (which the RAM check links), and the
/// board with the most features on every target (the code that only a
/// feature brings must compile for each architecture, e.g. thumbv6m's atomics
/// without compare-and-swap). Every other pair would prove nothing more: a
/// board file adds sizes and features, a target an architecture.
fn build_pairs<'a>(boards: &[(&'a Board, &'a str)], targets: &[&'a str]) -> Vec<(&'a Board, &'a str)> {
    let mut pairs: Vec<(&Board, &str)> = Vec::new();
    let mut add = |b: &'a Board, t: &'a str| {
        if !pairs.iter().any(|(pb, pt)| pb.name == b.name && *pt == t) {
            pairs.push((b, t));
        }
    };
    for &(board, own) in boards {
        add(board, own);
        add(board, RAM_TARGET);
    }
    if let Some(&(fullest, _)) = boards.iter().max_by_key(|(b, _)| b.features().len()) {
        for &t in targets {
            add(fullest, t);
        }
    }
    pairs
}

/// `cargo xtask test --step firmware-lib`: clippy on each c-port board's own
/// target, and the libraries of [`build_pairs`], each with every export.
pub fn builds() -> Result<(), String> {
    let spec = spec()?;
    let boards = c_port_boards(&spec);
    for &(board, own) in &boards {
        rust_src::clippy(&board.name, own, &board.features())?;
    }
    let targets: Vec<&str> = usocket_codegen::targets::TARGETS.iter().map(|t| t.name).collect();
    for (board, target) in build_pairs(&boards, &targets) {
        let lib = rust_src::build_staticlib(&board.name, target, &board.features())?;
        let exports = check_exports(&spec, &lib)?;
        let (text, data, bss) = our_object_sizes(&lib)?;
        println!("    {}: {exports} exports; our object: .text {text} B, .data {data} B, .bss {bss} B", lib.display());
    }
    Ok(())
}

/// A minimal firmware: the firmware's port functions as stubs, a `main`
/// that keeps every export of the library alive.
fn minimal_firmware(spec: &Spec) -> String {
    let names = Names::new(&spec.module);
    let mut keep = abi_functions(spec, &names);
    keep.extend(spec.port.iter().filter(|p| !p.firmware).map(|p| names.port_fn(&p.name)));
    let keep: Vec<String> = keep.iter().map(|n| format!("    (uintptr_t)&{n},")).collect();
    format!(
        "/* Written by cargo xtask test --step firmware-ram: a firmware that links every export. */
#include <stdint.h>
#include \"usocket.h\"
#include \"usocket_port.h\"

int32_t usocket_port_transmit(const uint8_t *frame, size_t frame_len) {{ (void)frame; return (int32_t)frame_len; }}
uint64_t usocket_port_now_us(void) {{ return 0; }}
int32_t usocket_port_wait(uint64_t until_us) {{ (void)until_us; return 0; }}
uint64_t usocket_port_task(void) {{ return 0; }}
void usocket_port_wake(uint64_t task) {{ (void)task; }}
void usocket_port_lock(void) {{}}
void usocket_port_unlock(void) {{}}

static const uintptr_t keep[] = {{
{}
}};

int main(void) {{
    uintptr_t sum = 0;
    for (unsigned i = 0; i < sizeof keep / sizeof keep[0]; i++) {{
        sum += ((const volatile uintptr_t *)keep)[i];
    }}
    return (int)sum;
}}
",
        keep.join("\n")
    )
}

/// The board header's `USOCKET_BOARD_RAM_BYTES`.
fn header_ram_bytes(spec: &Spec, board: &Board) -> Result<u64, String> {
    let path = usocket_harness::root().join("generated/boards").join(Names::board_header(&board.name));
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = Names::new(&spec.module).board_macro("RAM_BYTES");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("#define {name} "))?.split_whitespace().next()?.trim_end_matches('u').parse().ok())
        .ok_or_else(|| format!("{}: no `#define {name} <bytes>u`", path.display()))
}

/// Links `lib` into the minimal firmware for `target`; returns the ELF.
fn link(spec: &Spec, lib: &Path, target: &str) -> Result<PathBuf, String> {
    let dir = lib.parent().ok_or("library without a directory")?;
    let src = dir.join("ram_check.c");
    fs::write(&src, minimal_firmware(spec)).map_err(|e| format!("{}: {e}", src.display()))?;
    let elf = dir.join("ram_check.elf");
    let include = usocket_harness::root().join("generated/include");
    let mut args: Vec<String> = rust_src::target(target)?.cflags.iter().map(|f| f.to_string()).collect();
    args.extend(
        [
            "-std=c99",
            "-Os",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wstrict-prototypes",
            "-Wmissing-prototypes",
            "-nostdlib",
            "-Wl,--gc-sections",
            "-Wl,--sort-section=alignment",
            "-Wl,-e,main",
        ]
        .map(String::from),
    );
    args.extend([
        format!("-I{}", include.display()),
        src.display().to_string(),
        lib.display().to_string(),
        "-lgcc".into(),
        "-o".into(),
        elf.display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    output("arm-none-eabi-gcc", &args)?;
    Ok(elf)
}

/// Section sizes of an ELF (`arm-none-eabi-size -A`), by name.
fn sections(elf: &Path) -> Result<Vec<(String, u64)>, String> {
    let text = output("arm-none-eabi-size", &["-A", &elf.to_string_lossy()])?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            match f.as_slice() {
                [name, size, _] if name.starts_with('.') => Some((name.to_string(), size.parse().ok()?)),
                _ => None,
            }
        })
        .collect())
}

/// One board on one target: no `.data`, and the `.bss` statics equal the header's figure.
fn check_ram(spec: &Spec, board: &Board, target: &str) -> Result<(), String> {
    let lib = rust_src::build_staticlib(&board.name, target, &board.features())?;
    let elf = link(spec, &lib, target)?;
    let size = |name: &str, secs: &[(String, u64)]| secs.iter().filter(|(n, _)| n == name).map(|(_, s)| s).sum::<u64>();
    let secs = sections(&elf)?;
    let (text, data, bss) = (size(".text", &secs) + size(".rodata", &secs), size(".data", &secs), size(".bss", &secs));
    println!("    {} on {target}: minimal firmware .text+.rodata {text} B, .data {data} B, .bss {bss} B", board.name);
    let syms = symbols(&elf)?;
    let in_data: Vec<&Symbol> = syms.iter().filter(|s| matches!(s.kind, 'd' | 'D') && s.size.unwrap_or(0) > 0).collect();
    if data > 0 || !in_data.is_empty() {
        let list: Vec<String> = in_data.iter().map(|s| format!("{} ({} B)", s.name, s.size.unwrap_or(0))).collect();
        return Err(format!("{} on {target}: {data} B in .data (flash and RAM), which could be .bss: {}", board.name, list.join(", ")));
    }
    let mut statics: Vec<&Symbol> = syms.iter().filter(|s| matches!(s.kind, 'b' | 'B') && s.size.unwrap_or(0) > 0).collect();
    statics.sort_by_key(|s| std::cmp::Reverse(s.size));
    let measured: u64 = statics.iter().filter_map(|s| s.size).sum();
    let expected = header_ram_bytes(spec, board)?;
    if measured != expected || bss < measured || bss - measured > PADDING {
        let budget = usocket_codegen::ir::ram::budget(board, &spec.ram);
        let rows: Vec<String> = budget.stack.iter().map(|r| format!("      budget {:>7}  {}", r.bytes, r.part)).collect();
        let found: Vec<String> = statics.iter().map(|s| format!("      linked {:>7}  {}", s.size.unwrap_or(0), s.name)).collect();
        return Err(format!(
            "{} on {target}: the statics in .bss are {measured} B (.bss {bss} B), the board header says {expected} B \
             (exact, plus at most {PADDING} B of section-end padding); update spec/ram.toml's bits32 costs and run cargo xtask codegen\n{}\n{}",
            board.name,
            rows.join("\n"),
            found.join("\n")
        ));
    }
    println!("    {} on {target}: statics {measured} B = USOCKET_BOARD_RAM_BYTES {expected} B, nothing in .data", board.name);
    Ok(())
}

/// `cargo xtask test --step firmware-ram`: every c-port board on thumbv7m and on its own target.
pub fn ram() -> Result<(), String> {
    let spec = spec()?;
    for (board, target) in c_port_boards(&spec) {
        let targets: BTreeSet<&str> = [RAM_TARGET, target].into();
        for t in targets {
            check_ram(&spec, board, t)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_and_every_target_is_built_and_nothing_twice() {
        let spec = spec().expect("the spec");
        let boards = c_port_boards(&spec);
        let targets: Vec<&str> = usocket_codegen::targets::TARGETS.iter().map(|t| t.name).collect();
        let pairs = build_pairs(&boards, &targets);
        for (board, own) in &boards {
            assert!(pairs.iter().any(|(b, t)| b.name == board.name && t == own), "{} on its own target", board.name);
            assert!(pairs.iter().any(|(b, t)| b.name == board.name && *t == RAM_TARGET), "{} on {RAM_TARGET}", board.name);
        }
        for t in &targets {
            assert!(pairs.iter().any(|(_, pt)| pt == t), "nothing built for {t}");
        }
        let mut seen: Vec<(String, &str)> = pairs.iter().map(|(b, t)| (b.name.clone(), *t)).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), pairs.len(), "a pair twice");
        assert!(pairs.len() < boards.len() * targets.len(), "{} pairs: no fewer than every board on every target", pairs.len());
    }
}
