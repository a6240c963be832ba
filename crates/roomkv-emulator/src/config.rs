//! [`EmulatorConfig`]: credentials, strictness, quotas, limits and the codes the emulator answers
//! where the vendors leave behaviour undocumented.
//!
//! Every default follows the emulator contract of the project's design: the demo credentials,
//! lenient authentication, documented rates and limits, and the KV service switched on.
//!
//! ```
//! use roomkv_emulator::EmulatorConfig;
//! let mut config = EmulatorConfig::default();
//! config.quota.rate_scale = 10.0; // ten times the documented quotas
//! config.strict = true;
//! assert_eq!(config.rongcloud_apps[0].app_key, "demo-app-key");
//! assert_eq!(config.tencent_apps[0].sdkappid, 1_400_000_000);
//! ```

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use roomkv_core::{Limits, RongCloudCode, TencentCode};

/// The default listen address, `127.0.0.1:8787`.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)), 8787);

/// A secret (app secret, Tencent secret key). Never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for signature checks.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One RongCloud / Nexconn app the emulator serves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RongCloudApp {
    /// The `App-Key` header value.
    pub app_key: String,
    /// The app secret signatures are computed with.
    pub app_secret: Secret,
}

impl RongCloudApp {
    /// An app with these credentials.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self {
            app_key: app_key.into(),
            app_secret: Secret::new(app_secret),
        }
    }
}

/// One Tencent app (SDKAppID) the emulator serves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TencentApp {
    /// The SDKAppID.
    pub sdkappid: u64,
    /// The secret key UserSigs are computed with.
    pub secret_key: Secret,
    /// The App admin account requests must be sent as (`identifier`).
    pub admin: String,
}

impl TencentApp {
    /// An app with these credentials.
    pub fn new(sdkappid: u64, secret_key: impl Into<String>, admin: impl Into<String>) -> Self {
        Self {
            sdkappid,
            secret_key: Secret::new(secret_key),
            admin: admin.into(),
        }
    }
}

/// How signatures and UserSigs are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureCheck {
    /// Verify them with `roomkv-sign` ([`crate::auth::SignAuthenticator`]): a RongCloud
    /// `Signature` that is not the SHA1 of the app secret, `Nonce` and `Timestamp` answers HTTP
    /// 401 / 1004; a Tencent UserSig is decoded and verified (70001, 70003, 70009, 70013, 70014).
    /// The default.
    #[default]
    Verify,
    /// Accept any signature or UserSig that is present ([`crate::auth::UncheckedSignatures`]),
    /// to replay requests whose secrets are unknown, such as the vendors' documented examples.
    /// Everything else (app, headers present, strict mode, admin, body) is still checked.
    Unchecked,
}

/// Vendor rate limits.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QuotaConfig {
    /// Whether quotas are enforced at all (default `true`).
    pub enabled: bool,
    /// Multiplies every documented rate (default `1.0`). A value that is not finite and positive
    /// disables enforcement.
    pub rate_scale: f64,
    /// Burst tolerance of every bucket, as time at the family's rate (default one second: a
    /// family of 100/s admits 100 requests at once, then one every 10 ms).
    pub burst: Duration,
}

impl Default for QuotaConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            rate_scale: 1.0,
            burst: Duration::from_secs(1),
        }
    }
}

/// What a batch remove does when some of its keys do not exist (undocumented by RongCloud).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MissingKeys {
    /// Missing keys are skipped; the call always succeeds.
    Ignore,
    /// Missing keys are skipped, but the call fails when none of the keys exist (the rule Tencent
    /// documents for its metadata delete). The default.
    #[default]
    FailWhenNoneExist,
    /// The call fails, removing nothing, when any key is missing.
    FailWhenAnyMissing,
}

/// RongCloud behaviour the vendor does not document, and the codes the emulator answers with.
///
/// Defaults are the most plausible documented server codes (`docs/vendors/rongcloud.md#codes`, `#undocumented`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RongCloudRules {
    /// Whether a single `set` may overwrite a key another user owns (default `false`: the client
    /// SDK documents "only its creator may update it"; batch set always overwrites).
    pub set_overwrites_other_owner: bool,
    /// The code for a `set` or `remove` of a key another user owns (default 1002 "parameter
    /// error"; the client SDK's 23424 is not a server code).
    pub owner_mismatch_code: RongCloudCode,
    /// The code for a set that would put more than the cap of entries in a room (default 1502
    /// "quantity exceeds the limit").
    pub room_full_code: RongCloudCode,
    /// The code for a `remove` of a key that does not exist (default 1015 "the data to delete
    /// does not exist").
    pub missing_key_code: RongCloudCode,
    /// Batch remove with missing keys (default [`MissingKeys::FailWhenNoneExist`], answered with
    /// `missing_key_code`).
    pub batch_remove_missing: MissingKeys,
    /// The code for an expansion set that would put more than 300 expansions on a message
    /// (default 1502 "quantity exceeds the limit"; the whole set fails).
    pub expansion_cap_code: RongCloudCode,
    /// The code for an expansion call on a message that is not registered (auto-registration
    /// off), not expansion-enabled, or registered with another conversation (default 1002).
    pub expansion_message_code: RongCloudCode,
    /// The code for a per-request count or length over its limit: batch over 20, query over 100
    /// keys, expansion call over 100 keys, value too long (default 1005 "parameter exceeds its
    /// maximum length", as in the PHP SDK's table).
    pub too_long_code: RongCloudCode,
    /// Whether a user leaving a room emits a KV-sync event (`optType` 2) per vanished key
    /// (default `true`; the client doc says only that no notification message is sent).
    pub kv_sync_on_leave: bool,
    /// The HTTP status of the answer to an unknown `App-Key` (code 1002 "Invalidate App-Key.";
    /// default 401, the status of the other authentication failure).
    pub unknown_app_key_status: u16,
}

