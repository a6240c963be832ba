//! Every documented code the state returns, and the semantics around it.

use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::config::{MissingKeys, RongCloudRules};
use roomkv_emulator::events::{EventKind, OptType, TencentCallback};
use roomkv_emulator::state::{State, rongcloud_validation_error};

use crate::common::*;
use roomkv_core::rongcloud::{ChatroomId, MsgUid, Notification, QueryExpansion, UserId};
use roomkv_core::tencent::{DestroyRoom, GetRoomInfo, RoomId};
use roomkv_core::{ApiCode, ApiError, Limits, Operation, RongCloudCode, TencentCode};

fn state() -> State {
    State::new(&EmulatorConfig::default())
}

#[track_caller]
fn assert_rc(result: Result<impl std::fmt::Debug, ApiError>, code: i64) {
    let err = result.expect_err("expected an error");
    assert!(matches!(err.code, ApiCode::RongCloud(_)), "{err}");
    assert_eq!(err.code.code(), code, "{err}");
    assert_eq!(err.http_status, 200, "{err}");
}

#[track_caller]
fn assert_tc(result: Result<impl std::fmt::Debug, ApiError>, code: TencentCode) {
    let err = result.expect_err("expected an error");
    assert_eq!(err.code, ApiCode::Tencent(code), "{err}");
    assert_eq!(err.http_status, 200);
}

#[test]
fn kv_service_off_answers_1009() {
    let s = state();
    s.set_kv_enabled(APP, false);
    assert!(!s.kv_enabled(APP));
    assert!(s.kv_enabled("other-app"));
    assert_rc(
        s.entry_set(APP, &entry_set("r", "u", "k", "v", false), T0_MS),
        1009,
    );
    assert_rc(s.entry_query(APP, &query("r", &[])), 1009);
    assert_rc(
        s.entry_batch_remove(APP, &batch_remove("r", "u", &["k"]), T0_MS),
        1009,
    );
    s.set_kv_enabled(APP, true);
    s.entry_set(APP, &entry_set("r", "u", "k", "v", false), T0_MS)
        .unwrap();
}

#[test]
fn remove_of_a_missing_key_answers_1015() {
    let s = state();
    assert_rc(
        s.entry_remove(APP, &entry_remove("r", "u", "k"), T0_MS),
        1015,
    );
}

#[test]
fn owners_rule_set_and_remove_and_batches_force() {
    let s = state();
    s.entry_set(APP, &entry_set("r", "alice", "seat", "a", false), T0_MS)
        .unwrap();
    // Another user may neither overwrite nor remove alice's key (1002 by default).
    assert_rc(
        s.entry_set(APP, &entry_set("r", "bob", "seat", "b", false), T0_MS),
        1002,
    );
    assert_rc(
        s.entry_remove(APP, &entry_remove("r", "bob", "seat"), T0_MS),
        1002,
    );
    // The owner may update it.
    s.entry_set(APP, &entry_set("r", "alice", "seat", "a2", true), T0_MS + 1)
        .unwrap();
    // Batch set overwrites owner and value.
    s.entry_batch_set(
        APP,
        &batch_set("r", "bob", &[("seat", "b")], false),
        T0_MS + 2,
    )
    .unwrap();
    let view = &s.entry_query(APP, &query("r", &["seat"])).unwrap()[0];
    assert_eq!(
        (view.value.as_str(), view.user_id.as_str(), view.auto_delete),
        ("b", "bob", false)
    );
    assert_eq!(view.last_set_time_ms, T0_MS + 2);
    assert_rc(
        s.entry_remove(APP, &entry_remove("r", "alice", "seat"), T0_MS),
        1002,
    );
    // Batch remove needs no ownership.
    s.entry_batch_remove(APP, &batch_remove("r", "admin", &["seat"]), T0_MS)
        .unwrap();
    assert!(s.entry_query(APP, &query("r", &[])).unwrap().is_empty());
}

