//! The stack: a smoltcp interface, the socket pool, the fd table and the bind
//! table over caller-provided memory, and the loop that drives them (`pump`)
//! and blocks an operation until it completes, times out or is interrupted.

mod api;
mod gate;
mod loopq;
mod selflink;

pub use loopq::LoopStats;

use core::cell::Cell;

use smoltcp::iface::{Config as IfaceConfig, Interface, PollIngressSingleResult, PollResult};
use smoltcp::time::Duration;

use crate::board::{Board, NetConfig};
use crate::board::{Memory, MemoryError};
use crate::config::{Config, ConfigError};
use crate::constants::{POLL_ERR, POLL_HUP};
use crate::leaves::resume::SendallResume;
use crate::leaves::time::{BoardTime, Deadline};
use crate::owners::phase::Phase;
use crate::owners::pool::{Pool, PoolMemory};
use crate::owners::ports::PortTable;
use crate::owners::table::{Kind, Slot, Table};
use crate::stack::gate::Gate;
use crate::stack::loopq::LoopQueue;
use crate::stack::selflink::{LOOPBACK, Own, SelfLink};
use crate::threads::park::{Mode, Parked, Step, WaitsOn};
use crate::{Errno, Fd};

/// Why a stack could not start.
///
/// [`Stack::new`] checks the config, then the memory against it, before it
/// touches the board; a firmware reports the text (it names the field or
/// part) and stops.
///
/// # Examples
///
/// ```
/// use core::error::Error;
/// use usocket_runtime::{ConfigError, StartError};
///
/// let err = StartError::Config(ConfigError::TooSmall { field: "sockets", min: 1 });
/// assert_eq!(err.to_string(), "board config: `sockets` must be at least 1");
/// assert!(err.source().is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartError {
    /// The board config cannot work.
    Config(ConfigError),
    /// The memory does not fit the board config.
    Memory(MemoryError),
    /// The board's device and its hardware address are of different media
    /// (an IP-medium device with a MAC, or an Ethernet device without one);
    /// smoltcp would panic on it.
    Medium(smoltcp::phy::Medium),
}

impl core::fmt::Display for StartError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StartError::Config(e) => e.fmt(f),
            StartError::Memory(e) => e.fmt(f),
            StartError::Medium(m) => write!(f, "the board's device is of medium {m:?}, its hardware address is not"),
        }
    }
}

/// `?` into `Box<dyn Error>`; the config or memory error is its source.
impl core::error::Error for StartError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            StartError::Config(e) => Some(e),
            StartError::Memory(e) => Some(e),
            StartError::Medium(_) => None,
        }
    }
}

/// Most ingress packets handled in one round of [`Stack::pump`] (bounded work per call).
const INGRESS_BUDGET: usize = 256;
/// Most ingress/egress rounds in one [`Stack::pump`].
const PUMP_ROUNDS: usize = 64;
/// How often the pump tells smoltcp's neighbour cache the board's own
/// addresses again: well within the cache's 60 s entry lifetime.
const PRIME: Duration = Duration::from_secs(20);

