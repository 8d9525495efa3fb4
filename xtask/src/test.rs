//! `cargo xtask test`: every test of the project.

use std::path::Path;

use crate::exec::step;
use crate::verbosity::progress;

/// C programs linked against the runtime: ABI checks (`abi_smoke`), echo,
/// timeouts and error paths (`abi_echo`), the spec's behaviour cases
/// (`conformance`), and bad input generated from the spec: bad fds, NULL
/// pointers, huge lengths (`bad_input`).
const C_ABI_PROGRAMS: [&str; 4] = ["tests/c/abi_smoke.c", "tests/c/abi_echo.c", "tests/c/conformance.c", "generated/hardening/bad_input.c"];

/// The generated header compiles as C99 and C++11, and the C programs link
/// against the runtime and pass their checks.
fn c_tests() -> Result<(), String> {
    let out = crate::root().join("target/c-tests");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let out = out.to_string_lossy().into_owned();
    let header_c = [&crate::cflags::WARNINGS[..], &["-std=c99", "-pedantic", "tests/c/header_compiles.c", "-c", "-o"]].concat();
    step("header as C99", "gcc", &[&header_c[..], &[&format!("{out}/header_c.o")]].concat())?;
    let header_cxx = [&crate::cflags::CXX_WARNINGS[..], &["-std=c++11", "-x", "c++", "tests/c/header_compiles.c", "-c", "-o"]].concat();
    step("header as C++11", "g++", &[&header_cxx[..], &[&format!("{out}/header_cxx.o")]].concat())?;
    step("host static library", "cargo", &["build", "--release", "-p", "usocket-host"])?;
    for src in C_ABI_PROGRAMS {
        let name = Path::new(src).file_stem().and_then(|n| n.to_str()).unwrap_or(src);
        let exe = format!("{out}/{name}");
        let link = [&crate::cflags::WARNINGS[..], &["-std=c99", src, crate::install::HOST_LIB], &crate::cflags::STATICLIB_LIBS, &["-o", &exe]].concat();
        step(&format!("C ABI program {name}: build"), "gcc", &link)?;
        step(&format!("C ABI program {name}: run"), &exe, &[])?;
    }
    // As root: 8 threads at once over TAP against the kernel, under ASan.
    crate::threads::run(crate::install::HOST_LIB, &out)
}

/// The generated glue in a real MicroPython (unix port from Debian's source).
fn micropython_tests() -> Result<(), String> {
    let exe = crate::micropython::build(None)?;
    let exe = exe.to_string_lossy().into_owned();
    step("MicroPython glue", &exe, &["tests/micropython/glue_smoke.py"])?;
    // Our select module: MicroPython's API, one wait for our sockets, OS fds and timers.
    step("MicroPython select", &exe, &["tests/micropython/select_wait.py"])?;
    // _thread: threads blocked in accept and recv beside echoing ones; a close wakes a blocked one with EBADF.
    step("MicroPython threads", &exe, &["tests/micropython/thread_echo.py"])?;
    // The fd table fills to ENOMEM and empties; 10,000 cycles leak neither fds nor heap.
    step("MicroPython churn", &exe, &["tests/micropython/churn.py"])?;
    // Bad input from the spec's signatures: exceptions, never a crash or a hang.
    step("MicroPython bad input", &exe, &["generated/hardening/bad_input.py"])?;
    // SIGINT from a parent ends each blocking call with KeyboardInterrupt
    // within 100 ms, and the socket still works afterwards.
    step("MicroPython Ctrl-C", "python3", &["tests/micropython/ctrl_c_driver.py", &exe])?;
    for example in EXAMPLES {
        step("example", &exe, &[example])?;
    }
    // The fault layer chosen by the environment: the echo example over a lossy,
    // duplicating, reordering, corrupting loopback link.
    step("example on a faulty link", "env", &["USOCKET_FAULTS=loss=10%,dup=5%,reorder=5%,corrupt=1%,seed=3", &exe, "examples/echo.py"])?;
    crate::mptests::run(Path::new(&exe), crate::micropython::DEFAULT)?;
    // The spec's behaviour cases: must pass on ours; stock and CPython differences are listed.
    crate::conformance::run(crate::conformance::Which::Matrix)?;
    // As root: tests/multi_net/ in a network namespace, ours on TAP against CPython and against itself.
    crate::multinet::run()?;
    // As root: a DHCP lease from dnsmasq on a TAP link, applied and renewed; static <-> DHCP with ifconfig().
    crate::dhcp::run(Path::new(&exe))?;
    // As root: on a TAP board against the kernel, sockets left open at exit, first connect, loopback, 220 clients.
    crate::tapboard::run(Path::new(&exe))
}

/// Our interpreter built from another MicroPython release (`cargo xtask
/// micropython --version NAME`): the glue smoke test, the conformance scripts
/// (on it alone, as the column `column`: every case must pass), that
/// release's own socket tests and (as root) the TLS driver's tests.
fn release_tests(name: &str, column: &'static str) -> Result<(), String> {
    let version = crate::micropython::version(name)?;
    let exe = crate::micropython::build_version(version, None)?;
    let exe_text = exe.to_string_lossy().into_owned();
    step(&format!("MicroPython {name} glue"), &exe_text, &["tests/micropython/glue_smoke.py"])?;
    step(&format!("MicroPython {name} select"), &exe_text, &["tests/micropython/select_wait.py"])?;
    crate::conformance::run_on(column, &exe)?;
    crate::mptests::run(&exe, version)?;
    crate::tls::run_with(&exe, false)
}

