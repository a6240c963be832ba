//! [`ClientBuilder`]: roomkv-provider's generic builder for Tencent, and [`TencentSettings`]:
//! the SDKAppID, the secret key, the admin account and the UserSig lifetime.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roomkv_core::BaseUrl;
use roomkv_core::tencent::{Endpoint, Identifier};
use roomkv_provider::{ClientFactory, Settings};
use roomkv_sign::tencent::SecretKey;

use crate::auth::UserSigCache;
use crate::client::{Client, Inner};
use crate::{BuildError, CredentialsError, Region, Tencent};
#[cfg(doc)]
use crate::{Limits, RetryPolicy, Validation, WriteRetry};

/// The admin account used when none is set: `administrator`, the account Tencent creates with
/// every app.
pub const DEFAULT_ADMIN: &str = "administrator";

/// The default time limit over a whole exchange: 5 s. Tencent's own server-side limit is 3 s,
/// and Tencent asks callers to wait longer than that.
pub const DEFAULT_TIMEOUT: Duration = roomkv_provider::DEFAULT_TIMEOUT;

/// The default lifetime of the admin UserSig: 1 day (Tencent recommends at least 24 hours).
/// The client renews it after 80 % of that.
pub const DEFAULT_USERSIG_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The shortest UserSig lifetime [`TencentSettings::usersig_lifetime`] accepts.
pub const MIN_USERSIG_LIFETIME: Duration = Duration::from_secs(60);

/// Configures and builds a [`Client`]: roomkv-provider's generic
/// [`ClientBuilder`](roomkv_provider::ClientBuilder) for Tencent, whose Tencent settings
/// ([`sdkappid`](TencentSettings::sdkappid), [`secret_key`](TencentSettings::secret_key),
/// [`admin`](TencentSettings::admin), [`usersig_lifetime`](TencentSettings::usersig_lifetime))
/// come from the [`TencentSettings`] trait: `use roomkv_tencent::TencentSettings as _;`.
///
/// Only the SDKAppID and the secret key are required. Defaults:
///
/// | setting | default |
/// |---|---|
/// | [`admin`](TencentSettings::admin) | `administrator` ([`DEFAULT_ADMIN`]) |
/// | hosts | [`Region::China`]; or [`region`](roomkv_provider::ClientBuilder::region), [`base_url`](roomkv_provider::ClientBuilder::base_url), [`hosts`](roomkv_provider::ClientBuilder::hosts) |
/// | [`timeout`](roomkv_provider::ClientBuilder::timeout) | 5 s over the whole exchange ([`DEFAULT_TIMEOUT`]) |
/// | [`connect_timeout`](roomkv_provider::ClientBuilder::connect_timeout) | 2 s |
/// | [`keep_alive`](roomkv_provider::ClientBuilder::keep_alive) | on, idle connections closed after 50 s |
/// | [`retry_policy`](roomkv_provider::ClientBuilder::retry_policy) | 3 attempts, exponential backoff with full jitter ([`RetryPolicy::default`]) |
/// | [`write_retry`](roomkv_provider::ClientBuilder::write_retry) | [`WriteRetry::OnlyUnprocessed`] |
/// | [`limits`](roomkv_provider::ClientBuilder::limits) | Tencent's documented limits ([`Limits::default`]) |
/// | [`validation`](roomkv_provider::ClientBuilder::validation) | [`Validation::Strict`] |
/// | [`failover_cool_down`](roomkv_provider::ClientBuilder::failover_cool_down) | 60 s |
/// | [`usersig_lifetime`](TencentSettings::usersig_lifetime) | 1 day, renewed after 80 % ([`DEFAULT_USERSIG_LIFETIME`]) |
/// | [`http_client`](roomkv_provider::ClientBuilder::http_client), [`clock`](roomkv_provider::ClientBuilder::clock), [`random_source`](roomkv_provider::ClientBuilder::random_source) | hyper + rustls, the system clock, the OS random source |
///
/// The one retry after Tencent rejects the UserSig (70001, 70052) is one of the
/// [`retry_policy`](roomkv_provider::ClientBuilder::retry_policy)'s attempts: with [`RetryPolicy::no_retry`] the request
/// fails, and the renewed UserSig serves the next one.
///
/// Later calls override earlier ones; [`region`](roomkv_provider::ClientBuilder::region), [`base_url`](roomkv_provider::ClientBuilder::base_url)
/// and [`hosts`](roomkv_provider::ClientBuilder::hosts) override each other.
///
/// ```
/// use std::time::Duration;
/// use roomkv_tencent::{
///     Client, Identifier, Region, RetryPolicy, SecretKey, TencentSettings, WriteRetry,
/// };
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
/// use roomkv_tencent::{Client, SecretKey, TencentSettings};
///
/// let client = Client::builder()
///     .sdkappid(1400000000)
///     .secret_key(SecretKey::new("demo-secret-key"))
///     .base_url("http://127.0.0.1:8787")
///     .build()?;
/// # let _ = client;
/// # Ok::<(), roomkv_tencent::BuildError>(())
/// ```
pub type ClientBuilder = roomkv_provider::ClientBuilder<Tencent>;

