//! Injectable time ([`Clock`]) and randomness ([`NonceSource`]).
//!
//! Nothing in this crate reads the system clock or the OS random source directly; it goes
//! through these traits so tests can substitute deterministic ones (feature `test-util`:
//! `FixedClock`, `ManualClock`, `FixedNonce`, `SequenceNonce` in [`test_util`](crate::test_util)).

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
/// use roomkv_transport::{NonceSource, OsNonceSource};
///
/// let nonces = OsNonceSource;
/// let _a: u64 = nonces.next_u64();
/// ```
pub trait NonceSource: Send + Sync + fmt::Debug {
    /// The next value; every value in `u64` should be equally likely.
    fn next_u64(&self) -> u64;
}

/// Random values from the operating system (through the `getrandom` crate).
///
/// If the OS source ever fails (it practically never does after boot), it falls back to a
/// process-local generator seeded from the clock and a counter, and logs a warning, instead of
/// panicking.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsNonceSource;

impl NonceSource for OsNonceSource {
    fn next_u64(&self) -> u64 {
        let mut buf = [0u8; 8];
        match getrandom::getrandom(&mut buf) {
            Ok(()) => u64::from_le_bytes(buf),
            Err(err) => {
                tracing::warn!(%err, "OS random source failed; using a fallback generator");
                fallback_u64()
            }
        }
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

impl<N: NonceSource + ?Sized> NonceSource for Arc<N> {
    fn next_u64(&self) -> u64 {
        (**self).next_u64()
    }
}

impl<N: NonceSource + ?Sized> NonceSource for &N {
    fn next_u64(&self) -> u64 {
        (**self).next_u64()
    }
}

/// A cheaply cloneable, type-erased [`NonceSource`]; [`OsNonceSource`] by default.
#[derive(Clone, Debug)]
pub struct SharedNonceSource(Arc<dyn NonceSource>);

impl SharedNonceSource {
    /// Wraps `source`.
    pub fn new(source: impl NonceSource + 'static) -> Self {
        Self(Arc::new(source))
    }
}

impl Default for SharedNonceSource {
    fn default() -> Self {
        Self::new(OsNonceSource)
    }
}

impl NonceSource for SharedNonceSource {
    fn next_u64(&self) -> u64 {
        self.0.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_nonces_differ() {
        let a = OsNonceSource.next_u64();
        let b = OsNonceSource.next_u64();
        let c = OsNonceSource.next_u64();
        assert!(a != b || b != c);
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
