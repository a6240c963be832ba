//! The provider request path: retries follow the safety rules, failover is reported, every
//! attempt is built afresh.

use std::cell::RefCell;
use std::time::Duration;

use roomkv_transport::limiter::{Charge, LocalLimiter, RateLimited};
use roomkv_transport::pipeline::{Admission, AttemptInfo, Pipeline};
use roomkv_transport::retry::RetryPolicy;
use roomkv_transport::safety::{AttemptOutcome, RequestKind};
use roomkv_transport::test_util::{CaptureClient, FixedRandom, response};
use roomkv_transport::{HostSet, HttpRequest, HttpResponse, SharedHttpClient, TransportError};

/// A provider-like error: transport failures and vendor answers by status.
#[derive(Debug)]
enum TestError {
    Transport(TransportError),
    Status(u16),
    Limited(RateLimited),
}

impl From<RateLimited> for TestError {
    fn from(err: RateLimited) -> Self {
        Self::Limited(err)
    }
}

impl From<TransportError> for TestError {
    fn from(err: TransportError) -> Self {
        Self::Transport(err)
    }
}

fn classify(err: &TestError) -> AttemptOutcome {
    match err {
        TestError::Status(429) => AttemptOutcome::Throttled,
        TestError::Status(404) => AttemptOutcome::Refused,
        _ => AttemptOutcome::Unknown,
    }
}

struct Harness {
    policy: RetryPolicy,
    hosts: HostSet,
    capture: CaptureClient,
    http: SharedHttpClient,
    jitter: FixedRandom,
}

impl Harness {
    fn new() -> Self {
        let capture = CaptureClient::new();
        Self {
            policy: RetryPolicy::default().with_max_attempts(4),
            hosts: HostSet::new(["https://primary.example", "https://backup.example"]).unwrap(),
            http: SharedHttpClient::new(capture.clone()),
            capture,
            jitter: FixedRandom(0),
        }
    }

    async fn run(
        &self,
        kind: RequestKind,
    ) -> (Result<u16, TestError>, u32, bool, Vec<AttemptInfo>) {
        self.run_admitted(kind, None).await
    }

    async fn run_admitted(
        &self,
        kind: RequestKind,
        admission: Option<Admission<'_>>,
    ) -> (Result<u16, TestError>, u32, bool, Vec<AttemptInfo>) {
        let infos = RefCell::new(Vec::new());
        let pipeline = Pipeline {
            policy: &self.policy,
            hosts: &self.hosts,
            http: &self.http,
            jitter: &self.jitter,
            expected_statuses: &[
                http::StatusCode::TOO_MANY_REQUESTS,
                http::StatusCode::NOT_FOUND,
            ],
            admission,
        };
        let done = pipeline
            .execute(
                kind,
                |host, number| -> Result<HttpRequest, TestError> {
                    let uri = format!("{}op?attempt={number}", host.base());
                    Ok(http::Request::post(uri).body(Vec::new()).unwrap())
                },
                |reply: HttpResponse, info| {
                    infos.borrow_mut().push(info);
                    match reply.status().as_u16() {
                        200 => Ok(200),
                        other => Err(TestError::Status(other)),
                    }
                },
                classify,
            )
            .await;
        (
            done.result,
            done.attempts,
            done.outcome_unknown,
            infos.into_inner(),
        )
    }

    fn hosts_used(&self) -> Vec<String> {
        self.capture
            .requests()
            .iter()
            .map(|r| r.uri().host().unwrap().to_owned())
            .collect()
    }
}

const NOTIFYING_WRITE: RequestKind = RequestKind::Write { repeatable: false };

