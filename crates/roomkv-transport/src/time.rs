//! Injectable time ([`Clock`]) and randomness ([`RandomSource`]).
//!
//! Nothing in this crate reads the system clock or the OS random source directly; it goes
//! through these traits so tests can substitute deterministic ones (feature `test-util`:
//! `FixedClock`, `ManualClock`, `FixedRandom`, `SequenceRandom` in [`test_util`](crate::test_util)).

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// A source of wall-clock and monotonic time.
///
/// - [`now`](Self::now) is wall-clock time, for signatures and timestamps sent to servers.
/// - [`monotonic`](Self::monotonic) never goes backwards, for measuring intervals such as the
///   failover cool-down.
///
/// ```
/// use roomkv_transport::{Clock, SystemClock};
///
/// let clock = SystemClock;
/// let a = clock.monotonic();
/// let b = clock.monotonic();
/// assert!(b >= a);
/// assert!(clock.now() > std::time::UNIX_EPOCH);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;

    /// Monotonic time elapsed since an arbitrary origin that is fixed for this clock.
    ///
    /// Only differences between two readings of the same clock are meaningful.
    fn monotonic(&self) -> Duration;
}

/// The real clock: [`SystemTime::now`] and [`Instant::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn monotonic(&self) -> Duration {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        ORIGIN.get_or_init(Instant::now).elapsed()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }

    fn monotonic(&self) -> Duration {
        (**self).monotonic()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }

    fn monotonic(&self) -> Duration {
        (**self).monotonic()
    }
}

/// A cheaply cloneable, type-erased [`Clock`]; [`SystemClock`] by default.
#[derive(Clone, Debug)]
pub struct SharedClock(Arc<dyn Clock>);

impl SharedClock {
    /// Wraps `clock`.
    pub fn new(clock: impl Clock + 'static) -> Self {
        Self(Arc::new(clock))
    }
}

impl Default for SharedClock {
    fn default() -> Self {
        Self::new(SystemClock)
    }
}

impl Clock for SharedClock {
    fn now(&self) -> SystemTime {
        self.0.now()
    }

    fn monotonic(&self) -> Duration {
        self.0.monotonic()
    }
}

/// A source of random `u64` values: request nonces and retry jitter.
///
/// Providers derive their nonces from it (a RongCloud `Nonce`, a Tencent `random`), freshly for
/// every attempt; the retry loop uses it for jitter.
///
/// ```
/// use roomkv_transport::{RandomSource, OsRandomSource};
///
/// let nonces = OsRandomSource;
/// let _a: u64 = nonces.next_u64();
/// ```
pub trait RandomSource: Send + Sync + fmt::Debug {
    /// The next value; every value in `u64` should be equally likely.
    fn next_u64(&self) -> u64;
}

/// Random values from the operating system (through the `getrandom` crate), one system call per
/// 32 values.
///
/// **Design.** Each thread keeps a 256-byte buffer (`thread_local!`, so there is no lock and the
/// type stays a `Copy` unit struct that is `Send + Sync`). A value is the next 8 unused bytes of
/// the calling thread's buffer; those bytes are then zeroed and never handed out again. When
/// fewer than 8 unused bytes remain, one `getrandom` call refills the whole buffer. This keeps
/// OS-quality randomness while amortising the system call (previously one per value: three per
/// RongCloud request, one per Tencent request).
///
/// **Why it is still unpredictable.** Every byte comes straight from the OS CSPRNG and is used
/// at most once; nothing is derived or expanded in user space, so a value says nothing about any
/// other value, before or after it. Buffers are per thread, so two threads never share bytes.
/// The buffered, not yet used bytes are in process memory until used; anyone who can read that
/// memory could predict the next few nonces, but such a reader can also read the app secret
/// these nonces are signed with.
///
/// **`fork()`.** A child process starts with a copy of the forking thread's buffer, so parent and
/// child could hand out the same unused bytes (as with any user-space buffer or generator that
/// is not reseeded on fork). roomkv never forks; a program that forks and then uses
/// roomkv in both processes should give the child its own source
/// (`ClientBuilder::random_source`) or create its clients after the fork in a fresh thread.
///
/// **Failure.** If the OS source ever fails (it practically never does after boot), the value
/// comes from a process-local generator seeded from the clock and a counter, and a warning is
/// logged, instead of panicking; the next value tries the OS source again.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandomSource;

impl RandomSource for OsRandomSource {
    fn next_u64(&self) -> u64 {
        thread_local! {
            static BUFFER: RefCell<RandomBuffer> = const { RefCell::new(RandomBuffer::EMPTY) };
        }
        // `try_with` fails only while this thread's locals are being destroyed: then read the OS
        // source directly, as before the buffer existed.
        let value = BUFFER
            .try_with(|buffer| buffer.borrow_mut().next_u64(getrandom::getrandom))
            .unwrap_or_else(|_| {
                let mut bytes = [0u8; 8];
                getrandom::getrandom(&mut bytes).map(|()| u64::from_le_bytes(bytes))
            });
        // Logged outside the borrow, so a subscriber that wants a nonce cannot re-enter it.
        value.unwrap_or_else(|err| {
            tracing::warn!(%err, "OS random source failed; using a fallback generator");
            fallback_u64()
        })
    }
}

/// Bytes from the OS random source, each handed out once (see [`OsRandomSource`]).
struct RandomBuffer {
    bytes: [u8; Self::LEN],
    /// Index of the first unused byte; `LEN` when empty.
    next: usize,
}

impl RandomBuffer {
    /// 32 values per system call.
    const LEN: usize = 256;

