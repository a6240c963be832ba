//! [`ClientBuilder`]: one builder for every vendor's client. It holds the settings every
//! provider shares ([`Settings`]) beside the vendor's own ([`ClientFactory::Config`]: an App
//! Key and secret, an SDKAppID and admin), and builds with the vendor's [`ClientFactory`].
//!
//! A provider crate names it for its vendor (`roomkv_rongcloud::ClientBuilder` is
//! `ClientBuilder<RongCloud>`) and sets its own settings through an extension trait
//! (`roomkv_rongcloud::RongCloudSettings`) that writes them with
//! [`with_config`](ClientBuilder::with_config).

use std::fmt;
use std::time::Duration;

use roomkv_core::Limits;
#[cfg(feature = "hyper")]
use roomkv_transport::KeepAlive;
use roomkv_transport::{
    Clock, RandomSource, RetryPolicy, SharedClock, SharedHttpClient, SharedRandomSource,
};

use crate::RegionTable;
use crate::settings::{Hosts, Settings};
use crate::{BuildError, RateLimit, Validation, Vendor, WriteRetry};

/// How a vendor builds its client from a [`ClientBuilder`]'s settings: its own settings, its
/// regions and its client type. Implemented by each provider's vendor marker.
pub trait ClientFactory: Vendor {
    /// The vendor's own builder settings (credentials and such); its `Debug` shows no secret.
    type Config: Default + Clone + fmt::Debug;
    /// The vendor's regions: each a primary and a backup host.
    type Region: RegionTable;
    /// The client [`ClientBuilder::build`] makes.
    type Client;

    /// Builds the client from the vendor's settings and the shared ones.
    ///
    /// # Errors
    ///
    /// A [`BuildError`]: the vendor's own settings are missing or invalid, or one of the shared
    /// ones is ([`Settings::build`]).
    fn build(
        config: Self::Config,
        settings: Settings<Self::Region>,
    ) -> Result<Self::Client, BuildError<Self>>;
}

/// Configures and builds a vendor's client; see the provider crate's `ClientBuilder` for the
/// vendor's own settings and the defaults.
///
/// Later calls override earlier ones; [`region`](Self::region), [`base_url`](Self::base_url)
/// and [`hosts`](Self::hosts) override each other.
pub struct ClientBuilder<V: ClientFactory> {
    config: V::Config,
    settings: Settings<V::Region>,
}

impl<V: ClientFactory> Default for ClientBuilder<V> {
    fn default() -> Self {
        Self {
            config: V::Config::default(),
            settings: Settings::default(),
        }
    }
}

impl<V: ClientFactory> Clone for ClientBuilder<V> {
    fn clone(&self) -> Self {
        Self {
            config: self.config.clone(),
            settings: self.settings.clone(),
        }
    }
}

impl<V: ClientFactory> fmt::Debug for ClientBuilder<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("settings", &self.settings)
            .finish()
    }
}

impl<V: ClientFactory> ClientBuilder<V> {
    /// A builder with every default; the same as the provider's `Client::builder`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Changes the vendor's own settings with `change`: how the provider's extension trait
    /// sets them.
    pub fn with_config(mut self, change: impl FnOnce(&mut V::Config)) -> Self {
        change(&mut self.config);
        self
    }

    /// Builds the client. Needs no runtime; sending needs a Tokio runtime with time (and, for
    /// the built-in HTTP client, I/O) enabled.
    ///
    /// # Errors
    ///
    /// A [`BuildError`]: the vendor's own settings are missing or invalid
    /// ([`BuildError::Credentials`]), a host URL is invalid (plain `http://` is refused except
    /// to loopback hosts), HTTP client settings are combined with a custom HTTP client, or the
    /// built-in HTTP client cannot be built.
    pub fn build(self) -> Result<V::Client, BuildError<V>> {
        V::build(self.config, self.settings)
    }

    /// Sends requests to a region's primary host, failing over to its backup.
    pub fn region(mut self, region: V::Region) -> Self {
        self.settings.hosts = Some(Hosts::Region(region));
        self
    }

