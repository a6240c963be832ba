//! Exact wire output (golden requests) of every operation with a fixed clock and nonce: method,
//! URL, signature headers, request id, content type and body bytes.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_rongcloud::{
    AppSecret, BatchSetEntries, ConversationType, DeleteExpansion, HeaderStyle, Notification,
    QueryExpansion, SetEntry, SetExpansion,
};
use roomkv_sign::rongcloud::signature;
use roomkv_transport::HttpRequest;

use crate::support::*;

/// The headers every request carries, in the plain style, and nothing else.
fn assert_signed_plain(request: &HttpRequest) {
    assert_eq!(header(request, "app-key"), APP_KEY);
    assert_eq!(header(request, "nonce"), "14314");
    assert_eq!(header(request, "timestamp"), "1408710653000");
    let sig = header(request, "signature");
    // The captured values, signed by the sign crate …
    assert_eq!(
        sig,
        signature(
            &AppSecret::new(APP_SECRET),
            header(request, "nonce"),
            header(request, "timestamp")
        )
    );
    // … and RongCloud's documented value for these inputs.
    assert_eq!(sig, DOC_SIGNATURE);
    assert!(request.headers()["signature"].is_sensitive());
    assert_eq!(header(request, "x-request-id"), FIXED_REQUEST_ID);
    assert_eq!(
        header(request, "content-type"),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        header(request, "user-agent"),
        concat!("roomkv-rongcloud/", env!("CARGO_PKG_VERSION"))
    );
    let mut names: Vec<&str> = request.headers().keys().map(|n| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "app-key",
            "content-type",
            "nonce",
            "signature",
            "timestamp",
            "user-agent",
            "x-request-id"
        ]
    );
}

/// One `POST` to `path` on the Beijing primary host with exactly `body`.
fn assert_request(request: &HttpRequest, path: &str, body: &str) {
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().to_string(),
        format!("https://api.rong-api.com{path}")
    );
    assert_eq!(
        std::str::from_utf8(request.body()).unwrap(),
        body,
        "body of {path}"
    );
    assert_signed_plain(request);
}

#[tokio::test]
async fn set_entry() {
    let h = Harness::new();
    h.client
        .set_entry(&room(), &user(), key("score"), value("42"))
        .await
        .unwrap();
    let requests = h.requests();
    assert_eq!(requests.len(), 1);
    assert_request(
        &requests[0],
        "/chatroom/entry/set.json",
        "chatroomId=room1&userId=anchor&key=score&value=42&autoDelete=0",
    );
}

#[tokio::test]
async fn set_entry_with_auto_delete_and_notification() {
    let h = Harness::new();
    let op = SetEntry::new(room(), user(), key("score"), value("4 2"))
        .auto_delete(true)
        .notify(Notification::kv_change_with_extra("x"));
    h.client.send(&op).await.unwrap();
    assert_request(
        &h.requests()[0],
        "/chatroom/entry/set.json",
        "chatroomId=room1&userId=anchor&key=score&value=4+2&autoDelete=1\
         &objectName=RC%3AchrmKVNotiMsg\
         &content=%7B%22type%22%3A1%2C%22key%22%3A%22score%22%2C%22value%22%3A%224+2%22%2C%22extra%22%3A%22x%22%7D",
    );
}

#[tokio::test]
async fn batch_set_entries() {
    let h = Harness::new();
    h.client
        .batch_set_entries(
            &room(),
            &user(),
            [(key("k2"), value("v2")), (key("k1"), value("v1"))],
        )
        .await
        .unwrap();
    assert_request(
        &h.requests()[0],
        "/chatroom/entry/batch/set.json",
        "chatroomId=room1&autoDelete=0&entryOwnerId=anchor\
         &entryInfo=%7B%22k2%22%3A%22v2%22%2C%22k1%22%3A%22v1%22%7D",
    );
    let op = BatchSetEntries::new(room(), user(), [(key("k"), value("v"))]).auto_delete(true);
    h.client.send(&op).await.unwrap();
    assert_request(
        &h.requests()[1],
        "/chatroom/entry/batch/set.json",
        "chatroomId=room1&autoDelete=1&entryOwnerId=anchor&entryInfo=%7B%22k%22%3A%22v%22%7D",
    );
}

#[tokio::test]
async fn remove_entry() {
    let h = Harness::new();
    h.client
        .remove_entry(&room(), &user(), key("score"))
        .await
        .unwrap();
    assert_request(
        &h.requests()[0],
        "/chatroom/entry/remove.json",
        "chatroomId=room1&userId=anchor&key=score",
    );
}

#[tokio::test]
async fn batch_remove_entries() {
    let h = Harness::new();
    h.client
        .batch_remove_entries(&room(), &user(), [key("k1"), key("k2")])
        .await
        .unwrap();
    assert_request(
        &h.requests()[0],
        "/chatroom/entry/batch/remove.json",
        "chatroomId=room1&entryOwnerId=anchor&entryKeys=%5B%22k1%22%2C%22k2%22%5D",
    );
}

