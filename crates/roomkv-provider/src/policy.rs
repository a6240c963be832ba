//! Retry safety: which attempts may be repeated, and what each vendor answer means for that.
//!
//! The rules themselves are vendor-neutral ([`roomkv_transport::safety`]); this module maps
//! core's classification of vendor codes ([`CodeClass`]) onto them, the same for every vendor:
//!
//! | attempt ended with | outcome | read | write (default) | silent write ([`WriteRetry::RepeatIdempotent`]) |
//! |---|---|---|---|---|
//! | success | success | done | done | done |
//! | connection failed before sending | not sent | retry | retry | retry |
//! | HTTP 429 or a throttling code ([`CodeClass::Throttled`]) | throttled | retry (longer backoff) | retry (longer backoff) | retry (longer backoff) |
//! | a transient code ([`CodeClass::Retryable`]) | unknown | retry | **stop**, outcome unknown | retry |
//! | timeout or reset after sending | unsettled | retry | **stop**, outcome unknown | **stop**, outcome unknown |
//! | the vendor's own timeout code ([`CodeClass::TimedOut`]) | unsettled | retry | **stop**, outcome unknown | **stop**, outcome unknown |
//! | HTTP status without a vendor reply (a gateway's 502, …) | unsettled | retry | **stop**, outcome unknown | **stop**, outcome unknown |
//! | a body that is not a vendor reply | unsettled | retry | **stop**, outcome unknown | **stop**, outcome unknown |
//! | any other code ([`CodeClass::Final`]) | refused | done | done | done |
//!
//! A *silent* write sends no notification ([`Effect::Write`] with `notifies: false`); a write
//! that notifies is never repeated after an unknown outcome: a second send would post the
//! message twice.
//!
//! An *unsettled* attempt is one nothing proves the vendor is done with: it may be applied
//! later, at any moment (a *late landing*: a gateway or queue that held it, a backend that timed
//! out towards its front end but went on). Repeating it would not make the write safe: the
//! repeat is acknowledged, the caller goes on and writes a newer value, and the first attempt
//! lands and overwrites it with the older one. So no write is ever repeated after an unsettled
//! attempt; it ends with [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown), which
//! tells the caller that the write may still take effect later. A transient vendor code is
//! different: the vendor answered, so it is done with the request, and a repeat cannot be
//! overtaken by it.
//!
//! A garbled reply counts as *unsettled*: something answered, but not recognisably the vendor,
//! so nothing shows the vendor is done. Statuses the vendor does not use come from something in
//! front of it, and the client also switches to the backup host.

use roomkv_core::{CodeClass, Effect, ResponseError};
use roomkv_transport::safety::{AttemptOutcome, RequestKind};

/// Whether a write whose outcome is unknown is sent again.
///
/// Writes that provably were not processed (the connection failed before sending, or the
/// vendor answered "rate limited") are always retried. The question is only about writes that
/// may have been applied, and neither variant ever repeats one that may still be applied later
/// (a timeout or reset after sending, a gateway's status, a garbled reply, a vendor's timeout
/// code; see the [module documentation](self)). So with either variant:
///
/// - a write that returns `Ok` was applied, and none of its attempts can still be applied
///   later; acknowledged writes are never overwritten by an attempt of an earlier call that
///   returned `Ok`;
/// - a write that may still be applied later returns an error with
///   [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown). Its value can appear
///   at any later moment, over anything written since: a caller that needs the key to keep a
///   newer value must not write the key again until it knows (by its own means, such as a
///   time bound on the vendor's side) that the lost attempt can no longer land.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WriteRetry {
    /// Stop at the first attempt whose outcome is unknown, and report the failure with
    /// [`Error::is_outcome_unknown`](crate::Error::is_outcome_unknown). The default.
    #[default]
    OnlyUnprocessed,
    /// Send again a write that sends no notification when the vendor answered a transient error
    /// ([`CodeClass::Retryable`]): the vendor is done with that attempt, so the repeat cannot be
    /// overtaken by it. A repeated set writes the same value again; a repeated remove may meet
    /// the effect of its own first attempt, and an answer that shows so ("the data to delete
    /// does not exist") then counts as done (see
    /// [`Operation::settles_repeat`](roomkv_core::Operation::settles_repeat)). Other refusals
    /// of a repeat are reported as [outcome-unknown](crate::Error::is_outcome_unknown) errors.
    /// After an unsettled attempt (a timeout, a reset after sending, a gateway's status, a
    /// garbled reply, a vendor's timeout code) the write stops as with
    /// [`OnlyUnprocessed`](Self::OnlyUnprocessed). Writes that notify the room or the
    /// conversation are never repeated.
    RepeatIdempotent,
}

