//! Tencent Cloud Live over real sockets: every operation of `roomkv_tencent::Client` against the
//! emulator, and every documented error code as the client's typed error.

use roomkv_tencent::TencentSettings;
use std::time::{Duration, SystemTime};

use roomkv_emulator::config::TencentApp;
use roomkv_emulator::events::TencentCallback;
use roomkv_tencent::{
    CreateRoom, Error, Identifier, MetadataKey, MetadataValue, SecretKey, TakeSeatMode,
    TencentCode, Validation,
};
use roomkv_transport::test_util::ManualClock;

use crate::support::*;

/// What every refusal by Tencent has in common: one attempt, an `Api` error with the code and
/// Tencent's request id, nothing retried, nothing left in doubt.
fn assert_refused(err: &Error, code: TencentCode) {
    assert_refused_after(err, code, 1);
}

fn assert_refused_after(err: &Error, code: TencentCode, attempts: u32) {
    assert_eq!(err.api_code(), Some(code), "{err}");
    assert_eq!(err.attempts(), attempts, "{err}");
    assert!(!err.is_outcome_unknown(), "{err}");
    assert!(!err.is_throttled(), "{err}");
    assert!(!err.is_retryable(), "{err}");
    let id = err.request_id().expect("Tencent answers with a RequestId");
    assert!(
        id.starts_with("Id-") && id.contains("-O-Seq-"),
        "RequestId {id:?}"
    );
    assert!(err.to_string().contains(&code.code().to_string()), "{err}");
}

/// `n` distinct metadata pairs `prefix0..`, each value `size` bytes.
fn metadata(prefix: &str, n: usize, size: usize) -> Vec<(MetadataKey, MetadataValue)> {
    (0..n)
        .map(|i| (mkey(&format!("{prefix}{i}")), mvalue(&"x".repeat(size))))
        .collect()
}

// ------------------------------------------------------------------------------ operations