#[tokio::test(start_paused = true)]
async fn a_lost_reply_on_a_notifying_write_is_not_retried_and_reported_unknown() {
    let h = Harness::new();
    h.capture.push_error(TransportError::timeout(None));
    let (result, attempts, unknown, _) = h.run(NOTIFYING_WRITE).await;
    assert!(matches!(result, Err(TestError::Transport(ref e)) if e.is_timeout()));
    assert_eq!(attempts, 1);
    assert!(unknown);
    assert_eq!(h.capture.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn reads_are_retried_after_an_unknown_outcome_on_the_backup_host() {
    let h = Harness::new();
    h.capture
        .push_error(TransportError::timeout(None))
        .push_response(response(200, "ok"));
    let (result, attempts, unknown, _) = h.run(RequestKind::Read).await;
    assert_eq!(result.unwrap(), 200);
    assert_eq!(attempts, 2);
    assert!(!unknown, "a later success settles the read");
    assert_eq!(h.hosts_used(), ["primary.example", "backup.example"]);
}

#[tokio::test(start_paused = true)]
async fn a_write_that_never_left_is_retried_and_each_attempt_is_built_afresh() {
    let h = Harness::new();
    h.capture
        .push_error(TransportError::connect("refused"))
        .push_response(response(200, "ok"));
    let (result, attempts, unknown, _) = h.run(NOTIFYING_WRITE).await;
    assert_eq!(result.unwrap(), 200);
    assert_eq!(attempts, 2);
    assert!(!unknown);
    let queries: Vec<String> = h
        .capture
        .requests()
        .iter()
        .map(|r| r.uri().query().unwrap().to_owned())
        .collect();
    assert_eq!(queries, ["attempt=1", "attempt=2"]);
}

#[tokio::test(start_paused = true)]
async fn throttled_writes_are_retried_without_switching_hosts() {
    let h = Harness::new();
    h.capture
        .push_response(response(429, ""))
        .push_response(response(200, "ok"));
    let (result, attempts, _, _) = h.run(NOTIFYING_WRITE).await;
    assert_eq!(result.unwrap(), 200);
    assert_eq!(attempts, 2);
    assert_eq!(h.hosts_used(), ["primary.example", "primary.example"]);
}

#[tokio::test(start_paused = true)]
async fn a_gateway_5xx_switches_hosts_and_leaves_a_write_unknown() {
    let h = Harness::new();
    h.capture
        .push_response(response(502, "<html>bad gateway</html>"));
    let (result, attempts, unknown, _) = h.run(NOTIFYING_WRITE).await;
    assert!(matches!(result, Err(TestError::Status(502))));
    assert_eq!(attempts, 1);
    assert!(unknown);
    assert!(
        !h.hosts.current().is_primary(),
        "the switch is remembered for the next request"
    );
}

#[tokio::test(start_paused = true)]
async fn a_repeatable_write_is_retried_and_told_that_an_earlier_attempt_may_have_applied() {
    let h = Harness::new();
    // A transient answer of the server (classified unknown): it is done with the attempt.
    h.capture
        .push_response(response(503, ""))
        .push_response(response(404, ""));
    let (result, attempts, unknown, infos) = h.run(RequestKind::Write { repeatable: true }).await;
    assert!(matches!(result, Err(TestError::Status(404))));
    assert_eq!(attempts, 2);
    assert!(!unknown, "a final answer settles the earlier unknown");
    assert_eq!(
        infos,
        [
            AttemptInfo {
                number: 1,
                after_unknown: false
            },
            AttemptInfo {
                number: 2,
                after_unknown: true
            }
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn no_write_is_repeated_after_an_attempt_that_may_still_land() {
    for error in [
        TransportError::reset_after_send("reset"),
        TransportError::timeout(Some(Duration::from_secs(5))),
    ] {
        let h = Harness::new();
        h.capture
            .push_error(error)
            .push_response(response(200, "ok"));
        let (result, attempts, unknown, _) = h.run(RequestKind::Write { repeatable: true }).await;
        assert!(matches!(result, Err(TestError::Transport(_))), "{result:?}");
        assert_eq!(attempts, 1, "the first attempt may land after a repeat");
        assert!(unknown);
        assert_eq!(h.capture.request_count(), 1);
    }
    // A read is retried: it changes nothing a late landing could overwrite.
    let h = Harness::new();
    h.capture
        .push_error(TransportError::reset_after_send("reset"))
        .push_response(response(200, "ok"));
    let (result, attempts, _, _) = h.run(RequestKind::Read).await;
    assert_eq!(result.unwrap(), 200);
    assert_eq!(attempts, 2);
}

#[tokio::test(start_paused = true)]
async fn final_refusals_are_not_retried() {
    let h = Harness::new();
    h.capture.push_response(response(404, ""));
    let (result, attempts, unknown, _) = h.run(RequestKind::Read).await;
    assert!(matches!(result, Err(TestError::Status(404))));
    assert_eq!(attempts, 1);
    assert!(!unknown);
    assert!(
        h.hosts.current().is_primary(),
        "an expected status is no reason to fail over"
    );
}

#[test]
fn the_request_future_is_send_so_providers_can_be_used_from_spawned_tasks() {
    fn assert_send<T: Send>(_: &T) {}
    let h = Harness::new();
    let pipeline = Pipeline {
        policy: &h.policy,
        hosts: &h.hosts,
        http: &h.http,
        jitter: &h.jitter,
        expected_statuses: &[],
        admission: None,
    };
    let future = pipeline.execute(
        RequestKind::Read,
        |host, _| -> Result<HttpRequest, TestError> {
            Ok(http::Request::post(host.base().clone())
                .body(Vec::new())
                .unwrap())
        },
        |_reply: HttpResponse, _info| Ok(()),
        classify,
    );
    assert_send(&future);
}

/// A bucket of 10/s with room for one request at a time: each attempt takes 100 ms of it.
fn one_per_100ms() -> (LocalLimiter, [Charge; 1]) {
    let limiter = LocalLimiter::new().with_burst(Duration::from_millis(100));
    let charge = Charge {
        bucket: "test:op".into(),
        rate_per_sec: 10,
        units: 1,
    };
    (limiter, [charge])
}

#[tokio::test(start_paused = true)]
async fn every_attempt_waits_for_its_own_slot_before_it_is_built() {
    let h = Harness::new();
    h.capture
        .push_response(response(503, ""))
        .push_response(response(200, "ok"));
    let (limiter, charges) = one_per_100ms();
    let start = tokio::time::Instant::now();
    let admission = Admission {
        limiter: &limiter,
        charges: &charges,
        max_wait: Duration::from_secs(1),
    };
    let (result, attempts, _, _) = h
        .run_admitted(RequestKind::Write { repeatable: true }, Some(admission))
        .await;
    assert_eq!(result.unwrap(), 200);
    assert_eq!(attempts, 2);
    assert!(
        start.elapsed() >= Duration::from_millis(100),
        "the retry waited for the bucket to refill: {:?}",
        start.elapsed()
    );
}

/// A limiter that decides only asynchronously (as one asking a shared store does): it keeps
/// the default `reserve_now` and counts the calls of its `admit`.
#[derive(Debug)]
struct AsyncOnly {
    inner: LocalLimiter,
    admits: std::sync::atomic::AtomicUsize,
}

impl roomkv_transport::limiter::RateLimiter for AsyncOnly {
    fn admit<'a>(
        &'a self,
        charges: &'a [Charge],
        max_wait: Duration,
    ) -> roomkv_transport::BoxFuture<'a, Result<(), RateLimited>> {
        self.admits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.admit(charges, max_wait)
    }
}

#[tokio::test(start_paused = true)]
async fn a_limiter_that_cannot_decide_at_once_is_asked_through_admit_on_every_attempt() {
    use roomkv_transport::limiter::RateLimiter as _;

    let h = Harness::new();
    h.capture
        .push_response(response(503, ""))
        .push_response(response(200, "ok"));
    let (inner, charges) = one_per_100ms();
    let limiter = AsyncOnly {
        inner,
        admits: 0.into(),
    };
    assert!(limiter.reserve_now(&charges, Duration::ZERO).is_none());
    let start = tokio::time::Instant::now();
    let admission = Admission {
        limiter: &limiter,
        charges: &charges,
        max_wait: Duration::from_secs(1),
    };
    let (result, attempts, _, _) = h
        .run_admitted(RequestKind::Write { repeatable: true }, Some(admission))
        .await;
    assert_eq!(result.unwrap(), 200);
    assert_eq!(attempts, 2);
    assert_eq!(limiter.admits.load(std::sync::atomic::Ordering::Relaxed), 2);
    assert!(start.elapsed() >= Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn a_retry_the_limiter_refuses_is_not_sent_and_leaves_the_outcome_unknown() {
    let h = Harness::new();
    h.capture
        .push_response(response(503, ""))
        .push_response(response(200, "ok"));
    let (limiter, charges) = one_per_100ms();
    let admission = Admission {
        limiter: &limiter,
        charges: &charges,
        max_wait: Duration::from_millis(50),
    };
    let start = tokio::time::Instant::now();
    let (result, _, unknown, _) = h
        .run_admitted(RequestKind::Write { repeatable: true }, Some(admission))
        .await;
    let Err(TestError::Limited(refused)) = result else {
        panic!("expected a refusal of the limiter, got {result:?}");
    };
    assert_eq!(refused.bucket.as_ref(), "test:op");
    assert!(refused.wait().unwrap() > Duration::from_millis(50));
    assert!(unknown, "the first attempt's fate is still unknown");
    assert_eq!(
        h.capture.request_count(),
        1,
        "the refused retry was not sent"
    );
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "a wait beyond the maximum is not taken"
    );
}
