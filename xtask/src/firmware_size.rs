//! The firmware part of `cargo xtask size`: flash and static RAM of the
//! mps2-an385 firmware without the network (the same board folder built with
//! MPS2_STACK=none), with usocket for each feature set (board files
//! `mps2-an385-ipv4`: IPv4 with DHCP, TCP, UDP, DNS, as MicroPython's lwIP
//! ports; `mps2-an385`: also IPv6 and raw sockets) and, beside each, the same
//! firmware with lwIP and MicroPython's modlwip (the anchor, `lwip.rs`) with
//! the same IP versions; ours/lwIP ratios; where each stack's flash goes; and
//! RAM per TCP socket of both with equal windows.

use std::collections::BTreeMap;
use std::path::Path;

use usocket_harness::lab::firmware::{Stack, sections};

/// Which part of the firmware a (demangled) code symbol belongs to.
fn part(symbol: &str) -> &'static str {
    const PARTS: [(&str, &str); 6] = [
        ("smoltcp", "smoltcp"),
        ("usocket_cport", "runtime + c-port"),
        ("usocket_runtime", "runtime + c-port"),
        ("usocket_", "C ABI + MicroPython glue"),
        ("compiler_builtins", "compiler_builtins"),
        ("core::", "core"),
    ];
    PARTS.iter().find(|(needle, _)| symbol.contains(needle)).map_or("MicroPython and the rest", |(_, p)| p)
}

/// Code and constants per part, from the ELF's symbol sizes.
fn parts(elf: &Path) -> Result<BTreeMap<&'static str, u64>, String> {
    let mut sizes = BTreeMap::new();
    for s in crate::firmware_lib::symbols(elf)? {
        if matches!(s.kind, 'T' | 't' | 'R' | 'r' | 'W' | 'w') {
            *sizes.entry(part(&s.name)).or_insert(0) += s.size.unwrap_or(0);
        }
    }
    Ok(sizes)
}

/// Which part of the lwIP firmware an object file (as the linker map names it) belongs to.
fn lwip_part(object: &str) -> &'static str {
    const PARTS: [(&str, &str); 5] = [
        ("/lib/lwip/", "lwIP core"),
        ("/extmod/modlwip.o", "modlwip + network_lwip + netutils"),
        ("/extmod/network_lwip.o", "modlwip + network_lwip + netutils"),
        ("/shared/netutils/", "modlwip + network_lwip + netutils"),
        ("/lwip/net_lwip.o", "netif (net_lwip.c)"),
    ];
    PARTS.iter().find(|(needle, _)| object.contains(needle)).map_or("MicroPython and the rest", |(_, p)| p)
}

/// Code and constants (`.text*`, `.rodata*` input sections) per part of the
/// lwIP firmware, from the linker map (its C has no namespaces to tell the parts
/// apart by symbol). An input section is ` NAME ADDR SIZE OBJECT`, or NAME alone
/// on one line when long and the rest on the next.
fn map_parts(map: &str) -> BTreeMap<&'static str, u64> {
    let mut sizes = BTreeMap::new();
    let body = map.split_once("Linker script and memory map").map_or("", |(_, b)| b);
    let mut pending: Option<&str> = None;
    for line in body.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (name, size, object) = match fields.as_slice() {
            [name] if line.starts_with(" .") => {
                pending = Some(name);
                continue;
            }
            [name, _, size, object] if line.starts_with(" .") => (*name, *size, *object),
            [addr, size, object] if addr.starts_with("0x") && pending.is_some() => (pending.unwrap_or(""), *size, *object),
            _ => {
                pending = None;
                continue;
            }
        };
        pending = None;
        let code = [".text", ".rodata"].iter().any(|s| name == *s || name.starts_with(&format!("{s}.")));
        if let (true, Some(size)) = (code, size.strip_prefix("0x").and_then(|s| u64::from_str_radix(s, 16).ok())) {
            *sizes.entry(lwip_part(object)).or_insert(0) += size;
        }
    }
    sizes
}

