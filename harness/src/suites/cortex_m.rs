//! The Cortex-M compile check: the generated C (header, frame-port header,
//! every board header, the MicroPython glue) and the example firmware loop
//! compile with `arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -std=c99 -Wall
//! -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes` (Debian's
//! gcc-arm-none-eabi; `.ci/run` installs it). The MicroPython glue is built
//! by MicroPython's own make with its flags, not these.

use std::fs;
use std::path::Path;

use crate::exec::step;

/// The compiler and the flags every file gets.
const GCC: &str = "arm-none-eabi-gcc";
const FLAGS: [&str; 10] =
    ["-mcpu=cortex-m4", "-mthumb", "-std=c99", "-Wall", "-Wextra", "-Werror", "-Wstrict-prototypes", "-Wmissing-prototypes", "-Igenerated/include", "-c"];

/// Compiles `src` to `out`.
fn compile(name: &str, src: &str, out: &Path) -> Result<(), String> {
    let out = out.to_string_lossy().into_owned();
    step(name, GCC, &[&FLAGS[..], &[src, "-o", &out]].concat())
}

/// Runs every compile.
pub fn run() -> Result<(), String> {
    if crate::exec::captured(std::process::Command::new(GCC).arg("--version")).is_err() {
        return Err(format!("{GCC} is not installed: apt-get install gcc-arm-none-eabi (the Cortex-M check needs it)"));
    }
    let root = crate::root();
    let out = root.join("target/cortex-m");
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    compile("Cortex-M: usocket.h", "tests/c/header_compiles.c", &out.join("header.o"))?;
    // One translation unit per board: board headers define the same macros.
    let boards = root.join("generated/boards");
    let mut headers: Vec<String> = fs::read_dir(&boards)
        .map_err(|e| format!("{}: {e}", boards.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".h"))
        .collect();
    headers.sort();
    for header in &headers {
        let tu = out.join(format!("board_{}.c", header.trim_end_matches(".h")));
        let text = format!(
            "/* Written by cargo xtask test: the frame port with board {header}. */\n#include \"usocket_port.h\"\n#include \"{}\"\nint board_check(void);\nint board_check(void) {{ return USOCKET_BOARD_MTU + USOCKET_BOARD_FRAME_BYTES; }}\n",
            boards.join(header).display()
        );
        fs::write(&tu, text).map_err(|e| format!("{}: {e}", tu.display()))?;
        compile(&format!("Cortex-M: board {header}"), &tu.to_string_lossy(), &tu.with_extension("o"))?;
    }
    // The example includes its board's header by name, as from an installed prefix (`cargo xtask install --board`).
    let object = out.join("firmware.o").to_string_lossy().into_owned();
    let example = [&FLAGS[..], &["-Igenerated/boards", "examples/firmware/main.c", "-o", &object]].concat();
    step("Cortex-M: examples/firmware/main.c", GCC, &example)?;
    glue(&out)
}

/// The MicroPython glue, compiled the way a firmware port compiles it
/// (`targets/micropython-cortex-m`: qstrs generated, then the module's object).
fn glue(out: &Path) -> Result<(), String> {
    let src = crate::lab::micropython::source(None)?;
    let root = crate::root();
    let abs = |p: &Path| p.to_string_lossy().into_owned();
    let port = root.join("targets/micropython-cortex-m");
    step(
        "Cortex-M: MicroPython glue",
        "make",
        &[
            "-s",
            "-C",
            &abs(&src.join("ports/bare-arm")),
            "-f",
            &abs(&port.join("Makefile")),
            &format!("PORT_DIR={}", abs(&port)),
            &format!("BUILD={}", abs(&out.join("micropython"))),
            &format!("USER_C_MODULES={}", abs(&root.join("generated/micropython"))),
            // The module's micropython.mk asks for the runtime library; nothing is linked here.
            "USOCKET_LIB=none",
            "module",
        ],
    )
}
