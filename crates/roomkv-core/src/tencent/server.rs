//! The server's side of the Tencent API, for the emulator: the query-string authentication
//! parameters, the decoded [`Request`] and the [`Handler`] a server implements (generated from
//! the list of [`Command`]s), and replies exactly as Tencent sends them (always HTTP 200 with the
//! envelope).
//!
//! ```
//! use roomkv_core::tencent::server::{Request, command_of};
//! use roomkv_core::tencent::Command;
//!
//! let request = http::Request::post("/v4/live_engine_http_srv/del_room_metadata?sdkappid=1400000000")
//!     .body(&br#"{"RoomId":"live-room","Keys":["key1"]}"#[..])
//!     .unwrap();
//! let Some(Ok(Request::DelRoomMetadata(op))) = Request::decode(&request) else { panic!() };
//! assert_eq!(op.keys()[0].as_str(), "key1");
//! assert_eq!(command_of(request.uri().path()), Some(Command::DelRoomMetadata));
//!
//! // A body that is not a JSON object: an error without a field (Tencent's 60003); a missing
//! // or malformed field: an error naming it (100002). Unknown fields are ignored.
//! let not_json = http::Request::new(&b"RoomId=live-room"[..]);
//! assert_eq!(Request::decode_as(Command::DestroyRoom, &not_json).unwrap_err().field_name(), None);
//! let no_keys = http::Request::new(&br#"{"RoomId":"live-room"}"#[..]);
//! let err = Request::decode_as(Command::DelRoomMetadata, &no_keys).unwrap_err();
//! assert_eq!(err.field_name(), Some("Keys"));
//! ```

use serde::Serialize;

use super::Command;
use crate::ApiError;

/// The query parameters of a `live_engine_http_srv` request, percent-decoded (PHP and Go peers
/// send `*` in a UserSig as `%2A`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthQuery {
    /// `sdkappid`, as sent.
    pub sdkappid: Option<String>,
    /// `identifier`.
    pub identifier: Option<String>,
    /// `usersig`.
    pub usersig: Option<String>,
    /// `random`, as sent.
    pub random: Option<String>,
    /// `contenttype`.
    pub contenttype: Option<String>,
}

impl AuthQuery {
    /// Reads the parameters from a URI's query; the first of repeated parameters wins.
    pub fn from_uri(uri: &http::Uri) -> Self {
        let mut query = Self::default();
        for (name, value) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
            let slot = match name.as_ref() {
                "sdkappid" => &mut query.sdkappid,
                "identifier" => &mut query.identifier,
                "usersig" => &mut query.usersig,
                "random" => &mut query.random,
                "contenttype" => &mut query.contenttype,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        query
    }
}

pub use super::generated::{Handler, PATHS, Request};

/// The command a request path names, if it is a `live_engine_http_srv` command roomkv knows.
pub fn command_of(path: &str) -> Option<Command> {
    Command::from_path(path)
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    #[serde(rename = "ActionStatus")]
    action_status: &'a str,
    #[serde(rename = "ErrorInfo")]
    error_info: &'a str,
    #[serde(rename = "ErrorCode")]
    error_code: i64,
    #[serde(rename = "RequestId")]
    request_id: &'a str,
    #[serde(rename = "Response", skip_serializing_if = "Option::is_none")]
    response: Option<&'a T>,
}

/// A success reply; `response` is nested under `Response` when present.
pub fn success_reply<T: Serialize>(
    response: Option<&T>,
    request_id: &str,
) -> http::Response<Vec<u8>> {
    reply(&Envelope {
        action_status: "OK",
        error_info: "",
        error_code: 0,
        request_id,
        response,
    })
}

/// An error reply: HTTP 200, `ActionStatus` `FAIL`, the code and `ErrorInfo`.
pub fn error_reply(error: &ApiError, request_id: &str) -> http::Response<Vec<u8>> {
    reply::<()>(&Envelope {
        action_status: "FAIL",
        error_info: &error.message,
        error_code: error.code.code(),
        request_id,
        response: None,
    })
}

fn reply<T: Serialize>(envelope: &Envelope<'_, T>) -> http::Response<Vec<u8>> {
    let body = serde_json::to_vec(envelope).unwrap_or_else(|_| {
        br#"{"ActionStatus":"FAIL","ErrorInfo":"internal error","ErrorCode":100001,"RequestId":""}"#.to_vec()
    });
    let mut reply = http::Response::new(body);
    reply.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_percent_decoded() {
        let uri: http::Uri = "/v4/live_engine_http_srv/create_room?sdkappid=88888888&identifier=admin&usersig=eJy%2Aab_&random=99999999&contenttype=json"
            .parse()
            .unwrap();
        let q = AuthQuery::from_uri(&uri);
        assert_eq!(q.usersig.as_deref(), Some("eJy*ab_"));
        assert_eq!(q.sdkappid.as_deref(), Some("88888888"));
        assert_eq!(command_of(uri.path()), Some(Command::CreateRoom));
        assert_eq!(command_of("/v4/live_engine_http_srv/nope"), None);
    }

    #[test]
    fn error_reply_is_http_200_envelope() {
        let err = ApiError::tencent(crate::TencentCode::RoomNotFound, "room does not exist");
        let reply = error_reply(&err, "Id-x-O-Seq-1");
        assert_eq!(reply.status(), 200);
        assert_eq!(
            reply.body().as_slice(),
            br#"{"ActionStatus":"FAIL","ErrorInfo":"room does not exist","ErrorCode":100004,"RequestId":"Id-x-O-Seq-1"}"#
        );
    }
}
