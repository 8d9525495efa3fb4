//! Storage for a stack, provided by the caller: statics on a board, vectors on
//! a host ([`HostMemory`]). The stack carves socket buffers out of it once and
//! never allocates.

use smoltcp::iface::SocketStorage;
#[cfg(feature = "dns")]
use smoltcp::socket::dns;
#[cfg(feature = "raw")]
use smoltcp::socket::raw;
use smoltcp::socket::udp;
#[cfg(feature = "std")]
use smoltcp::storage::PacketMetadata;

use crate::config::Config;
use crate::owners::pool::Entry;
use crate::owners::ports::Binding;
use crate::owners::table::FdSlot;

/// The storage one stack uses; each part must have the length [`Memory::check`] asks for.
pub struct Memory<'a> {
    /// Socket buffers: [`Config::buffer_bytes`].
    pub bytes: &'a mut [u8],
    /// smoltcp's socket set: [`Config::smoltcp_sockets`] (a growable vector on hosts).
    pub sockets: managed::ManagedSlice<'a, SocketStorage<'a>>,
    /// UDP datagram metadata: [`Config::udp_meta`].
    pub udp_meta: &'a mut [udp::PacketMetadata],
    /// Raw packet metadata: [`Config::raw_meta`] (the `raw` feature).
    #[cfg(feature = "raw")]
    pub raw_meta: &'a mut [raw::PacketMetadata],
    /// DNS query slots: `dns_queries` (the `dns` feature).
    #[cfg(feature = "dns")]
    pub dns_queries: &'a mut [Option<dns::DnsQuery>],
    /// The fd table: `sockets`.
    pub fds: &'a mut [FdSlot],
    /// The socket pool: [`Config::smoltcp_sockets`].
    pub pool: &'a mut [Entry],
    /// Free sockets out of smoltcp's set: [`Config::smoltcp_sockets`] (a vector on hosts).
    pub parked: managed::ManagedSlice<'a, Option<smoltcp::socket::Socket<'a>>>,
    /// The bind table: [`Config::bindings`].
    pub bindings: &'a mut [Option<Binding>],
    /// The loop queue of frames to the board itself: [`Config::loopback_bytes`].
    pub loopback: &'a mut [u8],
}

/// A part of [`Memory`] with the wrong length.
///
/// # Examples
///
/// Memory laid out for one board file does not start another's stack:
///
/// ```
/// use usocket_runtime::boards::{C_PORT_MINIMAL, C_PORT_THREADS};
/// use usocket_runtime::static_memory;
///
/// let memory = static_memory!(C_PORT_MINIMAL.config).unwrap();
/// let err = memory.check(&C_PORT_THREADS.config).unwrap_err();
/// assert_ne!(err.needed, err.given);
/// assert!(err.to_string().starts_with("stack memory: "));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryError {
    /// The part.
    pub part: &'static str,
    /// The length the config needs.
    pub needed: usize,
    /// The length given.
    pub given: usize,
}

impl core::fmt::Display for MemoryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "stack memory: `{}` has {} entries, the board config needs {}", self.part, self.given, self.needed)
    }
}

/// `?` into `Box<dyn Error>`.
impl core::error::Error for MemoryError {}

impl Memory<'_> {
    /// Checks every part against `config`.
    pub fn check(&self, config: &Config) -> Result<(), MemoryError> {
        let sockets_ok = match &self.sockets {
            managed::ManagedSlice::Borrowed(s) => s.len(),
            #[cfg(feature = "std")]
            managed::ManagedSlice::Owned(_) => config.smoltcp_sockets(),
        };
        let part = |part, needed, given| if needed == given { Ok(()) } else { Err(MemoryError { part, needed, given }) };
        part("bytes", config.buffer_bytes(), self.bytes.len())?;
        part("sockets", config.smoltcp_sockets(), sockets_ok)?;
        part("udp_meta", config.udp_meta(), self.udp_meta.len())?;
        #[cfg(feature = "raw")]
        part("raw_meta", config.raw_meta(), self.raw_meta.len())?;
        #[cfg(feature = "dns")]
        part("dns_queries", config.dns_queries, self.dns_queries.len())?;
        part("fds", config.sockets, self.fds.len())?;
        part("pool", config.smoltcp_sockets(), self.pool.len())?;
        part("parked", config.smoltcp_sockets(), self.parked.len())?;
        part("bindings", config.bindings(), self.bindings.len())?;
        part("loopback", config.loopback_bytes, self.loopback.len())
    }
}

/// Storage for one stack in vectors, for host boards (the `std` feature;
/// a firmware uses [`static_memory!`](crate::static_memory)).
///
/// ```
/// use usocket_runtime::{HostMemory, boards::HOST_LOOPBACK};
///
/// let mut memory = HostMemory::new(&HOST_LOOPBACK.config);
/// assert!(memory.lend().check(&HOST_LOOPBACK.config).is_ok());
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub struct HostMemory {
    config: Config,
    bytes: std::vec::Vec<u8>,
    udp_meta: std::vec::Vec<udp::PacketMetadata>,
    #[cfg(feature = "raw")]
    raw_meta: std::vec::Vec<raw::PacketMetadata>,
    #[cfg(feature = "dns")]
    dns_queries: std::vec::Vec<Option<dns::DnsQuery>>,
    fds: std::vec::Vec<FdSlot>,
    pool: std::vec::Vec<Entry>,
    bindings: std::vec::Vec<Option<Binding>>,
    loopback: std::vec::Vec<u8>,
}

#[cfg(feature = "std")]
impl HostMemory {
    /// Storage sized for `config` (zeroed pages: untouched buffers cost no RAM).
    pub fn new(config: &Config) -> HostMemory {
        use std::vec;
        HostMemory {
            config: *config,
            bytes: vec![0; config.buffer_bytes()],
            udp_meta: vec![PacketMetadata::EMPTY; config.udp_meta()],
            #[cfg(feature = "raw")]
            raw_meta: vec![PacketMetadata::EMPTY; config.raw_meta()],
            #[cfg(feature = "dns")]
            dns_queries: (0..config.dns_queries).map(|_| None).collect(),
            fds: vec![FdSlot::FREE; config.sockets],
            pool: vec![Entry::EMPTY; config.smoltcp_sockets()],
            bindings: vec![None; config.bindings()],
            loopback: vec![0; config.loopback_bytes],
        }
    }

    /// Lends the storage to a stack.
    pub fn lend(&mut self) -> Memory<'_> {
        Memory {
            bytes: &mut self.bytes,
            sockets: managed::ManagedSlice::Owned(std::vec::Vec::with_capacity(self.config.smoltcp_sockets())),
            udp_meta: &mut self.udp_meta,
            #[cfg(feature = "raw")]
            raw_meta: &mut self.raw_meta,
            #[cfg(feature = "dns")]
            dns_queries: &mut self.dns_queries,
            fds: &mut self.fds,
            pool: &mut self.pool,
            parked: managed::ManagedSlice::Owned((0..self.config.smoltcp_sockets()).map(|_| None).collect()),
            bindings: &mut self.bindings,
            loopback: &mut self.loopback,
        }
    }
}
