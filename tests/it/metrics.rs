//! The clients' metrics (feature `metrics`) for scripted runs against the emulator: every
//! counter a run records, exactly, and what its gauges and histograms saw. (The Redis test
//! needs `redis-server`, as the quota tests do.)
//!
//! Each test installs its own `DebuggingRecorder` as the default of its thread
//! (`metrics::set_default_local_recorder`). A `#[tokio::test]` runs on one thread, so every
//! metric the clients record lands in that test's recorder and tests in one process stay
//! independent.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use roomkv_emulator::faults::FaultEffect;
use roomkv_rongcloud::{Limits, Notification, RateLimit, SetEntry};
use roomkv_tencent::CreateRoom;
use roomkv_transport::RetryPolicy;
use roomkv_transport::limiter::{LocalLimiter, RedisLimiter, SharedRateLimiter, WhenUnavailable};
use roomkv_transport::test_util::{ManualClock, RedisServer};

use crate::support::*;

const SET: &str = "/chatroom/entry/set.json";
const SET_METADATA: &str = "/v4/live_engine_http_srv/set_room_metadata";

/// A test's own recorder: install it with `metrics::set_default_local_recorder(&recording.0)`.
fn recording() -> (DebuggingRecorder, Snapshotter) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    (recorder, snapshotter)
}

/// What a run recorded, keyed `name{label=value,…}` with the labels sorted.
struct Recorded {
    counters: BTreeMap<String, u64>,
    gauges: BTreeMap<String, f64>,
    /// How many values each histogram received.
    samples: BTreeMap<String, usize>,
    /// The values each histogram received.
    values: BTreeMap<String, Vec<f64>>,
}

impl Recorded {
    fn take(snapshotter: &Snapshotter) -> Self {
        let mut recorded = Self {
            counters: BTreeMap::new(),
            gauges: BTreeMap::new(),
            samples: BTreeMap::new(),
            values: BTreeMap::new(),
        };
        for (key, _, _, value) in snapshotter.snapshot().into_vec() {
            let key = key.key();
            let mut labels: Vec<_> = key
                .labels()
                .map(|label| format!("{}={}", label.key(), label.value()))
                .collect();
            labels.sort();
            let name = format!("{}{{{}}}", key.name(), labels.join(","));
            match value {
                DebugValue::Counter(n) => {
                    recorded.counters.insert(name, n);
                }
                DebugValue::Gauge(v) => {
                    recorded.gauges.insert(name, v.into_inner());
                }
                DebugValue::Histogram(values) => {
                    recorded.samples.insert(name.clone(), values.len());
                    let values = values.into_iter().map(|v| v.into_inner()).collect();
                    recorded.values.insert(name, values);
                }
            }
        }
        recorded
    }
}