#[test]
fn owner_rule_and_codes_are_configurable() {
    let mut config = EmulatorConfig::default();
    config.rongcloud.set_overwrites_other_owner = true;
    config.rongcloud.owner_mismatch_code = RongCloudCode::MethodRestricted;
    let s = State::new(&config);
    s.entry_set(APP, &entry_set("r", "alice", "k", "a", false), T0_MS)
        .unwrap();
    s.entry_set(APP, &entry_set("r", "bob", "k", "b", false), T0_MS)
        .unwrap();
    assert_rc(
        s.entry_remove(APP, &entry_remove("r", "alice", "k"), T0_MS),
        1007,
    );
}

#[test]
fn the_room_cap_answers_1502_and_batches_are_all_or_nothing() {
    let s = state();
    for i in 0..100 {
        s.entry_set(
            APP,
            &entry_set("r", "u", &format!("k{i}"), "v", false),
            T0_MS,
        )
        .unwrap();
    }
    assert_rc(
        s.entry_set(APP, &entry_set("r", "u", "k100", "v", false), T0_MS),
        1502,
    );
    // Updating an existing key is not growth.
    s.entry_set(APP, &entry_set("r", "u", "k5", "w", false), T0_MS)
        .unwrap();
    s.entry_remove(APP, &entry_remove("r", "u", "k0"), T0_MS)
        .unwrap();
    // One slot free, the batch adds two new keys: nothing is applied.
    assert_rc(
        s.entry_batch_set(
            APP,
            &batch_set("r", "u", &[("n1", "v"), ("n2", "v"), ("k1", "x")], false),
            T0_MS,
        ),
        1502,
    );
    assert_eq!(
        s.entry_query(APP, &query("r", &["k1"])).unwrap()[0]
            .value
            .as_str(),
        "v"
    );
    s.entry_batch_set(
        APP,
        &batch_set("r", "u", &[("n1", "v"), ("k1", "x")], false),
        T0_MS,
    )
    .unwrap();
    assert_eq!(s.entry_query(APP, &query("r", &[])).unwrap().len(), 100);

    let mut config = EmulatorConfig::default();
    config.limits.rongcloud.entries_per_room_max = 2;
    config.rongcloud.room_full_code = RongCloudCode::QuantityExceeded;
    let small = State::new(&config);
    small
        .entry_batch_set(
            APP,
            &batch_set("r", "u", &[("a", "1"), ("b", "2")], false),
            T0_MS,
        )
        .unwrap();
    assert_rc(
        small.entry_set(APP, &entry_set("r", "u", "c", "3", false), T0_MS),
        1502,
    );
}

