//! The router, and golden decodes of the vendor's own request examples.

use super::*;
use crate::rongcloud::test_support::{form_request, routed};
use crate::rongcloud::{
    Action, BatchRemoveEntries, BatchSetEntries, DeleteExpansion, Dialect, QueryEntries,
    QueryExpansion, RemoveEntry, RongCloudOperation, SetEntry, SetExpansion,
};
use crate::rongcloud::{
    ConversationType, KV_NOTIFICATION_OBJECT_NAME, KvChangeType, KvNotificationContent,
    Notification,
};
use crate::{Effect, Limits, Paths, V4Paths, ValidationError};
use crate::{QuotaFamily, ServerOperation};

/// The other documented v4 path of message-metadata set (one version of the Nexconn page).
const V4_ALIAS: &str = "/v4/message/metadata/set";

/// The legacy paths of [`ROUTES`], in order.
fn legacy_paths() -> Vec<&'static str> {
    ROUTES
        .iter()
        .filter(|route| route.dialect == Dialect::Legacy)
        .map(|route| route.path)
        .collect()
}

#[test]
fn seed_003_entry_set_decodes_to_its_documented_fields() {
    let body = crate::corpus_examples::request("legacy/set_entry", 0);
    let Some(Ok(Request::SetEntry(op))) = routed(
        Dialect::Legacy,
        &form_request(SetEntry::PATH, body.as_bytes()),
    ) else {
        panic!("the vendor's example must decode")
    };
    assert_eq!(op.chatroom_id().as_str(), "kvchatroom2");
    assert_eq!(op.user_id().as_str(), "Lnq9MJsPY");
    assert_eq!(op.key().as_str(), "huihui");
    assert_eq!(op.value().as_str(), "555");
    assert!(!op.is_auto_delete());
    // Not the content roomkv would write (it names another key, and `type` is a string), so it
    // is kept verbatim.
    let content = r#"{"key":"keyli","value":"5","type":"1"}"#;
    assert_eq!(
        op.notification(),
        Some(&Notification::custom(KV_NOTIFICATION_OBJECT_NAME, content))
    );
    let message = op.notification_message().unwrap();
    assert_eq!(message.content, content);
    // The lenient reader accepts the string `type`; the unknown `extra=111111` form field was
    // ignored.
    let parsed = KvNotificationContent::parse_lenient(&message.content).unwrap();
    assert_eq!(parsed.change_type, Some(KvChangeType::Set));
    assert_eq!(parsed.key.as_deref(), Some("keyli"));
    assert_eq!(parsed.value.as_deref(), Some("5"));
    assert_eq!(parsed.extra, None);
    assert!(parsed.has_required_fields());
    // It passes the documented rules too.
    let request = Request::SetEntry(op);
    assert_eq!(
        request.validate(Dialect::Legacy, &Limits::default()),
        Ok(())
    );
    assert_eq!(request.effect(), Effect::Write { notifies: true });
}

#[test]
fn seed_001_expansion_delete_decodes_to_its_documented_fields() {
    let body = crate::corpus_examples::request("legacy/delete_expansion", 0);
    let Some(Ok(Request::DeleteExpansion(op))) = routed(
        Dialect::Legacy,
        &form_request(DeleteExpansion::PATH, body.as_bytes()),
    ) else {
        panic!("the vendor's example must decode")
    };
    assert_eq!(op.msg_uid().as_str(), "BRGM-DEN2-01E4-BN66");
    assert_eq!(op.user_id().as_str(), "tjw3zbMrU");
    assert_eq!(op.target_id().as_str(), "WNYZbMqpH");
    assert_eq!(op.conversation_type(), ConversationType::Private);
    let keys: Vec<&str> = op.keys().iter().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["11111"]);
    assert!(!op.is_sync_sender(), "isSyncSender absent is 0");
    assert_eq!(
        Request::DeleteExpansion(op).validate(Dialect::Legacy, &Limits::default()),
        Ok(())
    );
}

