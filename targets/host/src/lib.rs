//! Host boards: links the runtime with `std` so that the static library
//! (`libusocket_host.a`) exports the C ABI to C programs and MicroPython's unix port.

pub use usocket_runtime::*;
