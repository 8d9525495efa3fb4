//! The stream helpers MicroPython's stream protocol needs: read exactly n (or
//! to end of stream), readline, write all. A blocking read never returns short
//! except at end of stream; bytes already taken from the socket are always
//! returned, even when a timeout or an interrupt ends the call.

use crate::board::Board;
use crate::constants::POLL_RD;
use crate::stack::Stack;
use crate::stack::api::tcp::Live;
use crate::{Errno, Fd};

impl<B: Board> Stack<'_, B> {
    /// read()/readinto()/readline(): fills `out` (up to and including b'\n' when `line`).
    pub(super) fn stream_read(&mut self, fd: Fd, out: &mut [u8], line: bool) -> Result<usize, Errno> {
        if !self.fds.get(fd)?.is_stream() {
            return self.dgram_recvfrom(fd, out).map(|(n, _)| n);
        }
        let Live { slot, entry } = match self.connected(fd, Errno::EPIPE) {
            Err(Errno::EPIPE) => return Ok(0),
            r => r?,
        };
        if out.is_empty() || slot.shut_rd {
            return Ok(0);
        }
        let mut got = self.mode.resumed_bytes();
        let result = self.block(Some((fd, POLL_RD)), slot.timeout, |stack| {
            loop {
                let room = out.len() - got;
                let want = match line {
                    true => match stack.tcp_line_len(entry, room) {
                        0 => room,
                        k => k,
                    },
                    false => room,
                };
                match stack.tcp_try_recv(fd, &mut out[got..got + want]) {
                    Some(Ok(0)) => return Some(Ok(got)),
                    Some(Ok(n)) => {
                        got += n;
                        if got == out.len() || (line && out[got - 1] == b'\n') {
                            return Some(Ok(got));
                        }
                    }
                    Some(Err(e)) => return Some(if got > 0 && keeps_partial(e) { Ok(got) } else { Err(e) }),
                    None => return None,
                }
            }
        });
        self.mode.keep(got);
        match result {
            Err(e) if got > 0 && keeps_partial(e) => Ok(got),
            r => r,
        }
    }

    /// write(): all of `buf` on a blocking socket (short only when a timeout or
    /// error stops it after some bytes); what fits on a non-blocking one.
    pub(super) fn stream_write(&mut self, fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
        let slot = *self.fds.get(fd)?;
        if !slot.is_stream() {
            return Err(Errno::ENOTCONN);
        }
        if slot.timeout == Some(0) {
            return self.tcp_send(fd, buf);
        }
        match self.tcp_send_all(fd, buf) {
            (sent, Err(_)) if sent > 0 => Ok(sent),
            (sent, result) => result.map(|()| sent),
        }
    }
}

/// Errors after which a stream read returns the bytes it already took, as
/// MicroPython's `mp_stream_rw` does for EAGAIN (and we for a timeout or an
/// interrupt); any other error (a reset) is raised and those bytes are dropped.
fn keeps_partial(e: Errno) -> bool {
    matches!(e, Errno::EAGAIN | Errno::ETIMEDOUT | Errno::EINTR)
}
