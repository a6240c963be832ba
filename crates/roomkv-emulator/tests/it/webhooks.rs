//! Callback delivery under the vendors' rules, on tokio's paused clock with an in-memory
//! receiver: exactly 1 + 2 attempts for RongCloud then dropped, one delivery after a single
//! failure, the documented timeout, Tencent's single attempt, and a bounded queue.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roomkv_emulator::config::DeliveryPolicy;
use roomkv_emulator::events::{Delivery, DeliveryOutcome, EventKind, WebhookVendor};
use roomkv_emulator::webhooks::WebhookStats;
use roomkv_emulator::{Emulator, EmulatorConfig};
use roomkv_sign::rongcloud::{AppSecret, verify};
use roomkv_sign::tencent::{CallbackToken, verify_callback_sign};
use roomkv_transport::test_util::response;
use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, SharedHttpClient, TransportError};
use tokio::time::Instant;

use roomkv_transport::test_util::ManualClock;

use crate::common::{ADMIN, APP, SDKAPPID, T0_MS, entry_set, metadata_set, room_create};

/// What the receiver does with one attempt.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Status(u16),
    Hang,
}

/// An in-memory receiver answering from a script (then 200), logging each request and when it
/// arrived on tokio's clock.
#[derive(Debug, Clone, Default)]
struct Receiver {
    script: Arc<Mutex<VecDeque<Answer>>>,
    log: Arc<Mutex<Vec<(Instant, HttpRequest)>>>,
}

impl Receiver {
    fn scripted(answers: &[Answer]) -> Self {
        let receiver = Self::default();
        receiver
            .script
            .lock()
            .unwrap()
            .extend(answers.iter().copied());
        receiver
    }

    fn log(&self) -> Vec<(Instant, HttpRequest)> {
        self.log.lock().unwrap().clone()
    }
}

impl HttpClient for Receiver {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log.lock().unwrap().push((Instant::now(), req));
        let answer = self.script.lock().unwrap().pop_front();
        match answer.unwrap_or(Answer::Status(200)) {
            Answer::Status(status) => Ok(response(status, "")),
            Answer::Hang => std::future::pending().await,
        }
    }
}

fn config() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.webhooks.rongcloud_url = Some("http://receiver.test/rc?app=1".into());
    config.webhooks.tencent_url = Some("http://receiver.test/tc".into());
    config.webhooks.tencent_token = Some(roomkv_emulator::config::Secret::new("tok"));
    config
}

fn start(config: EmulatorConfig, receiver: &Receiver) -> Emulator {
    Emulator::builder(config)
        .clock(ManualClock::from_unix_secs(T0_MS / 1000))
        .webhook_client(SharedHttpClient::new(receiver.clone()))
        .build()
}

fn deliveries(emulator: &Emulator) -> Vec<Delivery> {
    emulator
        .state()
        .events_since(0)
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::WebhookDelivery(d) => Some(d),
            _ => None,
        })
        .collect()
}

