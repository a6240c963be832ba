//! Vendor rate limits: one GCRA bucket per app and quota family, lock-free.
//!
//! Rates come from core's [`Limits::rate_per_sec`] and the cost of a request from core's
//! [`QuotaCost`] (one request may charge two families: a group expansion set charges the
//! expansion-write family and its group sub-quota). Both charges are taken or neither.
//!
//! The algorithm is GCRA (the "virtual scheduling" form of a token bucket): each bucket keeps a
//! theoretical arrival time (TAT) in an `AtomicU64`. A charge of `n` units at `now` is admitted if
//! `max(TAT, now) + n·T − now ≤ τ`, where `T = 1 s / rate` and `τ` is the burst tolerance
//! (default one second, so a family of 100/s admits 100 units at once and then one every 10 ms;
//! over any long stretch it admits `rate` per second plus one burst). A request larger than the
//! whole burst is admitted only when its bucket is full, so scaled-down quotas do not make large
//! batches impossible.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use roomkv_core::rongcloud::ConversationType;
use roomkv_core::tencent::Command;
use roomkv_core::{Limits, QuotaCost, QuotaFamily};

use crate::clock::to_nanos;
use crate::config::QuotaConfig;

/// The RongCloud families, in slot order.
const RONGCLOUD_FAMILIES: [QuotaFamily; 6] = [
    QuotaFamily::RongCloudEntrySet,
    QuotaFamily::RongCloudEntryRemove,
    QuotaFamily::RongCloudEntryQuery,
    QuotaFamily::RongCloudExpansionWrite,
    QuotaFamily::RongCloudExpansionGroupWrite,
    QuotaFamily::RongCloudExpansionQuery,
];

/// One slot per RongCloud family and per Tencent command.
const SLOTS: usize = RONGCLOUD_FAMILIES.len() + Command::ALL.len();

fn slot(family: QuotaFamily) -> Option<usize> {
    match family {
        QuotaFamily::Tencent(command) => Command::ALL
            .iter()
            .position(|c| *c == command)
            .map(|i| RONGCLOUD_FAMILIES.len() + i),
        other => RONGCLOUD_FAMILIES.iter().position(|f| *f == other),
    }
}

/// The quota state of one app: a theoretical arrival time per family, in nanoseconds on the
/// time scale the charges are made at (the emulator charges at its clock's monotonic time).
#[derive(Debug, Default)]
pub struct AppQuota {
    tat: [AtomicU64; SLOTS],
}

impl AppQuota {
    /// A fresh app: every bucket full.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fills every bucket again.
    pub fn reset(&self) {
        for tat in &self.tat {
            tat.store(0, Ordering::SeqCst);
        }
    }
}

/// A request refused because a quota is exhausted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("quota {family:?} exhausted ({rate_per_sec}/s)")]
pub struct QuotaExceeded {
    /// The family that refused.
    pub family: QuotaFamily,
    /// Its rate per second (after scaling), rounded down.
    pub rate_per_sec: u64,
}

/// The rates of every family, shared by all apps; charges go to an [`AppQuota`].
#[derive(Debug)]
pub struct QuotaEnforcer {
    enabled: AtomicBool,
    configured: bool,
    /// Nanoseconds per unit; `None` means the family is not limited.
    interval: [Option<u64>; SLOTS],
    families: [Option<QuotaFamily>; SLOTS],
    tolerance: u64,
    /// Requests refused so far, over every app.
    refusals: AtomicU64,
}

impl QuotaEnforcer {
    /// Rates from `limits`, scaled and enabled per `config`.
    pub fn new(limits: &Limits, config: &QuotaConfig) -> Self {
        let scale_ok = config.rate_scale.is_finite() && config.rate_scale > 0.0;
        let mut interval = [None; SLOTS];
        let mut families = [None; SLOTS];
        let all = RONGCLOUD_FAMILIES
            .into_iter()
            .chain(Command::ALL.into_iter().map(QuotaFamily::Tencent));
        for family in all {
            let Some(i) = slot(family) else { continue };
            families[i] = Some(family);
            let rate = f64::from(limits.rate_per_sec(family)) * config.rate_scale;
            if rate > 0.0 && rate.is_finite() {
                // Rounded down, so that `rate` units always fit in one second of tolerance.
                interval[i] = Some(((1e9 / rate) as u64).max(1));
            }
        }
        if !scale_ok {
            tracing::warn!(
                rate_scale = config.rate_scale,
                "rate_scale is not a positive number; quotas are not enforced"
            );
        }
        Self {
            enabled: AtomicBool::new(config.enabled && scale_ok),
            configured: config.enabled && scale_ok,
            interval,
            families,
            tolerance: to_nanos(config.burst),
            refusals: AtomicU64::new(0),
        }
    }