#[tokio::test]
async fn room_lifecycle_and_metadata_set_get_delete() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("live-room-1");

    let before = now_ms() / 1000;
    client
        .create_room(
            CreateRoom::new(r.clone())
                .room_name("Friday quiz")
                .max_member_count(500)
                .cover_url("https://example.invalid/cover.png")
                .message_disabled(false)
                .category([1, 2])
                .public_visible(true)
                .seat_enabled(true)
                .take_seat_mode(TakeSeatMode::ApplyToTake)
                .max_seat_count(8)
                .activity_status(3),
        )
        .await
        .unwrap();
    let after = now_ms() / 1000;

    let info = client.get_room_info(&r).await.unwrap();
    assert_eq!(info.room_id, r);
    assert_eq!(info.room_name.as_deref(), Some("Friday quiz"));
    assert_eq!(
        info.owner_account.as_ref().map(Identifier::as_str),
        Some(ADMIN)
    );
    assert_eq!(info.room_type.as_deref(), Some("Live"));
    assert_eq!(info.max_member_count, Some(500));
    assert_eq!(
        info.cover_url.as_deref(),
        Some("https://example.invalid/cover.png")
    );
    assert_eq!(info.is_message_disabled, Some(false));
    assert_eq!(info.category.as_deref(), Some(&[1, 2][..]));
    assert_eq!(info.is_public_visible, Some(true));
    assert_eq!(info.is_seat_enabled, Some(true));
    assert_eq!(info.take_seat_mode, Some(TakeSeatMode::ApplyToTake));
    assert_eq!(info.max_seat_count, Some(8));
    assert_eq!(info.activity_status, Some(3));
    // A room created with nothing but its id: named after it, owned by the caller.
    client
        .create_room(CreateRoom::new(live("bare")))
        .await
        .unwrap();
    let bare = client.get_room_info(&live("bare")).await.unwrap();
    assert_eq!(bare.room_name.as_deref(), Some("bare"));
    assert_eq!(
        bare.owner_account.as_ref().map(Identifier::as_str),
        Some(ADMIN)
    );
    let created = info.create_time.expect("CreateTime is answered");
    assert!((before..=after).contains(&created), "CreateTime {created}");

    // A new room has no metadata.
    assert!(client.get_all_room_metadata(&r).await.unwrap().is_empty());

    client
        .set_room_metadata(
            &r,
            [
                (mkey("stage"), mvalue("quiz")),
                (mkey("score"), mvalue("42")),
            ],
        )
        .await
        .unwrap();
    let all = client.get_all_room_metadata(&r).await.unwrap();
    assert_eq!(pairs(&all), [("stage", "quiz"), ("score", "42")]);

    // Upsert: one key replaced, one added.
    client
        .set_room_metadata(
            &r,
            [
                (mkey("score"), mvalue("43")),
                (mkey("seat"), mvalue("alice")),
            ],
        )
        .await
        .unwrap();
    let all = client.get_all_room_metadata(&r).await.unwrap();
    assert_eq!(
        pairs(&all),
        [("stage", "quiz"), ("score", "43"), ("seat", "alice")]
    );

    // A subset; a key the room does not have is left out.
    let some = client
        .get_room_metadata(&r, [mkey("seat"), mkey("missing"), mkey("stage")])
        .await
        .unwrap();
    assert_eq!(pairs(&some), [("seat", "alice"), ("stage", "quiz")]);

    // Deleting existing and missing keys together succeeds.
    client
        .del_room_metadata(&r, [mkey("score"), mkey("missing")])
        .await
        .unwrap();
    let all = client.get_all_room_metadata(&r).await.unwrap();
    assert_eq!(pairs(&all), [("stage", "quiz"), ("seat", "alice")]);
    assert_eq!(
        served.metadata("live-room-1").unwrap(),
        [
            ("stage".to_owned(), "quiz".to_owned()),
            ("seat".to_owned(), "alice".to_owned())
        ]
    );

    // Every change was reported as Tencent's callbacks, as the admin.
    let callbacks = served.callbacks();
    assert_eq!(callbacks.len(), 3, "{callbacks:?}");
    match &callbacks[2] {
        TencentCallback::AfterDelMetadata {
            operator_account,
            room_id,
            keys,
            ..
        } => {
            assert_eq!(operator_account, ADMIN);
            assert_eq!(room_id, "live-room-1");
            assert_eq!(keys, &["score"], "only the keys actually deleted");
        }
        other => panic!("{other:?}"),
    }

    // Destroyed, the room and its metadata are gone.
    client.destroy_room(&r).await.unwrap();
    let err = client.get_room_info(&r).await.unwrap_err();
    assert_refused(&err, TencentCode::RoomNotFound);
    assert_eq!(served.metadata("live-room-1"), None);
}

#[tokio::test]
async fn awkward_ids_keys_and_values_round_trip_unchanged() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("room 1/&?=\"x\\");
    let awkward = "a+b c=d&e%20f\\\"g\n\t\u{0}h€😀";
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    client
        .set_room_metadata(
            &r,
            [
                (mkey("键 + space/&=?"), mvalue(awkward)),
                (mkey("empty"), mvalue("")),
            ],
        )
        .await
        .unwrap();
    let all = client.get_all_room_metadata(&r).await.unwrap();
    assert_eq!(pairs(&all), [("键 + space/&=?", awkward), ("empty", "")]);
    let one = client
        .get_room_metadata(&r, [mkey("键 + space/&=?")])
        .await
        .unwrap();
    assert_eq!(pairs(&one), [("键 + space/&=?", awkward)]);
    assert_eq!(
        served.metadata("room 1/&?=\"x\\").unwrap()[0],
        ("键 + space/&=?".to_owned(), awkward.to_owned())
    );
    client
        .del_room_metadata(&r, [mkey("键 + space/&=?"), mkey("empty")])
        .await
        .unwrap();
    assert!(client.get_all_room_metadata(&r).await.unwrap().is_empty());
    client.destroy_room(&r).await.unwrap();
}

