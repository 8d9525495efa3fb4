//! A fault-injecting device wrapper: loss, duplication, reordering, corruption
//! and delay of frames in both directions, drawn from a seeded generator so
//! that a failing run can be replayed. Off, it passes tokens straight through.
//!
//! Settings are text, as `USOCKET_FAULTS` takes them:
//! `loss=10%,dup=2%,reorder=5%,corrupt=1%,delay=2ms,seed=7`.

use std::collections::VecDeque;
use std::vec::Vec;

use usocket_runtime::smoltcp::phy::{self, Device, DeviceCapabilities};
use usocket_runtime::smoltcp::time::Instant;

/// Probabilities are in parts per million.
const MILLION: u64 = 1_000_000;

/// What to do to frames.
///
/// # Examples
///
/// ```
/// use usocket_host::faults::Faults;
///
/// let faults = Faults::parse("loss=10%,delay=2ms,seed=7").unwrap();
/// assert_eq!((faults.loss, faults.delay_us, faults.seed), (100_000, 2000, 7));
/// assert!(faults.active());
/// assert!(Faults::parse("loss=10").is_err(), "a percentage needs its %");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Faults {
    /// Chance a frame is lost, per million.
    pub loss: u32,
    /// Chance a frame is sent twice, per million.
    pub duplicate: u32,
    /// Chance a frame is held back 1–5 ms so that later ones overtake it, per million.
    pub reorder: u32,
    /// Chance one byte of a frame is flipped, per million.
    pub corrupt: u32,
    /// Latency added to every frame, in µs.
    pub delay_us: u64,
    /// Seed of the generator.
    pub seed: u64,
}

impl Faults {
    /// Parses `name=value` pairs separated by commas: `loss`, `dup`,
    /// `reorder`, `corrupt` take percentages (`10%`, `0.5%`), `delay` a
    /// duration (`2ms`, `500us`), `seed` a number.
    pub fn parse(text: &str) -> Result<Faults, String> {
        let mut f = Faults { seed: 1, ..Faults::default() };
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = item.split_once('=').ok_or_else(|| format!("fault `{item}`: expected NAME=VALUE"))?;
            let percent = || -> Result<u32, String> {
                let number = value.strip_suffix('%').ok_or_else(|| format!("fault `{item}`: expected a percentage like 10%"))?;
                let p: f64 = number.parse().map_err(|_| format!("fault `{item}`: `{number}` is not a number"))?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(format!("fault `{item}`: a percentage is 0..=100"));
                }
                Ok((p * 10_000.0).round() as u32)
            };
            match name {
                "loss" => f.loss = percent()?,
                "dup" => f.duplicate = percent()?,
                "reorder" => f.reorder = percent()?,
                "corrupt" => f.corrupt = percent()?,
                "delay" => {
                    let (number, scale) = match value.strip_suffix("ms") {
                        Some(n) => (n, 1000),
                        None => (value.strip_suffix("us").ok_or_else(|| format!("fault `{item}`: expected a duration like 2ms or 500us"))?, 1),
                    };
                    f.delay_us = number.parse::<u64>().map_err(|_| format!("fault `{item}`: `{number}` is not a whole number"))? * scale;
                }
                "seed" => f.seed = value.parse().map_err(|_| format!("fault `{item}`: `{value}` is not a number"))?,
                _ => return Err(format!("fault `{item}`: unknown fault `{name}` (loss, dup, reorder, corrupt, delay, seed)")),
            }
        }
        Ok(f)
    }

    /// Does it do anything?
    pub fn active(&self) -> bool {
        self.loss + self.duplicate + self.reorder + self.corrupt > 0 || self.delay_us > 0
    }
}

/// What the wrapper did so far.
///
/// # Examples
///
/// A stack on a lossy loopback board still delivers (TCP sends again); the
/// stats show what the link did:
///
/// ```
/// use std::cell::RefCell;
/// use usocket_host::faults::Faults;
/// use usocket_host::net::{TcpListener, TcpStream};
/// use usocket_host::{AnyBoard, HostMemory, Stack};
///
/// let board = AnyBoard::loopback().with_simulated_time().with_faults(Faults::parse("loss=20%,seed=3").unwrap());
/// let config = board.config();
/// let mut memory = HostMemory::new(&config);
/// let stack = RefCell::new(Stack::new(memory.lend(), board, config).unwrap());
///
/// let listener = TcpListener::bind(&stack, "127.0.0.1:0".parse().unwrap()).unwrap();
/// let client = TcpStream::connect(&stack, listener.local_addr().unwrap()).unwrap();
/// let (server, _) = listener.accept().unwrap();
/// client.send_all(&[7; 4000]).unwrap();
/// let mut got = 0;
/// let mut buf = [0; 4096];
/// for _ in 0..100 {
///     if got == 4000 {
///         break;
///     }
///     got += server.recv(&mut buf).unwrap();
/// }
/// assert_eq!(got, 4000);
/// let stats = stack.borrow().board().fault_stats();
/// assert!(stats.frames > 0 && stats.dropped > 0, "{stats:?}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultStats {
    /// Frames that went through it.
    pub frames: u64,
    /// Frames lost.
    pub dropped: u64,
    /// Extra copies sent.
    pub duplicated: u64,
    /// Frames held back for others to overtake.
    pub reordered: u64,
    /// Frames with a flipped byte.
    pub corrupted: u64,
}

