//! The server's side of the legacy RongCloud API, for the emulator: authentication headers as
//! real clients send them, a router from request paths to decoded operations, and replies exactly
//! as RongCloud sends them.
//!
//! ```
//! use roomkv_core::rongcloud::server::Request;
//! use roomkv_core::ServerOperation;
//! use roomkv_core::rongcloud::SetEntry;
//!
//! let body = b"chatroomId=room1&userId=anchor&key=score&value=42";
//! let request = http::Request::post("/chatroom/entry/set.json").body(&body[..])?;
//! let Some(Ok(Request::SetEntry(op))) = Request::decode(&request) else { panic!() };
//! assert_eq!(op.key().as_str(), "score");
//! assert!(!op.is_auto_delete(), "absent autoDelete is 0");
//! let reply = SetEntry::encode_reply(&(), Some("req-1"));
//! assert_eq!(reply.body().as_slice(), br#"{"code":200}"#);
//!
//! let other = http::Request::post("/v4/live_engine_http_srv/create_room").body(&b""[..])?;
//! assert!(Request::decode(&other).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

pub mod v4;

use super::reply::REQUEST_ID_HEADER;
use super::{
    BatchRemoveEntries, BatchSetEntries, DeleteExpansion, QueryEntries, QueryExpansion,
    RemoveEntry, SetEntry, SetExpansion,
};
use crate::{
    ApiError, DecodeError, Effect, Limits, Operation, QuotaCost, ServerOperation, ValidationError,
};

/// The path of every legacy operation roomkv implements, each the `PATH` of its operation type.
pub const PATHS: [&str; 8] = [
    SetEntry::PATH,
    BatchSetEntries::PATH,
    RemoveEntry::PATH,
    BatchRemoveEntries::PATH,
    QueryEntries::PATH,
    SetExpansion::PATH,
    DeleteExpansion::PATH,
    QueryExpansion::PATH,
];

/// A decoded legacy request: one variant per operation. Exhaustive on purpose, so an emulator
/// that matches on it stops compiling when an operation is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `/chatroom/entry/set.json`.
    SetEntry(SetEntry),
    /// `/chatroom/entry/batch/set.json`.
    BatchSetEntries(BatchSetEntries),
    /// `/chatroom/entry/remove.json`.
    RemoveEntry(RemoveEntry),
    /// `/chatroom/entry/batch/remove.json`.
    BatchRemoveEntries(BatchRemoveEntries),
    /// `/chatroom/entry/query.json`.
    QueryEntries(QueryEntries),
    /// `/message/expansion/set.json`.
    SetExpansion(SetExpansion),
    /// `/message/expansion/delete.json`.
    DeleteExpansion(DeleteExpansion),
    /// `/message/expansion/query.json`.
    QueryExpansion(QueryExpansion),
}

/// Applies `$body` to the operation inside any [`Request`] variant.
macro_rules! each_op {
    ($request:expr, $op:ident => $body:expr) => {
        match $request {
            Request::SetEntry($op) => $body,
            Request::BatchSetEntries($op) => $body,
            Request::RemoveEntry($op) => $body,
            Request::BatchRemoveEntries($op) => $body,
            Request::QueryEntries($op) => $body,
            Request::SetExpansion($op) => $body,
            Request::DeleteExpansion($op) => $body,
            Request::QueryExpansion($op) => $body,
        }
    };
}

impl Request {
    /// Decodes `request` by its exact URI path.
    ///
    /// `None` when the path is not one of [`PATHS`] (a Tencent path, the emulator's own
    /// `/_emulator/...`). Otherwise the operation's [`ServerOperation::decode`]: fields as sent,
    /// [`DecodeError::field_name`] naming a missing or malformed field. The method and the
    /// `Content-Type` are not checked: RongCloud documents `POST` with a form body but not what
    /// it answers to anything else, so that choice is the emulator's.
    pub fn decode(request: &http::Request<&[u8]>) -> Option<Result<Self, DecodeError>> {
        let decoded = match request.uri().path() {
            SetEntry::PATH => SetEntry::decode(request).map(Self::SetEntry),
            BatchSetEntries::PATH => BatchSetEntries::decode(request).map(Self::BatchSetEntries),
            RemoveEntry::PATH => RemoveEntry::decode(request).map(Self::RemoveEntry),
            BatchRemoveEntries::PATH => {
                BatchRemoveEntries::decode(request).map(Self::BatchRemoveEntries)
            }
            QueryEntries::PATH => QueryEntries::decode(request).map(Self::QueryEntries),
            SetExpansion::PATH => SetExpansion::decode(request).map(Self::SetExpansion),
            DeleteExpansion::PATH => DeleteExpansion::decode(request).map(Self::DeleteExpansion),
            QueryExpansion::PATH => QueryExpansion::decode(request).map(Self::QueryExpansion),
            _ => return None,
        };
        Some(decoded)
    }

