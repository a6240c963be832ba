//! Client-side rate limiting against the emulator's enforced quotas: bursts of thousands of
//! writes from many tasks (and from several processes sharing a quota through Redis) use the
//! whole quota without a single throttled answer.
//!
//! # How the achieved rate is measured
//!
//! A client limiter with burst `b` admits at most `b + rate × t` units in the first `t`
//! seconds, so over a short run the burst would inflate `units / elapsed` above the quota.
//! The tests measure the *sustained* rate `(units − b) / elapsed`, which is at most `rate`
//! and reaches it only when the client kept the quota busy the whole time. `elapsed` runs
//! from before the first request to after the last answer, so slow answers count against the
//! client. Nothing is compared with wall-clock speed: the yardstick is the emulator's quota.
//! "Throttled" is counted twice: in the errors the clients return (429 / 1008 / 60007 would be
//! `is_throttled()`) and in the emulator's own count of quota refusals.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_tencent::TencentSettings;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roomkv_emulator::config::{RongCloudApp, TencentApp};
use roomkv_provider::{Error as ProviderError, Vendor};
use roomkv_rongcloud::limiter::{
    DEFAULT_BURST, RateLimitReason, RedisLimiter, SharedRateLimiter, WhenUnavailable,
};
use roomkv_rongcloud::{AppKey, Limits, QuotaFamily, RateLimit};
use roomkv_tencent::CreateRoom;
use roomkv_transport::test_util::RedisServer;

use crate::support::{
    APP_SECRET, SECRET_KEY, Served, key, live, mkey, mvalue, rc_builder, room, tc_builder, user,
    value,
};

/// How many units a client limiter at `rate` admits at once: its burst.
fn burst_units(rate: u32) -> f64 {
    f64::from(rate) * DEFAULT_BURST.as_secs_f64()
}

/// `(units − burst) / elapsed` as a fraction of `rate` (see the module docs).
fn sustained_share(units: u64, rate: u32, elapsed: Duration) -> f64 {
    (units as f64 - burst_units(rate)) / elapsed.as_secs_f64() / f64::from(rate)
}

/// Whether room `r` of `app` holds `key` in the emulator's state.
fn has_entry(served: &Served, app: &str, key: &str) -> bool {
    served
        .entries_of(app, "r")
        .iter()
        .any(|entry| entry.key == key)
}

