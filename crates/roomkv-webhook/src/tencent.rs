//! Tencent Cloud Live room callbacks: `Live.CallbackAfterSetMetadata`,
//! `Live.CallbackAfterDelMetadata` and `Live.CallbackAfterUpdateRoomInfo`
//! (`docs/vendors/tencent.md#callbacks`).
//!
//! Tencent `POST`s the JSON body to the configured URL with the query
//! `SdkAppid=…&CallbackCommand=…&contenttype=json&ClientIP=…&OptPlatform=…`. With callback
//! authentication switched on, it also appends `RequestTime` (Unix seconds) and `Sign`, the hex
//! SHA256 of `Token ‖ RequestTime` (see `roomkv_sign::tencent::callback_sign`; the names and the
//! formula follow Tencent's Chat webhook documentation and are inferred for Live).
//!
//! `Sign` does not cover the body, nor does any nonce make a callback unique, so replay
//! protection here is: `RequestTime` within the window of `now`, and an exact duplicate
//! (same `RequestTime`, same body) within the window is refused as a replay. A party that has
//! seen one genuine callback URL can still send other bodies with it inside the window: keep the
//! URL secret and on HTTPS, and keep the window short.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::Request;
use roomkv_sign::tencent::{CallbackToken, verify_callback_sign};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::WebhookError;
use crate::replay::{NonceStore, ReplayGuard};
use crate::request::{Query, json_body, parse_u64, require_json, unix_time};

/// `Live.CallbackAfterSetMetadata`.
pub const AFTER_SET_METADATA: &str = "Live.CallbackAfterSetMetadata";
/// `Live.CallbackAfterDelMetadata`.
pub const AFTER_DEL_METADATA: &str = "Live.CallbackAfterDelMetadata";
/// `Live.CallbackAfterUpdateRoomInfo`.
pub const AFTER_UPDATE_ROOM_INFO: &str = "Live.CallbackAfterUpdateRoomInfo";

/// One metadata item of [`TencentCallback::AfterSetMetadata`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MetadataItem {
    /// The key.
    #[serde(rename = "Key")]
    pub key: String,
    /// The value.
    #[serde(rename = "Value")]
    pub value: String,
}

/// A verified Tencent Live room callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TencentCallback {
    /// `Live.CallbackAfterSetMetadata`: metadata items were set (upserted).
    AfterSetMetadata {
        /// The SDKAppID from the URL.
        sdkappid: u64,
        /// The account that made the change (`Operator_Account`).
        operator_account: String,
        /// The room.
        room_id: String,
        /// The items set.
        metadata: Vec<MetadataItem>,
        /// When, in milliseconds since the Unix epoch (`EventTime`).
        event_time_ms: u64,
    },
    /// `Live.CallbackAfterDelMetadata`: metadata keys were deleted.
    AfterDelMetadata {
        /// The SDKAppID from the URL.
        sdkappid: u64,
        /// The account that made the change.
        operator_account: String,
        /// The room.
        room_id: String,
        /// The keys deleted.
        keys: Vec<String>,
        /// When, in milliseconds since the Unix epoch.
        event_time_ms: u64,
    },
    /// `Live.CallbackAfterUpdateRoomInfo`: `update_room_info` changed a room's settings.
    ///
    /// Tencent names this callback but its body was not retrieved: the fields are inferred
    /// from the metadata callbacks and the request (`Operator_Account`, `RoomId`, `RoomInfo`
    /// with the settings sent, `EventTime`), as the emulator sends them.
    AfterUpdateRoomInfo {
        /// The SDKAppID from the URL.
        sdkappid: u64,
        /// The account that made the change (`Operator_Account`).
        operator_account: String,
        /// The room.
        room_id: String,
        /// The settings the request changed (`RoomInfo`: `RoomId` and the fields sent), as raw
        /// JSON by Tencent's field names (`Notice`, `RoomName`, ...): roomkv-core's
        /// `tencent::RoomInfo::from_json` reads it typed.
        room_info: serde_json::Map<String, serde_json::Value>,
        /// When, in milliseconds since the Unix epoch.
        event_time_ms: u64,
    },
}

#[derive(Deserialize)]
struct Command {
    #[serde(rename = "CallbackCommand")]
    command: String,
}

#[derive(Deserialize)]
struct SetBody {
    #[serde(rename = "Operator_Account")]
    operator_account: String,
    #[serde(rename = "RoomId")]
    room_id: String,
    #[serde(rename = "Metadata")]
    metadata: Vec<MetadataItem>,
    #[serde(rename = "EventTime")]
    event_time: u64,
}

#[derive(Deserialize)]
struct DelBody {
    #[serde(rename = "Operator_Account")]
    operator_account: String,
    #[serde(rename = "RoomId")]
    room_id: String,
    #[serde(rename = "Keys")]
    keys: Vec<String>,
    #[serde(rename = "EventTime")]
    event_time: u64,
}

#[derive(Deserialize)]
struct UpdateRoomInfoBody {
    #[serde(rename = "Operator_Account")]
    operator_account: String,
    #[serde(rename = "RoomId")]
    room_id: String,
    #[serde(rename = "RoomInfo")]
    room_info: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "EventTime")]
    event_time: u64,
}

