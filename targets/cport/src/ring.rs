//! The receive ring: frames the firmware hands over with
//! `usocket_port_receive()` (from its wait, its main loop or an interrupt;
//! one producer) until the stack takes them (one consumer, under the lock).

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::{BOARD, FRAME_BYTES};

/// Frames the ring holds (the board file's `rx_frames`).
const RX_FRAMES: usize = BOARD.rx_frames;

/// A single-producer, single-consumer ring of frames.
pub struct Ring {
    frames: UnsafeCell<[[u8; FRAME_BYTES]; RX_FRAMES]>,
    lens: [AtomicUsize; RX_FRAMES],
    /// Frames pushed so far (the producer's counter).
    head: AtomicUsize,
    /// Frames popped so far (the consumer's counter).
    tail: AtomicUsize,
}

// SAFETY: a slot is written only by the producer while it is free (head - tail
// < RX_FRAMES) and read only by the consumer after head has published it.
unsafe impl Sync for Ring {}

/// The board's receive ring (all zeros: in `.bss`).
pub static RX: Ring = Ring {
    frames: UnsafeCell::new([[0; FRAME_BYTES]; RX_FRAMES]),
    lens: [const { AtomicUsize::new(0) }; RX_FRAMES],
    head: AtomicUsize::new(0),
    tail: AtomicUsize::new(0),
};

impl Ring {
    /// Copies a frame in; false when the ring is full (the frame is dropped).
    pub fn push(&self, frame: &[u8]) -> bool {
        let head = self.head.load(Ordering::Relaxed);
        if head.wrapping_sub(self.tail.load(Ordering::Acquire)) >= RX_FRAMES {
            return false;
        }
        let i = head % RX_FRAMES;
        // SAFETY: slot i is free (see the Sync impl); frame fits (checked by the caller).
        let slot = unsafe { &mut (*self.frames.get())[i] };
        slot[..frame.len()].copy_from_slice(frame);
        self.lens[i].store(frame.len(), Ordering::Relaxed);
        self.head.store(head.wrapping_add(1), Ordering::Release);
        true
    }

    /// Is a frame waiting?
    pub fn is_empty(&self) -> bool {
        self.head.load(Ordering::Acquire) == self.tail.load(Ordering::Relaxed)
    }

    /// Runs `f` on the oldest frame and frees its slot; `f` back when empty.
    pub fn pop<R, F: FnOnce(&[u8]) -> R>(&self, f: F) -> Result<R, F> {
        let tail = self.tail.load(Ordering::Relaxed);
        if self.head.load(Ordering::Acquire) == tail {
            return Err(f);
        }
        let i = tail % RX_FRAMES;
        let len = self.lens[i].load(Ordering::Relaxed);
        // SAFETY: slot i was published by the producer and is not written until tail moves on.
        let result = f(unsafe { &(&(*self.frames.get())[i])[..len] });
        self.tail.store(tail.wrapping_add(1), Ordering::Release);
        Ok(result)
    }
}
