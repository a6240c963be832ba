//! Tests of the chat-room entry operations: validation boundaries, exact wire output, reply
//! parsing, and (with `server`) decode and reply round trips.

use proptest::collection::vec;
use proptest::prelude::*;

use super::*;
use crate::rongcloud::test_support::*;
use crate::rongcloud::*;
use crate::{ApiCode, RongCloudCode, Unit};
use crate::{
    ApiError, Effect, Limits, Operation, QuotaCost, QuotaFamily, ResponseError, ValidationError,
};

fn room() -> ChatroomId {
    ChatroomId::parse("room1").unwrap()
}

fn user() -> UserId {
    UserId::parse("anchor").unwrap()
}

fn key(text: &str) -> EntryKey {
    EntryKey::parse(text).unwrap()
}

fn value(text: &str) -> EntryValue {
    EntryValue::parse(text).unwrap()
}

fn set(key: EntryKey, value: EntryValue) -> SetEntry {
    SetEntry::new(room(), user(), key, value)
}

fn limits() -> Limits {
    Limits::default()
}

fn pairs_of(keys: &[String]) -> Vec<(EntryKey, EntryValue)> {
    keys.iter()
        .map(|k| (EntryKey::non_validated(k.as_str()), value("v")))
        .collect()
}

fn keys_of(keys: &[String]) -> Vec<EntryKey> {
    keys.iter()
        .map(|k| EntryKey::non_validated(k.as_str()))
        .collect()
}

// ---- validation at the exact boundaries -------------------------------------------------------

