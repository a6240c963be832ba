//! Client metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`).
//!
//! The library records; the application installs the recorder it wants (Prometheus,
//! OpenTelemetry, StatsD, …). Without the feature every type here is empty and every method
//! does nothing, so the request path has no clock read, atomic or allocation for metrics.
//!
//! Label values are bounded: the vendor and operation names are `&'static str` from the types,
//! a host is one of the client's configured hosts, a family one of the quota families. Never an
//! id, key or user input.
//!
//! This module records what transport sees: the quota admission of every attempt
//! ([`names::QUOTA_WAIT`], [`names::QUOTA_WAITING`], [`names::QUOTA_REFUSED`]), every attempt's
//! duration ([`names::ATTEMPT_DURATION`]), retries ([`names::RETRIES`]) and host switches
//! ([`names::FAILOVERS`], [`names::ACTIVE_HOST`]). The provider records the request as a whole
//! ([`names::REQUESTS`], [`names::REQUEST_DURATION`]).

#[cfg(feature = "metrics")]
use std::sync::atomic::{AtomicU8, Ordering};
#[cfg(feature = "metrics")]
use std::sync::{Arc, OnceLock};

#[cfg(feature = "metrics")]
use metrics::{Counter, Gauge, Histogram};

use crate::HostChoice;
#[cfg(feature = "metrics")]
use crate::HostSet;
use crate::limiter::RateLimited;
use crate::safety::AttemptOutcome;

/// The name of every metric roomkv records.
pub mod names {
    /// Counter `{vendor, operation, outcome}`: requests, by how they ended.
    pub const REQUESTS: &str = "roomkv_requests_total";
    /// Histogram `{vendor, operation}`, seconds: a whole request, retries and waits included,
    /// until its last exchange ended (parsing the answer is not counted), or until it ended
    /// when its last attempt exchanged nothing. See [`RequestClock`](super::RequestClock).
    pub const REQUEST_DURATION: &str = "roomkv_request_duration_seconds";
    /// Histogram `{vendor, operation, host}`, seconds: one attempt, from its start (building and
    /// signing its request included) to the end of its exchange. See
    /// [`RequestClock`](super::RequestClock).
    pub const ATTEMPT_DURATION: &str = "roomkv_attempt_duration_seconds";
    /// Counter `{vendor, reason}`: attempts after the first (`throttled`, `not_sent`,
    /// `transient`).
    pub const RETRIES: &str = "roomkv_retries_total";
    /// Counter `{vendor, from, to}`: switches of the active host, failovers and returns to the
    /// primary after the cool-down.
    pub const FAILOVERS: &str = "roomkv_failovers_total";
    /// Gauge `{vendor, host}`: how many of the vendor's clients send to this host now (each
    /// client counts 1 for its active host, 0 for its other hosts, until it is dropped).
    pub const ACTIVE_HOST: &str = "roomkv_active_host";
    /// Histogram `{vendor, family}`, seconds: how long an attempt waited for its slot in the
    /// quota, from the attempt's start (about 0 when admitted at once).
    pub const QUOTA_WAIT: &str = "roomkv_quota_wait_seconds";
    /// Gauge `{vendor, family}`: attempts inside the rate limiter now, waiting for a slot.
    pub const QUOTA_WAITING: &str = "roomkv_quota_waiting";
    /// Counter `{vendor, family}`: attempts the rate limiter refused (the wait would have been
    /// longer than `max_rate_wait`, or the shared store is down and the limiter fails closed).
    pub const QUOTA_REFUSED: &str = "roomkv_quota_refused_total";
    /// Counter: admissions the Redis limiter could not ask Redis about.
    pub const QUOTA_BACKEND_UNAVAILABLE: &str = "roomkv_quota_backend_unavailable_total";
    /// Histogram, seconds: each stretch of time the Redis limiter spent without Redis (in its
    /// local fallback, or refusing), recorded when Redis answers again.
    pub const QUOTA_FALLBACK_DURATION: &str = "roomkv_quota_fallback_seconds";
    /// Gauge: 1 while the Redis limiter cannot reach Redis, 0 otherwise.
    pub const QUOTA_BACKEND_DOWN: &str = "roomkv_quota_backend_down";
    /// Counter `{reason}`: Tencent admin UserSigs generated again (`age`: 80 % of the lifetime
    /// passed; `70001`, `70052`: Tencent rejected the one in use).
    pub const USERSIG_RENEWALS: &str = "roomkv_usersig_renewals_total";
}