impl Default for RongCloudRules {
    fn default() -> Self {
        Self {
            set_overwrites_other_owner: false,
            owner_mismatch_code: RongCloudCode::ParameterError,
            room_full_code: RongCloudCode::QuantityExceeded,
            missing_key_code: RongCloudCode::DataNotFound,
            batch_remove_missing: MissingKeys::FailWhenNoneExist,
            expansion_cap_code: RongCloudCode::QuantityExceeded,
            expansion_message_code: RongCloudCode::ParameterError,
            too_long_code: RongCloudCode::ParameterTooLong,
            kv_sync_on_leave: true,
            unknown_app_key_status: 401,
        }
    }
}

/// Tencent behaviour the vendor does not document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TencentRules {
    /// The code for a request body over the size limit (default 60002 "HTTP parse error": Tencent
    /// documents no size code, and a body the gateway refuses to read is an HTTP-level failure).
    pub body_too_large_code: TencentCode,
}

impl Default for TencentRules {
    fn default() -> Self {
        Self {
            body_too_large_code: TencentCode::HttpParseError,
        }
    }
}

/// When and how often a callback is attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryPolicy {
    /// How long one attempt may take (connect, send, full answer).
    pub timeout: Duration,
    /// How many more attempts follow a failed one (a status other than 200, a timeout, a
    /// connection error) before the callback is dropped.
    pub retries: u32,
    /// The pause between a failed attempt and the next.
    pub retry_delay: Duration,
}

impl DeliveryPolicy {
    /// RongCloud's documented rule for the KV sync webhook (`docs/vendors/rongcloud.md#kv-sync-webhook`): a 5 s
    /// timeout, 2 retries, then the event is dropped. The pause between attempts is not
    /// documented; 1 s is the emulator's choice.
    pub const RONGCLOUD: Self = Self {
        timeout: Duration::from_secs(5),
        retries: 2,
        retry_delay: Duration::from_secs(1),
    };

    /// The emulator's choice for Tencent's after-event callbacks, whose delivery rules are not in
    /// the spec: a 2 s timeout and no retry (Tencent ignores the answer to after-event callbacks).
    pub const TENCENT: Self = Self {
        timeout: Duration::from_secs(2),
        retries: 0,
        retry_delay: Duration::from_secs(1),
    };

    /// A policy with these values.
    pub fn new(timeout: Duration, retries: u32, retry_delay: Duration) -> Self {
        Self {
            timeout,
            retries,
            retry_delay,
        }
    }
}

/// Callbacks the emulator delivers to application servers, as the vendors do. Off by default
/// (no URL); the events are recorded in the event log either way.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookConfig {
    /// Where the RongCloud KV sync webhook is `POST`ed (with `nonce`, `timestamp` and
    /// `signature` appended to the query, signed with the app's secret).
    pub rongcloud_url: Option<String>,
    /// Where Tencent Live metadata callbacks are `POST`ed.
    pub tencent_url: Option<String>,
    /// The Tencent callback authentication token; with one, `RequestTime` and `Sign` are appended
    /// to the callback URL.
    pub tencent_token: Option<Secret>,
    /// RongCloud delivery (default [`DeliveryPolicy::RONGCLOUD`]).
    pub rongcloud_policy: DeliveryPolicy,
    /// Tencent delivery (default [`DeliveryPolicy::TENCENT`]).
    pub tencent_policy: DeliveryPolicy,
    /// How many callbacks may wait for delivery (default 10,000). Beyond that, new callbacks are
    /// dropped and counted; the request that caused them is never slowed down.
    pub queue_capacity: usize,
    /// How many callbacks are delivered at the same time (default 16).
    pub concurrency: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            rongcloud_url: None,
            tencent_url: None,
            tencent_token: None,
            rongcloud_policy: DeliveryPolicy::RONGCLOUD,
            tencent_policy: DeliveryPolicy::TENCENT,
            queue_capacity: 10_000,
            concurrency: 16,
        }
    }
}