#[test]
fn seed_000_entry_remove_lacks_the_required_key() {
    let body = crate::corpus_examples::request("legacy/remove_entry", 0);
    let err = routed(
        Dialect::Legacy,
        &form_request(RemoveEntry::PATH, body.as_bytes()),
    )
    .unwrap()
    .unwrap_err();
    assert_eq!(err.field_name(), Some("key"));
    assert_eq!(err.to_string(), "key is required");
    assert_eq!(
        RemoveEntry::decode(&form_request(RemoveEntry::PATH, body.as_bytes()))
            .unwrap_err()
            .field_name(),
        Some("key")
    );
}

/// The route table is the declarations': every declared path of every operation (legacy, v4,
/// v4 alias) is routed to that operation in its dialect, nothing else is routed, and no path
/// is routed twice. An operation without a v4 endpoint of its own has no v4 route, and its v4
/// path is its batch operation's.
#[test]
fn every_declared_path_is_routed_to_its_operation_in_its_dialect() {
    let mut declared = Vec::new();
    for action in Action::ALL {
        let Paths::ByDialect { legacy, v4 } = action.declaration().paths else {
            panic!("{action:?} is declared without dialects")
        };
        declared.push((legacy, Dialect::Legacy, action));
        match v4 {
            V4Paths::Own { path, alias } => {
                declared.push((path, Dialect::V4, action));
                declared.extend(alias.map(|alias| (alias, Dialect::V4, action)));
            }
            V4Paths::BatchOfOne(batch) => {
                let routed = Request::route(action.declaration().paths.get(Dialect::V4)).unwrap();
                assert_eq!(routed.kind.declaration(), batch, "{action:?}");
                assert_ne!(routed.kind, action);
            }
        }
    }
    for &(path, dialect, action) in &declared {
        let route = Request::route(path).unwrap_or_else(|| panic!("{path} is not routed"));
        assert_eq!((route.dialect, route.kind), (dialect, action), "{path}");
        assert_eq!(Action::from_path(path), Some(action), "{path}");
    }
    let routed: Vec<_> = ROUTES.iter().map(|r| (r.path, r.dialect, r.kind)).collect();
    let mut expected = declared.clone();
    expected.sort_by_key(|&(_, dialect, _)| dialect == Dialect::V4);
    assert_eq!(
        routed, expected,
        "the table is the declared paths, legacy first"
    );
    let mut paths: Vec<&str> = ROUTES.iter().map(|route| route.path).collect();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), ROUTES.len(), "no path is routed twice");
    assert_eq!(ROUTES.len(), 15);
    assert_eq!(
        Request::route(V4_ALIAS).map(|r| r.kind),
        Some(Action::SetExpansion)
    );
}

#[test]
fn paths_are_distinct_and_each_routes_to_its_operation() {
    let paths = legacy_paths();
    let mut sorted: Vec<&str> = ROUTES.iter().map(|route| route.path).collect();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ROUTES.len(), "every path is routed once");
    let bodies = [
        "chatroomId=r&userId=u&key=k&value=v",
        "chatroomId=r&entryOwnerId=u&entryInfo=%7B%22k%22%3A%22v%22%7D",
        "chatroomId=r&userId=u&key=k",
        "chatroomId=r&entryOwnerId=u&entryKeys=%5B%22k%22%5D",
        "chatroomId=r",
        "msgUID=m&userId=u&conversationType=3&targetId=g&extraKeyVal=%7B%22k%22%3A%22v%22%7D",
        "msgUID=m&userId=u&conversationType=1&targetId=t&extraKey=%5B%22k%22%5D",
        "msgUID=m",
    ];
    for (path, body) in paths.iter().zip(bodies) {
        let request = routed(Dialect::Legacy, &form_request(path, body.as_bytes()))
            .unwrap()
            .unwrap();
        assert_eq!(request.path(Dialect::Legacy), *path);
        assert_eq!(
            request.validate(Dialect::Legacy, &Limits::default()),
            Ok(()),
            "{path}"
        );
    }
    assert_eq!(
        paths,
        [
            "/chatroom/entry/set.json",
            "/chatroom/entry/batch/set.json",
            "/chatroom/entry/remove.json",
            "/chatroom/entry/batch/remove.json",
            "/chatroom/entry/query.json",
            "/message/expansion/set.json",
            "/message/expansion/delete.json",
            "/message/expansion/query.json",
        ]
    );
}