    /// The request path of the operation.
    pub fn path(&self) -> &'static str {
        match self {
            Self::SetEntry(_) => SetEntry::PATH,
            Self::BatchSetEntries(_) => BatchSetEntries::PATH,
            Self::RemoveEntry(_) => RemoveEntry::PATH,
            Self::BatchRemoveEntries(_) => BatchRemoveEntries::PATH,
            Self::QueryEntries(_) => QueryEntries::PATH,
            Self::SetExpansion(_) => SetExpansion::PATH,
            Self::DeleteExpansion(_) => DeleteExpansion::PATH,
            Self::QueryExpansion(_) => QueryExpansion::PATH,
        }
    }

    /// The operation's client-side rules ([`Operation::validate`]), for a server that wants the
    /// documented limits as a first check.
    pub fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        each_op!(self, op => op.validate(limits))
    }

    /// Whether the operation reads or writes ([`Operation::effect`]).
    pub fn effect(&self) -> Effect {
        each_op!(self, op => op.effect())
    }

    /// The vendor quota the operation draws from ([`Operation::quota`]).
    pub fn quota(&self) -> QuotaCost {
        each_op!(self, op => op.quota())
    }
}

/// The content type of every RongCloud reply.
pub const REPLY_CONTENT_TYPE: &str = "application/json; charset=utf-8";

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

#[derive(Serialize)]
struct SuccessEnvelope<'a, T: Serialize> {
    code: i64,
    #[serde(flatten)]
    payload: &'a T,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    code: i64,
    #[serde(rename = "errorMessage")]
    error_message: &'a str,
}

/// A success reply, HTTP 200: `{"code":200}` plus the payload's fields at the top level.
pub fn success_reply<T: Serialize>(
    payload: &T,
    request_id: Option<&str>,
) -> http::Response<Vec<u8>> {
    let body = serde_json::to_vec(&SuccessEnvelope { code: 200, payload })
        .unwrap_or_else(|_| br#"{"code":200}"#.to_vec());
    json_reply(200, body, request_id)
}

/// The success reply of operations without a payload: HTTP 200, `{"code":200}`.
pub(crate) fn code_only_reply(request_id: Option<&str>) -> http::Response<Vec<u8>> {
    #[derive(Serialize)]
    struct Empty {}
    success_reply(&Empty {}, request_id)
}

/// An error reply, `{"code":N,"errorMessage":"..."}` with the error's HTTP status (200, 401 or 429).
pub fn error_reply(error: &ApiError) -> http::Response<Vec<u8>> {
    let body = serde_json::to_vec(&ErrorEnvelope {
        code: error.code.code(),
        error_message: &error.message,
    })
    .unwrap_or_else(|_| br#"{"code":1000,"errorMessage":"internal error"}"#.to_vec());
    json_reply(error.http_status, body, error.request_id.as_deref())
}

pub(crate) fn json_reply(
    status: u16,
    body: Vec<u8>,
    request_id: Option<&str>,
) -> http::Response<Vec<u8>> {
    let mut reply = http::Response::new(body);
    *reply.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    reply.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(REPLY_CONTENT_TYPE),
    );
    if let Some(value) = request_id.and_then(|id| http::HeaderValue::from_str(id).ok()) {
        reply.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    reply
}

#[cfg(test)]
mod router_tests;

#[cfg(test)]
mod tests {
    use super::*;

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