/// Tencent's own settings of a [`ClientBuilder`], as [`TencentSettings`] sets them.
#[derive(Clone, Default)]
pub struct TencentConfig {
    sdkappid: Option<u64>,
    secret_key: Option<SecretKey>,
    admin: Option<Identifier>,
    usersig_lifetime: Option<Duration>,
}

impl fmt::Debug for TencentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentConfig")
            .field("sdkappid", &self.sdkappid)
            // `SecretKey`'s own Debug is redacted; say only whether one is set.
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("admin", &self.admin)
            .field("usersig_lifetime", &self.usersig_lifetime)
            .finish()
    }
}

/// The Tencent settings of a [`ClientBuilder`]. Bring it into scope
/// (`use roomkv_tencent::TencentSettings as _;`) to call them.
pub trait TencentSettings: Sized {
    /// The app's SDKAppID, from Tencent's console. Required.
    #[must_use]
    fn sdkappid(self, sdkappid: u64) -> Self;

    /// The app's secret key, from Tencent's console, which signs the admin UserSig. Required.
    ///
    /// It never appears in `Debug`, `Display`, errors or logs.
    #[must_use]
    fn secret_key(self, key: SecretKey) -> Self;

    /// The App admin account requests are sent as (`identifier`); default `administrator`.
    /// Tencent refuses accounts that are not App admins with 60010 or 70403.
    #[must_use]
    fn admin(self, admin: Identifier) -> Self;

    /// How long each admin UserSig is valid; default 1 day, at least 60 s. The client
    /// generates a new one after 80 % of it, so a UserSig is never used close to its expiry.
    #[must_use]
    fn usersig_lifetime(self, lifetime: Duration) -> Self;
}

impl TencentSettings for ClientBuilder {
    fn sdkappid(self, sdkappid: u64) -> Self {
        self.with_config(|config| config.sdkappid = Some(sdkappid))
    }

    fn secret_key(self, key: SecretKey) -> Self {
        self.with_config(|config| config.secret_key = Some(key))
    }

    fn admin(self, admin: Identifier) -> Self {
        self.with_config(|config| config.admin = Some(admin))
    }

    fn usersig_lifetime(self, lifetime: Duration) -> Self {
        self.with_config(|config| config.usersig_lifetime = Some(lifetime))
    }
}

impl ClientFactory for Tencent {
    type Config = TencentConfig;
    type Region = Region;
    type Client = Client;

    /// Checks the SDKAppID, the secret key and the UserSig lifetime, then the shared settings.
    fn build(config: TencentConfig, settings: Settings<Region>) -> Result<Client, BuildError> {
        let sdkappid = config
            .sdkappid
            .ok_or(BuildError::Credentials(CredentialsError::MissingSdkAppId))?;
        let key = config
            .secret_key
            .ok_or(BuildError::Credentials(CredentialsError::MissingSecretKey))?;
        let admin = match config.admin {
            Some(admin) => admin,
            None => Identifier::parse(DEFAULT_ADMIN).expect("the default admin is valid"),
        };
        let lifetime = config.usersig_lifetime.unwrap_or(DEFAULT_USERSIG_LIFETIME);
        if lifetime < MIN_USERSIG_LIFETIME {
            return Err(BuildError::Credentials(
                CredentialsError::UserSigLifetimeTooShort {
                    secs: lifetime.as_secs(),
                },
            ));
        }
        let engine = settings.build(&format!("tencent:{sdkappid}"), |url| {
            let base = BaseUrl::parse(url).map_err(|e| e.to_string())?;
            Ok(Endpoint {
                base,
                sdkappid,
                admin: admin.clone(),
            })
        })?;
        let clock = engine.sign_context().clock().clone();
        let usersig = UserSigCache::new(sdkappid, admin, key, lifetime, clock);
        Ok(Client {
            inner: Arc::new(Inner { engine, usersig }),
        })
    }
}
