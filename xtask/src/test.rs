//! `cargo xtask test`: every test of the project.

use std::time::{Duration, Instant};

use usocket_harness::exec::step;
use usocket_harness::progress;

/// One step of the suite: its name (for `--only`), what it checks, and how.
pub struct Step {
    name: &'static str,
    doc: &'static str,
    run: fn() -> Result<(), String>,
}

/// Every step, in the order `cargo xtask test` runs them.
const STEPS: &[Step] = &[
    Step { name: "codegen", doc: "generated/ matches spec/ (cargo xtask codegen --check)", run: || crate::codegen::run(crate::codegen::Mode::Check) },
    Step {
        name: "clippy",
        doc: "clippy on the workspace, warnings are errors",
        run: || step("clippy", "cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    },
    Step {
        name: "features",
        doc: "the runtime without each optional feature and without all (no_std, clippy, the spec's cases), each c-port board's crate with its features",
        run: crate::features::run,
    },
    Step {
        name: "firmware-lib",
        doc: "each c-port board on thumbv6m, thumbv7m and thumbv7em-hf: libusocket.a with every export; clippy on its own target",
        run: crate::firmware_lib::builds,
    },
    Step {
        name: "modules",
        doc: "no crate's modules import each other in a circle, codegen's only downwards through its layers (cargo xtask modules)",
        run: || crate::modules::run(&usocket_harness::root(), false),
    },
    Step {
        name: "hygiene",
        doc: "commit subjects at most 72 characters, no issue numbers in code or comments, UPSTREAM tags well formed",
        run: crate::hygiene::run,
    },
    Step { name: "firmware-ram", doc: "each c-port board's linked statics: nothing in .data, .bss = its header's RAM figure", run: crate::firmware_lib::ram },
    Step {
        name: "package",
        doc: "cargo package of the crates meant for crates.io (config, runtime, cport, codegen): each builds from its package alone, with licences, README and its generated code",
        run: crate::crate_packages::run,
    },
    Step {
        name: "tests",
        doc: "cargo test --workspace (less the clients, their own step)",
        run: || step("tests", "cargo", &["test", "--workspace", "--exclude", "usocket-clients"]),
    },
    Step {
        name: "clients",
        doc: "clients from crates.io over the runtime's trait impls on a TAP board against real servers: minimq (embedded-nal) vs mosquitto, reqwless (embedded-nal-async) vs python3 http.server (root)",
        run: || step("clients", "cargo", &["test", "-p", "usocket-clients"]),
    },
    Step {
        name: "walkthroughs",
        doc: "the guide's walkthroughs (add a constant, a method, a behaviour case): each patch applied to a copy of HEAD, with their checks (conformance: CPython only)",
        run: usocket_harness::suites::walkthroughs::run_all,
    },
    Step {
        name: "book",
        doc: "the guide (docs/, mdBook from crates.io, pinned) builds and every relative link and #anchor in it resolves",
        run: usocket_harness::suites::book::run,
    },
    Step {
        name: "c",
        doc: "the header as C99/C++11, the C ABI programs, and (root) the C ABI from 8 threads over TAP",
        run: usocket_harness::suites::c_abi::run,
    },
    Step {
        name: "install",
        doc: "cargo xtask install into a scratch prefix; the README's C quick start (tests/c/consumer) built with pkg-config and with CMake, and run; a c-port board's prefix",
        run: crate::install::test,
    },
    Step { name: "c-port", doc: "the c-port library over TAP against the kernel (root)", run: usocket_harness::suites::cport::run },
    Step {
        name: "cortex-m",
        doc: "the generated C, board headers, example firmware and MicroPython glue for Cortex-M4",
        run: usocket_harness::suites::cortex_m::run,
    },
    Step {
        name: "micropython",
        doc: "our MicroPython: glue, churn, bad input, Ctrl-C, examples, its tests, conformance, multinet, DHCP, TAP board against the kernel",
        run: usocket_harness::suites::unix_port::run,
    },
    Step {
        name: "micropython-1.26",
        doc: "our MicroPython built from MicroPython 1.26 (Debian sid's 1.26.1): glue, conformance (ours only), its own socket tests, TLS driver (root)",
        run: || usocket_harness::suites::unix_port::release("1.26", "ours-1.26"),
    },
    Step {
        name: "tls",
        doc: "TLS in our MicroPython on TAP against openssl s_server/s_client and CPython's ssl: blocking and asyncio, CA verification, garbage peers; MicroPython's multi_net TLS tests (root)",
        run: usocket_harness::suites::tls::run,
    },
    Step {
        name: "libraries",
        doc: "unmodified libraries on our interpreter on a TAP board (root): requests vs http.server, umqtt.simple(2) vs mosquitto, microdot vs curl and ab (req/s beside stock)",
        run: || usocket_harness::suites::libraries::run(&usocket_harness::lab::micropython::build(None)?),
    },
    Step {
        name: "emulated",
        doc: "the mps2-an385 firmware in QEMU: MicroPython's tests, ping, DHCP against dnsmasq, time.sleep, multi_net, conformance; the anchor: ping, multi_net with CPython and with ours (root)",
        run: || usocket_harness::suites::emulated::run(false),
    },
    Step { name: "sanitized", doc: "our MicroPython under ASan/UBSan", run: usocket_harness::suites::unix_port::sanitized },
    Step { name: "fuzz", doc: "each fuzz target for 20 s after its regressions", run: || usocket_harness::suites::fuzz::run(20) },
];

/// The step called `name` (the parser of `--only`); an unknown name is an
/// error that lists the steps.
pub fn step_named(name: &str) -> Result<&'static Step, String> {
    STEPS.iter().find(|s| s.name == name).ok_or_else(|| {
        let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
        format!("no step `{name}`; steps: {} (`cargo xtask test --list` says what each does)", names.join(", "))
    })
}

/// `cargo xtask test --list`: each step's name and what it checks, in order.
pub fn list() {
    for s in STEPS {
        println!("{:<17} {}", s.name, s.doc);
    }
}

/// `cargo xtask test [--only NAME...]`: the `chosen` steps in the order
/// given, or every step when none is. Each step prints its time when it ends,
/// and the run ends with the table of them (also when a step fails).
pub fn run(chosen: &[&'static Step]) -> Result<(), String> {
    let chosen: Vec<&Step> = if chosen.is_empty() { STEPS.iter().collect() } else { chosen.to_vec() };
    let mut times = Vec::new();
    let mut result = Ok(());
    for s in &chosen {
        progress!("==> step {}: {}", s.name, s.doc);
        let start = Instant::now();
        let outcome = (s.run)();
        let took = start.elapsed();
        println!("==> step {} {} in {}", s.name, if outcome.is_ok() { "passed" } else { "FAILED" }, minutes(took));
        times.push((s.name, took, outcome.is_ok()));
        if let Err(e) = outcome {
            result = Err(format!("step {} failed: {e}", s.name));
            break;
        }
    }
    println!("{}", table(&times));
    result?;
    println!("==> test: {} step{} passed", chosen.len(), if chosen.len() == 1 { "" } else { "s" });
    Ok(())
}

/// `m:ss`.
fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// The step-time table: one row per step run, and the total.
fn table(times: &[(&str, Duration, bool)]) -> String {
    let mut out = String::from("==> step times\n");
    for (name, took, ok) in times {
        out.push_str(&format!("    {name:<17} {:>6}{}\n", minutes(*took), if *ok { "" } else { "  FAILED" }));
    }
    let total: Duration = times.iter().map(|t| t.1).sum();
    out.push_str(&format!("    {:<17} {:>6}", "total", minutes(total)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_a_row_per_step_and_the_total() {
        let t = table(&[("codegen", Duration::from_secs(5), true), ("emulated", Duration::from_secs(600), false)]);
        assert_eq!(t, "==> step times\n    codegen             0:05\n    emulated           10:00  FAILED\n    total              10:05");
    }
}
