//! [`RateLimit`]: which client-side rate limiter a client uses, and [`QuotaGate`]: how the
//! engine charges each attempt of a request to its app's quota families.

use std::sync::Arc;
use std::time::Duration;

use roomkv_core::{Limits, QuotaCost, QuotaFamily};
use roomkv_transport::limiter::{Charge, SharedRateLimiter};

/// Which rate limiter admits a client's requests into the vendor's quotas.
///
/// Every attempt of a request (a retry too) waits for its slot in each quota family it draws
/// from, at the rates of the client's [`Limits`] (so raising a quota with
/// `ClientBuilder::limits` raises the limiter's rate), before it is signed and sent.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum RateLimit {
    /// The default: the process-wide in-memory limiter
    /// ([`SharedRateLimiter::process_wide`]), shared by every client in this process, so two
    /// clients of the same app (and every clone of a client) share the app's quota.
    #[default]
    Process,
    /// This limiter: a `RedisLimiter` shared by a fleet of processes (feature `redis`), a
    /// `LocalLimiter` with another burst or clock, or your own.
    With(SharedRateLimiter),
    /// No client-side limiting: requests are sent at once, and the vendor may answer
    /// "throttled".
    Off,
}

impl RateLimit {
    /// The limiter, or `None` when off.
    pub(crate) fn limiter(self) -> Option<SharedRateLimiter> {
        match self {
            Self::Process => Some(SharedRateLimiter::process_wide()),
            Self::With(limiter) => Some(limiter),
            Self::Off => None,
        }
    }
}

/// The rate limiter of a built client, and the name of its app in the limiter's buckets.
#[derive(Debug, Clone)]
pub struct QuotaGate {
    /// The limiter.
    pub limiter: SharedRateLimiter,
    /// The longest an attempt waits for its slot.
    pub max_wait: Duration,
    /// The bucket name of every family (`APP:FAMILY`, where the app is `rongcloud:APPKEY` or
    /// `tencent:SDKAPPID`), made once with the gate: finding one per request is
    /// a short scan, with no lock, hashing or formatting.
    buckets: Arc<[(QuotaFamily, Arc<str>)]>,
}

impl QuotaGate {
    /// A gate charging `app`'s buckets in `limiter`, waiting at most `max_wait` per attempt.
    pub fn new(limiter: SharedRateLimiter, max_wait: Duration, app: Arc<str>) -> Self {
        let buckets = QuotaFamily::all()
            .map(|family| (family, Self::name(&app, family)))
            .collect();
        Self {
            limiter,
            max_wait,
            buckets,
        }
    }

    /// What one attempt of a request costing `cost` takes: one charge per family, in the
    /// order of [`QuotaCost::charges`], named `APP:FAMILY`, at the family's rate in `limits`.
    pub fn charges(&self, cost: QuotaCost, limits: &Limits) -> Charges {
        let mut charges = cost.charges().map(|(family, units)| Charge {
            bucket: self.bucket(family),
            rate_per_sec: limits.rate_per_sec(family),
            units,
        });
        Charges(match (charges.next(), charges.next()) {
            (None, _) => Inline::Zero,
            (Some(one), None) => Inline::One([one]),
            (Some(one), Some(two)) => Inline::Two([one, two]),
        })
    }

    /// The bucket name of `family`: `APP:FAMILY`.
    fn bucket(&self, family: QuotaFamily) -> Arc<str> {
        self.buckets
            .iter()
            .find(|(named, _)| *named == family)
            .map(|(_, name)| Arc::clone(name))
            .expect("`QuotaFamily::all` lists every family")
    }

    fn name(app: &str, family: QuotaFamily) -> Arc<str> {
        format!("{app}:{}", family.name()).into()
    }
}

/// What one attempt of a request takes from the limiter, kept inline: a [`QuotaCost`] names
/// at most two families, so making a request's charges allocates nothing. Dereferences to the
/// slice [`RateLimiter::admit`](roomkv_transport::limiter::RateLimiter::admit) takes.
#[derive(Debug, Clone, Default)]
pub struct Charges(Inline);

#[derive(Debug, Clone, Default)]
enum Inline {
    #[default]
    Zero,
    One([Charge; 1]),
    Two([Charge; 2]),
}

impl std::ops::Deref for Charges {
    type Target = [Charge];

    fn deref(&self) -> &[Charge] {
        match &self.0 {
            Inline::Zero => &[],
            Inline::One(charges) => charges,
            Inline::Two(charges) => charges,
        }
    }
}

#[cfg(test)]
mod tests {
    use roomkv_core::tencent::Command;

    use super::*;

    #[test]
    fn charges_name_app_and_family_and_reuse_the_names() {
        let gate = QuotaGate::new(
            SharedRateLimiter::process_wide(),
            Duration::ZERO,
            "rongcloud:key".into(),
        );
        let cost = QuotaCost::one(QuotaFamily::RongCloudExpansionWrite, 1)
            .and(QuotaFamily::RongCloudExpansionGroupWrite, 1);
        let limits = Limits::DOCUMENTED;
        let first = gate.charges(cost, &limits);
        let names: Vec<_> = first.iter().map(|charge| charge.bucket.as_ref()).collect();
        assert_eq!(
            names,
            [
                "rongcloud:key:expansion-write",
                "rongcloud:key:expansion-group-write"
            ]
        );
        assert_eq!(
            first[1].rate_per_sec,
            limits.rate_per_sec(QuotaFamily::RongCloudExpansionGroupWrite)
        );
        let again = gate.charges(cost, &limits);
        assert!(Arc::ptr_eq(&first[0].bucket, &again[0].bucket));
        let tencent = gate.charges(
            QuotaCost::one(QuotaFamily::Tencent(Command::SetRoomMetadata), 1),
            &limits,
        );
        assert_eq!(
            tencent[0].bucket.as_ref(),
            "rongcloud:key:set_room_metadata"
        );
        assert_eq!(tencent.len(), 1);
        assert!(Charges::default().is_empty());
    }
}
