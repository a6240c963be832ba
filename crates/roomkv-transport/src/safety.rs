//! Retry safety: which failed attempts may be sent again without losing or duplicating a write.
//!
//! The rules are vendor-neutral; providers reduce each attempt to an [`AttemptOutcome`] (using
//! their vendor's code classification) and each operation to a [`RequestKind`], and
//! [`decide`] answers:
//!
//! - a request the server provably did not act on (the connection failed before the request was
//!   sent, or the server answered "throttled, not processed") is retried, reads and writes alike;
//! - after a failure the server itself answered but whose effect is unknown (a transient vendor
//!   error), reads are retried, and writes only when the caller declared them repeatable (a set
//!   that repeats the same value, a remove that treats "already gone" as done), never a write
//!   that sends a notification, because a second send would duplicate it;
//! - after a failure that leaves the attempt *unsettled* (a timeout, a reset after sending, a
//!   gateway's status, a reply that is not the server's, a vendor's own timeout code), reads are
//!   retried and writes never: the first attempt may still be applied at any later moment (a
//!   *late landing*: held by a gateway, a queue or a slow backend), after the repeat and after
//!   any write the caller makes once the repeat is acknowledged, and would overwrite them with
//!   its older value. A repeat is safe only when nothing of an earlier attempt can still land;
//! - successes and final refusals end the loop.
//!
//! So a write that returns success leaves none of its attempts in flight, and a write that may
//! still land later is always reported as outcome-unknown.

use crate::RetryDecision;

/// What an attempt's request does, as far as retrying it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// Reads only.
    Read,
    /// Changes server state.
    Write {
        /// Sending it twice has the same effect as sending it once (and it sends no
        /// notification), so it may be repeated after an outcome-unknown failure.
        repeatable: bool,
    },
}

/// One attempt's result, reduced to what retry safety depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttemptOutcome {
    /// The server did what was asked.
    Success,
    /// The server refused for good; repeating the request gives the same answer.
    Refused,
    /// The server refused without acting because of a quota.
    Throttled,
    /// The request never left this process or never reached the server (connect failure).
    NotSent,
    /// The server answered a transient failure: it may or may not have acted, but it is done
    /// with the request, so nothing of it can happen later.
    Unknown,
    /// Nothing proves the server is done with the request: a timeout or reset after sending, a
    /// gateway's status, a reply that is not the server's, a vendor's timeout code. It may have
    /// acted, or may still act at any later moment.
    Unsettled,
}

impl AttemptOutcome {
    /// True when a failure leaves the caller unable to know whether a write was applied.
    pub fn is_outcome_unknown(self) -> bool {
        matches!(self, Self::Unknown | Self::Unsettled)
    }
}

/// Whether to retry an attempt of `kind` that ended with `outcome`.
///
/// ```
/// use roomkv_transport::safety::{decide, AttemptOutcome, RequestKind};
/// use roomkv_transport::RetryDecision;
///
/// let notifying_write = RequestKind::Write { repeatable: false };
/// let repeatable_write = RequestKind::Write { repeatable: true };
/// assert_eq!(decide(notifying_write, AttemptOutcome::NotSent), RetryDecision::Retry);
/// assert_eq!(decide(notifying_write, AttemptOutcome::Throttled), RetryDecision::RetryThrottled);
/// assert_eq!(decide(notifying_write, AttemptOutcome::Unknown), RetryDecision::Done);
/// assert_eq!(decide(repeatable_write, AttemptOutcome::Unknown), RetryDecision::Retry);
/// // A timed-out attempt may land after its repeat: never repeated.
/// assert_eq!(decide(repeatable_write, AttemptOutcome::Unsettled), RetryDecision::Done);
/// assert_eq!(decide(RequestKind::Read, AttemptOutcome::Unsettled), RetryDecision::Retry);
/// ```
pub fn decide(kind: RequestKind, outcome: AttemptOutcome) -> RetryDecision {
    match (outcome, kind) {
        (AttemptOutcome::Success | AttemptOutcome::Refused, _) => RetryDecision::Done,
        (AttemptOutcome::Throttled, _) => RetryDecision::RetryThrottled,
        (AttemptOutcome::NotSent, _) => RetryDecision::Retry,
        (AttemptOutcome::Unknown, RequestKind::Read | RequestKind::Write { repeatable: true })
        | (AttemptOutcome::Unsettled, RequestKind::Read) => RetryDecision::Retry,
        (AttemptOutcome::Unknown, RequestKind::Write { repeatable: false })
        | (AttemptOutcome::Unsettled, RequestKind::Write { .. }) => RetryDecision::Done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [RequestKind; 3] = [
        RequestKind::Read,
        RequestKind::Write { repeatable: true },
        RequestKind::Write { repeatable: false },
    ];

    #[test]
    fn provably_unprocessed_requests_are_retried_for_every_kind() {
        let expected = [
            (AttemptOutcome::NotSent, RetryDecision::Retry),
            (AttemptOutcome::Throttled, RetryDecision::RetryThrottled),
            (AttemptOutcome::Success, RetryDecision::Done),
            (AttemptOutcome::Refused, RetryDecision::Done),
        ];
        for kind in KINDS {
            for (outcome, decision) in expected {
                assert_eq!(decide(kind, outcome), decision, "{kind:?} {outcome:?}");
            }
        }
    }

    #[test]
    fn unknown_outcomes_are_retried_only_when_repeating_is_harmless() {
        assert_eq!(
            decide(RequestKind::Read, AttemptOutcome::Unknown),
            RetryDecision::Retry
        );
        assert_eq!(
            decide(
                RequestKind::Write { repeatable: true },
                AttemptOutcome::Unknown
            ),
            RetryDecision::Retry
        );
        assert_eq!(
            decide(
                RequestKind::Write { repeatable: false },
                AttemptOutcome::Unknown
            ),
            RetryDecision::Done
        );
        assert!(AttemptOutcome::Unknown.is_outcome_unknown());
        assert!(!AttemptOutcome::NotSent.is_outcome_unknown());
    }

    #[test]
    fn unsettled_attempts_are_retried_for_reads_only() {
        assert_eq!(
            decide(RequestKind::Read, AttemptOutcome::Unsettled),
            RetryDecision::Retry
        );
        for repeatable in [true, false] {
            assert_eq!(
                decide(RequestKind::Write { repeatable }, AttemptOutcome::Unsettled),
                RetryDecision::Done,
                "repeatable: {repeatable}"
            );
        }
        assert!(AttemptOutcome::Unsettled.is_outcome_unknown());
    }
}
