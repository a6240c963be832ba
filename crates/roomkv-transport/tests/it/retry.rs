//! The retry loop under tokio's paused clock, with deterministic jitter.

use std::sync::Mutex;
use std::time::Duration;

use roomkv_transport::retry::{self, RetryDecision, RetryPolicy, StopReason};
use roomkv_transport::test_util::{CaptureClient, ScriptedRandom, SequenceRandom, response};
use roomkv_transport::{
    HostSet, HttpClient, OsRandomSource, RandomSource, TransportError, is_failover_status,
};
use tokio::time::Instant;

/// Runs `run` where attempt `n` answers `outcomes[n - 1]` (the last one repeats), and returns
/// the result plus the (paused-clock) start time of every attempt, relative to the start.
async fn drive(
    policy: &RetryPolicy,
    jitter: &dyn RandomSource,
    outcomes: &[RetryDecision],
) -> (retry::Retried<u32>, Vec<Duration>) {
    let start = Instant::now();
    let starts = Mutex::new(Vec::new());
    let done = retry::run(
        policy,
        jitter,
        |n| {
            starts.lock().unwrap().push(start.elapsed());
            async move { n }
        },
        |&n| outcomes[(n as usize - 1).min(outcomes.len() - 1)],
    )
    .await;
    (done, starts.into_inner().unwrap())
}

fn gaps(starts: &[Duration]) -> Vec<Duration> {
    starts.windows(2).map(|w| w[1] - w[0]).collect()
}

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(2))
        .with_throttle_backoff(Duration::from_secs(1))
        .with_total_budget(None)
}

use RetryDecision::{Done, Retry, RetryAfter, RetryThrottled};

#[tokio::test(start_paused = true)]
async fn success_on_the_first_attempt_does_not_wait() {
    let (done, starts) = drive(&policy(), &OsRandomSource, &[Done]).await;
    assert_eq!(
        (done.output, done.attempts, done.stop),
        (1, 1, StopReason::Done)
    );
    assert_eq!(starts, [Duration::ZERO]);
}