/// Lets paused time run until `done` holds (bounded: a failing test stops by itself).
async fn until(emulator: &Emulator, done: impl Fn(&WebhookStats) -> bool) {
    for _ in 0..10_000 {
        if done(&emulator.webhook_stats()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached: {:?}", emulator.webhook_stats());
}

fn set_one(emulator: &Emulator) {
    emulator
        .state()
        .entry_set(APP, &entry_set("r1", "u1", "k1", "v1", false), T0_MS)
        .unwrap();
}

fn query(request: &HttpRequest) -> Vec<(String, String)> {
    form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> &'a str {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {query:?}"))
}

#[tokio::test(start_paused = true)]
async fn rongcloud_failures_get_exactly_two_retries_then_the_event_is_dropped() {
    let receiver = Receiver::scripted(&[Answer::Status(500); 5]);
    let emulator = start(config(), &receiver);
    set_one(&emulator);
    until(&emulator, |s| s.failed == 1).await;
    // Plenty of time for a fourth attempt that must not come.
    tokio::time::sleep(Duration::from_secs(120)).await;

    let log = receiver.log();
    assert_eq!(log.len(), 3, "1 attempt + 2 retries");
    for pair in log.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, DeliveryPolicy::RONGCLOUD.retry_delay);
    }
    let attempts: Vec<(u32, bool)> = deliveries(&emulator)
        .iter()
        .map(|d| (d.attempt, d.is_final))
        .collect();
    assert_eq!(attempts, [(1, false), (2, false), (3, true)]);
    assert!(
        deliveries(&emulator)
            .iter()
            .all(|d| d.vendor == WebhookVendor::RongCloud
                && d.outcome == DeliveryOutcome::Status { status: 500 }
                && d.event_seq == 1)
    );
    assert_eq!(
        emulator.webhook_stats(),
        WebhookStats {
            queued: 1,
            queue_full: 0,
            attempts: 3,
            delivered: 0,
            failed: 1
        }
    );

    // Every attempt is signed afresh, as documented, with the app secret.
    let secret = AppSecret::new("demo-app-secret");
    let mut nonces: Vec<String> = Vec::new();
    for (_, request) in &log {
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri().path(), "/rc");
        assert_eq!(request.headers()["content-type"], "application/json");
        let q = query(request);
        assert_eq!(param(&q, "app"), "1", "the URL's own query is kept");
        let (nonce, ts) = (param(&q, "nonce"), param(&q, "timestamp"));
        assert_eq!(ts, T0_MS.to_string());
        assert!(
            nonce.len() <= 18 && nonce.bytes().all(|b| b.is_ascii_digit()),
            "{nonce}"
        );
        assert_eq!(verify(&secret, nonce, ts, param(&q, "signature")), Ok(()));
        nonces.push(nonce.to_owned());
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"chatroomId":"r1","key":"k1","value":"v1","optType":1,
                "userId":"u1","timestamp":T0_MS,"version":1})
        );
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce per attempt");
}

#[tokio::test(start_paused = true)]
async fn one_failure_then_success_is_delivered_once() {
    let receiver = Receiver::scripted(&[Answer::Status(503)]);
    let emulator = start(config(), &receiver);
    set_one(&emulator);
    until(&emulator, |s| s.delivered == 1).await;
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(receiver.log().len(), 2);
    let outcomes: Vec<DeliveryOutcome> = deliveries(&emulator)
        .into_iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            DeliveryOutcome::Status { status: 503 },
            DeliveryOutcome::Delivered
        ]
    );
    assert_eq!(emulator.webhook_stats().failed, 0);
}

#[tokio::test(start_paused = true)]
async fn rongcloud_timeouts_are_five_seconds() {
    let receiver = Receiver::scripted(&[Answer::Hang; 3]);
    let emulator = start(config(), &receiver);
    let begin = Instant::now();
    set_one(&emulator);
    until(&emulator, |s| s.failed == 1).await;
    let log = receiver.log();
    let offsets: Vec<Duration> = log.iter().map(|(at, _)| *at - begin).collect();
    // 5 s timeout + 1 s pause between attempts.
    assert_eq!(
        offsets,
        [
            Duration::ZERO,
            Duration::from_secs(6),
            Duration::from_secs(12)
        ]
    );
    assert!(
        deliveries(&emulator)
            .iter()
            .all(|d| d.outcome == DeliveryOutcome::Timeout)
    );
}

#[tokio::test(start_paused = true)]
async fn tencent_callbacks_are_attempted_once_and_carry_sign() {
    let receiver = Receiver::scripted(&[Answer::Status(500)]);
    let emulator = start(config(), &receiver);
    let state = emulator.state();
    state
        .room_create(SDKAPPID, ADMIN, &room_create("live-1"), T0_MS)
        .unwrap();
    state
        .metadata_set(
            SDKAPPID,
            ADMIN,
            &metadata_set("live-1", &[("k", "v")]),
            T0_MS,
        )
        .unwrap();
    until(&emulator, |s| s.failed == 1).await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let log = receiver.log();
    assert_eq!(log.len(), 1, "no retry under the Tencent policy");
    let q = query(&log[0].1);
    assert_eq!(param(&q, "SdkAppid"), SDKAPPID.to_string());
    assert_eq!(
        param(&q, "CallbackCommand"),
        "Live.CallbackAfterSetMetadata"
    );
    assert_eq!(param(&q, "contenttype"), "json");
    let time = param(&q, "RequestTime");
    assert_eq!(time, (T0_MS / 1000).to_string());
    assert_eq!(
        verify_callback_sign(&CallbackToken::new("tok"), time, param(&q, "Sign")),
        Ok(())
    );
    let d = deliveries(&emulator);
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].vendor, d[0].attempt, d[0].is_final),
        (WebhookVendor::Tencent, 1, true)
    );
}

