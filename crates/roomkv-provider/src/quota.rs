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
    /// The app, as bucket names start with it: `rongcloud:APPKEY`, `tencent:SDKAPPID`.
    pub app: Arc<str>,
}

impl QuotaGate {
    /// What one attempt of a request costing `cost` takes: one charge per family, named
    /// `APP:FAMILY`, at the family's rate in `limits`; and the families, in the same order.
    pub fn charges(&self, cost: QuotaCost, limits: &Limits) -> (Vec<Charge>, Vec<QuotaFamily>) {
        cost.charges()
            .map(|(family, units)| {
                let charge = Charge {
                    bucket: format!("{}:{}", self.app, family.name()).into(),
                    rate_per_sec: limits.rate_per_sec(family),
                    units,
                };
                (charge, family)
            })
            .unzip()
    }
}
