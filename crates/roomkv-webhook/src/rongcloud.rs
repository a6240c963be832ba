//! The RongCloud / Nexconn chat-room attribute (KV) synchronisation webhook.
//!
//! RongCloud `POST`s one JSON document per attribute change to the app's callback URL
//! (`docs/vendors/rongcloud.md#kv-sync-webhook`):
//!
//! ```json
//! {"chatroomId":"r1","key":"seat1","value":"alice","optType":1,"userId":"alice",
//!  "status":0,"timestamp":1700000000000,"version":3}
//! ```
//!
//! and appends three query parameters to the URL, `nonce`, `timestamp` and `signature`, signed
//! like API requests: `signature` = hex SHA1 of `AppSecret ‖ nonce ‖ timestamp` (`docs/vendors/rongcloud.md#signature`). The
//! parameter names are those of RongCloud's older signature page; the current pages were not
//! retrieved (`docs/vendors/rongcloud.md#undocumented`), so they are inferred. `timestamp` is read as milliseconds when it is at least
//! 10¹¹ and as seconds otherwise, because RongCloud documents milliseconds while every official
//! SDK sends seconds.
//!
//! The signature does not cover the body. A captured callback's parameters could carry another
//! body, which is why [`RongCloudWebhookVerifier`] rejects a `nonce` seen before within the
//! replay window, and a `timestamp` outside it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::Request;
use roomkv_sign::rongcloud::{AppSecret, verify};
use serde::Deserialize;

use crate::WebhookError;
use crate::replay::{NonceStore, ReplayGuard};
use crate::request::{Query, json_body, parse_u64, require_json, unix_time};

/// Timestamps at least this large are milliseconds; smaller ones are seconds (10¹¹ seconds is
/// the year 5138, 10¹¹ milliseconds is 1973).
const MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// What changed, from the webhook's `optType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvChange {
    /// `optType` 1: `key` was set (added or updated) to `value`.
    Set {
        /// The key.
        key: String,
        /// The new value.
        value: String,
    },
    /// `optType` 2: `key` was deleted (by a remove, or automatically when its owner left).
    Delete {
        /// The key.
        key: String,
        /// The value the key had, as RongCloud reports it (may be empty).
        value: String,
    },
    /// `optType` 3: every attribute of the room was deleted (the room was destroyed).
    DeleteAll,
}

/// One verified KV synchronisation webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvSyncEvent {
    /// The chat room.
    pub chatroom_id: String,
    /// What changed.
    pub change: KvChange,
    /// The operator (the user who left, for automatic deletions; may be empty for
    /// [`KvChange::DeleteAll`]).
    pub user_id: String,
    /// Server time of the change (the body's `timestamp`), milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// The room's attribute version after the change, for ordering events of one room.
    pub version: u64,
}

/// The webhook body as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    chatroom_id: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: String,
    opt_type: u8,
    #[serde(default)]
    user_id: String,
    timestamp: u64,
    version: u64,
}

/// Verifies and parses RongCloud KV sync webhooks. Share one per app (it is `Send + Sync`; put
/// it in an `Arc`), so its replay store sees every callback.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use roomkv_sign::rongcloud::{AppSecret, signature};
/// use roomkv_webhook::{KvChange, RongCloudWebhookVerifier};
///
/// let secret = AppSecret::new("app-secret");
/// let verifier = RongCloudWebhookVerifier::new(secret.clone(), Duration::from_secs(300));
///
/// // What RongCloud sends (here built by hand).
/// let (nonce, ts) = ("8341", "1700000000000");
/// let uri = format!(
///     "/hooks/kv?nonce={nonce}&timestamp={ts}&signature={}",
///     signature(&secret, nonce, ts)
/// );
/// let body = r#"{"chatroomId":"r1","key":"seat1","value":"alice","optType":1,
///     "userId":"alice","status":0,"timestamp":1700000000000,"version":1}"#;
/// let request = http::Request::post(uri)
///     .header("content-type", "application/json")
///     .body(body)
///     .unwrap();
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_010);
/// let event = verifier.verify(&request, now).unwrap();
/// assert_eq!(event.chatroom_id, "r1");
/// assert_eq!(event.change, KvChange::Set { key: "seat1".into(), value: "alice".into() });
/// // The same callback again is a replay.
/// assert!(verifier.verify(&request, now).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct RongCloudWebhookVerifier {
    app_secret: AppSecret,
    replay: ReplayGuard,
}

impl RongCloudWebhookVerifier {
    /// A verifier for callbacks signed with `app_secret`, accepting timestamps within `window`
    /// of `now` (either side) and remembering nonces in a
    /// [`MemoryNonceStore`](crate::MemoryNonceStore) of the default capacity. Five minutes is a
    /// reasonable window: RongCloud retries within seconds, and delays of up to five minutes are
    /// documented during network outages.
    pub fn new(app_secret: AppSecret, window: Duration) -> Self {
        Self {
            app_secret,
            replay: ReplayGuard::new(window),
        }
    }

    /// Uses `store` for replay protection instead of the in-memory default (for a store
    /// shared by several processes).
    #[must_use]
    pub fn with_nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.replay = self.replay.with_store(store);
        self
    }

    /// The replay window.
    pub fn window(&self) -> Duration {
        self.replay.window()
    }

    /// Verifies `request` (method `POST`, the three signed parameters, the signature in constant
    /// time, the timestamp within the window of `now`, a JSON body, an unseen nonce) and parses
    /// its body.
    ///
    /// # Errors
    ///
    /// The first check that fails, as a [`WebhookError`]. The nonce is remembered only when
    /// every other check passed.
    pub fn verify<B: AsRef<[u8]>>(
        &self,
        request: &Request<B>,
        now: SystemTime,
    ) -> Result<KvSyncEvent, WebhookError> {
        let query = Query::of(request)?;
        let nonce = query.required("nonce")?;
        let timestamp = query.required("timestamp")?;
        let signature = query.required("signature")?;
        verify(&self.app_secret, nonce, timestamp, signature)
            .map_err(|_| WebhookError::BadSignature)?;
        let sent = parse_u64("timestamp", timestamp)?;
        let sent = unix_time(
            "timestamp",
            if sent >= MILLIS_THRESHOLD {
                Duration::from_millis(sent)
            } else {
                Duration::from_secs(sent)
            },
        )?;
        self.replay.check_fresh(sent, now)?;
        require_json(request)?;
        let body: Body = json_body(request.body().as_ref())?;
        let change = match body.opt_type {
            1 => KvChange::Set {
                key: body.key,
                value: body.value,
            },
            2 => KvChange::Delete {
                key: body.key,
                value: body.value,
            },
            3 => KvChange::DeleteAll,
            other => {
                return Err(WebhookError::malformed(
                    "body",
                    format!("optType {other} is not 1, 2 or 3"),
                ));
            }
        };
        self.replay
            .remember(&format!("rongcloud:{nonce}"), sent, now)?;
        Ok(KvSyncEvent {
            chatroom_id: body.chatroom_id,
            change,
            user_id: body.user_id,
            timestamp_ms: body.timestamp,
            version: body.version,
        })
    }
}
