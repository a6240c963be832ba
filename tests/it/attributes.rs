//! One conformance suite for [`RoomAttributes`], run against both clients through the emulator,
//! and the bulk writes of each client: chunking within the limits and the exact report of a
//! partial failure, made with fault injection on the Nth request.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_tencent::TencentSettings;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use roomkv_emulator::Emulator;
use roomkv_emulator::faults::{FaultEffect, FaultRule};
use roomkv_rongcloud::{AttributeError, RoomAttributes};
use roomkv_tencent::{CreateRoom, Limits};
use roomkv_transport::{HttpClient, HttpRequest, HttpResponse, HyperClient, TransportError};

use crate::support::*;

/// Every test here ends within this time, or fails.
const TEST_LIMIT: Duration = Duration::from_secs(60);

const RC_BATCH_SET: &str = "/chatroom/entry/batch/set.json";
const TC_SET: &str = "/v4/live_engine_http_srv/set_room_metadata";

/// The built-in `HyperClient`, adding a fault rule to the emulator just before the `nth`
/// request to `path` (counted from 1), so that exactly that request meets the fault.
#[derive(Debug)]
struct FaultOnNth {
    inner: HyperClient,
    emulator: Emulator,
    path: &'static str,
    nth: usize,
    effect: FaultEffect,
    seen: AtomicUsize,
}

impl FaultOnNth {
    fn new(emulator: &Emulator, path: &'static str, nth: usize, effect: FaultEffect) -> Self {
        Self {
            inner: HyperClient::builder()
                .timeout(EXCHANGE_TIMEOUT)
                .build()
                .expect("the built-in HTTP client builds"),
            emulator: emulator.clone(),
            path,
            nth,
            effect,
            seen: AtomicUsize::new(0),
        }
    }
}

impl HttpClient for FaultOnNth {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.uri().path() == self.path
            && self.seen.fetch_add(1, Ordering::SeqCst) + 1 == self.nth
        {
            self.emulator
                .add_fault(FaultRule::new(self.path, self.effect.clone()).times(1))
                .expect("the fault rule is valid");
        }
        self.inner.send(request).await
    }
}

fn shared(client: FaultOnNth) -> roomkv_transport::SharedHttpClient {
    roomkv_transport::SharedHttpClient::new(client)
}

/// A RongCloud client of the default app sending through `http` (which keeps its own time
/// limit, so the builder's is not set).
fn rc_via(served: &Served, http: FaultOnNth) -> roomkv_rongcloud::Client {
    roomkv_rongcloud::Client::builder()
        .app_key(roomkv_rongcloud::AppKey::new(APP_KEY))
        .app_secret(roomkv_rongcloud::AppSecret::new(APP_SECRET))
        .retry_policy(fast_retries())
        .rate_limit(own_limiter())
        .http_client(shared(http))
        .base_url(served.url())
        .build()
        .expect("the client builds")
}

/// A refusal RongCloud / Tencent would give without acting (a final code).
fn refusal(code: i64) -> FaultEffect {
    FaultEffect::VendorError {
        code,
        message: None,
        http_status: None,
    }
}

/// `prefix-0 = v0`, … in input order.
fn numbered(prefix: &str, n: usize, value_len: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("{prefix}-{i:02}"), format!("{i:0>value_len$}")))
        .collect()
}

fn keys_of(pairs: &[(String, String)]) -> Vec<String> {
    pairs.iter().map(|(k, _)| k.clone()).collect()
}

