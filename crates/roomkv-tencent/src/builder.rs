//! [`ClientBuilder`]: credentials, hosts, timeouts, retries, limits, and the injection points for
//! tests.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roomkv_core::BaseUrl;
use roomkv_core::tencent::{Endpoint, Identifier};
use roomkv_provider::Settings;
use roomkv_sign::tencent::SecretKey;

use crate::auth::UserSigCache;
use crate::client::{Client, Inner};
use crate::{BuildError, CredentialsError, Region};
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

/// The shortest UserSig lifetime [`ClientBuilder::usersig_lifetime`] accepts.
pub const MIN_USERSIG_LIFETIME: Duration = Duration::from_secs(60);

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
/// | [`http_client`](Self::http_client), [`clock`](Self::clock), [`random_source`](Self::random_source) | hyper + rustls, the system clock, the OS random source |
///
/// The one retry after Tencent rejects the UserSig (70001, 70052) is one of the
/// [`retry_policy`](Self::retry_policy)'s attempts: with [`RetryPolicy::no_retry`] the request
/// fails, and the renewed UserSig serves the next one.
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
    usersig_lifetime: Option<Duration>,
    settings: Settings<Region>,
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

    roomkv_provider::settings_methods!(settings, Region, "Tencent");

    /// How long each admin UserSig is valid; default 1 day, at least 60 s. The client
    /// generates a new one after 80 % of it, so a UserSig is never used close to its expiry.
    pub fn usersig_lifetime(mut self, lifetime: Duration) -> Self {
        self.usersig_lifetime = Some(lifetime);
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
        let sdkappid = self
            .sdkappid
            .ok_or_else(|| BuildError::Credentials(CredentialsError::MissingSdkAppId))?;
        let key = self
            .secret_key
            .take()
            .ok_or_else(|| BuildError::Credentials(CredentialsError::MissingSecretKey))?;
        let admin = match self.admin.take() {
            Some(admin) => admin,
            None => Identifier::parse(DEFAULT_ADMIN).expect("the default admin is valid"),
        };
        let lifetime = self.usersig_lifetime.unwrap_or(DEFAULT_USERSIG_LIFETIME);
        if lifetime < MIN_USERSIG_LIFETIME {
            return Err(BuildError::Credentials(
                CredentialsError::UserSigLifetimeTooShort {
                    secs: lifetime.as_secs(),
                },
            ));
        }
        let engine = self.settings.build(&format!("tencent:{sdkappid}"), |url| {
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

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("sdkappid", &self.sdkappid)
            // `SecretKey`'s own Debug is redacted; say only whether one is set.
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("admin", &self.admin)
            .field("usersig_lifetime", &self.usersig_lifetime)
            .field("settings", &self.settings)
            .finish()
    }
}