    /// Whether quotas are enforced.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Turns enforcement on or off at run time.
    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    /// Enforcement back as configured.
    pub fn restore(&self) {
        self.set_enabled(self.configured);
    }

    /// Takes `cost` from `app` at `now`, every charge or none.
    pub fn try_charge(
        &self,
        app: &AppQuota,
        cost: QuotaCost,
        now: Duration,
    ) -> Result<(), QuotaExceeded> {
        if !self.enabled() {
            return Ok(());
        }
        let now = to_nanos(now);
        let mut taken: [Option<(usize, u64)>; 2] = [None, None];
        for (n, (family, units)) in cost.charges().enumerate() {
            let Some(i) = slot(family) else { continue };
            let Some(interval) = self.interval[i] else {
                continue;
            };
            let amount = interval.saturating_mul(u64::from(units));
            if reserve(&app.tat[i], amount, now, self.tolerance) {
                if let Some(slot) = taken.get_mut(n) {
                    *slot = Some((i, amount));
                }
            } else {
                // Give back what this request already took.
                for (j, amount) in taken.iter().flatten() {
                    release(&app.tat[*j], *amount);
                }
                self.refusals.fetch_add(1, Ordering::Relaxed);
                return Err(QuotaExceeded {
                    family,
                    rate_per_sec: 1_000_000_000 / interval,
                });
            }
        }
        Ok(())
    }

    /// How many requests were refused for an exhausted quota since the emulator started, over
    /// every app: what a client that keeps to the quotas must leave at zero.
    pub fn refusals(&self) -> u64 {
        self.refusals.load(Ordering::Relaxed)
    }

    /// The units per second the bucket named `bucket` ([`QuotaFamily::name`]) admits, after
    /// scaling; `None` when unlimited or not enforced.
    pub fn limit_per_sec(&self, bucket: &str) -> Option<u64> {
        if !self.enabled() {
            return None;
        }
        let family = self.families().find(|f| f.name() == bucket)?;
        let interval = self.interval[slot(family)?]?;
        Some(1_000_000_000 / interval)
    }

    /// The family stored in a slot (for diagnostics).
    pub fn families(&self) -> impl Iterator<Item = QuotaFamily> + '_ {
        self.families.iter().flatten().copied()
    }
}

/// GCRA admission on one bucket; lock-free compare-and-swap.
fn reserve(tat: &AtomicU64, amount: u64, now: u64, tolerance: u64) -> bool {
    let mut current = tat.load(Ordering::Acquire);
    loop {
        let full = current <= now;
        let next = current.max(now).saturating_add(amount);
        if !full && next - now > tolerance {
            return false;
        }
        match tat.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return true,
            Err(actual) => current = actual,
        }
    }
}

/// Undoes a reservation. TATs only add up, so subtracting the amount restores the capacity
/// exactly (a concurrent request may have been refused meanwhile: the limiter errs on the strict
/// side, never the lenient one).
fn release(tat: &AtomicU64, amount: u64) {
    let _ = tat.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
        Some(t.saturating_sub(amount))
    });
}

/// The cost of a RongCloud expansion set or delete: one request, plus one of the group
/// sub-quota on group messages. (A convenience for callers without core's operation at hand;
/// core's `Operation::quota` is the reference.)
pub fn expansion_write_cost(conversation: ConversationType) -> QuotaCost {
    let cost = QuotaCost::one(QuotaFamily::RongCloudExpansionWrite, 1);
    match conversation {
        ConversationType::Group => cost.and(QuotaFamily::RongCloudExpansionGroupWrite, 1),
        ConversationType::Private => cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_a_slot() {
        let limiter = QuotaEnforcer::new(&Limits::default(), &QuotaConfig::default());
        assert_eq!(limiter.families().count(), SLOTS);
        assert!(slot(QuotaFamily::Tencent(Command::DelRoomMetadata)).is_some());
    }
}
