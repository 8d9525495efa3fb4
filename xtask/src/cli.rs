//! The command line of `cargo xtask`: one table (the [`Command`] enum) that
//! clap turns into the usage text, `--help` of each command and the checks of
//! every argument, and that [`Command::run`] dispatches. A bad command line is
//! rejected here, before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::lanes::Step;
use usocket_harness::lab::firmware::{Firmware, Stack};
use usocket_harness::lab::micropython::Version;
use usocket_harness::lab::qemu::Nic;
use usocket_harness::verbosity::Verbosity;

/// The project's commands: code generation, builds, tests and measurements.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
pub struct Cli {
    /// Print only failures (with the failing command's output) and the final result.
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = "Global options")]
    quiet: bool,
    /// Also echo each command line before it runs (on stderr).
    #[arg(short, long, global = true, help_heading = "Global options")]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// How much the run prints, from `-q` and `-v`.
    pub fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }

    /// Runs the command.
    pub fn run(self) -> Result<(), String> {
        self.command.run()
    }
}

/// Every command, with its arguments.
#[derive(Subcommand)]
enum Command {
    /// Regenerate generated/ from spec/.
    Codegen {
        /// Write nothing; fail, naming each stale, missing or orphaned file with a diff, if generated/ is stale.
        #[arg(long)]
        check: bool,
    },
    /// Build MicroPython's unix port with the generated module and print the interpreter's path.
    ///
    /// Without a directory (or MICROPYTHON_DIR, for the default release only)
    /// it fetches Debian's micropython source package with apt, pinned by SHA-256.
    Micropython {
        /// Build with AddressSanitizer and UndefinedBehaviorSanitizer (into target/micropython-asan/).
        #[arg(long)]
        sanitize: bool,
        /// The MicroPython release.
        #[arg(long, value_name = "VERSION", value_parser = usocket_harness::lab::micropython::version, default_value = usocket_harness::lab::micropython::DEFAULT.name)]
        version: &'static Version,
        /// MicroPython's source tree to build from, instead of Debian's source package.
        #[arg(long, value_name = "DIR")]
        micropython_dir: Option<PathBuf>,
    },
    /// Build our interpreter if needed and run SCRIPT with it.
    ///
    /// On the loopback board unless USOCKET_BOARD says otherwise.
    Run {
        /// The MicroPython script.
        script: String,
        /// Arguments for the script.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run every test step (called by .ci/run), or only the named ones.
    Test(TestArgs),
    /// The spec's behaviour cases on ours, stock MicroPython, CPython and the anchor (matrix).
    ///
    /// The anchor is MicroPython's lwIP module on the emulated board.
    Conformance {
        /// Only the anchor.
        #[arg(long, conflicts_with = "serial")]
        anchor: bool,
        /// Instead, on a board through mpremote, on serial port PORT.
        #[arg(long, value_name = "PORT")]
        serial: Option<String>,
        /// With --serial: also through the board's own addresses.
        #[arg(long, num_args = 2, value_names = ["IPV4", "IPV6"], requires = "serial")]
        own: Option<Vec<String>>,
    },
    /// TCP throughput in release mode, then our MicroPython against stock, then the firmware in QEMU.
    ///
    /// usocket, std::net and bare smoltcp on loopback (interleaved rounds,
    /// medians and ratios); as root also usocket <-> Linux over TAP in a network
    /// namespace; then our MicroPython against the stock unix port (TCP and TLS);
    /// then (or with --emulated, only) the mps2-an385 firmware in QEMU against
    /// Linux, in instructions (root).
    Bench(BenchArgs),
    /// RAM per TCP socket and per stack for each board file (spec/boards/), and the firmware's sizes.
    Size {
        /// Instead: the c-port crate's code (.text, x86_64, linked with --gc-sections) per feature set.
        #[arg(long)]
        text: bool,
    },
    /// The firmware's figures that repeat (flash and RAM bytes, -icount instructions, peak stack) against bench/budgets/.
    ///
    /// Fails when a figure is over its budget, or under it (a change that
    /// improves a figure lowers its budget in the same commit).
    Budgets {
        /// Write the measured figures to bench/budgets/ instead of checking them.
        #[arg(long)]
        write: bool,
    },
    /// The runtime without each optional feature (and without all), and each c-port board's crate.
    ///
    /// No_std builds, clippy and the spec's cases for what is left out; each
    /// c-port board's firmware crate with the features its board file needs.
    Features,
    /// Each crate's module import graph (which module names which) and its cycles; fails on a cycle.
    Modules {
        /// The tree to read instead of this one (e.g. an older commit's worktree, to compare).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Install the C header, the stripped static library, a pkg-config file and a CMake package into DIR.
    ///
    /// Without --board: the host library (libusocket_host.a, the loopback and
    /// TAP boards). With it: a c-port board's firmware library (libusocket.a),
    /// the frame port's header and the board's header. Then
    /// `pkg-config --cflags --libs --static usocket` (PKG_CONFIG_PATH=DIR/lib/pkgconfig)
    /// or CMake's `find_package(usocket)` (CMAKE_PREFIX_PATH=DIR) with the
    /// imported target usocket::usocket link a C program against it.
    Install {
        /// The prefix: include/, lib/, lib/pkgconfig/ and lib/cmake/usocket/ go below it.
        #[arg(long, value_name = "DIR")]
        prefix: PathBuf,
        /// A c-port board (a file in spec/boards/) instead of the host library.
        #[arg(long, value_name = "NAME")]
        board: Option<String>,
    },
    /// Build the C firmware library libusocket.a of a c-port board (prints its path).
    FirmwareLib {
        /// The c-port board (a file in spec/boards/).
        board: String,
        /// The Rust target, instead of the board file's.
        target: Option<String>,
    },
    /// MicroPython's multi_net tests in a network namespace (root).
    ///
    /// Ours on TAP <-> CPython on the kernel, and ours <-> ours on one bridge.
    Multinet,
    /// Build the c-port library and tests/c/cport_tap.c; as root run it over TAP in a namespace.
    Cport,
    /// As root: our interpreter gets, applies and renews a DHCP lease from dnsmasq on a TAP link.
    ///
    /// Then it starts static, switches with ifconfig('dhcp') (first without a
    /// server: a timeout), then back to static.
    Dhcp,
    /// Build MicroPython firmware for BOARD and print the ELF's path last.
    Firmware {
        /// The board (one with a firmware; a wrong name lists them).
        #[arg(value_parser = usocket_harness::lab::firmware::find)]
        board: &'static Firmware,
        #[command(flatten)]
        stack: StackArg,
    },
    /// Build and boot BOARD's firmware in QEMU, serial on a pty (printed as `serial: /dev/pts/N`).
    Qemu {
        /// The board (one with a firmware; a wrong name lists them).
        #[arg(value_parser = usocket_harness::lab::firmware::find)]
        board: &'static Firmware,
        #[command(flatten)]
        stack: StackArg,
        /// The TAP device to attach the board's network to (none without it).
        #[arg(long, value_name = "NAME")]
        tap: Option<String>,
    },
    /// As root: the mps2-an385 firmware in QEMU on a TAP link, then the pairings with the anchor.
    ///
    /// MicroPython's tests, ping, DHCP, time.sleep, multi_net, conformance; then
    /// the anchor firmware (MicroPython's lwIP module) against CPython and ours.
    Emulated {
        /// Only the pairings with the anchor.
        #[arg(long)]
        anchor: bool,
    },
    /// cargo fuzz (nightly): the spec parser, C ABI call sequences, raw frames; regressions first.
    Fuzz {
        /// Seconds each target fuzzes for.
        #[arg(long, value_name = "N", default_value_t = 60)]
        seconds: u64,
    },
}

/// `cargo xtask test`'s arguments.
#[derive(Args)]
struct TestArgs {
    /// List the steps and what each checks, and run none.
    #[arg(long, conflicts_with = "only")]
    list: bool,
    /// Run only this step (repeatable; in the order given, one after the other).
    #[arg(long, visible_alias = "step", value_name = "STEP", value_parser = crate::test::step_named)]
    only: Vec<&'static Step>,
    /// Run every step one after the other, none beside the others.
    #[arg(long)]
    one_lane: bool,
}

/// `cargo xtask bench`'s arguments.
#[derive(Args)]
struct BenchArgs {
    /// MiB per loopback transfer.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..))]
    mib: u64,
    /// Interleaved rounds (the Rust benchmark and the MicroPython comparison).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    rounds: u64,
    /// MiB per direction over TAP (root).
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
    tap_mib: u64,
    /// Only the firmware in QEMU (root).
    #[arg(long, conflicts_with_all = ["mib", "rounds", "tap_mib"])]
    emulated: bool,
}

/// `--stack` of the firmware commands.
#[derive(Args)]
struct StackArg {
    /// The socket stack: usocket, or MicroPython's own lwIP module (the anchor) with or without IPv6.
    #[arg(long = "stack", value_enum, default_value_t = Stack::Usocket)]
    stack: Stack,
}

impl Command {
    /// Runs the command.
    fn run(self) -> Result<(), String> {
        match self {
            Command::Codegen { check } => crate::codegen::run(if check { crate::codegen::Mode::Check } else { crate::codegen::Mode::Write }),
            Command::Micropython { sanitize, version, micropython_dir } => usocket_harness::lab::micropython::run(sanitize, version, micropython_dir),
            Command::Run { script, args } => crate::run::run(&script, &args),
            Command::Test(TestArgs { list: true, .. }) => {
                crate::test::list();
                Ok(())
            }
            Command::Test(TestArgs { only, one_lane, .. }) => crate::test::run(&only, one_lane),
            Command::Conformance { anchor: true, .. } => usocket_harness::suites::conformance::run(usocket_harness::suites::conformance::Which::Anchor),
            Command::Conformance { serial: Some(port), own, .. } => {
                let own = own.and_then(|a| <[String; 2]>::try_from(a).ok()).map(|[v4, v6]| (v4, v6));
                usocket_harness::suites::conformance::run(usocket_harness::suites::conformance::Which::Serial { port, own })
            }
            Command::Conformance { .. } => usocket_harness::suites::conformance::run(usocket_harness::suites::conformance::Which::Matrix),
            Command::Bench(BenchArgs { emulated: true, .. }) => usocket_harness::measure::emulated_bench::run(),
            Command::Bench(BenchArgs { mib, rounds, tap_mib, .. }) => {
                usocket_harness::measure::bench::run(usocket_harness::measure::bench::Options { mib, rounds, tap_mib })
            }
            Command::Size { text: false } => crate::size::run(),
            Command::Size { text: true } => crate::size::text(),
            Command::Budgets { write } => usocket_harness::measure::budgets::run(write),
            Command::Features => crate::features::run(),
            Command::Modules { root } => crate::modules::run(&root.unwrap_or_else(usocket_harness::root), true),
            Command::Install { prefix, board } => crate::install::run(&prefix, board.as_deref()),
            Command::FirmwareLib { board, target } => crate::firmware_lib::run(&board, target.as_deref()),
            Command::Multinet => usocket_harness::suites::multinet::run(),
            Command::Cport => usocket_harness::suites::cport::run(),
            Command::Dhcp => usocket_harness::lab::micropython::build(None).and_then(|exe| usocket_harness::suites::dhcp::run(&exe)),
            Command::Firmware { board, stack } => usocket_harness::lab::firmware::run(board, stack.stack),
            Command::Qemu { board, stack, tap } => usocket_harness::lab::qemu::run(board, stack.stack, &tap.map_or(Nic::None, Nic::Tap)),
            Command::Emulated { anchor } => usocket_harness::suites::emulated::run(anchor),
            Command::Fuzz { seconds } => usocket_harness::suites::fuzz::run(seconds),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// `args` after `cargo xtask`, parsed.
    fn parse(args: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(["cargo xtask"].into_iter().chain(args.split_whitespace()))
    }

    /// The kind of error `args` is rejected with.
    fn rejected(args: &str) -> clap::error::ErrorKind {
        parse(args).err().unwrap_or_else(|| panic!("`{args}` parsed")).kind()
    }

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_is_not_an_error() {
        use clap::error::ErrorKind::DisplayHelp;
        for args in ["--help", "run --help", "test --help", "bench -h", "help qemu"] {
            assert_eq!(rejected(args), DisplayHelp, "{args}");
            assert_eq!(parse(args).err().map(|e| e.exit_code()), Some(0), "{args}");
        }
    }

    #[test]
    fn bad_command_lines_are_rejected_before_any_work() {
        use clap::error::ErrorKind::*;
        assert_eq!(rejected("nosuch"), InvalidSubcommand);
        assert_eq!(rejected("bench --mib abc"), ValueValidation);
        assert_eq!(rejected("bench --rounds 0"), ValueValidation);
        assert_eq!(rejected("bench --emulated --mib 3"), ArgumentConflict);
        assert_eq!(rejected("test --only nosuch"), ValueValidation);
        assert_eq!(rejected("test --list --step codegen"), ArgumentConflict);
        assert_eq!(rejected("codegen --frob"), UnknownArgument);
        assert_eq!(rejected("micropython --version"), InvalidValue);
        assert_eq!(rejected("micropython --version 1.27"), ValueValidation);
        assert_eq!(rejected("firmware nosuch"), ValueValidation);
        assert_eq!(rejected("firmware mps2-an385 --stack lwIP"), InvalidValue);
        assert_eq!(rejected("firmware-lib"), MissingRequiredArgument);
        assert_eq!(rejected("install"), MissingRequiredArgument);
        assert_eq!(rejected("install --prefix"), InvalidValue);
        assert_eq!(rejected("conformance --own 192.0.2.2 2001:db8::2"), MissingRequiredArgument);
        assert_eq!(rejected("conformance --serial p --own 192.0.2.2"), WrongNumberOfValues);
        assert_eq!(rejected("conformance --anchor --serial p"), ArgumentConflict);
        assert_eq!(rejected("features --frob"), UnknownArgument);
        assert_eq!(rejected("run"), MissingRequiredArgument);
        assert!(parse("test --only nosuch").err().is_some_and(|e| e.to_string().contains("firmware-ram")), "the error lists the steps");
    }

    #[test]
    fn arguments_reach_their_commands() {
        let command = |args: &str| parse(args).unwrap_or_else(|e| panic!("{args}: {e}")).command;
        assert!(matches!(command("codegen --check"), Command::Codegen { check: true }));
        let Command::Run { script, args } = command("run examples/echo.py --flag x") else { panic!("run") };
        assert_eq!((script.as_str(), args), ("examples/echo.py", vec!["--flag".to_string(), "x".to_string()]));
        let Command::Test(TestArgs { only, .. }) = command("test --only c --step codegen") else { panic!("test") };
        let named = |name| crate::test::step_named(name).unwrap();
        assert!(only.len() == 2 && std::ptr::eq(only[0], named("c")) && std::ptr::eq(only[1], named("codegen")), "--step is --only, in the order given");
        let Command::Micropython { version, .. } = command("micropython") else { panic!("micropython") };
        assert_eq!(version.name, usocket_harness::lab::micropython::DEFAULT.name);
        assert!(matches!(command("bench"), Command::Bench(BenchArgs { mib: 64, rounds: 3, tap_mib: 256, emulated: false })));
        assert!(matches!(command("fuzz"), Command::Fuzz { seconds: 60 }));
        let Command::Install { prefix, board } = command("install --prefix /tmp/p --board nucleo-f429zi") else { panic!("install") };
        assert_eq!((prefix, board.as_deref()), (PathBuf::from("/tmp/p"), Some("nucleo-f429zi")));
        let Command::Qemu { stack, tap, .. } = command("qemu mps2-an385 --stack lwip-ipv4 --tap tap1") else { panic!("qemu") };
        assert_eq!((stack.stack, tap.as_deref()), (Stack::Lwip { ipv6: false }, Some("tap1")));
        let Command::Conformance { own, .. } = command("conformance --serial /dev/pts/3 --own 192.0.2.2 2001:db8::2") else { panic!("conformance") };
        assert_eq!(own.as_deref(), Some(&["192.0.2.2".to_string(), "2001:db8::2".to_string()][..]));
    }
}
