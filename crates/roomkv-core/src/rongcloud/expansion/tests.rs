//! Tests of the message expansion operations: validation boundaries, exact wire output, reply
//! parsing, and (with `server`) decode and reply round trips.

use proptest::collection::vec;
use proptest::prelude::*;

use super::*;
use crate::rongcloud::test_support::*;
use crate::rongcloud::*;
use crate::{ApiCode, RongCloudCode, Unit};
use crate::{Effect, Limits, Operation, QuotaCost, QuotaFamily, ResponseError, ValidationError};

fn msg() -> MsgUid {
    MsgUid::parse("BRGM-DEN2-01E4-BN66").unwrap()
}

fn user() -> UserId {
    UserId::parse("tjw3zbMrU").unwrap()
}

fn target() -> TargetId {
    TargetId::parse("WNYZbMqpH").unwrap()
}

fn key(text: &str) -> ExpansionKey {
    ExpansionKey::parse(text).unwrap()
}

fn value(text: &str) -> ExpansionValue {
    ExpansionValue::parse(text).unwrap()
}

fn limits() -> Limits {
    Limits::default()
}

fn set_of(entries: impl IntoIterator<Item = (ExpansionKey, ExpansionValue)>) -> SetExpansion {
    SetExpansion::new(msg(), user(), ConversationType::Private, target(), entries)
}

fn delete_of(keys: impl IntoIterator<Item = ExpansionKey>) -> DeleteExpansion {
    DeleteExpansion::new(msg(), user(), ConversationType::Private, target(), keys)
}

fn pairs_of(keys: &[String]) -> Vec<(ExpansionKey, ExpansionValue)> {
    keys.iter()
        .map(|k| (ExpansionKey::non_validated(k.as_str()), value("v")))
        .collect()
}

fn keys_of(keys: &[String]) -> Vec<ExpansionKey> {
    keys.iter()
        .map(|k| ExpansionKey::non_validated(k.as_str()))
        .collect()
}

// ---- validation at the exact boundaries -------------------------------------------------------

