//! [`ClientBuilder`]: credentials, hosts, timeouts, retries, limits, and the injection points for
//! tests.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roomkv_core::tencent::{Endpoint, Identifier};
use roomkv_core::{BaseUrl, Limits};
use roomkv_sign::tencent::SecretKey;
use roomkv_transport::{
    Clock, DEFAULT_COOL_DOWN, EndpointSet, NonceSource, RetryPolicy, SharedClock, SharedHttpClient,
    SharedNonceSource,
};
#[cfg(feature = "hyper")]
use roomkv_transport::{HyperClient, KeepAlive};

use roomkv_provider::{Engine, LoggedHttpClient};

use crate::auth::UserSigCache;
use crate::client::{Client, Inner};
use crate::{BuildError, Region, Validation, WriteRetry};

/// The admin account used when none is set: `administrator`, the account Tencent creates with
/// every app.
pub const DEFAULT_ADMIN: &str = "administrator";

/// The default time limit over a whole exchange: 5 s. Tencent's own server-side limit is 3 s,
/// and Tencent asks callers to wait longer than that.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The default lifetime of the admin UserSig: 1 day (Tencent recommends at least 24 hours).
/// The client renews it after 80 % of that.
pub const DEFAULT_USERSIG_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The shortest UserSig lifetime [`ClientBuilder::usersig_lifetime`] accepts.
pub const MIN_USERSIG_LIFETIME: Duration = Duration::from_secs(60);

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
/// Only the SDKAppID and the secret key are required. Defaults:
///
/// | setting | default |
/// |---|---|
/// | [`admin`](Self::admin) | `administrator` ([`DEFAULT_ADMIN`]) |
/// | hosts | [`Region::China`]; or [`region`](Self::region), [`base_url`](Self::base_url), [`hosts`](Self::hosts) |
/// | [`timeout`](Self::timeout) | 5 s over the whole exchange ([`DEFAULT_TIMEOUT`]) |
/// | [`connect_timeout`](Self::connect_timeout) | 2 s |
/// | [`keep_alive`](Self::keep_alive) | on, idle connections closed after 50 s |
/// | [`retry_policy`](Self::retry_policy) | 3 attempts, exponential backoff with full jitter ([`RetryPolicy::default`]) |
/// | [`write_retry`](Self::write_retry) | [`WriteRetry::OnlyUnprocessed`] |
/// | [`limits`](Self::limits) | Tencent's documented limits ([`Limits::default`]) |
/// | [`validation`](Self::validation) | [`Validation::Strict`] |
/// | [`failover_cool_down`](Self::failover_cool_down) | 60 s |
/// | [`usersig_lifetime`](Self::usersig_lifetime) | 1 day, renewed after 80 % ([`DEFAULT_USERSIG_LIFETIME`]) |
/// | [`http_client`](Self::http_client), [`clock`](Self::clock), [`nonce_source`](Self::nonce_source) | hyper + rustls, the system clock, the OS random source |
///
/// Later calls override earlier ones; [`region`](Self::region), [`base_url`](Self::base_url)
/// and [`hosts`](Self::hosts) override each other.
///
/// ```
/// use std::time::Duration;
/// use roomkv_tencent::{Client, Identifier, Region, RetryPolicy, SecretKey, WriteRetry};
///
/// let client = Client::builder()
///     .sdkappid(1400000000)
///     .secret_key(SecretKey::new("your secret key"))
///     .admin(Identifier::parse("ops_admin")?)
///     .region(Region::Frankfurt)
///     .timeout(Duration::from_secs(4))
///     .retry_policy(RetryPolicy::default().with_max_attempts(4))
///     .write_retry(WriteRetry::RepeatIdempotent)
///     .build()?;
/// # let _ = client;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Against a local emulator (plain `http://` is accepted for loopback hosts only):
///
/// ```
/// use roomkv_tencent::{Client, SecretKey};
///
/// let client = Client::builder()
///     .sdkappid(1400000000)
///     .secret_key(SecretKey::new("demo-secret-key"))
///     .base_url("http://127.0.0.1:8787")
///     .build()?;
/// # let _ = client;
/// # Ok::<(), roomkv_tencent::BuildError>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    sdkappid: Option<u64>,
    secret_key: Option<SecretKey>,
    admin: Option<Identifier>,
    hosts: Option<Hosts>,
    #[cfg(feature = "hyper")]
    http_settings: HttpSettings,
    retry_policy: RetryPolicy,
    write_retry: WriteRetry,
    limits: Limits,
    validation: Validation,
    cool_down: Option<Duration>,
    usersig_lifetime: Option<Duration>,
    http_client: Option<SharedHttpClient>,
    clock: Option<SharedClock>,
    nonce_source: Option<SharedNonceSource>,
}

impl ClientBuilder {
    /// A builder with every default; the same as [`Client::builder`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The app's SDKAppID, from Tencent's console. Required.
    pub fn sdkappid(mut self, sdkappid: u64) -> Self {
        self.sdkappid = Some(sdkappid);
        self
    }