/// `Live.CallbackAfterUpdateRoomInfo` is recorded and delivered like the metadata callbacks,
/// and what is delivered verifies with roomkv-webhook, the settings sent in its `RoomInfo`.
#[tokio::test(start_paused = true)]
async fn room_info_callbacks_are_delivered_and_verify_with_roomkv_webhook() {
    use roomkv_core::tencent::{RoomId, UpdateRoomInfo};
    use roomkv_webhook::{TencentCallback, TencentCallbackVerifier};

    let receiver = Receiver::default();
    let emulator = start(config(), &receiver);
    let state = emulator.state();
    state
        .room_create(SDKAPPID, ADMIN, &room_create("live-1"), T0_MS)
        .unwrap();
    let update = UpdateRoomInfo::new(RoomId::non_validated("live-1"))
        .notice("welcome")
        .unmodeled_field("IsUnlimitedRoomEnabled", true.into());
    state.room_update(SDKAPPID, ADMIN, &update, T0_MS).unwrap();
    until(&emulator, |s| s.delivered == 1).await;
    let log = receiver.log();
    let request = &log[0].1;
    assert_eq!(
        param(&query(request), "CallbackCommand"),
        "Live.CallbackAfterUpdateRoomInfo"
    );
    let verifier = TencentCallbackVerifier::new(CallbackToken::new("tok"), Duration::from_secs(60))
        .expect_sdkappid(SDKAPPID);
    let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_millis(T0_MS);
    let Ok(TencentCallback::AfterUpdateRoomInfo {
        operator_account,
        room_id,
        room_info,
        event_time_ms,
        ..
    }) = verifier.verify(request, now)
    else {
        panic!("{:?}", String::from_utf8_lossy(request.body()))
    };
    assert_eq!(
        (operator_account.as_str(), room_id.as_str()),
        (ADMIN, "live-1")
    );
    assert_eq!(event_time_ms, T0_MS);
    assert_eq!(
        serde_json::Value::Object(room_info),
        serde_json::json!({"RoomId": "live-1", "Notice": "welcome", "IsUnlimitedRoomEnabled": true})
    );
}

#[tokio::test(start_paused = true)]
async fn a_full_queue_drops_and_counts_without_blocking_writes() {
    let receiver = Receiver::scripted(&[Answer::Hang; 10]);
    let mut config = config();
    config.webhooks.queue_capacity = 1;
    config.webhooks.concurrency = 1;
    config.webhooks.rongcloud_policy =
        DeliveryPolicy::new(Duration::from_secs(1), 0, Duration::ZERO);
    let emulator = start(config, &receiver);
    // Three writes in a row: the worker cannot run in between, so one waits and two are dropped.
    for key in ["a", "b", "c"] {
        emulator
            .state()
            .entry_set(APP, &entry_set("r1", "u1", key, "v", false), T0_MS)
            .unwrap();
    }
    let stats = emulator.webhook_stats();
    assert_eq!((stats.queued, stats.queue_full), (1, 2));
    until(&emulator, |s| s.failed == 1).await;
    assert_eq!(receiver.log().len(), 1);
}

#[tokio::test]
async fn without_a_url_nothing_is_queued() {
    let receiver = Receiver::default();
    let emulator = start(EmulatorConfig::default(), &receiver);
    set_one(&emulator);
    tokio::task::yield_now().await;
    assert_eq!(emulator.webhook_stats(), WebhookStats::default());
    assert!(receiver.log().is_empty());
}
