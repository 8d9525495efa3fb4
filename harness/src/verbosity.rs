//! How much a run prints (`-q`, `-v`): set once by xtask's `main` from the command
//! line, read by [`crate::exec`] and by [`progress!`], so every command obeys it.

use std::sync::OnceLock;

/// How much a run prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: only failures (with the output of the command that failed) and the final result.
    Quiet,
    /// Progress lines and the output of each command.
    Normal,
    /// `-v`: also each command line before it runs.
    Verbose,
}

/// The run's verbosity; its one writer is [`set`].
static LEVEL: OnceLock<Verbosity> = OnceLock::new();

/// Sets the run's verbosity (once, before any work; a second call changes nothing).
pub fn set(level: Verbosity) {
    let _ = LEVEL.set(level);
}

/// The run's verbosity (`Normal` until [`set`]).
pub fn get() -> Verbosity {
    LEVEL.get().copied().unwrap_or(Verbosity::Normal)
}

/// `println!` of a progress line (`==> ...`), which `-q` leaves out.
#[macro_export]
macro_rules! progress {
    ($($arg:tt)*) => {
        if $crate::verbosity::get() != $crate::verbosity::Verbosity::Quiet {
            println!($($arg)*);
        }
    };
}
pub use crate::progress;