/// Our interpreter again, built with AddressSanitizer and UndefinedBehaviorSanitizer
/// (`cargo xtask micropython --sanitize`): the glue smoke test, churn, bad
/// input, the conformance scripts, MicroPython's socket tests and (as root)
/// the TLS driver's tests run clean (a sanitizer report aborts the
/// interpreter, which fails the step).
fn sanitized_tests() -> Result<(), String> {
    let exe = crate::micropython::build_sanitized(None)?;
    let exe_text = exe.to_string_lossy().into_owned();
    let mut scripts: Vec<String> = [
        "tests/micropython/glue_smoke.py",
        "tests/micropython/select_wait.py",
        "tests/micropython/thread_echo.py",
        "tests/micropython/churn.py",
        "generated/hardening/bad_input.py",
    ]
    .map(String::from)
    .to_vec();
    scripts.extend(crate::conformance::scripts(&crate::root())?.iter().map(|p| p.to_string_lossy().into_owned()));
    for script in &scripts {
        step("sanitized MicroPython", &exe_text, &[script])?;
    }
    crate::mptests::run(&exe, crate::micropython::DEFAULT)?;
    crate::tls::run_with(&exe, false)
}

/// The README's examples: they must keep working.
const EXAMPLES: [&str; 2] = ["examples/echo.py", "examples/http_get.py"];

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
        run: || crate::modules::run(&crate::root(), false),
    },
    Step { name: "firmware-ram", doc: "each c-port board's linked statics: nothing in .data, .bss = its header's RAM figure", run: crate::firmware_lib::ram },
    Step {
        name: "package",
        doc: "cargo package of the crates meant for crates.io (config, runtime, cport, codegen): each builds from its package alone, with licences, README and its generated code",
        run: crate::publish::run,
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
        doc: "README's walkthroughs (add a constant, a method, a behaviour case) followed as written on a copy of HEAD, with their checks (conformance: CPython only)",
        run: crate::walkthroughs::run_all,
    },
    Step { name: "c", doc: "the header as C99/C++11, the C ABI programs, and (root) the C ABI from 8 threads over TAP", run: c_tests },
    Step {
        name: "install",
        doc: "cargo xtask install into a scratch prefix; the README's C quick start (tests/c/consumer) built with pkg-config and with CMake, and run; a c-port board's prefix",
        run: crate::install::test,
    },
    Step { name: "c-port", doc: "the c-port library over TAP against the kernel (root)", run: crate::cport::run },
    Step { name: "cortex-m", doc: "the generated C, board headers, example firmware and MicroPython glue for Cortex-M4", run: crate::cortex_m::run },
    Step {
        name: "micropython",
        doc: "our MicroPython: glue, churn, bad input, Ctrl-C, examples, its tests, conformance, multinet, DHCP, TAP board against the kernel",
        run: micropython_tests,
    },
    Step {
        name: "micropython-1.26",
        doc: "our MicroPython built from MicroPython 1.26 (Debian sid's 1.26.1): glue, conformance (ours only), its own socket tests, TLS driver (root)",
        run: || release_tests("1.26", "ours-1.26"),
    },
    Step {
        name: "tls",
        doc: "TLS in our MicroPython on TAP against openssl s_server/s_client and CPython's ssl: blocking and asyncio, CA verification, garbage peers; MicroPython's multi_net TLS tests (root)",
        run: crate::tls::run,
    },
    Step {
        name: "libraries",
        doc: "unmodified libraries on our interpreter on a TAP board (root): requests vs http.server, umqtt.simple(2) vs mosquitto, microdot vs curl and ab (req/s beside stock)",
        run: || crate::libraries::run(&crate::micropython::build(None)?),
    },
    Step {
        name: "device",
        doc: "the mps2-an385 firmware in QEMU: MicroPython's tests, ping, DHCP against dnsmasq, time.sleep, multi_net, conformance; the anchor: ping, multi_net with CPython and with ours (root)",
        run: || crate::device::run(false),
    },
    Step { name: "sanitized", doc: "our MicroPython under ASan/UBSan", run: sanitized_tests },
    Step { name: "fuzz", doc: "each fuzz target for 20 s after its regressions", run: || crate::fuzz::run(20) },
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
/// given, or every step when none is.
pub fn run(chosen: &[&'static Step]) -> Result<(), String> {
    let chosen: Vec<&Step> = if chosen.is_empty() { STEPS.iter().collect() } else { chosen.to_vec() };
    for s in &chosen {
        progress!("==> step {}: {}", s.name, s.doc);
        (s.run)().map_err(|e| format!("step {} failed: {e}", s.name))?;
    }
    println!("==> test: {} step{} passed", chosen.len(), if chosen.len() == 1 { "" } else { "s" });
    Ok(())
}