/// xorshift64*: small, fast, reproducible from its seed.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// True with `ppm` chance in a million.
    fn chance(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.next() % MILLION < u64::from(ppm)
    }

    /// A number below `n` (> 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Frames waiting for their time, in arrival order.
#[derive(Debug, Default)]
struct Held(VecDeque<(u64, Vec<u8>)>);

impl Held {
    /// The first frame whose time has come.
    fn take_due(&mut self, now_us: u64) -> Option<Vec<u8>> {
        let i = self.0.iter().position(|(at, _)| *at <= now_us)?;
        self.0.remove(i).map(|(_, frame)| frame)
    }

    fn next_at(&self) -> Option<u64> {
        self.0.iter().map(|(at, _)| *at).min()
    }
}

/// A device whose frames suffer [`Faults`] in both directions.
///
/// [`AnyBoard::with_faults`](crate::AnyBoard::with_faults) puts one under a
/// whole stack ([`FaultStats`]' example); by itself it wraps any smoltcp device.
///
/// # Examples
///
/// ```
/// use usocket_host::faults::{Faults, FaultyDevice};
/// use usocket_host::loopback::{LOOPBACK_MTU, LoopbackDevice};
/// use usocket_host::smoltcp::phy::{Device, TxToken};
/// use usocket_host::smoltcp::time::Instant;
///
/// let all_lost = Faults::parse("loss=100%").unwrap();
/// let mut device = FaultyDevice::new(LoopbackDevice::new(LOOPBACK_MTU), all_lost, false);
/// device.transmit(Instant::ZERO).unwrap().consume(3, |buf| buf.copy_from_slice(b"abc"));
/// assert_eq!(device.stats().dropped, 1);
/// assert!(!device.inner().has_pending());
/// ```
#[derive(Debug)]
pub struct FaultyDevice<D> {
    inner: D,
    faults: Faults,
    rng: Rng,
    stats: FaultStats,
    /// Outgoing frames held back (delay, reordering).
    tx_held: Held,
    /// Received frames, until their time.
    rx_held: Held,
    /// Faults on received frames too (off where received frames are the
    /// device's own sent ones, as on loopback: they suffered already).
    rx_faults: bool,
}

