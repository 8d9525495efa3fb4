//! TCP on smoltcp with BSD semantics: ephemeral ports, a listen backlog made
//! of a pool of listening sockets re-armed as soon as one leaves Listen,
//! connect deadlines, ECONNREFUSED/ECONNRESET, graceful close that outlives the
//! fd (bounded linger), SO_LINGER(on, 0) resets.

use smoltcp::socket::tcp::{ConnectError, ListenError, RecvError, State};
use smoltcp::time::Duration;
use smoltcp::wire::IpListenEndpoint;

use crate::addr::{endpoint, from_endpoint, unspecified};
use crate::board::Board;
use crate::pool::{self, PoolKind, Role};
use crate::ports::Proto;
use crate::stack::Stack;
use crate::table::{Phase, Slot};
use crate::time::Deadline;
use crate::{Addr, Errno, Fd};

/// How long a port stays in TIME-WAIT for binds without SO_REUSEADDR (µs).
const TIME_WAIT_US: u64 = 10_000_000;

/// Has the connection been synchronized (the handshake completed)?
fn synchronized(state: State) -> bool {
    !matches!(state, State::Closed | State::Listen | State::SynSent | State::SynReceived)
}

impl<B: Board> Stack<'_, B> {
    /// The bind-table owner of a listener (its pool entry moves on to the accept queue).
    fn listener_owner(&self, fd: Fd) -> usize {
        self.pool.len() + fd as usize
    }

    /// Lets entry `i`'s connection finish without an fd, until `until_us`.
    fn linger(&mut self, i: usize, until_us: u64) {
        self.pool[i].role = Role::Lingering(until_us);
        self.lingering += 1;
    }

    /// Returns a TCP pool entry to the free list; listeners may re-arm with it.
    pub(crate) fn free_tcp(&mut self, i: usize) {
        if matches!(self.pool[i].role, Role::Lingering(_)) {
            self.lingering -= 1;
        }
        self.reset_tcp(i);
        self.park(i);
        self.rearm_pending = true;
    }

    /// A free TCP pool entry; ENOMEM when none is.
    pub(crate) fn alloc_tcp(&mut self) -> Result<usize, Errno> {
        pool::find_free(self.pool, PoolKind::Tcp).ok_or(Errno::ENOMEM)
    }

    /// Brings the slot's phase up to date with its socket: a finished or failed
    /// connect, a reset. The error to report is left in `slot.error`.
    pub(crate) fn tcp_update(&mut self, fd: Fd) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        if !matches!(slot.phase, Phase::Connecting | Phase::Connected) {
            return Ok(());
        }
        let timeout = self.config.tcp_user_timeout_ms;
        let now = self.board.now_us();
        let s = self.tcp(slot.entry);
        let state = s.state();
        let (phase, error) = match (slot.phase, state) {
            (Phase::Connecting, st) if synchronized(st) => {
                s.set_timeout((timeout > 0).then(|| Duration::from_millis(u64::from(timeout))));
                (Phase::Connected, None)
            }
            (Phase::Connecting, State::Closed) => {
                let e = if now >= slot.connect_until_us { Errno::ETIMEDOUT } else { Errno::ECONNREFUSED };
                (Phase::Idle, Some(e))
            }
            // Data received before the reset stays readable (as in Linux): the reset is
            // reported once the receive buffer is empty.
            (Phase::Connected, State::Closed) if !slot.shut_wr && !s.can_recv() => (Phase::Dead, Some(Errno::ECONNRESET)),
            _ => return Ok(()),
        };
        let slot = self.fds.get_mut(fd)?;
        slot.phase = phase;
        slot.error = slot.error.or(error);
        Ok(())
    }

    /// The slot of a connected stream socket, after reporting a pending error:
    /// ENOTCONN when it never connected, EPIPE (`dead`) when its connection is gone.
    pub(crate) fn connected(&mut self, fd: Fd, dead: Errno) -> Result<Slot, Errno> {
        self.tcp_update(fd)?;
        let slot = self.fds.get_mut(fd)?;
        if let Some(e) = slot.error.take() {
            return Err(e);
        }
        match slot.phase {
            Phase::Connected | Phase::Connecting => Ok(*slot),
            Phase::Dead => Err(dead),
            Phase::Idle | Phase::Listening(_) => Err(Errno::ENOTCONN),
        }
    }

    /// A new TCP socket's pool entry.
    pub(crate) fn tcp_open(&mut self, fd: Fd) -> Result<usize, Errno> {
        let i = self.alloc_tcp()?;
        self.unpark(i, Role::Fd(fd));
        Ok(i)
    }

    /// bind() for TCP: takes the port in the bind table.
    pub(crate) fn tcp_bind(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        let ip = self.local_ip(ip)?;
        if slot.local.1 != 0 || slot.phase != Phase::Idle {
            return Err(Errno::EINVAL);
        }
        let port = self.ports.bind(slot.entry, Proto::Tcp, ip.map(Into::into), port, slot.options.reuse_addr)?;
        self.fds.get_mut(fd)?.local = (ip, port);
        Ok(())
    }

    /// A bind address: None for the unspecified address, else one of the
    /// interface's addresses (EADDRNOTAVAIL otherwise).
    pub(crate) fn local_ip(&self, ip: smoltcp::wire::IpAddress) -> Result<Option<smoltcp::wire::IpAddress>, Errno> {
        if ip.is_unspecified() {
            Ok(None)
        } else if self.iface.has_ip_addr(ip) || self.iface.ip_addrs().iter().any(|c| core::net::IpAddr::from(c.address()).is_loopback() && c.contains_addr(&ip))
        {
            Ok(Some(ip))
        } else {
            Err(Errno::EADDRNOTAVAIL)
        }
    }

    /// Binds an unbound socket to an ephemeral port.
    fn tcp_autobind(&mut self, fd: Fd) -> Result<Slot, Errno> {
        let slot = *self.fds.get(fd)?;
        if slot.local.1 != 0 {
            return Ok(slot);
        }
        let port = self.ports.bind(slot.entry, Proto::Tcp, slot.local.0.map(Into::into), 0, false)?;
        let s = self.fds.get_mut(fd)?;
        s.local.1 = port;
        Ok(*s)
    }

    /// listen(): the socket's entry becomes the first armed listener.
    pub(crate) fn tcp_listen(&mut self, fd: Fd, backlog: i32) -> Result<(), Errno> {
        let backlog = usize::try_from(backlog).unwrap_or(0).clamp(1, self.config.max_backlog) as u16;
        let slot = *self.fds.get(fd)?;
        match slot.phase {
            Phase::Listening(_) => {
                self.fds.get_mut(fd)?.phase = Phase::Listening(backlog);
                return Ok(());
            }
            Phase::Idle => {}
            _ => return Err(Errno::EINVAL),
        }
        let slot = self.tcp_autobind(fd)?;
        let listen_at = IpListenEndpoint { addr: slot.local.0, port: slot.local.1 };
        self.tcp(slot.entry).listen(listen_at).map_err(|e| match e {
            ListenError::InvalidState => Errno::EINVAL,
            ListenError::Unaddressable => Errno::EADDRNOTAVAIL,
        })?;
        let owner = self.listener_owner(fd);
        self.ports.set_owner(slot.entry, owner);
        self.pool[slot.entry].role = Role::Armed(fd);
        let s = self.fds.get_mut(fd)?;
        s.phase = Phase::Listening(backlog);
        s.entry = usize::MAX;
        s.accepting = true;
        self.listeners += 1;
        self.rearm_pending = true;
        Ok(())
    }

    /// Moves armed sockets that took a SYN to their listener's queue, and arms
    /// a fresh socket for every listener with room in its queue. The pump calls
    /// it when a SYN came, or an accept, a listen or a freed socket may have
    /// made room.
    pub(crate) fn rearm_listeners(&mut self) {
        self.rearm_pending = false;
        for i in 0..self.pool.len() {
            let Role::Armed(listener) = self.pool[i].role else { continue };
            match self.tcp(i).state() {
                State::Listen => {}
                State::Closed => self.free_tcp(i),
                _ => {
                    self.pool[i].role = Role::Queued { listener, seq: self.seq };
                    self.seq = self.seq.wrapping_add(1);
                }
            }
        }
        for fd in 0..self.config.sockets as Fd {
            let Ok(slot) = self.fds.get(fd) else { continue };
            let Phase::Listening(backlog) = slot.phase else { continue };
            let listen_at = IpListenEndpoint { addr: slot.local.0, port: slot.local.1 };
            let room = pool::queued(self.pool, fd) < usize::from(backlog);
            if room
                && pool::armed(self.pool, fd).is_none()
                && let Ok(i) = self.alloc_tcp()
            {
                self.unpark(i, Role::Armed(fd));
                if self.tcp(i).listen(listen_at).is_err() {
                    self.free_tcp(i);
                }
            }
            let accepting = pool::armed(self.pool, fd).is_some();
            if let Ok(slot) = self.fds.get_mut(fd) {
                slot.accepting = accepting;
            }
        }
    }

    /// accept(): the oldest established connection in the queue.
    pub(crate) fn tcp_accept(&mut self, fd: Fd) -> Result<(Fd, Addr), Errno> {
        let listener = *self.fds.get(fd)?;
        if !matches!(listener.phase, Phase::Listening(_)) {
            return Err(Errno::EINVAL);
        }
        self.block(listener.timeout, |stack| stack.take_queued(fd, &listener).transpose())
    }

    /// Takes the oldest established connection of a listener's queue, dropping dead ones.
    fn take_queued(&mut self, fd: Fd, listener: &Slot) -> Result<Option<(Fd, Addr)>, Errno> {
        let mut order: Option<(u32, usize)> = None;
        for i in 0..self.pool.len() {
            let Role::Queued { listener: l, seq } = self.pool[i].role else { continue };
            if l != fd {
                continue;
            }
            match self.tcp(i).state() {
                State::Closed | State::Listen => {
                    self.free_tcp(i);
                }
                st if synchronized(st) && order.is_none_or(|(s, _)| seq.wrapping_sub(s) as i32 <= 0) => order = Some((seq, i)),
                _ => {}
            }
        }
        let Some((_, i)) = order else { return Ok(None) };
        let s = self.tcp(i);
        let (local, remote) = (s.local_endpoint(), s.remote_endpoint());
        let (Some(local), Some(remote)) = (local, remote) else { return Ok(None) };
        let mut slot = Slot::new(listener.family, crate::constants::SOCK_STREAM, 0)?;
        slot.entry = i;
        slot.phase = Phase::Connected;
        slot.local = (Some(local.addr), local.port);
        slot.options.nodelay = listener.options.nodelay;
        slot.options.keepalive = listener.options.keepalive;
        // ENOMEM when the fd table is full: the connection stays queued.
        let newfd = self.fds.insert(slot)?;
        self.pool[i].role = Role::Fd(newfd);
        self.rearm_pending = true;
        // The inherited TCP_NODELAY/SO_KEEPALIVE reach the smoltcp socket too.
        self.tcp_apply_options(newfd)?;
        Ok(Some((newfd, from_endpoint(remote.addr, remote.port))))
    }

    /// connect(): ephemeral port, handshake under the socket timeout and the
    /// board's connect limit; EINPROGRESS on a non-blocking socket.
    pub(crate) fn tcp_connect(&mut self, fd: Fd, address: &Addr) -> Result<(), Errno> {
        self.tcp_update(fd)?;
        let slot = *self.fds.get(fd)?;
        let (ip, port) = endpoint(address, slot.family)?;
        match slot.phase {
            Phase::Connected => return Err(slot.error.unwrap_or(Errno::EISCONN)),
            Phase::Listening(_) | Phase::Dead => return Err(Errno::EINVAL),
            Phase::Connecting if slot.timeout == Some(0) => return Err(Errno::EALREADY),
            Phase::Connecting => {}
            Phase::Idle => {
                if let Some(e) = self.fds.get_mut(fd)?.error.take() {
                    return Err(e);
                }
                if port == 0 {
                    return Err(Errno::ECONNREFUSED);
                }
                let remote = if ip.is_unspecified() { crate::addr::loopback(slot.is_v6()) } else { ip };
                let slot = self.tcp_autobind(fd)?;
                let local = IpListenEndpoint { addr: slot.local.0, port: slot.local.1 };
                let limit = u64::from(self.config.connect_timeout_ms) * 1000;
                let entry = slot.entry;
                let cx = self.iface.context();
                // `self.tcp(entry)` would borrow the whole stack; connect also needs the interface.
                let handle = self.pool[entry].handle.expect("a TCP socket in use is in the socket set");
                let s = self.sockets.get_mut::<smoltcp::socket::tcp::Socket>(handle);
                s.set_timeout(Some(Duration::from_micros(limit)));
                s.connect(cx, (remote, port), local).map_err(|e| match e {
                    ConnectError::InvalidState => Errno::EISCONN,
                    ConnectError::Unaddressable => Errno::ENETUNREACH,
                })?;
                let now = self.board.now_us();
                let s = self.fds.get_mut(fd)?;
                s.phase = Phase::Connecting;
                s.connect_until_us = now + limit;
                if slot.timeout == Some(0) {
                    self.pump();
                    return Err(Errno::EINPROGRESS);
                }
            }
        }
        let result = self.block(slot.timeout, |stack| {
            if let Err(e) = stack.tcp_update(fd) {
                return Some(Err(e));
            }
            let s = stack.fds.get_mut(fd).ok()?;
            match s.phase {
                Phase::Connected => Some(Ok(())),
                Phase::Connecting => None,
                _ => Some(Err(s.error.take().unwrap_or(Errno::ECONNREFUSED))),
            }
        });
        if result == Err(Errno::ETIMEDOUT) {
            let entry = self.fds.get(fd)?.entry;
            self.tcp(entry).abort();
            self.pump();
            self.fds.get_mut(fd)?.phase = Phase::Idle;
        }
        result
    }

    /// send(): queues what fits, waiting for room under the socket timeout.
    pub(crate) fn tcp_send(&mut self, fd: Fd, data: &[u8]) -> Result<usize, Errno> {
        let slot = self.connected(fd, Errno::EPIPE)?;
        if slot.shut_wr {
            return Err(Errno::EPIPE);
        }
        if data.is_empty() {
            return Ok(0);
        }
        self.block(slot.timeout, |stack| stack.tcp_try_send(fd, data))
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
        match slot.phase {
            Phase::Connecting => Ok(None),
            Phase::Connected => Ok(Some(slot.entry)),
            _ => Err(Ok(dead)),
        }
    }

    /// One non-blocking send attempt: Some(result) when done.
    fn tcp_try_send(&mut self, fd: Fd, data: &[u8]) -> Option<Result<usize, Errno>> {
        let entry = match self.live_entry(fd, ()) {
            Ok(entry) => entry?,
            Err(r) => return Some(r.and(Err(Errno::EPIPE))),
        };
        let s = self.tcp(entry);
        if !s.may_send() {
            return Some(Err(Errno::EPIPE));
        }
        match s.send_slice(data) {
            Ok(0) => None,
            Ok(n) => {
                self.guard_stall(entry);
                Some(Ok(n))
            }
            Err(_) => Some(Err(Errno::EPIPE)),
        }
    }

    /// write(): all of `data` within one timeout. Returns how much was
    /// queued, and the error that stopped it early, if any.
    pub(crate) fn tcp_send_all(&mut self, fd: Fd, data: &[u8]) -> (usize, Result<(), Errno>) {
        let slot = match self.writable(fd) {
            Ok(slot) => slot,
            Err(e) => return (0, Err(e)),
        };
        let mut sent = 0;
        let result = self.block(slot.timeout, |stack| stack.tcp_send_from(fd, data, &mut sent));
        (sent, result)
    }

    /// sendall(): all of `data` within one timeout. EINTR after part of it was
    /// queued is remembered: the same call again (same fd and data, as a
    /// caller retrying after EINTR makes it) sends only the rest, within the
    /// first call's deadline, so that no byte goes out twice.
    pub(crate) fn tcp_sendall(&mut self, fd: Fd, data: &[u8]) -> Result<(), Errno> {
        let slot = self.writable(fd)?;
        let resumed = self.resume.take().filter(|r| r.fd == fd && r.len == data.len() && r.sent <= data.len() && r.hash == fnv32(&data[..r.sent]));
        let (mut sent, deadline) = match resumed {
            Some(r) => (r.sent, r.deadline),
            None => (0, Deadline::from_timeout(slot.timeout, self.board.now_us())),
        };
        let result = self.block_until(deadline, |stack| stack.tcp_send_from(fd, data, &mut sent));
        if result == Err(Errno::EINTR) && sent > 0 {
            self.resume = Some(SendallResume { fd, len: data.len(), sent, hash: fnv32(&data[..sent]), deadline });
        }
        result
    }

    /// A connected socket whose sending half is open; EPIPE otherwise.
    fn writable(&mut self, fd: Fd) -> Result<Slot, Errno> {
        match self.connected(fd, Errno::EPIPE)? {
            slot if slot.shut_wr => Err(Errno::EPIPE),
            slot => Ok(slot),
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
    pub(crate) fn tcp_recv(&mut self, fd: Fd, out: &mut [u8]) -> Result<usize, Errno> {
        let slot = match self.connected(fd, Errno::EPIPE) {
            Err(Errno::EPIPE) => return Ok(0),
            r => r?,
        };
        if out.is_empty() || slot.shut_rd {
            return Ok(0);
        }
        self.block(slot.timeout, |stack| stack.tcp_try_recv(fd, out))
    }

    /// One non-blocking receive attempt: Some(result) when done.
    pub(crate) fn tcp_try_recv(&mut self, fd: Fd, out: &mut [u8]) -> Option<Result<usize, Errno>> {
        let entry = match self.live_entry(fd, 0) {
            Ok(entry) => entry?,
            Err(r) => return Some(r),
        };
        match self.tcp(entry).recv_slice(out) {
            Ok(0) => None,
            Ok(n) => Some(Ok(n)),
            Err(RecvError::Finished) => Some(Ok(0)),
            Err(RecvError::InvalidState) => Some(Ok(0)),
        }
    }

    /// Bytes up to and including the first b'\n' among the received data (0: none yet).
    pub(crate) fn tcp_line_len(&mut self, entry: usize, max: usize) -> usize {
        match self.tcp(entry).peek(max) {
            Ok(buf) => buf.iter().position(|&b| b == b'\n').map_or(0, |p| p + 1),
            Err(_) => 0,
        }
    }

    /// close(): graceful (the connection lingers after the fd is gone) or, with
    /// SO_LINGER(on, 0), a reset. Listeners reset their queued connections.
    pub(crate) fn tcp_close(&mut self, fd: Fd, slot: Slot) {
        let now = self.board.now_us();
        match slot.phase {
            Phase::Listening(_) => {
                self.listeners -= 1;
                for i in 0..self.pool.len() {
                    if matches!(self.pool[i].role, Role::Armed(l) | Role::Queued { listener: l, .. } if l == fd) {
                        self.tcp(i).abort();
                        self.linger(i, now);
                    }
                }
                self.ports.release(self.listener_owner(fd));
            }
            Phase::Connected | Phase::Connecting if !slot.options.linger_abort => {
                self.tcp(slot.entry).close();
                self.linger(slot.entry, now + u64::from(self.config.linger_ms) * 1000);
            }
            Phase::Connected | Phase::Connecting => {
                self.tcp(slot.entry).abort();
                self.linger(slot.entry, now);
            }
            Phase::Idle | Phase::Dead => {
                self.ports.release(slot.entry);
                self.free_tcp(slot.entry);
            }
        }
        self.pump();
    }

    /// Frees lingering sockets whose connection ended; resets those past their linger time.
    pub(crate) fn reap_lingering(&mut self, now: u64) {
        if self.lingering == 0 {
            return;
        }
        for i in 0..self.pool.len() {
            let Role::Lingering(until) = self.pool[i].role else { continue };
            match self.tcp(i).state() {
                // An abort's RST goes out with the next egress; reaped afterwards.
                State::Closed if self.tcp(i).remote_endpoint().is_none() => {
                    self.ports.release(i);
                    self.free_tcp(i);
                }
                State::Closed => {}
                // The connection is done: the bind table keeps the port in
                // TIME-WAIT, the socket goes back to the pool at once (out of
                // the socket set, so no RST is sent).
                State::TimeWait => {
                    self.ports.time_wait(i, now + TIME_WAIT_US);
                    self.free_tcp(i);
                }
                _ if now >= until => self.tcp(i).abort(),
                _ => {}
            }
        }
    }

    /// Drives the stack until no lingering connection has anything
    /// unacknowledged left (FIN-WAIT-2 or TIME-WAIT: data and FIN delivered;
    /// LAST-ACK or CLOSING with the data acknowledged;
    /// an abort's RST sent), for at most the linger time; connections still
    /// sending then are reset. EINTR when the board's wait is interrupted.
    pub(crate) fn finish_lingering(&mut self) -> Result<(), Errno> {
        let deadline = Deadline::At(self.board.now_us().saturating_add(u64::from(self.config.linger_ms) * 1000));
        match self.block_until(deadline, |s| s.lingering_delivered().then_some(Ok(()))) {
            Err(Errno::ETIMEDOUT) => {
                for i in 0..self.pool.len() {
                    if matches!(self.pool[i].role, Role::Lingering(_)) && self.tcp(i).state() != State::Closed {
                        self.tcp(i).abort();
                    }
                }
                // The resets go out, then the sockets are reaped.
                self.pump();
                self.pump();
                Ok(())
            }
            other => other,
        }
    }

    /// Has every lingering connection delivered all it sent (or its reset)?
    /// A peer that closed first has seen everything but our FIN's arrival:
    /// with the data acknowledged, its FIN (sent) is not waited for, so that a
    /// peer gone meanwhile does not hold the caller for the linger time.
    fn lingering_delivered(&mut self) -> bool {
        if self.lingering == 0 {
            return true;
        }
        (0..self.pool.len()).all(|i| match self.pool[i].role {
            Role::Lingering(_) => match self.tcp(i).state() {
                State::FinWait2 | State::TimeWait => true,
                State::LastAck | State::Closing => self.tcp(i).send_queue() == 0,
                State::Closed => self.tcp(i).remote_endpoint().is_none(),
                _ => false,
            },
            _ => true,
        })
    }

    /// shutdown(): SHUT_RD makes reads see end of stream, SHUT_WR sends the FIN.
    pub(crate) fn tcp_shutdown(&mut self, fd: Fd, how: i32) -> Result<(), Errno> {
        use crate::constants::{SHUT_RD, SHUT_RDWR, SHUT_WR};
        if ![SHUT_RD, SHUT_WR, SHUT_RDWR].contains(&how) {
            return Err(Errno::EINVAL);
        }
        let slot = self.connected(fd, Errno::ENOTCONN)?;
        if how != SHUT_WR {
            self.fds.get_mut(fd)?.shut_rd = true;
        }
        if how != SHUT_RD {
            self.tcp(slot.entry).close();
            self.fds.get_mut(fd)?.shut_wr = true;
            self.pump();
        }
        Ok(())
    }

    /// The local address: the connection's, else the bound one.
    pub(crate) fn tcp_sockname(&mut self, slot: &Slot) -> Addr {
        if matches!(slot.phase, Phase::Connected | Phase::Connecting)
            && let Some(ep) = self.tcp(slot.entry).local_endpoint()
        {
            return from_endpoint(ep.addr, ep.port);
        }
        from_endpoint(slot.local.0.unwrap_or(unspecified(slot.is_v6())), slot.local.1)
    }

    /// The peer's address; ENOTCONN when not connected.
    pub(crate) fn tcp_peername(&mut self, fd: Fd) -> Result<Addr, Errno> {
        self.tcp_update(fd)?;
        let slot = *self.fds.get(fd)?;
        if slot.phase != Phase::Connected {
            return Err(Errno::ENOTCONN);
        }
        let ep = self.tcp(slot.entry).remote_endpoint().ok_or(Errno::ENOTCONN)?;
        Ok(from_endpoint(ep.addr, ep.port))
    }

    /// Stream poll flags (without masking).
    pub(crate) fn tcp_poll(&mut self, fd: Fd) -> Result<i32, Errno> {
        use crate::constants::{POLL_ERR, POLL_HUP, POLL_RD, POLL_WR};
        self.tcp_update(fd)?;
        let slot = *self.fds.get(fd)?;
        let mut flags = if slot.error.is_some() { POLL_ERR | POLL_RD | POLL_WR } else { 0 };
        match slot.phase {
            Phase::Listening(_) => {
                let ready = (0..self.pool.len())
                    .any(|i| matches!(self.pool[i].role, Role::Queued { listener, .. } if listener == fd) && synchronized(self.tcp(i).state()));
                if ready {
                    flags |= POLL_RD;
                }
            }
            Phase::Connected => {
                let s = self.tcp(slot.entry);
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
            Phase::Connecting => {}
            Phase::Dead => flags |= POLL_HUP | POLL_RD,
            Phase::Idle => flags |= if slot.error.is_some() { POLL_HUP } else { 0 },
        }
        Ok(flags)
    }

    /// setsockopt() for TCP sockets' own options.
    pub(crate) fn tcp_apply_options(&mut self, fd: Fd) -> Result<(), Errno> {
        let slot = *self.fds.get(fd)?;
        if slot.entry == usize::MAX {
            return Ok(());
        }
        let nagle = self.config.nagle && !slot.options.nodelay;
        let guarded = self.pool[slot.entry].guarded;
        let s = self.tcp(slot.entry);
        s.set_nagle_enabled(nagle);
        // While the stall guard is on, its probe stays; the guard restores this setting.
        if !guarded {
            s.set_keep_alive(slot.options.keepalive.then_some(crate::stall::KEEPALIVE));
        }
        Ok(())
    }
}

/// A sendall() cut short by an interrupt after queuing `sent` of `len` bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SendallResume {
    fd: Fd,
    len: usize,
    sent: usize,
    /// FNV-1a of the bytes already queued: the retry must carry the same data.
    hash: u32,
    deadline: Deadline,
}

impl SendallResume {
    /// The socket it belongs to.
    pub(crate) fn fd(&self) -> Fd {
        self.fd
    }
}

/// FNV-1a, 32 bits.
fn fnv32(data: &[u8]) -> u32 {
    data.iter().fold(0x811c_9dc5, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}
