//! [`ClientBuilder`]: credentials, hosts, timeouts, retries, limits, and the injection points for
//! tests.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roomkv_core::Limits;
use roomkv_core::rongcloud::Endpoint;
use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderStyle};
use roomkv_transport::{
    Clock, DEFAULT_COOL_DOWN, EndpointSet, NonceSource, RetryPolicy, SharedClock, SharedHttpClient,
    SharedNonceSource,
};
#[cfg(feature = "hyper")]
use roomkv_transport::{HyperClient, KeepAlive};

use roomkv_provider::{Engine, LoggedHttpClient};

use crate::auth::Credentials;
use crate::client::{Client, Inner};
use crate::{BuildError, Region, Validation, WriteRetry};

/// The default time limit over a whole exchange: 5 s, the threshold after which RongCloud's
/// failover guidance switches to the backup host.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

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
enum Hosts {
    Region(Region),
    Pinned(String),
    Custom(Vec<String>),
}

/// Configures and builds a [`Client`].
///
/// Only the App Key and the App Secret are required. Defaults:
///
/// | setting | default |
/// |---|---|
/// | hosts | [`Region::Beijing`]; or [`region`](Self::region), [`base_url`](Self::base_url), [`hosts`](Self::hosts) |
/// | `timeout` (feature `hyper`) | 5 s over the whole exchange ([`DEFAULT_TIMEOUT`], RongCloud's failover threshold) |
/// | `connect_timeout` (feature `hyper`) | 2 s |
/// | `keep_alive` (feature `hyper`) | on, idle connections closed after 50 s (RongCloud asks for less than 55 s) |
/// | [`retry_policy`](Self::retry_policy) | 3 attempts, exponential backoff with full jitter ([`RetryPolicy::default`]) |
/// | [`write_retry`](Self::write_retry) | [`WriteRetry::OnlyUnprocessed`] |
/// | [`limits`](Self::limits) | RongCloud's documented limits ([`Limits::default`]) |
/// | [`validation`](Self::validation) | [`Validation::Strict`] |
/// | [`failover_cool_down`](Self::failover_cool_down) | 60 s |
/// | [`header_style`](Self::header_style) | [`HeaderStyle::Plain`]: `App-Key`, `Nonce`, `Timestamp`, `Signature` |
/// | [`http_client`](Self::http_client), [`clock`](Self::clock), [`nonce_source`](Self::nonce_source) | hyper + rustls, the system clock, the OS random source |
///
/// Later calls override earlier ones; [`region`](Self::region), [`base_url`](Self::base_url)
/// and [`hosts`](Self::hosts) override each other.
///
/// ```
/// # #[cfg(feature = "hyper")] {
/// use std::time::Duration;
/// use roomkv_rongcloud::{AppKey, AppSecret, Client, Region, RetryPolicy, WriteRetry};
///
/// let client = Client::builder()
///     .app_key(AppKey::new("your app key"))
///     .app_secret(AppSecret::new("your app secret"))
///     .region(Region::Singapore)
///     .timeout(Duration::from_secs(4))
///     .retry_policy(RetryPolicy::default().with_max_attempts(4))
///     .write_retry(WriteRetry::RepeatIdempotent)
///     .build()?;
/// # let _ = client;
/// # }
/// # Ok::<(), roomkv_rongcloud::BuildError>(())
/// ```
///
/// Against a local emulator (plain `http://` is accepted for loopback hosts only):
///
/// ```
/// # #[cfg(feature = "hyper")] {
/// use roomkv_rongcloud::{AppKey, AppSecret, Client};
///
/// let client = Client::builder()
///     .app_key(AppKey::new("demo-app-key"))
///     .app_secret(AppSecret::new("demo-app-secret"))
///     .base_url("http://127.0.0.1:8787")
///     .build()?;
/// # let _ = client;
/// # }
/// # Ok::<(), roomkv_rongcloud::BuildError>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    app_key: Option<AppKey>,
    app_secret: Option<AppSecret>,
    header_style: HeaderStyle,
    hosts: Option<Hosts>,
    #[cfg(feature = "hyper")]
    http_settings: HttpSettings,
    retry_policy: RetryPolicy,
    write_retry: WriteRetry,
    limits: Limits,
    validation: Validation,
    cool_down: Option<Duration>,
    http_client: Option<SharedHttpClient>,
    clock: Option<SharedClock>,
    nonce_source: Option<SharedNonceSource>,
}

