//! The router, and golden decodes of the vendor's own request examples.

use super::*;
use crate::rongcloud::test_support::form_request;
use crate::rongcloud::{
    ConversationType, KV_NOTIFICATION_OBJECT_NAME, KvChangeType, KvNotificationContent,
    Notification,
};
use crate::{QuotaFamily, ServerOperation};

#[test]
fn seed_003_entry_set_decodes_to_its_documented_fields() {
    let body = crate::corpus_examples::request("legacy/set_entry", 0);
    let Some(Ok(Request::SetEntry(op))) =
        Request::decode(&form_request(SetEntry::PATH, body.as_bytes()))
    else {
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
    assert_eq!(request.validate(&Limits::default()), Ok(()));
    assert_eq!(request.effect(), Effect::Write { notifies: true });
}

#[test]
fn seed_001_expansion_delete_decodes_to_its_documented_fields() {
    let body = crate::corpus_examples::request("legacy/delete_expansion", 0);
    let Some(Ok(Request::DeleteExpansion(op))) =
        Request::decode(&form_request(DeleteExpansion::PATH, body.as_bytes()))
    else {
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
        Request::DeleteExpansion(op).validate(&Limits::default()),
        Ok(())
    );
}

#[test]
fn seed_000_entry_remove_lacks_the_required_key() {
    let body = crate::corpus_examples::request("legacy/remove_entry", 0);
    let err = Request::decode(&form_request(RemoveEntry::PATH, body.as_bytes()))
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

#[test]
fn paths_are_distinct_and_each_routes_to_its_operation() {
    let mut sorted = PATHS.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), PATHS.len());
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
    for (path, body) in PATHS.into_iter().zip(bodies) {
        let request = Request::decode(&form_request(path, body.as_bytes()))
            .unwrap()
            .unwrap();
        assert_eq!(request.path(), path);
        assert_eq!(request.validate(&Limits::default()), Ok(()), "{path}");
    }
    assert_eq!(
        PATHS,
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
        "/v4/open-channel/metadata/batch/set",
        "/v4/live_engine_http_srv/create_room",
        "/_emulator/state",
    ] {
        assert!(
            Request::decode(&form_request(path, b"chatroomId=r")).is_none(),
            "{path}"
        );
    }
    // The query string is not part of the path.
    let request = form_request("/chatroom/entry/query.json?x=1", b"chatroomId=r");
    assert!(matches!(
        Request::decode(&request),
        Some(Ok(Request::QueryEntries(_)))
    ));
}

#[test]
fn quota_and_effect_follow_the_operation() {
    let group = Request::decode(&form_request(
        SetExpansion::PATH,
        b"msgUID=m&userId=u&conversationType=3&targetId=g&extraKeyVal=%7B%22k%22%3A%22v%22%7D",
    ))
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
    let batch = Request::decode(&form_request(
        BatchRemoveEntries::PATH,
        b"chatroomId=r&entryOwnerId=u&entryKeys=%5B%22a%22%2C%22b%22%5D",
    ))
    .unwrap()
    .unwrap();
    assert_eq!(
        batch.quota().charges().collect::<Vec<_>>(),
        [(QuotaFamily::RongCloudEntryRemove, 2)]
    );
    let query = Request::decode(&form_request(QueryEntries::PATH, b"chatroomId=r"))
        .unwrap()
        .unwrap();
    assert_eq!(query.effect(), Effect::Read);
}
