//! [`ClientBuilder`]: credentials, hosts, timeouts, retries, limits, and the injection points for
//! tests.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roomkv_core::rongcloud::{Dialect, Endpoint};
use roomkv_provider::Settings;
use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderStyle};

use crate::auth::Credentials;
use crate::client::{Client, Inner};
use crate::{BuildError, CredentialsError, Region};
#[cfg(doc)]
use crate::{Limits, RetryPolicy, Validation, WriteRetry};

/// The default time limit over a whole exchange: 5 s, the threshold after which RongCloud's
/// failover guidance switches to the backup host.
pub const DEFAULT_TIMEOUT: Duration = roomkv_provider::DEFAULT_TIMEOUT;

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
/// | [`dialect`](Self::dialect) | [`Dialect::Legacy`]: the form-encoded `/chatroom/…` and `/message/expansion/…` API |
/// | [`header_style`](Self::header_style) | [`HeaderStyle::Plain`]: `App-Key`, `Nonce`, `Timestamp`, `Signature` |
/// | [`http_client`](Self::http_client), [`clock`](Self::clock), [`random_source`](Self::random_source) | hyper + rustls, the system clock, the OS random source |
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
    dialect: Dialect,
    settings: Settings<Region>,
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

    /// Which API the client speaks; default [`Dialect::Legacy`] (RongCloud's form-encoded
    /// API). [`Dialect::V4`] speaks Nexconn's JSON `/v4/…` API instead.
    ///
    /// The typed methods, and [`Client::send`] of core's legacy operations, work the same in
    /// both: in v4 a single-key set or remove is sent as a batch of one, since v4 has no
    /// single-key endpoints. What v4 cannot express is refused before sending with
    /// [`Error::Validation`](crate::Error::Validation): a [`SetEntry`](crate::SetEntry) or
    /// [`RemoveEntry`](crate::RemoveEntry) carrying a notification (v4 batch set and remove
    /// have no `objectName` or `content`), never silently sent without it. A single-key remove
    /// in v4 is a batch remove, which does not check the entry's owner.
    ///
    /// In v4 the server answers 400, 401, 403, 404, 429 and 430 (service not enabled) itself,
    /// with a JSON body: those become [`Error::Api`](crate::Error::Api) and do not switch hosts;
    /// other statuses, and every 5xx, switch to the backup host as in the legacy dialect.
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    roomkv_provider::settings_methods!(settings, Region, "RongCloud");

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
        let credentials = self
            .app_key
            .ok_or(CredentialsError::MissingAppKey)
            .and_then(|key| {
                Ok((
                    key,
                    self.app_secret.ok_or(CredentialsError::MissingAppSecret)?,
                ))
            })
            .and_then(|(key, secret)| Credentials::new(key, secret, self.header_style))
            .map_err(BuildError::Credentials)?;
        let app = format!("rongcloud:{}", credentials.app_key().as_str());
        let mut engine = self
            .settings
            .build(&app, |url| Endpoint::parse(url).map_err(|e| e.to_string()))?;
        if self.dialect == Dialect::V4 {
            engine.set_expected_statuses(crate::dialect::V4_EXPECTED_STATUSES.as_slice());
        }
        Ok(Client {
            inner: Arc::new(Inner {
                credentials,
                dialect: self.dialect,
                engine,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_key", &self.app_key)
            // `AppSecret`'s own Debug is redacted; say only whether one is set.
            .field("app_secret", &self.app_secret.as_ref().map(|_| "***"))
            .field("header_style", &self.header_style)
            .field("dialect", &self.dialect)
            .field("settings", &self.settings)
            .finish()
    }
}
