//! [`RequestClock`]: one request's clock readings, each the end of one interval and the start
//! of the next.

#[cfg(feature = "metrics")]
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The clock readings of one request (feature `metrics`; without it, empty and never read).
///
/// Reading the clock is the largest part of what metering costs a request (tens of
/// nanoseconds a reading, more on virtual machines), so every reading serves twice: the end of
/// one interval is the start of the next. A request that is answered at its first attempt
/// reads the clock twice in all: at its start (which also starts its retry budget, read
/// without the feature too) and at the end of its exchange. Hence:
/// - an attempt runs from the latest reading before it (the request's start for the first
///   attempt, its admission when the client has a rate limiter, the end of the back-off for a
///   retry) to the end of its exchange, so building and signing its request are part of it;
/// - a quota wait runs from the attempt's start to the admission;
/// - the request ends with its last exchange (answered or failed) when that is the latest
///   reading (parsing the answer, a matter of microseconds, is not counted), and is read afresh
///   otherwise (its last attempt exchanged nothing: refused by the limiter, or its request
///   could not be built).
#[derive(Debug)]
pub struct RequestClock {
    #[cfg(feature = "metrics")]
    start: tokio::time::Instant,
    /// Nanoseconds from `start` to the latest reading.
    #[cfg(feature = "metrics")]
    latest: AtomicU64,
    /// Whether the latest reading is the end of an exchange.
    #[cfg(feature = "metrics")]
    exchanged: AtomicBool,
}

impl RequestClock {
    /// A request starts now (tokio's clock, so paused test time is measured as it passes).
    #[inline]
    pub fn start() -> Self {
        Self {
            #[cfg(feature = "metrics")]
            start: tokio::time::Instant::now(),
            #[cfg(feature = "metrics")]
            latest: AtomicU64::new(0),
            #[cfg(feature = "metrics")]
            exchanged: AtomicBool::new(false),
        }
    }

    /// When the request started, which also starts its retry budget.
    #[cfg(feature = "metrics")]
    pub(super) fn started_at(&self) -> tokio::time::Instant {
        self.start
    }

    /// Seconds the request took: until the end of its last exchange when that is the latest
    /// reading, else until now.
    #[cfg(feature = "metrics")]
    pub fn request_seconds(&self) -> f64 {
        if self.exchanged.load(Ordering::Relaxed) {
            seconds(self.latest.load(Ordering::Relaxed))
        } else {
            self.start.elapsed().as_secs_f64()
        }
    }

    /// Reads the clock: the seconds since the latest reading, which this one replaces.
    #[cfg(feature = "metrics")]
    pub(super) fn lap(&self, exchanged: bool) -> f64 {
        // Saturating: 584 years of nanoseconds fit in a `u64`.
        let now = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let previous = self.latest.swap(now, Ordering::Relaxed);
        self.exchanged.store(exchanged, Ordering::Relaxed);
        seconds(now.saturating_sub(previous))
    }
}

/// Nanoseconds as seconds.
#[cfg(feature = "metrics")]
#[allow(clippy::cast_precision_loss)] // exact below 104 days
fn seconds(nanos: u64) -> f64 {
    nanos as f64 / 1e9
}

/// Every reading of a request's clock serves as the end of one interval and the start of the
/// next.
#[cfg(all(test, feature = "metrics"))]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn intervals_chain_and_the_request_ends_with_its_last_exchange() {
        let clock = RequestClock::start();
        tokio::time::advance(Duration::from_millis(3)).await;
        // A wait for the limiter, from the request's start.
        assert_eq!(clock.lap(false), 0.003);
        tokio::time::advance(Duration::from_millis(20)).await;
        // The exchange, from the admission.
        assert_eq!(clock.lap(true), 0.020);
        // Parsing the answer is not part of the request.
        tokio::time::advance(Duration::from_millis(5)).await;
        assert_eq!(clock.request_seconds(), 0.023);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_whose_last_attempt_exchanged_nothing_ends_when_it_is_read() {
        let clock = RequestClock::start();
        tokio::time::advance(Duration::from_millis(10)).await;
        assert_eq!(clock.lap(true), 0.010);
        // A retry after a back-off, then refused by the limiter: nothing exchanged.
        tokio::time::advance(Duration::from_millis(40)).await;
        assert_eq!(clock.lap(false), 0.040);
        tokio::time::advance(Duration::from_millis(7)).await;
        assert_eq!(clock.request_seconds(), 0.057);
    }
}
