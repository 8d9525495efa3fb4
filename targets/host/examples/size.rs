//! RAM per TCP socket and per stack for every board file (`spec/boards/`), run
//! by `cargo xtask size`, measured with `size_of` on the target this example is
//! built for (pointer-sized fields are smaller on a 32-bit microcontroller).

use usocket_host::boards::ALL;
use usocket_host::ram::{PER_STACK, PER_TCP, Row, total};

/// Goal for a firmware board: RAM per TCP socket, in bytes.
const FIRMWARE_GOAL: usize = 8 * 1024;

/// Prints `rows` with one column per board, and the totals.
fn table(title: &str, rows: &[Row]) {
    print!("{title:<56}");
    for b in ALL {
        print!(" {:>14}", b.name);
    }
    println!();
    for (label, bytes) in rows {
        print!("  {label:<54}");
        for b in ALL {
            print!(" {:>14}", bytes(&b.config));
        }
        println!();
    }
    print!("  {:<54}", "total");
    for b in ALL {
        print!(" {:>14}", total(rows, &b.config));
    }
    println!();
}

fn main() {
    println!("RAM in bytes; struct sizes for {} ({}-bit pointers)\n", std::env::consts::ARCH, usize::BITS);
    table("per TCP socket", &PER_TCP);
    for b in ALL.iter().filter(|b| b.backend == "c-port") {
        let per_tcp = total(&PER_TCP, &b.config);
        let verdict = if per_tcp <= FIRMWARE_GOAL { "ok" } else { "MISSED" };
        println!("{} per TCP socket: {per_tcp} (goal <= {FIRMWARE_GOAL}, 8 KiB) {verdict}", b.name);
    }
    println!();
    table("whole stack", &PER_STACK);
    for b in ALL {
        let c = &b.config;
        println!(
            "{}: {} fds, {} TCP, {} UDP, {} raw sockets, {} smoltcp sockets, {} bind entries; budget in the spec {} B (c-port boards: on their 32-bit target)",
            b.name,
            c.sockets,
            c.tcp_sockets,
            c.udp_sockets,
            c.raw_sockets,
            c.smoltcp_sockets(),
            c.bindings(),
            b.ram_bytes
        );
    }
}
