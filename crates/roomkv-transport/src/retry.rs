//! A retry loop with exponential backoff and full jitter.
//!
//! The loop knows nothing about what it retries: the caller supplies the attempt (called afresh
//! each time, so a provider re-signs every attempt with a fresh nonce and timestamp) and a
//! classification of each attempt's result ([`RetryDecision`]). Sleeping uses
//! [`tokio::time::sleep`], so tests can run it under paused time.

use std::future::Future;
use std::time::Duration;

use crate::RandomSource;

/// How often and how patiently to retry.
///
/// Delays use *full jitter*: before retry `n` (0 for the first retry) the loop sleeps a random
/// duration in `[0, min(cap, base × 2ⁿ)]`, where `base` is
/// [`initial_backoff`](Self::with_initial_backoff) (or
/// [`throttle_backoff`](Self::with_throttle_backoff) when the server said it is throttling)
/// and `cap` is [`max_backoff`](Self::with_max_backoff) (for throttling, the larger of
/// `max_backoff` and `throttle_backoff`).
///
/// Defaults ([`RetryPolicy::default`]):
///
/// | setting | default |
/// |---|---|
/// | `max_attempts` | 3 (the first attempt plus 2 retries) |
/// | `initial_backoff` | 100 ms |
/// | `max_backoff` | 5 s |
/// | `throttle_backoff` | 1 s |
/// | `total_budget` | 30 s |
///
/// [`RetryPolicy::no_retry`] makes one attempt only; providers use it for writes that are not
/// idempotent.
///
/// ```
/// use std::time::Duration;
/// use roomkv_transport::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .with_max_attempts(4)
///     .with_initial_backoff(Duration::from_millis(50))
///     .with_total_budget(Some(Duration::from_secs(10)));
/// // The ceiling doubles per retry until it reaches the cap.
/// assert_eq!(policy.ceiling(0, false), Duration::from_millis(50));
/// assert_eq!(policy.ceiling(2, false), Duration::from_millis(200));
/// assert_eq!(policy.ceiling(30, false), Duration::from_secs(5));
/// // A random value picks a delay within [0, ceiling].
/// assert_eq!(policy.delay(2, false, 0), Duration::ZERO);
/// assert!(policy.delay(2, false, u64::MAX) <= Duration::from_millis(200));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    throttle_backoff: Duration,
    total_budget: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            throttle_backoff: Duration::from_secs(1),
            total_budget: Some(Duration::from_secs(30)),
        }
    }
}

impl RetryPolicy {
    /// One attempt, never retried.
    pub fn no_retry() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// At most `n` attempts in total, including the first (`0` is treated as `1`).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The base of the exponential backoff for ordinary retries.
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The cap on any single delay.
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The base of the exponential backoff after a throttling answer
    /// ([`RetryDecision::RetryThrottled`]).
    pub fn with_throttle_backoff(mut self, d: Duration) -> Self {
        self.throttle_backoff = d;
        self
    }

    /// The time budget over all attempts and delays, or `None` for no budget.
    ///
    /// A retry is not started if its delay would end after the budget; a running attempt is
    /// never cut short by the budget (the transport's own timeout bounds each attempt).
    pub fn with_total_budget(mut self, budget: Option<Duration>) -> Self {
        self.total_budget = budget;
        self
    }

    /// At most this many attempts, including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The base of the ordinary backoff.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The cap on a single ordinary delay.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The base of the throttling backoff.
    pub fn throttle_backoff(&self) -> Duration {
        self.throttle_backoff
    }

    /// The time budget over all attempts, if any.
    pub fn total_budget(&self) -> Option<Duration> {
        self.total_budget
    }

    /// The largest delay allowed before any retry of the given kind.
    pub fn cap(&self, throttled: bool) -> Duration {
        if throttled {
            self.max_backoff.max(self.throttle_backoff)
        } else {
            self.max_backoff
        }
    }

    /// The upper bound of the delay before retry `retry` (0 for the first retry):
    /// `min(cap, base × 2^retry)`.
    pub fn ceiling(&self, retry: u32, throttled: bool) -> Duration {
        let base = if throttled {
            self.throttle_backoff
        } else {
            self.initial_backoff
        };
        let cap = self.cap(throttled);
        let base = base.as_nanos();
        let grown = if base == 0 {
            0
        } else if retry >= base.leading_zeros() {
            u128::MAX
        } else {
            base << retry
        };
        from_nanos(grown.min(cap.as_nanos()))
    }

