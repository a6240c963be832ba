//! The one request path every provider runs: pick the host, build and sign the request afresh,
//! send it, report host failures, parse, classify, and retry by the [`safety`](crate::safety)
//! rules.
//!
//! The vendor parts are closures: `build` encodes and signs for the chosen host (a new nonce,
//! timestamp or `random` every attempt), `parse` reads the vendor's reply, `classify` maps the
//! provider's error to an [`AttemptOutcome`]. Transport failures are classified here, since
//! only transport knows whether a request may have been sent.

use std::sync::atomic::{AtomicBool, Ordering};

use http::StatusCode;

use crate::retry::{self, RetryPolicy, StopReason};
use crate::safety::{self, AttemptOutcome, RequestKind};
use crate::{
    Endpoint, EndpointSet, HttpClient, HttpRequest, HttpResponse, NonceSource, SharedHttpClient,
    TransportError,
};

/// What every request of a client shares.
#[derive(Debug, Clone, Copy)]
pub struct Pipeline<'a> {
    /// When to retry and how long to wait.
    pub policy: &'a RetryPolicy,
    /// The hosts and which one is active.
    pub endpoints: &'a EndpointSet,
    /// Where requests are sent.
    pub http: &'a SharedHttpClient,
    /// Randomness for the backoff jitter.
    pub jitter: &'a dyn NonceSource,
    /// Statuses that are part of the vendor's protocol (business errors, 401, 429); any other
    /// non-2xx status, and every 5xx, makes the client switch hosts.
    pub expected_statuses: &'a [StatusCode],
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
    /// `build` is called for every attempt with the active host; `parse` turns the reply into
    /// the output or the provider's error; `classify` says what a provider error means for
    /// retrying. Transport errors become `E` through `From<TransportError>`.
    pub async fn execute<T, E, B, P, C>(
        &self,
        kind: RequestKind,
        mut build: B,
        parse: P,
        classify: C,
    ) -> Executed<T, E>
    where
        E: From<TransportError>,
        B: FnMut(&Endpoint, u32) -> Result<HttpRequest, E>,
        P: Fn(HttpResponse, AttemptInfo) -> Result<T, E>,
        C: Fn(&E) -> AttemptOutcome,
    {
        // An atomic, not a `Cell`: the closures hold a reference to it across `.await`, and the
        // future must stay `Send` for callers on multi-threaded runtimes.
        let after_unknown = AtomicBool::new(false);
        let parse = &parse;
        let done = retry::run(
            self.policy,
            self.jitter,
            |number| {
                let endpoint = self.endpoints.current();
                let request = build(&endpoint, number);
                let info = AttemptInfo {
                    number,
                    after_unknown: after_unknown.load(Ordering::Relaxed),
                };
                async move {
                    let request = match request {
                        Ok(request) => request,
                        Err(err) => return (Err(err), Some(AttemptOutcome::Refused)),
                    };
                    match self.http.send(request).await {
                        Ok(response) => {
                            if self.is_failover_status(response.status()) {
                                self.endpoints.report_failure(&endpoint);
                            }
                            (parse(response, info), None)
                        }
                        Err(err) => {
                            if err.is_timeout() || err.is_connect() {
                                self.endpoints.report_failure(&endpoint);
                            }
                            let outcome = if err.may_have_been_sent() {
                                AttemptOutcome::Unknown
                            } else {
                                AttemptOutcome::NotSent
                            };
                            (Err(E::from(err)), Some(outcome))
                        }
                    }
                }
            },
            |(result, transport_outcome): &(Result<T, E>, Option<AttemptOutcome>)| {
                let outcome = match (result, transport_outcome) {
                    (_, Some(outcome)) => *outcome,
                    (Ok(_), None) => AttemptOutcome::Success,
                    (Err(err), None) => classify(err),
                };
                // An answer that is not "unknown" settles the earlier unknown only when it shows
                // the request was applied or provably not; "throttled" and "not sent" leave the
                // first attempt's fate as it was.
                match outcome {
                    AttemptOutcome::Unknown => after_unknown.store(true, Ordering::Relaxed),
                    AttemptOutcome::Success | AttemptOutcome::Refused => {
                        after_unknown.store(false, Ordering::Relaxed);
                    }
                    AttemptOutcome::Throttled | AttemptOutcome::NotSent => {}
                }
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
