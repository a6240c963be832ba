//! What both verifiers check on any callback request: the method, unique query parameters, the
//! JSON content type, the replay window.

use std::time::{Duration, SystemTime};

use http::{Method, Request, header};

use crate::WebhookError;

/// The query parameters of a callback, decoded, each name kept once.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Checks that `request` is a `POST` and decodes its query string.
    pub(crate) fn of<B>(request: &Request<B>) -> Result<Self, WebhookError> {
        if request.method() != Method::POST {
            return Err(WebhookError::WrongMethod {
                method: request.method().to_string(),
            });
        }
        let query = request.uri().query().unwrap_or("");
        Ok(Self(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }

    /// The one value of `name` (`None` when absent), refusing repeats.
    pub(crate) fn optional(&self, name: &'static str) -> Result<Option<&str>, WebhookError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(WebhookError::DuplicateParameter { name });
        }
        Ok(first.map(String::as_str))
    }

    /// The one value of `name`.
    pub(crate) fn required(&self, name: &'static str) -> Result<&str, WebhookError> {
        self.optional(name)?
            .ok_or(WebhookError::MissingParameter { name })
    }
}

/// Checks that the body is declared as JSON (`application/json`, parameters such as `charset`
/// allowed, any case).
pub(crate) fn require_json<B>(request: &Request<B>) -> Result<(), WebhookError> {
    let found = request.headers().get(header::CONTENT_TYPE);
    let is_json = found
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(WebhookError::WrongContentType {
            found: found.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        })
    }
}

/// Parses a decimal timestamp parameter.
pub(crate) fn parse_u64(part: &'static str, value: &str) -> Result<u64, WebhookError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::malformed(part, "not a decimal number"));
    }
    value
        .parse()
        .map_err(|_| WebhookError::malformed(part, "number out of range"))
}

/// Checks that `sent` is within `window` of `now`, either side.
pub(crate) fn check_window(
    sent: SystemTime,
    now: SystemTime,
    window: Duration,
) -> Result<(), WebhookError> {
    let (skew, ahead) = match now.duration_since(sent) {
        Ok(behind) => (behind, false),
        Err(ahead) => (ahead.duration(), true),
    };
    if skew > window {
        Err(WebhookError::Stale {
            skew,
            ahead,
            window,
        })
    } else {
        Ok(())
    }
}

/// The time a timestamp of Unix seconds or milliseconds stands for.
pub(crate) fn unix_time(part: &'static str, amount: Duration) -> Result<SystemTime, WebhookError> {
    SystemTime::UNIX_EPOCH
        .checked_add(amount)
        .ok_or_else(|| WebhookError::malformed(part, "time out of range"))
}

/// Parses the body as JSON of `T`, after checking it is UTF-8.
pub(crate) fn json_body<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> Result<T, WebhookError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| WebhookError::malformed("body", format!("not UTF-8: {e}")))?;
    serde_json::from_str(text).map_err(|e| WebhookError::malformed("body", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_both_directions() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let w = Duration::from_secs(60);
        assert!(check_window(now - w, now, w).is_ok());
        assert!(check_window(now + w, now, w).is_ok());
        assert_eq!(
            check_window(now - Duration::from_secs(61), now, w),
            Err(WebhookError::Stale {
                skew: Duration::from_secs(61),
                ahead: false,
                window: w
            })
        );
        assert!(matches!(
            check_window(now + Duration::from_secs(61), now, w),
            Err(WebhookError::Stale { ahead: true, .. })
        ));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64("t", "0012"), Ok(12));
        for bad in ["", "-1", "+1", "1.5", " 1", "99999999999999999999999"] {
            assert!(parse_u64("t", bad).is_err(), "{bad:?}");
        }
    }
}