#[tokio::test]
async fn query_entries() {
    let h = Harness::new();
    h.reply(reply(
        200,
        r#"{"code":200,"keys":[{"key":"score","value":"42","userId":"anchor","autoDelete":"1","lastSetTime":"1700000000000"}]}"#,
    ));
    let entries = h
        .client
        .query_entries(&room(), [key("score"), key("stage")])
        .await
        .unwrap();
    assert_request(
        &h.requests()[0],
        "/chatroom/entry/query.json",
        "chatroomId=room1&keys=score&keys=stage",
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].key.as_str(), "score");
    assert_eq!(entries[0].value.as_str(), "42");
    assert_eq!(entries[0].user_id.as_str(), "anchor");
    assert!(entries[0].auto_delete);
    assert_eq!(entries[0].last_set_time_ms, 1_700_000_000_000);

    h.client.query_all_entries(&room()).await.unwrap();
    assert_request(
        &h.requests()[1],
        "/chatroom/entry/query.json",
        "chatroomId=room1",
    );

    h.reply(reply(
        200,
        r#"{"code":200,"keys":[{"key":"stage","value":"quiz","userId":"anchor","autoDelete":"0","lastSetTime":"1"}]}"#,
    ));
    let stage = h.client.get_entry(&room(), &key("stage")).await.unwrap();
    assert_eq!(stage.unwrap().value.as_str(), "quiz");
    assert_request(
        &h.requests()[2],
        "/chatroom/entry/query.json",
        "chatroomId=room1&keys=stage",
    );
    let missing = h.client.get_entry(&room(), &key("gone")).await.unwrap();
    assert_eq!(missing, None);
}

#[tokio::test]
async fn set_expansion() {
    let h = Harness::new();
    h.client
        .set_expansion(
            &msg(),
            &roomkv_rongcloud::UserId::parse("tjw3zbMrU").unwrap(),
            ConversationType::Group,
            &target("group1"),
            [(xkey("likes"), xvalue("3"))],
        )
        .await
        .unwrap();
    assert_request(
        &h.requests()[0],
        "/message/expansion/set.json",
        "msgUID=BRGM-DEN2-01E4-BN66&userId=tjw3zbMrU&conversationType=3&targetId=group1\
         &extraKeyVal=%7B%22likes%22%3A%223%22%7D&isSyncSender=0",
    );
    let op = SetExpansion::new(
        msg(),
        user(),
        ConversationType::Private,
        target("bob"),
        [(xkey("a"), xvalue("1"))],
    )
    .sync_sender(true);
    h.client.send(&op).await.unwrap();
    assert_request(
        &h.requests()[1],
        "/message/expansion/set.json",
        "msgUID=BRGM-DEN2-01E4-BN66&userId=anchor&conversationType=1&targetId=bob\
         &extraKeyVal=%7B%22a%22%3A%221%22%7D&isSyncSender=1",
    );
}

#[tokio::test]
async fn delete_expansion() {
    let h = Harness::new();
    h.client
        .delete_expansion(
            &msg(),
            &user(),
            ConversationType::Private,
            &target("bob"),
            [xkey("likes"), xkey("stars")],
        )
        .await
        .unwrap();
    assert_request(
        &h.requests()[0],
        "/message/expansion/delete.json",
        "msgUID=BRGM-DEN2-01E4-BN66&userId=anchor&conversationType=1&targetId=bob\
         &extraKey=%5B%22likes%22%2C%22stars%22%5D&isSyncSender=0",
    );
    let op = DeleteExpansion::new(
        msg(),
        user(),
        ConversationType::Group,
        target("group1"),
        [xkey("likes")],
    )
    .sync_sender(true);
    h.client.send(&op).await.unwrap();
    assert_request(
        &h.requests()[1],
        "/message/expansion/delete.json",
        "msgUID=BRGM-DEN2-01E4-BN66&userId=anchor&conversationType=3&targetId=group1\
         &extraKey=%5B%22likes%22%5D&isSyncSender=1",
    );
}

#[tokio::test]
async fn query_expansion() {
    let h = Harness::new();
    h.reply(reply(
        200,
        r#"{"code":200,"extraContent":{"kkk314":{"v":"vvv314","ts":33831605613},"kkk313":{"v":"vvv313","ts":33831605588}}}"#,
    ));
    let page = h.client.query_expansion(&msg()).await.unwrap();
    assert_request(
        &h.requests()[0],
        "/message/expansion/query.json",
        "msgUID=BRGM-DEN2-01E4-BN66",
    );
    let keys: Vec<&str> = page.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["kkk314", "kkk313"]);
    assert_eq!(page.get("kkk313").unwrap().version, 33_831_605_588);

    h.client
        .send(&QueryExpansion::new(msg()).page(2))
        .await
        .unwrap();
    assert_request(
        &h.requests()[1],
        "/message/expansion/query.json",
        "msgUID=BRGM-DEN2-01E4-BN66&pageNo=2",
    );
}

#[tokio::test]
async fn rc_prefixed_header_style() {
    let h = Harness::with(|b| b.header_style(HeaderStyle::RcPrefixed));
    h.client
        .remove_entry(&room(), &user(), key("score"))
        .await
        .unwrap();
    let request = &h.requests()[0];
    assert_eq!(header(request, "rc-app-key"), APP_KEY);
    assert_eq!(header(request, "rc-nonce"), "14314");
    assert_eq!(header(request, "rc-timestamp"), "1408710653000");
    assert_eq!(header(request, "rc-signature"), DOC_SIGNATURE);
    assert!(request.headers()["rc-signature"].is_sensitive());
    for plain in ["app-key", "nonce", "timestamp", "signature"] {
        assert!(request.headers().get(plain).is_none(), "{plain}");
    }
    assert_eq!(header(request, "x-request-id"), FIXED_REQUEST_ID);
}

#[tokio::test]
async fn a_custom_host_keeps_its_path_prefix() {
    let h = Harness::with(|b| b.base_url("https://gateway.example/rongcloud/"));
    h.client.query_all_entries(&room()).await.unwrap();
    assert_eq!(
        h.requests()[0].uri().to_string(),
        "https://gateway.example/rongcloud/chatroom/entry/query.json"
    );
}
