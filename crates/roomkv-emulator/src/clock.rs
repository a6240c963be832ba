//! Time as an injected dependency.
//!
//! The emulator reads time through the project's one clock trait, [`roomkv_transport::Clock`]
//! (re-exported here): wall-clock time ([`Clock::now`]) stamps entries (`lastSetTime`,
//! `CreateTime`, `EventTime`), judges strict-mode timestamps and UserSig expiry; monotonic time
//! ([`Clock::monotonic`]) drives the rate limiter, so a wall clock that jumps never admits more
//! than the quota.
//!
//! The state module never reads a clock (time is an argument); the HTTP layer reads the
//! emulator's clock once per request and hands the value down.
//!
//! For tests, `roomkv_transport::test_util::ManualClock` (feature `test-util` of
//! `roomkv-transport`, in your dev-dependencies) moves only when told to:
//!
//! ```
//! use std::time::Duration;
//! use roomkv_emulator::{Emulator, EmulatorConfig};
//! use roomkv_transport::test_util::ManualClock;
//!
//! let clock = ManualClock::from_unix_secs(1_700_000_000);
//! let emulator = Emulator::builder(EmulatorConfig::default()).clock(clock.clone()).build();
//! clock.advance(Duration::from_millis(250));
//! assert_eq!(emulator.now_ms(), 1_700_000_000_250);
//! ```

use std::time::{Duration, UNIX_EPOCH};

pub use roomkv_transport::{Clock, SharedClock, SystemClock};

/// The wall-clock time of `clock` since the Unix epoch (zero for a clock set before 1970).
pub(crate) fn since_epoch(clock: &dyn Clock) -> Duration {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn to_millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A duration in nanoseconds, saturating at `u64::MAX` (584 years).
pub(crate) fn to_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
