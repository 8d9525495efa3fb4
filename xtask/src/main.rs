//! `cargo xtask`: the project's commands (`cargo xtask --help` lists them;
//! [`cli`] is their one table).

mod cli;
mod codegen;
mod crate_packages;
mod features;
mod firmware_lib;
mod firmware_size;
mod hygiene;
mod install;
mod lanes;
mod modules;
mod package_files;
mod readme_blocks;
#[cfg(test)]
mod readme_check;
mod run;
mod size;
mod test;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    usocket_harness::verbosity::set(cli.verbosity());
    let result = cli.run();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
