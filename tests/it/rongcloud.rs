//! RongCloud / Nexconn over real sockets: every operation of `roomkv_rongcloud::Client` against
//! the emulator, and every documented error code as the client's typed error.

use roomkv_emulator::faults::FaultEffect;
use roomkv_rongcloud::RongCloudSettings;
use std::time::{Duration, SystemTime};

use roomkv_emulator::events::EventKind;
use roomkv_rongcloud::{
    AppKey, AppSecret, BatchSetEntries, ConversationType, Endpoint, EntryKey, EntryValue, Error,
    HeaderStyle, KV_NOTIFICATION_OBJECT_NAME, Limits, Notification, Operation, QueryExpansion,
    RemoveEntry, RongCloudCode, SetEntry, SetExpansion, Validation, WriteRetry,
};
use roomkv_transport::test_util::{FixedRandom, ManualClock};

use crate::support::*;

/// What every refusal by RongCloud has in common: one attempt, an `Api` error with the code,
/// the request id the client sent, nothing retried, nothing left in doubt.
fn assert_refused(err: &Error, code: RongCloudCode, http_status: u16) {
    assert_eq!(err.api_code(), Some(code), "{err}");
    assert_eq!(err.http_status(), Some(http_status), "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert!(!err.is_outcome_unknown(), "{err}");
    assert!(!err.is_throttled(), "{err}");
    assert!(!err.is_retryable(), "{err}");
    let id = err.request_id().expect("a sent request has an id");
    assert_eq!(id.len(), 32, "{err}");
    assert!(err.to_string().contains(&code.code().to_string()), "{err}");
}

// ------------------------------------------------------------------------------ operations

#[tokio::test]
async fn set_then_query_returns_value_owner_auto_delete_and_last_set_time() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let r1 = room("r1");

    let before = now_ms();
    client
        .set_entry(&r1, &user("anchor"), key("stage"), value("quiz"))
        .await
        .unwrap();
    client
        .send(
            &SetEntry::new(r1.clone(), user("alice"), key("seat-1"), value("alice"))
                .auto_delete(true),
        )
        .await
        .unwrap();
    let after = now_ms();

    let all = client.query_all_entries(&r1).await.unwrap();
    let keys: Vec<&str> = all.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["seat-1", "stage"], "every entry, in key order");
    let seat = &all[0];
    assert_eq!(seat.value.as_str(), "alice");
    assert_eq!(seat.user_id.as_str(), "alice");
    assert!(seat.auto_delete);
    assert!(
        (before..=after).contains(&seat.last_set_time_ms),
        "{seat:?}"
    );
    let stage = &all[1];
    assert_eq!(stage.value.as_str(), "quiz");
    assert_eq!(stage.user_id.as_str(), "anchor");
    assert!(!stage.auto_delete);
    assert!(
        (before..=after).contains(&stage.last_set_time_ms),
        "{stage:?}"
    );

    // One entry, and one that does not exist.
    let got = client.get_entry(&r1, &key("stage")).await.unwrap();
    assert_eq!(got.as_ref(), Some(stage));
    assert_eq!(client.get_entry(&r1, &key("nothing")).await.unwrap(), None);

    // The owner overwrites: new value, newer (or equal) lastSetTime, same owner.
    client
        .set_entry(&r1, &user("anchor"), key("stage"), value("dance"))
        .await
        .unwrap();
    let stage2 = client.get_entry(&r1, &key("stage")).await.unwrap().unwrap();
    assert_eq!(stage2.value.as_str(), "dance");
    assert_eq!(stage2.user_id.as_str(), "anchor");
    assert!(stage2.last_set_time_ms >= stage.last_set_time_ms);

    // What the client read is what the emulator holds.
    let stored = served.entry("r1", "stage").unwrap();
    assert_eq!(stored.value, "dance");
    assert_eq!(stored.last_set_time, stage2.last_set_time_ms);
    // Another room is empty.
    assert!(
        client
            .query_all_entries(&room("r2"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn batch_set_twenty_pairs_query_subsets_and_batch_remove() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let r = room("batch");
    let owner = user("host");

    let twenty: Vec<(EntryKey, EntryValue)> = (0..20)
        .map(|i| (key(&format!("k{i:02}")), value(&format!("v{i}"))))
        .collect();
    client
        .batch_set_entries(&r, &owner, twenty.clone())
        .await
        .unwrap();

    let all = client.query_all_entries(&r).await.unwrap();
    assert_eq!(all.len(), 20);
    for (entry, (k, v)) in all.iter().zip(&twenty) {
        assert_eq!(&entry.key, k);
        assert_eq!(&entry.value, v);
        assert_eq!(entry.user_id, owner);
        assert!(!entry.auto_delete);
    }

    // A subset in request order; a key the room does not have is left out.
    let subset = client
        .query_entries(&r, [key("k07"), key("missing"), key("k03")])
        .await
        .unwrap();
    let keys: Vec<&str> = subset.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["k07", "k03"]);
    assert_eq!(subset[0].value.as_str(), "v7");

    // Batch set with auto-delete overwrites owner and value.
    client
        .send(
            &BatchSetEntries::new(r.clone(), user("guest"), [(key("k00"), value("new"))])
                .auto_delete(true),
        )
        .await
        .unwrap();
    let k00 = client.get_entry(&r, &key("k00")).await.unwrap().unwrap();
    assert_eq!(
        (k00.value.as_str(), k00.user_id.as_str(), k00.auto_delete),
        ("new", "guest", true)
    );

    // Batch remove: whoever owns the keys, and keys that are missing are skipped.
    client
        .batch_remove_entries(
            &r,
            &user("moderator"),
            [key("k00"), key("k01"), key("gone")],
        )
        .await
        .unwrap();
    let left = client.query_all_entries(&r).await.unwrap();
    assert_eq!(left.len(), 18);
    assert!(
        left.iter()
            .all(|e| e.key.as_str() != "k00" && e.key.as_str() != "k01")
    );
    assert_eq!(served.entries("batch").len(), 18);
}

#[tokio::test]
async fn remove_by_the_owner_and_notifications_as_sent() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let r = room("notify");

    client
        .send(
            &SetEntry::new(r.clone(), user("alice"), key("seat-3"), value("alice"))
                .notify(Notification::kv_change()),
        )
        .await
        .unwrap();
    client
        .set_entry(&r, &user("alice"), key("silent"), value("1"))
        .await
        .unwrap();
    client
        .remove_entry(&r, &user("alice"), key("silent"))
        .await
        .unwrap();
    client
        .send(
            &RemoveEntry::new(r.clone(), user("alice"), key("seat-3"))
                .notify(Notification::kv_change_with_extra("left the stage")),
        )
        .await
        .unwrap();

    assert!(client.query_all_entries(&r).await.unwrap().is_empty());
    assert!(served.entries("notify").is_empty());

    // Exactly the two writes that asked for a notification sent one, to the room, from the
    // operator, as the built-in KV notification naming the key.
    let notes = served.notifications();
    assert_eq!(notes.len(), 2, "{notes:?}");
    for note in &notes {
        assert_eq!(note.chatroom_id, "notify");
        assert_eq!(note.from_user_id, "alice");
        assert_eq!(note.object_name, KV_NOTIFICATION_OBJECT_NAME);
        assert!(note.content.contains("seat-3"), "{note:?}");
    }
    assert!(
        notes[1].content.contains("left the stage"),
        "{:?}",
        notes[1]
    );

    // A custom message travels verbatim.
    let content = r#"{"content":"seat 4 is free","extra":"x&y=z"}"#;
    client
        .send(
            &SetEntry::new(r.clone(), user("bob"), key("seat-4"), value("free"))
                .notify(Notification::custom("RC:TxtMsg", content)),
        )
        .await
        .unwrap();
    let custom = served.notifications().pop().unwrap();
    assert_eq!(custom.object_name, "RC:TxtMsg");
    assert_eq!(custom.content, content);
    assert_eq!(custom.from_user_id, "bob");
}