/// A socket stack on one board implementing the spec's API ([`SocketApi`](crate::SocketApi)).
///
/// A few owners, each keeping its own invariants: the interface, the socket
/// pool (smoltcp's socket set with every socket's role and the counters the
/// pump reads), the fd table, the bind table, and the stack's own services.
/// Each API call borrows the owners it needs apart (e.g. the interface beside
/// a socket of the pool).
///
/// One owner calls it with `&mut`: a blocking call then waits on the board
/// holding it. To share one between threads or tasks, put it in a
/// [`Shared`](crate::Shared) (it is `Send` when its board is): each call takes
/// the platform's lock only while it runs, and a blocking call parks and
/// sleeps without it, so calls on other sockets go on and a close wakes a
/// call blocked on that socket with EBADF. The C ABI's boards do this.
///
/// # Examples
///
/// The crate's quick start and [`Board`]'s example start one; `usocket-host`
/// runs one on its loopback board. A firmware's main loop between calls:
///
/// ```
/// use usocket_runtime::{Board, Stack};
///
/// /// Keeps TCP's timers (retransmissions, delayed ACKs) and DHCP going
/// /// while the firmware has nothing else to do, until a signal.
/// fn serve_idle(stack: &mut Stack<'_, impl Board>, rounds: usize) {
///     for _ in 0..rounds {
///         if stack.idle().is_err() {
///             break;
///         }
///     }
///     // Nothing open but what the firmware opened: no leak across rounds.
///     assert!(stack.open_sockets() <= stack.config().sockets);
/// }
/// ```
pub struct Stack<'a, B: Board> {
    board: B,
    config: Config,
    /// The board's network configuration (addresses, gateways, DNS servers).
    net: NetConfig,
    iface: Interface,
    pool: Pool<'a>,
    fds: Table<'a>,
    ports: PortTable<'a>,
    /// The raw sockets' buffers.
    #[cfg(feature = "raw")]
    raw_area: crate::leaves::raw_area::RawArea<'a>,
    /// The resolver, when the config has DNS queries.
    #[cfg(feature = "dns")]
    dns: Option<crate::leaves::services::Resolver>,
    /// The DHCPv4 client, while it runs.
    #[cfg(feature = "dhcpv4")]
    dhcp: Option<crate::leaves::services::Client>,
    /// The sendall() that an interrupt cut short after queuing part of its data.
    resume: Option<SendallResume>,
    /// How the call now running waits: on the board, or by parking.
    mode: Mode,
    /// A pump did work (took frames in, sent, ran timers) since the last
    /// [`Stack::take_changed`]: news for calls parked on a shared stack.
    changed: bool,
    /// What the last poll_delay() since [`Stack::take_told`] told its caller.
    told: Option<Told>,
    /// Frames the board sent to itself, received before the device's.
    loopq: LoopQueue<'a>,
    /// When the pump next does its periodic work.
    timers: Timers,
    /// Which socket joined which multicast group.
    #[cfg(feature = "multicast")]
    memberships: crate::leaves::memberships::Memberships,
}

/// Whether a device of `medium` can carry `hardware`.
///
/// UPSTREAM(smoltcp 0.14): `Interface::new` panics when the device's medium
/// and the hardware address differ — remove when it returns an error (which
/// then becomes [`StartError::Medium`]).
fn same_medium(medium: smoltcp::phy::Medium, hardware: smoltcp::wire::HardwareAddress) -> bool {
    use smoltcp::phy::Medium;
    use smoltcp::wire::HardwareAddress;
    matches!((medium, hardware), (Medium::Ethernet, HardwareAddress::Ethernet(_)) | (Medium::Ip, HardwareAddress::Ip))
}

/// When the pump next does each periodic job ([`BoardTime::ZERO`]: at once).
#[derive(Debug, Clone, Copy, Default)]
struct Timers {
    /// Tell smoltcp's neighbour cache the board's own addresses again.
    prime_at: BoardTime,
    /// Look for stall guards to end.
    guard_check_at: BoardTime,
}

/// What poll_delay() told its caller (a firmware's network task, which
/// pumps, then sleeps that long or until a frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Told {
    /// When the stack next has timed work; None: only a frame gives it work.
    pub(crate) until: Option<BoardTime>,
}

