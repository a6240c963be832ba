//! [`Settings`]: what every provider's `ClientBuilder` configures besides credentials, and how
//! it becomes an [`Engine`]; [`settings_methods!`](crate::settings_methods): the builder
//! methods that set it.

use std::fmt;
use std::time::Duration;

use roomkv_core::Limits;
use roomkv_transport::limiter::DEFAULT_MAX_WAIT;
use roomkv_transport::{
    Clock, DEFAULT_COOL_DOWN, HostSet, RandomSource, RetryPolicy, SharedClock, SharedHttpClient,
    SharedRandomSource,
};
#[cfg(feature = "hyper")]
use roomkv_transport::{HyperClient, KeepAlive};

use crate::engine::EngineParts;
use crate::error::{BuildError, Vendor};
use crate::{Engine, LoggedHttpClient, QuotaGate, RateLimit, Validation, WriteRetry};

/// The default time limit over a whole exchange: 5 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A vendor's region: a primary and a backup host. Implemented by [`regions!`](crate::regions).
pub trait RegionHosts: Copy + Default + fmt::Debug {
    /// Both base URLs, primary first.
    fn region_hosts(self) -> [&'static str; 2];
}

/// The settings of the built-in HTTP client that were set explicitly.
#[cfg(feature = "hyper")]
#[derive(Debug, Clone, Default)]
struct HttpSettings {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    keep_alive: Option<KeepAlive>,
}

#[cfg(feature = "hyper")]
impl HttpSettings {
    /// The first setting that was set explicitly, by its builder method's name.
    fn first_set(&self) -> Option<&'static str> {
        [
            ("timeout", self.timeout.is_some()),
            ("connect_timeout", self.connect_timeout.is_some()),
            ("keep_alive", self.keep_alive.is_some()),
        ]
        .into_iter()
        .find_map(|(name, set)| set.then_some(name))
    }
}

/// Where requests go.
#[derive(Debug, Clone)]
enum Hosts<R> {
    Region(R),
    Pinned(String),
    Custom(Vec<String>),
}

/// The vendor-neutral settings of a `ClientBuilder`: hosts, HTTP client and its timeouts,
/// retries, limits and validation, failover, and the clock and nonce injection points. See a
/// provider's `ClientBuilder` for the defaults.
#[derive(Clone, Default)]
pub struct Settings<R> {
    hosts: Option<Hosts<R>>,
    #[cfg(feature = "hyper")]
    http_settings: HttpSettings,
    retry_policy: RetryPolicy,
    write_retry: WriteRetry,
    limits: Limits,
    validation: Validation,
    cool_down: Option<Duration>,
    http_client: Option<SharedHttpClient>,
    clock: Option<SharedClock>,
    random_source: Option<SharedRandomSource>,
    rate_limit: RateLimit,
    max_rate_wait: Option<Duration>,
}

impl<R: RegionHosts> Settings<R> {
    /// Sends requests to `region`'s primary host, failing over to its backup.
    pub fn region(&mut self, region: R) {
        self.hosts = Some(Hosts::Region(region));
    }

    /// Sends every request to one host, never failing over.
    pub fn base_url(&mut self, url: String) {
        self.hosts = Some(Hosts::Pinned(url));
    }

    /// Sends requests to the first host, failing over to the next ones in order.
    pub fn hosts(&mut self, urls: Vec<String>) {
        self.hosts = Some(Hosts::Custom(urls));
    }

    /// The built-in HTTP client's limit over each whole exchange.
    #[cfg(feature = "hyper")]
    pub fn timeout(&mut self, timeout: Duration) {
        self.http_settings.timeout = Some(timeout);
    }

    /// The built-in HTTP client's limit for a TCP connection.
    #[cfg(feature = "hyper")]
    pub fn connect_timeout(&mut self, timeout: Duration) {
        self.http_settings.connect_timeout = Some(timeout);
    }

    /// The built-in HTTP client's connection reuse.
    #[cfg(feature = "hyper")]
    pub fn keep_alive(&mut self, keep_alive: KeepAlive) {
        self.http_settings.keep_alive = Some(keep_alive);
    }

    /// How many attempts a request gets and how long to wait between them.
    pub fn retry_policy(&mut self, policy: RetryPolicy) {
        self.retry_policy = policy;
    }