#[tokio::test]
async fn expansions_set_query_delete_with_growing_versions() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let m = msg("BRGM-DEN2-01E4-BN66");
    let alice = user("alice");
    let group = target("group1");

    client
        .set_expansion(
            &m,
            &alice,
            ConversationType::Group,
            &group,
            [
                (ekey("likes"), evalue("3")),
                (ekey("mood"), evalue("happy")),
            ],
        )
        .await
        .unwrap();
    let page = client.query_expansion(&m).await.unwrap();
    let keys: Vec<&str> = page.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["likes", "mood"]);
    let likes = page.get("likes").unwrap().clone();
    assert_eq!(likes.value.as_str(), "3");
    assert!(likes.version > 0, "{likes:?}");

    // Setting again gives the key a newer version; the other key keeps its own.
    client
        .set_expansion(
            &m,
            &alice,
            ConversationType::Group,
            &group,
            [(ekey("likes"), evalue("4"))],
        )
        .await
        .unwrap();
    let page = client.query_expansion(&m).await.unwrap();
    let likes2 = page.get("likes").unwrap();
    assert_eq!(likes2.value.as_str(), "4");
    assert!(likes2.version > likes.version, "{likes2:?} after {likes:?}");
    assert_eq!(page.get("mood").unwrap().value.as_str(), "happy");

    // Delete one key (a missing one is ignored); page 1 explicitly.
    client
        .delete_expansion(
            &m,
            &alice,
            ConversationType::Group,
            &group,
            [ekey("mood"), ekey("never-set")],
        )
        .await
        .unwrap();
    let page = client
        .send(&QueryExpansion::new(m.clone()).page(1))
        .await
        .unwrap();
    let keys: Vec<&str> = page.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["likes"]);

    // `isSyncSender` reaches the expansion operation message.
    client
        .send(
            &SetExpansion::new(
                m.clone(),
                alice.clone(),
                ConversationType::Group,
                group.clone(),
                [(ekey("synced"), evalue("1"))],
            )
            .sync_sender(true),
        )
        .await
        .unwrap();
    let flags: Vec<bool> = served
        .events()
        .into_iter()
        .filter_map(|kind| match kind {
            EventKind::RongCloudExpansion { body, .. } => Some(body.is_sync_sender),
            _ => None,
        })
        .collect();
    assert_eq!(flags, [false, false, false, true]);

    // A message never touched reads as empty.
    let other = client.query_expansion(&msg("NEVER-SEEN")).await.unwrap();
    assert!(other.entries.is_empty());
    // Each write posted one expansion operation message.
    assert_eq!(served.expansion_messages(), 4);
}