// ------------------------------------------------------------------------------ error codes

#[tokio::test]
async fn an_existing_room_is_100003_and_a_missing_one_100004() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("taken");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    let err = client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::RoomIdExists);

    let missing = live("missing");
    for err in [
        client.get_room_info(&missing).await.unwrap_err(),
        client.destroy_room(&missing).await.unwrap_err(),
        client.get_all_room_metadata(&missing).await.unwrap_err(),
        client
            .set_room_metadata(&missing, [(mkey("k"), mvalue("v"))])
            .await
            .unwrap_err(),
        client
            .del_room_metadata(&missing, [mkey("k")])
            .await
            .unwrap_err(),
    ] {
        assert_refused(&err, TencentCode::RoomNotFound);
    }
}

#[tokio::test]
async fn a_room_holds_at_most_10_keys_100500() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("ten");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    client
        .set_room_metadata(&r, metadata("k", 10, 1))
        .await
        .unwrap();

    // An 11th key: refused by Tencent, since only Tencent knows the room's keys.
    let err = client
        .set_room_metadata(&r, [(mkey("k10"), mvalue("v"))])
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::MetadataKeyCountExceeded);
    assert_eq!(served.metadata("ten").unwrap().len(), 10);
    // Replacing one of the ten is fine.
    client
        .set_room_metadata(&r, [(mkey("k0"), mvalue("new"))])
        .await
        .unwrap();
}

#[tokio::test]
async fn values_over_16_kb_in_a_room_are_100502() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("big");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    // Each request is within every limit the client checks (10,000 bytes of values), but the
    // room would hold 20,000 bytes after the second.
    client
        .set_room_metadata(&r, metadata("a", 5, 2000))
        .await
        .unwrap();
    let err = client
        .set_room_metadata(&r, metadata("b", 5, 2000))
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::MetadataTotalTooLarge);
    assert_eq!(served.metadata("big").unwrap().len(), 5);
}

#[tokio::test]
async fn server_side_validation_answers_100501_100502_100504_when_the_client_does_not_check() {
    let served = Served::start().await;
    let unchecked = tc_builder()
        .base_url(served.url())
        .validation(Validation::Off)
        .build()
        .unwrap();
    let checked = tc_client(&served.url());
    let r = live("limits");
    unchecked
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();

    let long_value = vec![(mkey("k"), MetadataValue::non_validated("x".repeat(2049)))];
    let heavy = metadata("h", 9, 2000); // 18,000 bytes of values in one request
    let long_key = vec![(MetadataKey::non_validated("k".repeat(51)), mvalue("v"))];

    let cases = [
        (long_value, TencentCode::MetadataValueTooLarge),
        (heavy, TencentCode::MetadataTotalTooLarge),
        (long_key, TencentCode::MetadataKeyTooLong),
    ];
    for (entries, code) in cases {
        let err = unchecked
            .set_room_metadata(&r, entries.clone())
            .await
            .unwrap_err();
        assert_refused(&err, code);
        // With validation on, the same request never leaves the client.
        let err = checked.set_room_metadata(&r, entries).await.unwrap_err();
        assert!(
            matches!(err.kind(), roomkv_tencent::ErrorKind::Validation(_)),
            "{err}"
        );
        assert_eq!(err.attempts(), 0);
    }
    assert_eq!(served.metadata("limits").unwrap(), []);
}

#[tokio::test]
async fn a_body_over_100_kb_is_60002() {
    let served = Served::start().await;
    let unchecked = tc_builder()
        .base_url(served.url())
        .validation(Validation::Off)
        .build()
        .unwrap();
    let r = live("huge");
    unchecked
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    let huge = MetadataValue::non_validated("x".repeat(100 * 1024));
    let err = unchecked
        .set_room_metadata(&r, [(mkey("k"), huge)])
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::HttpParseError);
    assert_eq!(served.metadata("huge").unwrap(), []);
}