    const EMPTY: Self = Self {
        bytes: [0; Self::LEN],
        next: Self::LEN,
    };

    /// The next 8 unused bytes as a `u64`, refilling the whole buffer with `fill` first if fewer
    /// remain. If `fill` fails the buffer stays empty, so the next call tries again.
    fn next_u64(
        &mut self,
        fill: impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error>,
    ) -> Result<u64, getrandom::Error> {
        if self.next + 8 > Self::LEN {
            self.next = Self::LEN;
            fill(&mut self.bytes)?;
            self.next = 0;
        }
        let used = &mut self.bytes[self.next..self.next + 8];
        let mut value = [0u8; 8];
        value.copy_from_slice(used);
        used.fill(0);
        self.next += 8;
        Ok(u64::from_le_bytes(value))
    }
}

fn fallback_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    splitmix64(nanos ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// One step of SplitMix64: a good bit mixer for seeding and fallbacks.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<N: RandomSource + ?Sized> RandomSource for Arc<N> {
    fn next_u64(&self) -> u64 {
        (**self).next_u64()
    }
}

impl<N: RandomSource + ?Sized> RandomSource for &N {
    fn next_u64(&self) -> u64 {
        (**self).next_u64()
    }
}

/// A cheaply cloneable, type-erased [`RandomSource`]; [`OsRandomSource`] by default.
#[derive(Clone, Debug)]
pub struct SharedRandomSource(Arc<dyn RandomSource>);

impl SharedRandomSource {
    /// Wraps `source`.
    pub fn new(source: impl RandomSource + 'static) -> Self {
        Self(Arc::new(source))
    }
}

impl Default for SharedRandomSource {
    fn default() -> Self {
        Self::new(OsRandomSource)
    }
}

impl RandomSource for SharedRandomSource {
    fn next_u64(&self) -> u64 {
        self.0.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::collections::HashSet;

    #[test]
    fn os_nonces_differ() {
        let values: HashSet<u64> = (0..3 * RandomBuffer::LEN)
            .map(|_| OsRandomSource.next_u64())
            .collect();
        // 24 buffers' worth of random u64, all distinct unless the buffer repeats bytes.
        assert_eq!(values.len(), 3 * RandomBuffer::LEN);
    }

    /// A fill whose byte `i` of fill `k` is `i ^ 31k`: the values of one fill are distinct, the
    /// fills differ from each other, and the first fill's values are known.
    fn counting_fill(
        fills: &Cell<usize>,
    ) -> impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error> + '_ {
        move |bytes| {
            let k = (fills.get() as u8).wrapping_mul(31);
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = i as u8 ^ k;
            }
            fills.set(fills.get() + 1);
            Ok(())
        }
    }

    #[test]
    fn buffer_hands_out_each_byte_once_and_refills_at_the_boundary() {
        let per_fill = RandomBuffer::LEN / 8;
        let fills = Cell::new(0);
        let mut buffer = RandomBuffer::EMPTY;
        let mut values = Vec::new();
        for _ in 0..2 * per_fill + 1 {
            values.push(buffer.next_u64(counting_fill(&fills)).unwrap());
        }
        // One fill per 32 values: the first call, the 33rd and the 65th.
        assert_eq!(fills.get(), 3);
        // The first fill's bytes in order, 8 at a time, nothing repeated.
        for (i, value) in values[..per_fill].iter().enumerate() {
            let expected: Vec<u8> = (0..8).map(|j| (8 * i + j) as u8).collect();
            assert_eq!(value.to_le_bytes().to_vec(), expected, "value {i}");
        }
        let distinct: HashSet<u64> = values.iter().copied().collect();
        assert_eq!(distinct.len(), values.len());
        // Consumed bytes are not kept.
        assert!(buffer.bytes[..8].iter().all(|&b| b == 0));
        assert_ne!(buffer.bytes[8..16], [0u8; 8]);
    }

    #[test]
    fn a_failed_fill_yields_an_error_and_the_next_call_retries() {
        let mut buffer = RandomBuffer::EMPTY;
        let failed = buffer.next_u64(|_| Err(getrandom::Error::UNSUPPORTED));
        assert_eq!(failed, Err(getrandom::Error::UNSUPPORTED));
        let fills = Cell::new(0);
        buffer.next_u64(counting_fill(&fills)).unwrap();
        assert_eq!(fills.get(), 1);
        // A failure while values remain is impossible: a fill happens only when empty.
        for _ in 1..RandomBuffer::LEN / 8 {
            buffer
                .next_u64(|_| Err(getrandom::Error::UNSUPPORTED))
                .unwrap();
        }
        assert!(
            buffer
                .next_u64(|_| Err(getrandom::Error::UNSUPPORTED))
                .is_err()
        );
    }

    #[test]
    fn threads_get_distinct_values_concurrently() {
        const THREADS: usize = 8;
        const PER_THREAD: usize = 1_000;
        let source = SharedRandomSource::default();
        let barrier = Arc::new(std::sync::Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (source, barrier) = (source.clone(), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    (0..PER_THREAD)
                        .map(|_| source.next_u64())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let all: HashSet<u64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        // 8,000 random u64 collide with probability ~2^-38; a shared or repeated buffer would.
        assert_eq!(all.len(), THREADS * PER_THREAD);
    }

    #[test]
    fn fallback_values_differ() {
        assert_ne!(fallback_u64(), fallback_u64());
    }

    #[test]
    fn system_clock_is_monotonic() {
        let c = SharedClock::default();
        let a = c.monotonic();
        assert!(c.monotonic() >= a);
    }
}