#[test]
fn other_paths_are_not_routed() {
    for path in [
        "/",
        "/chatroom/entry/set",
        "/chatroom/entry/set.json/",
        "/CHATROOM/entry/set.json",
        "/v4/open-channel/metadata/batch/set/",
        "/v4/live_engine_http_srv/create_room",
        "/_emulator/state",
    ] {
        assert!(
            routed(Dialect::Legacy, &form_request(path, b"chatroomId=r")).is_none(),
            "{path}"
        );
    }
    // The query string is not part of the path.
    let request = form_request("/chatroom/entry/query.json?x=1", b"chatroomId=r");
    assert!(matches!(
        routed(Dialect::Legacy, &request),
        Some(Ok(Request::QueryEntries(_)))
    ));
}

#[test]
fn quota_and_effect_follow_the_operation() {
    let group = routed(
        Dialect::Legacy,
        &form_request(
            SetExpansion::PATH,
            b"msgUID=m&userId=u&conversationType=3&targetId=g&extraKeyVal=%7B%22k%22%3A%22v%22%7D",
        ),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        group.quota().charges().collect::<Vec<_>>(),
        [
            (QuotaFamily::RongCloudExpansionWrite, 1),
            (QuotaFamily::RongCloudExpansionGroupWrite, 1)
        ]
    );
    assert_eq!(group.effect(), Effect::Write { notifies: true });
    let batch = routed(
        Dialect::Legacy,
        &form_request(
            BatchRemoveEntries::PATH,
            b"chatroomId=r&entryOwnerId=u&entryKeys=%5B%22a%22%2C%22b%22%5D",
        ),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        batch.quota().charges().collect::<Vec<_>>(),
        [(QuotaFamily::RongCloudEntryRemove, 2)]
    );
    let query = routed(
        Dialect::Legacy,
        &form_request(QueryEntries::PATH, b"chatroomId=r"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(query.effect(), Effect::Read);
}

// ---- the v4 paths ---------------------------------------------------------------------------

/// The v4 paths and replies.
mod v4 {
    use serde::Serialize;

    use super::*;
    use crate::rongcloud::test_support::as_response;
    use crate::{ApiError, RongCloudCode};

    /// The canonical v4 paths of [`ROUTES`], in order.
    fn v4_paths() -> Vec<&'static str> {
        ROUTES
            .iter()
            .filter(|route| route.dialect == Dialect::V4 && route.path != V4_ALIAS)
            .map(|route| route.path)
            .collect()
    }

    pub(super) fn json_request<'a>(path: &str, body: &'a [u8]) -> http::Request<&'a [u8]> {
        http::Request::post(path)
            .header("content-type", "application/json")
            .body(body)
            .unwrap()
    }

    const BODIES: [&str; 6] = [
        r#"{"channelId":"r","metadataOwnerId":"u","metadata":{"k":"v"},"shouldAutoDelete":0}"#,
        r#"{"channelId":"r","metadataOwnerId":"u","metadataKeys":["k"]}"#,
        r#"{"channelId":"r"}"#,
        r#"{"messageId":"m","userId":"u","channelType":3,"channelId":"g","metadata":{"k":"v"},"isEchoToSender":0}"#,
        r#"{"messageId":"m","userId":"u","channelType":1,"channelId":"t","keys":["k"],"syncToSender":0}"#,
        r#"{"messageId":"m"}"#,
    ];

    #[test]
    fn paths_are_distinct_and_each_routes_to_its_operation() {
        assert_eq!(
            v4_paths(),
            [
                "/v4/open-channel/metadata/batch/set",
                "/v4/open-channel/metadata/batch/remove",
                "/v4/open-channel/metadata/batch/get",
                "/v4/channel-type/message/metadata/set",
                "/v4/channel-type/message/metadata/delete",
                "/v4/channel-type/message/metadata/list",
            ]
        );
        let effects = [
            Effect::Write { notifies: false },
            Effect::Write { notifies: false },
            Effect::Read,
            Effect::Write { notifies: true },
            Effect::Write { notifies: true },
            Effect::Read,
        ];
        for ((path, body), effect) in v4_paths().into_iter().zip(BODIES).zip(effects) {
            let request = routed(Dialect::V4, &json_request(path, body.as_bytes()))
                .unwrap()
                .unwrap();
            assert_eq!(request.path(Dialect::V4), path);
            assert_eq!(
                request.validate(Dialect::V4, &Limits::default()),
                Ok(()),
                "{path}"
            );
            assert_eq!(request.effect(), effect, "{path}");
        }
        let alt = routed(Dialect::V4, &json_request(V4_ALIAS, BODIES[3].as_bytes()))
            .unwrap()
            .unwrap();
        assert_eq!(alt.path(Dialect::V4), SetExpansion::V4_PATH);
        assert_eq!(
            alt.quota().charges().collect::<Vec<_>>(),
            [
                (QuotaFamily::RongCloudExpansionWrite, 1),
                (QuotaFamily::RongCloudExpansionGroupWrite, 1)
            ]
        );
    }

    /// `Request::route` is what a server asks before authenticating: it must say yes exactly for
    /// the paths the decoder knows, the alternative spelling included.
    #[test]
    fn route_agrees_with_the_decoder() {
        let known = v4_paths().into_iter().chain([V4_ALIAS]);
        for path in known {
            assert!(Request::route(path).is_some(), "{path}");
            assert!(
                routed(Dialect::V4, &json_request(path, b"{}")).is_some(),
                "{path}"
            );
        }
        for path in [
            "/",
            "/v4/message/metadata/set/",
            "/v4/message/metadata/delete",
            "/v4/live_engine_http_srv/create_room",
        ] {
            assert!(Request::route(path).is_none(), "{path}");
            assert!(
                Request::decode(&json_request(path, b"{}")).is_none(),
                "{path}"
            );
        }
    }

    #[test]
    fn other_paths_are_not_routed_and_bad_bodies_are_errors() {
        for path in [
            "/",
            "/v4/open-channel/metadata/batch/set/",
            "/V4/open-channel/metadata/batch/set",
            "/v4/live_engine_http_srv/create_room",
        ] {
            assert!(
                Request::decode(&json_request(path, b"{}")).is_none(),
                "{path}"
            );
        }
        let not_json = routed(Dialect::V4, &json_request(v4_paths()[0], b"channelId=r"))
            .unwrap()
            .unwrap_err();
        assert_eq!(not_json.field_name(), None);
        let missing = routed(Dialect::V4, &json_request(v4_paths()[2], b"{}"))
            .unwrap()
            .unwrap_err();
        assert_eq!(missing.field_name(), Some("channelId"));
    }

    #[test]
    fn replies_have_the_v4_shape() {
        let ok = v4_success_reply::<()>(None, Some("rid"));
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.body().as_slice(), br#"{"code":0}"#);
        assert_eq!(ok.headers()["x-request-id"], "rid");
        assert_eq!(
            ok.headers()[http::header::CONTENT_TYPE],
            "application/json; charset=utf-8"
        );
        #[derive(Serialize)]
        struct Result {
            metadata: Vec<u8>,
        }
        assert_eq!(
            v4_success_reply(Some(&Result { metadata: vec![] }), None)
                .body()
                .as_slice(),
            br#"{"code":0,"result":{"metadata":[]}}"#
        );

        let op = BatchSetEntries::new(
            crate::rongcloud::ChatroomId::parse("r").unwrap(),
            crate::rongcloud::UserId::parse("u").unwrap(),
            [],
        );
        for (code, status) in [
            (RongCloudCode::ParameterError, 400),
            (RongCloudCode::SignatureError, 401),
            (RongCloudCode::MethodRestricted, 403),
            (RongCloudCode::DataNotFound, 404),
            (RongCloudCode::RateLimited, 429),
            (RongCloudCode::ServiceNotEnabled, 430),
            (RongCloudCode::InternalError, 500),
        ] {
            let error = ApiError::rongcloud(code, "why", status).with_request_id("r-1");
            let reply = error_reply(&error);
            assert_eq!(reply.status(), status);
            assert_eq!(
                reply.body().as_slice(),
                format!(r#"{{"code":{},"errorMessage":"why"}}"#, code.code()).as_bytes()
            );
            // What the emulator sends, the client reads back as the same error.
            match op.parse_in(Dialect::V4, as_response(&reply)) {
                Err(crate::ResponseError::Api(back)) => assert_eq!(back, error),
                other => panic!("{other:?}"),
            }
        }
    }
}