proptest! {
    #[test]
    fn key_of_128_characters_passes_and_129_fails(
        key in key_text(128, 128),
        one_more in key_text(1, 1),
    ) {
        prop_assert!(EntryKey::parse(key.as_str()).is_ok());
        let ops = |k: &str| {
            let k = EntryKey::non_validated(k);
            [
                set(k.clone(), value("v")).validate(&limits()),
                RemoveEntry::new(room(), user(), k.clone()).validate(&limits()),
                BatchSetEntries::new(room(), user(), [(k.clone(), value("v"))]).validate(&limits()),
                BatchRemoveEntries::new(room(), user(), [k.clone()]).validate(&limits()),
                QueryEntries::new(room()).with_keys([k]).validate(&limits()),
            ]
        };
        for result in ops(&key) {
            prop_assert_eq!(result, Ok(()));
        }
        let long = format!("{key}{one_more}");
        for result in ops(&long) {
            let err = result.unwrap_err();
            prop_assert_eq!(&err, &ValidationError::TooLong {
                field: "key", len: 129, max: 128, unit: Unit::Chars,
            });
            prop_assert_eq!(err.to_string(), "key has 129 characters, at most 128 allowed");
        }
    }

    #[test]
    fn value_of_4096_characters_passes_and_4097_fails(
        text in text_of_chars(4096),
        one_more in any::<char>(),
    ) {
        prop_assert!(set(key("k"), EntryValue::non_validated(text.as_str())).validate(&limits()).is_ok());
        prop_assert!(
            BatchSetEntries::new(room(), user(), [(key("k"), EntryValue::non_validated(text.as_str()))])
                .validate(&limits())
                .is_ok()
        );
        let long = EntryValue::non_validated(format!("{text}{one_more}"));
        let expected = ValidationError::TooLong {
            field: "value", len: 4097, max: 4096, unit: Unit::Chars,
        };
        prop_assert_eq!(set(key("k"), long.clone()).validate(&limits()), Err(expected.clone()));
        prop_assert_eq!(
            BatchSetEntries::new(room(), user(), [(key("k"), long)]).validate(&limits()),
            Err(expected)
        );
    }

    #[test]
    fn every_character_outside_the_alphabet_is_refused_in_keys(
        prefix in key_text(0, 60),
        bad in forbidden_key_char(),
        suffix in key_text(0, 60),
    ) {
        let text = format!("{prefix}{bad}{suffix}");
        let expected = ValidationError::InvalidChar {
            field: "key",
            ch: bad,
            index: prefix.chars().count(),
            allowed: "letters, digits and + = - _",
        };
        prop_assert_eq!(EntryKey::parse(text.as_str()), Err(expected.clone()));
        let k = EntryKey::non_validated(text);
        prop_assert_eq!(set(k.clone(), value("v")).validate(&limits()), Err(expected.clone()));
        prop_assert_eq!(
            BatchRemoveEntries::new(room(), user(), [k.clone()]).validate(&limits()),
            Err(expected.clone())
        );
        prop_assert_eq!(QueryEntries::new(room()).with_keys([k]).validate(&limits()), Err(expected));
    }

    #[test]
    fn chatroom_id_of_64_bytes_passes_and_65_fails(
        id in text_of_bytes(64),
        one_more in any::<char>().prop_filter("visible", |c| !c.is_control()),
    ) {
        prop_assert!(ChatroomId::parse(id.as_str()).is_ok());
        let op = |id: &str| QueryEntries::new(ChatroomId::non_validated(id)).validate(&limits());
        prop_assert_eq!(op(&id), Ok(()));
        let long = format!("{id}{one_more}");
        prop_assert_eq!(op(&long), Err(ValidationError::TooLong {
            field: "chatroomId", len: long.len(), max: 64, unit: Unit::Bytes,
        }));
    }

    #[test]
    fn batch_of_20_passes_and_21_fails(keys in distinct_keys(21, 16)) {
        let twenty = &keys[..20];
        prop_assert_eq!(BatchSetEntries::new(room(), user(), pairs_of(twenty)).validate(&limits()), Ok(()));
        prop_assert_eq!(BatchRemoveEntries::new(room(), user(), keys_of(twenty)).validate(&limits()), Ok(()));

        let err = BatchSetEntries::new(room(), user(), pairs_of(&keys)).validate(&limits()).unwrap_err();
        prop_assert_eq!(err.to_string(), "entryInfo has 21 pairs, at most 20 allowed");
        let err = BatchRemoveEntries::new(room(), user(), keys_of(&keys)).validate(&limits()).unwrap_err();
        prop_assert_eq!(err.to_string(), "entryKeys has 21 keys, at most 20 allowed");
    }

    #[test]
    fn query_of_100_keys_passes_and_101_fails(keys in vec(key_text(1, 8), 101)) {
        let op = |keys: &[String]| QueryEntries::new(room()).with_keys(keys_of(keys)).validate(&limits());
        prop_assert_eq!(op(&keys[..100]), Ok(()));
        prop_assert_eq!(op(&keys[..0]), Ok(()));
        prop_assert_eq!(op(&keys).unwrap_err().to_string(), "keys has 101 keys, at most 100 allowed");
    }

    #[test]
    fn a_repeated_key_in_a_batch_is_refused(keys in distinct_keys(5, 16), at in 0usize..5, to in 0usize..6) {
        let mut keys = keys;
        let repeated = keys[at].clone();
        keys.insert(to, repeated.clone());
        let expected = ValidationError::Duplicate {
            field: "entryInfo", item: "key", value: repeated.clone(),
        };
        prop_assert_eq!(BatchSetEntries::new(room(), user(), pairs_of(&keys)).validate(&limits()), Err(expected));
        let err = BatchRemoveEntries::new(room(), user(), keys_of(&keys)).validate(&limits()).unwrap_err();
        prop_assert_eq!(err.to_string(), format!("entryKeys has the key {repeated:?} more than once"));
        // Harmless in a query.
        prop_assert_eq!(QueryEntries::new(room()).with_keys(keys_of(&keys)).validate(&limits()), Ok(()));
    }

    #[test]
    fn notification_extra_of_2048_bytes_passes_and_2049_fails(extra in text_of_bytes(2048)) {
        let op = |extra: String| set(key("k"), value("v")).notify(Notification::kv_change_with_extra(extra));
        prop_assert_eq!(op(extra.clone()).validate(&limits()), Ok(()));
        let remove = RemoveEntry::new(room(), user(), key("k"))
            .notify(Notification::kv_change_with_extra(format!("{extra}x")));
        prop_assert_eq!(remove.validate(&limits()), Err(ValidationError::TooLong {
            field: "extra", len: 2049, max: 2048, unit: Unit::Bytes,
        }));
    }
}

#[test]
fn empty_values_are_refused_where_required() {
    let empty_key = EntryKey::non_validated("");
    assert_eq!(
        set(empty_key.clone(), value("v"))
            .validate(&limits())
            .unwrap_err()
            .to_string(),
        "key is empty, at least 1 character required"
    );
    assert!(EntryKey::parse("").is_err());
    assert_eq!(
        QueryEntries::new(room())
            .with_keys([empty_key])
            .validate(&limits()),
        Err(ValidationError::Empty {
            field: "key",
            unit: Unit::Chars
        })
    );
    assert_eq!(
        QueryEntries::new(ChatroomId::non_validated("")).validate(&limits()),
        Err(ValidationError::Empty {
            field: "chatroomId",
            unit: Unit::Bytes
        })
    );
    assert_eq!(
        SetEntry::new(room(), UserId::non_validated(""), key("k"), value("v")).validate(&limits()),
        Err(ValidationError::Empty {
            field: "userId",
            unit: Unit::Bytes
        })
    );
    // An empty value is allowed.
    assert_eq!(set(key("k"), value("")).validate(&limits()), Ok(()));
    assert_eq!(
        BatchSetEntries::new(room(), user(), [])
            .validate(&limits())
            .unwrap_err()
            .to_string(),
        "entryInfo has no pairs, at least 1 required"
    );
    assert_eq!(
        BatchRemoveEntries::new(room(), user(), [])
            .validate(&limits())
            .unwrap_err()
            .to_string(),
        "entryKeys has no keys, at least 1 required"
    );
}

