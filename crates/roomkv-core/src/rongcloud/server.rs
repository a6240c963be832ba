//! The server's side of the legacy RongCloud API, for the emulator: authentication headers as
//! real clients send them, and replies exactly as RongCloud sends them.

use serde::Serialize;

use super::reply::REQUEST_ID_HEADER;
use crate::ApiError;

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

/// An error reply, `{"code":N,"errorMessage":"..."}` with the error's HTTP status (200, 401 or 429).
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
