//! The socket pool: every smoltcp socket of the stack, made once at start,
//! what each is doing (owned by an fd, armed or queued for a listener,
//! lingering after close), and smoltcp's socket set they live in while in use.
//! Listen backlogs and graceful close live on these roles.
//!
//! Only sockets in use are in the socket set (smoltcp visits every socket of
//! the set for every packet); a free socket is parked beside the pool, which
//! keeps the entries small for the pump's scans.
//!
//! The pool is the only writer of entries, roles and the socket set, so it
//! keeps the invariant that makes lookups infallible: an entry in use holds
//! the handle of its own socket, of its kind, in the set, and no other entry
//! holds it; the set's capacity is the number of entries. It also keeps the
//! counters that let the pump skip work (listeners, lingering entries,
//! guarded entries). The interface is not here: the stack lends it beside the
//! pool (connect() and DNS queries need both), as smoltcp's `Interface` and
//! embassy-net's `with_mut` do.

use managed::ManagedSlice;
use smoltcp::iface::{SocketHandle, SocketSet, SocketStorage};
use smoltcp::socket::tcp::{self, State};
use smoltcp::socket::{AnySocket, Socket, udp};
use smoltcp::storage::PacketBuffer;
use smoltcp::time::Duration;
use smoltcp::wire::IpListenEndpoint;

use crate::config::Config;
use crate::phase::{Phase, synchronized};
use crate::ports::{Owner, PortTable};
use crate::table::{Kind, Table};
use crate::{Errno, Fd, stall};

/// How long a port stays in TIME-WAIT for binds without SO_REUSEADDR (µs).
const TIME_WAIT_US: u64 = 10_000_000;

/// Which smoltcp socket type an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// Not set up (the stack's own sockets' entries until they start).
    None,
    /// tcp::Socket.
    Tcp,
    /// udp::Socket.
    Udp,
    /// raw::Socket (made at socket(), when its protocol is known).
    Raw,
    /// The stack's one dns::Socket.
    #[cfg(feature = "dns")]
    Dns,
    /// The stack's DHCPv4 client, when the board uses DHCP.
    #[cfg(feature = "dhcpv4")]
    Dhcp,
}

/// What an entry is doing. Each move is one method of [`Pool`]:
///
/// ```text
///  Free ──open──▶ Fd ──linger (close)──▶ Lingering ──reap──▶ Free
///   │             ├──listen──▶ Armed
///   │             └──free_tcp, close (unconnected, UDP, raw)──▶ Free
///   └──rearm──▶ Armed ──a SYN (rearm)──▶ Queued ──adopt (accept)──▶ Fd
///  Armed, Queued ──close_listener──▶ Lingering;  Armed, Queued ──the connection died──▶ Free
///  Own: the stack's DNS socket or DHCP client (add_own … remove_own).
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Free for a new socket.
    Free,
    /// Owned by this fd.
    Fd(Fd),
    /// Listening on behalf of this listener fd.
    Armed(Fd),
    /// Left Listen (a SYN came) and waits in this listener's accept queue; `seq` orders the queue.
    Queued {
        /// The listener fd.
        listener: Fd,
        /// Arrival order.
        seq: u32,
    },
    /// Closed by its fd; still delivering data and FIN until this instant (µs).
    Lingering(u64),
    /// The stack's own socket (DNS or DHCP), not any fd's.
    #[cfg(any(feature = "dns", feature = "dhcpv4"))]
    Own,
}

/// One pooled smoltcp socket (storage for [`Memory`](crate::Memory)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    kind: PoolKind,
    /// Its handle in the socket set, while in use.
    handle: Option<SocketHandle>,
    role: Role,
    /// Raw sockets: which raw buffer region is theirs.
    region: usize,
    /// TCP: the stall guard is on (see `stall.rs`).
    guarded: bool,
}

impl Entry {
    /// An unused entry.
    pub const EMPTY: Entry = Entry { kind: PoolKind::None, handle: None, role: Role::Free, region: 0, guarded: false };
}

/// One of the stack's own sockets (DNS, DHCP): its entry and its handle in the set.
#[cfg(any(feature = "dns", feature = "dhcpv4"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OwnSocket {
    entry: usize,
    handle: SocketHandle,
}

