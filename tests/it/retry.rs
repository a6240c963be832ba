//! The retry rules of both clients, each shown with the emulator's fault injection over real
//! sockets: what is repeated, what is not, and what the caller is told.
//!
//! A "lost reply" is the emulator's `close_after_processing` fault: the request is applied, then
//! the connection is closed without an answer, exactly what a client sees when a reply is lost
//! after the server acted. No write is repeated after one, not even with
//! `WriteRetry::RepeatIdempotent`: nothing proves the server is done with such an attempt, and a
//! late landing could overwrite the caller's next write. The opt-in repeats after a transient
//! vendor answer only.

use std::time::Duration;

use roomkv_emulator::events::TencentCallback;
use roomkv_emulator::faults::FaultEffect;
use roomkv_rongcloud::{
    ConversationType, Notification, RemoveEntry, RongCloudCode, SetEntry, WriteRetry,
};
use roomkv_tencent::{CreateRoom, TencentCode};
use roomkv_transport::RetryPolicy;
use roomkv_transport::test_util::FixedRandom;

use crate::support::*;

const SET: &str = "/chatroom/entry/set.json";
const QUERY: &str = "/chatroom/entry/query.json";
const REMOVE: &str = "/chatroom/entry/remove.json";
const BATCH_REMOVE: &str = "/chatroom/entry/batch/remove.json";
const EXPANSION_SET: &str = "/message/expansion/set.json";
const SET_METADATA: &str = "/v4/live_engine_http_srv/set_room_metadata";
const GET_METADATA: &str = "/v4/live_engine_http_srv/get_room_metadata";
const DEL_METADATA: &str = "/v4/live_engine_http_srv/del_room_metadata";
const CREATE_ROOM: &str = "/v4/live_engine_http_srv/create_room";
const DESTROY_ROOM: &str = "/v4/live_engine_http_srv/destroy_room";

fn lost_reply() -> FaultEffect {
    FaultEffect::CloseAfterProcessing
}

fn forced(code: i64) -> FaultEffect {
    FaultEffect::VendorError {
        code,
        message: None,
        http_status: None,
    }
}

// ------------------------------------------------------------------------------ RongCloud

#[tokio::test]
async fn rc_lost_reply_on_a_notifying_write_is_not_repeated() {
    let served = Served::start().await;
    // Even a client that repeats silent writes never repeats one that notifies the room.
    let client = rc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    // A first exchange leaves a keep-alive connection in the pool, so the write below goes out
    // on a reused connection: the HTTP client must not resend it on another one either.
    assert!(
        client
            .query_all_entries(&room("r"))
            .await
            .unwrap()
            .is_empty()
    );
    served.fault(SET, lost_reply(), 1);

    let err = client
        .send(
            &SetEntry::new(room("r"), user("alice"), key("seat"), value("alice"))
                .notify(Notification::kv_change()),
        )
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "not repeated: {err}");
    assert!(err.transport_error().is_some(), "{err}");
    assert!(err.is_retryable(), "{err}");
    assert!(!err.is_throttled(), "{err}");
    assert!(
        err.to_string().contains("may or may not have been applied"),
        "{err}"
    );
    assert!(served.faults_used_up());

    // It was applied, and the room got exactly one notification.
    let seat = served.entry("r", "seat").expect("the write was applied");
    assert_eq!(seat.value, "alice");
    assert_eq!(served.notifications().len(), 1);
    assert_eq!(
        served.state().chatroom_version(APP_KEY, &room("r")),
        1,
        "applied once"
    );
}

#[tokio::test]
async fn rc_lost_reply_on_an_expansion_set_is_not_repeated() {
    // Expansion writes always post an expansion operation message.
    let served = Served::start().await;
    let client = rc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    served.fault(EXPANSION_SET, lost_reply(), 1);
    let m = msg("MSG-LOST");
    let err = client
        .set_expansion(
            &m,
            &user("alice"),
            ConversationType::Private,
            &target("bob"),
            [(ekey("likes"), evalue("1"))],
        )
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    let page = client.query_expansion(&m).await.unwrap();
    assert_eq!(page.get("likes").unwrap().value.as_str(), "1");
    assert_eq!(served.expansion_messages(), 1);
}