    /// The full-jitter delay before retry `retry`: `random` mapped uniformly onto
    /// `[0, ceiling(retry, throttled)]`.
    pub fn delay(&self, retry: u32, throttled: bool, random: u64) -> Duration {
        jitter(self.ceiling(retry, throttled), random)
    }
}

/// A `Duration` from nanoseconds; callers only pass values that came from a `Duration`.
fn from_nanos(nanos: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    // The remainder is below 10^9, so it fits a u32.
    Duration::new(secs, (nanos % NANOS_PER_SEC) as u32)
}

/// Maps `random` uniformly onto `[0, ceiling]` (nanosecond resolution).
fn jitter(ceiling: Duration, random: u64) -> Duration {
    let span = ceiling.as_nanos().saturating_add(1);
    // floor(random × span / 2⁶⁴), split so no product overflows (span < 2⁹⁵).
    let r = u128::from(random);
    let nanos = r * (span >> 64) + ((r * (span & u128::from(u64::MAX))) >> 64);
    from_nanos(nanos)
}

/// What to do after an attempt, as decided by the caller's classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// Stop and return this result: a success, or a failure that retrying cannot fix.
    Done,
    /// Retry after the ordinary backoff (timeouts, connection failures, 5xx, …).
    Retry,
    /// The server is throttling: retry after the longer throttling backoff.
    RetryThrottled,
    /// Retry after exactly this delay (for example from a `Retry-After` header), capped by
    /// [`RetryPolicy::cap`]`(true)`.
    RetryAfter(Duration),
}

/// Why [`run`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The classification said [`RetryDecision::Done`].
    Done,
    /// The classification wanted a retry but `max_attempts` were made.
    AttemptsExhausted,
    /// The classification wanted a retry but its delay would have exceeded the total budget.
    BudgetExhausted,
}

/// The result of [`run`]: the last attempt's output and how it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retried<T> {
    /// The output of the last attempt.
    pub output: T,
    /// How many attempts were made (at least 1). Providers report it in their errors.
    pub attempts: u32,
    /// Why the loop stopped.
    pub stop: StopReason,
}

/// Runs `attempt` until `classify` says [`RetryDecision::Done`], or the policy gives up.
///
/// `attempt` receives the 1-based attempt number and is called afresh every time, so anything
/// that must be unique per attempt (signature, nonce, timestamp, host choice) is computed
/// inside it. `classify` sees each output and decides. `jitter` supplies the randomness of the
/// delays ([`OsRandomSource`](crate::OsRandomSource) in production, a fixed sequence in tests).
///
/// The loop never fails by itself: it always returns the last attempt's output, with the number
/// of attempts and the [`StopReason`]. It sleeps with [`tokio::time::sleep`], so it needs a Tokio
/// runtime with the time driver enabled (and runs instantly under a paused test clock).
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use roomkv_transport::retry::{self, RetryDecision, RetryPolicy, StopReason};
/// use roomkv_transport::OsRandomSource;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let calls = AtomicU32::new(0);
/// let policy = RetryPolicy::default().with_max_attempts(5);
/// let done = retry::run(
///     &policy,
///     &OsRandomSource,
///     |n| {
///         calls.fetch_add(1, Ordering::Relaxed);
///         async move { if n < 3 { Err("unavailable") } else { Ok(n) } }
///     },
///     |out: &Result<u32, &str>| match out {
///         Ok(_) => RetryDecision::Done,
///         Err(_) => RetryDecision::Retry,
///     },
/// )
/// .await;
/// assert_eq!(done.output, Ok(3));
/// assert_eq!(done.attempts, 3);
/// assert_eq!(done.stop, StopReason::Done);
/// assert_eq!(calls.load(Ordering::Relaxed), 3);
/// # });
/// ```
pub async fn run<T, F, Fut, C>(
    policy: &RetryPolicy,
    jitter: &dyn RandomSource,
    attempt: F,
    classify: C,
) -> Retried<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = T>,
    C: FnMut(&T) -> RetryDecision,
{
    run_since(
        tokio::time::Instant::now(),
        policy,
        jitter,
        attempt,
        classify,
    )
    .await
}

