//! `HostSet`: remembered switch, one switch under concurrency, cool-down, pinning.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use roomkv_transport::test_util::{CaptureClient, ManualClock};
use roomkv_transport::{DEFAULT_COOL_DOWN, HostSet, HttpClient, TransportError};

const PRIMARY: &str = "https://api.example.com";
const BACKUP: &str = "https://api-b.example.com";

fn pair(clock: &ManualClock) -> HostSet {
    HostSet::new([PRIMARY, BACKUP])
        .unwrap()
        .with_clock(clock.clone())
}

#[test]
fn the_switch_is_remembered_for_later_requests() {
    let clock = ManualClock::from_unix_secs(1_700_000_000);
    let set = pair(&clock);
    assert_eq!(set.cool_down(), Some(DEFAULT_COOL_DOWN));
    let first = set.current();
    assert!(first.is_primary());
    assert!(set.report_failure(&first));
    for _ in 0..5 {
        clock.advance(Duration::from_secs(1));
        let e = set.current();
        assert_eq!(e.index(), 1);
        assert_eq!(e.base(), &BACKUP.parse::<http::Uri>().unwrap());
    }
}

#[test]
fn sixteen_concurrent_failures_switch_once() {
    let set = Arc::new(
        HostSet::new([PRIMARY, BACKUP, "https://api-c.example.com"])
            .unwrap()
            .with_cool_down(None),
    );
    // All sixteen requests were sent to the primary before any of them failed.
    let observed: Vec<_> = (0..16).map(|_| set.current()).collect();
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = observed
        .into_iter()
        .map(|e| {
            let set = Arc::clone(&set);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                set.report_failure(&e)
            })
        })
        .collect();
    let switches = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|switched| *switched)
        .count();
    assert_eq!(switches, 1);
    assert_eq!(set.current().index(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_concurrent_failed_requests_switch_once() {
    let set = Arc::new(HostSet::new([PRIMARY, BACKUP]).unwrap());
    let http = CaptureClient::new().with_fallback(|_| Err(TransportError::timeout(None)));
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (set, http, barrier) = (Arc::clone(&set), http.clone(), Arc::clone(&barrier));
        tasks.spawn(async move {
            let host = set.current();
            barrier.wait().await;
            let req = http::Request::post(format!("{}x", host.base()))
                .body(Vec::new())
                .unwrap();
            let err = http.send(req).await.unwrap_err();
            err.is_timeout() && set.report_failure(&host)
        });
    }
    let switches = tasks.join_all().await.into_iter().filter(|s| *s).count();
    assert_eq!(switches, 1);
    assert_eq!(
        set.current().index(),
        1,
        "two hosts: one switch, not sixteen"
    );
    assert_eq!(http.request_count(), 16);
}

#[test]
fn the_primary_returns_after_the_cool_down() {
    let clock = ManualClock::from_unix_secs(1_700_000_000);
    let set = pair(&clock).with_cool_down(Some(Duration::from_secs(60)));
    let e = set.current();
    set.report_failure(&e);
    clock.advance(Duration::from_secs(59));
    assert_eq!(set.current().index(), 1);
    clock.advance(Duration::from_secs(1));
    assert!(set.current().is_primary());

    // A late report about the backup (handed out before the return) does not switch again.
    let primary = set.current();
    assert!(set.report_failure(&primary));
    let backup = set.current();
    clock.advance(Duration::from_secs(60));
    assert!(set.current().is_primary());
    assert!(!set.report_failure(&backup));
    assert!(set.current().is_primary());
}

#[test]
fn the_cool_down_counts_from_the_last_switch() {
    let clock = ManualClock::from_unix_secs(0);
    let set = HostSet::new([PRIMARY, BACKUP, "https://api-c.example.com"])
        .unwrap()
        .with_clock(clock.clone())
        .with_cool_down(Some(Duration::from_secs(60)));
    set.report_failure(&set.current());
    clock.advance(Duration::from_secs(50));
    set.report_failure(&set.current()); // backup failed too: now on the third host
    clock.advance(Duration::from_secs(50));
    assert_eq!(set.current().index(), 2, "only 50 s since the last switch");
    clock.advance(Duration::from_secs(10));
    assert!(set.current().is_primary());
}

#[test]
fn without_a_cool_down_the_switch_stays() {
    let clock = ManualClock::from_unix_secs(0);
    let set = pair(&clock).with_cool_down(None);
    set.report_failure(&set.current());
    clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(set.current().index(), 1);
}

#[test]
fn a_pinned_host_never_switches() {
    let set = HostSet::pinned("http://127.0.0.1:9").unwrap();
    assert!(set.is_pinned());
    for _ in 0..10 {
        let e = set.current();
        assert!(!set.report_failure(&e));
        assert!(e.is_primary());
    }
    assert_eq!(set.hosts().len(), 1);
}

#[cfg(feature = "hyper")]
mod over_http {
    use roomkv_transport::retry::{self, RetryDecision, RetryPolicy};
    use roomkv_transport::test_util::ScriptedRandom;
    use roomkv_transport::{HostSet, HttpClient, HyperClient, is_failover_status};

    use crate::stub::{Reply, Stub, refused_port};

    /// One provider-style request: pick the host, send, report failures, retry once.
    async fn send(http: &HyperClient, hosts: &HostSet) -> (u16, u32) {
        let done = retry::run(
            &RetryPolicy::default().with_max_attempts(2),
            &ScriptedRandom::new([0]),
            |_| async {
                let host = hosts.current();
                let req = http::Request::post(format!("{}x", host.base()))
                    .body(Vec::new())
                    .unwrap();
                let result = http.send(req).await;
                let failed = match &result {
                    Err(e) => e.is_connect() || e.is_timeout(),
                    Ok(r) => is_failover_status(r.status(), &[]),
                };
                if failed {
                    hosts.report_failure(&host);
                }
                result
            },
            |r| match r {
                Ok(resp) if resp.status().is_server_error() => RetryDecision::Retry,
                Err(e) if e.is_connect() => RetryDecision::Retry,
                _ => RetryDecision::Done,
            },
        )
        .await;
        (done.output.unwrap().status().as_u16(), done.attempts)
    }

    #[tokio::test]
    async fn a_refused_primary_fails_over_and_stays_failed_over() {
        let backup = Stub::start().await;
        let hosts = HostSet::new([
            format!("http://127.0.0.1:{}/", refused_port()),
            backup.url("/"),
        ])
        .unwrap();
        let http = HyperClient::new().unwrap();

        assert_eq!(send(&http, &hosts).await, (200, 2));
        // Remembered: the next requests go straight to the backup.
        assert_eq!(send(&http, &hosts).await, (200, 1));
        assert_eq!(send(&http, &hosts).await, (200, 1));
        assert_eq!(backup.requests(), 3);
    }

    #[tokio::test]
    async fn a_502_from_the_primary_fails_over() {
        let primary = Stub::start().await;
        let backup = Stub::start().await;
        primary.push(Reply::Status(502));
        let hosts = HostSet::new([primary.url("/"), backup.url("/")]).unwrap();
        let http = HyperClient::new().unwrap();

        assert_eq!(send(&http, &hosts).await, (200, 2));
        assert_eq!(send(&http, &hosts).await, (200, 1));
        assert_eq!((primary.requests(), backup.requests()), (1, 2));
    }
}