#[tokio::test]
async fn deleting_only_missing_keys_is_100503() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("del");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    client
        .set_room_metadata(&r, [(mkey("kept"), mvalue("v"))])
        .await
        .unwrap();
    let err = client
        .del_room_metadata(&r, [mkey("none1"), mkey("none2")])
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::MetadataKeysNotFound);
    assert_eq!(served.metadata("del").unwrap().len(), 1);
}

#[tokio::test]
async fn over_quota_without_retries_is_60007_and_throttled() {
    // A ten-thousandth of the documented 200/s per command: one set_room_metadata per 50 s.
    let served = Served::with(|c| c.quota.rate_scale = 0.0001).await;
    let client = tc_builder()
        .base_url(served.url())
        .retry_policy(roomkv_tencent::RetryPolicy::no_retry())
        .build()
        .unwrap();
    let r = live("busy");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    client
        .set_room_metadata(&r, [(mkey("a"), mvalue("1"))])
        .await
        .unwrap();
    let err = client
        .set_room_metadata(&r, [(mkey("b"), mvalue("2"))])
        .await
        .unwrap_err();
    assert!(err.is_throttled(), "{err}");
    assert!(err.is_retryable(), "{err}");
    assert!(!err.is_outcome_unknown(), "refused unprocessed: {err}");
    assert_eq!(err.api_code(), Some(TencentCode::RestFrequencyLimit));
    assert_eq!(err.attempts(), 1);
    assert_eq!(served.metadata("busy").unwrap().len(), 1);
}

#[tokio::test]
async fn a_usersig_of_another_key_is_70009() {
    let served = Served::start().await;
    let client = tc_builder()
        .secret_key(SecretKey::new("not-the-secret-key"))
        .base_url(served.url())
        .build()
        .unwrap();
    let err = client
        .create_room(CreateRoom::new(live("r")))
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::UserSigKeyMismatch);
    assert_eq!(served.metadata("r"), None);
}

#[tokio::test]
async fn an_expired_usersig_is_renewed_once_then_70001() {
    // The client's clock is two days behind the emulator's: every UserSig it makes (valid for
    // one day) has expired when it arrives. The client renews it once, which cannot help here.
    let clock = ManualClock::new(SystemTime::now() - Duration::from_secs(2 * 86_400));
    let served = Served::start().await;
    let client = tc_builder()
        .base_url(served.url())
        .clock(clock)
        .build()
        .unwrap();
    let err = client.get_room_info(&live("r")).await.unwrap_err();
    assert_refused_after(&err, TencentCode::UserSigExpired, 2);
}

#[tokio::test]
async fn a_url_identifier_other_than_the_usersigs_is_70013() {
    let served = Served::start().await;
    let client = tc_through(&served.url(), RewriteQuery::new("identifier", "alice"));
    let err = client
        .create_room(CreateRoom::new(live("r")))
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::UserSigIdentifierMismatch);
}

#[tokio::test]
async fn a_url_sdkappid_other_than_the_usersigs_is_70014() {
    // A second app with the same secret key, so that only the SDKAppID disagrees.
    let served = Served::with(|c| {
        c.tencent_apps
            .push(TencentApp::new(1_400_000_001, SECRET_KEY, ADMIN));
    })
    .await;
    let client = tc_through(&served.url(), RewriteQuery::new("sdkappid", "1400000001"));
    let err = client
        .create_room(CreateRoom::new(live("r")))
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::UserSigSdkAppIdMismatch);
}

#[tokio::test]
async fn an_identifier_that_is_not_the_admin_is_60010() {
    let served = Served::start().await;
    let client = tc_builder()
        .admin(Identifier::parse("alice").unwrap())
        .base_url(served.url())
        .build()
        .unwrap();
    let err = client
        .create_room(CreateRoom::new(live("r")))
        .await
        .unwrap_err();
    assert_refused(&err, TencentCode::NotAdmin);
    assert_eq!(served.metadata("r"), None);
}