/// Takes the first `n` items off a slice, keeping the rest.
fn take<'a, T>(rest: &mut &'a mut [T], n: usize) -> &'a mut [T] {
    let (head, tail) = core::mem::take(rest).split_at_mut(n);
    *rest = tail;
    head
}

/// The board's defaults for a fresh TCP socket.
#[derive(Debug, Clone, Copy)]
struct TcpDefaults {
    nagle: bool,
    ack_delay: Option<Duration>,
    user_timeout: Option<Duration>,
}

impl TcpDefaults {
    fn of(config: &Config) -> TcpDefaults {
        let ms = |v: u32| (v > 0).then(|| Duration::from_millis(u64::from(v)));
        TcpDefaults { nagle: config.nagle, ack_delay: ms(u32::from(config.ack_delay_ms)), user_timeout: ms(config.tcp_user_timeout_ms) }
    }

    fn apply(self, s: &mut tcp::Socket<'_>) {
        s.set_nagle_enabled(self.nagle);
        s.set_ack_delay(self.ack_delay);
        s.set_keep_alive(None);
        s.set_timeout(self.user_timeout);
    }
}

/// The storage the pool is made of (parts of [`Memory`](crate::Memory)).
pub(crate) struct PoolMemory<'a, 'b> {
    /// smoltcp's socket set.
    pub sockets: ManagedSlice<'a, SocketStorage<'a>>,
    /// The entries.
    pub entries: &'a mut [Entry],
    /// Parking slots of free sockets.
    pub parked: ManagedSlice<'a, Option<Socket<'a>>>,
    /// Socket buffers (TCP and UDP ones are taken from the front).
    pub bytes: &'b mut &'a mut [u8],
    /// UDP packet metadata.
    pub udp_meta: &'a mut [udp::PacketMetadata],
}

/// The pool: entries, the socket set and the parked sockets (see the module doc).
pub(crate) struct Pool<'a> {
    set: SocketSet<'a>,
    entries: &'a mut [Entry],
    parked: ManagedSlice<'a, Option<Socket<'a>>>,
    defaults: TcpDefaults,
    /// Listening fds (the pump re-arms listeners only when there are some).
    listeners: usize,
    /// Something that lets a listener arm a socket happened since the last re-arm.
    rearm_pending: bool,
    /// Accept-queue order.
    seq: u32,
    /// Entries in `Role::Lingering` (the pump reaps only when there are some).
    lingering: usize,
    /// Entries with the stall guard on (the pump checks only when there are some).
    guarded: usize,
}

