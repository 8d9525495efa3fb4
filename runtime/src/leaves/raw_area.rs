//! The raw sockets' buffers (the `raw` feature): one region per raw socket,
//! lent to a socket made at socket() and free again when it is dropped at close().

use smoltcp::socket::raw;

use crate::config::Config;

/// Buffers of the raw sockets, which are made and dropped at socket()/close():
/// the one place the stack hands out the same memory twice, one socket at a time.
pub(crate) struct RawArea<'a> {
    bytes: *mut u8,
    meta: *mut raw::PacketMetadata,
    region_bytes: usize,
    region_packets: usize,
    _memory: core::marker::PhantomData<&'a mut [u8]>,
}

// SAFETY: the area has its memory to itself for 'a (lent as `&'a mut`
// slices, reached only through its pointers): moving it to another thread
// moves that access with it. It is not Sync (no `&RawArea` crosses threads).
unsafe impl Send for RawArea<'_> {}

impl<'a> RawArea<'a> {
    /// The area over what is left of the stack's memory after TCP and UDP.
    pub(crate) fn new(bytes: &'a mut [u8], meta: &'a mut [raw::PacketMetadata], config: &Config) -> Self {
        RawArea {
            bytes: bytes.as_mut_ptr(),
            meta: meta.as_mut_ptr(),
            region_bytes: config.raw_bytes,
            region_packets: config.raw_packets,
            _memory: core::marker::PhantomData,
        }
    }

    /// The buffers of raw region `i`.
    ///
    /// # Safety
    /// `i` is below `raw_sockets` and no live socket uses region `i`.
    pub(crate) unsafe fn buffers(&self, i: usize) -> (raw::PacketBuffer<'a>, raw::PacketBuffer<'a>) {
        // SAFETY: regions are disjoint parts of the memory lent for 'a, and the
        // caller guarantees that region `i` is not in use.
        unsafe {
            let b = self.bytes.add(2 * i * self.region_bytes);
            let m = self.meta.add(2 * i * self.region_packets);
            let rx_b = core::slice::from_raw_parts_mut(b, self.region_bytes);
            let tx_b = core::slice::from_raw_parts_mut(b.add(self.region_bytes), self.region_bytes);
            let rx_m = core::slice::from_raw_parts_mut(m, self.region_packets);
            let tx_m = core::slice::from_raw_parts_mut(m.add(self.region_packets), self.region_packets);
            (raw::PacketBuffer::new(rx_m, rx_b), raw::PacketBuffer::new(tx_m, tx_b))
        }
    }
}
