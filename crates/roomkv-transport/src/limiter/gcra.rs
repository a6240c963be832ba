//! One GCRA bucket that takes *reservations*: the arithmetic of [`LocalLimiter`](super::LocalLimiter).
//!
//! Why the limiter has its own GCRA instead of governor's: see the [parent module](super).
//!
//! # The model
//!
//! Time is nanoseconds on the limiter's monotonic clock. A bucket refills one unit every
//! `interval` and holds `tolerance` (the burst, as time) at most; a charge of `n` units costs
//! `n · interval`. A sequence of admissions, taken in time order, *conforms* when each one
//! finds the bucket's theoretical arrival time (TAT) within reach:
//!
//! - a charge that fits in the burst (`cost ≤ tolerance`) needs `tat ≤ at + tolerance − cost`;
//! - a charge larger than the whole burst needs a full bucket, `tat ≤ at`;
//!
//! and moves the TAT to `max(tat, at) + cost`. A conforming sequence never admits more than
//! `tolerance + (t₂ − t₁)` worth of units between any two instants `t₁ ≤ t₂` (plus, once, the
//! excess of an oversized charge over the burst).
//!
//! The bucket keeps the TAT of every admission already due (`settled`) and the reservations
//! still in the future, in time order. [`Bucket::earliest`] finds the earliest time at or after
//! a given one at which a new charge can be *inserted* so that the whole sequence, the
//! reservations already made included, still conforms. So nothing reserved ever moves: a
//! request that arrived earlier keeps its slot, which makes the order first come, first served
//! for requests of one bucket. A request that charges two buckets (a group expansion write: the
//! expansion family and its group sub-quota) takes the earliest time that fits *both*; in the
//! wider bucket that reservation may lie in the future while the time before it is free, and a
//! later request of the wider bucket alone can still take that free time, as long as it does
//! not make the future reservation late. So the narrow bucket's line never blocks the wide one.

use std::collections::VecDeque;
use std::time::Duration;

/// Nanoseconds on the limiter's monotonic clock.
pub(super) type Nanos = u64;

/// `d` in nanoseconds, saturating.
pub(super) fn nanos(d: Duration) -> Nanos {
    Nanos::try_from(d.as_nanos()).unwrap_or(Nanos::MAX)
}

/// A slot taken in a bucket: `cost` worth of units at time `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reservation {
    at: Nanos,
    cost: Nanos,
}

/// One quota bucket with its reservations.
#[derive(Debug)]
pub(super) struct Bucket {
    /// Nanoseconds per unit, rounded up so the bucket is never faster than its rate.
    interval: Nanos,
    /// The burst: how far ahead of time the TAT may run.
    tolerance: Nanos,
    /// The TAT after every admission whose time has come.
    settled: Nanos,
    /// Admissions still in the future, in time order (equal times in reservation order).
    pending: VecDeque<Reservation>,
}

impl Bucket {
    /// A full bucket of `rate_per_sec` (at least 1) with a burst of `burst` worth of units (at
    /// least one unit).
    pub(super) fn new(rate_per_sec: u32, burst: Duration) -> Self {
        let interval = 1_000_000_000u64.div_ceil(u64::from(rate_per_sec.max(1)));
        let units = u128::from(rate_per_sec) * burst.as_nanos() / 1_000_000_000;
        let units = u64::try_from(units).unwrap_or(u64::MAX).max(1);
        Self {
            interval,
            tolerance: units.saturating_mul(interval),
            settled: 0,
            pending: VecDeque::new(),
        }
    }

    /// What `units` cost, as time.
    pub(super) fn cost(&self, units: u32) -> Nanos {
        u64::from(units).saturating_mul(self.interval)
    }

    /// How far ahead of an admission's time the TAT may be for a charge of `cost` to conform.
    fn headroom(&self, cost: Nanos) -> Nanos {
        self.tolerance.saturating_sub(cost)
    }

    /// The TAT after an admission of `cost` at `at` that found `tat`.
    fn after(tat: Nanos, at: Nanos, cost: Nanos) -> Nanos {
        tat.max(at).saturating_add(cost)
    }

    /// Moves every reservation whose time has come (`at ≤ now`) into the settled TAT.
    pub(super) fn settle(&mut self, now: Nanos) {
        while let Some(&due) = self.pending.front().filter(|r| r.at <= now) {
            self.settled = Self::after(self.settled, due.at, due.cost);
            self.pending.pop_front();
        }
    }

    /// Whether nothing is reserved in the future and the bucket is full again at `now`.
    pub(super) fn is_idle(&self, now: Nanos) -> bool {
        self.pending.is_empty() && self.settled <= now
    }