/// How the HTTP server treats connections: timeouts for slow or idle clients and a cap on how
/// many connections it holds, so that no client can hold the emulator's file descriptors
/// forever.
///
/// | setting | default | what happens when it runs out |
/// |---|---|---|
/// | `header_read_timeout` | 10 s | a request's head (from its first byte to the end of its headers) is not complete: the connection is closed |
/// | `idle_timeout` | 75 s | a keep-alive connection carries no byte and no request: it is closed |
/// | `body_read_timeout` | 30 s | a request's body is not complete: HTTP 408 (gateway page), then the connection is closed |
/// | `max_connections` | 512 | more connections are open: new ones go to the health reserve, then are refused |
/// | `health_reserve` | 16 | connections beyond `max_connections` that may ask `GET /_emulator/health` only |
///
/// Past `max_connections`, up to `health_reserve` more connections are accepted, but they are
/// served only `GET /_emulator/health`; any other request on them is answered HTTP 503 and the
/// connection closed. Past both, a new connection is closed at once. Both refusals are counted
/// ([`ServerStats::refused_connections`](crate::ServerStats::refused_connections)). So a
/// monitor can still ask for liveness when clients hold every regular slot. The defaults keep
/// the emulator well under a 1,024 file-descriptor limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// How long a request's head may take, from its first byte to the end of its headers.
    pub header_read_timeout: Duration,
    /// How long a connection may stay open without a byte read or written while no request is
    /// being served.
    pub idle_timeout: Duration,
    /// How long a request's body may take to arrive, from the end of its head.
    pub body_read_timeout: Duration,
    /// How many connections are served at once (at least 1).
    pub max_connections: usize,
    /// How many more connections are accepted for `GET /_emulator/health` only.
    pub health_reserve: usize,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 512,
            health_reserve: 16,
        }
    }
}

/// Everything the emulator can be told at start.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Where [`crate::Emulator::serve_configured`] listens (default `127.0.0.1:8787`; port 0
    /// picks a free port).
    pub listen: SocketAddr,
    /// The RongCloud apps (default one: `demo-app-key` / `demo-app-secret`). The first is the
    /// default app of the control endpoints.
    pub rongcloud_apps: Vec<RongCloudApp>,
    /// The Tencent apps (default one: `1400000000` / `demo-secret-key` / admin `administrator`).
    pub tencent_apps: Vec<TencentApp>,
    /// How signatures and UserSigs are checked (default [`SignatureCheck::Verify`]). An
    /// authenticator given to [`crate::EmulatorBuilder::authenticator`] takes precedence.
    pub signatures: SignatureCheck,
    /// Strict authentication: a RongCloud timestamp must be within `strict_window` of the
    /// emulator's clock (seconds or milliseconds, told apart by magnitude), a nonce at most 18
    /// characters and not seen again within the window (default `false`, as lenient as the real
    /// server).
    pub strict: bool,
    /// The strict-mode window (default 5 minutes).
    pub strict_window: Duration,
    /// Vendor rate limits.
    pub quota: QuotaConfig,
    /// Whether the chat-room KV service starts enabled for every RongCloud app (default `true`;
    /// disabled, KV calls answer 1009).
    pub kv_enabled: bool,
    /// Whether an expansion set or delete on an unknown `msgUID` registers the message on the fly
    /// (default `true`). Off, such calls answer `rongcloud.expansion_message_code`.
    pub expansion_auto_register: bool,
    /// The limits enforced (default [`Limits::DOCUMENTED`]).
    pub limits: Limits,
    /// RongCloud's undocumented behaviour.
    pub rongcloud: RongCloudRules,
    /// Tencent's undocumented behaviour.
    pub tencent: TencentRules,
    /// The number of state shards (default 64); rooms hash onto them.
    pub shards: usize,
    /// How many events the log keeps (default 200,000); the oldest are dropped beyond that and
    /// counted in `dropped`.
    pub event_capacity: usize,
    /// How many requests the request journal keeps (default 1,000; see [`crate::journal`]);
    /// the oldest are dropped beyond that and counted in `dropped`.
    pub journal_capacity: usize,
    /// The seed of the fault-injection random generator (default 0), so probabilistic faults
    /// repeat run after run.
    pub fault_seed: u64,
    /// Callback delivery to application servers (default: none).
    pub webhooks: WebhookConfig,
    /// Connection timeouts and the connection cap of the HTTP server.
    pub connections: ConnectionConfig,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            rongcloud_apps: vec![RongCloudApp::new("demo-app-key", "demo-app-secret")],
            tencent_apps: vec![TencentApp::new(
                1_400_000_000,
                "demo-secret-key",
                "administrator",
            )],
            signatures: SignatureCheck::Verify,
            strict: false,
            strict_window: Duration::from_secs(5 * 60),
            quota: QuotaConfig::default(),
            kv_enabled: true,
            expansion_auto_register: true,
            limits: Limits::default(),
            rongcloud: RongCloudRules::default(),
            tencent: TencentRules::default(),
            shards: 64,
            event_capacity: 200_000,
            journal_capacity: 1_000,
            fault_seed: 0,
            webhooks: WebhookConfig::default(),
            connections: ConnectionConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_debug_printed() {
        let config = EmulatorConfig::default();
        let text = format!("{config:?}");
        assert!(!text.contains("demo-app-secret"));
        assert!(!text.contains("demo-secret-key"));
        assert!(text.contains("demo-app-key"));
    }
}
