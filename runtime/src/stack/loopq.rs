//! The loop queue: frames the board sent to itself, waiting to be received,
//! packed into a byte ring that [`Memory`](crate::Memory) lends (no heap).
//!
//! A record is a 4-byte length and the frame. The ring is a bipartite buffer:
//! region A `[a_start, a_end)` holds the oldest records and, once writing
//! wraps, region B `[0, b_end)` the newer ones, so every record and every
//! write is one contiguous slice that smoltcp reads or writes in place.
//! A write always gets room for the largest frame: a frame is kept only if
//! that much contiguous room is left after it, else it is dropped (counted;
//! TCP sends it again). Reading only ever grows the room, so the next write
//! always has its room, even while a received frame is still being read.

use core::cell::Cell;
use core::marker::PhantomData;

/// Bytes before each queued frame: its length, little-endian.
const HEADER: usize = 4;

/// What the loop queue did, for tests and diagnostics.
///
/// From [`Stack::loopback_stats`](crate::Stack::loopback_stats) ([`Board`](crate::Board)'s
/// example reads it): drops mean `loopback_bytes` is too small for the traffic.
///
/// # Examples
///
/// ```
/// use usocket_runtime::LoopStats;
///
/// fn report(stats: LoopStats) -> Option<u64> {
///     (stats.dropped > 0).then_some(stats.dropped)
/// }
/// assert_eq!(report(LoopStats { looped: 12, dropped: 0 }), None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoopStats {
    /// Frames the board delivered to itself.
    pub looped: u64,
    /// Frames to itself dropped because the queue was full.
    pub dropped: u64,
}

/// The ring of frames to self.
pub(super) struct LoopQueue<'a> {
    bytes: *mut u8,
    cap: usize,
    /// The largest record (header and frame): always left free for the next write.
    max_record: usize,
    a_start: Cell<usize>,
    a_end: Cell<usize>,
    /// End of region B; 0 while writing has not wrapped.
    b_end: Cell<usize>,
    /// A write's room is handed out (a second one would overlap it).
    writing: Cell<bool>,
    /// The front record is handed out (releasing it twice would free a record in use).
    reading: Cell<bool>,
    looped: Cell<u64>,
    dropped: Cell<u64>,
    _memory: PhantomData<&'a mut [u8]>,
}

// SAFETY: the queue has its memory to itself for 'a (lent as `&'a mut [u8]`,
// reached only through `bytes`): moving it to another thread moves that access
// with it. Its Cells keep it !Sync: one thread at a time.
unsafe impl Send for LoopQueue<'_> {}

impl<'a> LoopQueue<'a> {
    /// The fewest bytes that queue one frame of `max_frame` bytes besides the room for the next.
    pub(super) const fn min_bytes(max_frame: usize) -> usize {
        2 * (HEADER + max_frame)
    }

    /// A queue in `bytes` for frames of at most `max_frame` bytes; off (every
    /// frame goes to the device) when `bytes` is empty. `bytes` is at least
    /// [`LoopQueue::min_bytes`] or empty (checked by the stack).
    pub(super) fn new(bytes: &'a mut [u8], max_frame: usize) -> Self {
        debug_assert!(bytes.is_empty() || bytes.len() >= Self::min_bytes(max_frame));
        LoopQueue {
            bytes: bytes.as_mut_ptr(),
            cap: bytes.len(),
            max_record: HEADER + max_frame,
            a_start: Cell::new(0),
            a_end: Cell::new(0),
            b_end: Cell::new(0),
            writing: Cell::new(false),
            reading: Cell::new(false),
            looped: Cell::new(0),
            dropped: Cell::new(0),
            _memory: PhantomData,
        }
    }

    /// Does the board loop its frames here (a queue of more than no bytes)?
    pub(super) fn enabled(&self) -> bool {
        self.cap > 0
    }

    /// The largest frame it takes.
    pub(super) fn max_frame(&self) -> usize {
        self.max_record - HEADER
    }

    /// Are frames waiting?
    pub(super) fn is_empty(&self) -> bool {
        self.a_start.get() == self.a_end.get()
    }

    /// Frames looped and dropped so far.
    pub(super) fn stats(&self) -> LoopStats {
        LoopStats { looped: self.looped.get(), dropped: self.dropped.get() }
    }

