//! The c-port's [`Platform`]: the firmware's lock, tasks and wake-ups
//! (`usocket_port_lock`/`unlock`, `usocket_port_task`, `usocket_port_wait`,
//! `usocket_port_wake` in `usocket_port.h`): an RTOS mutex and task
//! notifications, or nothing and WFI on bare metal.

use usocket_runtime::{BoardTime, Interrupted, Platform};

use crate::{board, port};

/// The firmware's threading functions (on bare metal empty ones, as in
/// [`PortBackend`](crate::PortBackend)'s example).
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
    type Task = u64;

    fn lock(&self) -> PortGuard {
        port::lock();
        PortGuard
    }

    fn current(&self) -> u64 {
        port::task()
    }

    fn sleep(&self, until: Option<BoardTime>) -> Result<(), Interrupted> {
        board::wait(until)
    }

    fn wake(&self, task: u64) {
        port::wake(task);
    }
}
