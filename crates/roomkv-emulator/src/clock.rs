//! Time as an injected dependency: [`Clock`], the wall clock [`SystemClock`] and the test clock
//! [`ManualClock`].
//!
//! The state module never reads a clock (time is an argument); the HTTP layer reads the
//! emulator's clock once per request and hands the value down.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time, as a duration since the Unix epoch.
///
/// The rate limiter measures intervals with it and the state stamps entries with it
/// (`lastSetTime`, `CreateTime`, `EventTime`). A clock that steps backwards only makes the rate
/// limiter briefly stricter; it never admits more than the quota.
pub trait Clock: Send + Sync + 'static {
    /// The current time since the Unix epoch.
    fn now(&self) -> Duration;

    /// The current time in whole milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64 {
        u64::try_from(self.now().as_millis()).unwrap_or(u64::MAX)
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
    }
}

/// A clock that moves only when told to, for tests.
///
/// ```
/// use std::time::Duration;
/// use roomkv_emulator::clock::{Clock, ManualClock};
/// let clock = ManualClock::new(Duration::from_secs(1_700_000_000));
/// clock.advance(Duration::from_millis(250));
/// assert_eq!(clock.now_ms(), 1_700_000_000_250);
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock showing `start` since the Unix epoch.
    pub fn new(start: Duration) -> Self {
        Self {
            nanos: AtomicU64::new(to_nanos(start)),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.nanos.fetch_add(to_nanos(by), Ordering::SeqCst);
    }

    /// Sets the clock to `to` since the Unix epoch (backwards is allowed).
    pub fn set(&self, to: Duration) {
        self.nanos.store(to_nanos(to), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

/// A duration in nanoseconds, saturating at `u64::MAX` (year 2554).
pub(crate) fn to_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
