//! The c-port's [`Platform`]: the firmware's lock, wait and notify
//! (`usocket_port_lock`/`unlock`, `usocket_port_wait`, `usocket_port_notify`
//! in `usocket_port.h`): an RTOS mutex and a counting semaphore, or nothing
//! and WFI on bare metal.

use usocket_runtime::{Errno, Interrupted, News, Platform};

use crate::port;
use crate::ring::RX;

/// The firmware's threading functions.
pub struct PortPlatform;

/// The firmware's lock, given back when dropped.
pub struct PortGuard;

impl Drop for PortGuard {
    fn drop(&mut self) {
        port::unlock();
    }
}

impl Platform for PortPlatform {
    type Guard<'g> = PortGuard;

    fn lock(&self) -> PortGuard {
        port::lock();
        PortGuard
    }

    fn wait(&self, until_us: Option<u64>, news: News<'_>) -> Result<(), Interrupted> {
        // Frames already in the ring are news too: the wait would not see them come.
        if news.arrived() || !RX.is_empty() {
            return Ok(());
        }
        if port::wait(until_us.unwrap_or(u64::MAX)) == -Errno::EINTR.value() { Err(Interrupted) } else { Ok(()) }
    }

    fn notify(&self, waiters: u32) {
        port::notify(i32::try_from(waiters).unwrap_or(i32::MAX));
    }
}
