//! [`LocalLimiter`]: one [`governor`] GCRA per bucket, in this process.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::direct::NotKeyed;
use governor::{InsufficientCapacity, Quota};

use super::{Charge, DEFAULT_BURST, RateLimited, RateLimiter, TokioClock, wait_for_slot};
use crate::{BoxFuture, Clock, SharedClock};

/// In-process rate limiting: a [`governor`] GCRA per bucket, created on first use.
///
/// Admission of a request's charges is all-or-nothing: under one lock every charge is checked
/// and taken, and when one does not fit the others are put back exactly as they were. Buckets
/// are keyed by name, rate and burst, so a client whose quota is raised gets fresh buckets.
///
/// Waiting is check, sleep, check again, so it is not first come, first served: under demand
/// above the quota a waiter can be overtaken and refused while later requests pass (see the
/// [module docs](super#known-limitation-the-local-limiters-waiting-is-not-fair)).
///
/// Time comes from a [`Clock`]'s monotonic reading, by default [`TokioClock`], so that tests
/// under tokio's paused clock run the limiter without real waiting.
///
/// ```
/// use std::time::Duration;
/// use roomkv_transport::limiter::{Charge, LocalLimiter, RateLimiter};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let limiter = LocalLimiter::new().with_burst(Duration::from_secs(1));
/// let set = [Charge { bucket: "app:entry-set".into(), rate_per_sec: 100, units: 100 }];
/// // A full bucket admits a whole burst at once…
/// limiter.admit(&set, Duration::ZERO).await.unwrap();
/// // …and then refuses at once when the caller will not wait.
/// let refused = limiter.admit(&set, Duration::ZERO).await.unwrap_err();
/// assert_eq!(refused.bucket.as_ref(), "app:entry-set");
/// # });
/// ```
pub struct LocalLimiter {
    clock: SharedClock,
    burst: Duration,
    buckets: Mutex<HashMap<BucketKey, Arc<Bucket>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BucketKey {
    name: Arc<str>,
    rate_per_sec: u32,
}

impl Default for LocalLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LocalLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalLimiter")
            .field("burst", &self.burst)
            .field("buckets", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl LocalLimiter {
    /// A limiter with the [`DEFAULT_BURST`] on tokio's clock.
    pub fn new() -> Self {
        Self {
            clock: SharedClock::new(TokioClock::new()),
            burst: DEFAULT_BURST,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The burst tolerance of every bucket, as time at its rate (at least one unit): a bucket
    /// of 100/s with a burst of 200 ms admits 20 units at once. See the
    /// [module docs](super) for why the default is below the vendors' one second.
    pub fn with_burst(mut self, burst: Duration) -> Self {
        self.burst = burst;
        self
    }

    /// Measures time with `clock`'s monotonic reading instead of tokio's clock. The waits still
    /// sleep on tokio's timer.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = SharedClock::new(clock);
        self
    }

    /// The burst tolerance of every bucket.
    pub fn burst(&self) -> Duration {
        self.burst
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<BucketKey, Arc<Bucket>>> {
        // A poisoned lock only means another thread panicked between two plain stores; the
        // buckets are still consistent.
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes every charge or none; on refusal, the refused charge and how long until it fits.
    fn try_take(&self, charges: &[Charge]) -> Result<(), (usize, Duration)> {
        self.take_from(&mut self.lock(), charges, 0)
    }

    /// Takes `charges[index..]` or none of them, under the lock. Each charge's earlier state is
    /// kept on the stack while the rest are taken (requests have one or two charges), so the
    /// hot path allocates nothing.
    fn take_from(
        &self,
        buckets: &mut HashMap<BucketKey, Arc<Bucket>>,
        charges: &[Charge],
        index: usize,
    ) -> Result<(), (usize, Duration)> {
        let Some(charge) = charges.get(index) else {
            return Ok(());
        };
        let units = match NonZeroU32::new(charge.units) {
            Some(units) if charge.rate_per_sec > 0 => units,
            _ => return self.take_from(buckets, charges, index + 1),
        };
        let key = BucketKey {
            name: charge.bucket.clone(),
            rate_per_sec: charge.rate_per_sec,
        };
        let bucket = Arc::clone(buckets.entry(key).or_insert_with(|| {
            Arc::new(Bucket::new(charge.rate_per_sec, self.burst, &self.clock))
        }));
        let before = bucket.tat.get();
        bucket.take(units).map_err(|wait| (index, wait))?;
        // All or nothing: when a later charge does not fit, put this one back. Every change to
        // these buckets happens under the lock, so restoring is exact.
        self.take_from(buckets, charges, index + 1)
            .inspect_err(|_| bucket.tat.set(before))
    }
}

impl RateLimiter for LocalLimiter {
    fn admit<'a>(
        &'a self,
        charges: &'a [Charge],
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), RateLimited>> {
        Box::pin(wait_for_slot(charges, max_wait, move || {
            self.try_take(charges)
        }))
    }
}

/// governor's clock over a [`Clock`]'s monotonic time.
#[derive(Debug, Clone)]
struct MonotonicClock(SharedClock);

impl governor::clock::Clock for MonotonicClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.0.monotonic()
    }
}

/// A bucket's theoretical arrival time, readable and restorable (governor's own state store
/// is neither). Only changed under the [`LocalLimiter`]'s lock.
#[derive(Debug, Clone, Default)]
struct Tat(Arc<AtomicU64>);

/// The stored value of a bucket that never admitted anything (full).
const NEVER: u64 = u64::MAX;

impl Tat {
    fn new() -> Self {
        Self(Arc::new(AtomicU64::new(NEVER)))
    }

    fn get(&self) -> Option<Nanos> {
        match self.0.load(Ordering::Acquire) {
            NEVER => None,
            tat => Some(Nanos::from(tat)),
        }
    }

    fn set(&self, tat: Option<Nanos>) {
        self.0
            .store(tat.map_or(NEVER, Nanos::as_u64), Ordering::Release);
    }
}

impl StateStore for Tat {
    type Key = NotKeyed;

    fn measure_and_replace<T, F, E>(&self, _key: &NotKeyed, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let (out, next) = f(self.get())?;
        self.set(Some(next));
        Ok(out)
    }
}

type Gcra = governor::RateLimiter<
    NotKeyed,
    Tat,
    MonotonicClock,
    governor::middleware::NoOpMiddleware<Duration>,
>;

/// One bucket: governor's GCRA over a [`Tat`] this module can read and restore.
struct Bucket {
    gcra: Gcra,
    tat: Tat,
    clock: SharedClock,
    /// Nanoseconds per unit.
    interval: u64,
    /// Units that fit at once.
    capacity: NonZeroU32,
}

impl Bucket {
    fn new(rate_per_sec: u32, burst: Duration, clock: &SharedClock) -> Self {
        // Rounded up, so that the client is never faster than the vendor's rate.
        let interval = 1_000_000_000u64.div_ceil(u64::from(rate_per_sec.max(1)));
        let units = u128::from(rate_per_sec) * burst.as_nanos() / 1_000_000_000;
        let capacity =
            NonZeroU32::new(u32::try_from(units).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(Duration::from_nanos(interval))
            .expect("the interval is at least one nanosecond")
            .allow_burst(capacity);
        let tat = Tat::new();
        let gcra = Gcra::new(quota, tat.clone(), MonotonicClock(clock.clone()));
        Self {
            gcra,
            tat,
            clock: clock.clone(),
            interval,
            capacity,
        }
    }

    /// Takes `units`, or says how long until they fit.
    fn take(&self, units: NonZeroU32) -> Result<(), Duration> {
        match self.gcra.check_n(units) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(self.until(not_until.earliest_possible())),
            Err(InsufficientCapacity(_)) => {
                // Larger than the whole burst: admitted when the bucket is full (a full burst
                // fits), and then the rest of its units are added to the bucket's debt.
                match self.gcra.check_n(self.capacity) {
                    Ok(Ok(())) => {
                        let extra = u64::from(units.get() - self.capacity.get()) * self.interval;
                        let tat = self.tat.get().map_or(0, Nanos::as_u64);
                        self.tat.set(Some(Nanos::from(tat.saturating_add(extra))));
                        Ok(())
                    }
                    Ok(Err(not_until)) => Err(self.until(not_until.earliest_possible())),
                    Err(InsufficientCapacity(_)) => {
                        unreachable!("a bucket always fits its own capacity")
                    }
                }
            }
        }
    }

    fn until(&self, earliest: Duration) -> Duration {
        earliest
            .saturating_sub(self.clock.monotonic())
            .max(Duration::from_nanos(1))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::limiter::RateLimitReason;
    use crate::test_util::ManualClock;

    fn charge(bucket: &str, rate_per_sec: u32, units: u32) -> Charge {
        Charge {
            bucket: bucket.into(),
            rate_per_sec,
            units,
        }
    }

    /// A limiter on a manual clock, and the clock.
    fn manual(burst: Duration) -> (LocalLimiter, ManualClock) {
        let clock = ManualClock::from_unix_secs(1_700_000_000);
        (
            LocalLimiter::new()
                .with_burst(burst)
                .with_clock(clock.clone()),
            clock,
        )
    }

    #[test]
    fn a_full_bucket_admits_its_burst_then_one_unit_per_interval() {
        let (limiter, clock) = manual(Duration::from_millis(200));
        let set = [charge("a:set", 100, 1)];
        for _ in 0..20 {
            assert_eq!(limiter.try_take(&set), Ok(()));
        }
        let (index, wait) = limiter.try_take(&set).unwrap_err();
        assert_eq!(index, 0);
        assert_eq!(wait, Duration::from_millis(10));
        clock.advance(Duration::from_millis(10));
        assert_eq!(limiter.try_take(&set), Ok(()));
        assert!(limiter.try_take(&set).is_err());
    }

    #[test]
    fn charges_are_taken_all_or_nothing() {
        let (limiter, _clock) = manual(Duration::from_secs(1));
        let group = [charge("a:write", 100, 1), charge("a:group", 2, 1)];
        assert_eq!(limiter.try_take(&group), Ok(()));
        assert_eq!(limiter.try_take(&group), Ok(()));
        // The group sub-quota (2/s) is spent; the refusal names it and takes nothing from the
        // wider family.
        let (index, _) = limiter.try_take(&group).unwrap_err();
        assert_eq!(index, 1);
        for _ in 0..98 {
            assert_eq!(limiter.try_take(&[charge("a:write", 100, 1)]), Ok(()));
        }
        assert!(limiter.try_take(&[charge("a:write", 100, 1)]).is_err());
    }

    #[test]
    fn a_refusal_after_two_charges_puts_both_back() {
        let (limiter, _clock) = manual(Duration::from_secs(1));
        // a:z (1/s, one unit of burst) is spent; a:free is not limited.
        assert_eq!(limiter.try_take(&[charge("a:z", 1, 1)]), Ok(()));
        let four = [
            charge("a:x", 1, 1),
            charge("a:free", 0, 1),
            charge("a:y", 1, 1),
            charge("a:z", 1, 1),
        ];
        let (index, _) = limiter.try_take(&four).unwrap_err();
        assert_eq!(index, 3);
        // Nothing was taken from a:x or a:y: each still has its one unit.
        assert_eq!(limiter.try_take(&[charge("a:x", 1, 1)]), Ok(()));
        assert_eq!(limiter.try_take(&[charge("a:y", 1, 1)]), Ok(()));
        assert!(limiter.try_take(&[charge("a:y", 1, 1)]).is_err());
    }

    #[test]
    fn a_charge_larger_than_the_burst_is_admitted_when_the_bucket_is_full() {
        let (limiter, clock) = manual(Duration::from_millis(100));
        // 10/s with a burst of one unit; a batch of 20 takes two seconds of quota.
        let batch = [charge("a:set", 10, 20)];
        assert_eq!(limiter.try_take(&batch), Ok(()));
        let (_, wait) = limiter.try_take(&batch).unwrap_err();
        assert_eq!(wait, Duration::from_secs(2));
        clock.advance(Duration::from_millis(1_999));
        assert!(limiter.try_take(&[charge("a:set", 10, 1)]).is_err());
        clock.advance(Duration::from_millis(1));
        assert_eq!(limiter.try_take(&batch), Ok(()));
    }

    #[test]
    fn buckets_are_per_name_and_rate_and_zero_is_unlimited() {
        let (limiter, _clock) = manual(Duration::from_millis(100));
        assert_eq!(limiter.try_take(&[charge("a:set", 10, 1)]), Ok(()));
        assert!(limiter.try_take(&[charge("a:set", 10, 1)]).is_err());
        assert_eq!(limiter.try_take(&[charge("b:set", 10, 1)]), Ok(()));
        assert_eq!(
            limiter.try_take(&[charge("a:set", 20, 1)]),
            Ok(()),
            "a raised quota"
        );
        for _ in 0..1000 {
            assert_eq!(limiter.try_take(&[charge("a:free", 0, 5)]), Ok(()));
        }
    }

    #[test]
    fn a_huge_burst_saturates_instead_of_wrapping() {
        // 2/s for 2^63 + 3 seconds is 2^64 + 6 units: wrapped to 64 bits that was 6.
        let (limiter, _clock) = manual(Duration::from_secs((1 << 63) + 3));
        for _ in 0..10 {
            assert_eq!(limiter.try_take(&[charge("a:set", 2, 100)]), Ok(()));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_beyond_the_maximum_fails_at_once_and_takes_nothing() {
        let limiter = LocalLimiter::new().with_burst(Duration::from_secs(1));
        let set = [charge("a:set", 10, 10)];
        limiter.admit(&set, Duration::ZERO).await.unwrap();
        let start = tokio::time::Instant::now();
        let refused = limiter
            .admit(&set, Duration::from_millis(500))
            .await
            .unwrap_err();
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(refused.rate_per_sec, 10);
        assert!(matches!(
            refused.reason,
            RateLimitReason::WaitTooLong { wait, max_wait }
                if wait == Duration::from_secs(1) && max_wait == Duration::from_millis(500)
        ));
        assert!(refused.to_string().contains("a:set (10/s)"), "{refused}");
        // Nothing was taken: after one second the next one fits without waiting.
        tokio::time::advance(Duration::from_secs(1)).await;
        limiter.admit(&set, Duration::ZERO).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_requests_are_admitted_at_the_rate() {
        let limiter = Arc::new(LocalLimiter::new().with_burst(Duration::from_millis(100)));
        let start = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move {
                    let set = [charge("a:set", 100, 2)];
                    limiter.admit(&set, Duration::from_secs(5)).await.unwrap();
                    start.elapsed()
                })
            })
            .collect();
        let mut admitted = Vec::new();
        for task in tasks {
            admitted.push(task.await.unwrap());
        }
        admitted.sort();
        // 100 units: a burst of 10 at once, the other 90 at 100/s.
        assert_eq!(admitted[4], Duration::ZERO);
        let last = *admitted.last().unwrap();
        assert!(
            last >= Duration::from_millis(900) && last <= Duration::from_millis(920),
            "{last:?}"
        );
    }

    proptest! {
        /// However requests arrive, no stretch of time admits more than one burst plus the rate.
        #[test]
        fn admissions_never_exceed_rate_plus_burst(
            rate in 1u32..500,
            burst_ms in 1u64..2000,
            steps in proptest::collection::vec((0u64..50, 1u32..30), 1..200),
        ) {
            let (limiter, clock) = manual(Duration::from_millis(burst_ms));
            let burst_units = (u64::from(rate) * burst_ms / 1000).max(1);
            let mut admitted = 0u64;
            let mut elapsed = Duration::ZERO;
            for (advance_ms, units) in steps {
                clock.advance(Duration::from_millis(advance_ms));
                elapsed += Duration::from_millis(advance_ms);
                if limiter.try_take(&[charge("p:set", rate, units)]).is_ok() {
                    admitted += u64::from(units);
                }
                // An oversized charge may overdraw by its own size once.
                let allowance = burst_units.max(u64::from(units))
                    + (u128::from(rate) * elapsed.as_millis() / 1000) as u64
                    + 30;
                prop_assert!(admitted <= allowance, "{admitted} > {allowance}");
            }
        }
    }
}
