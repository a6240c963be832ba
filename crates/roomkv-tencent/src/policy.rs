//! Retry safety for Tencent: which attempts may be repeated, and what each failure means.
//!
//! The rules themselves are vendor-neutral ([`roomkv_transport::safety`]); this module maps
//! Tencent's answers onto them:
//!
//! | attempt ended with | outcome | read | write (default) | write ([`WriteRetry::RepeatIdempotent`]) |
//! |---|---|---|---|---|
//! | success (`ErrorCode` 0) | success | done | done | done |
//! | connection failed before sending | not sent | retry | retry | retry |
//! | 60007, 60011, 60018, 60019, 100012 | throttled | retry (longer backoff) | retry (longer backoff) | retry (longer backoff) |
//! | 70001 / 70052, the first time | not processed: renew the UserSig | retry | retry | retry |
//! | timeout or reset after sending | unknown | retry | **stop**, outcome unknown | retry |
//! | 60008, 60013, 60014, 70169, 70500, 100001 | unknown | retry | **stop**, outcome unknown | retry |
//! | HTTP status other than 200 without a Tencent reply (HTTP 429: throttled) | unknown | retry | **stop**, outcome unknown | retry |
//! | HTTP 200 whose body is not a Tencent reply | unknown | retry | **stop**, outcome unknown | retry |
//! | any other code | refused | done | done | done |
//!
//! A garbled reply counts as *unknown*: the server answered, so it may have acted, but we cannot
//! tell what it did. Tencent answers everything with HTTP 200, so any other status comes from a
//! gateway in front of it, and the client also switches to the backup host.

use roomkv_core::{CodeClass, Effect, ResponseError, TencentCode};
use roomkv_transport::safety::{AttemptOutcome, RequestKind};

/// Whether a write whose outcome is unknown is sent again.
///
/// Writes that provably were not processed (the connection failed before sending, or Tencent
/// answered with a frequency-limit code) are always retried. The question is only about writes
/// that may have been applied: a timeout or reset after sending, a transient Tencent error, a
/// gateway's 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WriteRetry {
    /// Stop, and report the failure with
    /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown). The default.
    #[default]
    OnlyUnprocessed,
    /// Send again every write that sends no notification. Every Tencent write of this crate
    /// qualifies: `set_room_metadata` is an upsert, and room events reach the app as webhooks,
    /// not room messages. A repeated write may then meet the effect of its own first attempt:
    /// `del_room_metadata` answering 100503 ("none of the keys exist") counts as done;
    /// `create_room` answering 100003 or `destroy_room` answering 100004 are reported as errors
    /// that are [`outcome-unknown`](crate::Error::is_outcome_unknown).
    RepeatIdempotent,
}

/// Whether requests are checked against [`Limits`](crate::Limits) before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Validation {
    /// Check every request; a request that breaks a limit fails with
    /// [`Error::Validation`](crate::Error::Validation) and nothing is sent. The default.
    #[default]
    Strict,
    /// Send requests unchecked and let Tencent judge them (for an app whose limits Tencent
    /// raised beyond what [`Limits`](crate::Limits) can express).
    Off,
}

/// What a request of this effect is, as far as retrying goes.
pub(crate) fn request_kind(effect: Effect, write_retry: WriteRetry) -> RequestKind {
    match effect {
        Effect::Read => RequestKind::Read,
        Effect::Write { notifies } => RequestKind::Write {
            repeatable: write_retry == WriteRetry::RepeatIdempotent && !notifies,
        },
    }
}

/// What Tencent's answer means for retrying (transport failures are classified by transport).
pub(crate) fn outcome(err: &ResponseError) -> AttemptOutcome {
    match err {
        ResponseError::Api(api) => match api.class() {
            CodeClass::Success => AttemptOutcome::Success,
            CodeClass::Throttled => AttemptOutcome::Throttled,
            CodeClass::Retryable => AttemptOutcome::Unknown,
            CodeClass::Final => AttemptOutcome::Refused,
        },
        ResponseError::UnexpectedStatus { status: 429 } => AttemptOutcome::Throttled,
        _ => AttemptOutcome::Unknown,
    }
}

/// Whether Tencent rejected the UserSig in a way a new one fixes: expired (70001) or
/// invalidated (70052).
pub(crate) fn usersig_rejected(code: TencentCode) -> bool {
    matches!(
        code,
        TencentCode::UserSigExpired | TencentCode::UserSigInvalidated
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomkv_core::{ApiError, DecodeError};

    fn api(code: i64) -> ResponseError {
        ResponseError::Api(ApiError::tencent(TencentCode::from_code(code), ""))
    }

    #[test]
    fn codes_map_to_outcomes() {
        for code in [60007, 60011, 60018, 60019, 100012] {
            assert_eq!(outcome(&api(code)), AttemptOutcome::Throttled, "{code}");
        }
        for code in [60008, 60013, 60014, 70169, 70500, 100001] {
            assert_eq!(outcome(&api(code)), AttemptOutcome::Unknown, "{code}");
        }
        for code in [100003, 100004, 100500, 100503, 60010, 70001, 424242] {
            assert_eq!(outcome(&api(code)), AttemptOutcome::Refused, "{code}");
        }
        let status = |status| ResponseError::UnexpectedStatus { status };
        assert_eq!(outcome(&status(502)), AttemptOutcome::Unknown);
        assert_eq!(outcome(&status(404)), AttemptOutcome::Unknown);
        assert_eq!(outcome(&status(429)), AttemptOutcome::Throttled);
        let garbled = ResponseError::Decode(DecodeError::new("x"));
        assert_eq!(outcome(&garbled), AttemptOutcome::Unknown);
    }

    #[test]
    fn only_the_opt_in_repeats_writes() {
        let write = Effect::Write { notifies: false };
        assert_eq!(
            request_kind(write, WriteRetry::OnlyUnprocessed),
            RequestKind::Write { repeatable: false }
        );
        assert_eq!(
            request_kind(write, WriteRetry::RepeatIdempotent),
            RequestKind::Write { repeatable: true }
        );
        assert_eq!(
            request_kind(
                Effect::Write { notifies: true },
                WriteRetry::RepeatIdempotent
            ),
            RequestKind::Write { repeatable: false }
        );
        assert_eq!(
            request_kind(Effect::Read, WriteRetry::OnlyUnprocessed),
            RequestKind::Read
        );
    }
}