/// Verifies and parses Tencent Live room callbacks sent with callback authentication. Share
/// one per app (in an `Arc`), so its replay store sees every callback.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use roomkv_sign::tencent::{CallbackToken, callback_sign};
/// use roomkv_webhook::{TencentCallback, TencentCallbackVerifier};
///
/// let token = CallbackToken::new("callback-token");
/// let verifier = TencentCallbackVerifier::new(token.clone(), Duration::from_secs(60))
///     .expect_sdkappid(1400000000);
/// let uri = format!(
///     "/hooks/live?SdkAppid=1400000000&CallbackCommand=Live.CallbackAfterDelMetadata\
///      &contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI&RequestTime=1700000000&Sign={}",
///     callback_sign(&token, "1700000000"),
/// );
/// let body = r#"{"CallbackCommand":"Live.CallbackAfterDelMetadata","Operator_Account":"admin",
///     "RoomId":"live-1","Keys":["k1"],"EventTime":1700000000000}"#;
/// let request = http::Request::post(uri)
///     .header("content-type", "application/json; charset=utf-8")
///     .body(body)
///     .unwrap();
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_001);
/// match verifier.verify(&request, now).unwrap() {
///     TencentCallback::AfterDelMetadata { room_id, keys, .. } => {
///         assert_eq!((room_id.as_str(), keys), ("live-1", vec!["k1".to_owned()]));
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
#[derive(Debug, Clone)]
pub struct TencentCallbackVerifier {
    token: CallbackToken,
    sdkappid: Option<u64>,
    replay: ReplayGuard,
}

impl TencentCallbackVerifier {
    /// A verifier for callbacks authenticated with `token`, accepting a `RequestTime` within
    /// `window` of `now` (either side), with an in-memory duplicate store of the default
    /// capacity.
    pub fn new(token: CallbackToken, window: Duration) -> Self {
        Self {
            token,
            replay: ReplayGuard::new(window),
            sdkappid: None,
        }
    }

    /// Also requires the URL's `SdkAppid` to be `sdkappid` (a callback of another app is
    /// refused as [`WebhookError::Malformed`]).
    #[must_use]
    pub fn expect_sdkappid(mut self, sdkappid: u64) -> Self {
        self.sdkappid = Some(sdkappid);
        self
    }

    /// Uses `store` for duplicate detection instead of the in-memory default.
    #[must_use]
    pub fn with_nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.replay = self.replay.with_store(store);
        self
    }

    /// The replay window.
    pub fn window(&self) -> Duration {
        self.replay.window()
    }

    /// Verifies `request` (method `POST`, `Sign` in constant time, `RequestTime` within the
    /// window of `now`, `SdkAppid`, a JSON body whose `CallbackCommand` matches the URL's, not a
    /// duplicate) and parses its body.
    ///
    /// # Errors
    ///
    /// The first check that fails, as a [`WebhookError`];
    /// [`WebhookError::UnsupportedCommand`] for a genuine callback other than the metadata and
    /// room-info callbacks.
    pub fn verify<B: AsRef<[u8]>>(
        &self,
        request: &Request<B>,
        now: SystemTime,
    ) -> Result<TencentCallback, WebhookError> {
        let query = Query::of(request)?;
        let request_time = query.required("RequestTime")?;
        let sign = query.required("Sign")?;
        verify_callback_sign(&self.token, request_time, sign)
            .map_err(|_| WebhookError::BadSignature)?;
        let sent = parse_u64("RequestTime", request_time)?;
        let sent = unix_time("RequestTime", Duration::from_secs(sent))?;
        self.replay.check_fresh(sent, now)?;
        let sdkappid = query.required("SdkAppid")?;
        let sdkappid = parse_u64("SdkAppid", sdkappid)?;
        if let Some(expected) = self.sdkappid.filter(|expected| *expected != sdkappid) {
            return Err(WebhookError::malformed(
                "SdkAppid",
                format!("{sdkappid} is not the expected {expected}"),
            ));
        }
        let url_command = query.required("CallbackCommand")?;
        require_json(request)?;
        let body = request.body().as_ref();
        let Command { command } = json_body(body)?;
        if command != url_command {
            return Err(WebhookError::malformed(
                "body",
                format!("CallbackCommand {command} differs from the URL's {url_command}"),
            ));
        }
        let event = match command.as_str() {
            AFTER_SET_METADATA => {
                let b: SetBody = json_body(body)?;
                TencentCallback::AfterSetMetadata {
                    sdkappid,
                    operator_account: b.operator_account,
                    room_id: b.room_id,
                    metadata: b.metadata,
                    event_time_ms: b.event_time,
                }
            }
            AFTER_DEL_METADATA => {
                let b: DelBody = json_body(body)?;
                TencentCallback::AfterDelMetadata {
                    sdkappid,
                    operator_account: b.operator_account,
                    room_id: b.room_id,
                    keys: b.keys,
                    event_time_ms: b.event_time,
                }
            }
            AFTER_UPDATE_ROOM_INFO => {
                let b: UpdateRoomInfoBody = json_body(body)?;
                TencentCallback::AfterUpdateRoomInfo {
                    sdkappid,
                    operator_account: b.operator_account,
                    room_id: b.room_id,
                    room_info: b.room_info,
                    event_time_ms: b.event_time,
                }
            }
            _ => return Err(WebhookError::UnsupportedCommand { command }),
        };
        let mut digest = Sha256::new();
        digest.update(request_time.as_bytes());
        digest.update(b"\n");
        digest.update(body);
        let key: String = digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.replay.remember(&format!("tencent:{key}"), sent, now)?;
        Ok(event)
    }
}