#[test]
fn raised_limits_are_honoured() {
    let mut raised = Limits::default();
    raised.rongcloud.batch_entries_max = 25;
    raised.rongcloud.entry_key_max_chars = 200;
    let keys: Vec<String> = (0..25).map(|i| format!("k{i}")).collect();
    let op = BatchSetEntries::new(room(), user(), pairs_of(&keys));
    assert!(op.validate(&limits()).is_err());
    assert_eq!(op.validate(&raised), Ok(()));
    let long = set(EntryKey::non_validated("k".repeat(200)), value("v"));
    assert!(long.validate(&limits()).is_err());
    assert_eq!(long.validate(&raised), Ok(()));
}

// ---- effect and quota ---------------------------------------------------------------------------

#[test]
fn effects_and_quotas() {
    let charges = |cost: QuotaCost| cost.charges().collect::<Vec<_>>();
    let plain = set(key("k"), value("v"));
    assert_eq!(plain.effect(), Effect::Write { notifies: false });
    assert_eq!(
        plain.clone().notify(Notification::kv_change()).effect(),
        Effect::Write { notifies: true }
    );
    assert_eq!(
        charges(plain.quota()),
        [(QuotaFamily::RongCloudEntrySet, 1)]
    );
    let keys: Vec<String> = (0..7).map(|i| format!("k{i}")).collect();
    let batch = BatchSetEntries::new(room(), user(), pairs_of(&keys));
    assert_eq!(batch.effect(), Effect::Write { notifies: false });
    assert_eq!(
        charges(batch.quota()),
        [(QuotaFamily::RongCloudEntrySet, 7)]
    );
    let remove = RemoveEntry::new(room(), user(), key("k"));
    assert_eq!(remove.effect(), Effect::Write { notifies: false });
    assert_eq!(
        remove.notify(Notification::custom("App:X", "{}")).effect(),
        Effect::Write { notifies: true }
    );
    let batch_remove = BatchRemoveEntries::new(room(), user(), keys_of(&keys[..3]));
    assert_eq!(
        charges(batch_remove.quota()),
        [(QuotaFamily::RongCloudEntryRemove, 3)]
    );
    assert_eq!(batch_remove.effect(), Effect::Write { notifies: false });
    let query = QueryEntries::new(room()).with_keys(keys_of(&keys));
    assert_eq!(query.effect(), Effect::Read);
    assert_eq!(
        charges(query.quota()),
        [(QuotaFamily::RongCloudEntryQuery, 1)]
    );
}

// ---- exact wire output ----------------------------------------------------------------------

#[test]
fn set_entry_wire() {
    let op = set(key("score"), value("42 & more=中"))
        .auto_delete(true)
        .notify(Notification::kv_change_with_extra("x"));
    assert_wire(
        &op.encode(&endpoint()).unwrap(),
        SetEntry::PATH,
        testdata!("encode/set-entry.form"),
    );
    assert_eq!(SetEntry::PATH, "/chatroom/entry/set.json");
}

#[test]
fn set_entry_without_options_sends_auto_delete_0_and_no_notification() {
    let body = set(key("score"), value("42"))
        .encode(&endpoint())
        .unwrap()
        .into_body();
    assert_eq!(
        body,
        b"chatroomId=room1&userId=anchor&key=score&value=42&autoDelete=0"
    );
}

#[test]
fn batch_set_entries_wire_keeps_the_callers_order() {
    let op = BatchSetEntries::new(
        room(),
        user(),
        [
            (key("stage"), value("solo")),
            (key("score"), value("42")),
            (key("title"), value("Hi \"there\"")),
        ],
    );
    assert_wire(
        &op.encode(&endpoint()).unwrap(),
        "/chatroom/entry/batch/set.json",
        testdata!("encode/batch-set-entries.form"),
    );
}