/// What every vendor's [`RoomAttributes`] does, given one whose room `room` exists and is empty,
/// and whose per-request limit is `per_request` keys while a room holds at least
/// `3 * per_request`.
async fn conformance<A: RoomAttributes>(attrs: &A, room: &str, per_request: usize) {
    let vendor = attrs.vendor();
    // A missing key, an empty room.
    assert_eq!(attrs.get(room, "missing").await.unwrap(), None, "{vendor}");
    assert!(attrs.get_all(room).await.unwrap().is_empty(), "{vendor}");

    // Set, get, get all.
    let report = attrs
        .set_many(
            room,
            vec![
                ("stage".into(), "quiz".into()),
                ("score".into(), "1".into()),
            ],
        )
        .await
        .unwrap();
    assert!(report.is_complete(), "{vendor}: {report}");
    assert_eq!(report.applied, ["stage", "score"], "{vendor}");
    assert_eq!(
        attrs.get(room, "stage").await.unwrap().as_deref(),
        Some("quiz")
    );
    let all = attrs.get_all(room).await.unwrap();
    let expected: BTreeMap<String, String> = [
        ("score".into(), "1".into()),
        ("stage".into(), "quiz".into()),
    ]
    .into();
    assert_eq!(all, expected, "{vendor}");

    // Overwrite.
    attrs
        .set_many(room, vec![("score".into(), "2".into())])
        .await
        .unwrap();
    assert_eq!(
        attrs.get(room, "score").await.unwrap().as_deref(),
        Some("2")
    );

    // Remove, with a key the room does not have: reported applied, nothing refused.
    let report = attrs
        .remove_many(room, vec!["score".into(), "never-set".into()])
        .await
        .unwrap();
    assert!(report.is_complete(), "{vendor}: {report}");
    let mut applied = report.applied.clone();
    applied.sort();
    assert_eq!(applied, ["never-set", "score"], "{vendor}");
    assert_eq!(attrs.get(room, "score").await.unwrap(), None, "{vendor}");
    let report = attrs.remove_many(room, vec!["gone".into()]).await.unwrap();
    assert_eq!((report.applied.len(), report.requests), (1, 0), "{vendor}");

    // A large set in several requests, every key once.
    let many = numbered("bulk", 2 * per_request + 3, 4);
    let report = attrs.set_many(room, many.clone()).await.unwrap();
    assert!(report.is_complete(), "{vendor}: {report}");
    assert_eq!(report.requests, 3, "{vendor}");
    assert_eq!(report.applied, keys_of(&many), "{vendor}");
    let all = attrs.get_all(room).await.unwrap();
    for (key, value) in &many {
        assert_eq!(all.get(key), Some(value), "{vendor}: {key}");
    }
    let report = attrs.remove_many(room, keys_of(&many)).await.unwrap();
    assert!(report.is_complete(), "{vendor}: {report}");
    assert_eq!(report.requests, 3, "{vendor}");
    assert_eq!(
        attrs.get_all(room).await.unwrap().len(),
        1,
        "{vendor}: only stage is left"
    );

    // Limit violations are typed, name the field, and send nothing.
    let long_key = "k".repeat(200);
    for pairs in [
        vec![(long_key.clone(), "v".into())],
        vec![("ok".into(), "v".repeat(5000))],
        vec![("dup".into(), "1".into()), ("dup".into(), "2".into())],
    ] {
        let err = attrs.set_many(room, pairs).await.unwrap_err();
        let AttributeError::Invalid(validation) = &err else {
            panic!("{vendor}: {err:?}");
        };
        assert!(
            err.to_string()
                .starts_with("request refused before sending"),
            "{err}"
        );
        assert!(!err.is_outcome_unknown());
        let _ = validation;
    }
    assert!(matches!(
        attrs.get("", "stage").await,
        Err(AttributeError::Invalid(_))
    ));
    assert!(attrs.check_key(&long_key).is_err() && attrs.check_key("stage").is_ok());
    assert_eq!(
        attrs.get_all(room).await.unwrap().len(),
        1,
        "{vendor}: nothing was written"
    );
}

/// Given attributes whose 2nd set request to the vendor fails (`refused`: provably not
/// applied, or not), a write of three requests' worth reports exactly what happened.
async fn partial_failure<A: RoomAttributes>(
    attrs: &A,
    room: &str,
    per_request: usize,
    refused: bool,
) -> Vec<(String, String)> {
    let vendor = attrs.vendor();
    let many = numbered("part", 3 * per_request, 2);
    let report = attrs.set_many(room, many.clone()).await.unwrap();
    let keys = keys_of(&many);
    let (first, rest) = keys.split_at(per_request);
    let (second, third) = rest.split_at(per_request);
    assert_eq!(report.applied, first, "{vendor}");
    assert_eq!(
        report.requests, 2,
        "{vendor}: the failed request ends the write"
    );
    let failure = report.failure.as_ref().expect("the second request failed");
    assert_eq!(failure.keys, second, "{vendor}");
    if refused {
        assert_eq!(report.not_applied, [second, third].concat(), "{vendor}");
        assert!(report.unknown.is_empty(), "{vendor}");
        assert!(
            matches!(failure.error, AttributeError::Vendor { .. }),
            "{vendor}: {:?}",
            failure.error
        );
    } else {
        assert_eq!(report.unknown, second, "{vendor}");
        assert_eq!(report.not_applied, third, "{vendor}");
        assert!(failure.error.is_outcome_unknown(), "{vendor}");
        assert!(
            matches!(failure.error, AttributeError::Transport { .. }),
            "{vendor}: {:?}",
            failure.error
        );
    }
    // The room holds exactly the applied keys (and, after a lost reply, the unknown ones).
    let all = attrs.get_all(room).await.unwrap();
    let mut expected: Vec<&String> = report.applied.iter().chain(&report.unknown).collect();
    expected.sort();
    assert_eq!(all.keys().collect::<Vec<_>>(), expected, "{vendor}");
    many
}