impl<'a, B: Board> Stack<'a, B> {
    /// Starts a stack on `board` with `memory` sized for `config`.
    pub fn new(memory: Memory<'a>, mut board: B, config: Config) -> Result<Self, StartError> {
        config.validate().map_err(StartError::Config)?;
        memory.check(&config).map_err(StartError::Memory)?;
        let net = board.net();
        let caps = smoltcp::phy::Device::capabilities(board.device());
        if !same_medium(caps.medium, net.hardware) {
            return Err(StartError::Medium(caps.medium));
        }
        let max_frame = caps.max_transmission_unit;
        let min = LoopQueue::min_bytes(max_frame);
        if config.loopback_bytes > 0 && config.loopback_bytes < min {
            return Err(StartError::Config(ConfigError::TooSmall { field: "loopback_bytes", min }));
        }
        let mut iface_config = IfaceConfig::new(net.hardware);
        iface_config.random_seed = net.random_seed;
        let now = board.now().to_instant();
        let mut iface = Interface::new(iface_config, board.device(), now);
        iface.update_ip_addrs(|addrs| {
            // The board's own addresses first.
            // UPSTREAM(smoltcp 0.14): the source for a destination off every
            // subnet is the interface's first IPv4 address, 127.0.0.1 too —
            // remove when smoltcp never picks a loopback source for another
            // destination (then the order is free).
            let own = net.addresses.iter().flatten();
            let loopback = LOOPBACK.iter().filter(|lo| !net.addresses.iter().flatten().any(|c| c.address() == lo.address()));
            for cidr in own.chain(loopback) {
                // Capacity is the interface's compiled-in address count.
                let _ = addrs.push(*cidr);
            }
        });
        if let Some(gw) = net.gateway_v4 {
            let _ = iface.routes_mut().add_default_ipv4_route(gw);
        }
        #[cfg(feature = "ipv6")]
        if let Some(gw) = net.gateway_v6 {
            let _ = iface.routes_mut().add_default_ipv6_route(gw);
        }

        let Memory {
            mut bytes,
            sockets,
            udp_meta,
            #[cfg(feature = "raw")]
            raw_meta,
            #[cfg(feature = "dns")]
            dns_queries,
            fds,
            pool,
            parked,
            bindings,
            loopback,
        } = memory;
        // Mutable to start the stack's own sockets in it.
        #[cfg_attr(not(any(feature = "dns", feature = "dhcpv4")), allow(unused_mut))]
        let mut pool = Pool::new(PoolMemory { sockets, entries: pool, parked, bytes: &mut bytes, udp_meta }, &config);
        // The stack's own sockets after the pool's: the DNS socket, then the DHCP client (Config::smoltcp_sockets).
        #[cfg(feature = "dns")]
        let dns = if config.dns_queries > 0 { crate::leaves::services::Resolver::start(&mut pool, &net, dns_queries) } else { None };
        #[cfg(feature = "dhcpv4")]
        let dhcp = if config.dhcp_v4 == crate::config::DhcpClient::FromStart { crate::leaves::services::Client::start(&mut pool) } else { None };
        Ok(Stack {
            board,
            config,
            net,
            iface,
            pool,
            fds: Table::new(fds),
            ports: PortTable::new(bindings, net.random_seed),
            #[cfg(feature = "raw")]
            raw_area: crate::leaves::raw_area::RawArea::new(bytes, raw_meta, &config),
            #[cfg(feature = "dns")]
            dns,
            #[cfg(feature = "dhcpv4")]
            dhcp,
            resume: None,
            mode: Mode::Board,
            changed: false,
            told: None,
            loopq: LoopQueue::new(loopback, max_frame),
            timers: Timers::default(),
            #[cfg(feature = "multicast")]
            memberships: Default::default(),
        })
    }

    /// The board.
    pub fn board(&self) -> &B {
        &self.board
    }

    /// The board, mutably (e.g. to reconfigure a test device).
    pub fn board_mut(&mut self) -> &mut B {
        &mut self.board
    }

    /// The sizes this stack was started with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Number of open fds.
    pub fn open_sockets(&self) -> usize {
        self.fds.open()
    }

    /// Number of pooled smoltcp sockets in use (fds, accept queues, lingering closes).
    pub fn pool_in_use(&self) -> usize {
        self.pool.in_use()
    }

    /// What the loop queue did: frames the board delivered to itself, and
    /// frames dropped because the queue was full.
    pub fn loopback_stats(&self) -> LoopStats {
        self.loopq.stats()
    }

