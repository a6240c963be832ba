//! The one request path every provider runs: wait for a slot in the vendor's quota (when a
//! [rate limiter](crate::limiter) is given), pick the host, build and sign the request afresh,
//! send it, report host failures, parse, classify, and retry by the [`safety`]
//! rules.
//!
//! Every attempt is admitted by the limiter before it is built, so a retry costs quota like the
//! first attempt, and the signature and timestamp are made after the wait, not before it. An
//! attempt the limiter refuses is not sent and ends the request with the limiter's error.
//!
//! The vendor parts are closures: `build` encodes and signs for the chosen host (a new nonce,
//! timestamp or `random` every attempt), `parse` reads the vendor's reply, `classify` maps the
//! provider's error to an [`AttemptOutcome`]. Transport failures are classified here, since
//! only transport knows whether a request may have been sent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::StatusCode;

use crate::limiter::{Charge, RateLimited, RateLimiter};
use crate::metrics::{Metered, RequestMeter};
use crate::retry::{self, RetryDecision, RetryPolicy, StopReason};
use crate::safety::{self, AttemptOutcome, RequestKind};
use crate::{
    HostChoice, HostSet, HttpClient, HttpRequest, HttpResponse, RandomSource, SharedHttpClient,
    TransportError,
};

/// What every request of a client shares.
#[derive(Debug, Clone, Copy)]
pub struct Pipeline<'a> {
    /// When to retry and how long to wait.
    pub policy: &'a RetryPolicy,
    /// The hosts and which one is active.
    pub hosts: &'a HostSet,
    /// Where requests are sent.
    pub http: &'a SharedHttpClient,
    /// Randomness for the backoff jitter.
    pub jitter: &'a dyn RandomSource,
    /// Statuses that are part of the vendor's protocol (business errors, 401, 429); any other
    /// non-2xx status, and every 5xx, makes the client switch hosts.
    pub expected_statuses: &'a [StatusCode],
    /// The quota every attempt of this request waits for, if any.
    pub admission: Option<Admission<'a>>,
}

/// What an attempt must be admitted for before it is built and sent.
#[derive(Debug, Clone, Copy)]
pub struct Admission<'a> {
    /// The limiter that admits it.
    pub limiter: &'a dyn RateLimiter,
    /// What one attempt costs.
    pub charges: &'a [Charge],
    /// The longest an attempt waits for its slot; a longer wait fails the request at once.
    pub max_wait: Duration,
}

/// How an attempt ended, before the provider's classification.
enum Ended {
    /// The server answered; the provider classifies the answer.
    Answered,
    /// Transport (or the build step) already knows the outcome.
    Outcome(AttemptOutcome),
    /// The rate limiter refused the attempt: it was not sent, and the request stops.
    NotAdmitted,
}

/// One attempt, as the `parse` closure sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptInfo {
    /// 1-based attempt number.
    pub number: u32,
    /// An earlier attempt of this request ended with an unknown outcome, so the server may
    /// already have applied it (a remove now answering "not found" has in fact succeeded).
    pub after_unknown: bool,
}

/// The result of [`Pipeline::execute`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Executed<T, E> {
    /// The last attempt's result.
    pub result: Result<T, E>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Some attempt ended with an unknown outcome and no later attempt settled it: a write may
    /// or may not have been applied.
    pub outcome_unknown: bool,
    /// Why the loop stopped.
    pub stop: StopReason,
}