#[tokio::test]
async fn rongcloud_entries_conform() {
    tokio::time::timeout(TEST_LIMIT, async {
        let served = Served::start().await;
        let client = rc_client(&served.url());
        let attrs = client.room_attributes(user("owner"));
        conformance(
            &attrs,
            "conformance",
            client.limits().rongcloud.batch_entries_max,
        )
        .await;
        assert!(
            served
                .entries("conformance")
                .iter()
                .all(|e| e.user_id == "owner"),
            "entries are written as the view's owner"
        );
    })
    .await
    .expect("the test finishes in time");
}

/// Tencent rooms hold as many keys as one request carries, so the emulator's rooms are made
/// four times larger (a quota Tencent raises on request) while the client keeps the documented
/// per-request limits.
async fn tencent_with_large_rooms(
    http: Option<FaultOnNth>,
    served: &Served,
) -> roomkv_tencent::Client {
    let builder = match http {
        // The custom client keeps its own time limit, so the builder's is not set.
        Some(http) => roomkv_tencent::Client::builder()
            .sdkappid(SDKAPPID)
            .secret_key(roomkv_tencent::SecretKey::new(SECRET_KEY))
            .retry_policy(fast_retries())
            .rate_limit(own_limiter())
            .http_client(shared(http)),
        None => tc_builder(),
    };
    let client = builder
        .base_url(served.url())
        .build()
        .expect("the client builds");
    client
        .create_room(CreateRoom::new(live("conformance")))
        .await
        .unwrap();
    client
}

fn large_rooms(config: &mut roomkv_emulator::EmulatorConfig) {
    let mut limits = Limits::default();
    limits.tencent.metadata_keys_max *= 4;
    limits.tencent.metadata_total_value_max_bytes *= 4;
    config.limits = limits;
}