proptest! {
    #[test]
    fn key_of_32_characters_passes_and_33_fails(key in key_text(32, 32), one_more in key_text(1, 1)) {
        prop_assert!(ExpansionKey::parse(key.as_str()).is_ok());
        let k = ExpansionKey::non_validated(key.as_str());
        prop_assert_eq!(set_of([(k.clone(), value("v"))]).validate(&limits()), Ok(()));
        prop_assert_eq!(delete_of([k]).validate(&limits()), Ok(()));
        let long = ExpansionKey::non_validated(format!("{key}{one_more}"));
        let expected = ValidationError::TooLong {
            field: "extraKey", len: 33, max: 32, unit: Unit::Chars,
        };
        prop_assert_eq!(set_of([(long.clone(), value("v"))]).validate(&limits()), Err(expected.clone()));
        let err = delete_of([long]).validate(&limits()).unwrap_err();
        prop_assert_eq!(&err, &expected);
        prop_assert_eq!(err.to_string(), "extraKey has 33 characters, at most 32 allowed");
    }

    #[test]
    fn value_of_4096_characters_passes_and_4097_fails(text in text_of_chars(4096), one_more in any::<char>()) {
        let op = |text: String| set_of([(key("k"), ExpansionValue::non_validated(text))]).validate(&limits());
        prop_assert_eq!(op(text.clone()), Ok(()));
        prop_assert_eq!(op(format!("{text}{one_more}")), Err(ValidationError::TooLong {
            field: "extraValue", len: 4097, max: 4096, unit: Unit::Chars,
        }));
    }

    #[test]
    fn every_character_outside_the_alphabet_is_refused_in_keys(
        prefix in key_text(0, 15),
        bad in forbidden_key_char(),
        suffix in key_text(0, 15),
    ) {
        let text = format!("{prefix}{bad}{suffix}");
        let expected = ValidationError::InvalidChar {
            field: "extraKey",
            ch: bad,
            index: prefix.chars().count(),
            allowed: "letters, digits and + = - _",
        };
        prop_assert_eq!(ExpansionKey::parse(text.as_str()), Err(expected.clone()));
        let k = ExpansionKey::non_validated(text);
        prop_assert_eq!(set_of([(k.clone(), value("v"))]).validate(&limits()), Err(expected.clone()));
        prop_assert_eq!(delete_of([k]).validate(&limits()), Err(expected));
    }

    #[test]
    fn ids_of_64_bytes_pass_and_65_fail(id in text_of_bytes(64), one_more in any::<char>().prop_filter("visible", |c| !c.is_control())) {
        let long = format!("{id}{one_more}");
        let too_long = |field| Err(ValidationError::TooLong { field, len: long.len(), max: 64, unit: Unit::Bytes });
        prop_assert_eq!(QueryExpansion::new(MsgUid::non_validated(id.as_str())).validate(&limits()), Ok(()));
        prop_assert_eq!(QueryExpansion::new(MsgUid::non_validated(long.as_str())).validate(&limits()), too_long("msgUID"));
        let with_target = |t: &str| SetExpansion::new(msg(), user(), ConversationType::Group, TargetId::non_validated(t), [(key("k"), value("v"))]).validate(&limits());
        prop_assert_eq!(with_target(&id), Ok(()));
        prop_assert_eq!(with_target(&long), too_long("targetId"));
        let by = |u: &str| DeleteExpansion::new(msg(), UserId::non_validated(u), ConversationType::Private, target(), [key("k")]).validate(&limits());
        prop_assert_eq!(by(&id), Ok(()));
        prop_assert_eq!(by(&long), too_long("userId"));
    }

    #[test]
    fn a_call_of_100_passes_and_101_fails(keys in distinct_keys(101, 12)) {
        prop_assert_eq!(set_of(pairs_of(&keys[..100])).validate(&limits()), Ok(()));
        prop_assert_eq!(delete_of(keys_of(&keys[..100])).validate(&limits()), Ok(()));
        prop_assert_eq!(
            set_of(pairs_of(&keys)).validate(&limits()).unwrap_err().to_string(),
            "extraKeyVal has 101 pairs, at most 100 allowed"
        );
        prop_assert_eq!(
            delete_of(keys_of(&keys)).validate(&limits()).unwrap_err().to_string(),
            "extraKey has 101 keys, at most 100 allowed"
        );
    }

    #[test]
    fn a_repeated_key_is_refused(keys in distinct_keys(4, 12), at in 0usize..4, to in 0usize..5) {
        let mut keys = keys;
        let repeated = keys[at].clone();
        keys.insert(to, repeated.clone());
        prop_assert_eq!(set_of(pairs_of(&keys)).validate(&limits()), Err(ValidationError::Duplicate {
            field: "extraKeyVal", item: "key", value: repeated.clone(),
        }));
        prop_assert_eq!(delete_of(keys_of(&keys)).validate(&limits()), Err(ValidationError::Duplicate {
            field: "extraKey", item: "key", value: repeated,
        }));
    }
}

#[test]
fn empty_calls_and_page_zero_are_refused() {
    assert_eq!(
        set_of([]).validate(&limits()).unwrap_err().to_string(),
        "extraKeyVal has no pairs, at least 1 required"
    );
    assert_eq!(
        delete_of([]).validate(&limits()).unwrap_err().to_string(),
        "extraKey has no keys, at least 1 required"
    );
    assert_eq!(
        delete_of([ExpansionKey::non_validated("")]).validate(&limits()),
        Err(ValidationError::Empty {
            field: "extraKey",
            unit: Unit::Chars
        })
    );
    assert_eq!(
        QueryExpansion::new(msg())
            .page(0)
            .validate(&limits())
            .unwrap_err()
            .to_string(),
        "pageNo is 0, allowed are page numbers from 1"
    );
    assert_eq!(
        QueryExpansion::new(msg()).page(1).validate(&limits()),
        Ok(())
    );
    assert_eq!(
        QueryExpansion::new(MsgUid::non_validated("")).validate(&limits()),
        Err(ValidationError::Empty {
            field: "msgUID",
            unit: Unit::Bytes
        })
    );
}

