//! The RongCloud replies a server sends, in both dialects: success envelopes, error replies, and
//! each operation output's reply ([`ReplyEncoding`]). Re-exported by [`super::server`].

use serde::Serialize;

use super::Dialect;
use super::reply::REQUEST_ID_HEADER;
use crate::ApiError;

/// The content type of every RongCloud reply.
pub const REPLY_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The success reply of an operation's output in either dialect.
pub(crate) trait ReplyEncoding {
    /// HTTP 200 with the output in `dialect`'s envelope, echoing `request_id`.
    fn encode_reply(&self, dialect: Dialect, request_id: Option<&str>) -> http::Response<Vec<u8>>;
}

/// Legacy `{"code":200}`, v4 `{"code":0}`.
impl ReplyEncoding for () {
    fn encode_reply(&self, dialect: Dialect, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        #[derive(Serialize)]
        struct Empty {}
        match dialect {
            Dialect::Legacy => success_reply(&Empty {}, request_id),
            Dialect::V4 => v4_success_reply::<()>(None, request_id),
        }
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

#[derive(Serialize)]
struct V4SuccessEnvelope<'a, T: Serialize> {
    code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a T>,
}

/// A Nexconn v4 success reply, HTTP 200: `{"code":0}`, with `"result":...` when `result` is
/// given.
pub fn v4_success_reply<T: Serialize>(
    result: Option<&T>,
    request_id: Option<&str>,
) -> http::Response<Vec<u8>> {
    let body = serde_json::to_vec(&V4SuccessEnvelope { code: 0, result })
        .unwrap_or_else(|_| br#"{"code":0}"#.to_vec());
    json_reply(200, body, request_id)
}

/// An error reply of either dialect, `{"code":N,"errorMessage":"..."}` with the error's HTTP
/// status (legacy 200, 401 or 429; v4 uses statuses meaningfully: 400, 401, 403, 404, 429, 430,
/// 5xx); the request id is echoed in `X-Request-ID`.
pub fn error_reply(error: &ApiError) -> http::Response<Vec<u8>> {
    let body = serde_json::to_vec(&ErrorEnvelope {
        code: error.code.code(),
        error_message: &error.message,
    })
    .unwrap_or_else(|_| br#"{"code":1000,"errorMessage":"internal error"}"#.to_vec());
    json_reply(error.http_status, body, error.request_id.as_deref())
}

fn json_reply(status: u16, body: Vec<u8>, request_id: Option<&str>) -> http::Response<Vec<u8>> {
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