#[tokio::test]
async fn tencent_metadata_conforms() {
    tokio::time::timeout(TEST_LIMIT, async {
        let served = Served::with(large_rooms).await;
        let client = tencent_with_large_rooms(None, &served).await;
        conformance(
            &client,
            "conformance",
            client.limits().tencent.metadata_keys_max,
        )
        .await;
        // The room's capacity is the client's limits.
        let capacity = client.capacity();
        assert_eq!(capacity.keys_per_room_max, 10);
        assert_eq!(capacity.total_value_max_bytes, Some(16384));
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test]
async fn a_refused_chunk_reports_exactly_what_was_applied() {
    tokio::time::timeout(TEST_LIMIT, async {
        let served = Served::with(large_rooms).await;
        // RongCloud: 1002 (a parameter error, final) on the 2nd batch set.
        let rc = rc_via(
            &served,
            FaultOnNth::new(&served.emulator, RC_BATCH_SET, 2, refusal(1002)),
        );
        partial_failure(&rc.room_attributes(user("owner")), "partial", 20, true).await;
        // Tencent: 100006 (no permission, final) on the 2nd set.
        let http = FaultOnNth::new(&served.emulator, TC_SET, 2, refusal(100_006));
        let tc = tencent_with_large_rooms(Some(http), &served).await;
        partial_failure(&tc, "conformance", 10, true).await;
        assert!(served.faults_used_up());
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test]
async fn a_lost_reply_reports_its_chunk_unknown_and_a_rerun_completes() {
    tokio::time::timeout(TEST_LIMIT, async {
        let served = Served::with(large_rooms).await;
        let lost = || FaultEffect::CloseAfterProcessing;
        let rc = rc_via(
            &served,
            FaultOnNth::new(&served.emulator, RC_BATCH_SET, 2, lost()),
        );
        let attrs = rc.room_attributes(user("owner"));
        let many = partial_failure(&attrs, "lost", 20, false).await;
        // Repeating the whole write (the fault was used once) applies everything.
        let rerun = attrs.set_many("lost", many.clone()).await.unwrap();
        assert!(rerun.is_complete(), "{rerun}");
        assert_eq!(attrs.get_all("lost").await.unwrap().len(), many.len());

        let http = FaultOnNth::new(&served.emulator, TC_SET, 2, lost());
        let tc = tencent_with_large_rooms(Some(http), &served).await;
        partial_failure(&tc, "conformance", 10, false).await;
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test]
async fn expansions_and_large_values_are_split_within_the_limits() {
    tokio::time::timeout(TEST_LIMIT, async {
        let served = Served::start().await;
        let client = rc_client(&served.url());
        // 250 expansions: three calls of at most 100 keys, and the body limit splits further
        // when the values are long.
        let entries: Vec<_> = (0..250)
            .map(|i| (ekey(&format!("e{i}")), evalue(&"x".repeat(2000))))
            .collect();
        let report = client
            .set_expansions(
                &msg("BULK-0001"),
                &user("alice"),
                roomkv_rongcloud::ConversationType::Group,
                &target("group1"),
                entries.clone(),
            )
            .await
            .unwrap();
        assert!(report.is_complete(), "{report}");
        assert_eq!(report.applied.len(), 250);
        // 2000-byte values: a form body of 100 pairs would exceed 100 KB, so each call holds
        // fewer (every call passed validation, so each was within the body limit).
        assert!(report.requests > 3, "{}", report.requests);
        assert_eq!(served.expansion_messages(), report.requests);
        let deleted = client
            .delete_expansions(
                &msg("BULK-0001"),
                &user("alice"),
                roomkv_rongcloud::ConversationType::Group,
                &target("group1"),
                entries.iter().map(|(k, _)| k.clone()),
            )
            .await
            .unwrap();
        assert_eq!((deleted.applied.len(), deleted.requests), (250, 3));
        let page = client.query_expansion(&msg("BULK-0001")).await.unwrap();
        assert!(page.entries.is_empty());

        // Entries whose values are multi-byte: 20 of them would exceed the body, so the
        // batches are halved; every key arrives once.
        let big: Vec<_> = (0..40)
            .map(|i| (key(&format!("big{i}")), value(&"é".repeat(2000))))
            .collect();
        let report = client
            .set_entries(&room("big"), &user("owner"), big.clone())
            .await
            .unwrap();
        assert!(report.is_complete(), "{report}");
        assert!(report.requests > 2, "{}", report.requests);
        assert_eq!(served.entries("big").len(), 40);
    })
    .await
    .expect("the test finishes in time");
}

/// `del_room_metadata` sends at most 10 keys (`docs/vendors/tencent.md#metadata-limits`, issue 15): 25 keys are
/// refused before sending, naming `Keys` and the limit, while the bulk delete takes them in
/// requests of at most 10. The emulator's rooms hold 40 keys here; the client keeps the
/// documented per-request limits.
#[tokio::test]
async fn tencent_deletes_more_than_ten_keys_only_through_the_bulk_path() {
    tokio::time::timeout(TEST_LIMIT, async {
        let served = Served::with(large_rooms).await;
        let client = tc_builder()
            .base_url(served.url())
            .build()
            .expect("the client builds");
        let room = live("chunks");
        client
            .create_room(CreateRoom::new(room.clone()))
            .await
            .unwrap();
        let keys: Vec<_> = (0..25).map(|i| mkey(&format!("k{i}"))).collect();
        let report = client
            .set_room_metadata_bulk(&room, keys.iter().map(|k| (k.clone(), mvalue("v"))))
            .await
            .unwrap();
        assert!(report.failure.is_none());

        let err = client
            .del_room_metadata(&room, keys.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err.kind(), roomkv_tencent::ErrorKind::Validation(_)),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains("Keys has 25 keys, at most 10 allowed"),
            "{err}"
        );
        let left = client.get_all_room_metadata(&room).await.unwrap();
        assert_eq!(left.len(), 25, "nothing was sent");

        let report = client
            .del_room_metadata_bulk(&room, keys.clone())
            .await
            .unwrap();
        assert!(report.failure.is_none());
        assert_eq!(report.applied, keys);
        assert_eq!(report.requests, 3);
        assert!(
            client
                .get_all_room_metadata(&room)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await
    .expect("the test finishes in time");
}
