//! [`LocalLimiter`]: a reservation-based GCRA per bucket (`super::gcra`), in this process.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::fast_hash::FastHash;
use super::gcra::{Bucket, Nanos, nanos};
use super::{Charge, DEFAULT_BURST, RateLimitReason, RateLimited, RateLimiter, TokioClock};
use crate::{BoxFuture, Clock, SharedClock};

/// In-process rate limiting: a GCRA per bucket, created on first use, that *reserves* each
/// request's slot when it arrives.
///
/// Admission of a request's charges is all-or-nothing and decided at once, under one lock: the
/// request gets the earliest time at which every charge fits (without making any earlier
/// reservation late), reserves it in every bucket, and then sleeps until then. When that time
/// is further away than the caller's maximum wait, the request fails at once and takes
/// nothing. So waiting is first come, first served per bucket, and a request charging two
/// buckets holds up neither (see the [module docs](super#waiting-first-come-first-served)). A request whose future is dropped while
/// it waits keeps its reservation: the slot goes unused rather than risking the quota. Buckets
/// are keyed by name and rate, so a client whose quota is raised gets fresh buckets.
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
    buckets: Mutex<Buckets>,
}

/// The buckets in use, by name and rate, hashed fast ([`FastHash`]): the map is looked up a few
/// times per admitted request.
type Buckets = HashMap<BucketKey, Bucket, FastHash>;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BucketKey {
    name: Arc<str>,
    rate_per_sec: u32,
}

impl BucketKey {
    fn of(charge: &Charge) -> Self {
        Self {
            name: charge.bucket.clone(),
            rate_per_sec: charge.rate_per_sec,
        }
    }
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
            buckets: Mutex::new(Buckets::default()),
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

    fn lock(&self) -> MutexGuard<'_, Buckets> {
        // A poisoned lock only means another thread panicked between two plain stores; the
        // buckets are still consistent.
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reserves the earliest time at which every charge fits and answers how long until then,
    /// or, when that is longer than `max_wait`, refuses without reserving anything.
    fn reserve(&self, charges: &[Charge], max_wait: Duration) -> Result<Duration, RateLimited> {
        // Each charged bucket's key, made once: every look-up below borrows it.
        let charged = Charged::of(charges);
        let now = nanos(self.clock.monotonic());
        let mut buckets = self.lock();
        for (_, key, _) in charged.iter() {
            if let Some(bucket) = buckets.get_mut(key) {
                bucket.settle(now);
                continue;
            }
            // Before the map grows, the buckets whose reservations are all past and who are
            // full again are forgotten (an idle bucket behaves as a new one), so the map holds
            // only the buckets in use; a request charging a bucket in use keeps it as it is.
            buckets.retain(|key, bucket| {
                bucket.settle(now);
                !bucket.is_idle(now) || charged.iter().any(|(_, charged, _)| charged == key)
            });
            buckets.insert(key.clone(), Bucket::new(key.rate_per_sec, self.burst));
        }
        // The earliest time that fits every bucket: each bucket's earliest from the time the
        // others allow, until none moves it (each step lands on one of the finitely many
        // gaps between reservations, so this ends).
        let (mut at, mut worst): (Nanos, Option<usize>) = (now, None);
        loop {
            let mut moved = false;
            for (index, key, units) in charged.iter() {
                let bucket = &buckets[key];
                let earliest = bucket.earliest(at, bucket.cost(*units));
                if earliest > at {
                    (at, worst, moved) = (earliest, Some(*index), true);
                }
            }
            if !moved {
                break;
            }
        }
        let wait = Duration::from_nanos(at - now);
        if let Some(index) = worst.filter(|_| wait > max_wait) {
            return Err(RateLimited::new(
                charges,
                index,
                RateLimitReason::WaitTooLong { wait, max_wait },
            ));
        }
        for (_, key, units) in charged.iter() {
            let bucket = buckets
                .get_mut(key)
                .expect("every charged bucket was made above");
            let cost = bucket.cost(*units);
            bucket.reserve(at, cost);
            bucket.settle(now);
        }
        Ok(wait)
    }
}

/// Each charged bucket's index in the request's charges, key and units: the first two inline
/// (a client's request charges at most two buckets, so it allocates nothing), any more in a
/// `Vec`.
struct Charged {
    first: [Option<(usize, BucketKey, u32)>; 2],
    more: Vec<(usize, BucketKey, u32)>,
}

impl Charged {
    fn of(charges: &[Charge]) -> Self {
        let mut charged = Self {
            first: [None, None],
            more: Vec::new(),
        };
        for (index, charge, units) in limited(charges) {
            let item = (index, BucketKey::of(charge), units);
            match charged.first.iter_mut().find(|slot| slot.is_none()) {
                Some(slot) => *slot = Some(item),
                None => charged.more.push(item),
            }
        }
        charged
    }

    fn iter(&self) -> impl Iterator<Item = &(usize, BucketKey, u32)> {
        self.first.iter().flatten().chain(&self.more)
    }
}