/// `[(key, value)]` as the map a [`Recorded`] field is.
fn expected<V: Copy>(entries: &[(&str, V)]) -> BTreeMap<String, V> {
    entries.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

fn host(addr: SocketAddr) -> String {
    addr.to_string()
}

fn forced(code: i64) -> FaultEffect {
    FaultEffect::VendorError {
        code,
        message: None,
        http_status: None,
    }
}

#[tokio::test]
async fn a_throttled_burst_counts_throttled_retries_and_requests() {
    let (recorder, snapshotter) = recording();
    let _scope = metrics::set_default_local_recorder(&recorder);
    // The set family at 0.02/s (one unit per 50 s, so nothing refills during the test) with a
    // burst of three units; the client's own limiter is off, so the emulator throttles.
    let served = Served::with(|config| {
        config.quota.rate_scale = 0.0002;
        config.quota.burst = Duration::from_secs(150);
    })
    .await;
    let client = rc_builder()
        .base_url(served.url())
        .rate_limit(RateLimit::Off)
        .retry_policy(fast_retries().with_max_attempts(2))
        .build()
        .unwrap();
    let (r, u) = (room("r"), user("u"));
    let mut throttled = 0;
    for n in 0..5 {
        if let Err(err) = client
            .set_entry(&r, &u, key(&format!("k{n}")), value("v"))
            .await
        {
            assert!(err.is_throttled() && err.attempts() == 2, "{err}");
            throttled += 1;
        }
    }
    assert_eq!(throttled, 2);

    let recorded = Recorded::take(&snapshotter);
    assert_eq!(
        recorded.counters,
        expected(&[
            (
                "roomkv_requests_total{operation=set_entry,outcome=ok,vendor=rongcloud}",
                3
            ),
            (
                "roomkv_requests_total{operation=set_entry,outcome=throttled,vendor=rongcloud}",
                2
            ),
            ("roomkv_retries_total{reason=throttled,vendor=rongcloud}", 2),
        ])
    );
    let attempts = format!(
        "roomkv_attempt_duration_seconds{{host={},operation=set_entry,vendor=rongcloud}}",
        host(served.addr())
    );
    assert_eq!(
        recorded.samples,
        expected(&[
            (attempts.as_str(), 7),
            (
                "roomkv_request_duration_seconds{operation=set_entry,vendor=rongcloud}",
                5
            ),
        ])
    );
    assert_eq!(
        recorded.gauges,
        expected(&[(
            format!(
                "roomkv_active_host{{host={},vendor=rongcloud}}",
                host(served.addr())
            )
            .as_str(),
            1.0
        )])
    );
}

#[tokio::test]
async fn a_failover_and_the_switch_back_are_counted_and_the_active_host_follows() {
    const COOL_DOWN: Duration = Duration::from_secs(60);
    let (recorder, snapshotter) = recording();
    let _scope = metrics::set_default_local_recorder(&recorder);
    let (primary_socket, primary) = refusing_port();
    let backup = Served::start().await;
    let clock = ManualClock::new(SystemTime::now());
    let client = rc_builder()
        .hosts([url_of(primary), backup.url()])
        .failover_cool_down(COOL_DOWN)
        .clock(clock.clone())
        .rate_limit(RateLimit::Off)
        .build()
        .unwrap();
    let (r, u) = (room("r"), user("u"));

    // Refused by the primary (not sent), switched, applied on the backup.
    client
        .set_entry(&r, &u, key("a"), value("1"))
        .await
        .unwrap();
    // The primary comes back; after the cool-down the client returns to it.
    let primary_served = Served::on(primary_socket.listen(64).unwrap(), |_| {});
    clock.advance(COOL_DOWN);
    client
        .set_entry(&r, &u, key("b"), value("2"))
        .await
        .unwrap();
    assert!(primary_served.entry("r", "b").is_some());

    let (p, b) = (host(primary), host(backup.addr()));
    let recorded = Recorded::take(&snapshotter);
    assert_eq!(
        recorded.counters,
        expected(&[
            (
                format!("roomkv_failovers_total{{from={b},to={p},vendor=rongcloud}}").as_str(),
                1
            ),
            (
                format!("roomkv_failovers_total{{from={p},to={b},vendor=rongcloud}}").as_str(),
                1
            ),
            (
                "roomkv_requests_total{operation=set_entry,outcome=ok,vendor=rongcloud}",
                2
            ),
            ("roomkv_retries_total{reason=not_sent,vendor=rongcloud}", 1),
        ])
    );
    assert_eq!(
        recorded.gauges,
        expected(&[
            (
                format!("roomkv_active_host{{host={b},vendor=rongcloud}}").as_str(),
                0.0
            ),
            (
                format!("roomkv_active_host{{host={p},vendor=rongcloud}}").as_str(),
                1.0
            ),
        ])
    );
    // Two attempts on the primary (refused, then after the switch back), one on the backup.
    let attempts = |h: &str| {
        recorded.samples[&format!(
            "roomkv_attempt_duration_seconds{{host={h},operation=set_entry,vendor=rongcloud}}"
        )]
    };
    assert_eq!((attempts(&p), attempts(&b)), (2, 1));
}

#[tokio::test]
async fn a_lost_reply_to_a_write_is_counted_as_outcome_unknown_and_not_retried() {
    let (recorder, snapshotter) = recording();
    let _scope = metrics::set_default_local_recorder(&recorder);
    let served = Served::start().await;
    let client = rc_client(&served.url());
    served.fault(SET, FaultEffect::CloseAfterProcessing, 1);
    let err = client
        .send(
            &SetEntry::new(room("r"), user("u"), key("k"), value("v"))
                .notify(Notification::kv_change()),
        )
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    // A read after it succeeds: one more request, of another operation.
    client.query_all_entries(&room("r")).await.unwrap();

    let recorded = Recorded::take(&snapshotter);
    assert_eq!(
        recorded.counters,
        expected(&[
            (
                "roomkv_requests_total{operation=query_entries,outcome=ok,vendor=rongcloud}",
                1
            ),
            (
                "roomkv_requests_total{operation=set_entry,outcome=outcome_unknown,vendor=rongcloud}",
                1
            ),
        ])
    );
}

#[tokio::test]
async fn a_wait_longer_than_the_maximum_is_a_local_refusal_of_its_family() {
    let (recorder, snapshotter) = recording();
    let _scope = metrics::set_default_local_recorder(&recorder);
    let served = Served::start().await;
    let mut limits = Limits::DOCUMENTED;
    limits.rongcloud.rates.entry_set_kv_per_sec = 1;
    let client = rc_builder()
        .limits(limits)
        .rate_limit(RateLimit::With(SharedRateLimiter::new(LocalLimiter::new())))
        .max_rate_wait(Duration::from_millis(100))
        .base_url(served.url())
        .build()
        .unwrap();
    let (r, u) = (room("r"), user("u"));
    client
        .set_entry(&r, &u, key("first"), value("v"))
        .await
        .unwrap();
    let err = client
        .set_entry(&r, &u, key("second"), value("v"))
        .await
        .unwrap_err();
    assert!(err.rate_limited().is_some(), "{err}");

    let recorded = Recorded::take(&snapshotter);
    assert_eq!(
        recorded.counters,
        expected(&[
            (
                "roomkv_quota_refused_total{family=entry-set,vendor=rongcloud}",
                1
            ),
            (
                "roomkv_requests_total{operation=set_entry,outcome=ok,vendor=rongcloud}",
                1
            ),
            (
                "roomkv_requests_total{operation=set_entry,outcome=rate_limited_locally,vendor=rongcloud}",
                1
            ),
        ])
    );
    // The admitted attempt's wait was recorded; nobody is left waiting.
    assert_eq!(
        recorded.samples["roomkv_quota_wait_seconds{family=entry-set,vendor=rongcloud}"],
        1
    );
    assert_eq!(
        recorded.gauges["roomkv_quota_waiting{family=entry-set,vendor=rongcloud}"],
        0.0
    );
}

#[tokio::test]
async fn a_usersig_rejected_with_70001_is_renewed_and_counted() {
    let (recorder, snapshotter) = recording();
    let _scope = metrics::set_default_local_recorder(&recorder);
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("r");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    served.fault(SET_METADATA, forced(70001), 1);
    client
        .set_room_metadata(&r, [(mkey("k"), mvalue("v"))])
        .await
        .unwrap();
    assert!(served.faults_used_up());
    // With no retries left, a second rejection is the vendor's error (and a second renewal).
    served.fault(SET_METADATA, forced(70001), 1);
    let once = tc_builder()
        .base_url(served.url())
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    once.set_room_metadata(&r, [(mkey("k"), mvalue("v"))])
        .await
        .unwrap_err();

    let recorded = Recorded::take(&snapshotter);
    assert_eq!(
        recorded.counters,
        expected(&[
            (
                "roomkv_requests_total{operation=create_room,outcome=ok,vendor=tencent}",
                1
            ),
            (
                "roomkv_requests_total{operation=set_room_metadata,outcome=ok,vendor=tencent}",
                1
            ),
            (
                "roomkv_requests_total{operation=set_room_metadata,outcome=vendor_error,vendor=tencent}",
                1
            ),
            ("roomkv_retries_total{reason=not_sent,vendor=tencent}", 1),
            ("roomkv_usersig_renewals_total{reason=70001}", 2),
        ])
    );
}

/// A RongCloud client of `served` whose quota is shared through `redis`, limiting locally while
/// Redis is away.
fn limited_through(redis: &RedisServer, served: &Served) -> roomkv_rongcloud::Client {
    let limiter = RedisLimiter::builder(redis.url())
        .when_unavailable(WhenUnavailable::Fallback)
        .build()
        .unwrap();
    rc_builder()
        .rate_limit(RateLimit::With(SharedRateLimiter::new(limiter)))
        .base_url(served.url())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_redis_outage_is_counted_while_the_fleet_limits_locally() {
    let (recorder, snapshotter) = recording();
    let _scope = metrics::set_default_local_recorder(&recorder);
    let mut redis = RedisServer::start();
    let served = Served::start().await;
    let client = limited_through(&redis, &served);
    let (r, u) = (room("r"), user("u"));
    client
        .set_entry(&r, &u, key("before"), value("v"))
        .await
        .unwrap();
    redis.kill();
    // Admitted by the local fallback at the quota divided by the fleet size.
    client
        .set_entry(&r, &u, key("after"), value("v"))
        .await
        .unwrap();

    let recorded = Recorded::take(&snapshotter);
    assert_eq!(
        recorded.counters,
        expected(&[
            ("roomkv_quota_backend_unavailable_total{}", 1),
            (
                "roomkv_requests_total{operation=set_entry,outcome=ok,vendor=rongcloud}",
                2
            ),
        ])
    );
    assert_eq!(recorded.gauges["roomkv_quota_backend_down{}"], 1.0);
    assert_eq!(
        recorded.samples["roomkv_quota_wait_seconds{family=entry-set,vendor=rongcloud}"],
        2
    );
}

#[tokio::test]
async fn the_time_without_redis_is_recorded_when_it_answers_again() {
    let (recorder, snapshotter) = recording();
    let _scope = metrics::set_default_local_recorder(&recorder);
    let mut redis = RedisServer::start();
    let served = Served::start().await;
    let client = limited_through(&redis, &served);
    let (r, u) = (room("r"), user("u"));
    redis.kill();
    client
        .set_entry(&r, &u, key("without"), value("v"))
        .await
        .unwrap();
    // Redis is back, and the limiter asks it again once a second has passed since it failed.
    redis.restart();
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(3)).await;
    tokio::time::resume();
    client
        .set_entry(&r, &u, key("with"), value("v"))
        .await
        .unwrap();

    let recorded = Recorded::take(&snapshotter);
    assert_eq!(
        recorded.counters["roomkv_quota_backend_unavailable_total{}"],
        1
    );
    assert_eq!(recorded.gauges["roomkv_quota_backend_down{}"], 0.0);
    let fallback = &recorded.values["roomkv_quota_fallback_seconds{}"];
    // One outage, at least as long as the time advanced while Redis was away.
    assert_eq!(fallback.len(), 1, "{fallback:?}");
    assert!(fallback[0] >= 3.0, "{fallback:?}");
}
