//! [`RedisLimiter`]: one quota shared by every process of a fleet, through Redis.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, Script};

use super::{Charge, DEFAULT_BURST, LocalLimiter, RateLimitReason, RateLimited, RateLimiter};
use crate::metrics::OutageMeter;
use crate::{BoxError, BoxFuture};

/// The decision script. `KEYS[i]` is the bucket of charge `i`; `ARGV[1]` the longest wait in
/// microseconds; then for each charge its interval (µs per unit), units and burst tolerance
/// (µs). Answers `{admitted, wait µs, 1-based index of the charge that waits longest}`.
const GCRA_SCRIPT: &str = r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local max_wait = tonumber(ARGV[1])
local wait, worst = 0, 1
local tats, costs = {}, {}
for i, key in ipairs(KEYS) do
  local at = 2 + (i - 1) * 3
  local interval, units, tolerance = tonumber(ARGV[at]), tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
  local tat = tonumber(redis.call('GET', key) or now)
  local cost = interval * units
  local w
  if cost > tolerance then
    -- Larger than the whole burst: admitted once the bucket is full.
    w = tat - now
  else
    w = math.max(tat, now) + cost - tolerance - now
  end
  if w > wait then wait, worst = w, i end
  tats[i], costs[i] = tat, cost
end
if wait > max_wait then
  return {0, wait, worst}
end
local start = now + wait
for i, key in ipairs(KEYS) do
  local next = math.max(tats[i], start) + costs[i]
  redis.call('SET', key, string.format('%d', next), 'PX', math.floor((next - now) / 1000) + 1000)
end
return {1, wait, worst}
";

/// How long after a failure Redis is asked again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// What a [`RedisLimiter`] does while Redis cannot be reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WhenUnavailable {
    /// The default: admit through an in-process limiter at the quota divided by the fleet
    /// size, with one warning per outage, so that the fleet together stays within the quota.
    #[default]
    Fallback,
    /// Refuse every request with [`RateLimitReason::Unavailable`] until Redis answers again.
    FailClosed,
}

/// Configures a [`RedisLimiter`].
#[derive(Clone)]
pub struct RedisLimiterBuilder {
    url: String,
    fleet_size: u32,
    when_unavailable: WhenUnavailable,
    burst: Duration,
    timeout: Duration,
}

impl fmt::Debug for RedisLimiterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password.
        f.debug_struct("RedisLimiterBuilder")
            .field("fleet_size", &self.fleet_size)
            .field("when_unavailable", &self.when_unavailable)
            .field("burst", &self.burst)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisLimiterBuilder {
    /// How many processes share the quota; default 1. While Redis is unreachable each one
    /// falls back to the quota divided by this number.
    pub fn fleet_size(mut self, processes: u32) -> Self {
        self.fleet_size = processes.max(1);
        self
    }

    /// What to do while Redis cannot be reached; default [`WhenUnavailable::Fallback`].
    pub fn when_unavailable(mut self, when: WhenUnavailable) -> Self {
        self.when_unavailable = when;
        self
    }

    /// The burst tolerance of every bucket, as time at its rate; default
    /// [`DEFAULT_BURST`](super::DEFAULT_BURST) (see the [module docs](super)).
    pub fn burst(mut self, burst: Duration) -> Self {
        self.burst = burst;
        self
    }

    /// The time limit for connecting to Redis and for each decision; default 500 ms. Past it,
    /// Redis counts as unreachable.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the limiter. It connects on first use, not here.
    ///
    /// # Errors
    ///
    /// [`InvalidRedisUrl`] when the URL cannot be parsed.
    pub fn build(self) -> Result<RedisLimiter, InvalidRedisUrl> {
        let client = Client::open(self.url.as_str()).map_err(|e| InvalidRedisUrl(e.to_string()))?;
        Ok(RedisLimiter {
            client,
            config: AsyncConnectionConfig::new()
                .set_connection_timeout(Some(self.timeout))
                .set_response_timeout(Some(self.timeout)),
            connection: tokio::sync::Mutex::new(None),
            script: Script::new(GCRA_SCRIPT),
            burst: self.burst,
            fleet_size: self.fleet_size,
            when_unavailable: self.when_unavailable,
            fallback: LocalLimiter::new().with_burst(self.burst),
            outage: Mutex::new(None),
            outage_meter: OutageMeter::default(),
        })
    }
}

/// A Redis URL that cannot be used.
#[derive(Debug, Clone)]
pub struct InvalidRedisUrl(String);

impl fmt::Display for InvalidRedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid Redis URL: {}", self.0)
    }
}

impl std::error::Error for InvalidRedisUrl {}

