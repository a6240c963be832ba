//! The server's side of the Nexconn v4 JSON dialect, for the emulator: a router from the v4
//! paths to decoded [`crate::rongcloud::v4`] operations, and replies in the v4 envelope
//! (`{"code":0,"result":{...}}`, errors `{"code":N,"errorMessage":"..."}`).
//!
//! Authentication headers are the same as legacy ([`super::AuthHeaders`]).
//!
//! ```
//! use roomkv_core::rongcloud::server::v4::{Request, success_reply};
//!
//! let body = br#"{"channelId":"room1","metadataOwnerId":"anchor","metadata":{"score":"42"},"shouldAutoDelete":1}"#;
//! let request = http::Request::post("/v4/open-channel/metadata/batch/set").body(&body[..])?;
//! let Some(Ok(Request::SetMetadata(op))) = Request::decode(&request) else { panic!() };
//! assert_eq!(op.owner().as_str(), "anchor");
//! assert_eq!(op.entries()[0].1.as_str(), "42");
//! assert!(op.is_auto_delete());
//! assert_eq!(success_reply::<()>(None, None).body().as_slice(), br#"{"code":0}"#);
//!
//! let legacy = http::Request::post("/chatroom/entry/set.json").body(&b""[..])?;
//! assert!(Request::decode(&legacy).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use super::json_reply;
use crate::rongcloud::v4::{
    DeleteMessageMetadata, GetMetadata, ListMessageMetadata, RemoveMetadata, SetMessageMetadata,
    SetMetadata,
};
use crate::{
    ApiError, DecodeError, Effect, Limits, Operation, QuotaCost, ServerOperation, ValidationError,
};

/// The path of every v4 operation roomkv implements, each the `PATH` of its operation type.
pub const PATHS: [&str; 6] = [
    SetMetadata::PATH,
    RemoveMetadata::PATH,
    GetMetadata::PATH,
    SetMessageMetadata::PATH,
    DeleteMessageMetadata::PATH,
    ListMessageMetadata::PATH,
];

/// The other documented path of [`SetMessageMetadata`] (one version of the Nexconn page),
/// routed to it as well.
pub const SET_MESSAGE_METADATA_ALT_PATH: &str = "/v4/message/metadata/set";

/// Whether [`Request::decode`] routes `path`: one of [`PATHS`] or
/// [`SET_MESSAGE_METADATA_ALT_PATH`]. A server asks this to send a request to the v4 dialect,
/// so that every path the decoder knows is reachable.
///
/// ```
/// use roomkv_core::rongcloud::server::v4::{SET_MESSAGE_METADATA_ALT_PATH, is_routed};
///
/// assert!(is_routed("/v4/channel-type/message/metadata/set"));
/// assert!(is_routed(SET_MESSAGE_METADATA_ALT_PATH));
/// assert!(!is_routed("/chatroom/entry/set.json"));
/// ```
pub fn is_routed(path: &str) -> bool {
    PATHS.contains(&path) || path == SET_MESSAGE_METADATA_ALT_PATH
}

/// A decoded v4 request: one variant per operation. Exhaustive on purpose, so an emulator that
/// matches on it stops compiling when an operation is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `/v4/open-channel/metadata/batch/set`.
    SetMetadata(SetMetadata),
    /// `/v4/open-channel/metadata/batch/remove`.
    RemoveMetadata(RemoveMetadata),
    /// `/v4/open-channel/metadata/batch/get`.
    GetMetadata(GetMetadata),
    /// `/v4/channel-type/message/metadata/set` (or `/v4/message/metadata/set`).
    SetMessageMetadata(SetMessageMetadata),
    /// `/v4/channel-type/message/metadata/delete`.
    DeleteMessageMetadata(DeleteMessageMetadata),
    /// `/v4/channel-type/message/metadata/list`.
    ListMessageMetadata(ListMessageMetadata),
}