    /// The largest contiguous free space.
    fn room(&self) -> usize {
        match self.b_end.get() {
            0 => (self.cap - self.a_end.get()).max(self.a_start.get()),
            b_end => self.a_start.get() - b_end,
        }
    }

    /// Where a write of `n` bytes goes: after region B, after region A, or at
    /// the start (which begins region B).
    fn place(&self, n: usize) -> Option<usize> {
        let (a_start, a_end, b_end) = (self.a_start.get(), self.a_end.get(), self.b_end.get());
        if b_end > 0 {
            (b_end + n <= a_start).then_some(b_end)
        } else if self.cap - a_end >= n {
            Some(a_end)
        } else {
            (a_start >= n).then_some(0)
        }
    }

    /// Room for the largest frame at the back of the queue; None when the
    /// queue is off or a room is already handed out.
    pub(super) fn reserve(&self) -> Option<Room<'_, 'a>> {
        if !self.enabled() || self.writing.get() {
            return None;
        }
        // Kept free by every commit and grown by every release.
        let at = self.place(self.max_record)?;
        self.writing.set(true);
        Some(Room { queue: self, at })
    }

    /// Queues the frame of `len` bytes written at `at`, or drops it when it
    /// would leave less than the largest record of contiguous room.
    fn commit(&self, at: usize, len: usize) {
        let (a_end, b_end) = (self.a_end.get(), self.b_end.get());
        let end = at + HEADER + len;
        if b_end == 0 && at == a_end {
            self.a_end.set(end);
        } else {
            self.b_end.set(end);
        }
        if self.room() < self.max_record {
            self.a_end.set(a_end);
            self.b_end.set(b_end);
            self.dropped.set(self.dropped.get() + 1);
            return;
        }
        // SAFETY: the header bytes [at, at + HEADER) belong to the room being committed.
        unsafe { core::ptr::copy_nonoverlapping((len as u32).to_le_bytes().as_ptr(), self.bytes.add(at), HEADER) };
        self.looped.set(self.looped.get() + 1);
    }

    /// Runs `f` on the oldest frame, then frees it; `Err(f)` when there is
    /// none or it is already being read.
    pub(super) fn read<R, F: FnOnce(&[u8]) -> R>(&self, f: F) -> Result<R, F> {
        if self.is_empty() || self.reading.get() {
            return Err(f);
        }
        let at = self.a_start.get();
        let mut header = [0u8; HEADER];
        // SAFETY: a queued record starts at a_start, with its header first.
        unsafe { core::ptr::copy_nonoverlapping(self.bytes.add(at), header.as_mut_ptr(), HEADER) };
        let len = u32::from_le_bytes(header) as usize;
        self.reading.set(true);
        // SAFETY: the record's frame is in the ring; no write's room overlaps a
        // queued record, and `reading` keeps it queued until `f` returns.
        let result = f(unsafe { core::slice::from_raw_parts(self.bytes.add(at + HEADER), len) });
        self.reading.set(false);
        self.release(at + HEADER + len);
        Ok(result)
    }

    /// Frees the oldest record, which ends at `end`.
    fn release(&self, end: usize) {
        self.a_start.set(end);
        if end == self.a_end.get() {
            // Region A is empty: region B (if any) becomes A.
            self.a_start.set(0);
            self.a_end.set(self.b_end.get());
            self.b_end.set(0);
        }
    }
}

/// Room for one frame at the back of a [`LoopQueue`]: written through
/// [`Room::buf`], queued by [`Room::commit`]; dropped, it queues nothing.
pub(super) struct Room<'q, 'a> {
    queue: &'q LoopQueue<'a>,
    at: usize,
}

impl Room<'_, '_> {
    /// The room: as many bytes as the largest frame.
    pub(super) fn buf(&mut self) -> &mut [u8] {
        let q = self.queue;
        // SAFETY: [at, at + max_record) lies in the ring (place) and overlaps no
        // queued record, including one being read; `writing` makes this room
        // the only one, and the slice lives no longer than `&mut self`.
        unsafe { core::slice::from_raw_parts_mut(q.bytes.add(self.at + HEADER), q.max_record - HEADER) }
    }

    /// Queues the first `len` bytes of the room as a frame (dropped and
    /// counted when the queue would be too full for the next room).
    pub(super) fn commit(self, len: usize) {
        let q = self.queue;
        q.commit(self.at, len.min(q.max_record - HEADER));
    }
}