    /// The interface's addresses (the board's own, then 127.0.0.1/8 and ::1/128).
    pub fn addresses(&self) -> impl Iterator<Item = smoltcp::wire::IpCidr> + '_ {
        self.iface.ip_addrs().iter().copied()
    }

    /// Waits on the board until smoltcp's next timer (a retransmission, a
    /// delayed ACK, DHCP) or until a frame may have come, then pumps: what a
    /// firmware main loop calls when it has nothing else to do.
    pub fn idle(&mut self) -> Result<(), crate::Interrupted> {
        let next = self.next_poll();
        // Frames to itself are there to be received at once.
        let result = if self.loopq.is_empty() { self.board.wait(next) } else { Ok(()) };
        self.pump();
        result
    }

    /// When the stack next has work of its own: now while frames
    /// to itself wait, else smoltcp's next timer (a retransmission, a delayed
    /// ACK, DHCP); None: only a frame from the device can give it work. What a
    /// host that waits on more than the board (e.g. OS fds too) waits until,
    /// before it calls [`Stack::pump`].
    pub fn next_event(&mut self) -> Option<BoardTime> {
        if self.loopq.is_empty() { self.next_poll() } else { Some(self.board.now()) }
    }

    /// When smoltcp next has something to do (a timer).
    fn next_poll(&mut self) -> Option<BoardTime> {
        self.iface.poll_at(self.board.now().to_instant(), self.pool.set()).map(BoardTime::from_instant)
    }

    /// Drives the interface: takes in what the device received (re-arming
    /// listeners between packets), sends what sockets queued, and repeats while
    /// that makes progress, within a bounded amount of work. Then re-arms
    /// listeners and ends lingering closes that are done.
    pub fn pump(&mut self) {
        // One reading of the clock per pump: it is short, and clock reads show in profiles.
        let now = self.board.now();
        let instant = now.to_instant();
        let own = Own::of(self.net.hardware, &self.iface);
        // Once the device has nothing, the rest of this pump reads only frames to itself.
        let drained = Cell::new(false);
        if self.loopq.enabled() && now >= self.timers.prime_at {
            self.timers.prime_at = now + PRIME;
            crate::stack::selflink::prime(&self.loopq, &own);
        }
        for _ in 0..PUMP_ROUNDS {
            let mut progress = false;
            for _ in 0..INGRESS_BUDGET {
                if self.pool.rearm_due() {
                    self.pool.rearm(&mut self.fds);
                }
                // The gate sees every connection request: only those can make an armed listener leave Listen.
                let syn = Cell::new(false);
                let fds = &self.fds;
                let closed = |port: u16| {
                    syn.set(true);
                    fds.iter().any(|(_, s)| matches!(s.phase(), Some(Phase::Listening { accepting: false, .. })) && s.local.port == port)
                };
                let mut link = SelfLink::new(self.board.device(), &self.loopq, &own, &drained);
                let mut gate = Gate { inner: &mut link, closed };
                match self.iface.poll_ingress_single(instant, &mut gate, self.pool.set_mut()) {
                    PollIngressSingleResult::None => break,
                    _ => progress = true,
                }
                if syn.get() {
                    self.pool.note_syn();
                }
            }
            let mut link = SelfLink::new(self.board.device(), &self.loopq, &own, &drained);
            if self.iface.poll_egress(instant, &mut link, self.pool.set_mut()) == PollResult::SocketStateChanged {
                progress = true;
            }
            // What the board sent itself is received in the next round.
            progress |= !self.loopq.is_empty();
            if !progress {
                break;
            }
            self.changed = true;
        }
        if self.pool.rearm_due() {
            self.pool.rearm(&mut self.fds);
        }
        self.pool.reap_lingering(now, &mut self.ports);
        self.ports.expire(now);
        #[cfg(feature = "dhcpv4")]
        if self.dhcp.is_some() {
            self.dhcp_update();
        }
        if self.pool.any_guarded() && now >= self.timers.guard_check_at {
            self.timers.guard_check_at = now + crate::leaves::stall::GUARD_CHECK;
            let fds = &self.fds;
            self.pool.release_stall_guards(|fd| fds.get(fd).is_ok_and(|slot| slot.options.keepalive));
        }
    }

    /// Runs `f` (one API call) as a call on a shared stack: when it must wait
    /// it parks instead of waiting on the board, and the step says so; with
    /// `resume`, the record of its last park, it goes on from there. EBADF
    /// (without running `f`) when the fd it waited on was closed meanwhile.
    /// [`crate::Shared`] runs calls this way.
    pub fn call_step<R>(&mut self, resume: Option<Parked>, f: impl FnOnce(&mut Self) -> R) -> Result<Step<R>, Errno> {
        if let Some(on) = resume.as_ref().and_then(|p| p.on)
            && self.fds.generation(on.fd) != Some(on.generation)
        {
            return Err(Errno::EBADF);
        }
        self.mode = resume.map_or(Mode::Fresh, Mode::Resuming);
        let result = f(self);
        Ok(match core::mem::take(&mut self.mode) {
            Mode::Parked(parked) => Step::Parked(parked),
            _ => Step::Done(result),
        })
    }

    /// Runs `attempt` on socket `on`'s fd (None: no socket) until it gives a
    /// result (on a shared stack, a parked call is woken when the fd has the
    /// poll events `on` names, or is closed), pumping the stack and waiting
    /// between tries: EAGAIN at once when `timeout` is `Some(0)`, ETIMEDOUT
    /// when the timeout (ms) passes,
    /// EINTR when the wait is interrupted. On a shared stack the call parks
    /// instead of waiting ([`Stack::call_step`]); what it returns then is not
    /// seen, and a caller that moved data keeps it with `self.mode.keep`.
    fn block<T>(&mut self, on: Option<(Fd, i32)>, timeout: Option<u32>, mut attempt: impl FnMut(&mut Self) -> Option<Result<T, Errno>>) -> Result<T, Errno> {
        // Most calls can complete at once: try before driving the stack, then
        // drive it once so that what the call queued goes out.
        if let Some(result) = attempt(self) {
            self.pump();
            return result;
        }
        let deadline = Deadline::from_timeout(timeout, self.board.now());
        self.block_until(on, deadline, attempt)
    }

    /// [`Stack::block`] with a deadline already set (a resumed call keeps its
    /// own; so does a parked one, whose record overrides `deadline`).
    fn block_until<T>(
        &mut self,
        on: Option<(Fd, i32)>,
        deadline: Deadline,
        mut attempt: impl FnMut(&mut Self) -> Option<Result<T, Errno>>,
    ) -> Result<T, Errno> {
        let (deadline, interrupted) = match self.mode.take_resume() {
            Some(parked) => (parked.deadline, parked.interrupted),
            None => (deadline, false),
        };
        loop {
            self.pump();
            if let Some(result) = attempt(self) {
                self.pump();
                return result;
            }
            let now = self.board.now();
            match deadline {
                Deadline::Now => return Err(Errno::EAGAIN),
                Deadline::At(t) if now >= t => return Err(Errno::ETIMEDOUT),
                _ if interrupted => return Err(Errno::EINTR),
                _ => {}
            }
            // Frames to itself are there to be received at once.
            let next = if self.loopq.is_empty() { self.next_poll() } else { Some(now) };
            let on = on.and_then(|(fd, events)| Some(WaitsOn { fd, generation: self.fds.generation(fd)?, events }));
            let parked = Parked::new(deadline, on, next);
            if self.mode.park(parked) {
                // Not the caller's: the call runs again after its wait.
                return Err(Errno::EAGAIN);
            }
            // Not parked: the same wait on the board, holding the stack.
            let until = parked.until();
            if until.is_none_or(|t| t > now) {
                self.board.wait(until).map_err(|_| Errno::EINTR)?;
            }
        }
    }

    /// Might the call parked on `on` go on: its fd has one of the poll events
    /// it waits for (or an error or hang-up), or it was closed?
    pub fn ready(&mut self, on: &WaitsOn) -> bool {
        if self.fds.generation(on.fd) != Some(on.generation) {
            return true;
        }
        let Ok(slot) = self.fds.get(on.fd).copied() else { return true };
        let flags = self.poll_flags(on.fd, &slot).unwrap_or(POLL_ERR);
        flags & (on.events | POLL_ERR | POLL_HUP) != 0
    }

    /// The poll flags of open fd `fd` with slot `slot` now (without a pump):
    /// what select's poll() and a parked call's wake-up both read.
    fn poll_flags(&mut self, fd: Fd, slot: &Slot) -> Result<i32, Errno> {
        match slot.kind {
            Kind::Stream(_) => self.tcp_poll(fd),
            _ => Ok(self.dgram_poll(slot)),
        }
    }

    /// Did a pump do work since the last call of this (and forget it)?
    pub(crate) fn take_changed(&mut self) -> bool {
        core::mem::take(&mut self.changed)
    }

    /// The delay poll_delay() gives its caller (ms, None: only a frame can
    /// give the stack work), remembered for [`Stack::take_told`].
    fn poll_delay_ms(&mut self) -> Option<u32> {
        let now = self.board.now();
        let next = self.next_event();
        self.told = Some(Told { until: next });
        next.map(|at| now.millis_until(at))
    }

    /// What the last poll_delay() since the last call of this told its
    /// caller, and forget it; None without one. A shared stack wakes that
    /// caller if a call makes the stack's next timed work sooner.
    pub(crate) fn take_told(&mut self) -> Option<Told> {
        self.told.take()
    }

    /// The board's addresses changed: the next pump tells the neighbour cache the new ones.
    fn reprime(&mut self) {
        self.timers.prime_at = BoardTime::ZERO;
    }

    /// The fd's timeout, checking that it is open.
    fn timeout_of(&self, fd: Fd) -> Result<Option<u32>, Errno> {
        Ok(self.fds.get(fd)?.timeout)
    }
}