#[tokio::test]
async fn rc_lost_reply_on_a_silent_write_is_not_repeated_by_default() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    served.fault(SET, lost_reply(), 1);
    let err = client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert_eq!(served.entry("r", "k").unwrap().value, "v");
    assert_eq!(served.state().chatroom_version(APP_KEY, &room("r")), 1);
}

#[tokio::test]
async fn rc_repeat_idempotent_never_repeats_a_write_after_a_lost_reply() {
    // The lost attempt might still land after a repeat (and after the caller's next write):
    // the opt-in repeats only after a transient vendor answer.
    let served = Served::start().await;
    let client = rc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    served.fault(SET, lost_reply(), 1);
    let err = client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(served.faults_used_up());
    assert_eq!(served.entry("r", "k").unwrap().value, "v");
    assert_eq!(
        served.state().chatroom_version(APP_KEY, &room("r")),
        1,
        "applied once"
    );
}

#[tokio::test]
async fn rc_removes_after_a_lost_reply_are_not_repeated_even_with_the_opt_in() {
    let served = Served::start().await;
    let client = rc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    let r = room("r");
    client
        .batch_set_entries(
            &r,
            &user("u"),
            [
                (key("k"), value("v")),
                (key("a"), value("1")),
                (key("b"), value("2")),
            ],
        )
        .await
        .unwrap();
    served.fault(REMOVE, lost_reply(), 1);
    let err = client
        .remove_entry(&r, &user("u"), key("k"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(
        served.entry("r", "k").is_none(),
        "the lost attempt was applied"
    );

    served.fault(BATCH_REMOVE, lost_reply(), 1);
    let err = client
        .batch_remove_entries(&r, &user("u"), [key("a"), key("b")])
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(served.faults_used_up());
    assert!(served.entries("r").is_empty());

    // Without a lost reply, 1015 is an error as always.
    let err = client
        .remove_entry(&r, &user("u"), key("k"))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::DataNotFound));
    assert!(!err.is_outcome_unknown());
}

#[tokio::test]
async fn rc_lost_reply_on_a_notifying_remove_is_not_settled_by_a_repeat() {
    let served = Served::start().await;
    let client = rc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    let r = room("r");
    client
        .set_entry(&r, &user("u"), key("k"), value("v"))
        .await
        .unwrap();
    served.fault(REMOVE, lost_reply(), 1);
    let err = client
        .send(&RemoveEntry::new(r, user("u"), key("k")).notify(Notification::kv_change()))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1);
    assert!(served.entry("r", "k").is_none());
    assert_eq!(served.notifications().len(), 1);
}

#[tokio::test]
async fn rc_forced_1008_is_retried_and_succeeds() {
    let served = Served::start().await;
    // The default write retry: a throttled write was provably not processed.
    let client = rc_client(&served.url());
    served.fault(SET, forced(1008), 2);
    client
        .send(
            &SetEntry::new(room("r"), user("u"), key("k"), value("v"))
                .notify(Notification::kv_change()),
        )
        .await
        .unwrap();
    assert!(
        served.faults_used_up(),
        "two throttled attempts, then the third"
    );
    assert_eq!(served.entry("r", "k").unwrap().value, "v");
    assert_eq!(served.notifications().len(), 1);

    // The same with no retries left reports throttling.
    served.fault(SET, forced(1008), 1);
    let once = rc_builder()
        .base_url(served.url())
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let err = once
        .set_entry(&room("r"), &user("u"), key("k2"), value("v"))
        .await
        .unwrap_err();
    assert!(err.is_throttled(), "{err}");
    assert_eq!(err.http_status(), Some(429));
    assert!(!err.is_outcome_unknown());
}

