//! The legacy RongCloud reply envelope, client side: `{"code":200, ...payload}` on success,
//! `{"code":N,"errorMessage":"..."}` otherwise.

use serde::de::DeserializeOwned;

use crate::{ApiError, DecodeError, ResponseError, RongCloudCode};

/// The response header RongCloud echoes the request id in.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(serde::Deserialize)]
struct Envelope {
    code: i64,
    #[serde(rename = "errorMessage", default)]
    error_message: Option<String>,
}

/// Parses a legacy reply: the payload `T` on code 200, a typed error otherwise.
///
/// A 401 or 429 without a JSON body is still the documented signature (1004) or rate-limit (1008)
/// failure; any other status without a vendor body is [`ResponseError::UnexpectedStatus`].
pub(crate) fn parse<T: DeserializeOwned>(
    response: http::Response<&[u8]>,
) -> Result<T, ResponseError> {
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = *response.body();
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        Err(err) => {
            let code = match status {
                401 => RongCloudCode::SignatureError,
                429 => RongCloudCode::RateLimited,
                200..=299 => return Err(DecodeError::json("the RongCloud reply", err).into()),
                _ => return Err(ResponseError::UnexpectedStatus { status }),
            };
            let error = ApiError::rongcloud(code, format!("HTTP {status} without a body"), status);
            return Err(with_id(error, request_id).into());
        }
    };
    let code = RongCloudCode::from_code(envelope.code);
    if code != RongCloudCode::Success {
        let error = ApiError::rongcloud(code, envelope.error_message.unwrap_or_default(), status);
        return Err(with_id(error, request_id).into());
    }
    serde_json::from_slice(body)
        .map_err(|err| DecodeError::json("the RongCloud reply payload", err).into())
}

fn with_id(error: ApiError, request_id: Option<String>) -> ApiError {
    match request_id {
        Some(id) => error.with_request_id(id),
        None => error,
    }
}

/// The payload of replies that carry nothing but the code.
#[derive(serde::Deserialize)]
pub(crate) struct NoPayload {}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &'static str) -> http::Response<&'static [u8]> {
        http::Response::builder()
            .status(status)
            .header("x-request-id", "rid")
            .body(body.as_bytes())
            .unwrap()
    }

    #[test]
    fn success_and_documented_errors() {
        assert!(parse::<NoPayload>(reply(200, r#"{"code":200}"#)).is_ok());
        let Err(ResponseError::Api(err)) = parse::<NoPayload>(reply(
            200,
            r#"{"code":1002,"errorMessage":"Invalidate App-Key."}"#,
        )) else {
            panic!("expected an API error")
        };
        assert_eq!(
            err.code,
            crate::ApiCode::RongCloud(RongCloudCode::ParameterError)
        );
        assert_eq!(err.message, "Invalidate App-Key.");
        assert_eq!(err.request_id.as_deref(), Some("rid"));
    }

    #[test]
    fn bare_statuses() {
        let Err(ResponseError::Api(err)) = parse::<NoPayload>(reply(429, "")) else {
            panic!()
        };
        assert!(err.is_throttled());
        let Err(ResponseError::Api(err)) = parse::<NoPayload>(reply(401, "<html>")) else {
            panic!()
        };
        assert_eq!(err.code.code(), 1004);
        assert!(matches!(
            parse::<NoPayload>(reply(502, "<html>bad gateway</html>")),
            Err(ResponseError::UnexpectedStatus { status: 502 })
        ));
        assert!(matches!(
            parse::<NoPayload>(reply(200, "{")),
            Err(ResponseError::Decode(_))
        ));
    }
}