/// Characters that form encoding, JSON inside a form field, or both must carry unchanged.
const AWKWARD: &str = "a+b c=d&e%20f\\\"g\n\t\u{0}h€😀";

#[tokio::test]
async fn awkward_ids_keys_and_values_round_trip_unchanged() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let r = room("room #1/ä&x=y+z");
    let u = user("user+1 ü&=");
    let k = key("a+b=c-_");

    client
        .set_entry(&r, &u, k.clone(), value(AWKWARD))
        .await
        .unwrap();
    let got = client.get_entry(&r, &k).await.unwrap().unwrap();
    assert_eq!(got.value.as_str(), AWKWARD);
    assert_eq!(got.user_id, u);
    let stored = served.entry("room #1/ä&x=y+z", "a+b=c-_").unwrap();
    assert_eq!(
        (stored.value.as_str(), stored.user_id.as_str()),
        (AWKWARD, "user+1 ü&=")
    );

    // Batch set carries its pairs as JSON inside a form field; an empty value is allowed.
    client
        .batch_set_entries(
            &r,
            &u,
            [(key("b+="), value(AWKWARD)), (key("empty"), value(""))],
        )
        .await
        .unwrap();
    let got = client
        .query_entries(&r, [key("b+="), key("empty")])
        .await
        .unwrap();
    assert_eq!(got[0].value.as_str(), AWKWARD);
    assert_eq!(got[1].value.as_str(), "");
    client
        .batch_remove_entries(&r, &u, [key("b+="), key("empty")])
        .await
        .unwrap();
    client.remove_entry(&r, &u, k).await.unwrap();
    assert!(served.entries("room #1/ä&x=y+z").is_empty());

    // Expansions: JSON inside a form field as well.
    let m = msg("msg 1/ü&=+");
    client
        .set_expansion(
            &m,
            &u,
            ConversationType::Private,
            &target("peer &=+ ü"),
            [(ekey("k+="), evalue(AWKWARD)), (ekey("e"), evalue(""))],
        )
        .await
        .unwrap();
    let page = client.query_expansion(&m).await.unwrap();
    assert_eq!(page.get("k+=").unwrap().value.as_str(), AWKWARD);
    assert_eq!(page.get("e").unwrap().value.as_str(), "");
}