#[test]
fn per_request_counts_and_lengths_answer_1005_and_bad_values_1002() {
    let s = state();
    let pairs: Vec<(String, String)> = (0..21).map(|i| (format!("k{i}"), "v".into())).collect();
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_rc(
        validated(&batch_set("r", "u", &pairs, false), |op| {
            s.entry_batch_set(APP, op, T0_MS)
        }),
        1005,
    );
    assert_rc(
        validated(&batch_set("r", "u", &[], false), |op| {
            s.entry_batch_set(APP, op, T0_MS)
        }),
        1002,
    );
    let keys: Vec<String> = (0..101).map(|i| format!("k{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    assert_rc(
        validated(&query("r", &keys), |op| s.entry_query(APP, op)),
        1005,
    );
    assert_rc(
        validated(&entry_set("r", "u", &"k".repeat(129), "v", false), |op| {
            s.entry_set(APP, op, T0_MS)
        }),
        1005,
    );
    assert_rc(
        validated(&entry_set("r", "u", "k", &"v".repeat(4097), false), |op| {
            s.entry_set(APP, op, T0_MS)
        }),
        1005,
    );
    validated(
        &entry_set("r", "u", &"k".repeat(128), &"é".repeat(4096), false),
        |op| s.entry_set(APP, op, T0_MS),
    )
    .unwrap();
    assert_rc(
        validated(&entry_set("r", "u", "bad key", "v", false), |op| {
            s.entry_set(APP, op, T0_MS)
        }),
        1002,
    );
    assert_rc(
        validated(&entry_set("", "u", "k", "v", false), |op| {
            s.entry_set(APP, op, T0_MS)
        }),
        1002,
    );
}

#[test]
fn batch_remove_with_missing_keys_follows_the_configured_rule() {
    let run = |rule: MissingKeys| {
        let mut config = EmulatorConfig::default();
        config.rongcloud.batch_remove_missing = rule;
        let s = State::new(&config);
        s.entry_batch_set(
            APP,
            &batch_set("r", "u", &[("a", "1"), ("b", "2")], false),
            T0_MS,
        )
        .unwrap();
        let partial = s
            .entry_batch_remove(APP, &batch_remove("r", "x", &["a", "zz"]), T0_MS)
            .map(|_| ());
        let none = s
            .entry_batch_remove(APP, &batch_remove("r", "x", &["yy", "zz"]), T0_MS)
            .map(|_| ());
        let left = s.entry_query(APP, &query("r", &[])).unwrap().len();
        (
            partial.map_err(|e| e.code.code()),
            none.map_err(|e| e.code.code()),
            left,
        )
    };
    assert_eq!(run(MissingKeys::FailWhenNoneExist), (Ok(()), Err(1015), 1));
    assert_eq!(run(MissingKeys::Ignore), (Ok(()), Ok(()), 1));
    assert_eq!(
        run(MissingKeys::FailWhenAnyMissing),
        (Err(1015), Err(1015), 2)
    );
}

#[test]
fn kv_events_user_leave_and_destroy() {
    let s = state();
    let set = entry_set("r", "alice", "seat1", "a", true).notify(Notification::custom(
        "RC:chrmKVNotiMsg",
        r#"{"type":1,"key":"seat1","value":"a","extra":""}"#,
    ));
    s.entry_set(APP, &set, T0_MS).unwrap();
    s.entry_set(APP, &entry_set("r", "alice", "keep", "k", false), T0_MS + 1)
        .unwrap();
    s.entry_set(APP, &entry_set("r", "bob", "bobs", "b", true), T0_MS + 2)
        .unwrap();
    let room = ChatroomId::non_validated("r");
    let gone = s.user_leave(APP, &room, &UserId::non_validated("alice"), T0_MS + 3);
    assert_eq!(gone, vec!["seat1".to_owned()]);
    let keys: Vec<String> = s
        .entry_query(APP, &query("r", &[]))
        .unwrap()
        .into_iter()
        .map(|v| v.key.as_str().to_owned())
        .collect();
    assert_eq!(keys, ["bobs", "keep"]);
    assert_eq!(s.destroy_chatroom(APP, &room, T0_MS + 4), 2);
    assert!(s.entry_query(APP, &query("r", &[])).unwrap().is_empty());
    assert_eq!(s.chatroom_version(APP, &room), 5);

    let page = s.events_since(0);
    let summary: Vec<(String, u8, u64)> = page
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::RongCloudKvSync { body, .. } => {
                Some((body.key.clone(), u8::from(body.opt_type), body.version))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("seat1".to_owned(), 1, 1),
            ("keep".to_owned(), 1, 2),
            ("bobs".to_owned(), 1, 3),
            ("seat1".to_owned(), 2, 4),
            (String::new(), 3, 5),
        ]
    );
    let notifications: Vec<&EventKind> = page
        .events
        .iter()
        .map(|e| &e.kind)
        .filter(|k| matches!(k, EventKind::RongCloudNotification { .. }))
        .collect();
    assert_eq!(
        notifications.len(),
        1,
        "only the set with objectName notifies; leaving does not"
    );
    let seqs: Vec<u64> = page.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>());
    assert_eq!(page.next, 6);
    assert!(s.events_since(6).events.is_empty());
    assert_eq!(u8::from(OptType::DeleteAll), 3);

    // The version keeps growing after the room is used again.
    s.entry_set(APP, &entry_set("r", "alice", "seat1", "a", true), T0_MS + 5)
        .unwrap();
    assert_eq!(s.chatroom_version(APP, &room), 6);

    s.reset();
    assert!(s.events_since(0).events.is_empty());
    assert_eq!(s.chatroom_version(APP, &room), 0);
}