    /// Whether writes whose outcome is unknown are sent again.
    pub fn write_retry(&mut self, write_retry: WriteRetry) {
        self.write_retry = write_retry;
    }

    /// The limits requests are checked against.
    pub fn limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Whether requests are checked against the limits before sending.
    pub fn validation(&mut self, validation: Validation) {
        self.validation = validation;
    }

    /// How long after switching to a backup host the client tries the primary again.
    pub fn failover_cool_down(&mut self, cool_down: Duration) {
        self.cool_down = Some(cool_down);
    }

    /// Sends requests with `client` instead of the built-in one.
    pub fn http_client(&mut self, client: SharedHttpClient) {
        self.http_client = Some(client);
    }

    /// Reads time from `clock` instead of the system clock.
    pub fn clock(&mut self, clock: impl Clock + 'static) {
        self.clock = Some(SharedClock::new(clock));
    }

    /// Draws randomness from `source` instead of the OS.
    pub fn random_source(&mut self, source: impl RandomSource + 'static) {
        self.random_source = Some(SharedRandomSource::new(source));
    }

    /// Which rate limiter admits requests into the vendor's quotas.
    pub fn rate_limit(&mut self, rate_limit: RateLimit) {
        self.rate_limit = rate_limit;
    }

    /// The longest a request waits for its slot in a quota.
    pub fn max_rate_wait(&mut self, max_wait: Duration) {
        self.max_rate_wait = Some(max_wait);
    }

    /// Builds the engine: checks every host URL (transport's rules first, then `endpoint`,
    /// the vendor's parser of core's endpoint), sets up failover, and builds the built-in HTTP
    /// client unless one was given.
    ///
    ///
    /// `app` names the app in the rate limiter's buckets (`rongcloud:APPKEY`), so that
    /// every client of one app shares its quotas.
    ///
    /// # Errors
    ///
    /// [`BuildError`]: `InvalidUrl`, `NoHosts`, `IgnoredSetting` (HTTP client settings with a
    /// custom HTTP client), `NoHttpClient` or `HttpClient`.
    pub fn build<V: Vendor>(
        self,
        app: &str,
        endpoint: impl Fn(&str) -> Result<V::Endpoint, String>,
    ) -> Result<Engine<V>, BuildError<V>> {
        let clock = self.clock.unwrap_or_default();
        let hosts = self.hosts.unwrap_or_else(|| Hosts::Region(R::default()));
        let (urls, pinned) = match hosts {
            Hosts::Region(region) => (region.region_hosts().map(str::to_owned).to_vec(), false),
            Hosts::Pinned(url) => (vec![url], true),
            Hosts::Custom(urls) if urls.is_empty() => return Err(BuildError::NoHosts),
            Hosts::Custom(urls) => (urls, false),
        };
        let endpoints = urls
            .iter()
            .map(|url| {
                let invalid = |reason: String| BuildError::InvalidUrl {
                    url: url.clone(),
                    reason,
                };
                // Transport's rules (https, or http to loopback only) first, then core's.
                HostSet::pinned(url).map_err(|e| invalid(e.to_string()))?;
                endpoint(url).map_err(invalid)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hosts = if pinned {
            HostSet::pinned(&urls[0])
        } else {
            HostSet::new(&urls)
        }
        .map_err(|e| BuildError::InvalidUrl {
            url: urls.join(", "),
            reason: e.to_string(),
        })?
        .with_cool_down(Some(self.cool_down.unwrap_or(DEFAULT_COOL_DOWN)))
        .with_clock(clock.clone());
        #[cfg(feature = "metrics")]
        let hosts = hosts.with_metrics(V::LABEL);

        let http = match self.http_client {
            Some(http) => {
                #[cfg(feature = "hyper")]
                if let Some(setting) = self.http_settings.first_set() {
                    return Err(BuildError::IgnoredSetting { setting });
                }
                http
            }
            #[cfg(feature = "hyper")]
            None => built_in_client(&self.http_settings)?,
            #[cfg(not(feature = "hyper"))]
            None => return Err(BuildError::NoHttpClient),
        };
        Ok(Engine::from_parts(EngineParts {
            endpoints,
            hosts,
            http: SharedHttpClient::new(LoggedHttpClient(http)),
            retry_policy: self.retry_policy,
            write_retry: self.write_retry,
            limits: self.limits,
            validation: self.validation,
            clock,
            random: self.random_source.unwrap_or_default(),
            quota: self.rate_limit.limiter().map(|limiter| {
                QuotaGate::new(
                    limiter,
                    self.max_rate_wait.unwrap_or(DEFAULT_MAX_WAIT),
                    app.into(),
                )
            }),
        }))
    }
}

#[cfg(feature = "hyper")]
fn built_in_client<V: Vendor>(settings: &HttpSettings) -> Result<SharedHttpClient, BuildError<V>> {
    let mut hyper = HyperClient::builder().timeout(settings.timeout.unwrap_or(DEFAULT_TIMEOUT));
    if let Some(timeout) = settings.connect_timeout {
        hyper = hyper.connect_timeout(timeout);
    }
    if let Some(keep_alive) = settings.keep_alive {
        hyper = hyper.keep_alive(keep_alive);
    }
    let client = hyper.build().map_err(BuildError::HttpClient)?;
    Ok(SharedHttpClient::new(client))
}

impl<R: fmt::Debug> fmt::Debug for Settings<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Settings");
        d.field("hosts", &self.hosts);
        #[cfg(feature = "hyper")]
        d.field("http_settings", &self.http_settings);
        d.field("retry_policy", &self.retry_policy)
            .field("write_retry", &self.write_retry)
            .field("limits", &self.limits)
            .field("validation", &self.validation)
            .field("failover_cool_down", &self.cool_down)
            .field("http_client", &self.http_client)
            .field("clock", &self.clock)
            .field("random_source", &self.random_source)
            .field("rate_limit", &self.rate_limit)
            .field("max_rate_wait", &self.max_rate_wait)
            .finish()
    }
}

