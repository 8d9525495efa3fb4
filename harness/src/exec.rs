//! Every program xtask runs goes through here, so `-v` echoes each command
//! line (on stderr, `+ ...`, as `sh -x` does) and `-q` hides the output of
//! commands that succeed ([`status`]): one place decides what a run prints.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::process::{Child, Command, ExitStatus, Output};

use crate::verbosity::{Verbosity, progress};

/// Prints [`command_line`] under `-v`.
fn echo(command: &Command) {
    if crate::verbosity::get() == Verbosity::Verbose {
        eprintln!("{}", command_line(command));
    }
}

/// `+ [in DIR] [VAR=value ...] program args...` (DIR unless the repository root).
fn command_line(command: &Command) -> String {
    let text = |s: &OsStr| s.to_string_lossy().into_owned();
    let mut line = vec!["+".to_string()];
    if let Some(dir) = command.get_current_dir().filter(|d| *d != crate::root()) {
        line.push(format!("[in {}]", dir.display()));
    }
    line.extend(command.get_envs().map(|(k, v)| format!("{}={}", text(k), v.map(text).unwrap_or_default())));
    line.push(text(command.get_program()));
    line.extend(command.get_args().map(text));
    line.join(" ")
}

/// [`Command::status`], echoed; under `-q` its output is held back and shown
/// (on stderr) only if it fails.
pub fn status(command: &mut Command) -> io::Result<ExitStatus> {
    echo(command);
    if crate::verbosity::get() != Verbosity::Quiet {
        return command.status();
    }
    let out = command.output()?;
    if !out.status.success() {
        let mut stderr = io::stderr().lock();
        let _ = stderr.write_all(&out.stdout);
        let _ = stderr.write_all(&out.stderr);
    }
    Ok(out.status)
}

/// [`Command::output`], echoed.
pub fn captured(command: &mut Command) -> io::Result<Output> {
    echo(command);
    command.output()
}

/// [`Command::spawn`], echoed.
pub fn spawn(command: &mut Command) -> io::Result<Child> {
    echo(command);
    command.spawn()
}

/// Runs a command in the repository root; fails on a non-zero exit.
pub fn step(name: &str, program: &str, args: &[&str]) -> Result<(), String> {
    progress!("==> {name}: {program} {}", args.join(" "));
    let status = status(Command::new(program).args(args).current_dir(crate::root())).map_err(|e| format!("{name}: cannot run {program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{name} failed ({status})")) }
}

/// Runs `program args` in the repository root; its standard output, or why it
/// failed (with its standard error).
pub fn output(program: &str, args: &[&str]) -> Result<String, String> {
    let hint = if program.starts_with("arm-none-eabi-") { " (apt-get install binutils-arm-none-eabi gcc-arm-none-eabi)" } else { "" };
    let out = captured(Command::new(program).args(args).current_dir(crate::root())).map_err(|e| format!("cannot run {program}: {e}{hint}"))?;
    if !out.status.success() {
        return Err(format!("{program} {} failed ({}): {}", args.join(" "), out.status, String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_say_where_with_what_and_what() {
        let mut c = Command::new("cargo");
        c.args(["build", "-q"]).env("RUSTFLAGS", "-D warnings");
        assert_eq!(command_line(c.current_dir(crate::root())), "+ RUSTFLAGS=-D warnings cargo build -q");
        assert_eq!(command_line(c.current_dir("/tmp")), "+ [in /tmp] RUSTFLAGS=-D warnings cargo build -q");
    }
}