/// One client's metric handles (feature `metrics`), each resolved from the installed recorder
/// the first time the client records it, then kept: a request only increments handles.
///
/// # The recorder must be installed first
///
/// A `metrics` handle is bound to the recorder that issued it; one issued while no recorder is
/// installed records nothing, forever. Install the application's recorder before building a
/// client (the active-host gauge is registered when the client is built) and in any case
/// before its first request; a client built earlier keeps recording nowhere. The same holds
/// for [`metrics::with_local_recorder`] and [`metrics::set_default_local_recorder`]: a client
/// records into the recorder that was current when it first recorded each metric, so build
/// each client inside the scope it should record into.
#[cfg(feature = "metrics")]
#[derive(Debug)]
pub struct ClientMeters {
    vendor: &'static str,
    hosts: Box<[HostLabel]>,
    /// [`names::RETRIES`], by reason: `throttled`, `not_sent`, `transient`.
    retries: [OnceLock<Counter>; 3],
    families: HandleTable<FamilyMeters>,
}

/// The quota metrics of one family.
#[cfg(feature = "metrics")]
#[derive(Debug, Default)]
struct FamilyMeters {
    wait: OnceLock<Histogram>,
    waiting: OnceLock<Gauge>,
    refused: OnceLock<Counter>,
}

/// The attempt-duration histograms of one operation of a client, one per host.
#[cfg(feature = "metrics")]
#[derive(Debug)]
pub struct AttemptMeters {
    operation: &'static str,
    hosts: Box<[OnceLock<Histogram>]>,
}

/// How many quota families a client's table keeps handles for (more than any vendor has; a
/// family beyond it is resolved at every use).
#[cfg(feature = "metrics")]
const FAMILY_SLOTS: usize = 32;

#[cfg(feature = "metrics")]
impl ClientMeters {
    /// The handles of a `vendor`'s client sending to `hosts`, none resolved yet.
    pub fn new(vendor: &'static str, hosts: &HostSet) -> Self {
        Self {
            vendor,
            hosts: hosts.labels().into(),
            retries: Default::default(),
            families: HandleTable::new(FAMILY_SLOTS),
        }
    }