#[test]
fn expansions_cap_at_300_per_message_and_page_by_300() {
    let s = state();
    let keys: Vec<String> = (0..100).map(|i| format!("k{i:03}")).collect();
    for batch in 0..3 {
        let pairs: Vec<(String, String)> = keys
            .iter()
            .map(|k| (format!("{k}b{batch}"), "v".to_owned()))
            .collect();
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        s.expansion_set(
            APP,
            &expansion_set("m1", "alice", true, "g1", &pairs),
            T0_MS,
        )
        .unwrap();
    }
    // 300 stored; one more new key fails the whole set (1502), an update still works.
    assert_rc(
        s.expansion_set(
            APP,
            &expansion_set("m1", "bob", true, "g1", &[("k000b0", "x"), ("new", "y")]),
            T0_MS,
        ),
        1502,
    );
    s.expansion_set(
        APP,
        &expansion_set("m1", "bob", true, "g1", &[("k000b0", "x")]),
        T0_MS,
    )
    .unwrap();
    let page1 = s
        .expansion_query(
            APP,
            &QueryExpansion::new(MsgUid::non_validated("m1")).page(1),
        )
        .unwrap();
    assert_eq!(page1.entries.len(), 300);
    assert!(
        s.expansion_query(
            APP,
            &QueryExpansion::new(MsgUid::non_validated("m1")).page(2)
        )
        .unwrap()
        .entries
        .is_empty()
    );
    let updated = page1.get("k000b0").unwrap();
    assert_eq!(updated.value.as_str(), "x");
    assert!(
        page1
            .entries
            .iter()
            .all(|e| e.key.as_str() == "k000b0" || e.version < updated.version),
        "ts grows"
    );

    let mut config = EmulatorConfig::default();
    config.limits.rongcloud.expansion_page_size = 2;
    let small = State::new(&config);
    small
        .expansion_set(
            APP,
            &expansion_set("m", "a", false, "b", &[("x", "1"), ("y", "2"), ("z", "3")]),
            T0_MS,
        )
        .unwrap();
    let page = |n| {
        small
            .expansion_query(
                APP,
                &QueryExpansion::new(MsgUid::non_validated("m")).page(n),
            )
            .unwrap()
    };
    assert_eq!(page(0).entries.len(), 2);
    let last = page(2);
    assert_eq!(last.entries.len(), 1);
    assert_eq!(last.entries[0].key.as_str(), "z");
}

#[test]
fn expansion_calls_check_counts_and_the_message() {
    let s = state();
    let pairs: Vec<(String, String)> = (0..101).map(|i| (format!("k{i}"), "v".into())).collect();
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_rc(
        validated(&expansion_set("m", "a", false, "b", &pairs), |op| {
            s.expansion_set(APP, op, T0_MS)
        }),
        1005,
    );
    assert_rc(
        validated(
            &expansion_set("m", "a", false, "b", &[("k", &"v".repeat(4097))]),
            |op| s.expansion_set(APP, op, T0_MS),
        ),
        1005,
    );
    assert_rc(
        validated(
            &expansion_set("m", "a", false, "b", &[(&"k".repeat(33), "v")]),
            |op| s.expansion_set(APP, op, T0_MS),
        ),
        1005,
    );
    // Auto-registered with the first call; the other party of a private chat may name the sender.
    validated(&expansion_set("m", "a", false, "b", &[("k", "v")]), |op| {
        s.expansion_set(APP, op, T0_MS)
    })
    .unwrap();
    validated(&expansion_set("m", "b", false, "a", &[("k2", "v")]), |op| {
        s.expansion_set(APP, op, T0_MS)
    })
    .unwrap();
    assert_rc(
        validated(&expansion_set("m", "a", true, "b", &[("k", "v")]), |op| {
            s.expansion_set(APP, op, T0_MS)
        }),
        1002,
    );
    assert_rc(
        validated(&expansion_set("m", "a", false, "c", &[("k", "v")]), |op| {
            s.expansion_set(APP, op, T0_MS)
        }),
        1002,
    );
    validated(
        &expansion_delete("m", "a", false, "b", &["k", "missing"]),
        |op| s.expansion_delete(APP, op),
    )
    .unwrap();
    let page = s
        .expansion_query(
            APP,
            &QueryExpansion::new(MsgUid::non_validated("m")).page(1),
        )
        .unwrap();
    assert_eq!(page.entries.len(), 1);

    let mut config = EmulatorConfig::default();
    config.expansion_auto_register = false;
    let strict = State::new(&config);
    assert_rc(
        strict.expansion_set(
            APP,
            &expansion_set("m", "a", false, "b", &[("k", "v")]),
            T0_MS,
        ),
        1002,
    );
    assert_rc(
        strict.expansion_query(
            APP,
            &QueryExpansion::new(MsgUid::non_validated("m")).page(1),
        ),
        1002,
    );
}