#[test]
fn remove_entry_wire() {
    let op = RemoveEntry::new(room(), user(), key("score")).notify(Notification::kv_change());
    assert_wire(
        &op.encode(&endpoint()).unwrap(),
        "/chatroom/entry/remove.json",
        testdata!("encode/remove-entry.form"),
    );
    let custom = RemoveEntry::new(room(), user(), key("score"))
        .notify(Notification::custom("App:SeatFreed", r#"{"seat":3}"#));
    assert_wire(
        &custom.encode(&endpoint()).unwrap(),
        "/chatroom/entry/remove.json",
        testdata!("encode/remove-entry-custom.form"),
    );
}

#[test]
fn batch_remove_entries_wire() {
    let op = BatchRemoveEntries::new(room(), user(), [key("stage"), key("score")]);
    assert_wire(
        &op.encode(&endpoint()).unwrap(),
        "/chatroom/entry/batch/remove.json",
        testdata!("encode/batch-remove-entries.form"),
    );
}

#[test]
fn query_entries_wire() {
    let op = QueryEntries::new(room()).with_keys([key("score"), key("stage")]);
    assert_wire(
        &op.encode(&endpoint()).unwrap(),
        "/chatroom/entry/query.json",
        testdata!("encode/query-entries.form"),
    );
    assert_wire(
        &QueryEntries::new(room()).encode(&endpoint()).unwrap(),
        "/chatroom/entry/query.json",
        testdata!("encode/query-entries-all.form"),
    );
}

#[test]
fn endpoint_path_prefix_is_kept() {
    let base = BaseUrl::parse("http://127.0.0.1:8787/rc/").unwrap();
    let request = QueryEntries::new(room()).encode(&base).unwrap();
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:8787/rc/chatroom/entry/query.json"
    );
}

// ---- reply parsing --------------------------------------------------------------------------

#[test]
fn documented_query_reply() {
    let entries = QueryEntries::new(room())
        .parse(response(
            200,
            crate::corpus_examples::response("legacy/query_entries", 0).as_bytes(),
        ))
        .unwrap();
    assert_eq!(
        entries,
        [
            Entry {
                key: key("key1"),
                value: value("value1"),
                user_id: UserId::parse("2121").unwrap(),
                auto_delete: false,
                last_set_time_ms: 2121,
            },
            Entry {
                key: key("key2"),
                value: value("value2"),
                user_id: UserId::parse("4343").unwrap(),
                auto_delete: true,
                last_set_time_ms: 2121,
            },
        ]
    );
}

#[test]
fn php_sdk_shaped_query_reply() {
    let entries = QueryEntries::new(room())
        .parse(response(
            200,
            crate::corpus_examples::response("legacy/query_entries", 2).as_bytes(),
        ))
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].value.as_str(), "主播");
    assert!(!entries[0].auto_delete);
    assert_eq!(entries[0].last_set_time_ms, 1_700_000_000_123);
    assert!(entries[1].auto_delete);
    assert_eq!(entries[1].last_set_time_ms, 1_700_000_000_456);
}

#[test]
fn query_reply_values_are_taken_as_sent() {
    // A key that breaks the client alphabet and a value over the client limit are still read.
    let body = format!(
        r#"{{"code":200,"keys":[{{"key":"bad key!","value":"{}","userId":"","autoDelete":"0","lastSetTime":"0"}}]}}"#,
        "v".repeat(5000)
    );
    let entries = QueryEntries::new(room())
        .parse(response(200, body.as_bytes()))
        .unwrap();
    assert_eq!(entries[0].key.as_str(), "bad key!");
    assert_eq!(entries[0].value.as_str().len(), 5000);
    for empty in [
        r#"{"code":200}"#,
        r#"{"code":200,"keys":null}"#,
        r#"{"code":200,"keys":[]}"#,
    ] {
        assert_eq!(
            QueryEntries::new(room())
                .parse(response(200, empty.as_bytes()))
                .unwrap(),
            []
        );
    }
}

#[test]
fn malformed_query_replies_are_decode_errors() {
    for body in [
        r#"{"code":200,"keys":{}}"#,
        r#"{"code":200,"keys":[{"key":"k","value":"v","userId":"u","autoDelete":"2","lastSetTime":"1"}]}"#,
        r#"{"code":200,"keys":[{"key":"k","value":"v","userId":"u","autoDelete":"0","lastSetTime":"soon"}]}"#,
        r#"{"code":200,"keys":[{"key":"k","value":"v","userId":"u","autoDelete":"0","lastSetTime":-1}]}"#,
        r#"{"code":200,"keys":[{"key":"k","userId":"u","autoDelete":"0","lastSetTime":"1"}]}"#,
        r#"{"code":200,"keys":[{"key":1,"value":"v","userId":"u","autoDelete":"0","lastSetTime":"1"}]}"#,
    ] {
        let result = QueryEntries::new(room()).parse(response(200, body.as_bytes()));
        assert!(
            matches!(result, Err(ResponseError::Decode(_))),
            "{body}: {result:?}"
        );
    }
}