// ---- one operation, two dialects --------------------------------------------------------------

/// Every operation encoded in either dialect is decoded by the one router, in that dialect, to
/// the operation it was (v4 carries a single set or remove as a batch of one); a notification
/// is refused in v4 with the same typed error at every step.
mod both_dialects {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::v4::json_request;
    use super::*;
    use crate::rongcloud::test_support::{
        as_received, chatroom_id, conversation_type, distinct_keys, endpoint, entry_key,
        entry_value, expansion_value, msg_uid, notification, target_id, user_id,
    };
    use crate::rongcloud::{
        EntryKey, EntryValue, ExpansionKey, ExpansionValue, RongCloudOperation, UserId,
    };

    #[test]
    fn a_v4_batch_of_two_is_no_single_key_write() {
        let set = json_request(BatchSetEntries::V4_PATH, BODIES_OF_TWO[0].as_bytes());
        let err = Request::decode_as(Action::SetEntry, Dialect::V4, &set).unwrap_err();
        assert_eq!(err.field_name(), Some("metadata"));
        let remove = json_request(BatchRemoveEntries::V4_PATH, BODIES_OF_TWO[1].as_bytes());
        let err = Request::decode_as(Action::RemoveEntry, Dialect::V4, &remove).unwrap_err();
        assert_eq!(err.field_name(), Some("metadataKeys"));
    }