    /// The earliest time at or after `from` at which a charge of `cost` can be reserved without
    /// making any reservation already made non-conforming.
    pub(super) fn earliest(&self, from: Nanos, cost: Nanos) -> Nanos {
        let headroom = self.headroom(cost);
        if self.pending.is_empty() {
            return from.max(self.settled.saturating_sub(headroom));
        }
        // `incoming[j]`: the TAT reservation `j` finds (the last one: what a charge after
        // every reservation finds).
        let mut incoming = Vec::with_capacity(self.pending.len() + 1);
        let mut tat = self.settled;
        for reservation in &self.pending {
            incoming.push(tat);
            tat = Self::after(tat, reservation.at, reservation.cost);
        }
        incoming.push(tat);
        // `slack[j]`: how much later than `incoming[j]` the TAT may reach reservation `j` with
        // it and every later one still conforming.
        let mut slack = vec![Nanos::MAX; self.pending.len() + 1];
        for (j, reservation) in self.pending.iter().enumerate().rev() {
            let margin = reservation
                .at
                .saturating_add(self.headroom(reservation.cost))
                .saturating_sub(incoming[j]);
            // While the bucket would sit idle before `j`, a later TAT is absorbed.
            let idle = reservation.at.saturating_sub(incoming[j]);
            slack[j] = margin.min(idle.saturating_add(slack[j + 1]));
        }
        // The new charge goes right before reservation `j`: at a time in
        // `[pending[j - 1].at, pending[j].at)`. Within that gap the earliest time that conforms
        // itself is also the one that delays the later reservations least.
        for (j, next) in self.pending.iter().enumerate() {
            let gap_start = j
                .checked_sub(1)
                .map_or(from, |p| from.max(self.pending[p].at));
            let at = gap_start.max(incoming[j].saturating_sub(headroom));
            if at < next.at && Self::after(incoming[j], at, cost) - incoming[j] <= slack[j] {
                return at;
            }
        }
        let last = self.pending.back().map_or(from, |r| from.max(r.at));
        last.max(tat.saturating_sub(headroom))
    }