#[test]
fn effects_and_quotas() {
    let charges = |cost: QuotaCost| cost.charges().collect::<Vec<_>>();
    let private = set_of([(key("k"), value("v"))]);
    assert_eq!(private.effect(), Effect::Write { notifies: true });
    assert_eq!(
        charges(private.quota()),
        [(QuotaFamily::RongCloudExpansionWrite, 1)]
    );
    let group = DeleteExpansion::new(msg(), user(), ConversationType::Group, target(), [key("k")]);
    assert_eq!(group.effect(), Effect::Write { notifies: true });
    assert_eq!(
        charges(group.quota()),
        [
            (QuotaFamily::RongCloudExpansionWrite, 1),
            (QuotaFamily::RongCloudExpansionGroupWrite, 1)
        ]
    );
    let query = QueryExpansion::new(msg());
    assert_eq!(query.effect(), Effect::Read);
    assert_eq!(
        charges(query.quota()),
        [(QuotaFamily::RongCloudExpansionQuery, 1)]
    );
}

// ---- exact wire output ----------------------------------------------------------------------

#[test]
fn set_expansion_wire_keeps_the_callers_order() {
    let op = SetExpansion::new(
        msg(),
        user(),
        ConversationType::Group,
        TargetId::parse("group1").unwrap(),
        [(key("likes"), value("3")), (key("by"), value("u1 u2"))],
    )
    .sync_sender(true);
    assert_wire(
        &op.encode(&endpoint()).unwrap(),
        "/message/expansion/set.json",
        testdata!("encode/set-expansion.form"),
    );
}

#[test]
fn delete_expansion_wire() {
    let op = delete_of([key("11111")]);
    assert_wire(
        &op.encode(&endpoint()).unwrap(),
        "/message/expansion/delete.json",
        testdata!("encode/delete-expansion.form"),
    );
}

#[test]
fn query_expansion_wire() {
    assert_wire(
        &QueryExpansion::new(msg())
            .page(2)
            .encode(&endpoint())
            .unwrap(),
        "/message/expansion/query.json",
        testdata!("encode/query-expansion.form"),
    );
    assert_eq!(
        QueryExpansion::new(msg())
            .encode(&endpoint())
            .unwrap()
            .into_body(),
        b"msgUID=BRGM-DEN2-01E4-BN66"
    );
}

// ---- reply parsing --------------------------------------------------------------------------

#[test]
fn documented_query_reply_keeps_the_reply_order() {
    let page = QueryExpansion::new(msg())
        .parse(response(
            200,
            crate::corpus_examples::response("legacy/query_expansion", 0).as_bytes(),
        ))
        .unwrap();
    assert_eq!(
        page.entries,
        [
            ExpansionEntry {
                key: key("kkk314"),
                value: value("vvv314"),
                version: 33_831_605_613,
            },
            ExpansionEntry {
                key: key("kkk313"),
                value: value("vvv313"),
                version: 33_831_605_588,
            },
        ]
    );
    assert_eq!(page.get("kkk313").unwrap().version, 33_831_605_588);
    assert_eq!(page.get("nope"), None);
}