/// Errors by kind, from many tasks.
#[derive(Default)]
struct Tally {
    units: AtomicU64,
    throttled: AtomicU64,
    other: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Tally {
    /// Counts `units` applied, or the error as throttled or other.
    fn count<V: Vendor>(&self, result: Result<(), ProviderError<V>>, units: u64) {
        match result {
            Ok(()) => {
                self.units.fetch_add(units, Ordering::Relaxed);
            }
            Err(err) => {
                let counter = if err.is_throttled() {
                    &self.throttled
                } else {
                    &self.other
                };
                counter.fetch_add(1, Ordering::Relaxed);
                let mut first = self.first_error.lock().unwrap();
                first.get_or_insert_with(|| err.to_string());
            }
        }
    }

    /// The first error, for assertion messages.
    fn first_error(&self) -> Option<String> {
        self.first_error.lock().unwrap().clone()
    }

    /// Asserts that a burst which took `elapsed` applied `expected_units` with no throttled or
    /// other failure, that the emulator refused nothing, and that it sustained at least 97 % of
    /// `rate` (counted in `unit`s).
    fn assert_whole_quota_never_throttled(
        &self,
        served: &Served,
        expected_units: u64,
        rate: u32,
        elapsed: Duration,
        unit: &str,
    ) {
        let units = self.units.load(Ordering::Relaxed);
        let first_error = self.first_error();
        assert_eq!(
            self.throttled.load(Ordering::Relaxed),
            0,
            "throttled answers: {first_error:?}"
        );
        assert_eq!(
            self.other.load(Ordering::Relaxed),
            0,
            "other failures: {first_error:?}"
        );
        assert_eq!(units, expected_units);
        assert_eq!(
            served.emulator.quota_enforcer().refusals(),
            0,
            "the emulator refused some"
        );
        let share = sustained_share(units, rate, elapsed);
        assert!(
            share >= 0.97,
            "sustained {:.1} % of the quota ({units} {unit} in {elapsed:?})",
            share * 100.0
        );
    }
}

/// Waits for every task of a burst, at most a minute, and returns how long the burst took.
async fn join_burst(mut tasks: tokio::task::JoinSet<()>, start: Instant) -> Duration {
    while let Some(joined) = tokio::time::timeout(Duration::from_secs(60), tasks.join_next())
        .await
        .expect("the burst ends")
    {
        joined.unwrap();
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rongcloud_single_and_batch_sets_use_the_whole_quota_and_are_never_throttled() {
    // Ten times the documented quotas: 1000 KV/s for set and batch set together.
    const SCALE: f64 = 10.0;
    const APP: &str = "quota-e2e-rongcloud";
    const TASKS: usize = 24;
    const ROUNDS: usize = 8;
    let served = Served::with(|config| {
        config.quota.rate_scale = SCALE;
        config.rongcloud_apps = vec![RongCloudApp::new(APP, APP_SECRET)];
    })
    .await;
    let limits = Limits::DOCUMENTED.scale_rates(SCALE);
    let rate = limits.rate_per_sec(QuotaFamily::RongCloudEntrySet);
    assert_eq!(rate, 1000);
    // A limiter like the default one (the harness gives each client its own) at the
    // emulator's rates.
    let client = rc_builder()
        .app_key(AppKey::new(APP))
        .limits(limits)
        .max_rate_wait(Duration::from_secs(60))
        .base_url(served.url())
        .build()
        .unwrap();

    let tally = Arc::new(Tally::default());
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (client, tally) = (client.clone(), tally.clone());
        tasks.spawn(async move {
            let (room, owner) = (room(&format!("burst-{task}")), user("writer"));
            let batch: Vec<_> = (0..20)
                .map(|n| (key(&format!("k{n}")), value(&n.to_string())))
                .collect();
            for _ in 0..ROUNDS {
                let single = client
                    .set_entry(&room, &owner, key("single"), value("v"))
                    .await;
                tally.count(single, 1);
                let many = client.batch_set_entries(&room, &owner, batch.clone()).await;
                tally.count(many, 20);
            }
        });
    }
    let elapsed = join_burst(tasks, start).await;
    tally.assert_whole_quota_never_throttled(
        &served,
        (TASKS * ROUNDS * 21) as u64,
        rate,
        elapsed,
        "KV",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tencent_metadata_sets_use_the_whole_command_quota_and_are_never_throttled() {
    // The documented 200 requests/s per command.
    const SDKAPPID: u64 = 1_400_000_777;
    const TASKS: usize = 16;
    const ROUNDS: usize = 50;
    let served = Served::with(|config| {
        config.tencent_apps = vec![TencentApp::new(SDKAPPID, SECRET_KEY, "administrator")];
    })
    .await;
    let client = tc_builder()
        .sdkappid(SDKAPPID)
        .max_rate_wait(Duration::from_secs(60))
        .base_url(served.url())
        .build()
        .unwrap();
    let rate = Limits::DOCUMENTED.tencent.command_per_sec;
    for task in 0..TASKS {
        client
            .create_room(CreateRoom::new(live(&format!("burst-{task}"))))
            .await
            .unwrap();
    }

    let tally = Arc::new(Tally::default());
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (client, tally) = (client.clone(), tally.clone());
        tasks.spawn(async move {
            let room = live(&format!("burst-{task}"));
            for round in 0..ROUNDS {
                let set = client
                    .set_room_metadata(&room, [(mkey("score"), mvalue(&round.to_string()))])
                    .await;
                tally.count(set, 1);
            }
        });
    }
    let elapsed = join_burst(tasks, start).await;
    tally.assert_whole_quota_never_throttled(
        &served,
        (TASKS * ROUNDS) as u64,
        rate,
        elapsed,
        "requests",
    );
}

#[tokio::test]
async fn a_wait_longer_than_the_maximum_fails_at_once_with_nothing_sent() {
    const APP: &str = "quota-e2e-max-wait";
    let served = Served::with(|config| {
        config.rongcloud_apps = vec![RongCloudApp::new(APP, APP_SECRET)];
    })
    .await;
    let mut limits = Limits::DOCUMENTED;
    limits.rongcloud.rates.entry_set_kv_per_sec = 1;
    let client = rc_builder()
        .app_key(AppKey::new(APP))
        .limits(limits)
        .max_rate_wait(Duration::from_millis(100))
        .base_url(served.url())
        .build()
        .unwrap();
    let (room, owner) = (room("r"), user("u"));
    client
        .set_entry(&room, &owner, key("first"), value("v"))
        .await
        .unwrap();
    let err = client
        .set_entry(&room, &owner, key("second"), value("v"))
        .await
        .unwrap_err();
    let (family, refused) = err.rate_limited().expect("refused by the client limiter");
    assert_eq!(family, QuotaFamily::RongCloudEntrySet);
    assert_eq!(refused.rate_per_sec, 1);
    assert!(err.is_throttled() && !err.is_outcome_unknown());
    assert_eq!(err.attempts(), 0);
    assert!(err.to_string().contains("entry-set"), "{err}");
    assert!(has_entry(&served, APP, "first"));
    assert!(!has_entry(&served, APP, "second"), "nothing was sent");
}

// ------------------------------------------------------------------------ across processes

/// What one `quota-worker` process reported.
#[derive(Debug)]
struct WorkerReport {
    ok: u64,
    throttled: u64,
    rate_limited: u64,
    failed: u64,
    first_ms: u128,
    last_ms: u128,
    stderr: String,
}

impl WorkerReport {
    fn parse(output: &Output) -> Self {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "worker failed: {stdout} {stderr}");
        let field = |name: &str| -> u128 {
            stdout
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .unwrap_or_else(|| panic!("no {name} in {stdout:?}"))
                .parse()
                .unwrap()
        };
        Self {
            ok: field("ok") as u64,
            throttled: field("throttled") as u64,
            rate_limited: field("rate_limited") as u64,
            failed: field("failed") as u64,
            first_ms: field("first_ms"),
            last_ms: field("last_ms"),
            stderr,
        }
    }
}

/// A fleet of `processes` workers, each sending `batches` batch sets of 20 through the shared
/// quota of `kv_per_sec`.
fn spawn_fleet(
    served: &Served,
    redis: &RedisServer,
    app: &str,
    kv_per_sec: u32,
    processes: u32,
    batches: u32,
) -> Vec<std::process::Child> {
    (0..processes)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_quota-worker"))
                .args([
                    served.url(),
                    redis.url(),
                    app.to_owned(),
                    APP_SECRET.to_owned(),
                    kv_per_sec.to_string(),
                    processes.to_string(),
                    batches.to_string(),
                    "6".to_owned(),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the worker starts")
        })
        .collect()
}

/// Waits for every worker (at most 60 s each) and reads their reports.
async fn reports(fleet: Vec<std::process::Child>) -> Vec<WorkerReport> {
    let mut reports = Vec::new();
    for child in fleet {
        let output = tokio::time::timeout(
            Duration::from_secs(60),
            tokio::task::spawn_blocking(move || child.wait_with_output()),
        )
        .await
        .expect("the worker ends within a minute")
        .unwrap()
        .unwrap();
        reports.push(WorkerReport::parse(&output));
    }
    reports
}

const FALLBACK_WARNING: &str = "Redis quota store unavailable";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_redis_quota_stay_within_it_together_and_use_it() {
    const SCALE: f64 = 10.0;
    const APP: &str = "quota-e2e-fleet";
    const PROCESSES: u32 = 3;
    const BATCHES: u32 = 70;
    let redis = RedisServer::start();
    let served = Served::with(|config| {
        config.quota.rate_scale = SCALE;
        config.rongcloud_apps = vec![RongCloudApp::new(APP, APP_SECRET)];
    })
    .await;
    let rate = Limits::DOCUMENTED
        .scale_rates(SCALE)
        .rate_per_sec(QuotaFamily::RongCloudEntrySet);

    let fleet = spawn_fleet(&served, &redis, APP, rate, PROCESSES, BATCHES);
    let reports = reports(fleet).await;

    for report in &reports {
        assert_eq!(
            (report.throttled, report.rate_limited, report.failed),
            (0, 0, 0),
            "{report:?}"
        );
        assert!(!report.stderr.contains(FALLBACK_WARNING), "{report:?}");
    }
    assert_eq!(
        served.emulator.quota_enforcer().refusals(),
        0,
        "the emulator refused some"
    );
    let units: u64 = reports.iter().map(|r| r.ok * 20).sum();
    assert_eq!(units, u64::from(PROCESSES * BATCHES * 20));
    // One window over the whole fleet: the earliest start to the latest end.
    let first = reports.iter().map(|r| r.first_ms).min().unwrap();
    let last = reports.iter().map(|r| r.last_ms).max().unwrap();
    let elapsed = Duration::from_millis(u64::try_from(last - first).unwrap());
    let share = sustained_share(units, rate, elapsed);
    assert!(
        share >= 0.95,
        "the fleet sustained {:.1} % of the quota ({units} KV in {elapsed:?})",
        share * 100.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_redis_dies_mid_run_the_fleet_falls_back_to_its_share_and_is_not_throttled() {
    const SCALE: f64 = 10.0;
    const APP: &str = "quota-e2e-fallback";
    const PROCESSES: u32 = 2;
    const BATCHES: u32 = 100;
    let mut redis = RedisServer::start();
    let served = Served::with(|config| {
        config.quota.rate_scale = SCALE;
        config.rongcloud_apps = vec![RongCloudApp::new(APP, APP_SECRET)];
    })
    .await;
    let rate = Limits::DOCUMENTED
        .scale_rates(SCALE)
        .rate_per_sec(QuotaFamily::RongCloudEntrySet);

    let fleet = spawn_fleet(&served, &redis, APP, rate, PROCESSES, BATCHES);
    // The run takes about four seconds at the shared quota; Redis goes away part-way.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.kill();
    let reports = reports(fleet).await;

    for report in &reports {
        assert_eq!(
            (report.throttled, report.rate_limited, report.failed),
            (0, 0, 0),
            "{report:?}"
        );
        assert_eq!(
            report.stderr.matches(FALLBACK_WARNING).count(),
            1,
            "one warning per outage: {report:?}"
        );
    }
    // Each process fell back to 1000 / 2 KV/s: together still within the quota.
    assert_eq!(
        served.emulator.quota_enforcer().refusals(),
        0,
        "the emulator refused some"
    );
    let units: u64 = reports.iter().map(|r| r.ok * 20).sum();
    assert_eq!(units, u64::from(PROCESSES * BATCHES * 20));
}

#[tokio::test]
async fn a_fail_closed_client_refuses_with_a_typed_error_while_redis_is_down() {
    const APP: &str = "quota-e2e-fail-closed";
    let mut redis = RedisServer::start();
    let served = Served::with(|config| {
        config.rongcloud_apps = vec![RongCloudApp::new(APP, APP_SECRET)];
    })
    .await;
    let limiter = RedisLimiter::builder(redis.url())
        .when_unavailable(WhenUnavailable::FailClosed)
        .build()
        .unwrap();
    let client = rc_builder()
        .app_key(AppKey::new(APP))
        .rate_limit(RateLimit::With(SharedRateLimiter::new(limiter)))
        .base_url(served.url())
        .build()
        .unwrap();
    let (room, owner) = (room("r"), user("u"));
    client
        .set_entry(&room, &owner, key("before"), value("v"))
        .await
        .unwrap();
    redis.kill();
    let err = client
        .set_entry(&room, &owner, key("after"), value("v"))
        .await
        .unwrap_err();
    let (family, refused) = err.rate_limited().expect("refused by the client limiter");
    assert_eq!(family, QuotaFamily::RongCloudEntrySet);
    assert!(
        matches!(refused.reason, RateLimitReason::Unavailable(_)),
        "{err}"
    );
    assert!(err.is_throttled());
    assert!(!has_entry(&served, APP, "after"), "nothing was sent");
    assert!(has_entry(&served, APP, "before"));
}
