//! The owners a [`Stack`](crate::Stack) is made of, each the one writer of
//! its facts and keeper of its invariants; an API call borrows them apart.
//!
//! - [`pool`]: every smoltcp socket, what each is doing ([`pool::Role`]) and
//!   the counters the pump reads;
//! - [`phase`]: a TCP socket's phase and the one function that moves it;
//! - [`table`]: the fd table, whose [`table::Kind`] carries the phase or the
//!   pool entry;
//! - [`ports`]: the bind table (ephemeral ports, EADDRINUSE, TIME-WAIT).

pub(crate) mod phase;
pub(crate) mod pool;
pub(crate) mod ports;
pub(crate) mod table;