impl Drop for Room<'_, '_> {
    fn drop(&mut self) {
        self.queue.writing.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Queues a frame of `len` bytes filled with `byte`; whether it was kept.
    fn push(q: &LoopQueue<'_>, len: usize, byte: u8) -> bool {
        let before = q.stats().looped;
        let mut room = q.reserve().expect("a write always has room");
        room.buf()[..len].fill(byte);
        room.commit(len);
        q.stats().looped > before
    }

    fn pop(q: &LoopQueue<'_>) -> Option<(usize, u8)> {
        q.read(|f| (f.len(), f.first().copied().unwrap_or(0))).ok()
    }

    #[test]
    fn frames_come_back_in_order_and_whole() {
        let mut mem = [0u8; 64];
        let q = LoopQueue::new(&mut mem, 10);
        assert_eq!(LoopQueue::min_bytes(10), 28);
        for i in 0..3 {
            assert!(push(&q, 5 + i, i as u8 + 1));
        }
        for i in 0..3 {
            assert_eq!(pop(&q), Some((5 + i, i as u8 + 1)));
        }
        assert_eq!(pop(&q), None);
        assert_eq!(q.stats(), LoopStats { looped: 3, dropped: 0 });
    }

    #[test]
    fn a_full_queue_drops_and_keeps_room_for_the_next_write() {
        // Room for one full frame beside the write's room (min_bytes).
        let mut mem = [0u8; 28];
        let q = LoopQueue::new(&mut mem, 10);
        assert!(push(&q, 10, 1));
        assert!(!push(&q, 1, 2), "a second frame would leave less than a full frame of room");
        assert_eq!(q.stats(), LoopStats { looped: 1, dropped: 1 });
        assert_eq!(pop(&q), Some((10, 1)));
        assert!(push(&q, 10, 3), "reading made room again");
        assert_eq!(pop(&q), Some((10, 3)));
    }

    #[test]
    fn writing_wraps_around_and_reads_keep_their_order() {
        let mut mem = [0u8; 60];
        let q = LoopQueue::new(&mut mem, 10);
        let mut next_in = 0u8;
        let mut next_out = 0u8;
        // Many rounds of mixed sizes force region B to start and end again and again.
        for round in 0..200usize {
            let len = 1 + (round * 7) % 10;
            if push(&q, len, next_in) {
                next_in = next_in.wrapping_add(1);
            }
            if round % 3 != 0
                && let Some((_, b)) = pop(&q)
            {
                assert_eq!(b, next_out, "round {round}");
                next_out = next_out.wrapping_add(1);
            }
        }
        while let Some((_, b)) = pop(&q) {
            assert_eq!(b, next_out);
            next_out = next_out.wrapping_add(1);
        }
        assert_eq!(next_in, next_out, "every kept frame came back once");
        assert!(q.stats().dropped > 0, "the test filled the queue");
    }

    #[test]
    fn a_frame_written_while_another_is_read_does_not_touch_it() {
        let mut mem = [0u8; 56];
        let q = LoopQueue::new(&mut mem, 10);
        assert!(push(&q, 10, 7));
        let seen = q
            .read(|frame| {
                // A reply written while the request is read (smoltcp does this).
                assert!(push(&q, 10, 9));
                assert!(q.read(|_| ()).is_err(), "the frame being read is not handed out twice");
                frame.to_vec()
            })
            .ok()
            .expect("a frame waits");
        assert_eq!(seen, [7; 10]);
        assert_eq!(pop(&q), Some((10, 9)));
    }

    #[test]
    fn nested_writes_and_an_empty_queue_are_refused() {
        let mut mem = [0u8; 56];
        let q = LoopQueue::new(&mut mem, 10);
        let room = q.reserve().expect("room");
        assert!(q.reserve().is_none(), "one room at a time");
        drop(room);
        assert!(q.is_empty(), "a dropped room queues nothing");
        assert!(q.reserve().is_some(), "and frees the queue for the next");
        let mut none: [u8; 0] = [];
        let off = LoopQueue::new(&mut none, 10);
        assert!(!off.enabled());
        assert!(off.reserve().is_none());
        assert!(off.read(|_| ()).is_err());
    }
}