impl Pipeline<'_> {
    /// Runs one request to completion.
    ///
    /// Every attempt first waits for its [`Admission`], if any. `build` is then called with the
    /// active host; `parse` turns the reply into the output or the provider's error; `classify`
    /// says what a provider error means for retrying. Transport errors become `E` through
    /// `From<TransportError>`, a refusal of the limiter through `From<RateLimited>`.
    pub async fn execute<T, E, B, P, C>(
        &self,
        kind: RequestKind,
        build: B,
        parse: P,
        classify: C,
    ) -> Executed<T, E>
    where
        E: From<TransportError> + From<RateLimited>,
        B: Fn(&HostChoice, u32) -> Result<HttpRequest, E>,
        P: Fn(HttpResponse, AttemptInfo) -> Result<T, E>,
        C: Fn(&E) -> AttemptOutcome,
    {
        self.execute_metered(kind, RequestMeter::default(), build, parse, classify)
            .await
    }

    /// [`execute`](Self::execute), recording the attempts' [metrics](crate::metrics) with
    /// `meter`'s labels (feature `metrics`; without it, or with [`RequestMeter::default`],
    /// nothing is recorded).
    pub async fn execute_metered<T, E, B, P, C>(
        &self,
        kind: RequestKind,
        meter: RequestMeter<'_>,
        build: B,
        parse: P,
        classify: C,
    ) -> Executed<T, E>
    where
        E: From<TransportError> + From<RateLimited>,
        B: Fn(&HostChoice, u32) -> Result<HttpRequest, E>,
        P: Fn(HttpResponse, AttemptInfo) -> Result<T, E>,
        C: Fn(&E) -> AttemptOutcome,
    {
        let metered = &Metered::new(meter);
        // An atomic, not a `Cell`: the closures hold a reference to it across `.await`, and the
        // future must stay `Send` for callers on multi-threaded runtimes.
        let after_unknown = AtomicBool::new(false);
        let parse = &parse;
        let build = &build;
        let done = retry::run_since(
            metered.started(),
            self.policy,
            self.jitter,
            |number| {
                let after_unknown = &after_unknown;
                async move {
                    metered.attempt_starts(number);
                    if let Some(admission) = &self.admission {
                        let waiting = metered.waiting();
                        let admitted = crate::limiter::admit(
                            admission.limiter,
                            admission.charges,
                            admission.max_wait,
                        )
                        .await;
                        metered.admitted(waiting, &admitted);
                        if let Err(refused) = admitted {
                            tracing::debug!(error = %refused, "attempt not admitted by the rate limiter");
                            return (Err(E::from(refused)), Ended::NotAdmitted);
                        }
                    }
                    let host = self.hosts.current();
                    let request = match build(&host, number) {
                        Ok(request) => request,
                        Err(err) => return (Err(err), Ended::Outcome(AttemptOutcome::Refused)),
                    };
                    let info = AttemptInfo {
                        number,
                        after_unknown: after_unknown.load(Ordering::Relaxed),
                    };
                    let sent = self.http.send(request).await;
                    metered.exchanged(&host);
                    match sent {
                        Ok(response) => {
                            if self.is_failover_status(response.status()) {
                                self.hosts.report_failure(&host);
                            }
                            (parse(response, info), Ended::Answered)
                        }
                        Err(err) => {
                            if err.is_timeout() || err.is_connect() {
                                self.hosts.report_failure(&host);
                            }
                            let outcome = if err.may_have_been_sent() {
                                // No answer: the request may still be on its way.
                                AttemptOutcome::Unsettled
                            } else {
                                AttemptOutcome::NotSent
                            };
                            (Err(E::from(err)), Ended::Outcome(outcome))
                        }
                    }
                }
            },
            |(result, ended): &(Result<T, E>, Ended)| {
                let outcome = match (result, ended) {
                    // Nothing was sent: an earlier unknown outcome stays unknown.
                    (_, Ended::NotAdmitted) => return RetryDecision::Done,
                    (_, Ended::Outcome(outcome)) => *outcome,
                    (Ok(_), Ended::Answered) => AttemptOutcome::Success,
                    (Err(err), Ended::Answered) => classify(err),
                };
                // An answer that is not "unknown" settles the earlier unknown only when it shows
                // the request was applied or provably not; "throttled" and "not sent" leave the
                // first attempt's fate as it was.
                match outcome {
                    AttemptOutcome::Unknown | AttemptOutcome::Unsettled => {
                        after_unknown.store(true, Ordering::Relaxed);
                    }
                    AttemptOutcome::Success | AttemptOutcome::Refused => {
                        after_unknown.store(false, Ordering::Relaxed);
                    }
                    AttemptOutcome::Throttled | AttemptOutcome::NotSent => {}
                }
                metered.attempt_ended(outcome);
                safety::decide(kind, outcome)
            },
        )
        .await;
        Executed {
            outcome_unknown: after_unknown.load(Ordering::Relaxed),
            result: done.output.0,
            attempts: done.attempts,
            stop: done.stop,
        }
    }

    fn is_failover_status(&self, status: StatusCode) -> bool {
        status.is_server_error()
            || !(status.is_success() || self.expected_statuses.contains(&status))
    }
}