#[test]
fn lenient_query_replies() {
    let parse = |body: &str| QueryExpansion::new(msg()).parse(response(200, body.as_bytes()));
    // `ts` as a string (the Java SDK's type), unknown fields, values breaking client rules.
    let page =
        parse(r#"{"code":200,"extraContent":{"bad key!":{"v":"","ts":"-5","x":1}},"other":true}"#)
            .unwrap();
    assert_eq!(page.entries[0].key.as_str(), "bad key!");
    assert_eq!(page.entries[0].version, -5);
    for empty in [
        r#"{"code":200}"#,
        r#"{"code":200,"extraContent":null}"#,
        r#"{"code":200,"extraContent":{}}"#,
    ] {
        assert_eq!(parse(empty).unwrap(), ExpansionPage::default());
    }
    // The Go SDK panics on a `v` that is not a string; here it is a decode error.
    for bad in [
        r#"{"code":200,"extraContent":{"k":{"v":1,"ts":1}}}"#,
        r#"{"code":200,"extraContent":{"k":{"v":"x"}}}"#,
        r#"{"code":200,"extraContent":{"k":{"v":"x","ts":1.5}}}"#,
        r#"{"code":200,"extraContent":{"k":{"v":"x","ts":"soon"}}}"#,
        r#"{"code":200,"extraContent":[]}"#,
    ] {
        assert!(matches!(parse(bad), Err(ResponseError::Decode(_))), "{bad}");
    }
}

#[test]
fn documented_error_replies() {
    let Err(ResponseError::Api(err)) = QueryExpansion::new(msg()).parse(response(
        200,
        wire_error!("legacy/error-1002-invalid-app-key.json").as_bytes(),
    )) else {
        panic!("expected an API error")
    };
    assert_eq!(err.code, ApiCode::RongCloud(RongCloudCode::ParameterError));
    let Err(ResponseError::Api(err)) = set_of([(key("k"), value("v"))]).parse(response(429, b""))
    else {
        panic!("expected an API error")
    };
    assert_eq!(err.code, ApiCode::RongCloud(RongCloudCode::RateLimited));
    let Err(ResponseError::Api(err)) = delete_of([key("k")]).parse(response(
        401,
        wire_error!("legacy/error-1004-signature.json").as_bytes(),
    )) else {
        panic!("expected an API error")
    };
    assert_eq!(err.code, ApiCode::RongCloud(RongCloudCode::SignatureError));
}

proptest! {
    #[test]
    fn client_parse_rejects_arbitrary_bytes(status in 100u16..600, body in vec(any::<u8>(), 0..300)) {
        let response = response(status, &body);
        prop_assert!(set_of([]).parse(response.clone()).is_err());
        prop_assert!(delete_of([]).parse(response.clone()).is_err());
        prop_assert!(QueryExpansion::new(msg()).parse(response).is_err());
    }

    #[test]
    fn query_parse_never_panics_on_arbitrary_json(content in json_value(), status in prop_oneof![Just(200u16), 100u16..600]) {
        let body = serde_json::json!({"code": 200, "extraContent": content}).to_string();
        let _ = QueryExpansion::new(msg()).parse(response(status, body.as_bytes()));
        let nested = serde_json::json!({"code": 200, "extraContent": {"k": content}}).to_string();
        let _ = QueryExpansion::new(msg()).parse(response(status, nested.as_bytes()));
    }
}

// ---- server side ------------------------------------------------------------------------------

#[cfg(feature = "server")]
mod server {
    use super::*;
    use crate::ServerOperation;
    use crate::rongcloud::server::Request;

    fn target_parts() -> impl Strategy<Value = (MsgUid, UserId, ConversationType, TargetId, bool)> {
        (
            msg_uid(),
            user_id(),
            conversation_type(),
            target_id(),
            any::<bool>(),
        )
    }

    fn set_expansion() -> impl Strategy<Value = SetExpansion> {
        (
            target_parts(),
            (1usize..=100).prop_flat_map(|n| distinct_keys(n, 32)),
            vec(expansion_value(), 100),
        )
            .prop_map(|((msg, user, conversation, target, sync), keys, values)| {
                let pairs = keys
                    .into_iter()
                    .map(ExpansionKey::non_validated)
                    .zip(values);
                SetExpansion::new(msg, user, conversation, target, pairs).sync_sender(sync)
            })
    }

    fn delete_expansion() -> impl Strategy<Value = DeleteExpansion> {
        (
            target_parts(),
            (1usize..=100).prop_flat_map(|n| distinct_keys(n, 32)),
        )
            .prop_map(|((msg, user, conversation, target, sync), keys)| {
                let keys = keys.into_iter().map(ExpansionKey::non_validated);
                DeleteExpansion::new(msg, user, conversation, target, keys).sync_sender(sync)
            })
    }

    fn query_expansion() -> impl Strategy<Value = QueryExpansion> {
        (msg_uid(), proptest::option::of(1u32..)).prop_map(|(msg, page)| match page {
            Some(page) => QueryExpansion::new(msg).page(page),
            None => QueryExpansion::new(msg),
        })
    }

    fn page() -> impl Strategy<Value = ExpansionPage> {
        vec((any_text(40), any_text(300), any::<i64>()), 0..12).prop_map(|entries| ExpansionPage {
            entries: entries
                .into_iter()
                .map(|(key, value, version)| ExpansionEntry {
                    key: ExpansionKey::non_validated(key),
                    value: ExpansionValue::non_validated(value),
                    version,
                })
                .collect(),
        })
    }

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
        prop_assert_eq!(&T::decode(&received).unwrap(), op);
        prop_assert_eq!(
            routed(Dialect::Legacy, &received).unwrap().unwrap(),
            wrap(op.clone())
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn set_expansion_round_trips(op in set_expansion()) {
            round_trip(&op, Request::SetExpansion)?;
        }

        #[test]
        fn delete_expansion_round_trips(op in delete_expansion()) {
            round_trip(&op, Request::DeleteExpansion)?;
        }

        #[test]
        fn query_expansion_round_trips(op in query_expansion()) {
            round_trip(&op, Request::QueryExpansion)?;
        }

        #[test]
        fn query_reply_round_trips(page in page()) {
            let reply = QueryExpansion::encode_reply(&page, None);
            prop_assert_eq!(reply.status(), 200);
            let parsed = QueryExpansion::new(msg()).parse(as_response(&reply)).unwrap();
            prop_assert_eq!(parsed, page);
        }

        #[test]
        fn decode_rejects_arbitrary_bytes(body in vec(any::<u8>(), 0..400)) {
            for path in [SetExpansion::PATH, DeleteExpansion::PATH, QueryExpansion::PATH] {
                prop_assert!(routed(Dialect::Legacy, &form_request(path, &body)).unwrap().is_err(), "{}", path);
            }
        }

        #[test]
        fn decode_never_panics_on_arbitrary_forms(
            fields in vec((
                prop_oneof![
                    prop::sample::select(&["msgUID", "userId", "conversationType", "targetId", "extraKeyVal", "extraKey", "isSyncSender", "pageNo"][..]).prop_map(str::to_owned),
                    any_text(6),
                ],
                prop_oneof![any_text(20), "-?[0-9]{1,12}", json_value().prop_map(|v| v.to_string())],
            ), 0..12)
        ) {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields.iter())
                .finish();
            for path in [SetExpansion::PATH, DeleteExpansion::PATH, QueryExpansion::PATH] {
                let _ = routed(Dialect::Legacy, &form_request(path, body.as_bytes()));
            }
        }

        #[test]
        fn json_fields_must_have_the_right_shape(text in prop_oneof![any_text(30), json_value().prop_map(|v| v.to_string())]) {
            let body = |field: &str| form_urlencoded::Serializer::new(String::new())
                .append_pair("msgUID", "m")
                .append_pair("userId", "u")
                .append_pair("conversationType", "3")
                .append_pair("targetId", "g")
                .append_pair(field, &text)
                .finish();
            let parsed = serde_json::from_str::<serde_json::Value>(&text).ok();
            let set = SetExpansion::decode(&form_request(SetExpansion::PATH, body("extraKeyVal").as_bytes()));
            match &parsed {
                Some(serde_json::Value::Object(map)) if map.values().all(|v| v.is_string() || v.is_number()) => {
                    prop_assert!(set.is_ok(), "{:?}", set);
                }
                _ => prop_assert_eq!(set.unwrap_err().field_name(), Some("extraKeyVal")),
            }
            let delete = DeleteExpansion::decode(&form_request(DeleteExpansion::PATH, body("extraKey").as_bytes()));
            match &parsed {
                Some(serde_json::Value::Array(items)) if items.iter().all(|v| v.is_string() || v.is_number()) => {
                    prop_assert_eq!(delete.unwrap().keys().len(), items.len());
                }
                _ => prop_assert_eq!(delete.unwrap_err().field_name(), Some("extraKey")),
            }
        }

        #[test]
        fn conversation_type_must_be_1_or_3(text in prop_oneof![any_text(4), "-?[0-9]{1,4}"]) {
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("msgUID", "m")
                .append_pair("userId", "u")
                .append_pair("conversationType", &text)
                .append_pair("targetId", "t")
                .append_pair("extraKey", r#"["k"]"#)
                .finish();
            let decoded = DeleteExpansion::decode(&form_request(DeleteExpansion::PATH, body.as_bytes()));
            match text.parse::<i64>() {
                Ok(1) => prop_assert_eq!(decoded.unwrap().conversation_type(), ConversationType::Private),
                Ok(3) => prop_assert_eq!(decoded.unwrap().conversation_type(), ConversationType::Group),
                _ => prop_assert_eq!(decoded.unwrap_err().field_name(), Some("conversationType")),
            }
        }
    }

    #[test]
    fn missing_and_malformed_fields_are_named() {
        let field = |path: &str, body: &str| {
            routed(Dialect::Legacy, &form_request(path, body.as_bytes()))
                .unwrap()
                .unwrap_err()
                .field_name()
        };
        let base = "msgUID=m&userId=u&conversationType=1&targetId=t";
        assert_eq!(field(SetExpansion::PATH, base), Some("extraKeyVal"));
        assert_eq!(field(DeleteExpansion::PATH, base), Some("extraKey"));
        assert_eq!(
            field(
                SetExpansion::PATH,
                "msgUID=m&userId=u&targetId=t&extraKeyVal=%7B%7D"
            ),
            Some("conversationType")
        );
        assert_eq!(
            field(
                DeleteExpansion::PATH,
                &format!("{base}&extraKey=%5B%5D&isSyncSender=2")
            ),
            Some("isSyncSender")
        );
        assert_eq!(
            field(
                DeleteExpansion::PATH,
                "userId=u&conversationType=1&targetId=t&extraKey=%5B%5D"
            ),
            Some("msgUID")
        );
        assert_eq!(
            field(QueryExpansion::PATH, "msgUID=m&pageNo=first"),
            Some("pageNo")
        );
        assert_eq!(
            field(QueryExpansion::PATH, "msgUID=m&pageNo=-1"),
            Some("pageNo")
        );
        assert_eq!(field(QueryExpansion::PATH, "pageNo=1"), Some("msgUID"));
    }

    #[test]
    fn page_zero_decodes_for_the_server_to_judge() {
        let op = QueryExpansion::decode(&form_request(QueryExpansion::PATH, b"msgUID=m&pageNo=0"))
            .unwrap();
        assert_eq!(op.page_no(), Some(0));
        assert!(op.validate(&limits()).is_err());
    }

    #[test]
    fn query_reply_has_the_vendor_shape() {
        let page = ExpansionPage {
            entries: vec![
                ExpansionEntry {
                    key: key("kkk314"),
                    value: value("vvv314"),
                    version: 33_831_605_613,
                },
                ExpansionEntry {
                    key: key("kkk313"),
                    value: value("vvv313"),
                    version: 33_831_605_588,
                },
            ],
        };
        let reply = QueryExpansion::encode_reply(&page, Some("rid"));
        assert_eq!(reply.headers()["x-request-id"], "rid");
        assert_eq!(
            std::str::from_utf8(reply.body()).unwrap(),
            r#"{"code":200,"extraContent":{"kkk314":{"v":"vvv314","ts":33831605613},"kkk313":{"v":"vvv313","ts":33831605588}}}"#
        );
        assert_eq!(
            QueryExpansion::encode_reply(&ExpansionPage::default(), None)
                .body()
                .as_slice(),
            br#"{"code":200,"extraContent":{}}"#
        );
        for reply in [
            SetExpansion::encode_reply(&(), None),
            DeleteExpansion::encode_reply(&(), None),
        ] {
            assert_eq!(reply.body().as_slice(), br#"{"code":200}"#);
        }
    }
}