/// `#define NAME (N)` of the anchor's lwipopts.h: the one writer of lwIP's sizes.
fn lwip_option(name: &str) -> Result<u64, String> {
    let path = usocket_harness::root().join("targets/mps2-an385/lwip/lwipopts.h");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("#define ")?.trim().strip_prefix(name)?.trim().trim_matches(['(', ')']).parse().ok())
        .ok_or_else(|| format!("{}: no `#define {name} (N)`", path.display()))
}

/// `ours/lwip N.NNx`, or why there is no ratio.
fn ratio(ours: i64, lwip: i64) -> String {
    if lwip > 0 { format!("{:.2}x", ours as f64 / lwip as f64) } else { format!("NOT MEASURABLE: lwIP's figure is {lwip}") }
}

/// The builds compared: what ours has, its board file, what the lwIP build
/// with (`true`) or without IPv6 has (lwipopts_common.h turns raw PCBs on in both).
const VARIANTS: [(&str, &str, &str, bool); 2] =
    [("IPv4 (DHCP), TCP, UDP, DNS", "mps2-an385-ipv4", "IPv4 (DHCP), TCP, UDP, DNS, raw", false), ("+ IPv6, raw sockets", "mps2-an385", "+ IPv6", true)];

/// Prints the table.
pub fn run() -> Result<(), String> {
    let fw = usocket_harness::lab::firmware::find("mps2-an385")?;
    // Every build first, so that their output does not split the table.
    let plain = sections(&usocket_harness::lab::firmware::build_with(fw, fw.board, Stack::Plain)?)?;
    let mut built = Vec::new();
    for (what, board, theirs, ipv6) in VARIANTS {
        let ours = usocket_harness::lab::firmware::build_with(fw, board, Stack::Usocket)?;
        let lwip = usocket_harness::lab::firmware::build_with(fw, fw.board, Stack::Lwip { ipv6 })?;
        built.push((what, board, theirs, sections(&ours)?, ours, sections(&lwip)?, lwip));
    }
    let [t0, d0, b0] = plain;
    println!("\nmps2-an385 firmware (Cortex-M3), bytes:");
    println!("  {:<40} {:>9} {:>9} {:>9} {:>12} {:>12}", "", "text", "data", "bss", "flash (t+d)", "RAM (d+b)");
    println!("  {:<40} {t0:>9} {d0:>9} {b0:>9} {:>12} {:>12}", "without the network", t0 + d0, d0 + b0);
    let delta = |a: u64, b: u64| a as i64 - b as i64;
    let row = |name: &str, [t, d, b]: [u64; 3], adds: &str| {
        println!("  {name:<40} {t:>9} {d:>9} {b:>9} {:>12} {:>12}", t + d, d + b);
        println!(
            "  {:<40} {:>+9} {:>+9} {:>+9} {:>+12} {:>+12}",
            format!("    {adds} adds"),
            delta(t, t0),
            delta(d, d0),
            delta(b, b0),
            delta(t + d, t0 + d0),
            delta(d + b, d0 + b0)
        );
    };
    for (what, _, theirs, ours, _, lwip, _) in &built {
        row(&format!("usocket: {what}"), *ours, "usocket");
        row(&format!("lwIP: {theirs}"), *lwip, "lwIP + modlwip");
    }
    println!("  (the heap, {} KiB, is in bss in all)", 512);
    for (what, _, _, [t, d, _], _, [lt, ld, _], _) in &built {
        println!("  flash ours/lwip ({what}) {}", ratio(delta(t + d, t0 + d0), delta(lt + ld, t0 + d0)));
    }
    for (what, _, _, [_, d, b], _, [_, ld, lb], _) in &built {
        println!("  static RAM ours/lwip ({what}) {}", ratio(delta(d + b, d0 + b0), delta(ld + lb, d0 + b0)));
    }
    let (what, board, theirs, _, ours, _, lwip) = built.last().ok_or("no firmware variant")?;
    println!("  code and constants by part, usocket: {what} (symbol sizes):");
    for (part, size) in parts(ours)? {
        println!("    {part:<30} {size:>9}");
    }
    let map_path = lwip.with_file_name("firmware.map");
    let map = std::fs::read_to_string(&map_path).map_err(|e| format!("{}: {e} (the lwIP firmware's linker map)", map_path.display()))?;
    println!("  code and constants by part, lwIP: {theirs} (.text/.rodata input sections in {}):", map_path.display());
    for (part, size) in map_parts(&map) {
        println!("    {part:<34} {size:>9}");
    }
    per_tcp_socket(board, lwip)
}