impl<'a> Pool<'a> {
    /// Makes every TCP and UDP socket of `config` (parked) and the raw entries (empty).
    pub(crate) fn new(memory: PoolMemory<'a, '_>, config: &Config) -> Pool<'a> {
        let PoolMemory { sockets, entries, mut parked, bytes, mut udp_meta } = memory;
        entries.fill(Entry::EMPTY);
        let defaults = TcpDefaults::of(config);
        let mut entry = entries.iter_mut().zip(parked.iter_mut());
        for _ in 0..config.tcp_sockets {
            let rx = tcp::SocketBuffer::new(take(bytes, config.tcp_rx_bytes));
            let tx = tcp::SocketBuffer::new(take(bytes, config.tcp_tx_bytes));
            let mut socket = tcp::Socket::new(rx, tx);
            defaults.apply(&mut socket);
            if let Some((e, p)) = entry.next() {
                *e = Entry { kind: PoolKind::Tcp, ..Entry::EMPTY };
                *p = Some(Socket::Tcp(socket));
            }
        }
        for _ in 0..config.udp_sockets {
            let rx = PacketBuffer::new(take(&mut udp_meta, config.udp_packets), take(bytes, config.udp_rx_bytes));
            let tx = PacketBuffer::new(take(&mut udp_meta, config.udp_packets), take(bytes, config.udp_tx_bytes));
            if let Some((e, p)) = entry.next() {
                *e = Entry { kind: PoolKind::Udp, ..Entry::EMPTY };
                *p = Some(Socket::Udp(udp::Socket::new(rx, tx)));
            }
        }
        for region in 0..config.raw_sockets {
            if let Some((e, _)) = entry.next() {
                *e = Entry { kind: PoolKind::Raw, region, ..Entry::EMPTY };
            }
        }
        Pool { set: SocketSet::new(sockets), entries, parked, defaults, listeners: 0, rearm_pending: false, seq: 0, lingering: 0, guarded: 0 }
    }

    /// smoltcp's socket set, for the interface's polls.
    pub(crate) fn set(&self) -> &SocketSet<'a> {
        &self.set
    }

    /// smoltcp's socket set, for the interface's polls.
    pub(crate) fn set_mut(&mut self) -> &mut SocketSet<'a> {
        &mut self.set
    }

    /// The socket of entry `i` if it is in use and of `kind`; EBADF otherwise.
    fn socket<T: AnySocket<'a>>(&mut self, i: usize, kind: PoolKind) -> Result<&mut T, Errno> {
        match self.entries.get(i) {
            Some(Entry { kind: k, handle: Some(handle), .. }) if *k == kind => Ok(self.set.get_mut::<T>(*handle)),
            _ => Err(Errno::EBADF),
        }
    }

    /// The TCP socket of entry `i` (in use); EBADF when it holds none.
    pub(crate) fn tcp(&mut self, i: usize) -> Result<&mut tcp::Socket<'a>, Errno> {
        self.socket(i, PoolKind::Tcp)
    }

    /// The UDP socket of entry `i` (in use); EBADF when it holds none.
    pub(crate) fn udp(&mut self, i: usize) -> Result<&mut udp::Socket<'a>, Errno> {
        self.socket(i, PoolKind::Udp)
    }

    /// The raw socket of entry `i` (in use); EBADF when it holds none.
    #[cfg(feature = "raw")]
    pub(crate) fn raw(&mut self, i: usize) -> Result<&mut smoltcp::socket::raw::Socket<'a>, Errno> {
        self.socket(i, PoolKind::Raw)
    }

    /// The stack's own socket `own` (as [`Pool::add_own`] gave it); None once removed.
    #[cfg(any(feature = "dns", feature = "dhcpv4"))]
    pub(crate) fn own<T: AnySocket<'a>>(&mut self, own: OwnSocket) -> Option<&mut T> {
        self.holds(own).then(|| self.set.get_mut::<T>(own.handle))
    }

    /// Is `own` still in the pool?
    #[cfg(any(feature = "dns", feature = "dhcpv4"))]
    fn holds(&self, own: OwnSocket) -> bool {
        self.entries.get(own.entry).is_some_and(|e| e.role == Role::Own && e.handle == Some(own.handle))
    }

    /// Adds one of the stack's own sockets (DNS, DHCP) in an entry kept for it; None when there is none.
    #[cfg(any(feature = "dns", feature = "dhcpv4"))]
    pub(crate) fn add_own<T: AnySocket<'a>>(&mut self, kind: PoolKind, socket: T) -> Option<OwnSocket> {
        let entry = self.entries.iter().position(|e| e.kind == PoolKind::None)?;
        let handle = self.set.add(socket);
        self.entries[entry] = Entry { kind, handle: Some(handle), role: Role::Own, ..Entry::EMPTY };
        Some(OwnSocket { entry, handle })
    }

    /// Removes one of the stack's own sockets; its entry is kept for it again.
    #[cfg(feature = "dhcpv4")]
    pub(crate) fn remove_own(&mut self, own: OwnSocket) {
        if self.holds(own) {
            self.set.remove(own.handle);
            self.entries[own.entry] = Entry::EMPTY;
        }
    }

    /// Pooled sockets in use (fds, accept queues, lingering closes).
    pub(crate) fn in_use(&self) -> usize {
        self.entries.iter().filter(|e| matches!(e.kind, PoolKind::Tcp | PoolKind::Udp | PoolKind::Raw) && e.role != Role::Free).count()
    }

    /// A free entry of `kind`.
    fn find_free(&self, kind: PoolKind) -> Option<usize> {
        self.entries.iter().position(|e| e.kind == kind && e.role == Role::Free)
    }

    /// Puts free entry `i`'s parked socket into the socket set, for `role`.
    fn unpark(&mut self, i: usize, role: Role) {
        if let Some(socket) = self.parked.get_mut(i).and_then(Option::take) {
            self.entries[i].handle = Some(self.set.add(socket));
        }
        self.entries[i].role = role;
    }

    /// Takes entry `i`'s socket out of the socket set and marks the entry free.
    fn park(&mut self, i: usize) {
        if let Some(handle) = self.entries[i].handle.take()
            && let Some(slot) = self.parked.get_mut(i)
        {
            *slot = Some(self.set.remove(handle));
        }
        self.entries[i].role = Role::Free;
    }

    /// Free → Fd: a TCP or UDP socket for `fd`; ENOMEM when none is free.
    pub(crate) fn open(&mut self, kind: PoolKind, fd: Fd) -> Result<usize, Errno> {
        let i = self.find_free(kind).ok_or(Errno::ENOMEM)?;
        self.unpark(i, Role::Fd(fd));
        Ok(i)
    }

    /// Free → Fd: a raw socket for `fd`, made by `make` over its entry's buffer region; ENOMEM when none is free.
    #[cfg(feature = "raw")]
    pub(crate) fn open_raw(&mut self, fd: Fd, make: impl FnOnce(usize) -> smoltcp::socket::raw::Socket<'a>) -> Result<usize, Errno> {
        let i = self.find_free(PoolKind::Raw).ok_or(Errno::ENOMEM)?;
        let socket = make(self.entries[i].region);
        self.entries[i].handle = Some(self.set.add(socket));
        self.entries[i].role = Role::Fd(fd);
        Ok(i)
    }

    /// Fd → Free for a UDP socket (closed and parked) or a raw one (dropped:
    /// its region is free for the next).
    pub(crate) fn close(&mut self, i: usize) {
        match self.entries.get(i).map(|e| e.kind) {
            Some(PoolKind::Udp) => {
                if let Ok(s) = self.udp(i) {
                    s.close();
                }
                self.park(i);
            }
            Some(PoolKind::Raw) => {
                if let Some(handle) = self.entries[i].handle.take() {
                    self.set.remove(handle);
                }
                self.entries[i].role = Role::Free;
            }
            _ => {}
        }
    }

    /// Any → Free for a TCP entry: reset to the board's defaults and parked; listeners may re-arm with it.
    pub(crate) fn free_tcp(&mut self, i: usize) {
        if matches!(self.entries[i].role, Role::Lingering(_)) {
            self.lingering -= 1;
        }
        let defaults = self.defaults;
        if let Ok(s) = self.tcp(i) {
            if s.state() != State::Closed {
                s.abort();
            }
            defaults.apply(s);
        }
        if core::mem::take(&mut self.entries[i].guarded) {
            self.guarded -= 1;
        }
        self.park(i);
        self.rearm_pending = true;
    }

    /// Fd → Lingering: entry `i`'s connection finishes without an fd, until `until_us`.
    pub(crate) fn linger(&mut self, i: usize, until_us: u64) {
        if !matches!(self.entries[i].role, Role::Lingering(_)) {
            self.lingering += 1;
        }
        self.entries[i].role = Role::Lingering(until_us);
    }

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
    pub(crate) fn close_listener(&mut self, fd: Fd, now_us: u64) {
        self.listeners -= 1;
        for i in 0..self.entries.len() {
            if matches!(self.entries[i].role, Role::Armed(l) | Role::Queued { listener: l, .. } if l == fd) {
                if let Ok(s) = self.tcp(i) {
                    s.abort();
                }
                self.linger(i, now_us);
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
            let at = IpListenEndpoint { addr: slot.local.0, port: slot.local.1 };
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

    /// Lingering → Free for sockets whose connection ended (their port to
    /// TIME-WAIT or released); resets those past their linger time.
    pub(crate) fn reap_lingering(&mut self, now_us: u64, ports: &mut PortTable<'_>) {
        if self.lingering == 0 {
            return;
        }
        for i in 0..self.entries.len() {
            let Role::Lingering(until) = self.entries[i].role else { continue };
            let Ok(s) = self.tcp(i) else { continue };
            match s.state() {
                // An abort's RST goes out with the next egress; reaped afterwards.
                State::Closed if s.remote_endpoint().is_none() => {
                    ports.release(Owner::Entry(i));
                    self.free_tcp(i);
                }
                State::Closed => {}
                // The connection is done: the bind table keeps the port in
                // TIME-WAIT, the socket goes back to the pool at once (out of
                // the socket set, so no RST is sent).
                State::TimeWait => {
                    ports.time_wait(Owner::Entry(i), now_us + TIME_WAIT_US);
                    self.free_tcp(i);
                }
                _ if now_us >= until => s.abort(),
                _ => {}
            }
        }
    }

    /// Has every lingering connection delivered all it sent (or its reset)?
    /// A peer that closed first has seen everything but our FIN's arrival:
    /// with the data acknowledged, its FIN (sent) is not waited for, so that a
    /// peer gone meanwhile does not hold the caller for the linger time.
    pub(crate) fn lingering_delivered(&mut self) -> bool {
        if self.lingering == 0 {
            return true;
        }
        (0..self.entries.len()).all(|i| match self.entries[i].role {
            Role::Lingering(_) => self.tcp(i).is_ok_and(|s| match s.state() {
                State::FinWait2 | State::TimeWait => true,
                State::LastAck | State::Closing => s.send_queue() == 0,
                State::Closed => s.remote_endpoint().is_none(),
                _ => false,
            }),
            _ => true,
        })
    }

    /// Resets every lingering connection still open (the next pumps reap them).
    pub(crate) fn abort_lingering(&mut self) {
        for i in 0..self.entries.len() {
            if matches!(self.entries[i].role, Role::Lingering(_))
                && let Ok(s) = self.tcp(i)
                && s.state() != State::Closed
            {
                s.abort();
            }
        }
    }

    /// Is entry `i`'s stall guard on?
    pub(crate) fn guarded(&self, i: usize) -> bool {
        self.entries.get(i).is_some_and(|e| e.guarded)
    }

    /// Are any stall guards on (the pump checks them only then)?
    pub(crate) fn any_guarded(&self) -> bool {
        self.guarded > 0
    }

    /// Data was queued on TCP entry `i`: guard it until it is acknowledged.
    pub(crate) fn guard_stall(&mut self, i: usize) {
        if self.guarded(i) {
            return;
        }
        if let Ok(s) = self.tcp(i) {
            stall::guard(s);
            self.entries[i].guarded = true;
            self.guarded += 1;
        }
    }

    /// Ends the guard of entries whose data is all acknowledged (or that are
    /// closed), restoring their own SO_KEEPALIVE (`keepalive` of their fd).
    pub(crate) fn release_stall_guards(&mut self, keepalive: impl Fn(Fd) -> bool) {
        for i in 0..self.entries.len() {
            if !self.entries[i].guarded {
                continue;
            }
            let user = match self.entries[i].role {
                Role::Fd(fd) => keepalive(fd),
                _ => false,
            };
            let Ok(s) = self.tcp(i) else { continue };
            if stall::still_needed(s) {
                continue;
            }
            stall::unguard(s, user);
            self.entries[i].guarded = false;
            self.guarded -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec;
    use std::vec::Vec;

    use super::*;
    use crate::constants::AF_INET;
    use crate::table::Slot;

    const CONFIG: Config = Config {
        sockets: 4,
        tcp_sockets: 3,
        tcp_rx_bytes: 64,
        tcp_tx_bytes: 64,
        udp_sockets: 1,
        udp_rx_bytes: 64,
        udp_tx_bytes: 64,
        udp_packets: 2,
        raw_sockets: 0,
        raw_bytes: 0,
        raw_packets: 0,
        loopback_bytes: 0,
        dns_queries: 0,
        multicast_groups: 0,
        max_backlog: 2,
        linger_ms: 1000,
        connect_timeout_ms: 1000,
        dns_timeout_ms: 1000,
        tcp_user_timeout_ms: 0,
        ack_delay_ms: 0,
        nagle: true,
        dhcp_v4: crate::config::DhcpClient::None,
    };

    /// A pool over leaked host memory (tests only).
    fn pool() -> Pool<'static> {
        let n = CONFIG.smoltcp_sockets();
        let mut bytes: &'static mut [u8] = vec![0; CONFIG.buffer_bytes()].leak();
        let memory = PoolMemory {
            sockets: ManagedSlice::Borrowed((0..n).map(|_| SocketStorage::EMPTY).collect::<Vec<_>>().leak()),
            entries: vec![Entry::EMPTY; n].leak(),
            parked: ManagedSlice::Borrowed((0..n).map(|_| None).collect::<Vec<_>>().leak()),
            bytes: &mut bytes,
            udp_meta: vec![udp::PacketMetadata::EMPTY; 2 * CONFIG.udp_packets].leak(),
        };
        Pool::new(memory, &CONFIG)
    }

    fn roles(p: &Pool<'_>) -> Vec<Role> {
        p.entries.iter().map(|e| e.role).collect()
    }

    #[test]
    fn sockets_are_lent_by_kind_and_parked_when_free() {
        let mut p = pool();
        assert_eq!(p.in_use(), 0);
        assert_eq!(p.set().iter().count(), 0, "free sockets are out of the set");
        let t = p.open(PoolKind::Tcp, 7).unwrap();
        let u = p.open(PoolKind::Udp, 8).unwrap();
        assert_eq!((t, u), (0, 3));
        assert_eq!(p.open(PoolKind::Udp, 9), Err(Errno::ENOMEM), "one UDP socket");
        assert!(p.tcp(t).is_ok() && p.udp(u).is_ok());
        assert_eq!(p.udp(t).err(), Some(Errno::EBADF), "a TCP entry has no UDP socket");
        assert_eq!(p.tcp(1).err(), Some(Errno::EBADF), "a free entry has none");
        assert_eq!(p.tcp(99).err(), Some(Errno::EBADF));
        assert_eq!((p.in_use(), p.set().iter().count()), (2, 2));
        p.close(u);
        p.free_tcp(t);
        assert_eq!((p.in_use(), p.set().iter().count()), (0, 0));
        assert_eq!(roles(&p), [Role::Free; 4]);
    }

    #[test]
    fn lingering_and_guards_are_counted_through_every_move() {
        let mut p = pool();
        let a = p.open(PoolKind::Tcp, 1).unwrap();
        let b = p.open(PoolKind::Tcp, 2).unwrap();
        p.guard_stall(a);
        p.guard_stall(a);
        assert_eq!(p.guarded, 1, "a second guard is the same guard");
        p.linger(a, 50);
        p.linger(a, 60);
        p.linger(b, 50);
        assert_eq!(p.lingering, 2);
        // Closed sockets with no peer are reaped at once.
        let mut bindings = [None; 8];
        let mut ports = PortTable::new(&mut bindings, 0);
        p.reap_lingering(0, &mut ports);
        assert_eq!((p.lingering, p.guarded), (0, 0));
        assert!(p.lingering_delivered());
        assert_eq!(roles(&p)[..2], [Role::Free, Role::Free]);
    }

    #[test]
    fn a_listener_arms_its_backlog_and_gives_its_sockets_up_on_close() {
        let mut p = pool();
        let mut slots = [None; 4];
        let mut fds = Table::new(&mut slots);
        let at = IpListenEndpoint { addr: None, port: 80 };
        let fd = fds.vacant().unwrap();
        let own = p.open(PoolKind::Tcp, fd).unwrap();
        p.listen(own, fd, at).unwrap();
        let mut slot = Slot::new(AF_INET, Kind::Stream(Phase::Listening { backlog: 2, accepting: false }));
        slot.local = (None, 80);
        fds.insert(slot).unwrap();
        assert!(p.rearm_due());
        p.rearm(&mut fds);
        assert!(!p.rearm_due());
        assert_eq!(fds.get(fd).unwrap().kind, Kind::Stream(Phase::Listening { backlog: 2, accepting: true }));
        assert_eq!(roles(&p)[..3], [Role::Armed(fd), Role::Free, Role::Free], "one armed socket at a time");
        assert_eq!(p.oldest_queued(fd), None);
        assert!(!p.listener_ready(fd));
        p.close_listener(fd, 0);
        assert_eq!((p.listeners, p.lingering), (0, 1));
        assert_eq!(roles(&p)[0], Role::Lingering(0));
    }
}