impl<D: Device> FaultyDevice<D> {
    /// Wraps `inner`; with inactive `faults` frames pass straight through.
    /// `rx_faults`: received frames suffer them too (a link with a peer).
    pub fn new(inner: D, faults: Faults, rx_faults: bool) -> Self {
        let rng = Rng(faults.seed.max(1));
        FaultyDevice { inner, faults, rng, stats: FaultStats::default(), tx_held: Held::default(), rx_held: Held::default(), rx_faults }
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, without the layer (held frames are dropped).
    pub fn into_inner(self) -> D {
        self.inner
    }

    /// What was done so far.
    pub fn stats(&self) -> FaultStats {
        self.stats
    }

    /// When the next held frame is due (µs), if any is held.
    pub fn next_release_us(&self) -> Option<u64> {
        match (self.tx_held.next_at(), self.rx_held.next_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Decides a frame's fate: it is lost, or queued (once or twice, maybe
    /// with a flipped byte) for `now + delay`, or later when reordered.
    fn fate(&mut self, now_us: u64, frame: Vec<u8>, rx: bool) {
        self.stats.frames += 1;
        let lost = self.rng.chance(self.faults.loss);
        if lost {
            self.stats.dropped += 1;
            return;
        }
        let copies = if self.rng.chance(self.faults.duplicate) {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut f = frame.clone();
            if !f.is_empty() && self.rng.chance(self.faults.corrupt) {
                self.stats.corrupted += 1;
                let i = self.rng.below(f.len() as u64) as usize;
                f[i] ^= 1 << self.rng.below(8);
            }
            let mut at = now_us + self.faults.delay_us;
            if self.rng.chance(self.faults.reorder) {
                self.stats.reordered += 1;
                at += 1000 + self.rng.below(4000);
            }
            if rx { self.rx_held.0.push_back((at, f)) } else { self.tx_held.0.push_back((at, f)) }
        }
    }

    /// Sends the held outgoing frames whose time has come.
    fn flush_tx(&mut self, now: Instant) {
        let now_us = now.total_micros().max(0) as u64;
        while let Some(frame) = self.tx_held.take_due(now_us) {
            let Some(token) = self.inner.transmit(now) else {
                // The link is busy: the frame is lost, as on a real one.
                self.stats.dropped += 1;
                return;
            };
            phy::TxToken::consume(token, frame.len(), |buf| buf.copy_from_slice(&frame));
        }
    }
}

/// A received frame: the inner device's token, or a copy that was held.
pub enum FaultRx<'a, D: Device + 'a> {
    /// Straight through.
    Direct(D::RxToken<'a>),
    /// Through the fault layer.
    Owned(Vec<u8>),
}

/// Room for a frame to send: the inner device's, or the fault layer's.
pub enum FaultTx<'a, D: Device + 'a> {
    /// Straight through.
    Direct(D::TxToken<'a>),
    /// Through the fault layer.
    Faulty(&'a mut FaultyDevice<D>, Instant),
}

impl<'a, D: Device + 'a> phy::RxToken for FaultRx<'a, D> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        match self {
            FaultRx::Direct(t) => t.consume(f),
            FaultRx::Owned(frame) => f(&frame),
        }
    }
}

impl<'a, D: Device + 'a> phy::TxToken for FaultTx<'a, D> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        match self {
            FaultTx::Direct(t) => t.consume(len, f),
            FaultTx::Faulty(dev, now) => {
                let mut frame = vec![0; len];
                let result = f(&mut frame);
                dev.fate(now.total_micros().max(0) as u64, frame, false);
                dev.flush_tx(now);
                result
            }
        }
    }
}

impl<D: Device> Device for FaultyDevice<D> {
    type RxToken<'a>
        = FaultRx<'a, D>
    where
        Self: 'a;
    type TxToken<'a>
        = FaultTx<'a, D>
    where
        Self: 'a;

    fn receive(&mut self, now: Instant) -> Option<(FaultRx<'_, D>, FaultTx<'_, D>)> {
        if !self.faults.active() {
            return self.inner.receive(now).map(|(r, t)| (FaultRx::Direct(r), FaultTx::Direct(t)));
        }
        self.flush_tx(now);
        let now_us = now.total_micros().max(0) as u64;
        loop {
            if let Some(frame) = self.rx_held.take_due(now_us) {
                return Some((FaultRx::Owned(frame), FaultTx::Faulty(self, now)));
            }
            let frame = {
                let (rx, _tx) = self.inner.receive(now)?;
                phy::RxToken::consume(rx, |b| b.to_vec())
            };
            if !self.rx_faults {
                return Some((FaultRx::Owned(frame), FaultTx::Faulty(self, now)));
            }
            self.fate(now_us, frame, true);
        }
    }

    fn transmit(&mut self, now: Instant) -> Option<FaultTx<'_, D>> {
        if !self.faults.active() {
            return self.inner.transmit(now).map(FaultTx::Direct);
        }
        self.flush_tx(now);
        Some(FaultTx::Faulty(self, now))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = self.inner.capabilities();
        if self.faults.active() {
            // Corruption must be caught: checksums are computed and verified
            // even where the device itself (loopback) skips them.
            caps.checksum = phy::ChecksumCapabilities::default();
        }
        caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_with_clear_errors() {
        let f = Faults::parse("loss=10%,dup=2%,reorder=5%,corrupt=0.5%,delay=2ms,seed=7").unwrap();
        assert_eq!(f, Faults { loss: 100_000, duplicate: 20_000, reorder: 50_000, corrupt: 5_000, delay_us: 2000, seed: 7 });
        assert!(f.active());
        assert!(!Faults::parse("").unwrap().active());
        assert_eq!(Faults::parse("delay=500us").unwrap().delay_us, 500);
        assert!(Faults::parse("loss=10").unwrap_err().contains("percentage"));
        assert!(Faults::parse("loss=200%").unwrap_err().contains("0..=100"));
        assert!(Faults::parse("jitter=1ms").unwrap_err().contains("unknown fault"));
    }

    #[test]
    fn the_generator_gives_the_asked_rates() {
        let mut rng = Rng(42);
        let hits = (0..100_000).filter(|_| rng.chance(100_000)).count();
        assert!((9_000..11_000).contains(&hits), "10% of 100000 draws: {hits}");
    }
}