/// Whether requests are checked against [`Limits`](roomkv_core::Limits) before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Validation {
    /// Check every request; a request that breaks a limit fails with
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) and nothing is sent. The default.
    #[default]
    Strict,
    /// Send requests unchecked and let the vendor judge them (for an app whose limits the
    /// vendor raised beyond what [`Limits`](roomkv_core::Limits) can express).
    Off,
}

/// What a request of this effect is, as far as retrying goes.
pub fn request_kind(effect: Effect, write_retry: WriteRetry) -> RequestKind {
    match effect {
        Effect::Read => RequestKind::Read,
        Effect::Write { notifies } => RequestKind::Write {
            repeatable: write_retry == WriteRetry::RepeatIdempotent && !notifies,
        },
    }
}

/// What the vendor's answer means for retrying (transport failures are classified by
/// transport).
pub fn outcome(err: &ResponseError) -> AttemptOutcome {
    match err {
        ResponseError::Api(api) => match api.class() {
            // A success code inside an error (the v4 dialect's 0 on a legacy path) is not what
            // was asked for; repeating the request gives the same answer.
            CodeClass::Success | CodeClass::Final => AttemptOutcome::Refused,
            CodeClass::Throttled => AttemptOutcome::Throttled,
            CodeClass::Retryable => AttemptOutcome::Unknown,
            CodeClass::TimedOut => AttemptOutcome::Unsettled,
        },
        ResponseError::UnexpectedStatus { status: 429 } => AttemptOutcome::Throttled,
        _ => AttemptOutcome::Unsettled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomkv_core::{ApiError, DecodeError, RongCloudCode, TencentCode};

    fn rongcloud(code: i64, status: u16) -> ResponseError {
        ResponseError::Api(ApiError::rongcloud(
            RongCloudCode::from_code(code),
            "",
            status,
        ))
    }

    fn tencent(code: i64) -> ResponseError {
        ResponseError::Api(ApiError::tencent(TencentCode::from_code(code), ""))
    }

    #[test]
    fn rongcloud_codes_map_to_outcomes() {
        assert_eq!(outcome(&rongcloud(1008, 429)), AttemptOutcome::Throttled);
        assert_eq!(outcome(&rongcloud(1008, 200)), AttemptOutcome::Throttled);
        assert_eq!(outcome(&rongcloud(4242, 429)), AttemptOutcome::Throttled);
        assert_eq!(outcome(&rongcloud(1000, 200)), AttemptOutcome::Unknown);
        assert_eq!(outcome(&rongcloud(1050, 200)), AttemptOutcome::Unsettled);
        for code in [1002, 1004, 1009, 1015, 1508, 0, 424_242] {
            assert_eq!(
                outcome(&rongcloud(code, 200)),
                AttemptOutcome::Refused,
                "{code}"
            );
        }
    }

    #[test]
    fn tencent_codes_map_to_outcomes() {
        for code in [60007, 60011, 60018, 60019, 100012] {
            assert_eq!(outcome(&tencent(code)), AttemptOutcome::Throttled, "{code}");
        }
        for code in [60013, 70500, 100001] {
            assert_eq!(outcome(&tencent(code)), AttemptOutcome::Unknown, "{code}");
        }
        for code in [60008, 60014, 70169] {
            assert_eq!(outcome(&tencent(code)), AttemptOutcome::Unsettled, "{code}");
        }
        for code in [100003, 100004, 100500, 100503, 60010, 70001, 424242] {
            assert_eq!(outcome(&tencent(code)), AttemptOutcome::Refused, "{code}");
        }
    }

    #[test]
    fn answers_without_a_code_map_to_outcomes() {
        let status = |status| ResponseError::UnexpectedStatus { status };
        assert_eq!(outcome(&status(502)), AttemptOutcome::Unsettled);
        assert_eq!(outcome(&status(404)), AttemptOutcome::Unsettled);
        assert_eq!(outcome(&status(429)), AttemptOutcome::Throttled);
        let garbled = ResponseError::Decode(DecodeError::new("x"));
        assert_eq!(outcome(&garbled), AttemptOutcome::Unsettled);
    }

    #[test]
    fn only_the_opt_in_repeats_writes_and_never_notifying_ones() {
        let silent = Effect::Write { notifies: false };
        let notifying = Effect::Write { notifies: true };
        assert_eq!(
            request_kind(silent, WriteRetry::OnlyUnprocessed),
            RequestKind::Write { repeatable: false }
        );
        assert_eq!(
            request_kind(silent, WriteRetry::RepeatIdempotent),
            RequestKind::Write { repeatable: true }
        );
        assert_eq!(
            request_kind(notifying, WriteRetry::RepeatIdempotent),
            RequestKind::Write { repeatable: false }
        );
        assert_eq!(
            request_kind(Effect::Read, WriteRetry::OnlyUnprocessed),
            RequestKind::Read
        );
    }
}