#[tokio::test]
async fn rc_exhausted_quota_is_waited_out_by_the_throttle_backoff() {
    // The set family at 2/s with no burst: after one set the next passes only 500 ms later.
    let served = Served::with(|c| {
        c.quota.rate_scale = 0.02;
        c.quota.burst = Duration::ZERO;
    })
    .await;
    // A throttle backoff of 600 ms, taken in full: `FixedRandom(u64::MAX)` puts the full-jitter
    // delay at its ceiling (the nonces and request ids it also feeds are not checked by the
    // lenient emulator).
    let client = rc_builder()
        .base_url(served.url())
        .random_source(FixedRandom(u64::MAX))
        .retry_policy(
            fast_retries()
                .with_max_attempts(3)
                .with_throttle_backoff(Duration::from_millis(600)),
        )
        .build()
        .unwrap();
    let r = room("r");
    client
        .set_entry(&r, &user("u"), key("a"), value("1"))
        .await
        .unwrap();
    // Throttled at once (the bucket is empty), then let through after the backoff.
    client
        .set_entry(&r, &user("u"), key("b"), value("2"))
        .await
        .unwrap();
    assert_eq!(served.entries("r").len(), 2);
}

#[tokio::test]
async fn rc_transient_codes_are_retried_for_reads_and_left_unknown_for_writes() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let r = room("r");

    // 1050 "internal service timeout" on a read: retried.
    served.fault(QUERY, forced(1050), 1);
    assert!(client.query_all_entries(&r).await.unwrap().is_empty());
    assert!(served.faults_used_up());

    // 1000 on a write: RongCloud may have applied it, so it is not repeated by default.
    served.fault(SET, forced(1000), 1);
    let err = client
        .set_entry(&r, &user("u"), key("k"), value("v"))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(RongCloudCode::InternalError), "{err}");
    assert!(err.is_outcome_unknown(), "{err}");
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.attempts(), 1);

    // With the opt-in, a silent write is repeated.
    let repeating = rc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    served.fault(SET, forced(1000), 1);
    repeating
        .set_entry(&r, &user("u"), key("k"), value("v"))
        .await
        .unwrap();
    assert_eq!(served.entry("r", "k").unwrap().value, "v");
}

// ------------------------------------------------------------------------------ Tencent

#[tokio::test]
async fn tc_lost_reply_on_a_metadata_set_is_never_repeated() {
    for write_retry in [WriteRetry::OnlyUnprocessed, WriteRetry::RepeatIdempotent] {
        tc_lost_reply_on_a_metadata_set_is_not_repeated_with(write_retry).await;
    }
}

async fn tc_lost_reply_on_a_metadata_set_is_not_repeated_with(write_retry: WriteRetry) {
    let served = Served::start().await;
    let client = tc_builder()
        .base_url(served.url())
        .write_retry(write_retry)
        .build()
        .unwrap();
    let r = live("r");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    served.fault(SET_METADATA, lost_reply(), 1);
    let err = client
        .set_room_metadata(&r, [(mkey("stage"), mvalue("quiz"))])
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(err.transport_error().is_some(), "{err}");
    assert!(!err.is_throttled());
    // Applied, and reported once.
    assert_eq!(
        served.metadata("r").unwrap(),
        [("stage".to_owned(), "quiz".to_owned())]
    );
    let sets = served
        .callbacks()
        .into_iter()
        .filter(|c| matches!(c, TencentCallback::AfterSetMetadata { .. }))
        .count();
    assert_eq!(sets, 1);
}

#[tokio::test]
async fn tc_repeat_idempotent_never_repeats_a_delete_after_a_lost_reply() {
    let served = Served::start().await;
    let client = tc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    let r = live("r");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    client
        .set_room_metadata(&r, [(mkey("a"), mvalue("1")), (mkey("b"), mvalue("2"))])
        .await
        .unwrap();
    served.fault(DEL_METADATA, lost_reply(), 1);
    let err = client.del_room_metadata(&r, [mkey("a")]).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(served.faults_used_up());
    assert_eq!(
        served.metadata("r").unwrap(),
        [("b".to_owned(), "2".to_owned())]
    );
    // The lost attempt ran once: one set callback, one delete callback.
    assert_eq!(served.callbacks().len(), 2);
}

