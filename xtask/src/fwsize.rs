//! The firmware part of `cargo xtask size`: flash and static RAM of the
//! mps2-an385 firmware without the network (the same board folder built with
//! MPS2_STACK=none) and with usocket for each feature set (board files
//! `mps2-an385-ipv4`: IPv4 with DHCP, TCP, UDP, DNS, as MicroPython's lwIP
//! ports; `mps2-an385`: also IPv6 and raw sockets), and where usocket's flash goes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::firmware::Stack;

/// `text`, `data`, `bss` of an ELF (Berkeley format of arm-none-eabi-size).
fn sections(elf: &Path) -> Result<[u64; 3], String> {
    let text = crate::test::output("arm-none-eabi-size", &[&elf.to_string_lossy()])?;
    let row: Vec<u64> = text.lines().nth(1).unwrap_or("").split_whitespace().take(3).filter_map(|n| n.parse().ok()).collect();
    row.try_into().map_err(|_| format!("arm-none-eabi-size {}: unexpected output {text:?}", elf.display()))
}

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

/// The usocket builds compared: what they have, and their board file.
const VARIANTS: [(&str, &str); 2] = [("usocket: IPv4 (DHCP), TCP, UDP, DNS", "mps2-an385-ipv4"), ("usocket: + IPv6, raw sockets", "mps2-an385")];

/// Prints the table.
pub fn run() -> Result<(), String> {
    let fw = crate::firmware::find("mps2-an385")?;
    // Every build first, so that their output does not split the table.
    let plain = sections(&crate::firmware::build_with(fw, fw.board, Stack::Plain)?)?;
    let mut built = Vec::new();
    for (name, board) in VARIANTS {
        let elf = crate::firmware::build_with(fw, board, Stack::Usocket)?;
        built.push((name, sections(&elf)?, elf));
    }
    let [t0, d0, b0] = plain;
    println!("\nmps2-an385 firmware (Cortex-M3), bytes:");
    println!("  {:<40} {:>9} {:>9} {:>9} {:>12} {:>12}", "", "text", "data", "bss", "flash (t+d)", "RAM (d+b)");
    println!("  {:<40} {t0:>9} {d0:>9} {b0:>9} {:>12} {:>12}", "without the network", t0 + d0, d0 + b0);
    let delta = |a: u64, b: u64| a as i64 - b as i64;
    for (name, [t, d, b], _) in &built {
        println!("  {name:<40} {t:>9} {d:>9} {b:>9} {:>12} {:>12}", t + d, d + b);
        let (t, d, b) = (*t, *d, *b);
        println!(
            "  {:<40} {:>+9} {:>+9} {:>+9} {:>+12} {:>+12}",
            "    usocket adds",
            delta(t, t0),
            delta(d, d0),
            delta(b, b0),
            delta(t + d, t0 + d0),
            delta(d + b, d0 + b0)
        );
    }
    let ours = &built.last().ok_or("no firmware variant")?.2;
    println!("  (the heap, {} KiB, is in bss in both)", 512);
    println!("  code and constants by part, {} (symbol sizes):", VARIANTS[VARIANTS.len() - 1].0);
    for (part, size) in parts(ours)? {
        println!("    {part:<30} {size:>9}");
    }
    Ok(())
}