    /// The app's secret key, from Tencent's console, which signs the admin UserSig. Required.
    ///
    /// It never appears in `Debug`, `Display`, errors or logs.
    pub fn secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }

    /// The App admin account requests are sent as (`identifier`); default `administrator`.
    /// Tencent refuses accounts that are not App admins with 60010 or 70403.
    pub fn admin(mut self, admin: Identifier) -> Self {
        self.admin = Some(admin);
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
    /// of hosts this crate does not know). The same URL rules as [`base_url`](Self::base_url).
    pub fn hosts<I>(mut self, urls: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.hosts = Some(Hosts::Custom(urls.into_iter().map(Into::into).collect()));
        self
    }

    /// One time limit over each whole exchange (connecting, sending, and reading the complete
    /// reply); default 5 s. Configures the built-in HTTP client (feature `hyper`).
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

    /// Connection reuse; default on (Tencent recommends it), idle connections closed after
    /// 50 s. Configures the built-in HTTP client (feature `hyper`).
    #[cfg(feature = "hyper")]
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.http_settings.keep_alive = Some(keep_alive);
        self
    }

    /// How many attempts a request gets and how long to wait between them. Which failures are
    /// retried at all is fixed by retry safety (see [`WriteRetry`]).
    ///
    /// The one retry after Tencent rejects the UserSig (70001, 70052) is one of these
    /// attempts: with [`RetryPolicy::no_retry`] the request fails, and the renewed UserSig
    /// serves the next one.
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

    /// The limits requests are checked against; default Tencent's documented ones. Change
    /// them when Tencent raised a quota for your app.
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

    /// How long each admin UserSig is valid; default 1 day, at least 60 s. The client
    /// generates a new one after 80 % of it, so a UserSig is never used close to its expiry.
    pub fn usersig_lifetime(mut self, lifetime: Duration) -> Self {
        self.usersig_lifetime = Some(lifetime);
        self
    }

    /// Sends requests with `client` instead of the built-in one: your own HTTP stack, an
    /// in-memory emulator, or `CaptureClient` in tests. It should enforce its own time limit;
    /// [`timeout`](Self::timeout), [`connect_timeout`](Self::connect_timeout) and `keep_alive`
    /// cannot be combined with it.
    pub fn http_client(mut self, client: SharedHttpClient) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Reads time from `clock` instead of the system clock: the UserSig's issue time and
    /// renewal, and the failover cool-down. For tests (`FixedClock`, `ManualClock` from
    /// roomkv-transport's `test-util`, re-exported by this crate's `test-util` feature).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(SharedClock::new(clock));
        self
    }

    /// Draws randomness from `source` instead of the OS: each attempt's `random` (the low 32
    /// bits of a value) and the retry jitter. For tests (`FixedNonce`, `SequenceNonce`).
    pub fn nonce_source(mut self, source: impl NonceSource + 'static) -> Self {
        self.nonce_source = Some(SharedNonceSource::new(source));
        self
    }

    /// Builds the client. Needs no runtime; sending needs a Tokio runtime with time (and, for
    /// the built-in HTTP client, I/O) enabled.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] when the SDKAppID or the secret key is missing, a host URL is invalid
    /// (plain `http://` is refused except to loopback hosts), the UserSig lifetime is shorter
    /// than 60 s, HTTP client settings are combined with a custom HTTP client, or the built-in
    /// HTTP client cannot be built.
    pub fn build(mut self) -> Result<Client, BuildError> {
        let sdkappid = self.sdkappid.ok_or(BuildError::MissingSdkAppId)?;
        let key = self.secret_key.take().ok_or(BuildError::MissingSecretKey)?;
        let admin = match self.admin.take() {
            Some(admin) => admin,
            None => Identifier::parse(DEFAULT_ADMIN).expect("the default admin is valid"),
        };
        let lifetime = self.usersig_lifetime.unwrap_or(DEFAULT_USERSIG_LIFETIME);
        if lifetime < MIN_USERSIG_LIFETIME {
            return Err(BuildError::UserSigLifetimeTooShort {
                secs: lifetime.as_secs(),
            });
        }
        let clock = self.clock.take().unwrap_or_default();

        let (urls, pinned) = match self.hosts.take().unwrap_or(Hosts::Region(Region::China)) {
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
                let base = BaseUrl::parse(url).map_err(|e| invalid(e.to_string()))?;
                Ok(Endpoint {
                    base,
                    sdkappid,
                    admin: admin.clone(),
                })
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

        let http = match self.http_client.take() {
            Some(http) => {
                #[cfg(feature = "hyper")]
                if let Some(setting) = self.http_settings.first_set() {
                    return Err(BuildError::IgnoredSetting { setting });
                }
                http
            }
            None => built_in_client(&self)?,
        };

        let inner = Inner {
            usersig: UserSigCache::new(sdkappid, admin, key, lifetime, clock.clone()),
            engine: Engine {
                endpoints,
                hosts: host_set,
                http: SharedHttpClient::new(LoggedHttpClient(http)),
                retry_policy: self.retry_policy,
                write_retry: self.write_retry,
                limits: self.limits,
                validation: self.validation,
                clock,
                nonce: self.nonce_source.unwrap_or_default(),
            },
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
        d.field("sdkappid", &self.sdkappid)
            // `SecretKey`'s own Debug is redacted; say only whether one is set.
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("admin", &self.admin)
            .field("hosts", &self.hosts);
        #[cfg(feature = "hyper")]
        d.field("http_settings", &self.http_settings);
        d.field("retry_policy", &self.retry_policy)
            .field("write_retry", &self.write_retry)
            .field("limits", &self.limits)
            .field("validation", &self.validation)
            .field("failover_cool_down", &self.cool_down)
            .field("usersig_lifetime", &self.usersig_lifetime)
            .field("http_client", &self.http_client)
            .field("clock", &self.clock)
            .field("nonce_source", &self.nonce_source)
            .finish()
    }
}
