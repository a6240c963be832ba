//! The server's side of the Tencent API, for the emulator: the query-string authentication
//! parameters and replies exactly as Tencent sends them (always HTTP 200 with the envelope).

use serde::Serialize;

use super::{
    Command, CreateRoom, DelRoomMetadata, DestroyRoom, GetRoomInfo, GetRoomMetadata, RoomId,
    SetRoomMetadata,
};
use crate::{ApiError, DecodeError, ServerOperation};

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

/// The command a request path names, if it is a `live_engine_http_srv` command roomkv knows.
pub fn command_of(path: &str) -> Option<Command> {
    path.strip_prefix(super::SERVICE_PATH)
        .and_then(Command::from_name)
}

/// A decoded `live_engine_http_srv` request, one variant per [`Command`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// `create_room`.
    CreateRoom(CreateRoom),
    /// `destroy_room`.
    DestroyRoom(DestroyRoom),
    /// `get_room_info`.
    GetRoomInfo(GetRoomInfo),
    /// `get_room_metadata`.
    GetRoomMetadata(GetRoomMetadata),
    /// `set_room_metadata`.
    SetRoomMetadata(SetRoomMetadata),
    /// `del_room_metadata`.
    DelRoomMetadata(DelRoomMetadata),
}

impl Request {
    /// The command this request is.
    pub fn command(&self) -> Command {
        match self {
            Self::CreateRoom(_) => Command::CreateRoom,
            Self::DestroyRoom(_) => Command::DestroyRoom,
            Self::GetRoomInfo(_) => Command::GetRoomInfo,
            Self::GetRoomMetadata(_) => Command::GetRoomMetadata,
            Self::SetRoomMetadata(_) => Command::SetRoomMetadata,
            Self::DelRoomMetadata(_) => Command::DelRoomMetadata,
        }
    }

    /// The room the request is about; every command names one.
    pub fn room_id(&self) -> &RoomId {
        match self {
            Self::CreateRoom(op) => op.room_id(),
            Self::DestroyRoom(op) => op.room_id(),
            Self::GetRoomInfo(op) => op.room_id(),
            Self::GetRoomMetadata(op) => op.room_id(),
            Self::SetRoomMetadata(op) => op.room_id(),
            Self::DelRoomMetadata(op) => op.room_id(),
        }
    }
}

/// Decodes the body of `request` as `command` (found with [`command_of`] from the path; the query
/// is read separately with [`AuthQuery::from_uri`]).
///
/// A [`DecodeError`] without a field ([`DecodeError::field_name`] is `None`) means the body is
/// not a JSON object, Tencent's 60003; with a field, a field is missing or has the wrong type,
/// Tencent's 100002. Text is taken as sent (`non_validated`), so the server can apply the vendor's
/// own limits and codes; unknown fields are ignored.
///
/// ```
/// use roomkv_core::tencent::Command;
/// use roomkv_core::tencent::server::{Request, command_of, decode};
///
/// let request = http::Request::post("/v4/live_engine_http_srv/del_room_metadata?sdkappid=1400000000")
///     .body(&br#"{"RoomId":"live-room","Keys":["key1"]}"#[..])
///     .unwrap();
/// let command = command_of(request.uri().path()).unwrap();
/// let Request::DelRoomMetadata(op) = decode(command, &request).unwrap() else { panic!() };
/// assert_eq!(op.keys()[0].as_str(), "key1");
///
/// let not_json = http::Request::new(&b"RoomId=live-room"[..]);
/// assert_eq!(decode(Command::DestroyRoom, &not_json).unwrap_err().field_name(), None);
/// let no_keys = http::Request::new(&br#"{"RoomId":"live-room"}"#[..]);
/// assert_eq!(decode(Command::DelRoomMetadata, &no_keys).unwrap_err().field_name(), Some("Keys"));
/// ```
pub fn decode(command: Command, request: &http::Request<&[u8]>) -> Result<Request, DecodeError> {
    Ok(match command {
        Command::CreateRoom => Request::CreateRoom(CreateRoom::decode(request)?),
        Command::DestroyRoom => Request::DestroyRoom(DestroyRoom::decode(request)?),
        Command::GetRoomInfo => Request::GetRoomInfo(GetRoomInfo::decode(request)?),
        Command::GetRoomMetadata => Request::GetRoomMetadata(GetRoomMetadata::decode(request)?),
        Command::SetRoomMetadata => Request::SetRoomMetadata(SetRoomMetadata::decode(request)?),
        Command::DelRoomMetadata => Request::DelRoomMetadata(DelRoomMetadata::decode(request)?),
    })
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