    /// Sends every request to one host, never failing over: an emulator, a proxy, a test
    /// server. `https://`, or `http://` to a loopback host (`127.0.0.0/8`, `::1`,
    /// `localhost`); a path is kept as a prefix.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.hosts = Some(Hosts::Pinned(url.into()));
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
        let urls = urls.into_iter().map(Into::into).collect();
        self.settings.hosts = Some(Hosts::Custom(urls));
        self
    }

    /// One time limit over each whole exchange (connecting, sending, and reading the complete
    /// reply); default 5 s. A timeout also switches to the backup host. Configures the
    /// built-in HTTP client (feature `hyper`).
    #[cfg(feature = "hyper")]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.http_settings.timeout = Some(timeout);
        self
    }

    /// The time limit for a TCP connection; default 2 s. Configures the built-in HTTP client
    /// (feature `hyper`).
    #[cfg(feature = "hyper")]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.http_settings.connect_timeout = Some(timeout);
        self
    }

    /// Connection reuse; default on, with idle connections closed after 50 s (see the
    /// provider's `ClientBuilder` for the vendor's advice); [`KeepAlive::Disabled`] opens a
    /// connection per request. Configures the built-in HTTP client (feature `hyper`).
    #[cfg(feature = "hyper")]
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.settings.http_settings.keep_alive = Some(keep_alive);
        self
    }

    /// How many attempts a request gets and how long to wait between them. Which failures
    /// are retried at all is fixed by retry safety (see [`WriteRetry`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry_policy = policy;
        self
    }

    /// Whether writes whose outcome is unknown are sent again; default
    /// [`WriteRetry::OnlyUnprocessed`].
    pub fn write_retry(mut self, write_retry: WriteRetry) -> Self {
        self.settings.write_retry = write_retry;
        self
    }

    /// The limits requests are checked against; default the vendor's documented ones. Change
    /// them when the vendor raised a quota for your app.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// Whether requests are checked against the limits before sending; default
    /// [`Validation::Strict`].
    pub fn validation(mut self, validation: Validation) -> Self {
        self.settings.validation = validation;
        self
    }

    /// How long after switching to the backup host the client tries the primary again;
    /// default 60 s.
    pub fn failover_cool_down(mut self, cool_down: Duration) -> Self {
        self.settings.cool_down = Some(cool_down);
        self
    }

    /// Sends requests with `client` instead of the built-in one: your own HTTP stack, an
    /// in-memory emulator, or `CaptureClient` in tests. It should enforce its own time limit;
    /// `timeout`, `connect_timeout` and `keep_alive` cannot be combined with it.
    pub fn http_client(mut self, client: SharedHttpClient) -> Self {
        self.settings.http_client = Some(client);
        self
    }

    /// Reads time from `clock` instead of the system clock: what each attempt is signed with,
    /// and the failover cool-down. For tests (`FixedClock`, `ManualClock` from
    /// roomkv-transport's `test-util`, re-exported by the provider's `test-util` feature).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.settings.clock = Some(SharedClock::new(clock));
        self
    }

    /// Draws randomness from `source` instead of the OS: each attempt's nonce, request ids
    /// and the retry jitter. For tests (`FixedRandom`, `SequenceRandom`).
    pub fn random_source(mut self, source: impl RandomSource + 'static) -> Self {
        self.settings.random_source = Some(SharedRandomSource::new(source));
        self
    }

    /// Which client-side rate limiter admits requests into the vendor's quotas; default
    /// [`RateLimit::Process`]: an in-memory limiter shared by every client in this process,
    /// at the rates of [`limits`](Self::limits). Every attempt, a retry too, waits for its
    /// slot before it is signed and sent, so it is never sent just to be refused.
    /// [`RateLimit::With`] takes another limiter, such as a Redis-backed one shared by a fleet
    /// (feature `redis`); [`RateLimit::Off`] sends at once.
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.settings.rate_limit = rate_limit;
        self
    }

    /// The longest a request waits for its slot in a quota; default 10 s. A request that
    /// would wait longer is not sent and fails at once with
    /// [`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited).
    pub fn max_rate_wait(mut self, max_wait: Duration) -> Self {
        self.settings.max_rate_wait = Some(max_wait);
        self
    }
}
