//! The test suites, one module each; xtask's `test` step table runs them.

pub mod book;
pub mod c_abi;
pub mod conformance;
pub mod cortex_m;
pub mod cport;
pub mod dhcp;
pub mod emulated;
pub mod fuzz;
pub mod libraries;
pub mod mptests;
pub mod multinet;
pub mod tapboard;
pub mod threads;
pub mod tls;
pub mod unix_port;
pub mod walkthroughs;
