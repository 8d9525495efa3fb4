//! The runtime's feature builds (`ipv6`, `dns`, `dhcpv4`, `raw`): with every
//! feature, each one left out and all left out, the runtime builds no_std and
//! its feature tests pass (`runtime/tests/features.rs`: the spec's `without`
//! cases); clippy checks the build without any; and each c-port board's
//! firmware crate builds no_std with exactly the features its board file needs
//! (`usocket_codegen::ir::board::Board::features`, the one writer of that fact).

use usocket_codegen::ir::board::FEATURES;

use usocket_harness::exec::step;

/// The runtime's features that implement the embedded ecosystem's traits (not stack parts).
const TRAITS: [&str; 4] = ["embedded-io", "embedded-nal", "embedded-io-async", "embedded-nal-async"];

/// The feature sets to build: every feature, each one left out, none; each
/// as (what it is, its `--features` list).
pub fn feature_sets() -> Vec<(String, Vec<&'static str>)> {
    let mut sets = vec![("with every feature".to_string(), FEATURES.to_vec())];
    for off in FEATURES {
        sets.push((format!("without {off}"), FEATURES.into_iter().filter(|f| *f != off).collect()));
    }
    sets.push(("without any feature".to_string(), Vec::new()));
    sets
}

/// The spec's c-port boards, each with the runtime features its file needs.
pub fn cport_boards() -> Result<Vec<(String, Vec<&'static str>)>, String> {
    let spec = usocket_codegen::load_spec(&usocket_harness::root().join("spec"), "spec").map_err(|e| e.to_string())?;
    Ok(spec.boards.iter().filter(|b| b.backend == "c-port").map(|b| (b.name.clone(), b.features())).collect())
}

/// `cargo ARGS --no-default-features --features LIST` for a package.
fn cargo_features(name: &str, args: &[&str], features: &[&str]) -> Result<(), String> {
    let list = features.join(",");
    step(name, "cargo", &[args, &["--no-default-features", "--features", &list]].concat())
}

/// Every feature build and test.
pub fn run() -> Result<(), String> {
    let sets = feature_sets();
    for (what, features) in &sets {
        // `check`: whether it compiles is the question; the firmware-lib step links real no_std builds.
        cargo_features(&format!("runtime compiles no_std {what}"), &["check", "-p", "usocket-runtime"], features)?;
    }
    // The ecosystem traits (embedded-io, embedded-nal) are no_std too, with every feature and with none.
    for (what, features) in [&sets[0], &sets[sets.len() - 1]] {
        let traits = features.iter().copied().chain(TRAITS).collect::<Vec<_>>().join(",");
        let clippy = ["clippy", "-p", "usocket-runtime", "--no-default-features", "--features", &traits, "--", "-D", "warnings"];
        step(&format!("runtime builds no_std {what} and the ecosystem traits"), "cargo", &clippy)?;
    }
    let clippy = ["clippy", "-p", "usocket-runtime", "--all-targets", "--no-default-features"];
    step("clippy, runtime without any feature", "cargo", &[&clippy[..], &["--", "-D", "warnings"]].concat())?;
    step("clippy, runtime without any feature (std, its tests)", "cargo", &[&clippy[..], &["--features", "std", "--", "-D", "warnings"]].concat())?;
    for (what, features) in &sets {
        let with_std: Vec<&str> = ["std"].into_iter().chain(features.iter().copied()).collect();
        cargo_features(&format!("runtime behaves as the spec says {what}"), &["test", "-p", "usocket-runtime"], &with_std)?;
    }
    // The c-port crate as firmware builds it (no std; the rlib, since the
    // staticlib needs the firmware's panic handler), for each c-port board
    // with the features its file needs.
    for (board, features) in cport_boards()? {
        let chosen = format!("USOCKET_CPORT_BOARD={board}");
        let list = features.join(",");
        let build = ["cargo", "rustc", "-q", "-p", "usocket-cport", "--no-default-features", "--features", &list, "--lib", "--crate-type", "rlib"];
        step(
            &format!("c-port builds no_std for {board} ({})", if list.is_empty() { "no features" } else { &list }),
            "env",
            &[&[chosen.as_str()][..], &build[..]].concat(),
        )?;
    }
    Ok(())
}