#[tokio::test]
async fn concurrent_requests_share_one_client() {
    // Clones share the connection pool; 64 writes at once, then every one is there.
    let served = Served::with(|c| c.quota.enabled = false).await;
    let client = rc_client(&served.url());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .set_entry(
                    &room("many"),
                    &user("u"),
                    key(&format!("k{i:02}")),
                    value(&i.to_string()),
                )
                .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("the task ran").expect("the write succeeded");
    }
    let all = client.query_all_entries(&room("many")).await.unwrap();
    assert_eq!(all.len(), 64);
    assert!(
        all.iter()
            .enumerate()
            .all(|(i, e)| e.value.as_str() == i.to_string())
    );
}

// ------------------------------------------------------------------------------ error codes

#[tokio::test]
async fn unknown_app_key_is_1002_with_http_401() {
    let served = Served::start().await;
    let client = rc_builder()
        .app_key(AppKey::new("no-such-app"))
        .base_url(served.url())
        .build()
        .unwrap();
    let err = client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ParameterError, 401);
    assert!(served.entries("r").is_empty());
}

#[tokio::test]
async fn wrong_secret_is_1004_with_http_401() {
    let served = Served::start().await;
    let client = rc_builder()
        .app_secret(AppSecret::new("not-the-secret"))
        .base_url(served.url())
        .build()
        .unwrap();
    let err = client.query_all_entries(&room("r")).await.unwrap_err();
    assert_refused(&err, RongCloudCode::SignatureError, 401);
    let err = client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::SignatureError, 401);
    assert!(served.entries("r").is_empty());
}

#[tokio::test]
async fn server_side_validation_answers_1005_and_1002_when_the_client_does_not_check() {
    let served = Served::start().await;
    let unchecked = rc_builder()
        .base_url(served.url())
        .validation(Validation::Off)
        .build()
        .unwrap();
    let checked = rc_client(&served.url());
    let r = room("v");
    let u = user("u");

    let twenty_one: Vec<(EntryKey, EntryValue)> = (0..21)
        .map(|i| (key(&format!("k{i}")), value("v")))
        .collect();
    let too_long_value = EntryValue::non_validated("x".repeat(4097));
    let bad_key = EntryKey::non_validated("not a key!");
    let hundred_one_keys: Vec<EntryKey> = (0..101).map(|i| key(&format!("q{i}"))).collect();

    // Batch of 21: too many items, 1005.
    let err = unchecked
        .batch_set_entries(&r, &u, twenty_one.clone())
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ParameterTooLong, 200);
    // Value of 4097 characters: too long, 1005.
    let err = unchecked
        .set_entry(&r, &u, key("k"), too_long_value.clone())
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ParameterTooLong, 200);
    // Query of 101 keys: too many, 1005.
    let err = unchecked
        .query_entries(&r, hundred_one_keys.clone())
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ParameterTooLong, 200);
    // A key outside the alphabet: parameter error, 1002.
    let err = unchecked
        .set_entry(&r, &u, bad_key.clone(), value("v"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ParameterError, 200);
    assert!(served.entries("v").is_empty());

    // The same requests with validation on never leave the client.
    let refused = [
        checked
            .batch_set_entries(&r, &u, twenty_one)
            .await
            .unwrap_err(),
        checked
            .set_entry(&r, &u, key("k"), too_long_value)
            .await
            .unwrap_err(),
        checked
            .query_entries(&r, hundred_one_keys)
            .await
            .unwrap_err(),
        checked
            .set_entry(&r, &u, bad_key, value("v"))
            .await
            .unwrap_err(),
    ];
    for err in refused {
        assert!(
            matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_)),
            "{err}"
        );
        assert_eq!(err.attempts(), 0);
        assert_eq!(err.request_id(), None);
    }
}

