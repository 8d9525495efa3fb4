//! The stack: a smoltcp interface and socket set over caller-provided memory,
//! the fd table, the bind table, and the loop that drives them (`pump`) and
//! blocks an operation until it completes, times out or is interrupted.

use core::cell::Cell;

use smoltcp::iface::{Config as IfaceConfig, Interface, PollIngressSingleResult, PollResult, SocketSet};
use smoltcp::socket::{tcp, udp};
use smoltcp::storage::PacketBuffer;
use smoltcp::time::{Duration, Instant};

use crate::board::{Board, NetConfig};
use crate::config::{Config, ConfigError};
use crate::gate::Gate;
use crate::loopq::{LoopQueue, LoopStats};
use crate::memory::{Memory, MemoryError, take};
use crate::pool::{Entry, PoolKind, Role};
use crate::ports::PortTable;
use crate::selflink::{LOOPBACK, Own, SelfLink};
use crate::table::{Phase, Table};
use crate::time::Deadline;
use crate::{Errno, Fd};

/// Why a stack could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartError {
    /// The board config cannot work.
    Config(ConfigError),
    /// The memory does not fit the board config.
    Memory(MemoryError),
}

impl core::fmt::Display for StartError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StartError::Config(e) => e.fmt(f),
            StartError::Memory(e) => e.fmt(f),
        }
    }
}

/// Most ingress packets handled in one round of [`Stack::pump`] (bounded work per call).
const INGRESS_BUDGET: usize = 256;
/// Most ingress/egress rounds in one [`Stack::pump`].
const PUMP_ROUNDS: usize = 64;
/// How often the pump tells smoltcp's neighbour cache the board's own
/// addresses again (µs): well within the cache's 60 s entry lifetime.
const PRIME_US: u64 = 20_000_000;

/// A socket stack on one board implementing the spec's API ([`SocketApi`](crate::SocketApi)).
pub struct Stack<'a, B: Board> {
    pub(crate) board: B,
    pub(crate) config: Config,
    /// The board's network configuration (addresses, gateways, DNS servers).
    pub(crate) net: NetConfig,
    pub(crate) iface: Interface,
    pub(crate) sockets: SocketSet<'a>,
    pub(crate) fds: Table<'a>,
    pub(crate) pool: &'a mut [Entry],
    /// Free TCP and UDP sockets, by pool index, while out of the socket set.
    parked: managed::ManagedSlice<'a, Option<smoltcp::socket::Socket<'a>>>,
    pub(crate) ports: PortTable<'a>,
    /// The raw sockets' buffers.
    #[cfg(feature = "raw")]
    pub(crate) raw_area: crate::raw::RawArea<'a>,
    /// The DNS socket, when the config has DNS queries.
    #[cfg(feature = "dns")]
    pub(crate) dns: Option<smoltcp::iface::SocketHandle>,
    /// The DHCPv4 client, while it runs.
    #[cfg(feature = "dhcpv4")]
    pub(crate) dhcp: Option<crate::dhcp::Client>,
    /// How many DNS servers the board (or the DHCP lease) gave.
    #[cfg(feature = "dns")]
    pub(crate) dns_servers: usize,
    /// Accept-queue order.
    pub(crate) seq: u32,
    /// Listening sockets (the pump re-arms listeners only when there are some).
    pub(crate) listeners: usize,
    /// Something that lets a listener arm a socket happened since the last re-arm.
    pub(crate) rearm_pending: bool,
    /// Entries lingering after close (the pump reaps them only when there are some).
    pub(crate) lingering: usize,
    /// TCP entries with the stall guard on (the pump checks them only when there are some).
    pub(crate) stall_guards: usize,
    /// When the pump next checks the guarded entries (µs).
    guard_check_at: u64,
    /// The sendall() that an interrupt cut short after queuing part of its data.
    pub(crate) resume: Option<crate::tcp::SendallResume>,
    /// Frames the board sent to itself, received before the device's.
    loopq: LoopQueue<'a>,
    /// When the pump next primes the neighbour cache with the board's own addresses (µs; 0: at once).
    pub(crate) prime_at: u64,
    /// Which socket joined which multicast group.
    #[cfg(feature = "multicast")]
    pub(crate) memberships: crate::multicast::Memberships,
}