/// A rate limiter whose buckets live in Redis, shared by every process that uses it.
///
/// An app's quota is the vendor's, shared by every server that uses the app's key. Each
/// decision is one Lua script run atomically by Redis: it reads the buckets' theoretical arrival
/// times, computes how long the request must wait for every charge to fit (GCRA, the same
/// arithmetic as [`LocalLimiter`]), and either *reserves* that future slot
/// in every bucket at once and answers the wait, or refuses without changing anything when the
/// wait would exceed the caller's maximum. Time is Redis's own `TIME`, one clock for the whole
/// fleet, so the processes' clocks need not agree.
///
/// Keys are `roomkv:quota:{APP}:FAMILY` for a bucket named `APP:FAMILY` (the part after the
/// last `:` is the family). The braces make the app a hash tag: every key of one app lives in
/// one Redis Cluster slot, as a multi-key script needs. Keys expire once their bucket is full
/// again.
///
/// When Redis cannot be reached (connect or command timeout, refused connection, an error
/// answer), the limiter by default falls back to an in-process [`LocalLimiter`] at the quota
/// divided by the fleet size, so that the fleet together stays within the quota; it logs one
/// warning per outage and asks Redis again a second later. With
/// [`WhenUnavailable::FailClosed`] requests fail with [`RateLimitReason::Unavailable`] instead.
///
/// ```no_run
/// use roomkv_transport::limiter::{RedisLimiter, SharedRateLimiter, WhenUnavailable};
///
/// let limiter = RedisLimiter::builder("redis://127.0.0.1:6379")
///     .fleet_size(4)
///     .when_unavailable(WhenUnavailable::Fallback)
///     .build()?;
/// let shared = SharedRateLimiter::new(limiter);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RedisLimiter {
    client: Client,
    config: AsyncConnectionConfig,
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    script: Script,
    burst: Duration,
    fleet_size: u32,
    when_unavailable: WhenUnavailable,
    fallback: LocalLimiter,
    /// When Redis failed, when to ask it again; `None` while it answers.
    outage: Mutex<Option<tokio::time::Instant>>,
    outage_meter: OutageMeter,
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("burst", &self.burst)
            .field("fleet_size", &self.fleet_size)
            .field("when_unavailable", &self.when_unavailable)
            .field("in_outage", &self.outage_lock().is_some())
            .finish_non_exhaustive()
    }
}

/// Redis's answer to one decision.
enum Decision {
    /// Reserved: send after this wait.
    Admitted(Duration),
    /// Not reserved: charge `index` would have to wait this long.
    TooLong { index: usize, wait: Duration },
}

impl RedisLimiter {
    /// A builder for a limiter on the Redis server at `url` (`redis://[:PASSWORD@]HOST:PORT[/DB]`).
    pub fn builder(url: impl Into<String>) -> RedisLimiterBuilder {
        RedisLimiterBuilder {
            url: url.into(),
            fleet_size: 1,
            when_unavailable: WhenUnavailable::default(),
            burst: DEFAULT_BURST,
            timeout: Duration::from_millis(500),
        }
    }

    fn outage_lock(&self) -> std::sync::MutexGuard<'_, Option<tokio::time::Instant>> {
        self.outage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether Redis failed less than [`RETRY_AFTER`] ago.
    fn in_outage(&self) -> bool {
        matches!(*self.outage_lock(), Some(retry_at) if tokio::time::Instant::now() < retry_at)
    }

    fn outage_began(&self, err: &BoxError) {
        let mut outage = self.outage_lock();
        if outage.is_none() {
            self.outage_meter.began();
            match self.when_unavailable {
                WhenUnavailable::Fallback => tracing::warn!(
                    error = %err,
                    fleet_size = self.fleet_size,
                    "Redis quota store unavailable; limiting locally at the quota divided by the fleet size until it answers again"
                ),
                WhenUnavailable::FailClosed => tracing::warn!(
                    error = %err,
                    "Redis quota store unavailable; refusing requests until it answers again"
                ),
            }
        }
        *outage = Some(tokio::time::Instant::now() + RETRY_AFTER);
    }

    fn outage_ended(&self) {
        if self.outage_lock().take().is_some() {
            self.outage_meter.ended();
            tracing::info!("Redis quota store answers again; the fleet shares its quota again");
        }
    }