#[tokio::test]
async fn another_users_key_is_refused_and_a_missing_key_is_1015() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let r = room("owners");
    client
        .set_entry(&r, &user("alice"), key("seat"), value("alice"))
        .await
        .unwrap();

    // Bob may neither overwrite nor remove alice's key (1002, the emulator's documented choice).
    let err = client
        .set_entry(&r, &user("bob"), key("seat"), value("bob"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ParameterError, 200);
    let err = client
        .remove_entry(&r, &user("bob"), key("seat"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ParameterError, 200);
    let seat = served.entry("owners", "seat").unwrap();
    assert_eq!(
        (seat.value.as_str(), seat.user_id.as_str()),
        ("alice", "alice")
    );

    // Removing a key that does not exist: 1015; a batch remove of only missing keys too.
    let err = client
        .remove_entry(&r, &user("alice"), key("nothing"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::DataNotFound, 200);
    let err = client
        .batch_remove_entries(&r, &user("alice"), [key("none1"), key("none2")])
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::DataNotFound, 200);
    assert_eq!(served.entries("owners").len(), 1);
}

#[tokio::test]
async fn a_room_holds_at_most_100_keys() {
    // Quotas off: filling a room costs 100 KV, the whole default burst of the set family.
    let served = Served::with(|c| c.quota.enabled = false).await;
    let client = rc_client(&served.url());
    let r = room("full");
    let owner = user("host");
    for batch in 0..5 {
        let pairs: Vec<_> = (0..20)
            .map(|i| (key(&format!("k{:03}", batch * 20 + i)), value("v")))
            .collect();
        client.batch_set_entries(&r, &owner, pairs).await.unwrap();
    }
    assert_eq!(client.query_all_entries(&r).await.unwrap().len(), 100);

    // A 101st key: 1502 "quantity exceeds the limit", by set and by batch set.
    let err = client
        .set_entry(&r, &owner, key("k100"), value("v"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::QuantityExceeded, 200);
    let err = client
        .batch_set_entries(
            &r,
            &owner,
            [(key("k000"), value("w")), (key("k101"), value("w"))],
        )
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::QuantityExceeded, 200);
    // All or nothing: the existing key of the refused batch kept its value.
    assert_eq!(served.entry("full", "k000").unwrap().value, "v");

    // Keys already there may still change.
    client
        .set_entry(&r, &owner, key("k000"), value("changed"))
        .await
        .unwrap();
    assert_eq!(served.entries("full").len(), 100);
    assert_eq!(served.entry("full", "k000").unwrap().value, "changed");
}

#[tokio::test]
async fn a_message_holds_at_most_300_expansions() {
    let served = Served::start().await;
    let client = rc_client(&served.url());
    let m = msg("MSG-CAP");
    let alice = user("alice");
    let bob = target("bob");
    for call in 0..3 {
        let entries: Vec<_> = (0..100)
            .map(|i| (ekey(&format!("e{:03}", call * 100 + i)), evalue("1")))
            .collect();
        client
            .set_expansion(&m, &alice, ConversationType::Private, &bob, entries)
            .await
            .unwrap();
    }
    assert_eq!(client.query_expansion(&m).await.unwrap().entries.len(), 300);

    // A 301st: 1502, and nothing of the refused call is applied.
    let err = client
        .set_expansion(
            &m,
            &alice,
            ConversationType::Private,
            &bob,
            [(ekey("e000"), evalue("2")), (ekey("e300"), evalue("2"))],
        )
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::QuantityExceeded, 200);
    let page = client.query_expansion(&m).await.unwrap();
    assert_eq!(page.entries.len(), 300);
    assert_eq!(page.get("e000").unwrap().value.as_str(), "1");
    assert!(page.get("e300").is_none());
}

