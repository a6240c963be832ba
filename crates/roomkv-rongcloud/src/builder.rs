//! [`ClientBuilder`]: roomkv-provider's generic builder for RongCloud, and
//! [`RongCloudSettings`]: the App Key, the App Secret, the header names and the dialect.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roomkv_core::rongcloud::{Dialect, Endpoint};
use roomkv_provider::{ClientFactory, Settings};
use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderStyle};

use crate::auth::Credentials;
use crate::client::{Client, Inner};
use crate::{BuildError, CredentialsError, Region, RongCloud};
#[cfg(doc)]
use crate::{Limits, RetryPolicy, Validation, WriteRetry};

/// The default time limit over a whole exchange: 5 s, the threshold after which RongCloud's
/// failover guidance switches to the backup host.
pub const DEFAULT_TIMEOUT: Duration = roomkv_provider::DEFAULT_TIMEOUT;

/// Configures and builds a [`Client`]: roomkv-provider's generic
/// [`ClientBuilder`](roomkv_provider::ClientBuilder) for RongCloud, whose RongCloud settings
/// ([`app_key`](RongCloudSettings::app_key), [`app_secret`](RongCloudSettings::app_secret),
/// [`header_style`](RongCloudSettings::header_style), [`dialect`](RongCloudSettings::dialect))
/// come from the [`RongCloudSettings`] trait: `use roomkv_rongcloud::RongCloudSettings as _;`.
///
/// Only the App Key and the App Secret are required. Defaults:
///
/// | setting | default |
/// |---|---|
/// | hosts | [`Region::Beijing`]; or [`region`](roomkv_provider::ClientBuilder::region), [`base_url`](roomkv_provider::ClientBuilder::base_url), [`hosts`](roomkv_provider::ClientBuilder::hosts) |
/// | `timeout` (feature `hyper`) | 5 s over the whole exchange ([`DEFAULT_TIMEOUT`], RongCloud's failover threshold) |
/// | `connect_timeout` (feature `hyper`) | 2 s |
/// | `keep_alive` (feature `hyper`) | on, idle connections closed after 50 s (RongCloud asks for less than 55 s) |
/// | [`retry_policy`](roomkv_provider::ClientBuilder::retry_policy) | 3 attempts, exponential backoff with full jitter ([`RetryPolicy::default`]) |
/// | [`write_retry`](roomkv_provider::ClientBuilder::write_retry) | [`WriteRetry::OnlyUnprocessed`] |
/// | [`limits`](roomkv_provider::ClientBuilder::limits) | RongCloud's documented limits ([`Limits::default`]) |
/// | [`validation`](roomkv_provider::ClientBuilder::validation) | [`Validation::Strict`] |
/// | [`failover_cool_down`](roomkv_provider::ClientBuilder::failover_cool_down) | 60 s |
/// | [`dialect`](RongCloudSettings::dialect) | [`Dialect::Legacy`]: the form-encoded `/chatroom/…` and `/message/expansion/…` API |
/// | [`header_style`](RongCloudSettings::header_style) | [`HeaderStyle::Plain`]: `App-Key`, `Nonce`, `Timestamp`, `Signature` |
/// | [`http_client`](roomkv_provider::ClientBuilder::http_client), [`clock`](roomkv_provider::ClientBuilder::clock), [`random_source`](roomkv_provider::ClientBuilder::random_source) | hyper + rustls, the system clock, the OS random source |
///
/// Later calls override earlier ones; [`region`](roomkv_provider::ClientBuilder::region), [`base_url`](roomkv_provider::ClientBuilder::base_url)
/// and [`hosts`](roomkv_provider::ClientBuilder::hosts) override each other.
///
/// ```
/// # #[cfg(feature = "hyper")] {
/// use std::time::Duration;
/// use roomkv_rongcloud::{AppKey, AppSecret, Client, Region, RetryPolicy, RongCloudSettings, WriteRetry};
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
/// use roomkv_rongcloud::{AppKey, AppSecret, Client, RongCloudSettings};
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
pub type ClientBuilder = roomkv_provider::ClientBuilder<RongCloud>;

/// RongCloud's own settings of a [`ClientBuilder`], as [`RongCloudSettings`] sets them.
#[derive(Clone, Default)]
pub struct RongCloudConfig {
    app_key: Option<AppKey>,
    app_secret: Option<AppSecret>,
    header_style: HeaderStyle,
    dialect: Dialect,
}

