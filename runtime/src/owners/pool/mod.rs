//! The socket pool: every smoltcp socket of the stack, made once at start,
//! what each is doing (owned by an fd, armed or queued for a listener,
//! lingering after close), and smoltcp's socket set they live in while in use.
//! Listen backlogs and graceful close live on these roles.
//!
//! Only sockets in use are in the socket set; a free socket is parked beside
//! the pool, which keeps the entries small for the pump's scans.
//! UPSTREAM(smoltcp 0.14): the interface offers every packet to every socket
//! of the set in turn — remove when smoltcp finds a packet's socket without
//! visiting each (then free sockets may stay in the set, unparked).
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

use crate::config::Config;
use crate::leaves::stall;
use crate::leaves::time::{BoardTime, millis};
use crate::owners::ports::{Owner, PortTable};
use crate::{Errno, Fd};

/// How long a port stays in TIME-WAIT for binds without SO_REUSEADDR.
const TIME_WAIT: Duration = Duration::from_secs(10);

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
    /// Closed by its fd; still delivering data and FIN until this instant.
    Lingering(BoardTime),
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
    /// TCP: the stall guard is on (see `leaves/stall.rs`).
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
        let ms = |v: u32| (v > 0).then(|| millis(v));
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

    /// Fd → Lingering: entry `i`'s connection finishes without an fd, until `until`.
    pub(crate) fn linger(&mut self, i: usize, until: BoardTime) {
        if !matches!(self.entries[i].role, Role::Lingering(_)) {
            self.lingering += 1;
        }
        self.entries[i].role = Role::Lingering(until);
    }

    /// Lingering → Free for sockets whose connection ended (their port to
    /// TIME-WAIT or released); resets those past their linger time.
    pub(crate) fn reap_lingering(&mut self, now: BoardTime, ports: &mut PortTable<'_>) {
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
                    ports.time_wait(Owner::Entry(i), now + TIME_WAIT);
                    self.free_tcp(i);
                }
                _ if now >= until => s.abort(),
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
            stall::set_keepalive(s, user);
            self.entries[i].guarded = false;
            self.guarded -= 1;
        }
    }
}

mod backlog;
#[cfg(test)]
mod tests;