fn limited(charges: &[Charge]) -> impl Iterator<Item = (usize, &Charge, u32)> {
    let takes = |charge: &Charge| charge.units > 0 && charge.rate_per_sec > 0;
    let same = |a: &Charge, b: &Charge| a.bucket == b.bucket && a.rate_per_sec == b.rate_per_sec;
    charges
        .iter()
        .enumerate()
        .filter(move |&(_, charge)| takes(charge))
        .filter(move |&(index, charge)| {
            !charges[..index].iter().any(|c| takes(c) && same(c, charge))
        })
        .map(move |(index, charge)| {
            let units = charges[index..]
                .iter()
                .filter(|c| same(c, charge))
                .fold(0u32, |sum, c| sum.saturating_add(c.units));
            (index, charge, units)
        })
}

impl RateLimiter for LocalLimiter {
    fn admit<'a>(
        &'a self,
        charges: &'a [Charge],
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), RateLimited>> {
        Box::pin(super::admit(self, charges, max_wait))
    }

    fn reserve_now(
        &self,
        charges: &[Charge],
        max_wait: Duration,
    ) -> Option<Result<Duration, RateLimited>> {
        Some(self.reserve(charges, max_wait))
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

    impl LocalLimiter {
        /// Takes every charge now or none; on refusal, the refused charge and its wait.
        fn try_take(&self, charges: &[Charge]) -> Result<(), (usize, Duration)> {
            match self.reserve(charges, Duration::ZERO) {
                Ok(wait) => {
                    assert_eq!(wait, Duration::ZERO);
                    Ok(())
                }
                Err(refused) => Err((refused.charge, refused.wait().unwrap())),
            }
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
    fn reserve_now_decides_at_once_and_holds_the_slot_also_through_a_shared_limiter() {
        use crate::limiter::SharedRateLimiter;

        let (limiter, _clock) = manual(Duration::from_millis(100));
        let shared = SharedRateLimiter::new(limiter);
        let set = [charge("app:set", 10, 1)];
        let second = Duration::from_millis(100);
        let now = |max_wait| shared.reserve_now(&set, max_wait).expect("decided at once");
        assert_eq!(now(Duration::ZERO).unwrap(), Duration::ZERO);
        assert_eq!(now(Duration::from_secs(1)).unwrap(), second);
        let refused = now(Duration::from_millis(150)).unwrap_err();
        assert_eq!(refused.wait(), Some(2 * second), "the second slot is held");
        assert_eq!(
            now(Duration::from_secs(1)).unwrap(),
            2 * second,
            "a refusal took nothing"
        );
    }

    #[test]
    fn idle_buckets_are_forgotten_when_the_map_would_grow() {
        let (limiter, clock) = manual(Duration::from_millis(200));
        let a = [charge("app:a", 100, 1)];
        let b = [charge("app:b", 100, 1)];
        assert_eq!(limiter.try_take(&a), Ok(()));
        assert_eq!(limiter.try_take(&b), Ok(()));
        assert_eq!(limiter.lock().len(), 2, "both buckets are in use");
        clock.advance(Duration::from_secs(1));
        // Charging a bucket that is kept does not sweep the map.
        assert_eq!(limiter.try_take(&a), Ok(()));
        assert_eq!(limiter.lock().len(), 2);
        // A new bucket does: `b` is idle and forgotten, `a` is charged now and kept.
        assert_eq!(limiter.try_take(&[charge("app:c", 100, 1)]), Ok(()));
        let mut names: Vec<_> = limiter.lock().keys().map(|k| k.name.to_string()).collect();
        names.sort();
        assert_eq!(names, ["app:a", "app:c"]);
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
    fn a_request_charging_more_buckets_than_are_kept_inline_is_all_or_nothing() {
        let (limiter, _clock) = manual(Duration::from_secs(1));
        // Three buckets of 10/s (10 units of burst); the third is the one that runs out.
        let three = [
            charge("a:one", 10, 1),
            charge("a:two", 10, 1),
            charge("a:three", 10, 6),
        ];
        assert_eq!(limiter.try_take(&three), Ok(()));
        let (index, wait) = limiter.try_take(&three).unwrap_err();
        assert_eq!((index, wait), (2, Duration::from_millis(200)));
        // The refusal took nothing from the first two: they still hold 9 units each.
        assert_eq!(limiter.try_take(&[charge("a:one", 10, 9)]), Ok(()));
        assert_eq!(limiter.try_take(&[charge("a:two", 10, 9)]), Ok(()));
    }

    #[test]
    fn a_bucket_charged_twice_in_one_request_takes_both() {
        let (limiter, _clock) = manual(Duration::from_secs(1));
        // 10/s, 10 units of burst: 0 + 4 + 6 units fill it, whatever the order.
        let twice = [
            charge("a:set", 10, 0),
            charge("a:set", 10, 4),
            charge("a:free", 0, 9),
            charge("a:set", 10, 6),
        ];
        assert_eq!(limiter.try_take(&twice), Ok(()));
        let (index, wait) = limiter.try_take(&twice).unwrap_err();
        assert_eq!((index, wait), (1, Duration::from_secs(1)));
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

    /// Starts `count` admissions of one unit each in this order (each reserves its slot on
    /// its first poll, and a current-thread runtime polls new tasks in the order they were
    /// spawned), and answers for each when it was admitted or how it was refused.
    async fn at_once(
        limiter: &Arc<LocalLimiter>,
        count: usize,
        max_wait: Duration,
    ) -> Vec<Result<Duration, RateLimited>> {
        let start = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..count)
            .map(|_| {
                let limiter = Arc::clone(limiter);
                tokio::spawn(async move {
                    let set = [charge("a:set", 100, 1)];
                    limiter
                        .admit(&set, max_wait)
                        .await
                        .map(|()| start.elapsed())
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    }

    /// Where request `i` of a crowd arriving at once at an idle 100/s bucket with a burst of
    /// 20 units is admitted: the first 20 at once, then one every 10 ms, in arrival order.
    fn slot(i: usize) -> Duration {
        Duration::from_millis(10) * u32::try_from(i.saturating_sub(19)).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_crowd_within_the_maximum_wait_is_admitted_in_arrival_order_at_the_rate() {
        let limiter = Arc::new(LocalLimiter::new());
        let results = at_once(&limiter, 300, Duration::from_secs(4)).await;
        for (i, result) in results.into_iter().enumerate() {
            assert_eq!(result.unwrap(), slot(i), "request {i}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn exactly_the_requests_that_would_wait_too_long_fail_and_at_once() {
        let limiter = Arc::new(LocalLimiter::new());
        let origin = tokio::time::Instant::now();
        let results = at_once(&limiter, 300, Duration::from_secs(1)).await;
        // Request 119 is admitted at exactly 1 s; 120 would wait 1.01 s.
        for (i, result) in results.into_iter().enumerate() {
            match result {
                Ok(admitted) => {
                    assert!(i < 120, "request {i} admitted");
                    assert_eq!(admitted, slot(i), "request {i}");
                }
                Err(refused) => {
                    assert!(i >= 120, "request {i} refused: {refused}");
                    // Refusals take no place in line, so each would have had the first slot
                    // beyond the maximum.
                    assert_eq!(refused.wait(), Some(slot(120)), "request {i}");
                }
            }
        }
        // The refusals took nothing: now, at request 119's slot (1 s), the next slot is the
        // one right after it.
        assert_eq!(tokio::time::Instant::now() - origin, slot(119));
        let start = tokio::time::Instant::now();
        limiter
            .admit(&[charge("a:set", 100, 1)], Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(start.elapsed(), slot(120) - slot(119));
    }

    #[tokio::test(start_paused = true)]
    async fn refusals_come_before_any_wait_ends() {
        let limiter = Arc::new(LocalLimiter::new());
        let start = tokio::time::Instant::now();
        let refused_at: Vec<_> = (0..300)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move {
                    let set = [charge("a:set", 100, 1)];
                    limiter
                        .admit(&set, Duration::from_secs(1))
                        .await
                        .err()
                        .map(|_| start.elapsed())
                })
            })
            .collect();
        let mut refusals = 0;
        for task in refused_at {
            if let Some(elapsed) = task.await.unwrap() {
                assert_eq!(elapsed, Duration::ZERO);
                refusals += 1;
            }
        }
        assert_eq!(refusals, 180);
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_waiting_for_a_narrow_bucket_does_not_hold_up_the_wide_one() {
        // Expansions: 100/s for all, of which 2/s on groups; a burst of one second.
        let limiter = Arc::new(LocalLimiter::new().with_burst(Duration::from_secs(1)));
        let group = [charge("a:expansion", 100, 1), charge("a:group", 2, 1)];
        let private = [charge("a:expansion", 100, 1)];
        limiter.admit(&group, Duration::ZERO).await.unwrap();
        limiter.admit(&group, Duration::ZERO).await.unwrap();
        // The third group write must wait half a second for the group sub-quota…
        let waiting = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move {
                let start = tokio::time::Instant::now();
                limiter.admit(&group, Duration::from_secs(5)).await.unwrap();
                start.elapsed()
            })
        };
        tokio::task::yield_now().await;
        // …while the rest of the expansion quota (98 units) goes to private writes at once,
        // behind it in arrival order but not blocked by it.
        for _ in 0..98 {
            assert_eq!(limiter.try_take(&private), Ok(()));
        }
        // The wide bucket is spent for now; the unit the group write reserved at 0.5 s comes
        // out of what refills by then.
        assert_eq!(
            limiter.try_take(&private),
            Err((0, Duration::from_millis(10)))
        );
        assert_eq!(waiting.await.unwrap(), Duration::from_millis(500));
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