#[test]
fn tencent_rooms_answer_100003_and_100004() {
    let s = state();
    s.room_create(SDKAPPID, ADMIN, &room_create("live"), T0_MS)
        .unwrap();
    let id = RoomId::non_validated("live");
    let info = s
        .room_info(SDKAPPID, &GetRoomInfo::new(id.clone()))
        .unwrap();
    assert_eq!(
        (
            info.room_name.as_deref(),
            info.owner_account.as_ref().map(|o| o.as_str()),
            info.create_time
        ),
        (Some("live"), Some(ADMIN), Some(1_700_000_000))
    );
    assert_tc(
        s.room_create(SDKAPPID, ADMIN, &room_create("live"), T0_MS),
        TencentCode::RoomIdExists,
    );
    // Rooms are per app.
    s.room_create(1_400_000_001, ADMIN, &room_create("live"), T0_MS)
        .unwrap();
    s.room_destroy(SDKAPPID, &DestroyRoom::new(id.clone()))
        .unwrap();
    assert_tc(
        s.room_destroy(SDKAPPID, &DestroyRoom::new(id.clone())),
        TencentCode::RoomNotFound,
    );
    assert_tc(
        s.room_info(SDKAPPID, &GetRoomInfo::new(id)),
        TencentCode::RoomNotFound,
    );
    assert_tc(
        s.metadata_set(SDKAPPID, ADMIN, &metadata_set("live", &[("k", "v")]), T0_MS),
        TencentCode::RoomNotFound,
    );
    assert_tc(
        s.metadata_get(SDKAPPID, &metadata_get("live", &[])),
        TencentCode::RoomNotFound,
    );
    assert_tc(
        s.metadata_delete(SDKAPPID, ADMIN, &metadata_delete("live", &["k"]), T0_MS),
        TencentCode::RoomNotFound,
    );

    // The settings sent are stored; the limits on them are the service's validation
    // (`service/tencent/tests.rs`, `wire_codes.rs`), which runs before the state.
    let create = room_create("named")
        .room_name("Stage")
        .owner(roomkv_core::tencent::Identifier::non_validated("host"))
        .category([1, 2, 3])
        .max_seat_count(8);
    s.room_create(SDKAPPID, ADMIN, &create, T0_MS).unwrap();
    let info = s
        .room_info(SDKAPPID, &GetRoomInfo::new(RoomId::non_validated("named")))
        .unwrap();
    let value = serde_json::to_value(&info).unwrap();
    assert_eq!(value["RoomName"], "Stage");
    assert_eq!(value["Owner_Account"], "host");
    assert_eq!(value["MaxSeatCount"], 8);
    assert_eq!(value["RoomType"], "Live");
}

