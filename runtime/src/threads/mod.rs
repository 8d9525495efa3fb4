//! The threading model of every board: [`shared`] runs each call on a stack
//! under a platform's lock and wakes the calls that [`park`] while they wait;
//! [`lock`] is the one-caller guard in front of a stack.

mod lock;
pub(crate) mod park;
pub(crate) mod shared;

pub use lock::CallerLock;