impl ClientBuilder {
    /// A builder with every default; the same as [`Client::builder`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The app's App Key, from the RongCloud / Nexconn console. Required.
    pub fn app_key(mut self, app_key: AppKey) -> Self {
        self.app_key = Some(app_key);
        self
    }

    /// The app's App Secret, from the console, which signs every request. Required.
    ///
    /// It never appears in `Debug`, `Display`, errors or logs, and never travels: only the
    /// signature made with it does.
    pub fn app_secret(mut self, app_secret: AppSecret) -> Self {
        self.app_secret = Some(app_secret);
        self
    }

    /// Which header names carry the signature; default [`HeaderStyle::Plain`]. Use
    /// [`HeaderStyle::RcPrefixed`] (`RC-App-Key`, `RC-Nonce`, `RC-Timestamp`, `RC-Signature`)
    /// behind a proxy or platform that filters the plain names.
    pub fn header_style(mut self, style: HeaderStyle) -> Self {
        self.header_style = style;
        self
    }

    /// Sends requests to a region's primary host, failing over to its backup.
    pub fn region(mut self, region: Region) -> Self {
        self.hosts = Some(Hosts::Region(region));
        self
    }

    /// Sends every request to one host, never failing over: an emulator, a proxy, a test
    /// server. `https://`, or `http://` to a loopback host (`127.0.0.0/8`, `::1`,
    /// `localhost`); a path is kept as a prefix.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.hosts = Some(Hosts::Pinned(url.into()));
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
        self.hosts = Some(Hosts::Custom(urls.into_iter().map(Into::into).collect()));
        self
    }

    /// One time limit over each whole exchange (connecting, sending, and reading the complete
    /// reply); default 5 s. A timeout also switches to the backup host. Configures the built-in
    /// HTTP client (feature `hyper`).
    #[cfg(feature = "hyper")]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http_settings.timeout = Some(timeout);
        self
    }

    /// The time limit for a TCP connection; default 2 s. Configures the built-in HTTP client
    /// (feature `hyper`).
    #[cfg(feature = "hyper")]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http_settings.connect_timeout = Some(timeout);
        self
    }

    /// Connection reuse; default on with idle connections closed after 50 s. RongCloud
    /// recommends no keep-alive, or an idle timeout under 55 s so its load balancing and
    /// failover keep working: [`KeepAlive::Disabled`] opens a connection per request.
    /// Configures the built-in HTTP client (feature `hyper`).
    #[cfg(feature = "hyper")]
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.http_settings.keep_alive = Some(keep_alive);
        self
    }

    /// How many attempts a request gets and how long to wait between them. Which failures are
    /// retried at all is fixed by retry safety (see [`WriteRetry`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Whether writes whose outcome is unknown are sent again; default
    /// [`WriteRetry::OnlyUnprocessed`].
    pub fn write_retry(mut self, write_retry: WriteRetry) -> Self {
        self.write_retry = write_retry;
        self
    }

    /// The limits requests are checked against; default RongCloud's documented ones. Change
    /// them when RongCloud raised a quota for your app.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether requests are checked against the limits before sending; default
    /// [`Validation::Strict`].
    pub fn validation(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    /// How long after switching to the backup host the client tries the primary again;
    /// default 60 s.
    pub fn failover_cool_down(mut self, cool_down: Duration) -> Self {
        self.cool_down = Some(cool_down);
        self
    }

    /// Sends requests with `client` instead of the built-in one: your own HTTP stack, an
    /// in-memory emulator, or `CaptureClient` in tests. It should enforce its own time limit;
    /// `timeout`, `connect_timeout` and `keep_alive`
    /// cannot be combined with it.
    pub fn http_client(mut self, client: SharedHttpClient) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Reads time from `clock` instead of the system clock: each attempt's `Timestamp`, and
    /// the failover cool-down. For tests (`FixedClock`, `ManualClock` from roomkv-transport's
    /// `test-util`, re-exported by this crate's `test-util` feature).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(SharedClock::new(clock));
        self
    }

    /// Draws randomness from `source` instead of the OS: each attempt's `Nonce` (a value below
    /// 10¹⁸), each operation's `X-Request-ID` (two values, as 32 hex digits) and the retry
    /// jitter. For tests (`FixedNonce`, `SequenceNonce`).
    pub fn nonce_source(mut self, source: impl NonceSource + 'static) -> Self {
        self.nonce_source = Some(SharedNonceSource::new(source));
        self
    }

    /// Builds the client. Needs no runtime; sending needs a Tokio runtime with time (and, for
    /// the built-in HTTP client, I/O) enabled.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] when the App Key or the App Secret is missing, the App Key cannot be
    /// sent as a header, a host URL is invalid (plain `http://` is refused except to loopback
    /// hosts), HTTP client settings are combined with a custom HTTP client, or the built-in
    /// HTTP client cannot be built.
    pub fn build(self) -> Result<Client, BuildError> {
        let app_key = self.app_key.clone().ok_or(BuildError::MissingAppKey)?;
        let app_secret = self
            .app_secret
            .clone()
            .ok_or(BuildError::MissingAppSecret)?;
        let credentials = Credentials::new(app_key, app_secret, self.header_style)?;
        let clock = self.clock.clone().unwrap_or_default();

        let hosts = self
            .hosts
            .clone()
            .unwrap_or_else(|| Hosts::Region(Region::default()));
        let (urls, pinned) = match hosts {
            Hosts::Region(region) => (region.hosts().map(str::to_owned).to_vec(), false),
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
                EndpointSet::pinned(url).map_err(|e| invalid(e.to_string()))?;
                Endpoint::parse(url).map_err(|e| invalid(e.to_string()))
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        let host_set = if pinned {
            EndpointSet::pinned(&urls[0])
        } else {
            EndpointSet::new(&urls)
        }
        .map_err(|e| BuildError::InvalidUrl {
            url: urls.join(", "),
            reason: e.to_string(),
        })?
        .with_cool_down(Some(self.cool_down.unwrap_or(DEFAULT_COOL_DOWN)))
        .with_clock(clock.clone());

        let http = match self.http_client.clone() {
            Some(http) => {
                #[cfg(feature = "hyper")]
                if let Some(setting) = self.http_settings.first_set() {
                    return Err(BuildError::IgnoredSetting { setting });
                }
                http
            }
            None => built_in_client(&self)?,
        };

        let engine = Engine {
            endpoints,
            hosts: host_set,
            http: SharedHttpClient::new(LoggedHttpClient(http)),
            retry_policy: self.retry_policy,
            write_retry: self.write_retry,
            limits: self.limits,
            validation: self.validation,
            clock,
            nonce: self.nonce_source.unwrap_or_default(),
        };
        let inner = Inner {
            credentials,
            engine,
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }
}

#[cfg(feature = "hyper")]
fn built_in_client(builder: &ClientBuilder) -> Result<SharedHttpClient, BuildError> {
    let settings = &builder.http_settings;
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

#[cfg(not(feature = "hyper"))]
fn built_in_client(_: &ClientBuilder) -> Result<SharedHttpClient, BuildError> {
    Err(BuildError::NoHttpClient)
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ClientBuilder");
        d.field("app_key", &self.app_key)
            // `AppSecret`'s own Debug is redacted; say only whether one is set.
            .field("app_secret", &self.app_secret.as_ref().map(|_| "***"))
            .field("header_style", &self.header_style)
            .field("hosts", &self.hosts);
        #[cfg(feature = "hyper")]
        d.field("http_settings", &self.http_settings);
        d.field("retry_policy", &self.retry_policy)
            .field("write_retry", &self.write_retry)
            .field("limits", &self.limits)
            .field("validation", &self.validation)
            .field("failover_cool_down", &self.cool_down)
            .field("http_client", &self.http_client)
            .field("clock", &self.clock)
            .field("nonce_source", &self.nonce_source)
            .finish()
    }
}
