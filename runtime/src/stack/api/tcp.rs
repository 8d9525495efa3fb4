//! TCP on smoltcp with BSD semantics: ephemeral ports, a listen backlog made
//! of a pool of listening sockets re-armed as soon as one leaves Listen,
//! connect deadlines, ECONNREFUSED/ECONNRESET, graceful close that outlives the
//! fd (bounded linger), SO_LINGER(on, 0) resets.

use smoltcp::socket::tcp::{ConnectError, RecvError, State};

use crate::board::Board;
use crate::constants::{POLL_RD, POLL_WR};
use crate::leaves::addr::{endpoint, from_endpoint};
use crate::leaves::resume::SendallResume;
use crate::leaves::stall;
use crate::leaves::time::{Deadline, millis};
use crate::owners::phase::Phase;
use crate::owners::pool::PoolKind;
use crate::owners::ports::{Owner, Proto};
use crate::owners::table::{Kind, LocalAddr, Slot};
use crate::stack::Stack;
use crate::{Addr, Errno, Fd};

/// The TCP phase of an open fd; EOPNOTSUPP for other kinds (the dispatcher routes only TCP fds here).
fn phase_of(slot: &Slot) -> Result<Phase, Errno> {
    slot.phase().ok_or(Errno::EOPNOTSUPP)
}

/// A connected socket's data: its slot and pool entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct Live {
    pub(super) slot: Slot,
    pub(super) entry: usize,
}