    /// The `vendor` label of the client's metrics.
    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    /// The (unresolved) attempt handles of `operation`, one per host.
    pub fn attempts(&self, operation: &'static str) -> AttemptMeters {
        AttemptMeters {
            operation,
            hosts: self.hosts.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    fn family(&self, family: &'static str) -> Kept<'_, FamilyMeters> {
        self.families.get(family, FamilyMeters::default)
    }

    fn waiting(&self, family: &'static str, change: f64) {
        self.family(family)
            .waiting
            .get_or_init(|| metrics::gauge!(names::QUOTA_WAITING, "vendor" => self.vendor, "family" => family))
            .increment(change);
    }
}

/// Handles keyed by a `&'static str` label value, each resolved at its first use and kept:
/// a fixed table of write-once slots, read without a lock.
#[cfg(feature = "metrics")]
pub struct HandleTable<V> {
    slots: Box<[OnceLock<(&'static str, V)>]>,
}

/// A value of a [`HandleTable`]: kept in the table, or made for this use only because the
/// table is full.
#[cfg(feature = "metrics")]
#[derive(Debug)]
pub enum Kept<'a, V> {
    /// The table's.
    Cached(&'a V),
    /// Made for this use, the table being full (boxed, so that a `Kept` held across an
    /// `.await` keeps the request's future small).
    Fresh(Box<V>),
}

#[cfg(feature = "metrics")]
impl<V> std::ops::Deref for Kept<'_, V> {
    type Target = V;

    fn deref(&self) -> &V {
        match self {
            Self::Cached(value) => value,
            Self::Fresh(value) => value,
        }
    }
}

#[cfg(feature = "metrics")]
impl<V> HandleTable<V> {
    /// A table with room for `capacity` keys (rounded up to a power of two).
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: (0..capacity.next_power_of_two())
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The value of `key`, made by `make` and kept the first time; made afresh at every call
    /// once the table is full.
    pub fn get(&self, key: &'static str, make: impl Fn() -> V) -> Kept<'_, V> {
        let mask = self.slots.len() - 1;
        let first = slot_hash(key);
        for probe in 0..=mask {
            let (kept, value) =
                self.slots[first.wrapping_add(probe) & mask].get_or_init(|| (key, make()));
            if std::ptr::eq(*kept, key) || *kept == key {
                return Kept::Cached(value);
            }
        }
        Kept::Fresh(Box::new(make()))
    }
}

/// Where a key's probing starts in a [`HandleTable`]: a multiplicative hash of its length and
/// of its first, middle and last bytes, which tells apart the short names used as keys in a
/// dozen instructions (a byte-by-byte hash of a 17-byte name costs ten times more, on every
/// request). A collision only lengthens the probing; equal keys hash equally wherever they are
/// stored.
#[cfg(feature = "metrics")]
fn slot_hash(key: &str) -> usize {
    let bytes = key.as_bytes();
    let Some((&last, _)) = bytes.split_last() else {
        return 0;
    };
    let mixed = bytes.len() as u64
        ^ u64::from(bytes[0]) << 16
        ^ u64::from(bytes[bytes.len() / 2]) << 32
        ^ u64::from(last) << 48;
    // Truncation is meant: the high bits, the best mixed, pick the slot.
    #[allow(clippy::cast_possible_truncation)]
    let slot = (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize;
    slot
}

#[cfg(feature = "metrics")]
impl<V> std::fmt::Debug for HandleTable<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.slots
                    .iter()
                    .filter_map(|slot| slot.get().map(|(key, _)| key)),
            )
            .finish()
    }
}

/// What one request records with: its client's and operation's handles, the quota family of
/// each of its charges, and its [`RequestClock`].
///
/// Made with [`RequestMeter::new`] (feature `metrics`); [`RequestMeter::default`] records
/// nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestMeter<'a> {
    #[cfg(feature = "metrics")]
    labels: Option<Labels<'a>>,
    #[cfg(not(feature = "metrics"))]
    _off: std::marker::PhantomData<&'a ()>,
}

#[cfg(feature = "metrics")]
#[derive(Debug, Clone, Copy)]
struct Labels<'a> {
    client: &'a ClientMeters,
    attempts: &'a AttemptMeters,
    families: &'a [&'static str],
    clock: &'a RequestClock,
}

#[cfg(feature = "metrics")]
impl<'a> RequestMeter<'a> {
    /// Records the request's attempts with `client`'s and `attempts`' handles; `families[i]`
    /// names the quota family of the admission's `charges[i]`. The request's readings are kept
    /// in `clock`, whose start also starts its retry budget (one clock reading for both).
    pub fn new(
        client: &'a ClientMeters,
        attempts: &'a AttemptMeters,
        families: &'a [&'static str],
        clock: &'a RequestClock,
    ) -> Self {
        Self {
            labels: Some(Labels {
                client,
                attempts,
                families,
                clock,
            }),
        }
    }
}

/// A start time: when the Redis limiter lost Redis.
#[cfg(all(feature = "redis", feature = "metrics"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stopwatch {
    start: tokio::time::Instant,
}

#[cfg(all(feature = "redis", feature = "metrics"))]
impl Stopwatch {
    /// Starts now (tokio's clock, so paused test time is measured as it passes).
    pub(crate) fn start() -> Self {
        Self {
            start: tokio::time::Instant::now(),
        }
    }

    /// Seconds since the start.
    pub(crate) fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

/// The state of one request's metrics inside [`Pipeline`](crate::pipeline::Pipeline): the
/// handles, and the previous attempt's outcome (the reason of the next retry).
#[derive(Debug, Default)]
pub(crate) struct Metered<'a> {
    #[cfg(feature = "metrics")]
    labels: Option<Labels<'a>>,
    #[cfg(feature = "metrics")]
    last_outcome: AtomicU8,
    #[cfg(not(feature = "metrics"))]
    _off: std::marker::PhantomData<&'a ()>,
}

/// Counts an attempt inside the rate limiter for as long as it lives.
pub(crate) struct Waiting<'m> {
    #[cfg(feature = "metrics")]
    metered: Option<&'m Labels<'m>>,
    #[cfg(not(feature = "metrics"))]
    _off: std::marker::PhantomData<&'m ()>,
}