/// RAM per TCP socket of both with equal windows: ours is the board's budget
/// (`usocket_codegen::ir::ram::budget`, from spec/ram.toml, which the firmware-ram
/// step checks against the linked statics); lwIP's is one element of its
/// TCP_PCB pool (symbol size over MEMP_NUM_TCP_PCB) plus what its windows let
/// one socket hold at most, from the shared pbuf pool and heap.
fn per_tcp_socket(board_file: &str, lwip: &Path) -> Result<(), String> {
    let spec = usocket_codegen::load_spec(&usocket_harness::root().join("spec"), "spec").map_err(|e| e.to_string())?;
    let board = spec.boards.iter().find(|b| b.name == board_file).ok_or_else(|| format!("no spec/boards/{board_file}.toml"))?;
    let ours = usocket_codegen::ir::ram::budget(board, &spec.ram).per_tcp_socket;
    let buffers = board.config.tcp_rx_bytes + board.config.tcp_tx_bytes;
    let (pcbs, wnd, snd) = (lwip_option("MEMP_NUM_TCP_PCB")?, lwip_option("TCP_WND")?, lwip_option("TCP_SND_BUF")?);
    let symbol = "memp_memory_TCP_PCB_base";
    let pool = crate::firmware_lib::symbols(lwip)?
        .into_iter()
        .find(|s| s.name == symbol)
        .and_then(|s| s.size)
        .ok_or_else(|| format!("{}: no {symbol} with a size (lwIP's TCP PCB pool)", lwip.display()))?;
    // The pool is MEMP_NUM_TCP_PCB elements and up to MEM_ALIGNMENT - 1 bytes of alignment slack.
    let pcb = pool / pcbs.max(1);
    let theirs = pcb + wnd + snd;
    println!(
        "  RAM per TCP socket with equal windows (receive {}, send {}; usocket: {}, lwIP: targets/mps2-an385/lwip/lwipopts.h):",
        board.config.tcp_rx_bytes, board.config.tcp_tx_bytes, board_file
    );
    println!("    usocket {ours:>6}: spec/ram.toml budget, of which {buffers} its own receive and send buffers, reserved per socket");
    println!(
        "    lwIP    {theirs:>6}: one TCP PCB {pcb} ({symbol} {pool} B / MEMP_NUM_TCP_PCB {pcbs}) + TCP_WND {wnd} + TCP_SND_BUF {snd} it holds at most, \
         in pbufs from the shared PBUF_POOL and heap (MEM_SIZE), not reserved per socket; modlwip's socket object is on MicroPython's heap (cargo xtask bench --device measures it)"
    );
    println!("  RAM per TCP socket ours/lwip {}", ratio(ours as i64, theirs as i64));
    println!("  RAM per TCP socket without buffers ours/lwip {}", ratio((ours - buffers) as i64, pcb as i64));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_gives_code_per_object() {
        let map = "Discarded input sections\n .text.x  0x0 0x99 /b/lib/lwip/src/core/tcp.o\n\
                   Linker script and memory map\n\
                   .text           0x00000000    0x3000\n \
                   .text.tcp_input\n                0x00000100      0x8a4 /b/lib/lwip/src/core/tcp_in.o\n \
                   *fill*         0x000009a4        0x2 \n \
                   .rodata        0x00000a00       0x10 /b/extmod/modlwip.o\n \
                   .bss.x         0x20000000      0x100 /b/extmod/modlwip.o\n \
                   .text          0x00000a10       0x20 /b/py/obj.o\n                0x00000a10                mp_obj_x\n";
        let parts = map_parts(map);
        assert_eq!(parts.get("lwIP core"), Some(&0x8a4));
        assert_eq!(parts.get("modlwip + network_lwip + netutils"), Some(&0x10));
        assert_eq!(parts.get("MicroPython and the rest"), Some(&0x20));
    }

    #[test]
    fn lwip_options_are_read_from_lwipopts() {
        assert_eq!(lwip_option("TCP_WND"), Ok(4096));
        assert!(lwip_option("NO_SUCH_OPTION").is_err());
    }
}