#[tokio::test(start_paused = true)]
async fn retries_until_done_and_counts_attempts() {
    let (done, _) = drive(&policy(), &OsRandomSource, &[Retry, Retry, Done]).await;
    assert_eq!(
        (done.output, done.attempts, done.stop),
        (3, 3, StopReason::Done)
    );
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts() {
    let p = policy().with_max_attempts(4);
    let (done, starts) = drive(&p, &OsRandomSource, &[Retry]).await;
    assert_eq!(done.attempts, 4);
    assert_eq!(done.stop, StopReason::AttemptsExhausted);
    assert_eq!(done.output, 4, "the last attempt's output is returned");
    assert_eq!(starts.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn no_retry_makes_exactly_one_attempt() {
    let (done, starts) = drive(&RetryPolicy::no_retry(), &OsRandomSource, &[Retry]).await;
    assert_eq!(
        (done.attempts, done.stop),
        (1, StopReason::AttemptsExhausted)
    );
    assert_eq!(starts, [Duration::ZERO]);
}

#[tokio::test(start_paused = true)]
async fn full_ceiling_jitter_doubles_up_to_the_cap() {
    let p = policy().with_max_attempts(7);
    let (_, starts) = drive(&p, &ScriptedRandom::new([u64::MAX]), &[Retry]).await;
    let ms: Vec<_> = gaps(&starts).iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [100, 200, 400, 800, 1600, 2000]);
}

#[tokio::test(start_paused = true)]
async fn zero_jitter_retries_immediately() {
    let p = policy().with_max_attempts(5);
    let (done, starts) = drive(&p, &ScriptedRandom::new([0]), &[Retry]).await;
    assert_eq!(done.attempts, 5);
    assert_eq!(starts, [Duration::ZERO; 5]);
}

#[tokio::test(start_paused = true)]
async fn delays_follow_the_full_jitter_formula() {
    let p = policy().with_max_attempts(8);
    let values = [
        u64::MAX / 2,
        u64::MAX / 4,
        3,
        u64::MAX,
        1 << 63,
        12_345,
        u64::MAX / 3,
    ];
    let (_, starts) = drive(&p, &ScriptedRandom::new(values), &[Retry]).await;
    for (n, gap) in gaps(&starts).into_iter().enumerate() {
        let want = p.delay(n as u32, false, values[n]);
        // tokio's timer rounds a sleep up to the next millisecond.
        assert!(
            gap >= want && gap <= want + Duration::from_millis(1),
            "{n}: {gap:?} vs {want:?}"
        );
        assert!(gap <= p.ceiling(n as u32, false) + Duration::from_millis(1));
    }
}

#[tokio::test(start_paused = true)]
async fn os_jitter_stays_within_the_ceilings() {
    for _ in 0..20 {
        let p = policy().with_max_attempts(6);
        let (_, starts) = drive(&p, &OsRandomSource, &[Retry]).await;
        for (n, gap) in gaps(&starts).into_iter().enumerate() {
            assert!(gap <= p.ceiling(n as u32, false) + Duration::from_millis(1));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn throttling_uses_the_longer_backoff() {
    let p = policy().with_max_attempts(4);
    let (_, starts) = drive(&p, &ScriptedRandom::new([u64::MAX]), &[RetryThrottled]).await;
    let ms: Vec<_> = gaps(&starts).iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [1000, 2000, 2000]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_and_capped() {
    let p = policy().with_max_attempts(3);
    let (_, starts) = drive(
        &p,
        &OsRandomSource,
        &[
            RetryAfter(Duration::from_millis(750)),
            RetryAfter(Duration::from_secs(3600)),
        ],
    )
    .await;
    let ms: Vec<_> = gaps(&starts).iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [750, 2000]);
}

#[tokio::test(start_paused = true)]
async fn gives_up_when_the_next_delay_would_exceed_the_budget() {
    let p = policy()
        .with_initial_backoff(Duration::from_millis(300))
        .with_max_attempts(10)
        .with_total_budget(Some(Duration::from_secs(1)));
    let started = Instant::now();
    let (done, starts) = drive(&p, &ScriptedRandom::new([u64::MAX]), &[Retry]).await;
    // Delays 300 ms and 600 ms fit (ending at 900 ms); the next, 1200 ms, would not.
    assert_eq!(done.attempts, 3);
    assert_eq!(done.stop, StopReason::BudgetExhausted);
    assert_eq!(
        starts,
        [
            Duration::ZERO,
            Duration::from_millis(300),
            Duration::from_millis(900)
        ]
    );
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(900),
        "no sleep after giving up"
    );
}

#[tokio::test(start_paused = true)]
async fn the_budget_counts_the_time_spent_in_attempts() {
    let p = policy()
        .with_max_attempts(10)
        .with_total_budget(Some(Duration::from_secs(2)));
    let done = retry::run(
        &p,
        &ScriptedRandom::new([0]),
        |_| tokio::time::sleep(Duration::from_millis(700)),
        |_| Retry,
    )
    .await;
    // Attempts end at 0.7 s, 1.4 s, 2.1 s: the third ends past the budget.
    assert_eq!((done.attempts, done.stop), (3, StopReason::BudgetExhausted));
}

/// The provider pattern: every attempt picks the host and signs afresh (here: a nonce header
/// from the nonce source), and failures move the host.
#[tokio::test(start_paused = true)]
async fn every_attempt_is_built_afresh_on_the_current_host() {
    let http = CaptureClient::new();
    http.push_error(TransportError::timeout(Some(Duration::from_secs(5))));
    http.push_response(response(502, "bad gateway"));
    http.push_response(response(200, r#"{"code":200}"#));
    let hosts = HostSet::new(["https://api.example.com", "https://api-b.example.com"])
        .unwrap()
        .with_cool_down(None);
    let nonces = SequenceRandom::new(100);

    let done = retry::run(
        &RetryPolicy::default().with_max_attempts(3),
        &ScriptedRandom::new([u64::MAX]),
        |attempt| {
            let (http, hosts, nonces) = (&http, &hosts, &nonces);
            async move {
                let host = hosts.current();
                let req = http::Request::post(format!("{}chatroom/entry/set.json", host.base()))
                    .header("nonce", nonces.next_u64().to_string())
                    .header("attempt", attempt.to_string())
                    .body(b"k=v".to_vec())
                    .unwrap();
                let result = http.send(req).await;
                let failed = match &result {
                    Err(e) => e.is_timeout() || e.is_connect(),
                    Ok(r) => is_failover_status(r.status(), &[]),
                };
                if failed {
                    hosts.report_failure(&host);
                }
                result
            }
        },
        |r| match r {
            Ok(resp) if resp.status().is_server_error() => Retry,
            Err(e) if e.is_timeout() => Retry,
            _ => Done,
        },
    )
    .await;

    assert_eq!(done.attempts, 3);
    assert_eq!(done.output.unwrap().status(), 200);
    let seen = http.requests();
    let hosts_seen: Vec<_> = seen
        .iter()
        .map(|r| r.uri().host().unwrap().to_owned())
        .collect();
    assert_eq!(
        hosts_seen,
        ["api.example.com", "api-b.example.com", "api.example.com"]
    );
    let nonces_seen: Vec<_> = seen.iter().map(|r| r.headers()["nonce"].clone()).collect();
    assert_eq!(nonces_seen, ["100", "101", "102"]);
    let attempts_seen: Vec<_> = seen
        .iter()
        .map(|r| r.headers()["attempt"].clone())
        .collect();
    assert_eq!(attempts_seen, ["1", "2", "3"]);
}
