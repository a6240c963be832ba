//! The RongCloud reply envelopes, client side. Legacy: `{"code":200, ...payload}` on success;
//! Nexconn v4: `{"code":0,"result":{...}}`. Errors are `{"code":N,"errorMessage":"..."}` in
//! both.

use serde::de::DeserializeOwned;

use super::Dialect;
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
    let body = *response.body();
    parse_envelope(response, Dialect::Legacy)?;
    serde_json::from_slice(body)
        .map_err(|err| DecodeError::json("the RongCloud reply payload", err).into())
}

/// Parses a Nexconn v4 reply: the payload `T` from `result` on code 0 (an absent or `null`
/// `result` is `T::default()`), a typed error otherwise.
///
/// v4 gives HTTP statuses a meaning (`docs/vendors/rongcloud.md#conventions`), so an answer without a vendor code
/// (no JSON body, or JSON without `code`) is still typed by its status: 400 parameter error
/// (1002), 401 signature error (1004), 403 method restricted (1007), 404 endpoint not found
/// (404, the Nexconn business code), 429 rate limited (1008), 430 service not enabled (1009).
/// Any other status without a vendor code (a gateway's 502 page, a bare 500 or 504) is
/// [`ResponseError::UnexpectedStatus`]. A JSON `code` always wins over the status.
pub(crate) fn parse_v4<T: DeserializeOwned + Default>(
    response: http::Response<&[u8]>,
) -> Result<T, ResponseError> {
    #[derive(serde::Deserialize)]
    #[serde(bound = "T: DeserializeOwned")]
    struct WithResult<T> {
        #[serde(default = "Option::default")]
        result: Option<T>,
    }

    let body = *response.body();
    parse_envelope(response, Dialect::V4)?;
    serde_json::from_slice::<WithResult<T>>(body)
        .map(|reply| reply.result.unwrap_or_default())
        .map_err(|err| DecodeError::json("the Nexconn v4 reply result", err).into())
}

/// Parses a reply that carries nothing but the code, in `dialect`.
pub(crate) fn parse_unit(
    dialect: Dialect,
    response: http::Response<&[u8]>,
) -> Result<(), ResponseError> {
    match dialect {
        Dialect::Legacy => parse::<NoPayload>(response).map(drop),
        Dialect::V4 => parse_v4::<NoPayload>(response).map(drop),
    }
}

/// The envelope check both dialects share: `Ok` on the dialect's success code, the typed error
/// otherwise.
fn parse_envelope(response: http::Response<&[u8]>, dialect: Dialect) -> Result<(), ResponseError> {
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = *response.body();
    let (success, vendor) = match dialect {
        Dialect::Legacy => (RongCloudCode::Success, "the RongCloud reply"),
        Dialect::V4 => (RongCloudCode::SuccessV4, "the Nexconn v4 reply"),
    };
    let envelope = serde_json::from_slice::<Envelope>(body);
    let envelope = match (envelope, dialect) {
        // v4: a code 0 sent with an error status is no success; the status decides.
        (Ok(envelope), Dialect::V4)
            if envelope.code == success.code() && !(200..=299).contains(&status) =>
        {
            None
        }
        (Ok(envelope), _) => Some(envelope),
        (Err(err), _) if (200..=299).contains(&status) => {
            return Err(DecodeError::json(vendor, err).into());
        }
        (Err(_), _) => None,
    };
    let Some(envelope) = envelope else {
        let code = match (status, dialect) {
            (401, _) => RongCloudCode::SignatureError,
            (429, _) => RongCloudCode::RateLimited,
            (400, Dialect::V4) => RongCloudCode::ParameterError,
            (403, Dialect::V4) => RongCloudCode::MethodRestricted,
            (404, Dialect::V4) => RongCloudCode::EndpointNotFound,
            (430, Dialect::V4) => RongCloudCode::ServiceNotEnabled,
            _ => return Err(ResponseError::UnexpectedStatus { status }),
        };
        let error = ApiError::rongcloud(code, format!("HTTP {status} without a body"), status);
        return Err(with_id(error, request_id).into());
    };
    let code = RongCloudCode::from_code(envelope.code);
    if code != success {
        let error = ApiError::rongcloud(code, envelope.error_message.unwrap_or_default(), status);
        return Err(with_id(error, request_id).into());
    }
    Ok(())
}

fn with_id(error: ApiError, request_id: Option<String>) -> ApiError {
    match request_id {
        Some(id) => error.with_request_id(id),
        None => error,
    }
}

/// The payload of replies that carry nothing but the code.
#[derive(serde::Deserialize, Default)]
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
