//! The sentences that explain refusals to a person, for the request journal
//! ([`crate::journal`]): what the pipeline knows at the point of refusal, said plainly, and
//! never a secret or the expected signature.

use std::time::Duration;

use roomkv_core::ApiError;

use crate::auth::{StrictRejection, UserSigCheck, UserSigRejection, parse_timestamp};

/// The explanation of a refusal the pipeline did not explain more precisely: the code's meaning
/// and the answer's message (which names the field and the limit).
pub(crate) fn generic(error: &ApiError) -> String {
    format!("{}: {}", error.code.description(), error.message)
}

/// Why strict mode refused a request, for a person.
pub(crate) fn strict_explanation(
    rejection: &StrictRejection,
    nonce: &str,
    timestamp: &str,
    now: Duration,
) -> String {
    match rejection {
        StrictRejection::TimestampOutsideWindow { window_ms, .. } => {
            let sent = parse_timestamp(timestamp).unwrap_or_default();
            let window = window_ms / 1000;
            if sent <= now {
                let age = now.saturating_sub(sent).as_secs();
                format!("timestamp is {age} s old; --strict allows {window} s")
            } else {
                let ahead = sent.saturating_sub(now).as_secs();
                format!("timestamp is {ahead} s in the future; --strict allows {window} s")
            }
        }
        StrictRejection::NonceReplayed { window_ms } => format!(
            "Nonce `{nonce}` was already used within the last {} s; --strict refuses replays, \
             use a fresh Nonce for every request",
            window_ms / 1000
        ),
        other => format!("--strict refused the request: {other}"),
    }
}

/// Why a UserSig was refused, for a person: for an expired one, how long ago.
pub(crate) fn usersig_explanation(check: &UserSigCheck<'_>, rejection: UserSigRejection) -> String {
    use roomkv_sign::tencent::{SecretKey, VerifyError, verify};
    let key = SecretKey::new(check.secret_key.expose().as_bytes());
    let detail = verify(
        check.usersig,
        &key,
        check.sdkappid,
        check.identifier,
        check.now_unix_secs,
    );
    match (rejection, detail) {
        (UserSigRejection::Expired, Err(VerifyError::Expired { expired_at, now })) => format!(
            "UserSig expired {} s ago (TLS.time + TLS.expire = {expired_at}, now {now})",
            group_thousands(now.saturating_sub(expired_at))
        ),
        (UserSigRejection::SignatureMismatch, _) => "UserSig signature mismatch: the HMAC-SHA256 \
            does not verify with this app's secret key; check the key the UserSig was made with"
            .to_owned(),
        (_, Err(err)) => format!("UserSig refused: {err}"),
        (rejection, Ok(_)) => format!("UserSig refused by the authenticator: {rejection}"),
    }
}

/// `3605` as `3,605`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(3_605), "3,605");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_timestamp_ahead_of_the_clock_is_in_the_future() {
        let now = Duration::from_secs(1_700_000_000);
        let rejection = StrictRejection::TimestampOutsideWindow {
            skew_ms: 400_000,
            window_ms: 300_000,
        };
        assert_eq!(
            strict_explanation(&rejection, "n", "1700000400", now),
            "timestamp is 400 s in the future; --strict allows 300 s"
        );
    }
}