#[tokio::test]
async fn kv_service_disabled_is_1009() {
    let served = Served::start().await;
    served.state().set_kv_enabled(APP_KEY, false);
    let client = rc_client(&served.url());
    let err = client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::ServiceNotEnabled, 200);
    let err = client.query_all_entries(&room("r")).await.unwrap_err();
    assert_refused(&err, RongCloudCode::ServiceNotEnabled, 200);

    served.state().set_kv_enabled(APP_KEY, true);
    client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap();
}

#[tokio::test]
async fn over_quota_without_retries_is_429_1008_and_throttled() {
    // A ten-thousandth of the documented rates: the set family refills one request per 100 s,
    // so the second set within the test is always over quota.
    let served = Served::with(|c| c.quota.rate_scale = 0.0001).await;
    let client = rc_builder()
        .base_url(served.url())
        .retry_policy(roomkv_rongcloud::RetryPolicy::no_retry())
        .build()
        .unwrap();
    let r = room("busy");
    client
        .set_entry(&r, &user("u"), key("a"), value("1"))
        .await
        .unwrap();
    let err = client
        .set_entry(&r, &user("u"), key("b"), value("2"))
        .await
        .unwrap_err();
    assert!(err.is_throttled(), "{err}");
    assert!(err.is_retryable(), "{err}");
    assert!(!err.is_outcome_unknown(), "refused unprocessed: {err}");
    assert_eq!(err.api_code(), Some(RongCloudCode::RateLimited));
    assert_eq!(err.http_status(), Some(429));
    assert_eq!(err.attempts(), 1);
    assert!(served.entry("busy", "b").is_none());
}

#[tokio::test]
async fn a_forced_vendor_code_reaches_the_caller_unchanged() {
    // Codes the emulator never produces by itself round-trip through the client too.
    let served = Served::start().await;
    served.fault(
        "/chatroom/entry/set.json",
        FaultEffect::VendorError {
            code: 1006,
            message: Some("app locked".to_owned()),
            http_status: None,
        },
        1,
    );
    let client = rc_client(&served.url());
    let err = client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap_err();
    assert_refused(&err, RongCloudCode::AppUnavailable, 200);
    assert!(err.to_string().contains("app locked"), "{err}");
    assert!(served.entries("r").is_empty());
}

#[tokio::test]
async fn the_largest_accepted_body_is_the_same_for_the_client_and_the_emulator() {
    let served = Served::start().await;
    let endpoint = Endpoint::parse(&served.url()).unwrap();
    let max = Limits::default().rongcloud.request_body_max_bytes;
    let checked = rc_client(&served.url());
    let unchecked = rc_builder()
        .base_url(served.url())
        .validation(Validation::Off)
        .build()
        .unwrap();

    // Exactly the largest body: accepted by both.
    checked
        .send(&batch_with_body_len(max, &endpoint))
        .await
        .unwrap();
    assert_eq!(served.entries("big").len(), 4);

    // One byte more: refused by the client before sending, and by the emulator with 1508.
    let too_large = batch_with_body_len(max + 1, &endpoint);
    let err = checked.send(&too_large.clone()).await.unwrap_err();
    assert!(
        matches!(err.kind(), roomkv_rongcloud::ErrorKind::Validation(_)),
        "{err}"
    );
    assert_eq!(err.attempts(), 0);
    let err = unchecked.send(&too_large).await.unwrap_err();
    assert_refused(&err, RongCloudCode::BodyTooLarge, 200);
}

