//! `cargo xtask`: the project's commands (`cargo xtask --help` lists them;
//! [`cli`] is their one table).

mod armrust;
mod bench;
mod book;
mod cflags;
mod cli;
mod codegen;
mod conformance;
mod cortex_m;
mod cport;
mod debian;
mod devbench;
mod device;
mod dhcp;
mod exec;
mod features;
mod firmware;
mod firmware_lib;
mod fuzz;
mod fwsize;
mod install;
mod libraries;
mod lwip;
mod micropython;
mod modules;
mod mptests;
mod multinet;
mod package;
mod publish;
mod pypi;
mod qemu;
mod readme_blocks;
#[cfg(test)]
mod readme_check;
mod run;
mod size;
mod stats;
mod tapboard;
mod test;
mod threads;
mod tls;
mod verbosity;
mod walkthroughs;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// The repository root (the parent of this crate's directory).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    verbosity::set(cli.verbosity());
    let result = cli.run();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
