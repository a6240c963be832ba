//! The server's side of the RongCloud API in both dialects, for the emulator: authentication
//! headers as real clients send them, one table of every served path ([`ROUTES`]) from which
//! [`Request::decode`] builds the operation and says which dialect it came in, a dispatch to a
//! [`Handler`] with one method per operation, and replies exactly as RongCloud (or Nexconn v4)
//! sends them.
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

use super::reply::REQUEST_ID_HEADER;
pub(crate) use super::reply_encoding::ReplyEncoding;
pub use super::reply_encoding::{REPLY_CONTENT_TYPE, error_reply, success_reply, v4_success_reply};
use super::{
    BatchRemoveEntries, BatchSetEntries, DeleteExpansion, Dialect, QueryEntries, QueryExpansion,
    RemoveEntry, RongCloudOperation, SetEntry, SetExpansion,
};
use crate::{DecodeError, Effect, Limits, Operation, QuotaCost, ServerOperation, ValidationError};

/// One served path: the dialect it belongs to and the operation it decodes to.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The exact URI path.
    pub path: &'static str,
    /// The dialect of the path (and of its replies).
    pub dialect: Dialect,
    /// The operation's name ([`Operation::NAME`]).
    pub operation: &'static str,
    decode: fn(&http::Request<&[u8]>) -> Result<Request, DecodeError>,
}

/// Every path roomkv serves, legacy then v4, each the path of its operation type in its dialect
/// ([`RongCloudOperation::path`]), plus the alternate v4 path of [`SetExpansion`]. v4 has no
/// single-key set or remove: its batch paths decode to [`BatchSetEntries`] and
/// [`BatchRemoveEntries`].
pub const ROUTES: [Route; 15] = [
    Route {
        path: SetEntry::PATH,
        dialect: Dialect::Legacy,
        operation: SetEntry::NAME,
        decode: |r| SetEntry::decode(r).map(Request::SetEntry),
    },
    Route {
        path: BatchSetEntries::PATH,
        dialect: Dialect::Legacy,
        operation: BatchSetEntries::NAME,
        decode: |r| BatchSetEntries::decode(r).map(Request::BatchSetEntries),
    },
    Route {
        path: RemoveEntry::PATH,
        dialect: Dialect::Legacy,
        operation: RemoveEntry::NAME,
        decode: |r| RemoveEntry::decode(r).map(Request::RemoveEntry),
    },
    Route {
        path: BatchRemoveEntries::PATH,
        dialect: Dialect::Legacy,
        operation: BatchRemoveEntries::NAME,
        decode: |r| BatchRemoveEntries::decode(r).map(Request::BatchRemoveEntries),
    },
    Route {
        path: QueryEntries::PATH,
        dialect: Dialect::Legacy,
        operation: QueryEntries::NAME,
        decode: |r| QueryEntries::decode(r).map(Request::QueryEntries),
    },
    Route {
        path: SetExpansion::PATH,
        dialect: Dialect::Legacy,
        operation: SetExpansion::NAME,
        decode: |r| SetExpansion::decode(r).map(Request::SetExpansion),
    },
    Route {
        path: DeleteExpansion::PATH,
        dialect: Dialect::Legacy,
        operation: DeleteExpansion::NAME,
        decode: |r| DeleteExpansion::decode(r).map(Request::DeleteExpansion),
    },
    Route {
        path: QueryExpansion::PATH,
        dialect: Dialect::Legacy,
        operation: QueryExpansion::NAME,
        decode: |r| QueryExpansion::decode(r).map(Request::QueryExpansion),
    },
    Route {
        path: BatchSetEntries::V4_PATH,
        dialect: Dialect::V4,
        operation: BatchSetEntries::NAME,
        decode: |r| BatchSetEntries::decode_v4(r).map(Request::BatchSetEntries),
    },
    Route {
        path: BatchRemoveEntries::V4_PATH,
        dialect: Dialect::V4,
        operation: BatchRemoveEntries::NAME,
        decode: |r| BatchRemoveEntries::decode_v4(r).map(Request::BatchRemoveEntries),
    },
    Route {
        path: QueryEntries::V4_PATH,
        dialect: Dialect::V4,
        operation: QueryEntries::NAME,
        decode: |r| QueryEntries::decode_v4(r).map(Request::QueryEntries),
    },
    Route {
        path: SetExpansion::V4_PATH,
        dialect: Dialect::V4,
        operation: SetExpansion::NAME,
        decode: |r| SetExpansion::decode_v4(r).map(Request::SetExpansion),
    },
    Route {
        path: SetExpansion::V4_ALT_PATH,
        dialect: Dialect::V4,
        operation: SetExpansion::NAME,
        decode: |r| SetExpansion::decode_v4(r).map(Request::SetExpansion),
    },
    Route {
        path: DeleteExpansion::V4_PATH,
        dialect: Dialect::V4,
        operation: DeleteExpansion::NAME,
        decode: |r| DeleteExpansion::decode_v4(r).map(Request::DeleteExpansion),
    },
    Route {
        path: QueryExpansion::V4_PATH,
        dialect: Dialect::V4,
        operation: QueryExpansion::NAME,
        decode: |r| QueryExpansion::decode_v4(r).map(Request::QueryExpansion),
    },
];