#[test]
fn tencent_metadata_limits_answer_100500_to_100504() {
    let s = state();
    s.room_create(SDKAPPID, ADMIN, &room_create("live"), T0_MS)
        .unwrap();
    let set = |items: &[(&str, &str)]| {
        s.metadata_set(SDKAPPID, ADMIN, &metadata_set("live", items), T0_MS)
    };
    // The limits on each key and value are the service's validation (`service/tencent/tests.rs`,
    // `wire_codes.rs`); the state checks the room after the merge.
    set(&[(&"k".repeat(50), "v")]).unwrap();
    set(&[("big", &"v".repeat(2048))]).unwrap();
    // Ten keys per room after the merge.
    let keys: Vec<String> = (0..8).map(|i| format!("n{i}")).collect();
    let items: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "v")).collect();
    set(&items).unwrap();
    assert_eq!(
        s.metadata_get(SDKAPPID, &metadata_get("live", &[]))
            .unwrap()
            .len(),
        10
    );
    assert_tc(
        set(&[("one-more", "v")]),
        TencentCode::MetadataKeyCountExceeded,
    );
    set(&[("n0", "updated")]).unwrap();
    // A huge request is refused as soon as the count is over (work linear in the request).
    let many: Vec<String> = (0..5_000).map(|i| format!("m{i}")).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|k| (k.as_str(), "v")).collect();
    assert_tc(set(&many), TencentCode::MetadataKeyCountExceeded);
    // 16384 bytes of values per room after the merge: "big" + 7 × 2048 = 16384 fits (with the
    // two other values emptied), one byte more does not.
    let big = "v".repeat(2048);
    let mut items: Vec<(&str, &str)> = keys[..7]
        .iter()
        .map(|k| (k.as_str(), big.as_str()))
        .collect();
    let long_key = "k".repeat(50);
    items.extend([(long_key.as_str(), ""), ("n7", "")]);
    set(&items).unwrap();
    assert_tc(set(&[(&long_key, "v")]), TencentCode::MetadataTotalTooLarge);
    // Shrinking one value makes room for another byte elsewhere.
    set(&[("n7", "v"), ("n0", "")]).unwrap();
    assert_tc(set(&[("n0", &big)]), TencentCode::MetadataTotalTooLarge);
    // Nothing of a refused set is applied.
    let got = s
        .metadata_get(SDKAPPID, &metadata_get("live", &[&long_key, "n0", "n7"]))
        .unwrap();
    assert_eq!(
        got.iter()
            .map(|i| i.value.as_str().len())
            .collect::<Vec<_>>(),
        [0, 0, 1]
    );
    // Get: missing keys are omitted, request order kept.
    let got = s
        .metadata_get(SDKAPPID, &metadata_get("live", &["n1", "missing", "big"]))
        .unwrap();
    assert_eq!(
        got.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(),
        ["n1", "big"]
    );
    // Delete: partial is fine, none existing is 100503.
    s.metadata_delete(
        SDKAPPID,
        ADMIN,
        &metadata_delete("live", &["n1", "missing"]),
        T0_MS,
    )
    .unwrap();
    assert_tc(
        s.metadata_delete(
            SDKAPPID,
            ADMIN,
            &metadata_delete("live", &["n1", "missing"]),
            T0_MS,
        ),
        TencentCode::MetadataKeysNotFound,
    );

    let callbacks: Vec<TencentCallback> = s
        .events_since(0)
        .events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::TencentCallback { sdkappid, body } => {
                assert_eq!(sdkappid, SDKAPPID);
                Some(body)
            }
            _ => None,
        })
        .collect();
    assert_eq!(callbacks.len(), 7, "six sets and one delete succeeded");
    let last = serde_json::to_value(callbacks.last().unwrap()).unwrap();
    assert_eq!(
        last,
        serde_json::json!({"CallbackCommand": "Live.CallbackAfterDelMetadata", "Operator_Account": ADMIN,
            "RoomId": "live", "Keys": ["n1"], "EventTime": T0_MS})
    );
}

#[test]
fn quota_codes_come_from_the_emulator() {
    use roomkv_core::{QuotaCost, QuotaFamily};
    let (emulator, _clock) = emulator_with(EmulatorConfig::default());
    let cost = QuotaCost::one(QuotaFamily::RongCloudEntryQuery, 1);
    for _ in 0..100 {
        emulator.charge_rongcloud(APP, cost).unwrap();
    }
    let err = emulator.charge_rongcloud(APP, cost).unwrap_err();
    assert_eq!((err.code.code(), err.http_status), (1008, 429));
    assert!(err.is_throttled());
    let cost = QuotaCost::one(
        QuotaFamily::Tencent(roomkv_core::tencent::Command::SetRoomMetadata),
        1,
    );
    for _ in 0..200 {
        emulator.charge_tencent(SDKAPPID, cost).unwrap();
    }
    let err = emulator.charge_tencent(SDKAPPID, cost).unwrap_err();
    assert_eq!(
        (err.code, err.http_status),
        (ApiCode::Tencent(TencentCode::RestFrequencyLimit), 200)
    );
}

/// What the service does before the state: core's validation of the operation, answered with
/// the vendor's codes (1005 too long or too many, 1002 otherwise), then `apply`.
fn validated<O: Operation, T>(
    op: &O,
    apply: impl FnOnce(&O) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    op.validate(&Limits::default())
        .map_err(|e| rongcloud_validation_error(&RongCloudRules::default(), &e))?;
    apply(op)
}
