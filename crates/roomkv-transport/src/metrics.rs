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
use std::sync::Arc;
#[cfg(feature = "metrics")]
use std::sync::atomic::{AtomicU8, Ordering};

use crate::limiter::RateLimited;
use crate::safety::AttemptOutcome;

/// The name of every metric roomkv records.
pub mod names {
    /// Counter `{vendor, operation, outcome}`: requests, by how they ended.
    pub const REQUESTS: &str = "roomkv_requests_total";
    /// Histogram `{vendor, operation}`, seconds: a whole request, retries and waits included.
    pub const REQUEST_DURATION: &str = "roomkv_request_duration_seconds";
    /// Histogram `{vendor, operation, host}`, seconds: one attempt's exchange.
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
    /// quota (0 when admitted at once).
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

/// The labels of one request's metrics that transport cannot know: the vendor, the operation
/// and the quota family of each of the request's charges.
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
    vendor: &'static str,
    operation: &'static str,
    families: &'a [&'static str],
}

#[cfg(feature = "metrics")]
impl<'a> RequestMeter<'a> {
    /// Records the request's attempts as `vendor` / `operation`; `families[i]` names the quota
    /// family of the admission's `charges[i]`.
    pub fn new(
        vendor: &'static str,
        operation: &'static str,
        families: &'a [&'static str],
    ) -> Self {
        Self {
            labels: Some(Labels {
                vendor,
                operation,
                families,
            }),
        }
    }
}

/// A start time, read only with the feature `metrics`.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    #[cfg(feature = "metrics")]
    start: tokio::time::Instant,
}

impl Stopwatch {
    /// Starts now (tokio's clock, so paused test time is measured as it passes).
    #[inline]
    pub fn start() -> Self {
        Self {
            #[cfg(feature = "metrics")]
            start: tokio::time::Instant::now(),
        }
    }

    /// Seconds since the start.
    #[cfg(feature = "metrics")]
    pub fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

/// The state of one request's metrics inside [`Pipeline`](crate::pipeline::Pipeline): the
/// labels, and the previous attempt's outcome (the reason of the next retry).
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
    metered: Option<(&'m Labels<'m>, Stopwatch)>,
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

    /// Attempt `number` starts: every attempt after the first is a retry, for the reason the
    /// previous one ended with.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn attempt_starts(&self, number: u32) {
        #[cfg(feature = "metrics")]
        if let Some(labels) = &self.labels
            && number > 1
        {
            let reason = match self.last_outcome.load(Ordering::Relaxed) {
                THROTTLED => "throttled",
                NOT_SENT => "not_sent",
                _ => "transient",
            };
            metrics::counter!(names::RETRIES, "vendor" => labels.vendor, "reason" => reason)
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
                metrics::gauge!(names::QUOTA_WAITING, "vendor" => labels.vendor, "family" => *family)
                    .increment(1.0);
            }
            return Waiting {
                metered: Some((labels, Stopwatch::start())),
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
        if let Some((labels, stopwatch)) = &waiting.metered {
            match result {
                Ok(()) => {
                    let seconds = stopwatch.seconds();
                    for family in labels.families {
                        metrics::histogram!(names::QUOTA_WAIT, "vendor" => labels.vendor, "family" => *family)
                            .record(seconds);
                    }
                }
                Err(refused) => {
                    if let Some(family) = labels.families.get(refused.charge) {
                        metrics::counter!(names::QUOTA_REFUSED, "vendor" => labels.vendor, "family" => *family)
                            .increment(1);
                    }
                }
            }
        }
    }

    /// One attempt's exchange with `host` (its label, from [`EndpointSet`](crate::EndpointSet))
    /// took since `stopwatch` started.
    #[inline]
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn exchanged(&self, host: &HostLabel, stopwatch: Stopwatch) {
        #[cfg(feature = "metrics")]
        if let Some(labels) = &self.labels {
            metrics::histogram!(
                names::ATTEMPT_DURATION,
                "vendor" => labels.vendor,
                "operation" => labels.operation,
                "host" => host.value(),
            )
            .record(stopwatch.seconds());
        }
    }
}

#[cfg(feature = "metrics")]
impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Some((labels, _)) = &self.metered {
            for family in labels.families {
                metrics::gauge!(names::QUOTA_WAITING, "vendor" => labels.vendor, "family" => *family)
                    .decrement(1.0);
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

/// The host-switch metrics of an [`EndpointSet`](crate::EndpointSet): which vendor it serves.
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
}

#[cfg(feature = "redis")]
impl OutageMeter {
    /// An admission could not ask Redis.
    #[inline]
    pub(crate) fn unavailable(&self) {
        #[cfg(feature = "metrics")]
        metrics::counter!(names::QUOTA_BACKEND_UNAVAILABLE).increment(1);
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

/// Without the feature, metering carries nothing: no clock reading, no atomic, no label.
#[cfg(all(test, not(feature = "metrics")))]
mod off {
    use std::mem::size_of;

    use super::*;

    #[test]
    fn without_the_feature_every_metering_type_is_empty() {
        assert_eq!(size_of::<RequestMeter<'_>>(), 0);
        assert_eq!(size_of::<Metered<'_>>(), 0);
        assert_eq!(size_of::<Waiting<'_>>(), 0);
        assert_eq!(size_of::<Stopwatch>(), 0);
        assert_eq!(size_of::<HostLabel>(), 0);
        assert_eq!(size_of::<HostMeter>(), 0);
        #[cfg(feature = "redis")]
        assert_eq!(size_of::<OutageMeter>(), 0);
    }
}