impl<'a> Metered<'a> {
    /// The state of a request recorded with `meter`.
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn new(meter: RequestMeter<'a>) -> Self {
        Self {
            #[cfg(feature = "metrics")]
            labels: meter.labels,
            ..Self::default()
        }
    }

    /// When the request started, for its retry budget: the meter's reading, or now.
    #[inline]
    pub(crate) fn started(&self) -> tokio::time::Instant {
        #[cfg(feature = "metrics")]
        if let Some(labels) = &self.labels {
            return labels.clock.started_at();
        }
        tokio::time::Instant::now()
    }

    /// Attempt `number` starts: every attempt after the first is a retry, for the reason the
    /// previous one ended with.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn attempt_starts(&self, number: u32) {
        #[cfg(feature = "metrics")]
        if let Some(labels) = &self.labels
            && number > 1
        {
            let (slot, reason) = match self.last_outcome.load(Ordering::Relaxed) {
                THROTTLED => (0, "throttled"),
                NOT_SENT => (1, "not_sent"),
                _ => (2, "transient"),
            };
            // The back-off is over: the retry starts now.
            labels.clock.lap(false);
            let client = labels.client;
            client.retries[slot]
                .get_or_init(|| metrics::counter!(names::RETRIES, "vendor" => client.vendor, "reason" => reason))
                .increment(1);
        }
    }

    /// The attempt ended with `outcome`.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn attempt_ended(&self, outcome: AttemptOutcome) {
        #[cfg(feature = "metrics")]
        if self.labels.is_some() {
            let code = match outcome {
                AttemptOutcome::Throttled => THROTTLED,
                AttemptOutcome::NotSent => NOT_SENT,
                _ => OTHER,
            };
            self.last_outcome.store(code, Ordering::Relaxed);
        }
    }

    /// An attempt enters the rate limiter: counted in [`names::QUOTA_WAITING`] until
    /// [`admitted`](Self::admitted) (or until dropped, when the request is cancelled).
    #[inline]
    pub(crate) fn waiting(&self) -> Waiting<'_> {
        #[cfg(feature = "metrics")]
        if let Some(labels) = &self.labels {
            for family in labels.families {
                labels.client.waiting(family, 1.0);
            }
            return Waiting {
                metered: Some(labels),
            };
        }
        Waiting {
            #[cfg(feature = "metrics")]
            metered: None,
            #[cfg(not(feature = "metrics"))]
            _off: std::marker::PhantomData,
        }
    }

    /// The rate limiter answered the attempt that entered as `waiting`.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn admitted(&self, waiting: Waiting<'_>, result: &Result<(), RateLimited>) {
        #[cfg(feature = "metrics")]
        if let Some(labels) = waiting.metered {
            let client = labels.client;
            match result {
                Ok(()) => {
                    // The attempt's start was the latest reading; the admission is the next.
                    let seconds = labels.clock.lap(false);
                    for &family in labels.families {
                        client
                            .family(family)
                            .wait
                            .get_or_init(|| metrics::histogram!(names::QUOTA_WAIT, "vendor" => client.vendor, "family" => family))
                            .record(seconds);
                    }
                }
                Err(refused) => {
                    if let Some(&family) = labels.families.get(refused.charge) {
                        client
                            .family(family)
                            .refused
                            .get_or_init(|| metrics::counter!(names::QUOTA_REFUSED, "vendor" => client.vendor, "family" => family))
                            .increment(1);
                    }
                }
            }
        }
    }

    /// One attempt's exchange with the host of `choice` ended (answered or failed).
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn exchanged(&self, choice: &HostChoice) {
        #[cfg(feature = "metrics")]
        if let Some(labels) = &self.labels {
            let seconds = labels.clock.lap(true);
            let (client, attempts) = (labels.client, labels.attempts);
            let index = choice.index();
            if let (Some(slot), Some(host)) = (attempts.hosts.get(index), client.hosts.get(index)) {
                slot.get_or_init(|| {
                    metrics::histogram!(
                        names::ATTEMPT_DURATION,
                        "vendor" => client.vendor,
                        "operation" => attempts.operation,
                        "host" => host.value(),
                    )
                })
                .record(seconds);
            }
        }
    }
}

#[cfg(feature = "metrics")]
impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Some(labels) = self.metered {
            for family in labels.families {
                labels.client.waiting(family, -1.0);
            }
        }
    }
}