#[test]
fn documented_error_replies() {
    let api_error = |status: u16, body: &str| match set(key("k"), value("v"))
        .parse(response(status, body.as_bytes()))
    {
        Err(ResponseError::Api(err)) => err,
        other => panic!("expected an API error, got {other:?}"),
    };
    let err = api_error(200, wire_error!("legacy/error-1002-invalid-app-key.json"));
    assert_eq!(err.code, ApiCode::RongCloud(RongCloudCode::ParameterError));
    assert_eq!(err.message, "Invalidate App-Key.");
    assert!(!err.is_retryable());

    let err = api_error(401, wire_error!("legacy/error-1004-signature.json"));
    assert_eq!(err.code, ApiCode::RongCloud(RongCloudCode::SignatureError));
    assert_eq!(err.http_status, 401);
    assert_eq!(err.message, "Signature error");

    let err = api_error(429, wire_error!("legacy/error-1008-rate-limited.json"));
    assert_eq!(err.code, ApiCode::RongCloud(RongCloudCode::RateLimited));
    assert!(err.is_throttled());

    // The same errors reach every operation, queries included.
    let Err(ResponseError::Api(err)) = QueryEntries::new(room()).parse(response(
        200,
        wire_error!("legacy/error-1002-invalid-app-key.json").as_bytes(),
    )) else {
        panic!("expected an API error")
    };
    assert_eq!(err.code.code(), 1002);
}

// ---- nothing panics on arbitrary replies ----------------------------------------------------

proptest! {
    #[test]
    fn client_parse_rejects_arbitrary_bytes(status in 100u16..600, body in vec(any::<u8>(), 0..300)) {
        let response = response(status, &body);
        prop_assert!(set(key("k"), value("v")).parse(response.clone()).is_err());
        prop_assert!(BatchSetEntries::new(room(), user(), []).parse(response.clone()).is_err());
        prop_assert!(RemoveEntry::new(room(), user(), key("k")).parse(response.clone()).is_err());
        prop_assert!(BatchRemoveEntries::new(room(), user(), []).parse(response.clone()).is_err());
        prop_assert!(QueryEntries::new(room()).parse(response).is_err());
    }

    #[test]
    fn query_parse_never_panics_on_arbitrary_json(keys in json_value(), status in prop_oneof![Just(200u16), 100u16..600]) {
        let body = serde_json::json!({"code": 200, "keys": keys}).to_string();
        let _ = QueryEntries::new(room()).parse(response(status, body.as_bytes()));
        let entries = serde_json::json!({"code": 200, "keys": [keys]}).to_string();
        let _ = QueryEntries::new(room()).parse(response(status, entries.as_bytes()));
    }

    #[test]
    fn query_parse_never_panics_on_arbitrary_entry_fields(
        fields in vec((prop::sample::select(&["key", "value", "userId", "autoDelete", "lastSetTime"][..]), json_value()), 0..8)
    ) {
        let entry: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let body = serde_json::json!({"code": 200, "keys": [entry]}).to_string();
        let _ = QueryEntries::new(room()).parse(response(200, body.as_bytes()));
    }
}

// ---- server side ------------------------------------------------------------------------------

#[cfg(feature = "server")]
mod server {
    use super::*;
    use crate::rongcloud::server::Request;
    use crate::{DecodeError, ServerOperation};

    fn decode_body<T: ServerOperation>(path: &str, body: &str) -> Result<T, DecodeError> {
        T::decode(&form_request(path, body.as_bytes()))
    }

    fn set_entry() -> impl Strategy<Value = SetEntry> {
        (
            chatroom_id(),
            user_id(),
            entry_key(),
            entry_value(),
            any::<bool>(),
            proptest::option::of(notification()),
        )
            .prop_map(|(room, user, key, value, auto_delete, notification)| {
                let op = SetEntry::new(room, user, key, value).auto_delete(auto_delete);
                match notification {
                    Some(n) => op.notify(n),
                    None => op,
                }
            })
    }

    fn remove_entry() -> impl Strategy<Value = RemoveEntry> {
        (
            chatroom_id(),
            user_id(),
            entry_key(),
            proptest::option::of(notification()),
        )
            .prop_map(|(room, user, key, notification)| {
                let op = RemoveEntry::new(room, user, key);
                match notification {
                    Some(n) => op.notify(n),
                    None => op,
                }
            })
    }

    fn batch_set() -> impl Strategy<Value = BatchSetEntries> {
        (
            chatroom_id(),
            user_id(),
            (1usize..=20).prop_flat_map(|n| distinct_keys(n, 128)),
            vec(entry_value(), 20),
            any::<bool>(),
        )
            .prop_map(|(room, owner, keys, values, auto_delete)| {
                let pairs = keys.into_iter().map(EntryKey::non_validated).zip(values);
                BatchSetEntries::new(room, owner, pairs).auto_delete(auto_delete)
            })
    }

    fn batch_remove() -> impl Strategy<Value = BatchRemoveEntries> {
        (
            chatroom_id(),
            user_id(),
            (1usize..=20).prop_flat_map(|n| distinct_keys(n, 128)),
        )
            .prop_map(|(room, owner, keys)| {
                BatchRemoveEntries::new(room, owner, keys.into_iter().map(EntryKey::non_validated))
            })
    }