/// Applies `$body` to the operation inside any [`Request`] variant.
macro_rules! each_op {
    ($request:expr, $op:ident => $body:expr) => {
        match $request {
            Request::SetMetadata($op) => $body,
            Request::RemoveMetadata($op) => $body,
            Request::GetMetadata($op) => $body,
            Request::SetMessageMetadata($op) => $body,
            Request::DeleteMessageMetadata($op) => $body,
            Request::ListMessageMetadata($op) => $body,
        }
    };
}

impl Request {
    /// Decodes `request` by its exact URI path.
    ///
    /// `None` when the path is not one of [`PATHS`] (or [`SET_MESSAGE_METADATA_ALT_PATH`]).
    /// Otherwise the operation's [`ServerOperation::decode`]: a body that is not a JSON object
    /// is an error without a field; a missing or malformed field is named by
    /// [`DecodeError::field_name`]. Method and `Content-Type` are not checked.
    pub fn decode(request: &http::Request<&[u8]>) -> Option<Result<Self, DecodeError>> {
        let decoded = match request.uri().path() {
            SetMetadata::PATH => SetMetadata::decode(request).map(Self::SetMetadata),
            RemoveMetadata::PATH => RemoveMetadata::decode(request).map(Self::RemoveMetadata),
            GetMetadata::PATH => GetMetadata::decode(request).map(Self::GetMetadata),
            SetMessageMetadata::PATH | SET_MESSAGE_METADATA_ALT_PATH => {
                SetMessageMetadata::decode(request).map(Self::SetMessageMetadata)
            }
            DeleteMessageMetadata::PATH => {
                DeleteMessageMetadata::decode(request).map(Self::DeleteMessageMetadata)
            }
            ListMessageMetadata::PATH => {
                ListMessageMetadata::decode(request).map(Self::ListMessageMetadata)
            }
            _ => return None,
        };
        Some(decoded)
    }

    /// The canonical request path of the operation (one of [`PATHS`]).
    pub fn path(&self) -> &'static str {
        match self {
            Self::SetMetadata(_) => SetMetadata::PATH,
            Self::RemoveMetadata(_) => RemoveMetadata::PATH,
            Self::GetMetadata(_) => GetMetadata::PATH,
            Self::SetMessageMetadata(_) => SetMessageMetadata::PATH,
            Self::DeleteMessageMetadata(_) => DeleteMessageMetadata::PATH,
            Self::ListMessageMetadata(_) => ListMessageMetadata::PATH,
        }
    }

    /// The operation's client-side rules ([`Operation::validate`]).
    pub fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        each_op!(self, op => op.validate(limits))
    }

    /// The vendor quota the operation draws from ([`Operation::quota`]).
    pub fn quota(&self) -> QuotaCost {
        each_op!(self, op => op.quota())
    }

    /// Whether the operation reads or writes ([`Operation::effect`]).
    pub fn effect(&self) -> Effect {
        each_op!(self, op => op.effect())
    }
}

#[derive(Serialize)]
struct SuccessEnvelope<'a, T: Serialize> {
    code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a T>,
}

/// A success reply, HTTP 200: `{"code":0}`, with `"result":...` when `result` is given.
pub fn success_reply<T: Serialize>(
    result: Option<&T>,
    request_id: Option<&str>,
) -> http::Response<Vec<u8>> {
    let body = serde_json::to_vec(&SuccessEnvelope { code: 0, result })
        .unwrap_or_else(|_| br#"{"code":0}"#.to_vec());
    json_reply(200, body, request_id)
}

/// An error reply, `{"code":N,"errorMessage":"..."}` with the error's HTTP status, which v4
/// uses meaningfully (400, 401, 403, 404, 429, 430, 5xx); the request id is echoed in
/// `X-Request-ID`. The same shape as the legacy [`super::error_reply`].
pub fn error_reply(error: &ApiError) -> http::Response<Vec<u8>> {
    super::error_reply(error)
}

#[cfg(test)]
mod tests;