#[cfg(feature = "metrics")]
const THROTTLED: u8 = 1;
#[cfg(feature = "metrics")]
const NOT_SENT: u8 = 2;
#[cfg(feature = "metrics")]
const OTHER: u8 = 3;

/// A configured host as a label value: its authority (`api.example.com`, `127.0.0.1:8787`).
#[derive(Debug, Clone)]
pub(crate) struct HostLabel {
    #[cfg(feature = "metrics")]
    name: Arc<str>,
}

impl HostLabel {
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn new(uri: &http::Uri) -> Self {
        Self {
            #[cfg(feature = "metrics")]
            name: uri.authority().map_or("", |a| a.as_str()).into(),
        }
    }

    #[cfg(feature = "metrics")]
    fn value(&self) -> metrics::SharedString {
        metrics::SharedString::from(Arc::clone(&self.name))
    }
}

/// The host-switch metrics of an [`HostSet`](crate::HostSet): which vendor it serves.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HostMeter {
    #[cfg(feature = "metrics")]
    vendor: Option<&'static str>,
}

impl HostMeter {
    /// Records switches as `vendor`'s, and counts this client in the active-host gauge of
    /// `hosts[active]` (and 0 in its other hosts', so they show).
    #[cfg(feature = "metrics")]
    pub(crate) fn new(vendor: &'static str, hosts: &[HostLabel], active: usize) -> Self {
        for (index, host) in hosts.iter().enumerate() {
            metrics::gauge!(names::ACTIVE_HOST, "vendor" => vendor, "host" => host.value())
                .increment(if index == active { 1.0 } else { 0.0 });
        }
        Self {
            vendor: Some(vendor),
        }
    }

    /// The client, active on `host`, is gone.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn released(self, host: &HostLabel) {
        #[cfg(feature = "metrics")]
        if let Some(vendor) = self.vendor {
            metrics::gauge!(names::ACTIVE_HOST, "vendor" => vendor, "host" => host.value())
                .decrement(1.0);
        }
    }

    /// The active host changed from `from` to `to`.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn switched(self, from: &HostLabel, to: &HostLabel) {
        #[cfg(feature = "metrics")]
        if let Some(vendor) = self.vendor {
            let (from, to) = (from.value(), to.value());
            metrics::counter!(names::FAILOVERS, "vendor" => vendor, "from" => from.clone(), "to" => to.clone())
                .increment(1);
            metrics::gauge!(names::ACTIVE_HOST, "vendor" => vendor, "host" => from).decrement(1.0);
            metrics::gauge!(names::ACTIVE_HOST, "vendor" => vendor, "host" => to).increment(1.0);
        }
    }
}

/// The Redis limiter's metrics: admissions without Redis, and how long each outage lasted.
#[cfg(feature = "redis")]
#[derive(Debug, Default)]
pub(crate) struct OutageMeter {
    #[cfg(feature = "metrics")]
    since: std::sync::Mutex<Option<Stopwatch>>,
    #[cfg(feature = "metrics")]
    unavailable: OnceLock<Counter>,
}

#[cfg(feature = "redis")]
impl OutageMeter {
    /// An admission could not ask Redis.
    #[inline]
    pub(crate) fn unavailable(&self) {
        #[cfg(feature = "metrics")]
        self.unavailable
            .get_or_init(|| metrics::counter!(names::QUOTA_BACKEND_UNAVAILABLE))
            .increment(1);
    }

    /// Redis stopped answering.
    #[inline]
    pub(crate) fn began(&self) {
        #[cfg(feature = "metrics")]
        {
            *self.lock() = Some(Stopwatch::start());
            metrics::gauge!(names::QUOTA_BACKEND_DOWN).set(1.0);
        }
    }

    /// Redis answers again.
    #[inline]
    pub(crate) fn ended(&self) {
        #[cfg(feature = "metrics")]
        {
            if let Some(since) = self.lock().take() {
                metrics::histogram!(names::QUOTA_FALLBACK_DURATION).record(since.seconds());
            }
            metrics::gauge!(names::QUOTA_BACKEND_DOWN).set(0.0);
        }
    }

    #[cfg(feature = "metrics")]
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Stopwatch>> {
        // An `Option` of a copyable value is consistent at every step.
        self.since
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

mod clock;
#[cfg(test)]
mod tests;

pub use clock::RequestClock;
