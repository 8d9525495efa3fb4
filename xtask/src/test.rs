//! `cargo xtask test`: every test of the project, as a table of steps
//! ([`crate::lanes`] runs them).

use usocket_harness::exec::step;

use crate::lanes::{Lane, Step};

/// The main-lane step after which the beside lane starts: it built our
/// interpreter, stock's and the anchor's firmware, and unpacked the sources
/// the beside steps read.
pub const BESIDE_AFTER: &str = "micropython";

/// Every step, in the order `cargo xtask test` runs them: the main lane's,
/// then the beside lane's ([`Lane`]).
const STEPS: &[Step] = &[
    Step {
        name: "codegen",
        doc: "generated/ matches spec/ (cargo xtask codegen --check)",
        run: || crate::codegen::run(crate::codegen::Mode::Check),
        lane: Lane::Main,
    },
    Step {
        name: "fmt",
        doc: "every crate of the workspace formatted as rustfmt.toml says (cargo fmt --check)",
        run: || step("fmt", "cargo", &["fmt", "--all", "--", "--check"]),
        lane: Lane::Main,
    },
    Step {
        name: "hygiene",
        doc: "commit subjects at most 72 characters, no issue numbers in code or comments, UPSTREAM tags well formed",
        run: crate::hygiene::run,
        lane: Lane::Main,
    },
    Step {
        name: "modules",
        doc: "no crate's modules import each other in a circle, codegen's only downwards through its layers (cargo xtask modules)",
        run: || crate::modules::run(&usocket_harness::root(), false),
        lane: Lane::Main,
    },
    Step {
        name: "firmware-lib",
        doc: "each c-port board on its own target and thumbv7m, the fullest on thumbv6m, thumbv7m and thumbv7em-hf: libusocket.a with every export; clippy on its own target",
        run: crate::firmware_lib::builds,
        lane: Lane::Main,
    },
    Step {
        name: "firmware-ram",
        doc: "each c-port board's linked statics: nothing in .data, .bss = its header's RAM figure",
        run: crate::firmware_lib::ram,
        lane: Lane::Main,
    },
    Step {
        name: "micropython",
        doc: "our MicroPython: glue, churn, bad input, Ctrl-C, examples, its tests, conformance, multinet, DHCP, TAP board against the kernel",
        run: usocket_harness::suites::unix_port::run,
        lane: Lane::Main,
    },
    Step {
        name: "clippy",
        doc: "clippy on the workspace, warnings are errors",
        run: || step("clippy", "cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
        lane: Lane::Main,
    },
    Step {
        name: "features",
        doc: "the runtime without each optional feature and without all (no_std, clippy, the spec's cases), each c-port board's crate with its features",
        run: crate::features::run,
        lane: Lane::Main,
    },
    Step {
        name: "package",
        doc: "cargo package of the crates meant for crates.io (config, runtime, cport, codegen): each builds from its package alone, with licences, README and its generated code",
        run: crate::crate_packages::run,
        lane: Lane::Main,
    },
    Step {
        name: "tests",
        doc: "cargo test --workspace (less the clients, their own step)",
        run: || step("tests", "cargo", &["test", "--workspace", "--exclude", "usocket-clients"]),
        lane: Lane::Main,
    },
    Step {
        name: "walkthroughs",
        doc: "the guide's walkthroughs (add a constant, a method, a behaviour case): each patch applied to a copy of HEAD, with their checks (conformance: CPython only)",
        run: usocket_harness::suites::walkthroughs::run_all,
        lane: Lane::Main,
    },
    Step {
        name: "book",
        doc: "the guide (docs/, mdBook from crates.io, pinned) builds and every relative link and #anchor in it resolves",
        run: usocket_harness::suites::book::run,
        lane: Lane::Main,
    },
    Step {
        name: "c",
        doc: "the header as C99/C++11, the C ABI programs, and (root) the C ABI from 8 threads over TAP",
        run: usocket_harness::suites::c_abi::run,
        lane: Lane::Main,
    },
    Step {
        name: "install",
        doc: "cargo xtask install into a scratch prefix; the README's C quick start (tests/c/consumer) built with pkg-config and with CMake, and run; a c-port board's prefix",
        run: crate::install::test,
        lane: Lane::Main,
    },
    Step { name: "c-port", doc: "the c-port library over TAP against the kernel (root)", run: usocket_harness::suites::cport::run, lane: Lane::Main },
    Step {
        name: "cortex-m",
        doc: "the generated C, board headers, example firmware and MicroPython glue for Cortex-M4",
        run: usocket_harness::suites::cortex_m::run,
        lane: Lane::Main,
    },
    Step {
        name: "micropython-1.26",
        doc: "our MicroPython built from MicroPython 1.26 (Debian sid's 1.26.1): glue, conformance (ours only), its own socket tests, TLS driver (root)",
        run: || usocket_harness::suites::unix_port::release("1.26", "ours-1.26"),
        lane: Lane::Main,
    },
    Step { name: "sanitized", doc: "our MicroPython under ASan/UBSan", run: usocket_harness::suites::unix_port::sanitized, lane: Lane::Main },
    Step {
        name: "clients",
        doc: "clients from crates.io over the runtime's trait impls on a TAP board against real servers: minimq (embedded-nal) vs mosquitto, reqwless (embedded-nal-async) vs python3 http.server (root)",
        run: || step("clients", "cargo", &["test", "-p", "usocket-clients"]),
        lane: Lane::Beside,
    },
    Step {
        name: "tls",
        doc: "TLS in our MicroPython on TAP against openssl s_server/s_client and CPython's ssl: blocking and asyncio, CA verification, garbage peers; MicroPython's multi_net TLS tests (root)",
        run: usocket_harness::suites::tls::run,
        lane: Lane::Beside,
    },
    Step {
        name: "libraries",
        doc: "unmodified libraries on our interpreter on a TAP board (root): requests vs http.server, umqtt.simple(2) vs mosquitto, microdot vs curl and ab (req/s beside stock)",
        run: || usocket_harness::suites::libraries::run(&usocket_harness::lab::micropython::build(None)?),
        lane: Lane::Beside,
    },
    Step {
        name: "emulated",
        doc: "the mps2-an385 firmware in QEMU: MicroPython's tests, ping, DHCP against dnsmasq, time.sleep, multi_net, conformance; the anchor: ping, multi_net with CPython and with ours (root)",
        run: || usocket_harness::suites::emulated::run(false),
        lane: Lane::Beside,
    },
    Step {
        name: "budgets",
        doc: "the firmware's flash and RAM bytes, its -icount instructions per byte and per connection and its peak stack against bench/budgets/ (counts as root)",
        run: || usocket_harness::measure::budgets::run(false),
        lane: Lane::Beside,
    },
    Step { name: "fuzz", doc: "each fuzz target for 20 s after its regressions", run: || usocket_harness::suites::fuzz::run(20), lane: Lane::Beside },
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

/// `cargo xtask test [--only NAME...] [--one-lane]`: the `chosen` steps in
/// the order given, or every step when none is, in two lanes unless
/// `one_lane` (see [`Lane`]).
pub fn run(chosen: &[&'static Step], one_lane: bool) -> Result<(), String> {
    if chosen.is_empty() && !one_lane {
        crate::lanes::two(STEPS, BESIDE_AFTER)
    } else {
        let all: Vec<&Step> = STEPS.iter().collect();
        crate::lanes::one(if chosen.is_empty() { &all } else { chosen })
    }
}