/// A batch set into room `big` whose form body is exactly `len` bytes (between about 74 KB and
/// 110 KB): two values of 4096 `€` (9 bytes each once form-encoded), a third sized in `€`, and
/// an ASCII value that pads to the byte.
fn batch_with_body_len(len: usize, endpoint: &Endpoint) -> BatchSetEntries {
    let build = |euros: usize, pad: usize| {
        BatchSetEntries::new(
            room("big"),
            user("u"),
            [
                (key("a"), value(&"€".repeat(4096))),
                (key("b"), value(&"€".repeat(4096))),
                (key("c"), value(&"€".repeat(euros))),
                (key("d"), value(&"p".repeat(pad))),
            ],
        )
    };
    let body_len = |op: &BatchSetEntries| op.encode(endpoint).unwrap().body().len();
    let extra = len - body_len(&build(1, 1));
    let op = build(1 + extra / 9, 1 + extra % 9);
    assert_eq!(body_len(&op), len, "the body is the size asked for");
    op
}

// ------------------------------------------------------------------------------ signatures

#[tokio::test]
async fn rc_prefixed_headers_are_accepted() {
    let served = Served::start().await;
    let client = rc_builder()
        .header_style(HeaderStyle::RcPrefixed)
        .base_url(served.url())
        .build()
        .unwrap();
    client
        .set_entry(&room("r"), &user("u"), key("k"), value("v"))
        .await
        .unwrap();
    assert_eq!(client.query_all_entries(&room("r")).await.unwrap().len(), 1);
}

#[tokio::test]
async fn strict_mode_accepts_a_fresh_signature_on_every_attempt() {
    // Strict: timestamps within 5 minutes, and a nonce never used twice within them.
    let served = Served::with(|c| c.strict = true).await;
    let client = rc_builder()
        .base_url(served.url())
        .write_retry(WriteRetry::RepeatIdempotent)
        .build()
        .unwrap();
    let r = room("r");
    for i in 0..5 {
        client
            .set_entry(&r, &user("u"), key(&format!("k{i}")), value("v"))
            .await
            .unwrap();
    }
    // The retry of a read after a lost reply is signed afresh: the first attempt's nonce would
    // be a replay.
    served.fault(
        "/chatroom/entry/query.json",
        FaultEffect::CloseAfterProcessing,
        1,
    );
    assert_eq!(client.query_all_entries(&r).await.unwrap().len(), 5);
    assert!(served.faults_used_up());
}

#[tokio::test]
async fn strict_mode_refuses_a_client_clock_ten_minutes_behind() {
    let served = Served::with(|c| c.strict = true).await;
    let late = ManualClock::new(SystemTime::now() - Duration::from_secs(600));
    let client = rc_builder()
        .base_url(served.url())
        .clock(late)
        .build()
        .unwrap();
    let err = client.query_all_entries(&room("r")).await.unwrap_err();
    assert_refused(&err, RongCloudCode::SignatureError, 401);
}

#[tokio::test]
async fn errors_carry_the_request_id_the_client_sent() {
    // With a fixed nonce source the request id is known: two draws of 14314 as 32 hex digits.
    let served = Served::start().await;
    let client = rc_builder()
        .app_key(AppKey::new("no-such-app"))
        .base_url(served.url())
        .random_source(FixedRandom(14314))
        .build()
        .unwrap();
    let expected = "00000000000037ea00000000000037ea";
    let err = client.query_all_entries(&room("r")).await.unwrap_err();
    assert_eq!(err.request_id(), Some(expected), "echoed by the emulator");
    assert!(err.to_string().contains(expected), "{err}");

    // A transport failure after sending names it too.
    served.fault(
        "/chatroom/entry/query.json",
        FaultEffect::CloseAfterProcessing,
        3,
    );
    let client = rc_builder()
        .base_url(served.url())
        .random_source(FixedRandom(14314))
        .build()
        .unwrap();
    let err = client.query_all_entries(&room("r")).await.unwrap_err();
    assert!(err.transport_error().is_some(), "{err}");
    assert_eq!(err.attempts(), 3, "a read is retried: {err}");
    assert!(
        !err.is_outcome_unknown(),
        "a read has no outcome to doubt: {err}"
    );
    assert_eq!(err.request_id(), Some(expected));
}
