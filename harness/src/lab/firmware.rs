//! `cargo xtask firmware BOARD`: MicroPython firmware with usocket for a board
//! that has one: the port from the same Debian source as our unix
//! interpreter, our out-of-tree board folder (what the port lacks), the
//! generated user C module and the runtime built for the board's core, with
//! asyncio frozen in. Prints the ELF's path as its last line. With
//! `--stack lwip`, the same firmware with MicroPython's own lwIP socket module
//! instead (the anchor, see `lwip.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::exec::step;

/// A board with a MicroPython firmware.
#[derive(Debug)]
pub struct Firmware {
    /// The board file's name (`spec/boards/NAME.toml`).
    pub board: &'static str,
    /// MicroPython's port (`ports/NAME`).
    pub port: &'static str,
    /// Our board folder, given to the port as `BOARD_DIR` (its core's flags
    /// are the board file's `target`'s).
    pub board_dir: &'static str,
    /// The QEMU that emulates it.
    pub qemu: &'static str,
    /// QEMU's `-machine`.
    pub machine: &'static str,
}

/// The boards with firmware.
pub const FIRMWARES: [Firmware; 1] =
    [Firmware { board: "mps2-an385", port: "qemu", board_dir: "targets/mps2-an385", qemu: "qemu-system-arm", machine: "mps2-an385" }];

/// The C cross compiler.
const GCC: &str = "arm-none-eabi-gcc";

/// The names, for messages.
pub fn names() -> String {
    FIRMWARES.iter().map(|f| f.board).collect::<Vec<_>>().join(", ")
}

/// The board called `name`.
pub fn find(name: &str) -> Result<&'static Firmware, String> {
    FIRMWARES.iter().find(|f| f.board == name).ok_or_else(|| format!("no firmware for board `{name}` (boards with firmware: {})", names()))
}

/// Which socket stack a firmware build has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    /// usocket on the board's MAC (the product).
    Usocket,
    /// lwIP with MicroPython's `extmod/modlwip.c` (the anchor), with or without IPv6.
    Lwip { ipv6: bool },
    /// None: the same firmware without the network, the baseline of `cargo xtask size`.
    Plain,
}

impl Stack {
    /// The build directory's suffix.
    fn suffix(self) -> &'static str {
        match self {
            Stack::Usocket => "",
            Stack::Lwip { ipv6: true } => "-lwip",
            Stack::Lwip { ipv6: false } => "-lwip-ipv4",
            Stack::Plain => "-plain",
        }
    }
}

/// `--stack NAME`: the stacks a firmware command may name (not `Plain`, which
/// only `cargo xtask size` builds), so clap lists and checks them.
impl clap::ValueEnum for Stack {
    fn value_variants<'a>() -> &'a [Self] {
        &[Stack::Usocket, Stack::Lwip { ipv6: true }, Stack::Lwip { ipv6: false }]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        match self {
            Stack::Usocket => Some("usocket".into()),
            Stack::Lwip { ipv6: true } => Some("lwip".into()),
            Stack::Lwip { ipv6: false } => Some("lwip-ipv4".into()),
            Stack::Plain => None,
        }
    }
}

/// Builds (incrementally) the firmware with usocket into `target/firmware/BOARD/` and returns the ELF.
pub fn build(fw: &Firmware) -> Result<PathBuf, String> {
    build_with(fw, fw.board, Stack::Usocket)
}

/// `text`, `data`, `bss` of an ELF (Berkeley format of arm-none-eabi-size).
pub fn sections(elf: &Path) -> Result<[u64; 3], String> {
    let text = crate::exec::output("arm-none-eabi-size", &[&elf.to_string_lossy()])?;
    let row: Vec<u64> = text.lines().nth(1).unwrap_or("").split_whitespace().take(3).filter_map(|n| n.parse().ok()).collect();
    row.try_into().map_err(|_| format!("arm-none-eabi-size {}: unexpected output {text:?}", elf.display()))
}