/// The methods of a provider's `ClientBuilder` that set its [`Settings`], with their docs:
/// `region`, `base_url`, `hosts`, `timeout`, `connect_timeout` and `keep_alive` (feature
/// `hyper` of the calling crate), `retry_policy`, `write_retry`, `limits`, `validation`,
/// `failover_cool_down`, `http_client`, `clock`, `random_source`, `rate_limit`,
/// `max_rate_wait`.
///
/// Invoke it inside `impl ClientBuilder { … }` with the field holding the settings, the
/// region type and the vendor's name. The docs link to `WriteRetry`, `Validation` and
/// (with `hyper`) `KeepAlive` at the calling crate's root.
///
/// ```ignore
/// impl ClientBuilder {
///     roomkv_provider::settings_methods!(settings, Region, "RongCloud");
/// }
/// ```
#[macro_export]
macro_rules! settings_methods {
    ($field:ident, $region:ty, $vendor:literal) => {
        /// Sends requests to a region's primary host, failing over to its backup.
        pub fn region(mut self, region: $region) -> Self {
            self.$field.region(region);
            self
        }

        /// Sends every request to one host, never failing over: an emulator, a proxy, a test
        /// server. `https://`, or `http://` to a loopback host (`127.0.0.0/8`, `::1`,
        /// `localhost`); a path is kept as a prefix.
        pub fn base_url(mut self, url: impl Into<String>) -> Self {
            self.$field.base_url(url.into());
            self
        }

        /// Sends requests to the first host, failing over to the next ones in order (for a pair
        /// of hosts this crate does not know, such as a deprecated domain or a private
        /// deployment). The same URL rules as [`base_url`](Self::base_url).
        pub fn hosts<I>(mut self, urls: I) -> Self
        where
            I: IntoIterator,
            I::Item: Into<String>,
        {
            self.$field.hosts(urls.into_iter().map(Into::into).collect());
            self
        }

        /// One time limit over each whole exchange (connecting, sending, and reading the
        /// complete reply); default 5 s. A timeout also switches to the backup host. Configures
        /// the built-in HTTP client (feature `hyper`).
        #[cfg(feature = "hyper")]
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field.timeout(timeout);
            self
        }

        /// The time limit for a TCP connection; default 2 s. Configures the built-in HTTP
        /// client (feature `hyper`).
        #[cfg(feature = "hyper")]
        pub fn connect_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field.connect_timeout(timeout);
            self
        }

        #[doc = concat!(
            "Connection reuse; default on, with idle connections closed after 50 s (see the \
             table above for ", $vendor, "'s advice); [`KeepAlive::Disabled`](crate::KeepAlive::Disabled) \
             opens a connection per request. Configures the built-in HTTP client (feature `hyper`)."
        )]
        #[cfg(feature = "hyper")]
        pub fn keep_alive(mut self, keep_alive: $crate::__private::KeepAlive) -> Self {
            self.$field.keep_alive(keep_alive);
            self
        }

        /// How many attempts a request gets and how long to wait between them. Which failures
        /// are retried at all is fixed by retry safety (see [`WriteRetry`](crate::WriteRetry)).
        pub fn retry_policy(mut self, policy: $crate::__private::RetryPolicy) -> Self {
            self.$field.retry_policy(policy);
            self
        }

        /// Whether writes whose outcome is unknown are sent again; default
        /// [`WriteRetry::OnlyUnprocessed`](crate::WriteRetry::OnlyUnprocessed).
        pub fn write_retry(mut self, write_retry: $crate::WriteRetry) -> Self {
            self.$field.write_retry(write_retry);
            self
        }

        #[doc = concat!(
            "The limits requests are checked against; default ", $vendor, "'s documented ones. \
             Change them when ", $vendor, " raised a quota for your app."
        )]
        pub fn limits(mut self, limits: $crate::__private::Limits) -> Self {
            self.$field.limits(limits);
            self
        }

        /// Whether requests are checked against the limits before sending; default
        /// [`Validation::Strict`](crate::Validation::Strict).
        pub fn validation(mut self, validation: $crate::Validation) -> Self {
            self.$field.validation(validation);
            self
        }

        /// How long after switching to the backup host the client tries the primary again;
        /// default 60 s.
        pub fn failover_cool_down(mut self, cool_down: ::std::time::Duration) -> Self {
            self.$field.failover_cool_down(cool_down);
            self
        }

        /// Sends requests with `client` instead of the built-in one: your own HTTP stack, an
        /// in-memory emulator, or `CaptureClient` in tests. It should enforce its own time
        /// limit; `timeout`, `connect_timeout` and `keep_alive` cannot be combined with it.
        pub fn http_client(mut self, client: $crate::__private::SharedHttpClient) -> Self {
            self.$field.http_client(client);
            self
        }

        /// Reads time from `clock` instead of the system clock: what each attempt is signed
        /// with, and the failover cool-down. For tests (`FixedClock`, `ManualClock` from
        /// roomkv-transport's `test-util`, re-exported by this crate's `test-util` feature).
        pub fn clock(mut self, clock: impl $crate::__private::Clock + 'static) -> Self {
            self.$field.clock(clock);
            self
        }

        /// Draws randomness from `source` instead of the OS: each attempt's nonce, request ids
        /// and the retry jitter. For tests (`FixedRandom`, `SequenceRandom`).
        pub fn random_source(mut self, source: impl $crate::__private::RandomSource + 'static) -> Self {
            self.$field.random_source(source);
            self
        }

        #[doc = concat!(
            "Which client-side rate limiter admits requests into ", $vendor, "'s quotas; \
             default [`RateLimit::Process`](crate::RateLimit::Process): an in-memory limiter \
             shared by every client in this process, at the rates of [`limits`](Self::limits). \
             Every attempt, a retry too, waits for its slot before it is signed and sent, so \
             it is never sent just to be refused. [`RateLimit::With`](crate::RateLimit::With) \
             takes another limiter, such as a Redis-backed one shared by a fleet (feature \
             `redis`); [`RateLimit::Off`](crate::RateLimit::Off) sends at once."
        )]
        pub fn rate_limit(mut self, rate_limit: $crate::RateLimit) -> Self {
            self.$field.rate_limit(rate_limit);
            self
        }

        /// The longest a request waits for its slot in a quota; default 10 s. A request that
        /// would wait longer is not sent and fails at once with `Error::RateLimited`.
        pub fn max_rate_wait(mut self, max_wait: ::std::time::Duration) -> Self {
            self.$field.max_rate_wait(max_wait);
            self
        }
    };
}
