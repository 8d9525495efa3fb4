//! The firmware part of `cargo xtask size`: flash and static RAM of the
//! mps2-an385 firmware with usocket and without the network (the same board
//! folder built with MPS2_NET=0), and where usocket's flash goes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::firmware::Stack;

/// `text`, `data`, `bss` of an ELF (Berkeley format of arm-none-eabi-size).
fn sections(elf: &Path) -> Result<[u64; 3], String> {
    let out = Command::new("arm-none-eabi-size").arg(elf).output().map_err(|e| format!("arm-none-eabi-size: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
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
    let out = Command::new("arm-none-eabi-nm").args(["-S", "-C", "--size-sort"]).arg(elf).output().map_err(|e| format!("arm-none-eabi-nm: {e}"))?;
    let mut sizes = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut f = line.splitn(4, ' ');
        let (Some(_), Some(size), Some(kind), Some(name)) = (f.next(), f.next(), f.next(), f.next()) else { continue };
        if !matches!(kind, "T" | "t" | "R" | "r" | "W" | "w") {
            continue;
        }
        *sizes.entry(part(name)).or_insert(0) += u64::from_str_radix(size, 16).unwrap_or(0);
    }
    Ok(sizes)
}

/// Prints the table.
pub fn run() -> Result<(), String> {
    let fw = crate::firmware::find("mps2-an385")?;
    let ours = crate::firmware::build_with(fw, Stack::Usocket)?;
    let plain = crate::firmware::build_with(fw, Stack::Plain)?;
    let [t1, d1, b1] = sections(&ours)?;
    let [t0, d0, b0] = sections(&plain)?;
    println!("\nmps2-an385 firmware (Cortex-M3), bytes:");
    println!("  {:<32} {:>9} {:>9} {:>9} {:>12} {:>12}", "", "text", "data", "bss", "flash (t+d)", "RAM (d+b)");
    for (name, t, d, b) in [("without the network", t0, d0, b0), ("with usocket", t1, d1, b1)] {
        println!("  {name:<32} {t:>9} {d:>9} {b:>9} {:>12} {:>12}", t + d, d + b);
    }
    let delta = |a: u64, b: u64| a as i64 - b as i64;
    println!(
        "  {:<32} {:>+9} {:>+9} {:>+9} {:>+12} {:>+12}",
        "usocket adds",
        delta(t1, t0),
        delta(d1, d0),
        delta(b1, b0),
        delta(t1 + d1, t0 + d0),
        delta(d1 + b1, d0 + b0)
    );
    println!("  (the heap, {} KiB, is in bss in both)", 512);
    println!("  code and constants by part (symbol sizes):");
    for (part, size) in parts(&ours)? {
        println!("    {part:<30} {size:>9}");
    }
    Ok(())
}