/// Builds (incrementally) `fw`'s firmware with `stack`, the runtime built for
/// board file `board_file` (its own, or a variant of it with other features),
/// into `target/firmware/<board_file>[-lwip|-lwip-ipv4|-plain]/`; returns
/// the ELF. The lwIP and plain builds take only the board file's core.
pub fn build_with(fw: &Firmware, board_file: &str, stack: Stack) -> Result<PathBuf, String> {
    let root = crate::root();
    let abs = |p: &Path| p.to_string_lossy().into_owned();
    let spec = usocket_codegen::load_spec(&root.join("spec"), "spec").map_err(|e| e.to_string())?;
    let board = spec.boards.iter().find(|b| b.name == board_file).ok_or_else(|| format!("no spec/boards/{board_file}.toml"))?;
    let target = board.target.as_deref().ok_or_else(|| format!("spec/boards/{board_file}.toml names no firmware target"))?;
    let gcc = crate::exec::captured(Command::new(GCC).args(crate::provision::rust_src::target(target)?.cflags).arg("-print-libgcc-file-name"));
    let libgcc = match gcc {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => return Err(format!("{GCC} is not installed: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi (firmware builds need it)")),
    };
    let src = crate::lab::micropython::source(None)?;
    let out = root.join("target/firmware").join(format!("{board_file}{}", stack.suffix()));
    let (mpy_cross, manifest) = crate::lab::micropython::frozen_asyncio(&src, &out)?;
    let elf = out.join("build/firmware.elf");
    let mut vars = vec![
        format!("BOARD_DIR={}", abs(&root.join(fw.board_dir))),
        format!("USOCKET_BOARD={board_file}"),
        format!("BUILD={}", abs(&out.join("build"))),
        format!("FROZEN_MANIFEST={}", abs(&manifest)),
        format!("MICROPY_MPYCROSS={}", abs(&mpy_cross)),
        format!("MICROPY_MPYCROSS_DEPENDENCY={}", abs(&mpy_cross)),
    ];
    match stack {
        Stack::Usocket => {
            let lib = crate::provision::rust_src::build_staticlib(board_file, target, &board.features())?;
            crate::lab::micropython::relink_if_newer(&elf, &lib)?;
            vars.extend([
                format!("USER_C_MODULES={}", abs(&root.join("generated/micropython"))),
                format!("USOCKET_LIB={}", abs(&lib)),
                // The port links LDFLAGS (where the module puts the library) before its
                // objects; the library must come after them, before libgcc.
                format!("LIBS={} {libgcc}", abs(&lib)),
            ]);
        }
        Stack::Lwip { ipv6 } => {
            crate::provision::lwip::source(&src)?;
            vars.extend(crate::provision::lwip::make_vars(ipv6));
            vars.push(format!("LIBS={libgcc}"));
        }
        Stack::Plain => vars.extend(["MPS2_STACK=none".to_string(), format!("LIBS={libgcc}")]),
    }
    let port = abs(&src.join("ports").join(fw.port));
    let mut args: Vec<&str> = vec!["-s", "-C", &port, "-j2"];
    args.extend(vars.iter().map(String::as_str));
    step(&format!("firmware {board_file} ({stack:?})"), "make", &args)?;
    Ok(elf)
}

/// `cargo xtask firmware BOARD [--stack NAME]`: builds it and prints the ELF's path.
pub fn run(fw: &Firmware, stack: Stack) -> Result<(), String> {
    let elf = build_with(fw, fw.board, stack)?;
    println!("{}", elf.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_boards_are_named_in_the_error() {
        let e = find("frobnitz").unwrap_err();
        assert!(e.contains("frobnitz") && e.contains("mps2-an385"), "{e}");
    }

    #[test]
    fn every_firmware_has_a_board_file_and_a_board_folder() {
        for fw in &FIRMWARES {
            assert!(crate::root().join(format!("spec/boards/{}.toml", fw.board)).is_file(), "{}", fw.board);
            assert!(crate::root().join(fw.board_dir).join("mpconfigboard.mk").is_file(), "{}", fw.board_dir);
        }
    }
}
