//! Client-side rate limiting: a request waits for its slot in the vendor's quota before it is
//! encoded, signed and sent, so it is never sent just to be refused.
//!
//! This module knows no vendor. A provider turns what a request costs into [`Charge`]s — a
//! bucket name (the app and the quota family), the bucket's rate and the units taken — and asks
//! a [`RateLimiter`] to [`admit`](RateLimiter::admit) them, all or none, waiting at most a given
//! time. Two limiters ship:
//!
//! - [`LocalLimiter`]: in-process GCRA buckets that reserve each request's slot when it
//!   arrives (our own GCRA, see below for why), for one process.
//! - `RedisLimiter` (feature `redis`): one GCRA per bucket in Redis, shared by every process
//!   that uses the app's key, with a fallback to a local limiter at the quota divided by the
//!   fleet size when Redis cannot be reached.
//!
//! # The algorithm, and why the burst is below the vendor's
//!
//! Every bucket is a GCRA (a token bucket in "virtual scheduling" form): with `T = 1 s / rate`
//! a charge of `n` units advances the bucket's theoretical arrival time (TAT) by `n·T`, and is
//! admitted when the TAT stays within the *burst tolerance* `τ` of now. Over any stretch of
//! time a bucket admits `rate` units per second plus one burst of `τ / T` units, so a client
//! that always has requests waiting runs at exactly 100 % of the quota.
//!
//! The vendors' own limiter sees the requests when they *arrive*, a network delay later, and
//! delays vary (jitter): two requests the client sent `T` apart may arrive closer together.
//! A sequence that conforms to GCRA(`T`, `τ`) at the sender still conforms to
//! GCRA(`T`, `τ + J`) at the receiver when the delays vary by at most `J` (the classic cell
//! delay variation bound). So the client keeps a burst *smaller* than the vendor's: with the
//! default burst of [`DEFAULT_BURST`] (0.2 s of the quota: 20 units of a 100/s family, one full
//! batch) against a vendor that tolerates one second of burst (the emulator's default, and
//! the reading of "100 per second"), arrival jitter of up to 0.8 s is absorbed. The long-run
//! rate stays at 100 %: the slack is in the burst, not in the rate.
//!
//! If a vendor instead counts requests in fixed one-second windows, no limiter can run at 100 %
//! of the quota *and* keep every window within it after an idle spell: a GCRA admits at most
//! `rate + burst` units in any one-second window (`rate` once the burst is spent, which is the
//! steady state under load). The small default burst bounds that excess to 20 % in the first
//! second after an idle spell; a smaller [`LocalLimiter::with_burst`] shrinks it further (to
//! one unit at the least, at the price of less jitter tolerance), and setting the limiter's
//! rate below the quota removes it.
//!
//! A charge larger than the whole burst (a batch of 20 with a tiny quota) is admitted when its
//! bucket is full and then empties it for as long as the units take at the rate, as the
//! emulator does, instead of never fitting.
//!
//! # Waiting, first come first served
//!
//! Both limiters decide a request's slot when it arrives and *reserve* it in every bucket it
//! charges; the request then sleeps (on tokio's timer) until its slot. When the slot is further
//! away than the caller's maximum wait, admission fails at once with [`RateLimited`], naming the
//! wait its place in line implies, and takes nothing from any bucket. A reserved slot never
//! moves, so a request that arrived later never delays one that arrived earlier: per bucket,
//! waiting is first come, first served. A request charging two buckets (a group expansion
//! write: the expansion family and its group sub-quota) gets the earliest time both allow;
//! [`LocalLimiter`] lets later requests of the wider bucket use the free time before that
//! reservation (without making it late), so the narrow bucket's line never holds up the
//! wide one. The Redis limiter's script reserves at the end of every bucket's line, so there
//! a request charging two buckets also pushes back the wider one's later requests.
//!
//! ## Why our own GCRA, not governor's
//!
//! [`governor`](https://docs.rs/governor) answers a request that does not fit with "not before
//! `t`" and takes nothing, so a waiting request holds no place in line: whoever checks first
//! after `t` gets the slot, and a waiter can be overtaken again and again. A fair limiter must
//! instead decide a request's slot when it *arrives* and keep it for it: a reservation, as the
//! Redis limiter's script does. governor has no way to take a slot in the future, nor to put
//! a request between reservations already made (which a request charging two buckets needs,
//! above), so [`LocalLimiter`] keeps the GCRA state itself: a few lines of integer arithmetic,
//! property-tested against the classic FIFO model and the rate bound.

mod fast_hash;
mod gcra;
mod local;
#[cfg(feature = "redis")]
mod redis_backed;

use std::error::Error as StdError;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

pub use local::LocalLimiter;
#[cfg(feature = "redis")]
pub use redis_backed::{InvalidRedisUrl, RedisLimiter, RedisLimiterBuilder, WhenUnavailable};

use crate::{BoxError, BoxFuture, Clock};

/// The default burst of a bucket, as time at its rate: 200 ms (20 units of a 100/s quota).
pub const DEFAULT_BURST: Duration = Duration::from_millis(200);

/// The default longest wait for a slot: 10 s.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(10);

/// Part of what a request costs: `units` from the bucket `bucket`, which refills at
/// `rate_per_sec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The bucket's name, unique per app and quota family (`rongcloud:APPKEY:entry-set`).
    pub bucket: Arc<str>,
    /// The bucket's rate in units per second; `0` means the bucket is not limited.
    pub rate_per_sec: u32,
    /// The units this request takes.
    pub units: u32,
}