    fn query() -> impl Strategy<Value = QueryEntries> {
        (chatroom_id(), vec(entry_key(), 0..=100))
            .prop_map(|(room, keys)| QueryEntries::new(room).with_keys(keys))
    }

    fn entry() -> impl Strategy<Value = Entry> {
        (
            any_text(40),
            any_text(300),
            any_text(20),
            any::<bool>(),
            any::<u64>(),
        )
            .prop_map(|(key, value, user, auto_delete, time)| Entry {
                key: EntryKey::non_validated(key),
                value: EntryValue::non_validated(value),
                user_id: UserId::non_validated(user),
                auto_delete,
                last_set_time_ms: time,
            })
    }

    /// Encodes `op`, decodes it as the server and through the router; both give `op` back.
    fn round_trip<T>(op: &T, wrap: fn(T) -> Request) -> Result<(), TestCaseError>
    where
        T: ServerOperation<Endpoint = Endpoint> + PartialEq + Clone + std::fmt::Debug,
    {
        // Every field within its limit; the body as a whole may exceed the vendor's 100 KB,
        // which is beside the point of a round trip.
        let mut limits = limits();
        limits.rongcloud.request_body_max_bytes = usize::MAX;
        prop_assert_eq!(
            op.validate(&limits),
            Ok(()),
            "the strategy makes valid operations"
        );
        let request = op.encode(&endpoint()).unwrap();
        let received = as_received(&request);
        let decoded = T::decode(&received).unwrap();
        prop_assert_eq!(&decoded, op);
        let routed = routed(Dialect::Legacy, &received).unwrap().unwrap();
        prop_assert_eq!(routed, wrap(op.clone()));
        Ok(())
    }

    proptest! {
        #[test]
        fn set_entry_round_trips(op in set_entry()) {
            round_trip(&op, Request::SetEntry)?;
            // The notification the server sees is byte for byte what the client sent.
            let decoded = SetEntry::decode(&as_received(&op.encode(&endpoint()).unwrap())).unwrap();
            prop_assert_eq!(decoded.notification_message(), op.notification_message());
        }

        #[test]
        fn batch_set_entries_round_trips(op in batch_set()) {
            round_trip(&op, Request::BatchSetEntries)?;
        }

        #[test]
        fn remove_entry_round_trips(op in remove_entry()) {
            round_trip(&op, Request::RemoveEntry)?;
        }

        #[test]
        fn batch_remove_entries_round_trips(op in batch_remove()) {
            round_trip(&op, Request::BatchRemoveEntries)?;
        }

        #[test]
        fn query_entries_round_trips(op in query()) {
            round_trip(&op, Request::QueryEntries)?;
        }

        #[test]
        fn query_reply_round_trips(entries in vec(entry(), 0..12), request_id in proptest::option::of("[a-f0-9-]{1,36}")) {
            let reply = QueryEntries::encode_reply(&entries, request_id.as_deref());
            prop_assert_eq!(reply.status(), 200);
            prop_assert_eq!(
                reply.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned()),
                request_id
            );
            let parsed = QueryEntries::new(room()).parse(as_response(&reply)).unwrap();
            prop_assert_eq!(parsed, entries);
        }

        #[test]
        fn decode_rejects_arbitrary_bytes(body in vec(any::<u8>(), 0..400)) {
            for path in [SetEntry::PATH, BatchSetEntries::PATH, RemoveEntry::PATH, BatchRemoveEntries::PATH, QueryEntries::PATH] {
                let request = form_request(path, &body);
                prop_assert!(routed(Dialect::Legacy, &request).unwrap().is_err(), "{}", path);
            }
        }

