//! The server's side of the RongCloud API in both dialects, for the emulator: authentication
//! headers as real clients send them, and replies exactly as RongCloud (or Nexconn v4) sends
//! them. The table of every served path ([`ROUTES`]), from which [`Request::decode`] builds the
//! operation and says which dialect it came in, the [`Handler`] with one method per operation,
//! and [`Request::dispatch`] are generated from the one list of operations
//! ([`Action`](super::Action)), each path taken from its operation's declaration.
//!
//! ```
//! use roomkv_core::rongcloud::server::Request;
//! use roomkv_core::rongcloud::{Dialect, SetEntry};
//! use roomkv_core::ServerOperation;
//!
//! let body = b"chatroomId=room1&userId=anchor&key=score&value=42";
//! let request = http::Request::post("/chatroom/entry/set.json").body(&body[..])?;
//! let Some((Dialect::Legacy, Ok(Request::SetEntry(op)))) = Request::decode(&request) else {
//!     panic!()
//! };
//! assert_eq!(op.key().as_str(), "score");
//! assert!(!op.is_auto_delete(), "absent autoDelete is 0");
//! let reply = SetEntry::encode_reply(&(), Some("req-1"));
//! assert_eq!(reply.body().as_slice(), br#"{"code":200}"#);
//!
//! // The same operation types in v4: a batch set of one is a `BatchSetEntries`.
//! let body = br#"{"channelId":"room1","metadataOwnerId":"anchor","metadata":{"score":"42"}}"#;
//! let request = http::Request::post("/v4/open-channel/metadata/batch/set").body(&body[..])?;
//! let Some((Dialect::V4, Ok(Request::BatchSetEntries(op)))) = Request::decode(&request) else {
//!     panic!()
//! };
//! assert_eq!(op.owner().as_str(), "anchor");
//!
//! let other = http::Request::post("/v4/live_engine_http_srv/create_room").body(&b""[..])?;
//! assert!(Request::decode(&other).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use super::generated::{Handler, ROUTES, Request};
use super::reply::REQUEST_ID_HEADER;
pub use super::reply_encoding::{REPLY_CONTENT_TYPE, error_reply, success_reply, v4_success_reply};

/// The signature headers of a request, accepted with plain names (`App-Key`) or with the `RC-`
/// prefix (`RC-App-Key`) that PaaS platforms filtering headers need. Plain names win when a
/// request carries both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthHeaders {
    /// `App-Key`.
    pub app_key: Option<String>,
    /// `Nonce`.
    pub nonce: Option<String>,
    /// `Timestamp`, seconds or milliseconds as sent.
    pub timestamp: Option<String>,
    /// `Signature`, hex in either case.
    pub signature: Option<String>,
}

impl AuthHeaders {
    /// Reads the four headers; values that are not visible ASCII count as absent.
    pub fn from_headers(headers: &http::HeaderMap) -> Self {
        let get = |name: &str| {
            headers
                .get(name)
                .or_else(|| headers.get(format!("rc-{name}")))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            app_key: get("app-key"),
            nonce: get("nonce"),
            timestamp: get("timestamp"),
            signature: get("signature"),
        }
    }

    /// The `X-Request-ID` a client sent, to echo in the reply.
    pub fn request_id(headers: &http::HeaderMap) -> Option<&str> {
        headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod router_tests;

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;
    use crate::ApiError;

    #[test]
    fn reads_plain_and_prefixed_headers() {
        let mut headers = http::HeaderMap::new();
        headers.insert("RC-App-Key", "k".parse().unwrap());
        headers.insert("Nonce", "1".parse().unwrap());
        headers.insert("RC-Nonce", "2".parse().unwrap());
        let auth = AuthHeaders::from_headers(&headers);
        assert_eq!(auth.app_key.as_deref(), Some("k"));
        assert_eq!(auth.nonce.as_deref(), Some("1"));
        assert_eq!(auth.signature, None);
    }

    #[test]
    fn replies_have_the_vendor_shape() {
        let err = ApiError::rongcloud(crate::RongCloudCode::SignatureError, "Signature error", 401);
        let reply = error_reply(&err);
        assert_eq!(reply.status(), 401);
        assert_eq!(
            reply.body().as_slice(),
            br#"{"code":1004,"errorMessage":"Signature error"}"#
        );
        #[derive(Serialize)]
        struct Empty {}
        assert_eq!(
            success_reply(&Empty {}, Some("r")).body().as_slice(),
            br#"{"code":200}"#
        );
    }
}
