//! The C ABI from 8 threads at once (`tests/c/threads.c`, built with
//! AddressSanitizer): 200 blocking connect/echo/close cycles each beside a
//! thread blocked in recv and one in accept, which closing their sockets must
//! wake with EBADF. On the host library: the loopback board against its own
//! echo server (threads of the program), and (root, in a namespace of its
//! own; says so when skipped) the TAP board against a kernel echo server and
//! against its own. No call may fail, hang or leak; it prints the cycles per
//! second of 8 threads and of one beside it.

use std::sync::LazyLock;
use usocket_netns::Netns;

use crate::exec::step;

/// Builds `tests/c/threads.c` against `lib` with `flags` into `out`; returns the program.
fn build(lib: &str, out: &str, flags: &[&str]) -> Result<String, String> {
    let exe = format!("{out}/threads{}", if flags.contains(&"-fsanitize=address") { "" } else { "-bench" });
    let args = [&crate::cflags::WARNINGS[..], &["-std=c99"], flags, &["tests/c/threads.c", lib], &crate::cflags::STATICLIB_LIBS, &["-o", &exe]].concat();
    step(&format!("C ABI from threads: build ({})", flags.join(" ")), "gcc", &args)?;
    Ok(exe)
}

/// `cargo xtask bench`'s threads figure: the C ABI's cycles per second from 8
/// threads over those from one, on the loopback board against its own echo
/// server (threads of the program), `rounds` interleaved rounds each; the
/// medians and their ratio.
pub fn bench(rounds: u64) -> Result<(), String> {
    step("host library (release)", "cargo", &["build", "-q", "--release", "-p", "usocket-host"])?;
    let out = crate::root().join("target/c-tests");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let exe = build("target/release/libusocket_host.a", &out.to_string_lossy(), &["-O2"])?;
    let mut figures: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for (i, threads) in ["8", "1"].iter().enumerate() {
            let port = (7700 + round * 2 + i as u64).to_string();
            let text = crate::exec::output("env", &["USOCKET_BOARD=loopback", "timeout", "120", &exe, "self", "127.0.0.1", &port, threads])?;
            figures[i].push(cycles_per_second(&text).ok_or_else(|| format!("threads: no cycles/s in {text:?}"))?);
        }
    }
    let [eight, one] = figures.map(|mut f| crate::stats::median(&mut f).unwrap_or(0.0));
    let ratio = if one > 0.0 { eight / one } else { 0.0 };
    let verdict = if ratio >= THREADS_GOAL { "" } else { " MISSED" };
    println!(
        "C ABI from threads (loopback board, its own echo server): 8 threads {eight:.0} cycles/s, 1 thread {one:.0} cycles/s, ratio {ratio:.2} (goal >= {THREADS_GOAL:?}){verdict}"
    );
    Ok(())
}

/// Calls on different sockets go on together: 8 threads get at least what one does.
const THREADS_GOAL: f64 = 1.0;

/// The cycles per second threads.c printed.
fn cycles_per_second(text: &str) -> Option<f64> {
    let before = text.split(" cycles/s").next()?;
    before.rsplit(' ').next()?.parse().ok()
}

/// The namespace of the run.
static NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-threads"));

/// Builds and runs the program against `lib` (the host static library).
pub fn run(lib: &str, out: &str) -> Result<(), String> {
    let exe = build(lib, out, &["-fsanitize=address", "-g"])?;
    for threads in ["8", "1"] {
        let args = ["USOCKET_BOARD=loopback", "timeout", "120", exe.as_str(), "self", "127.0.0.1", "7500", threads];
        step(&format!("C ABI from {threads} thread(s) on the loopback board"), "env", &args)?;
    }
    if usocket_netns::skip_unless_root("the C ABI from 8 threads over TAP", "its network namespace and TAP device") {
        return Ok(());
    }
    let _ns = Netns::with_tap(crate::exec::captured, NETNS.as_str(), "192.0.2.1/24", None)?;
    let env = ["env", "USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=192.0.2.2/24"];
    for (server, ip) in [("kernel", "192.0.2.1"), ("self", "192.0.2.2")] {
        for threads in ["8", "1"] {
            let args = [&["netns", "exec", NETNS.as_str()][..], &env, &["timeout", "120", &exe, server, ip, "7500", threads]].concat();
            step(&format!("C ABI from {threads} thread(s) over TAP, echo server: {server}"), "ip", &args)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_cycles_per_second() {
        let line = "threads: board's own echo server, 8 threads x 200 cycles beside 2 blocked calls, 0 failed, 0.86 s, 1851 cycles/s; 256 of 256";
        assert_eq!(super::cycles_per_second(line), Some(1851.0));
        assert_eq!(super::cycles_per_second("nothing"), None);
    }
}