        #[test]
        fn decode_never_panics_on_arbitrary_forms(
            fields in vec((
                prop_oneof![
                    prop::sample::select(&["chatroomId", "userId", "key", "value", "autoDelete", "objectName", "content", "entryOwnerId", "entryInfo", "entryKeys", "keys", "extra"][..]).prop_map(str::to_owned),
                    any_text(6),
                ],
                prop_oneof![any_text(20), Just("1".to_owned()), Just("0".to_owned()), json_value().prop_map(|v| v.to_string())],
            ), 0..14)
        ) {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter())
                .finish();
            for path in [SetEntry::PATH, BatchSetEntries::PATH, RemoveEntry::PATH, BatchRemoveEntries::PATH, QueryEntries::PATH] {
                let _ = routed(Dialect::Legacy, &form_request(path, body.as_bytes()));
            }
        }

        #[test]
        fn json_fields_must_have_the_right_shape(text in prop_oneof![any_text(30), json_value().prop_map(|v| v.to_string())]) {
            let set_body = form_urlencoded::Serializer::new(String::new())
                .append_pair("chatroomId", "r")
                .append_pair("entryOwnerId", "u")
                .append_pair("entryInfo", &text)
                .finish();
            let decoded = decode_body::<BatchSetEntries>(BatchSetEntries::PATH, &set_body);
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Object(map))
                    if map.values().all(|v| v.is_string() || v.is_number()) =>
                {
                    prop_assert!(decoded.is_ok(), "{:?}", decoded);
                }
                _ => {
                    let err = decoded.unwrap_err();
                    prop_assert_eq!(err.field_name(), Some("entryInfo"));
                }
            }
            let remove_body = form_urlencoded::Serializer::new(String::new())
                .append_pair("chatroomId", "r")
                .append_pair("entryOwnerId", "u")
                .append_pair("entryKeys", &text)
                .finish();
            let decoded = decode_body::<BatchRemoveEntries>(BatchRemoveEntries::PATH, &remove_body);
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Array(items))
                    if items.iter().all(|v| v.is_string() || v.is_number()) =>
                {
                    prop_assert_eq!(decoded.unwrap().keys().len(), items.len());
                }
                _ => {
                    let err = decoded.unwrap_err();
                    prop_assert_eq!(err.field_name(), Some("entryKeys"));
                }
            }
        }

        #[test]
        fn notification_content_is_kept_as_sent(content in prop_oneof![any_text(40), json_value().prop_map(|v| v.to_string())]) {
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("chatroomId", "r")
                .append_pair("userId", "u")
                .append_pair("key", "k")
                .append_pair("value", "v")
                .append_pair("objectName", KV_NOTIFICATION)
                .append_pair("content", &content)
                .finish();
            let op = decode_body::<SetEntry>(SetEntry::PATH, &body).unwrap();
            let message = op.notification_message().unwrap();
            prop_assert_eq!(message.object_name, KV_NOTIFICATION);
            prop_assert_eq!(message.content, content);
        }
    }

    const KV_NOTIFICATION: &str = KV_NOTIFICATION_OBJECT_NAME;

    #[test]
    fn missing_and_malformed_fields_are_named() {
        let field = |path: &str, body: &str| {
            routed(Dialect::Legacy, &form_request(path, body.as_bytes()))
                .unwrap()
                .unwrap_err()
                .field_name()
        };
        assert_eq!(
            field(SetEntry::PATH, "chatroomId=r&userId=u&key=k"),
            Some("value")
        );
        assert_eq!(
            field(SetEntry::PATH, "userId=u&key=k&value=v"),
            Some("chatroomId")
        );
        assert_eq!(
            field(
                SetEntry::PATH,
                "chatroomId=r&userId=u&key=k&value=v&autoDelete=true"
            ),
            Some("autoDelete")
        );
        assert_eq!(
            field(BatchSetEntries::PATH, "chatroomId=r&entryInfo=%7B%7D"),
            Some("entryOwnerId")
        );
        assert_eq!(
            field(
                BatchSetEntries::PATH,
                "chatroomId=r&entryOwnerId=u&entryInfo=%5B%5D"
            ),
            Some("entryInfo")
        );
        assert_eq!(
            field(
                BatchSetEntries::PATH,
                "chatroomId=r&entryOwnerId=u&entryInfo=%7B%22k%22%3Anull%7D"
            ),
            Some("entryInfo")
        );
        assert_eq!(
            field(
                BatchRemoveEntries::PATH,
                "chatroomId=r&entryOwnerId=u&entryKeys=k1"
            ),
            Some("entryKeys")
        );
        assert_eq!(
            field(RemoveEntry::PATH, "chatroomId=r&key=k"),
            Some("userId")
        );
        assert_eq!(field(QueryEntries::PATH, "keys=a"), Some("chatroomId"));
    }

    #[test]
    fn lenient_but_faithful_decoding() {
        // Numbers in entryInfo (a PHP array of integers) are kept as their JSON text, duplicates
        // and order are kept for the server to judge, and unknown fields are ignored.
        let op: BatchSetEntries = decode_body(
            BatchSetEntries::PATH,
            "chatroomId=r&entryOwnerId=u&autoDelete=1&entryInfo=%7B%22b%22%3A1%2C%22a%22%3A%22x%22%2C%22b%22%3A%22y%22%7D&foo=bar",
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = op
            .entries()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("b", "1"), ("a", "x"), ("b", "y")]);
        assert!(op.is_auto_delete());
        assert!(
            op.validate(&limits()).is_err(),
            "the duplicate is for the server to refuse"
        );

        // Values breaking client rules decode as sent.
        let op: SetEntry = decode_body(
            SetEntry::PATH,
            &format!(
                "chatroomId=r&userId=u&key=bad%20key&value={}",
                "v".repeat(5000)
            ),
        )
        .unwrap();
        assert_eq!(op.key().as_str(), "bad key");
        assert!(op.validate(&limits()).is_err());

        // A content without objectName sends no notification; an empty objectName neither.
        let op: RemoveEntry = decode_body(
            RemoveEntry::PATH,
            "chatroomId=r&userId=u&key=k&content=%7B%7D&objectName=",
        )
        .unwrap();
        assert_eq!(op.notification(), None);
        // objectName without content is a custom notification with empty content.
        let op: RemoveEntry = decode_body(
            RemoveEntry::PATH,
            "chatroomId=r&userId=u&key=k&objectName=App%3AX",
        )
        .unwrap();
        assert_eq!(op.notification(), Some(&Notification::custom("App:X", "")));
    }

    #[test]
    fn kv_notification_decodes_as_kv_change_only_when_canonical() {
        let canonical = set(key("k"), value("v")).notify(Notification::kv_change_with_extra("e"));
        let decoded =
            SetEntry::decode(&as_received(&canonical.encode(&endpoint()).unwrap())).unwrap();
        assert_eq!(
            decoded.notification(),
            Some(&Notification::kv_change_with_extra("e"))
        );

        // Same fields, other key order: kept verbatim as a custom content.
        let body = "chatroomId=room1&userId=anchor&key=k&value=v&objectName=RC%3AchrmKVNotiMsg&content=%7B%22key%22%3A%22k%22%2C%22type%22%3A1%2C%22value%22%3A%22v%22%7D";
        let decoded: SetEntry = decode_body(SetEntry::PATH, body).unwrap();
        assert_eq!(
            decoded.notification(),
            Some(&Notification::custom(
                "RC:chrmKVNotiMsg",
                r#"{"key":"k","type":1,"value":"v"}"#
            ))
        );
        // The content of a remove names the removal; sent with a set it is not canonical.
        let removal = RemoveEntry::new(room(), user(), key("k")).notify(Notification::kv_change());
        let content = removal.notification_message().unwrap().content;
        assert_eq!(content, r#"{"type":2,"key":"k","value":""}"#);
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("chatroomId", "r")
            .append_pair("userId", "u")
            .append_pair("key", "k")
            .append_pair("value", "")
            .append_pair("objectName", KV_NOTIFICATION)
            .append_pair("content", &content)
            .finish();
        let decoded: SetEntry = decode_body(SetEntry::PATH, &body).unwrap();
        assert!(matches!(
            decoded.notification(),
            Some(Notification::Custom { .. })
        ));
    }

    #[test]
    fn query_reply_has_the_vendor_shape() {
        let entries = vec![Entry {
            key: key("key1"),
            value: value("value1"),
            user_id: UserId::parse("2121").unwrap(),
            auto_delete: true,
            last_set_time_ms: 1_700_000_000_123,
        }];
        let reply = QueryEntries::encode_reply(&entries, None);
        assert_eq!(reply.status(), 200);
        assert_eq!(
            reply.headers()[http::header::CONTENT_TYPE],
            "application/json; charset=utf-8"
        );
        assert_eq!(
            std::str::from_utf8(reply.body()).unwrap(),
            r#"{"code":200,"keys":[{"key":"key1","value":"value1","userId":"2121","autoDelete":"1","lastSetTime":"1700000000123"}]}"#
        );
        assert_eq!(
            QueryEntries::encode_reply(&Vec::new(), None)
                .body()
                .as_slice(),
            br#"{"code":200,"keys":[]}"#
        );
        for reply in [
            SetEntry::encode_reply(&(), Some("r1")),
            BatchSetEntries::encode_reply(&(), Some("r1")),
            RemoveEntry::encode_reply(&(), Some("r1")),
            BatchRemoveEntries::encode_reply(&(), Some("r1")),
        ] {
            assert_eq!(reply.body().as_slice(), br#"{"code":200}"#);
            assert_eq!(reply.headers()["x-request-id"], "r1");
        }
    }
}

// ---- repeats after an unknown outcome -----------------------------------------------------------

#[test]
fn a_repeated_remove_that_finds_the_keys_gone_is_settled() {
    let gone = ApiError::rongcloud(RongCloudCode::DataNotFound, "not exist", 200);
    let other = ApiError::rongcloud(RongCloudCode::InternalError, "", 200);
    let remove = RemoveEntry::new(room(), user(), key("k"));
    assert_eq!(remove.settles_repeat(&gone), Some(()));
    assert_eq!(remove.settles_repeat(&other), None);
    let batch = BatchRemoveEntries::new(room(), user(), [key("k"), key("j")]);
    assert_eq!(batch.settles_repeat(&gone), Some(()));
    assert_eq!(batch.settles_repeat(&other), None);
    // No write that adds state reads an error as success.
    assert_eq!(set(key("k"), value("v")).settles_repeat(&gone), None);
}