/// A decoded request of either dialect: one variant per operation. Exhaustive on purpose, so a
/// server that matches on it (or implements [`Handler`]) stops compiling when an operation is
/// added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// [`SetEntry`].
    SetEntry(SetEntry),
    /// [`BatchSetEntries`] (and a v4 batch set, of any size).
    BatchSetEntries(BatchSetEntries),
    /// [`RemoveEntry`].
    RemoveEntry(RemoveEntry),
    /// [`BatchRemoveEntries`] (and a v4 batch remove, of any size).
    BatchRemoveEntries(BatchRemoveEntries),
    /// [`QueryEntries`].
    QueryEntries(QueryEntries),
    /// [`SetExpansion`].
    SetExpansion(SetExpansion),
    /// [`DeleteExpansion`].
    DeleteExpansion(DeleteExpansion),
    /// [`QueryExpansion`].
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

/// What serves RongCloud operations: one method per operation, taking core's operation and
/// returning its [`Operation::Output`]. [`Request::dispatch`] calls the method of the request's
/// operation and encodes the output as the reply of the request's dialect.
pub trait Handler {
    /// Why an operation was refused.
    type Error;

    /// Serves a [`SetEntry`].
    fn set_entry(&self, op: &SetEntry) -> Result<(), Self::Error>;
    /// Serves a [`BatchSetEntries`].
    fn batch_set_entries(&self, op: &BatchSetEntries) -> Result<(), Self::Error>;
    /// Serves a [`RemoveEntry`].
    fn remove_entry(&self, op: &RemoveEntry) -> Result<(), Self::Error>;
    /// Serves a [`BatchRemoveEntries`].
    fn batch_remove_entries(&self, op: &BatchRemoveEntries) -> Result<(), Self::Error>;
    /// Serves a [`QueryEntries`].
    fn query_entries(
        &self,
        op: &QueryEntries,
    ) -> Result<<QueryEntries as Operation>::Output, Self::Error>;
    /// Serves a [`SetExpansion`].
    fn set_expansion(&self, op: &SetExpansion) -> Result<(), Self::Error>;
    /// Serves a [`DeleteExpansion`].
    fn delete_expansion(&self, op: &DeleteExpansion) -> Result<(), Self::Error>;
    /// Serves a [`QueryExpansion`].
    fn query_expansion(
        &self,
        op: &QueryExpansion,
    ) -> Result<<QueryExpansion as Operation>::Output, Self::Error>;
}

impl Request {
    /// The route of `path` in [`ROUTES`], if it is served.
    pub fn route(path: &str) -> Option<&'static Route> {
        ROUTES.iter().find(|route| route.path == path)
    }

    /// Decodes `request` by its exact URI path, with the dialect of that path.
    ///
    /// `None` when the path is not in [`ROUTES`] (a Tencent path, the emulator's own
    /// `/_emulator/...`). Otherwise the dialect and the operation's decoder: legacy fields as
    /// sent ([`ServerOperation::decode`]); v4 members as strict as Nexconn's generated models
    /// (a body that is not a JSON object is an error without a field). A missing or malformed
    /// field is named by [`DecodeError::field_name`]. The method and the `Content-Type` are not
    /// checked: RongCloud documents `POST` but not what it answers to anything else, so that
    /// choice is the server's.
    pub fn decode(request: &http::Request<&[u8]>) -> Option<(Dialect, Result<Self, DecodeError>)> {
        let route = Self::route(request.uri().path())?;
        Some((route.dialect, (route.decode)(request)))
    }

    /// The operation's name ([`Operation::NAME`]).
    pub fn name(&self) -> &'static str {
        fn name_of<O: Operation>(_: &O) -> &'static str {
            O::NAME
        }
        each_op!(self, op => name_of(op))
    }

    /// The request path of the operation in `dialect` (for [`SetExpansion`] in v4, the
    /// canonical path, not the alternate one).
    pub fn path(&self, dialect: Dialect) -> &'static str {
        fn path_of<O: RongCloudOperation>(_: &O, dialect: Dialect) -> &'static str {
            O::path(dialect)
        }
        each_op!(self, op => path_of(op, dialect))
    }

    /// The operation's client-side rules in `dialect`
    /// ([`RongCloudOperation::validate_in`]), for a server that wants the documented limits
    /// as a first check.
    pub fn validate(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        each_op!(self, op => op.validate_in(dialect, limits))
    }

    /// Whether the operation reads or writes ([`Operation::effect`]).
    pub fn effect(&self) -> Effect {
        each_op!(self, op => op.effect())
    }

    /// The vendor quota the operation draws from ([`Operation::quota`]).
    pub fn quota(&self) -> QuotaCost {
        each_op!(self, op => op.quota())
    }

    /// Serves the operation with `handler` and encodes its output as the success reply of
    /// `dialect`, echoing `request_id` in `X-Request-ID`.
    pub fn dispatch<H: Handler>(
        &self,
        handler: &H,
        dialect: Dialect,
        request_id: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, H::Error> {
        let reply = |output: &dyn ReplyEncoding| output.encode_reply(dialect, request_id);
        Ok(match self {
            Self::SetEntry(op) => reply(&handler.set_entry(op)?),
            Self::BatchSetEntries(op) => reply(&handler.batch_set_entries(op)?),
            Self::RemoveEntry(op) => reply(&handler.remove_entry(op)?),
            Self::BatchRemoveEntries(op) => reply(&handler.batch_remove_entries(op)?),
            Self::QueryEntries(op) => reply(&handler.query_entries(op)?),
            Self::SetExpansion(op) => reply(&handler.set_expansion(op)?),
            Self::DeleteExpansion(op) => reply(&handler.delete_expansion(op)?),
            Self::QueryExpansion(op) => reply(&handler.query_expansion(op)?),
        })
    }
}

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