    const BODIES_OF_TWO: [&str; 2] = [
        r#"{"channelId":"r","metadataOwnerId":"u","metadata":{"k":"v","l":"w"}}"#,
        r#"{"channelId":"r","metadataOwnerId":"u","metadataKeys":["k","l"]}"#,
    ];

    fn dialect() -> impl Strategy<Value = Dialect> {
        prop_oneof![Just(Dialect::Legacy), Just(Dialect::V4)]
    }

    /// What the router makes of `op` sent in `dialect`, after checking it is valid there.
    fn sent_and_decoded<O: RongCloudOperation>(op: &O, dialect: Dialect) -> Request {
        assert_eq!(op.validate_in(dialect, &Limits::default()), Ok(()));
        let request = op.encode_in(dialect, &endpoint()).unwrap();
        let (found, decoded) = Request::decode(&as_received(&request)).expect("a routed path");
        assert_eq!(found, dialect);
        decoded.expect("what roomkv sends decodes")
    }

    fn entry_pairs() -> impl Strategy<Value = Vec<(EntryKey, EntryValue)>> {
        (1usize..=20).prop_flat_map(|n| {
            (distinct_keys(n, 128), vec(entry_value(), n)).prop_map(|(keys, values)| {
                keys.into_iter()
                    .map(EntryKey::non_validated)
                    .zip(values)
                    .collect()
            })
        })
    }