/// [`run`], its total budget counted from `start` (the request's start, read once for the
/// budget and the request's metrics).
pub(crate) async fn run_since<T, F, Fut, C>(
    start: tokio::time::Instant,
    policy: &RetryPolicy,
    jitter: &dyn RandomSource,
    mut attempt: F,
    mut classify: C,
) -> Retried<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = T>,
    C: FnMut(&T) -> RetryDecision,
{
    let mut attempts: u32 = 0;
    loop {
        attempts += 1;
        let output = attempt(attempts).await;
        let decision = classify(&output);
        let delay = match decision {
            RetryDecision::Done => return finish(output, attempts, StopReason::Done),
            RetryDecision::Retry => policy.delay(attempts - 1, false, jitter.next_u64()),
            RetryDecision::RetryThrottled => policy.delay(attempts - 1, true, jitter.next_u64()),
            RetryDecision::RetryAfter(d) => d.min(policy.cap(true)),
        };
        if attempts >= policy.max_attempts {
            return finish(output, attempts, StopReason::AttemptsExhausted);
        }
        if let Some(budget) = policy.total_budget
            && start.elapsed().saturating_add(delay) > budget
        {
            return finish(output, attempts, StopReason::BudgetExhausted);
        }
        tracing::debug!(attempt = attempts, ?decision, ?delay, "retrying");
        tokio::time::sleep(delay).await;
    }
}

fn finish<T>(output: T, attempts: u32, stop: StopReason) -> Retried<T> {
    if stop != StopReason::Done {
        tracing::debug!(attempts, ?stop, "giving up");
    }
    Retried {
        output,
        attempts,
        stop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(2))
            .with_throttle_backoff(Duration::from_secs(1))
    }

    #[test]
    fn ceilings_double_then_cap() {
        let p = policy();
        let c: Vec<_> = (0..7).map(|n| p.ceiling(n, false).as_millis()).collect();
        assert_eq!(c, [100, 200, 400, 800, 1600, 2000, 2000]);
        let t: Vec<_> = (0..4).map(|n| p.ceiling(n, true).as_millis()).collect();
        assert_eq!(t, [1000, 2000, 2000, 2000]);
        assert_eq!(p.ceiling(u32::MAX, false), Duration::from_secs(2));
        let tiny = RetryPolicy::default()
            .with_initial_backoff(Duration::from_nanos(1))
            .with_max_backoff(Duration::MAX);
        assert_eq!(tiny.ceiling(40, false), Duration::from_nanos(1 << 40));
        assert_eq!(tiny.ceiling(200, false), Duration::MAX);
    }

    #[test]
    fn throttle_cap_is_at_least_the_throttle_base() {
        let p = policy()
            .with_max_backoff(Duration::from_millis(10))
            .with_throttle_backoff(Duration::from_secs(3));
        assert_eq!(p.cap(true), Duration::from_secs(3));
        assert_eq!(p.ceiling(5, true), Duration::from_secs(3));
        assert_eq!(p.ceiling(5, false), Duration::from_millis(10));
    }

    #[test]
    fn jitter_endpoints() {
        let c = Duration::from_millis(200);
        assert_eq!(jitter(c, 0), Duration::ZERO);
        assert_eq!(jitter(c, u64::MAX), c);
        let mid = jitter(c, u64::MAX / 2);
        assert!(mid.abs_diff(Duration::from_millis(100)) < Duration::from_micros(1));
        assert_eq!(jitter(Duration::ZERO, u64::MAX), Duration::ZERO);
        assert!(jitter(Duration::MAX, u64::MAX) <= Duration::MAX);
        assert!(jitter(Duration::MAX, u64::MAX) > Duration::MAX / 2);
    }

    #[test]
    fn zero_attempts_means_one() {
        assert_eq!(
            RetryPolicy::default().with_max_attempts(0).max_attempts(),
            1
        );
        assert_eq!(RetryPolicy::no_retry().max_attempts(), 1);
    }

    proptest! {
        #[test]
        fn full_jitter_never_exceeds_the_ceiling_or_the_cap(
            base_ms in 0u64..10_000,
            cap_ms in 0u64..120_000,
            throttle_ms in 0u64..60_000,
            retry in 0u32..100,
            throttled: bool,
            random: u64,
        ) {
            let p = RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(base_ms))
                .with_max_backoff(Duration::from_millis(cap_ms))
                .with_throttle_backoff(Duration::from_millis(throttle_ms));
            let ceiling = p.ceiling(retry, throttled);
            let cap = p.cap(throttled);
            prop_assert!(ceiling <= cap);
            let base = if throttled { throttle_ms } else { base_ms };
            let exact = u128::from(base) << retry;
            prop_assert_eq!(ceiling.as_millis(), exact.min(cap.as_millis()));
            let d = p.delay(retry, throttled, random);
            prop_assert!(d <= ceiling);
        }

        #[test]
        fn full_jitter_is_monotonic_in_the_random_value(a: u64, b: u64, ms in 0u64..100_000) {
            let c = Duration::from_millis(ms);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(jitter(c, lo) <= jitter(c, hi));
        }
    }
}