impl fmt::Debug for RongCloudConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RongCloudConfig")
            .field("app_key", &self.app_key)
            // `AppSecret`'s own Debug is redacted; say only whether one is set.
            .field("app_secret", &self.app_secret.as_ref().map(|_| "***"))
            .field("header_style", &self.header_style)
            .field("dialect", &self.dialect)
            .finish()
    }
}

/// The RongCloud settings of a [`ClientBuilder`]. Bring it into scope
/// (`use roomkv_rongcloud::RongCloudSettings as _;`) to call them.
pub trait RongCloudSettings: Sized {
    /// The app's App Key, from the RongCloud / Nexconn console. Required.
    #[must_use]
    fn app_key(self, app_key: AppKey) -> Self;

    /// The app's App Secret, from the console, which signs every request. Required.
    ///
    /// It never appears in `Debug`, `Display`, errors or logs, and never travels: only the
    /// signature made with it does.
    #[must_use]
    fn app_secret(self, app_secret: AppSecret) -> Self;

    /// Which header names carry the signature; default [`HeaderStyle::Plain`]. Use
    /// [`HeaderStyle::RcPrefixed`] (`RC-App-Key`, `RC-Nonce`, `RC-Timestamp`, `RC-Signature`)
    /// behind a proxy or platform that filters the plain names.
    #[must_use]
    fn header_style(self, style: HeaderStyle) -> Self;

    /// Which API the client speaks; default [`Dialect::Legacy`] (RongCloud's form-encoded
    /// API). [`Dialect::V4`] speaks Nexconn's JSON `/v4/…` API instead.
    ///
    /// The typed methods, and [`Client::send`] of core's legacy operations, work the same in
    /// both: in v4 a single-key set or remove is sent as a batch of one, since v4 has no
    /// single-key endpoints. What v4 cannot express is refused before sending with
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation): a [`SetEntry`](crate::SetEntry)
    /// or [`RemoveEntry`](crate::RemoveEntry) carrying a notification (v4 batch set and remove
    /// have no `objectName` or `content`), never silently sent without it. A single-key remove
    /// in v4 is a batch remove, which does not check the entry's owner.
    ///
    /// In v4 the server answers 400, 401, 403, 404, 429 and 430 (service not enabled) itself,
    /// with a JSON body: those become [`ErrorKind::Api`](crate::ErrorKind::Api) and do not
    /// switch hosts; other statuses, and every 5xx, switch to the backup host as in the legacy
    /// dialect.
    #[must_use]
    fn dialect(self, dialect: Dialect) -> Self;
}

impl RongCloudSettings for ClientBuilder {
    fn app_key(self, app_key: AppKey) -> Self {
        self.with_config(|config| config.app_key = Some(app_key))
    }

    fn app_secret(self, app_secret: AppSecret) -> Self {
        self.with_config(|config| config.app_secret = Some(app_secret))
    }

    fn header_style(self, style: HeaderStyle) -> Self {
        self.with_config(|config| config.header_style = style)
    }

    fn dialect(self, dialect: Dialect) -> Self {
        self.with_config(|config| config.dialect = dialect)
    }
}

impl ClientFactory for RongCloud {
    type Config = RongCloudConfig;
    type Region = Region;
    type Client = Client;

    /// Checks the App Key and the App Secret (missing, empty, or an App Key that cannot be
    /// sent as a header), then the shared settings.
    fn build(config: RongCloudConfig, settings: Settings<Region>) -> Result<Client, BuildError> {
        let credentials = config
            .app_key
            .ok_or(CredentialsError::MissingAppKey)
            .and_then(|key| {
                let secret = config
                    .app_secret
                    .ok_or(CredentialsError::MissingAppSecret)?;
                Credentials::new(key, secret, config.header_style)
            })
            .map_err(BuildError::Credentials)?;
        let app = format!("rongcloud:{}", credentials.app_key().as_str());
        let mut engine =
            settings.build(&app, |url| Endpoint::parse(url).map_err(|e| e.to_string()))?;
        if config.dialect == Dialect::V4 {
            engine.set_expected_statuses(crate::dialect::V4_EXPECTED_STATUSES.as_slice());
        }
        Ok(Client {
            inner: Arc::new(Inner {
                credentials,
                dialect: config.dialect,
                engine,
            }),
        })
    }
}