#[tokio::test]
async fn tc_a_repeated_create_meeting_its_own_room_is_reported_as_outcome_unknown() {
    // Documented: a repeat meeting 100003 may be its own first attempt, so the caller is told
    // the outcome is unknown rather than "the room exists". A repeat follows a transient answer
    // only (a lost reply is never repeated): here one that came after a first attempt the
    // emulator refused with 70500 without creating anything, and a room created meanwhile.
    let served = Served::start().await;
    let client = tc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    served.fault(CREATE_ROOM, lost_reply(), 1);
    let err = client
        .create_room(CreateRoom::new(live("r")))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1, "not repeated after a lost reply: {err}");
    client.get_room_info(&live("r")).await.unwrap();

    served.fault(CREATE_ROOM, forced(70500), 1);
    let err = client
        .create_room(CreateRoom::new(live("r")))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::RoomIdExists), "{err}");
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 2, "{err}");
}

#[tokio::test]
async fn tc_a_repeated_destroy_meeting_no_room_is_reported_as_outcome_unknown() {
    // Documented like create_room: the repeat's 100004 may be its own first attempt's doing.
    let served = Served::start().await;
    let client = tc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    served.fault(DESTROY_ROOM, forced(70500), 1);
    let err = client.destroy_room(&live("r")).await.unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::RoomNotFound), "{err}");
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 2, "{err}");
}

#[tokio::test]
async fn tc_forced_60007_is_retried_and_succeeds() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("r");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();
    served.fault(SET_METADATA, forced(60007), 2);
    client
        .set_room_metadata(&r, [(mkey("k"), mvalue("v"))])
        .await
        .unwrap();
    assert!(served.faults_used_up());
    assert_eq!(served.metadata("r").unwrap().len(), 1);

    served.fault(SET_METADATA, forced(60007), 1);
    let once = tc_builder()
        .base_url(served.url())
        .retry_policy(RetryPolicy::no_retry())
        .build()
        .unwrap();
    let err = once
        .set_room_metadata(&r, [(mkey("k2"), mvalue("v"))])
        .await
        .unwrap_err();
    assert!(err.is_throttled(), "{err}");
    assert_eq!(err.api_code(), Some(TencentCode::RestFrequencyLimit));
    assert!(!err.is_outcome_unknown());
}

#[tokio::test]
async fn tc_a_rejected_usersig_is_renewed_and_the_write_repeated() {
    // 70001 means the request was not processed: even a write is sent again, once, with a new
    // UserSig.
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
    assert_eq!(served.metadata("r").unwrap().len(), 1);

    // A second rejection within the same request is final.
    served.fault(SET_METADATA, forced(70001), 2);
    let err = client
        .set_room_metadata(&r, [(mkey("k2"), mvalue("v"))])
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::UserSigExpired), "{err}");
    assert_eq!(err.attempts(), 2);
    assert!(!err.is_outcome_unknown());
    assert_eq!(served.metadata("r").unwrap().len(), 1);
}

#[tokio::test]
async fn tc_transient_codes_are_retried_for_reads_and_left_unknown_for_writes() {
    let served = Served::start().await;
    let client = tc_client(&served.url());
    let r = live("r");
    client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap();

    served.fault(GET_METADATA, forced(100001), 1);
    assert!(client.get_all_room_metadata(&r).await.unwrap().is_empty());
    assert!(served.faults_used_up());

    served.fault(SET_METADATA, forced(100001), 1);
    let err = client
        .set_room_metadata(&r, [(mkey("k"), mvalue("v"))])
        .await
        .unwrap_err();
    assert_eq!(
        err.api_code(),
        Some(TencentCode::LiveInternalError),
        "{err}"
    );
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(err.attempts(), 1);
    assert_eq!(served.metadata("r").unwrap(), []);
}