impl<B: Board> Stack<'_, B> {
    /// Sets the TCP phase of `fd`.
    fn set_phase(&mut self, fd: Fd, phase: Phase) -> Result<(), Errno> {
        self.fds.get_mut(fd)?.kind = Kind::Stream(phase);
        Ok(())
    }

    /// Brings the slot's phase up to date with its socket ([`Phase::after`]):
    /// a finished or failed connect, a reset. The error to report is left in `slot.error`.
    pub(super) fn tcp_update(&mut self, fd: Fd) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let phase = phase_of(&slot)?;
        let (Phase::Connecting { entry, .. } | Phase::Connected { entry }) = phase else { return Ok(()) };
        let timeout = self.config.tcp_user_timeout_ms;
        let now = self.board.now();
        let s = self.pool.tcp(entry)?;
        let Some((next, error)) = phase.after(s.state(), now, s.can_recv(), slot.shut_wr) else { return Ok(()) };
        if matches!(next, Phase::Connected { .. }) {
            // The connect limit gives way to the board's user timeout.
            s.set_timeout((timeout > 0).then(|| millis(timeout)));
        }
        let slot = self.fds.get_mut(fd)?;
        slot.kind = Kind::Stream(next);
        slot.error = slot.error.or(error);
        Ok(())
    }

    /// The slot and entry of a connected (or connecting) stream socket, after
    /// reporting a pending error: ENOTCONN when it never connected, `dead`
    /// (EPIPE) when its connection is gone.
    pub(super) fn connected(&mut self, fd: Fd, dead: Errno) -> Result<Live, Errno> {
        self.tcp_update(fd)?;
        let slot = self.fds.get_mut(fd)?;
        if let Some(e) = slot.error.take() {
            return Err(e);
        }
        let slot = *slot;
        match phase_of(&slot)? {
            Phase::Connected { entry } | Phase::Connecting { entry, .. } => Ok(Live { slot, entry }),
            Phase::Dead { .. } => Err(dead),
            Phase::Idle { .. } | Phase::Listening { .. } => Err(Errno::ENOTCONN),
        }
    }

    /// A new TCP socket's pool entry.
    pub(super) fn tcp_open(&mut self, fd: Fd) -> Result<usize, Errno> {
        self.pool.open(PoolKind::Tcp, fd)
    }

    /// bind() for TCP: takes the port in the bind table.
    pub(super) fn tcp_bind(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        let ip = self.local_ip(ip)?;
        let Phase::Idle { entry } = phase_of(&slot)? else { return Err(Errno::EINVAL) };
        if slot.local.is_bound() {
            return Err(Errno::EINVAL);
        }
        let port = self.ports.bind(Owner::Entry(entry), Proto::Tcp, ip.map(Into::into), port, slot.options.reuse_addr)?;
        self.fds.get_mut(fd)?.local = LocalAddr { ip, port };
        Ok(())
    }

    /// A bind address: None for the unspecified address, else one of the
    /// interface's addresses (EADDRNOTAVAIL otherwise).
    pub(super) fn local_ip(&self, ip: smoltcp::wire::IpAddress) -> Result<Option<smoltcp::wire::IpAddress>, Errno> {
        if ip.is_unspecified() {
            Ok(None)
        } else if self.iface.has_ip_addr(ip) || self.iface.ip_addrs().iter().any(|c| core::net::IpAddr::from(c.address()).is_loopback() && c.contains_addr(&ip))
        {
            Ok(Some(ip))
        } else {
            Err(Errno::EADDRNOTAVAIL)
        }
    }

    /// Binds an idle socket (its pool entry `entry`) to an ephemeral port, unless it is bound.
    fn tcp_autobind(&mut self, fd: Fd, entry: usize) -> Result<Slot, Errno> {
        let slot = *self.fds.get(fd)?;
        if slot.local.is_bound() {
            return Ok(slot);
        }
        let port = self.ports.bind(Owner::Entry(entry), Proto::Tcp, slot.local.ip.map(Into::into), 0, false)?;
        let s = self.fds.get_mut(fd)?;
        s.local.port = port;
        Ok(*s)
    }

    /// listen(): the socket's entry becomes the first armed socket of the
    /// listener, which keeps the port; again on a listener: a new backlog.
    pub(super) fn tcp_listen(&mut self, fd: Fd, backlog: i32) -> Result<(), Errno> {
        let backlog = usize::try_from(backlog).unwrap_or(0).clamp(1, self.config.max_backlog) as u16;
        let slot = *self.fds.get(fd)?;
        let entry = match phase_of(&slot)? {
            Phase::Listening { accepting, .. } => return self.set_phase(fd, Phase::Listening { backlog, accepting }),
            Phase::Idle { entry } => entry,
            _ => return Err(Errno::EINVAL),
        };
        let slot = self.tcp_autobind(fd, entry)?;
        self.pool.listen(entry, fd, slot.local.endpoint())?;
        self.ports.set_owner(Owner::Entry(entry), Owner::Listener(fd));
        self.set_phase(fd, Phase::Listening { backlog, accepting: true })
    }

    /// accept(): the oldest established connection in the queue.
    pub(super) fn tcp_accept(&mut self, fd: Fd) -> Result<(Fd, Addr), Errno> {
        let listener = *self.fds.get(fd)?;
        if !matches!(phase_of(&listener)?, Phase::Listening { .. }) {
            return Err(Errno::EINVAL);
        }
        self.block(Some((fd, POLL_RD)), listener.timeout, |stack| stack.take_queued(fd, &listener).transpose())
    }

    /// Takes the oldest established connection of a listener's queue into a new fd.
    fn take_queued(&mut self, fd: Fd, listener: &Slot) -> Result<Option<(Fd, Addr)>, Errno> {
        let Some(i) = self.pool.oldest_queued(fd) else { return Ok(None) };
        let s = self.pool.tcp(i)?;
        let (Some(local), Some(remote)) = (s.local_endpoint(), s.remote_endpoint()) else { return Ok(None) };
        let mut slot = Slot::new(listener.family, Kind::Stream(Phase::Connected { entry: i }));
        slot.local = LocalAddr::from(local);
        slot.options.nodelay = listener.options.nodelay;
        slot.options.keepalive = listener.options.keepalive;
        // ENOMEM when the fd table is full: the connection stays queued.
        let newfd = self.fds.insert(slot)?;
        self.pool.adopt(i, newfd);
        // The inherited TCP_NODELAY/SO_KEEPALIVE reach the smoltcp socket too.
        self.tcp_apply_options(newfd)?;
        Ok(Some((newfd, from_endpoint(remote.addr, remote.port))))
    }

    /// connect(): ephemeral port, handshake under the socket timeout and the
    /// board's connect limit; EINPROGRESS on a non-blocking socket.
    pub(super) fn tcp_connect(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        self.tcp_update(fd)?;
        let slot = *self.fds.get(fd)?;
        // A retried non-blocking connect drives the stack first, so a loop of
        // retries alone sees its handshake end (EISCONN): on bare metal nobody
        // else runs the stack.
        let slot = if slot.timeout == Some(0) && matches!(phase_of(&slot)?, Phase::Connecting { .. }) {
            self.pump();
            self.tcp_update(fd)?;
            *self.fds.get(fd)?
        } else {
            slot
        };
        let (ip, port) = endpoint(address, slot.family)?;
        let entry = match phase_of(&slot)? {
            // A connect that parked while its handshake went on is done.
            Phase::Connected { .. } if self.mode.resuming() => return Ok(()),
            Phase::Connected { .. } => return Err(slot.error.unwrap_or(Errno::EISCONN)),
            Phase::Listening { .. } | Phase::Dead { .. } => return Err(Errno::EINVAL),
            Phase::Connecting { .. } if slot.timeout == Some(0) => return Err(Errno::EALREADY),
            Phase::Connecting { entry, .. } => entry,
            Phase::Idle { entry } => {
                if let Some(e) = self.fds.get_mut(fd)?.error.take() {
                    return Err(e);
                }
                if port == 0 {
                    return Err(Errno::ECONNREFUSED);
                }
                let remote = if ip.is_unspecified() { crate::leaves::addr::loopback(slot.is_v6()) } else { ip };
                let slot = self.tcp_autobind(fd, entry)?;
                let local = slot.local.endpoint();
                let limit = millis(self.config.connect_timeout_ms);
                // The interface and the pool are borrowed apart: connect needs both.
                let s = self.pool.tcp(entry)?;
                s.set_timeout(Some(limit));
                s.connect(self.iface.context(), (remote, port), local).map_err(|e| match e {
                    ConnectError::InvalidState => Errno::EISCONN,
                    ConnectError::Unaddressable => Errno::ENETUNREACH,
                })?;
                let until = self.board.now() + limit;
                self.set_phase(fd, Phase::Connecting { entry, until })?;
                if slot.timeout == Some(0) {
                    self.pump();
                    return Err(Errno::EINPROGRESS);
                }
                entry
            }
        };
        let result = self.block(Some((fd, POLL_WR)), slot.timeout, |stack| {
            if let Err(e) = stack.tcp_update(fd) {
                return Some(Err(e));
            }
            let s = stack.fds.get_mut(fd).ok()?;
            match s.phase() {
                Some(Phase::Connected { .. }) => Some(Ok(())),
                Some(Phase::Connecting { .. }) => None,
                _ => Some(Err(s.error.take().unwrap_or(Errno::ECONNREFUSED))),
            }
        });
        if result == Err(Errno::ETIMEDOUT) {
            self.pool.tcp(entry)?.abort();
            self.pump();
            self.set_phase(fd, Phase::Idle { entry })?;
        }
        result
    }

    /// send(): queues what fits, waiting for room under the socket timeout.
    pub(super) fn tcp_send(&mut self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        let Live { slot, .. } = self.writable(fd)?;
        if data.is_empty() {
            return Ok(0);
        }
        self.block(Some((fd, POLL_WR)), slot.timeout, |stack| stack.tcp_try_send(fd, data))
    }

    /// The pool entry of a connected socket for one data attempt: None while
    /// connecting, `Err(Ok(dead))` once the connection is gone, `Err(Err(e))`
    /// for a pending error (reported once).
    fn live_entry<T>(&mut self, fd: Fd, dead: T) -> Result<Option<usize>, Result<T, Errno>> {
        self.tcp_update(fd).map_err(Err)?;
        let slot = self.fds.get_mut(fd).map_err(Err)?;
        if let Some(e) = slot.error.take() {
            return Err(Err(e));
        }
        match slot.phase() {
            Some(Phase::Connecting { .. }) => Ok(None),
            Some(Phase::Connected { entry }) => Ok(Some(entry)),
            _ => Err(Ok(dead)),
        }
    }

    /// One non-blocking send attempt: Some(result) when done.
    fn tcp_try_send(&mut self, fd: Fd, data: &[u8]) -> Option<Result<usize, Errno>> {
        let entry = match self.live_entry(fd, ()) {
            Ok(entry) => entry?,
            Err(r) => return Some(r.and(Err(Errno::EPIPE))),
        };
        let s = match self.pool.tcp(entry) {
            Ok(s) => s,
            Err(e) => return Some(Err(e)),
        };
        if !s.may_send() {
            return Some(Err(Errno::EPIPE));
        }
        match s.send_slice(data) {
            Ok(0) => None,
            Ok(n) => {
                self.pool.guard_stall(entry);
                Some(Ok(n))
            }
            Err(_) => Some(Err(Errno::EPIPE)),
        }
    }

    /// write(): all of `data` within one timeout. Returns how much was
    /// queued, and the error that stopped it early, if any.
    pub(super) fn tcp_send_all(&mut self, fd: Fd, data: &[u8]) -> (usize, Result<(), Errno>) {
        let slot = match self.writable(fd) {
            Ok(live) => live.slot,
            Err(e) => return (0, Err(e)),
        };
        let mut sent = self.mode.resumed_bytes();
        let result = self.block(Some((fd, POLL_WR)), slot.timeout, |stack| stack.tcp_send_from(fd, data, &mut sent));
        self.mode.keep(sent);
        (sent, result)
    }

    /// sendall(): all of `data` within one timeout. EINTR after part of it was
    /// queued is remembered: the same call again (same fd and data, as a
    /// caller retrying after EINTR makes it) sends only the rest, within the
    /// first call's deadline, so that no byte goes out twice.
    pub(super) fn tcp_sendall(&mut self, fd: Fd, data: &[u8]) -> Result<(), Errno> {
        let Live { slot, .. } = self.writable(fd)?;
        let resumed = self.resume.take().and_then(|r| r.resumes(fd, data));
        let parked = self.mode.resumed_bytes();
        let (mut sent, deadline) = resumed.unwrap_or_else(|| (parked, Deadline::from_timeout(slot.timeout, self.board.now())));
        let result = self.block_until(Some((fd, POLL_WR)), deadline, |stack| stack.tcp_send_from(fd, data, &mut sent));
        self.mode.keep(sent);
        if result == Err(Errno::EINTR) && sent > 0 {
            self.resume = Some(SendallResume::new(fd, data, sent, deadline));
        }
        result
    }

    /// A connected socket whose sending half is open; EPIPE otherwise.
    fn writable(&mut self, fd: Fd) -> Result<Live, Errno> {
        match self.connected(fd, Errno::EPIPE)? {
            live if live.slot.shut_wr => Err(Errno::EPIPE),
            live => Ok(live),
        }
    }

    /// Queues `data[*sent..]`, moving `sent`: Some(result) when all is queued or an error came.
    fn tcp_send_from(&mut self, fd: Fd, data: &[u8], sent: &mut usize) -> Option<Result<(), Errno>> {
        while *sent < data.len() {
            match self.tcp_try_send(fd, &data[*sent..]) {
                Some(Ok(n)) => *sent += n,
                Some(Err(e)) => return Some(Err(e)),
                None => return None,
            }
            self.pump();
        }
        Some(Ok(()))
    }

    /// recv(): what is there (at least one byte), b'' at end of stream.
    pub(super) fn tcp_recv(&mut self, fd: Fd, out: &mut [u8]) -> Result<usize, Errno> {
        let slot = match self.connected(fd, Errno::EPIPE) {
            Err(Errno::EPIPE) => return Ok(0),
            r => r?.slot,
        };
        if out.is_empty() || slot.shut_rd {
            return Ok(0);
        }
        self.block(Some((fd, POLL_RD)), slot.timeout, |stack| stack.tcp_try_recv(fd, out))
    }

    /// One non-blocking receive attempt: Some(result) when done.
    pub(super) fn tcp_try_recv(&mut self, fd: Fd, out: &mut [u8]) -> Option<Result<usize, Errno>> {
        let entry = match self.live_entry(fd, 0) {
            Ok(entry) => entry?,
            Err(r) => return Some(r),
        };
        match self.pool.tcp(entry).map(|s| s.recv_slice(out)) {
            Err(e) => Some(Err(e)),
            Ok(Ok(0)) => None,
            Ok(Ok(n)) => Some(Ok(n)),
            Ok(Err(RecvError::Finished | RecvError::InvalidState)) => Some(Ok(0)),
        }
    }

    /// Bytes up to and including the first b'\n' among the received data (0: none yet).
    pub(super) fn tcp_line_len(&mut self, entry: usize, max: usize) -> usize {
        match self.pool.tcp(entry).map(|s| s.peek(max)) {
            Ok(Ok(buf)) => buf.iter().position(|&b| b == b'\n').map_or(0, |p| p + 1),
            _ => 0,
        }
    }

    /// close(): graceful (the connection lingers after the fd is gone) or, with
    /// SO_LINGER(on, 0), a reset. Listeners reset their queued connections.
    pub(super) fn tcp_close(&mut self, fd: Fd, slot: Slot) {
        let now = self.board.now();
        match slot.phase() {
            Some(Phase::Listening { .. }) => {
                self.pool.close_listener(fd, now);
                self.ports.release(Owner::Listener(fd));
            }
            Some(Phase::Connected { entry } | Phase::Connecting { entry, .. }) => {
                let linger_abort = slot.options.linger_abort;
                if let Ok(s) = self.pool.tcp(entry) {
                    if linger_abort { s.abort() } else { s.close() }
                }
                let until = if linger_abort { now } else { now + millis(self.config.linger_ms) };
                self.pool.linger(entry, until);
            }
            Some(Phase::Idle { entry } | Phase::Dead { entry }) => {
                self.ports.release(Owner::Entry(entry));
                self.pool.free_tcp(entry);
            }
            None => {}
        }
        self.pump();
    }

    /// Drives the stack until no lingering connection has anything
    /// unacknowledged left (FIN-WAIT-2 or TIME-WAIT: data and FIN delivered;
    /// LAST-ACK or CLOSING with the data acknowledged;
    /// an abort's RST sent), for at most the linger time; connections still
    /// sending then are reset. EINTR when the board's wait is interrupted.
    pub(super) fn finish_lingering(&mut self) -> Result<(), Errno> {
        let deadline = Deadline::At(self.board.now() + millis(self.config.linger_ms));
        match self.block_until(None, deadline, |s| s.pool.lingering_delivered().then_some(Ok(()))) {
            Err(Errno::ETIMEDOUT) => {
                self.pool.abort_lingering();
                // The resets go out, then the sockets are reaped.
                self.pump();
                self.pump();
                Ok(())
            }
            other => other,
        }
    }

    /// shutdown(): SHUT_RD makes reads see end of stream, SHUT_WR sends the FIN.
    pub(super) fn tcp_shutdown(&mut self, fd: Fd, how: i32) -> Result<(), Errno> {
        use crate::constants::{SHUT_RD, SHUT_RDWR, SHUT_WR};
        if ![SHUT_RD, SHUT_WR, SHUT_RDWR].contains(&how) {
            return Err(Errno::EINVAL);
        }
        let Live { entry, .. } = self.connected(fd, Errno::ENOTCONN)?;
        if how != SHUT_WR {
            self.fds.get_mut(fd)?.shut_rd = true;
        }
        if how != SHUT_RD {
            self.pool.tcp(entry)?.close();
            self.fds.get_mut(fd)?.shut_wr = true;
            self.pump();
        }
        Ok(())
    }

    /// The local address: the connection's, else the bound one.
    pub(super) fn tcp_sockname(&mut self, slot: &Slot) -> Addr {
        if let Some(Phase::Connected { entry } | Phase::Connecting { entry, .. }) = slot.phase()
            && let Ok(Some(ep)) = self.pool.tcp(entry).map(|s| s.local_endpoint())
        {
            return from_endpoint(ep.addr, ep.port);
        }
        slot.local.to_addr(slot.is_v6())
    }

    /// The peer's address; ENOTCONN when not connected.
    pub(super) fn tcp_peername(&mut self, fd: Fd) -> Result<Addr, Errno> {
        self.tcp_update(fd)?;
        let Some(Phase::Connected { entry }) = self.fds.get(fd)?.phase() else { return Err(Errno::ENOTCONN) };
        let ep = self.pool.tcp(entry)?.remote_endpoint().ok_or(Errno::ENOTCONN)?;
        Ok(from_endpoint(ep.addr, ep.port))
    }

    /// Stream poll flags (without masking).
    pub(in crate::stack) fn tcp_poll(&mut self, fd: Fd) -> Result<i32, Errno> {
        use crate::constants::{POLL_ERR, POLL_HUP, POLL_RD, POLL_WR};
        self.tcp_update(fd)?;
        let slot = *self.fds.get(fd)?;
        let mut flags = if slot.error.is_some() { POLL_ERR | POLL_RD | POLL_WR } else { 0 };
        match phase_of(&slot)? {
            Phase::Listening { .. } => {
                if self.pool.listener_ready(fd) {
                    flags |= POLL_RD;
                }
            }
            Phase::Connected { entry } => {
                let s = self.pool.tcp(entry)?;
                if s.can_recv() || !s.may_recv() || slot.shut_rd {
                    flags |= POLL_RD;
                }
                if s.can_send() || !s.may_send() {
                    flags |= POLL_WR;
                }
                if !s.may_recv() && !s.may_send() {
                    flags |= POLL_HUP;
                }
                // Reset, with received data still to read (see tcp_update).
                if s.state() == State::Closed && !slot.shut_wr {
                    flags |= POLL_ERR | POLL_HUP;
                }
            }
            Phase::Connecting { .. } => {}
            Phase::Dead { .. } => flags |= POLL_HUP | POLL_RD,
            Phase::Idle { .. } => flags |= if slot.error.is_some() { POLL_HUP } else { 0 },
        }
        Ok(flags)
    }

    /// setsockopt() for TCP sockets' own options.
    pub(super) fn tcp_apply_options(&mut self, fd: Fd) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let Some(entry) = slot.entry() else { return Ok(()) };
        let nagle = self.config.nagle && !slot.options.nodelay;
        let guarded = self.pool.guarded(entry);
        let s = self.pool.tcp(entry)?;
        s.set_nagle_enabled(nagle);
        // While the stall guard is on, its probe stays; the guard restores this setting.
        if !guarded {
            stall::set_keepalive(s, slot.options.keepalive);
        }
        Ok(())
    }
}
