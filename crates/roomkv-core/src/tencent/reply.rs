//! The Tencent reply envelope, client side: `{ActionStatus, ErrorInfo, ErrorCode, RequestId}` with
//! query results under `Response`.

use serde::de::DeserializeOwned;

use crate::{ApiError, DecodeError, ResponseError, TencentCode};

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(rename = "ActionStatus", default)]
    action_status: Option<String>,
    #[serde(rename = "ErrorCode", default)]
    error_code: Option<i64>,
    #[serde(rename = "ErrorInfo", default)]
    error_info: Option<String>,
    #[serde(rename = "RequestId", default)]
    request_id: Option<String>,
}

/// Parses an envelope. On success returns `T` read from the whole body (commands that return
/// data nest it under `Response`), otherwise a typed error carrying `RequestId`.
pub(crate) fn parse<T: DeserializeOwned>(
    response: http::Response<&[u8]>,
) -> Result<T, ResponseError> {
    let status = response.status().as_u16();
    let body = *response.body();
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(_) if status != 200 => return Err(ResponseError::UnexpectedStatus { status }),
        Err(err) => return Err(DecodeError::json("the Tencent reply", err).into()),
    };
    let code = match (envelope.error_code, envelope.action_status.as_deref()) {
        (Some(code), _) => code,
        (None, Some("OK")) => 0,
        (None, _) => {
            return Err(
                DecodeError::field("ErrorCode", "the Tencent reply has no ErrorCode").into(),
            );
        }
    };
    if code != 0 {
        let mut error = ApiError::tencent(
            TencentCode::from_code(code),
            envelope.error_info.unwrap_or_default(),
        );
        error.http_status = status;
        if let Some(id) = envelope.request_id {
            error = error.with_request_id(id);
        }
        return Err(error.into());
    }
    serde_json::from_slice(body)
        .map_err(|err| DecodeError::json("the Tencent reply payload", err).into())
}

/// The payload of replies that carry nothing but the envelope.
#[derive(serde::Deserialize)]
pub(crate) struct NoPayload {}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &'static str) -> http::Response<&'static [u8]> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes())
            .unwrap()
    }

    #[test]
    fn seed_reply_and_errors() {
        let ok = r#"{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720"}"#;
        assert!(parse::<NoPayload>(reply(200, ok)).is_ok());
        let fail = r#"{"ActionStatus":"FAIL","ErrorInfo":"none exist","ErrorCode":100503,"RequestId":"Id-1"}"#;
        let Err(ResponseError::Api(err)) = parse::<NoPayload>(reply(200, fail)) else {
            panic!()
        };
        assert_eq!(
            err.code,
            crate::ApiCode::Tencent(TencentCode::MetadataKeysNotFound)
        );
        assert_eq!(err.request_id.as_deref(), Some("Id-1"));
        assert!(matches!(
            parse::<NoPayload>(reply(502, "bad gateway")),
            Err(ResponseError::UnexpectedStatus { status: 502 })
        ));
    }
}
