//! RAM per TCP socket and per stack for every board file (`spec/boards/`), run
//! by `cargo xtask size`, measured with `size_of` on the target this example is
//! built for (pointer-sized fields are smaller on a 32-bit microcontroller).

use usocket_host::BoardInfo;
use usocket_host::boards::ALL;
use usocket_host::ram::{Costs, Row, measured, stack, tcp_socket, total};

/// Goal for a firmware board: RAM per TCP socket, in bytes.
const FIRMWARE_GOAL: usize = 8 * 1024;

/// The rows of one table for one board.
type Rows = fn(&Costs, &usocket_host::Config) -> Vec<Row>;

/// Prints one table with one column per board, and the totals.
fn table(title: &str, rows: Rows) {
    let costs = measured();
    let per_board: Vec<Vec<Row>> = ALL.iter().map(|b: &&BoardInfo| rows(&costs, &b.config)).collect();
    print!("{title:<56}");
    for b in ALL {
        print!(" {:>14}", b.name);
    }
    println!();
    for (i, row) in per_board[0].iter().enumerate() {
        print!("  {:<54}", row.part);
        for board in &per_board {
            print!(" {:>14}", board[i].bytes);
        }
        println!();
    }
    print!("  {:<54}", "total");
    for board in &per_board {
        print!(" {:>14}", total(board));
    }
    println!();
}

fn main() {
    println!("RAM in bytes; struct sizes for {} ({}-bit pointers)\n", std::env::consts::ARCH, usize::BITS);
    table("per TCP socket", |c, config| tcp_socket(c, config).to_vec());
    for b in ALL.iter().filter(|b| b.backend == "c-port") {
        let per_tcp = total(&tcp_socket(&measured(), &b.config));
        let verdict = if per_tcp <= FIRMWARE_GOAL { "ok" } else { "MISSED" };
        println!("{} per TCP socket: {per_tcp} (goal <= {FIRMWARE_GOAL}, 8 KiB) {verdict}", b.name);
    }
    println!();
    table("whole stack", |c, config| stack(c, config).to_vec());
    for (name, bytes) in measured().items() {
        println!("  {name} = {bytes}");
    }
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