    fn expansion_pairs() -> impl Strategy<Value = Vec<(ExpansionKey, ExpansionValue)>> {
        (1usize..=30).prop_flat_map(|n| {
            (distinct_keys(n, 32), vec(expansion_value(), n)).prop_map(|(keys, values)| {
                keys.into_iter()
                    .map(ExpansionKey::non_validated)
                    .zip(values)
                    .collect()
            })
        })
    }

    proptest! {
        #[test]
        fn set_entry_round_trips(
            d in dialect(), room in chatroom_id(), user in user_id(), key in entry_key(),
            value in entry_value(), auto in any::<bool>(),
        ) {
            let op = SetEntry::new(room.clone(), user.clone(), key.clone(), value.clone())
                .auto_delete(auto);
            let expected = match d {
                Dialect::Legacy => Request::SetEntry(op.clone()),
                Dialect::V4 => Request::BatchSetEntries(
                    BatchSetEntries::new(room, user, [(key, value)]).auto_delete(auto),
                ),
            };
            prop_assert_eq!(sent_and_decoded(&op, d), expected);
        }

        /// Asked for, the single-key operation decodes from its v4 batch of one (which the
        /// router gives to the batch operation).
        #[test]
        fn single_key_writes_decode_as_themselves_from_their_v4_batch_of_one(
            room in chatroom_id(), user in user_id(), key in entry_key(), value in entry_value(),
            auto in any::<bool>(),
        ) {
            let set = SetEntry::new(room.clone(), user.clone(), key.clone(), value).auto_delete(auto);
            let remove = RemoveEntry::new(room, user, key);
            let sent = set.encode_in(Dialect::V4, &endpoint()).unwrap();
            let decoded = Request::decode_as(Action::SetEntry, Dialect::V4, &as_received(&sent));
            prop_assert_eq!(decoded.unwrap(), Request::SetEntry(set));
            let sent = remove.encode_in(Dialect::V4, &endpoint()).unwrap();
            let decoded = Request::decode_as(Action::RemoveEntry, Dialect::V4, &as_received(&sent));
            prop_assert_eq!(decoded.unwrap(), Request::RemoveEntry(remove));
        }

        #[test]
        fn batch_set_entries_round_trips(
            d in dialect(), room in chatroom_id(), owner in user_id(), pairs in entry_pairs(),
            auto in any::<bool>(),
        ) {
            let op = BatchSetEntries::new(room, owner, pairs).auto_delete(auto);
            prop_assert_eq!(sent_and_decoded(&op, d), Request::BatchSetEntries(op));
        }

        #[test]
        fn remove_entry_round_trips(
            d in dialect(), room in chatroom_id(), user in user_id(), key in entry_key(),
        ) {
            let op = RemoveEntry::new(room.clone(), user.clone(), key.clone());
            let expected = match d {
                Dialect::Legacy => Request::RemoveEntry(op.clone()),
                Dialect::V4 => {
                    Request::BatchRemoveEntries(BatchRemoveEntries::new(room, user, [key]))
                }
            };
            prop_assert_eq!(sent_and_decoded(&op, d), expected);
        }

        #[test]
        fn batch_remove_entries_round_trips(
            d in dialect(), room in chatroom_id(), owner in user_id(),
            keys in (1usize..=20).prop_flat_map(|n| distinct_keys(n, 128)),
        ) {
            let op = BatchRemoveEntries::new(room, owner, keys.into_iter().map(EntryKey::non_validated));
            prop_assert_eq!(sent_and_decoded(&op, d), Request::BatchRemoveEntries(op));
        }

        #[test]
        fn query_entries_round_trips(
            d in dialect(), room in chatroom_id(), keys in vec(entry_key(), 0..=100),
        ) {
            let op = QueryEntries::new(room).with_keys(keys);
            prop_assert_eq!(sent_and_decoded(&op, d), Request::QueryEntries(op));
        }

        #[test]
        fn set_expansion_round_trips(
            d in dialect(), msg in msg_uid(), user in user_id(), conversation in conversation_type(),
            target in target_id(), pairs in expansion_pairs(), sync in any::<bool>(),
        ) {
            let op = SetExpansion::new(msg, user, conversation, target, pairs).sync_sender(sync);
            prop_assert_eq!(sent_and_decoded(&op, d), Request::SetExpansion(op));
        }

        #[test]
        fn delete_expansion_round_trips(
            d in dialect(), msg in msg_uid(), user in user_id(), conversation in conversation_type(),
            target in target_id(), keys in (1usize..=100).prop_flat_map(|n| distinct_keys(n, 32)),
            sync in any::<bool>(),
        ) {
            let op = DeleteExpansion::new(
                msg, user, conversation, target, keys.into_iter().map(ExpansionKey::non_validated),
            )
            .sync_sender(sync);
            prop_assert_eq!(sent_and_decoded(&op, d), Request::DeleteExpansion(op));
        }

        #[test]
        fn query_expansion_round_trips(
            d in dialect(), msg in msg_uid(), page in proptest::option::of(1u32..),
        ) {
            let op = match page {
                Some(page) => QueryExpansion::new(msg).page(page),
                None => QueryExpansion::new(msg),
            };
            prop_assert_eq!(sent_and_decoded(&op, d), Request::QueryExpansion(op));
        }

        #[test]
        fn a_notification_is_refused_in_v4_and_sent_in_legacy(
            room in chatroom_id(), user in user_id(), key in entry_key(), value in entry_value(),
            notification in notification(),
        ) {
            let set = SetEntry::new(room.clone(), user.clone(), key.clone(), value)
                .notify(notification.clone());
            let remove = RemoveEntry::new(room, user, key).notify(notification);
            let refused = |what: &str| ValidationError::OutOfRange {
                field: "objectName",
                value: format!("a notification on {what}"),
                allowed: "no notification in the Nexconn v4 dialect (v4 batch set and remove \
                          carry no objectName or content); send it in the legacy dialect",
            };
            let limits = Limits::default();
            prop_assert_eq!(set.in_dialect(Dialect::V4).err(), Some(refused("a single-key set")));
            prop_assert_eq!(set.validate_in(Dialect::V4, &limits), Err(refused("a single-key set")));
            prop_assert!(set.encode_in(Dialect::V4, &endpoint()).is_err());
            prop_assert_eq!(
                remove.in_dialect(Dialect::V4).err(),
                Some(refused("a single-key remove"))
            );
            prop_assert_eq!(
                remove.validate_in(Dialect::V4, &limits),
                Err(refused("a single-key remove"))
            );
            prop_assert!(remove.encode_in(Dialect::V4, &endpoint()).is_err());
            // The same operations go out with their notification in legacy.
            prop_assert_eq!(sent_and_decoded(&set, Dialect::Legacy), Request::SetEntry(set));
            prop_assert_eq!(
                sent_and_decoded(&remove, Dialect::Legacy),
                Request::RemoveEntry(remove)
            );
        }
    }

    #[test]
    fn the_user_id_of_a_single_remove_is_the_v4_owner() {
        let op = RemoveEntry::new(
            crate::rongcloud::ChatroomId::parse("r").unwrap(),
            UserId::parse("u").unwrap(),
            EntryKey::parse("k").unwrap(),
        );
        let Request::BatchRemoveEntries(batch) = sent_and_decoded(&op, Dialect::V4) else {
            panic!("a v4 remove is a batch remove")
        };
        assert_eq!(batch.owner().as_str(), "u");
    }
}