/// Admits requests into vendor quotas, waiting for their slots.
///
/// Implementations must be all-or-nothing: a request's charges are taken together or not at
/// all, and a refused request leaves every bucket as it was.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Waits until every charge fits, then takes them all. When that would take longer than
    /// `max_wait`, fails at once without taking anything.
    ///
    /// # Errors
    ///
    /// [`RateLimited`] naming the charge that did not fit (or the shared store that could not
    /// be reached, for a limiter that fails closed).
    fn admit<'a>(
        &'a self,
        charges: &'a [Charge],
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), RateLimited>>;

    /// Decides without waiting, for a limiter that can: reserves the earliest slot at which
    /// every charge fits and answers how long until it, which the caller then sleeps; or
    /// refuses as [`admit`](Self::admit) would, taking nothing. `None` (the default) means the
    /// limiter cannot decide synchronously (it asks a shared store) and the caller must use
    /// `admit`.
    ///
    /// The clients' request pipeline asks this first, so that a request that does not wait
    /// costs no boxed future. An implementation must reserve exactly as `admit` would: a
    /// `Some(Ok(wait))` holds the slot.
    ///
    /// # Errors
    ///
    /// As [`admit`](Self::admit).
    fn reserve_now(
        &self,
        charges: &[Charge],
        max_wait: Duration,
    ) -> Option<Result<Duration, RateLimited>> {
        let _ = (charges, max_wait);
        None
    }
}

/// Admits `charges` into `limiter`: through its synchronous [`RateLimiter::reserve_now`] when it
/// decides there (sleeping on tokio's timer until the reserved slot), else through its `admit`.
///
/// # Errors
///
/// [`RateLimited`], as the limiter decides.
pub async fn admit(
    limiter: &dyn RateLimiter,
    charges: &[Charge],
    max_wait: Duration,
) -> Result<(), RateLimited> {
    match limiter.reserve_now(charges, max_wait) {
        Some(reserved) => {
            let wait = reserved?;
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            Ok(())
        }
        None => limiter.admit(charges, max_wait).await,
    }
}

/// A cheaply cloneable, type-erased [`RateLimiter`].
#[derive(Clone, Debug)]
pub struct SharedRateLimiter(Arc<dyn RateLimiter>);

impl SharedRateLimiter {
    /// Wraps `limiter`.
    pub fn new(limiter: impl RateLimiter + 'static) -> Self {
        Self(Arc::new(limiter))
    }

    /// The process-wide [`LocalLimiter`] with the [`DEFAULT_BURST`]: every client that uses it
    /// shares its buckets, so two clients of the same app in one process share its quota.
    pub fn process_wide() -> Self {
        static SHARED: OnceLock<SharedRateLimiter> = OnceLock::new();
        SHARED
            .get_or_init(|| Self::new(LocalLimiter::new()))
            .clone()
    }
}

impl RateLimiter for SharedRateLimiter {
    fn admit<'a>(
        &'a self,
        charges: &'a [Charge],
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), RateLimited>> {
        self.0.admit(charges, max_wait)
    }

    fn reserve_now(
        &self,
        charges: &[Charge],
        max_wait: Duration,
    ) -> Option<Result<Duration, RateLimited>> {
        self.0.reserve_now(charges, max_wait)
    }
}

/// Why a request was not admitted.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RateLimitReason {
    /// The charge would fit only after `wait`, longer than the caller's `max_wait`.
    WaitTooLong {
        /// How long the request would have had to wait.
        wait: Duration,
        /// The longest wait the caller allowed.
        max_wait: Duration,
    },
    /// The shared quota store could not be asked, and the limiter fails closed.
    Unavailable(Arc<BoxError>),
}

/// A request refused by a [`RateLimiter`]; nothing was taken from any bucket.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RateLimited {
    /// The index, in the request's charges, of the one that did not fit.
    pub charge: usize,
    /// That charge's bucket.
    pub bucket: Arc<str>,
    /// That bucket's rate per second.
    pub rate_per_sec: u32,
    /// Why the request was refused.
    pub reason: RateLimitReason,
}

impl RateLimited {
    /// A refusal of `charges[index]` for `reason`.
    pub fn new(charges: &[Charge], index: usize, reason: RateLimitReason) -> Self {
        let charge = &charges[index];
        Self {
            charge: index,
            bucket: charge.bucket.clone(),
            rate_per_sec: charge.rate_per_sec,
            reason,
        }
    }

    /// The wait the request would have needed, when that is why it was refused.
    pub fn wait(&self) -> Option<Duration> {
        match self.reason {
            RateLimitReason::WaitTooLong { wait, .. } => Some(wait),
            RateLimitReason::Unavailable(_) => None,
        }
    }
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            RateLimitReason::WaitTooLong { wait, max_wait } => write!(
                f,
                "quota {} ({}/s) has no room for {} ms, longer than the maximum wait of {} ms; nothing sent",
                self.bucket,
                self.rate_per_sec,
                wait.as_millis(),
                max_wait.as_millis()
            ),
            RateLimitReason::Unavailable(err) => write!(
                f,
                "quota {} ({}/s) could not be checked, the shared quota store is unavailable ({err}); nothing sent",
                self.bucket, self.rate_per_sec
            ),
        }
    }
}

impl StdError for RateLimited {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.reason {
            RateLimitReason::Unavailable(err) => Some(err.as_ref().as_ref()),
            RateLimitReason::WaitTooLong { .. } => None,
        }
    }
}

/// Tokio's clock as a [`Clock`]: its monotonic time is [`tokio::time::Instant`] since the
/// clock was made, so it pauses and advances with tokio's test clock. The limiters measure time
/// with it by default, so the time they compute waits on is the time they wait on. Its wall
/// clock is the system's.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    origin: tokio::time::Instant,
}

impl TokioClock {
    /// A clock whose monotonic time starts now.
    pub fn new() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn monotonic(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
    }
}
