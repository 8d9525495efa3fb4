//! A listener's backlog on the pool's entries: its own socket armed at
//! listen(), a fresh socket armed whenever its queue has room, armed sockets
//! that took a SYN queued in arrival order, the oldest established one adopted
//! by accept(), and all of them reset when the listener closes.

use smoltcp::socket::tcp::{self, State};
use smoltcp::wire::IpListenEndpoint;

use super::{Pool, PoolKind, Role};
use crate::leaves::time::BoardTime;
use crate::owners::phase::{Phase, synchronized};
use crate::owners::table::{Kind, Table};
use crate::{Errno, Fd};

impl Pool<'_> {
    /// Fd → Armed: `fd`'s own socket listens at `at` and becomes its first armed socket.
    pub(crate) fn listen(&mut self, i: usize, fd: Fd, at: IpListenEndpoint) -> Result<(), Errno> {
        self.tcp(i)?.listen(at).map_err(|e| match e {
            tcp::ListenError::InvalidState => Errno::EINVAL,
            tcp::ListenError::Unaddressable => Errno::EADDRNOTAVAIL,
        })?;
        self.entries[i].role = Role::Armed(fd);
        self.listeners += 1;
        self.rearm_pending = true;
        Ok(())
    }

    /// Armed, Queued → Lingering: listener `fd` closed; its sockets are reset and reaped.
    pub(crate) fn close_listener(&mut self, fd: Fd, now: BoardTime) {
        self.listeners -= 1;
        for i in 0..self.entries.len() {
            if matches!(self.entries[i].role, Role::Armed(l) | Role::Queued { listener: l, .. } if l == fd) {
                if let Ok(s) = self.tcp(i) {
                    s.abort();
                }
                self.linger(i, now);
            }
        }
    }

    /// A SYN came (the gate saw one): armed listeners may have left Listen.
    pub(crate) fn note_syn(&mut self) {
        self.rearm_pending = true;
    }

    /// Is a re-arm due (listeners exist and something changed)?
    pub(crate) fn rearm_due(&self) -> bool {
        self.listeners > 0 && self.rearm_pending
    }

    /// Armed → Queued for sockets that took a SYN (Armed → Free for those
    /// that failed), then Free → Armed: a fresh socket for every listener in
    /// `fds` with room in its queue, which is then `accepting`.
    pub(crate) fn rearm(&mut self, fds: &mut Table<'_>) {
        self.rearm_pending = false;
        for i in 0..self.entries.len() {
            let Role::Armed(listener) = self.entries[i].role else { continue };
            match self.tcp(i).map(|s| s.state()) {
                Ok(State::Listen) => {}
                Ok(State::Closed) | Err(_) => self.free_tcp(i),
                Ok(_) => {
                    self.entries[i].role = Role::Queued { listener, seq: self.seq };
                    self.seq = self.seq.wrapping_add(1);
                }
            }
        }
        for fd in 0..fds.capacity() {
            let Ok(slot) = fds.get(fd) else { continue };
            let Kind::Stream(Phase::Listening { backlog, .. }) = slot.kind else { continue };
            let at = slot.local.endpoint();
            let queued = self.entries.iter().filter(|e| matches!(e.role, Role::Queued { listener, .. } if listener == fd)).count();
            if queued < usize::from(backlog)
                && !self.armed(fd)
                && let Some(i) = self.find_free(PoolKind::Tcp)
            {
                self.unpark(i, Role::Armed(fd));
                if self.tcp(i).and_then(|s| s.listen(at).map_err(|_| Errno::EINVAL)).is_err() {
                    self.free_tcp(i);
                }
            }
            let accepting = self.armed(fd);
            if let Ok(slot) = fds.get_mut(fd) {
                slot.kind = Kind::Stream(Phase::Listening { backlog, accepting });
            }
        }
    }

    /// Has listener `fd` a socket armed?
    fn armed(&self, fd: Fd) -> bool {
        self.entries.iter().any(|e| e.role == Role::Armed(fd))
    }

    /// The oldest established connection in listener `fd`'s queue, freeing dead ones.
    pub(crate) fn oldest_queued(&mut self, fd: Fd) -> Option<usize> {
        let mut oldest: Option<(u32, usize)> = None;
        for i in 0..self.entries.len() {
            let Role::Queued { listener, seq } = self.entries[i].role else { continue };
            if listener != fd {
                continue;
            }
            match self.tcp(i).map(|s| s.state()) {
                Ok(State::Closed | State::Listen) | Err(_) => self.free_tcp(i),
                Ok(st) if synchronized(st) && oldest.is_none_or(|(s, _)| seq.wrapping_sub(s) as i32 <= 0) => oldest = Some((seq, i)),
                Ok(_) => {}
            }
        }
        oldest.map(|(_, i)| i)
    }

    /// Queued → Fd: accept() gave queued entry `i` to `fd`.
    pub(crate) fn adopt(&mut self, i: usize, fd: Fd) {
        self.entries[i].role = Role::Fd(fd);
        self.rearm_pending = true;
    }

    /// Has listener `fd` an established connection queued (poll readable)?
    pub(crate) fn listener_ready(&mut self, fd: Fd) -> bool {
        (0..self.entries.len())
            .any(|i| matches!(self.entries[i].role, Role::Queued { listener, .. } if listener == fd) && self.tcp(i).is_ok_and(|s| synchronized(s.state())))
    }
}