impl<'a, B: Board> Stack<'a, B> {
    /// Starts a stack on `board` with `memory` sized for `config`.
    pub fn new(memory: Memory<'a>, mut board: B, config: Config) -> Result<Self, StartError> {
        config.validate().map_err(StartError::Config)?;
        memory.check(&config).map_err(StartError::Memory)?;
        let net = board.net();
        let max_frame = smoltcp::phy::Device::capabilities(board.device()).max_transmission_unit;
        let min = LoopQueue::min_bytes(max_frame);
        if config.loopback_bytes > 0 && config.loopback_bytes < min {
            return Err(StartError::Config(ConfigError::TooSmall { field: "loopback_bytes", min }));
        }
        let mut iface_config = IfaceConfig::new(net.hardware);
        iface_config.random_seed = net.random_seed;
        let now = Instant::from_micros(board.now_us() as i64);
        let mut iface = Interface::new(iface_config, board.device(), now);
        iface.update_ip_addrs(|addrs| {
            // The board's own addresses first: smoltcp picks the first IPv4 address as
            // the source for destinations off every subnet.
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
            mut udp_meta,
            #[cfg(feature = "raw")]
            raw_meta,
            #[cfg(feature = "dns")]
            dns_queries,
            fds,
            pool,
            mut parked,
            bindings,
            loopback,
        } = memory;
        pool.fill(Entry::EMPTY);
        let sockets = SocketSet::new(sockets);
        let mut next = 0;
        for _ in 0..config.tcp_sockets {
            let rx = tcp::SocketBuffer::new(take(&mut bytes, config.tcp_rx_bytes));
            let tx = tcp::SocketBuffer::new(take(&mut bytes, config.tcp_tx_bytes));
            let mut socket = tcp::Socket::new(rx, tx);
            tcp_defaults(&mut socket, &config);
            pool[next] = Entry { kind: PoolKind::Tcp, ..Entry::EMPTY };
            parked[next] = Some(smoltcp::socket::Socket::Tcp(socket));
            next += 1;
        }
        for _ in 0..config.udp_sockets {
            let rx = PacketBuffer::new(take(&mut udp_meta, config.udp_packets), take(&mut bytes, config.udp_rx_bytes));
            let tx = PacketBuffer::new(take(&mut udp_meta, config.udp_packets), take(&mut bytes, config.udp_tx_bytes));
            pool[next] = Entry { kind: PoolKind::Udp, ..Entry::EMPTY };
            parked[next] = Some(smoltcp::socket::Socket::Udp(udp::Socket::new(rx, tx)));
            next += 1;
        }
        #[cfg(feature = "raw")]
        let raw_area = crate::raw::RawArea::new(bytes, raw_meta, &config);
        #[cfg(feature = "raw")]
        for region in 0..config.raw_sockets {
            pool[next] = Entry { kind: PoolKind::Raw, region, ..Entry::EMPTY };
            next += 1;
        }
        let stack = Stack {
            board,
            config,
            net,
            iface,
            sockets,
            fds: Table::new(fds),
            pool,
            parked,
            ports: PortTable::new(bindings, net.random_seed),
            #[cfg(feature = "raw")]
            raw_area,
            #[cfg(feature = "dns")]
            dns: None,
            #[cfg(feature = "dhcpv4")]
            dhcp: None,
            #[cfg(feature = "dns")]
            dns_servers: 0,
            seq: 0,
            listeners: 0,
            rearm_pending: false,
            lingering: 0,
            stall_guards: 0,
            guard_check_at: 0,
            resume: None,
            loopq: LoopQueue::new(loopback, max_frame),
            prime_at: 0,
            #[cfg(feature = "multicast")]
            memberships: Default::default(),
        };
        // The stack's own sockets after the pool's: the DNS socket, then the DHCP client (Config::smoltcp_sockets).
        #[cfg(feature = "dns")]
        let stack = stack.with_dns(dns_queries);
        #[cfg(feature = "dhcpv4")]
        let stack = stack.with_dhcp();
        Ok(stack)
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
        self.pool.iter().filter(|e| matches!(e.kind, PoolKind::Tcp | PoolKind::Udp | PoolKind::Raw) && e.role != Role::Free).count()
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

    pub(crate) fn now(&self) -> Instant {
        Instant::from_micros(self.board.now_us() as i64)
    }

    /// Waits on the board until smoltcp's next timer (a retransmission, a
    /// delayed ACK, DHCP) or until a frame may have come, then pumps: what a
    /// firmware main loop calls when it has nothing else to do.
    pub fn idle(&mut self) -> Result<(), crate::Interrupted> {
        let next = self.next_poll_us();
        // Frames to itself are there to be received at once.
        let result = if self.loopq.is_empty() { self.board.wait(next) } else { Ok(()) };
        self.pump();
        result
    }

    /// When smoltcp next has something to do (a timer), in board µs.
    fn next_poll_us(&mut self) -> Option<u64> {
        self.iface.poll_at(self.now(), &self.sockets).map(|i| i.total_micros().max(0) as u64)
    }

    /// Drives the interface: takes in what the device received (re-arming
    /// listeners between packets), sends what sockets queued, and repeats while
    /// that makes progress, within a bounded amount of work. Then re-arms
    /// listeners and ends lingering closes that are done.
    pub fn pump(&mut self) {
        // One reading of the clock per pump: it is short, and clock reads show in profiles.
        let now_us = self.board.now_us();
        let now = Instant::from_micros(now_us as i64);
        let own = Own::of(self.net.hardware, &self.iface);
        // Once the device has nothing, the rest of this pump reads only frames to itself.
        let drained = Cell::new(false);
        if self.loopq.enabled() && now_us >= self.prime_at {
            self.prime_at = now_us + PRIME_US;
            crate::selflink::prime(&self.loopq, &own);
        }
        for _ in 0..PUMP_ROUNDS {
            let mut progress = false;
            for _ in 0..INGRESS_BUDGET {
                if self.listeners > 0 && self.rearm_pending {
                    self.rearm_listeners();
                }
                // The gate sees every connection request: only those can make an armed listener leave Listen.
                let syn = Cell::new(false);
                let fds = &self.fds;
                let closed = |port: u16| {
                    syn.set(true);
                    fds.iter().any(|(_, s)| matches!(s.phase, Phase::Listening(_)) && s.local.1 == port && !s.accepting)
                };
                let mut link = SelfLink::new(self.board.device(), &self.loopq, own, &drained);
                let mut gate = Gate { inner: &mut link, closed };
                match self.iface.poll_ingress_single(now, &mut gate, &mut self.sockets) {
                    PollIngressSingleResult::None => break,
                    _ => progress = true,
                }
                self.rearm_pending |= syn.get();
            }
            let mut link = SelfLink::new(self.board.device(), &self.loopq, own, &drained);
            if self.iface.poll_egress(now, &mut link, &mut self.sockets) == PollResult::SocketStateChanged {
                progress = true;
            }
            // What the board sent itself is received in the next round.
            progress |= !self.loopq.is_empty();
            if !progress {
                break;
            }
        }
        if self.listeners > 0 && self.rearm_pending {
            self.rearm_listeners();
        }
        self.reap_lingering(now_us);
        self.ports.expire(now_us);
        #[cfg(feature = "dhcpv4")]
        if self.dhcp.is_some() {
            self.dhcp_update();
        }
        if self.stall_guards > 0 && now_us >= self.guard_check_at {
            self.guard_check_at = now_us + crate::stall::GUARD_CHECK_US;
            self.release_stall_guards();
        }
    }

    /// Runs `attempt` until it gives a result, pumping the stack and waiting on
    /// the board between tries: EAGAIN at once when `timeout` is `Some(0)`,
    /// ETIMEDOUT when the timeout (ms) passes, EINTR when the board's wait is
    /// interrupted.
    pub(crate) fn block<T>(&mut self, timeout: Option<u32>, mut attempt: impl FnMut(&mut Self) -> Option<Result<T, Errno>>) -> Result<T, Errno> {
        // Most calls can complete at once: try before driving the stack, then
        // drive it once so that what the call queued goes out.
        if let Some(result) = attempt(self) {
            self.pump();
            return result;
        }
        let deadline = Deadline::from_timeout(timeout, self.board.now_us());
        self.block_until(deadline, attempt)
    }

    /// [`Stack::block`] with a deadline already set (a resumed call keeps its own).
    pub(crate) fn block_until<T>(&mut self, deadline: Deadline, mut attempt: impl FnMut(&mut Self) -> Option<Result<T, Errno>>) -> Result<T, Errno> {
        loop {
            self.pump();
            if let Some(result) = attempt(self) {
                self.pump();
                return result;
            }
            let now = self.board.now_us();
            match deadline {
                Deadline::Now => return Err(Errno::EAGAIN),
                Deadline::At(t) if now >= t => return Err(Errno::ETIMEDOUT),
                _ => {}
            }
            let until = match (deadline.until_us(), self.next_poll_us()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            // Frames to itself are there to be received at once.
            if until.is_none_or(|t| t > now) && self.loopq.is_empty() {
                self.board.wait(until).map_err(|_| Errno::EINTR)?;
            }
        }
    }

    /// The fd's timeout, checking that it is open.
    pub(crate) fn timeout_of(&self, fd: Fd) -> Result<Option<u32>, Errno> {
        Ok(self.fds.get(fd)?.timeout)
    }

    /// The TCP socket of pool entry `i` (in use).
    pub(crate) fn tcp(&mut self, i: usize) -> &mut tcp::Socket<'a> {
        let handle = self.pool[i].handle.expect("a TCP socket in use is in the socket set");
        self.sockets.get_mut::<tcp::Socket<'a>>(handle)
    }

    /// The UDP socket of pool entry `i` (in use).
    pub(crate) fn udp(&mut self, i: usize) -> &mut udp::Socket<'a> {
        let handle = self.pool[i].handle.expect("a UDP socket in use is in the socket set");
        self.sockets.get_mut::<udp::Socket<'a>>(handle)
    }

    /// Puts free entry `i`'s parked socket into the socket set, for `role`.
    pub(crate) fn unpark(&mut self, i: usize, role: Role) {
        if let Some(socket) = self.parked[i].take() {
            self.pool[i].handle = Some(self.sockets.add(socket));
        }
        self.pool[i].role = role;
    }

    /// Takes entry `i`'s socket out of the socket set and marks the entry free.
    pub(crate) fn park(&mut self, i: usize) {
        if let Some(handle) = self.pool[i].handle.take() {
            self.parked[i] = Some(self.sockets.remove(handle));
        }
        self.pool[i].role = Role::Free;
    }

    /// Puts a TCP pool socket back to a fresh state with the board's defaults.
    pub(crate) fn reset_tcp(&mut self, i: usize) {
        let config = self.config;
        let s = self.tcp(i);
        if s.state() != tcp::State::Closed {
            s.abort();
        }
        tcp_defaults(s, &config);
        if core::mem::take(&mut self.pool[i].guarded) {
            self.stall_guards -= 1;
        }
    }
}

/// The board's defaults on a TCP socket.
fn tcp_defaults(s: &mut tcp::Socket<'_>, config: &Config) {
    s.set_nagle_enabled(config.nagle);
    s.set_ack_delay((config.ack_delay_ms > 0).then(|| Duration::from_millis(u64::from(config.ack_delay_ms))));
    s.set_keep_alive(None);
    s.set_timeout((config.tcp_user_timeout_ms > 0).then(|| Duration::from_millis(u64::from(config.tcp_user_timeout_ms))));
}