    async fn connection(&self) -> Result<MultiplexedConnection, BoxError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    async fn decide(&self, charges: &[Charge], max_wait: Duration) -> Result<Decision, BoxError> {
        let mut connection = self.connection().await?;
        let mut invocation = self.script.prepare_invoke();
        invocation.arg(micros(max_wait));
        let mut indices = Vec::with_capacity(charges.len());
        for (index, charge) in charges.iter().enumerate() {
            if charge.units == 0 || charge.rate_per_sec == 0 {
                continue;
            }
            let interval = 1_000_000u64.div_ceil(u64::from(charge.rate_per_sec));
            let burst_units =
                (u128::from(charge.rate_per_sec) * self.burst.as_micros() / 1_000_000).max(1);
            let tolerance = u64::try_from(burst_units)
                .unwrap_or(u64::MAX)
                .min(u64::MAX / 2 / interval)
                * interval;
            invocation
                .key(redis_key(&charge.bucket))
                .arg(interval)
                .arg(charge.units)
                .arg(tolerance);
            indices.push(index);
        }
        if indices.is_empty() {
            return Ok(Decision::Admitted(Duration::ZERO));
        }
        let result = invocation
            .invoke_async::<(i64, i64, i64)>(&mut connection)
            .await;
        let (admitted, wait, worst) = match result {
            Ok(answer) => answer,
            Err(err) => {
                // The connection may be broken; make a new one next time.
                *self.connection.lock().await = None;
                return Err(err.into());
            }
        };
        let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
        if admitted == 1 {
            return Ok(Decision::Admitted(wait));
        }
        let index = usize::try_from(worst - 1)
            .ok()
            .and_then(|i| indices.get(i).copied())
            .unwrap_or(0);
        Ok(Decision::TooLong { index, wait })
    }

    /// Admission while Redis is unavailable.
    async fn unavailable(
        &self,
        charges: &[Charge],
        max_wait: Duration,
        err: Arc<BoxError>,
    ) -> Result<(), RateLimited> {
        self.outage_meter.unavailable();
        match self.when_unavailable {
            WhenUnavailable::FailClosed => {
                let index = charges.iter().position(|c| c.units > 0).unwrap_or(0);
                Err(RateLimited::new(
                    charges,
                    index,
                    RateLimitReason::Unavailable(err),
                ))
            }
            WhenUnavailable::Fallback => {
                let share: Vec<Charge> = charges
                    .iter()
                    .map(|charge| Charge {
                        rate_per_sec: fleet_share(charge.rate_per_sec, self.fleet_size),
                        ..charge.clone()
                    })
                    .collect();
                self.fallback.admit(&share, max_wait).await
            }
        }
    }

    async fn admit_inner(&self, charges: &[Charge], max_wait: Duration) -> Result<(), RateLimited> {
        if self.in_outage() {
            let err: BoxError = "Redis failed less than a second ago".into();
            return self.unavailable(charges, max_wait, Arc::new(err)).await;
        }
        match self.decide(charges, max_wait).await {
            Ok(Decision::Admitted(wait)) => {
                self.outage_ended();
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Ok(Decision::TooLong { index, wait }) => {
                self.outage_ended();
                Err(RateLimited::new(
                    charges,
                    index,
                    RateLimitReason::WaitTooLong { wait, max_wait },
                ))
            }
            Err(err) => {
                self.outage_began(&err);
                self.unavailable(charges, max_wait, Arc::new(err)).await
            }
        }
    }
}

impl RateLimiter for RedisLimiter {
    fn admit<'a>(
        &'a self,
        charges: &'a [Charge],
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<(), RateLimited>> {
        Box::pin(self.admit_inner(charges, max_wait))
    }
}

/// One process's share of a quota: `rate / fleet`, at least 1 (0 stays "not limited").
fn fleet_share(rate_per_sec: u32, fleet_size: u32) -> u32 {
    if rate_per_sec == 0 {
        0
    } else {
        (rate_per_sec / fleet_size.max(1)).max(1)
    }
}

/// `roomkv:quota:{APP}:FAMILY` for the bucket `APP:FAMILY`.
fn redis_key(bucket: &str) -> String {
    match bucket.rsplit_once(':') {
        Some((app, family)) => format!("roomkv:quota:{{{app}}}:{family}"),
        None => format!("roomkv:quota:{{{bucket}}}"),
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hash_by_app() {
        assert_eq!(
            redis_key("rongcloud:demo-app-key:entry-set"),
            "roomkv:quota:{rongcloud:demo-app-key}:entry-set"
        );
        assert_eq!(redis_key("plain"), "roomkv:quota:{plain}");
    }

    #[test]
    fn the_fleet_shares_the_quota() {
        assert_eq!(fleet_share(100, 4), 25);
        assert_eq!(fleet_share(100, 1), 100);
        assert_eq!(fleet_share(3, 4), 1);
        assert_eq!(fleet_share(0, 4), 0);
    }

    #[test]
    fn a_bad_url_is_refused_at_build_without_echoing_a_password() {
        let err = RedisLimiter::builder("http://:hunter2@host")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let limiter = RedisLimiter::builder("redis://:hunter2@127.0.0.1:1")
            .build()
            .unwrap();
        assert!(!format!("{limiter:?}").contains("hunter2"));
    }
}