    /// Reserves `cost` at `at` (which [`earliest`](Self::earliest) allowed).
    pub(super) fn reserve(&mut self, at: Nanos, cost: Nanos) {
        let index = self.pending.partition_point(|r| r.at <= at);
        self.pending.insert(index, Reservation { at, cost });
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MS: Nanos = 1_000_000;

    /// The reference model of a bucket that only ever queues at the back: classic GCRA virtual
    /// scheduling with reservations, as the Redis script does it.
    struct Fifo {
        interval: Nanos,
        tolerance: Nanos,
        tat: Nanos,
    }

    impl Fifo {
        fn reserve(&mut self, now: Nanos, units: u32, max_wait: Nanos) -> Option<Nanos> {
            let cost = u64::from(units) * self.interval;
            let at = now.max(self.tat.saturating_sub(self.tolerance.saturating_sub(cost)));
            if at - now > max_wait {
                return None;
            }
            self.tat = self.tat.max(at) + cost;
            Some(at)
        }
    }

    /// Whether admissions `(at, cost)` conform to a bucket of `interval` and `tolerance`
    /// that starts full (the definition in the module docs, checked in time order).
    fn conforms(admissions: &mut [(Nanos, Nanos)], tolerance: Nanos) -> bool {
        admissions.sort_by_key(|&(at, _)| at);
        let mut tat = 0;
        for &(at, cost) in admissions.iter() {
            if tat > at + tolerance.saturating_sub(cost) {
                return false;
            }
            tat = tat.max(at) + cost;
        }
        true
    }

    /// Checks the bound in the module docs directly: between any two admissions, at most
    /// the burst plus the elapsed time (plus the largest excess of one charge over the burst).
    fn within_rate(admissions: &[(Nanos, Nanos)], tolerance: Nanos) -> bool {
        let excess = admissions
            .iter()
            .map(|&(_, cost)| cost.saturating_sub(tolerance))
            .max()
            .unwrap_or(0);
        admissions.iter().enumerate().all(|(i, &(first, _))| {
            let mut sum = 0;
            admissions[i..].iter().all(|&(at, cost)| {
                sum += cost;
                sum <= tolerance + excess + (at - first)
            })
        })
    }

    #[test]
    fn a_full_bucket_then_one_interval_per_unit() {
        let mut bucket = Bucket::new(100, Duration::from_millis(200));
        assert_eq!((bucket.interval, bucket.tolerance), (10 * MS, 200 * MS));
        for _ in 0..20 {
            assert_eq!(bucket.earliest(0, 10 * MS), 0);
            bucket.reserve(0, 10 * MS);
        }
        assert_eq!(bucket.earliest(0, 10 * MS), 10 * MS);
        bucket.reserve(10 * MS, 10 * MS);
        assert_eq!(bucket.earliest(0, 10 * MS), 20 * MS);
        bucket.settle(15 * MS);
        assert_eq!(bucket.pending.len(), 0);
        assert_eq!(bucket.earliest(15 * MS, 10 * MS), 20 * MS);
    }

    #[test]
    fn a_later_request_takes_free_time_before_a_reservation_without_delaying_it() {
        // 10/s, a burst of one unit. A reservation at 5 s leaves the time before it free: a
        // unit at 0 fits (the bucket is full again by 0.1 s), and the one at 5 s still conforms.
        let mut bucket = Bucket::new(10, Duration::from_millis(100));
        bucket.reserve(5_000 * MS, 100 * MS);
        assert_eq!(bucket.earliest(0, 100 * MS), 0);
        bucket.reserve(0, 100 * MS);
        // The next unit fits at 0.1 s; the gap closes only just before 5 s.
        assert_eq!(bucket.earliest(0, 100 * MS), 100 * MS);
        assert_eq!(bucket.earliest(4_950 * MS, 100 * MS), 5_100 * MS);
        let mut admissions: Vec<_> = bucket.pending.iter().map(|r| (r.at, r.cost)).collect();
        assert!(conforms(&mut admissions, bucket.tolerance));
    }

    #[test]
    fn a_charge_larger_than_the_burst_waits_for_a_full_bucket() {
        let mut bucket = Bucket::new(10, Duration::from_millis(100));
        bucket.reserve(0, bucket.cost(20));
        assert_eq!(bucket.earliest(0, bucket.cost(1)), 2_000 * MS);
        assert_eq!(bucket.earliest(0, bucket.cost(20)), 2_000 * MS);
    }

    proptest! {
        /// Requests of one bucket only: exactly the slots of the FIFO reference model, so the
        /// order is first come, first served and nothing is faster than classic GCRA.
        #[test]
        fn one_bucket_matches_the_fifo_model(
            rate in 1u32..400,
            burst_ms in 1u64..1500,
            max_wait_ms in 0u64..3000,
            steps in proptest::collection::vec((0u64..40, 1u32..25), 1..150),
        ) {
            let burst = Duration::from_millis(burst_ms);
            let mut bucket = Bucket::new(rate, burst);
            let mut model = Fifo { interval: bucket.interval, tolerance: bucket.tolerance, tat: 0 };
            let max_wait = max_wait_ms * MS;
            let mut now = 0;
            let mut last = 0;
            for (advance_ms, units) in steps {
                now += advance_ms * MS;
                bucket.settle(now);
                let cost = bucket.cost(units);
                let at = bucket.earliest(now, cost);
                let admitted = (at - now <= max_wait).then(|| bucket.reserve(at, cost)).map(|()| at);
                prop_assert_eq!(admitted, model.reserve(now, units, max_wait));
                if let Some(at) = admitted {
                    prop_assert!(at >= last, "FIFO: {} before {}", at, last);
                    last = at;
                }
            }
        }

        /// Requests charging one or two buckets (each bucket always the same units, as a quota
        /// family charges its requests), arriving at random: every bucket's admissions conform
        /// and stay within rate × time + burst, and within one bucket the requests that charge
        /// only it are admitted in arrival order.
        #[test]
        fn two_buckets_stay_within_their_rates_and_single_charges_stay_in_order(
            rates in (1u32..300, 1u32..300),
            burst_ms in 1u64..1000,
            (units_a, units_b) in (1u32..8, 1u32..8),
            steps in proptest::collection::vec((0u64..30, 0usize..3), 1..150),
        ) {
            let burst = Duration::from_millis(burst_ms);
            let mut buckets = [Bucket::new(rates.0, burst), Bucket::new(rates.1, burst)];
            let mut admitted: [Vec<(Nanos, Nanos)>; 2] = [Vec::new(), Vec::new()];
            let mut last_single = [0; 2];
            let mut now = 0;
            for (advance_ms, which) in steps {
                now += advance_ms * MS;
                // 0: bucket 0 only, 1: bucket 1 only, 2: both.
                let charged: Vec<(usize, u32)> = match which {
                    0 => vec![(0, units_a)],
                    1 => vec![(1, units_b)],
                    _ => vec![(0, units_a), (1, units_b)],
                };
                for bucket in &mut buckets {
                    bucket.settle(now);
                }
                let mut at = now;
                loop {
                    let next = charged
                        .iter()
                        .map(|&(b, units)| buckets[b].earliest(at, buckets[b].cost(units)))
                        .max()
                        .unwrap_or(at);
                    if next == at {
                        break;
                    }
                    at = next;
                }
                for &(b, units) in &charged {
                    let cost = buckets[b].cost(units);
                    buckets[b].reserve(at, cost);
                    admitted[b].push((at, cost));
                    if charged.len() == 1 {
                        prop_assert!(at >= last_single[b], "FIFO in bucket {}", b);
                        last_single[b] = at;
                    }
                }
            }
            for (bucket, admissions) in buckets.iter().zip(&mut admitted) {
                prop_assert!(conforms(admissions, bucket.tolerance));
                prop_assert!(within_rate(admissions, bucket.tolerance));
            }
        }
    }
}
