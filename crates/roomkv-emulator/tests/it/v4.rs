//! The Nexconn v4 surface over HTTP: each v4 path answered in the v4 envelope, the same state as
//! the legacy paths (set through one, read through the other), and v4's HTTP statuses.

use http::Request;

use crate::served::*;

/// A JSON POST to a v4 `path`, signed as the default app.
async fn v4(s: &Served, path: &str, body: &str) -> Reply {
    let request = Request::post(path)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .unwrap();
    s.send(sign_rc(request)).await
}

const OK: &str = r#"{"code":0}"#;

#[tokio::test]
async fn every_v4_path_answers_in_the_v4_envelope() {
    let s = Served::unlimited().await;
    let reply = v4(
        &s,
        "/v4/open-channel/metadata/batch/set",
        r#"{"channelId":"room","metadataOwnerId":"host","metadata":{"stage":"quiz","score":"42"},"shouldAutoDelete":1}"#,
    )
    .await;
    assert_eq!((reply.status.as_u16(), reply.text().as_str()), (200, OK));

    let reply = v4(
        &s,
        "/v4/open-channel/metadata/batch/get",
        r#"{"channelId":"room","metadataKeys":["stage"]}"#,
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200);
    let body = reply.json();
    assert_eq!(body["code"], 0);
    let metadata = body["result"]["metadata"].as_array().unwrap();
    assert_eq!(metadata.len(), 1);
    assert_eq!(metadata[0]["key"], "stage");
    assert_eq!(metadata[0]["value"], "quiz");

    let reply = v4(
        &s,
        "/v4/open-channel/metadata/batch/remove",
        r#"{"channelId":"room","metadataOwnerId":"host","metadataKeys":["stage"]}"#,
    )
    .await;
    assert_eq!(reply.text(), OK);

    let reply = v4(
        &s,
        "/v4/channel-type/message/metadata/set",
        r#"{"messageId":"M1","userId":"alice","channelType":3,"channelId":"g1","metadata":{"likes":"3"},"isEchoToSender":0}"#,
    )
    .await;
    assert_eq!(reply.text(), OK);
    let reply = v4(
        &s,
        "/v4/channel-type/message/metadata/list",
        r#"{"messageId":"M1"}"#,
    )
    .await;
    let body = reply.json();
    assert_eq!(body["code"], 0);
    assert_eq!(body["result"]["metadata"][0]["key"], "likes");
    assert_eq!(body["result"]["metadata"][0]["value"], "3");
    let reply = v4(
        &s,
        "/v4/channel-type/message/metadata/delete",
        r#"{"messageId":"M1","userId":"alice","channelType":3,"channelId":"g1","keys":["likes"],"syncToSender":0}"#,
    )
    .await;
    assert_eq!(reply.text(), OK);
    s.shutdown().await;
}

/// The other documented path of set-message-metadata (core's `SET_MESSAGE_METADATA_ALT_PATH`)
/// reaches the same handler as the main one: it sets, and a read through the main family sees it.
#[tokio::test]
async fn the_alternative_message_metadata_path_sets_like_the_main_one() {
    let s = Served::unlimited().await;
    let reply = v4(
        &s,
        "/v4/message/metadata/set",
        r#"{"messageId":"M2","userId":"alice","channelType":3,"channelId":"g1","metadata":{"likes":"7"},"isEchoToSender":0}"#,
    )
    .await;
    assert_eq!((reply.status.as_u16(), reply.text().as_str()), (200, OK));
    let reply = v4(
        &s,
        "/v4/channel-type/message/metadata/list",
        r#"{"messageId":"M2"}"#,
    )
    .await;
    let body = reply.json();
    assert_eq!(body["result"]["metadata"][0]["key"], "likes");
    assert_eq!(body["result"]["metadata"][0]["value"], "7");
    // Its errors are the v4 dialect's too: a missing field is a 400 naming it.
    let reply = v4(&s, "/v4/message/metadata/set", r#"{"userId":"alice"}"#).await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    assert_eq!(reply.json()["code"], 1002);
    s.shutdown().await;
}

#[tokio::test]
async fn both_dialects_share_one_state() {
    let s = Served::unlimited().await;
    // v4 → legacy.
    v4(
        &s,
        "/v4/open-channel/metadata/batch/set",
        r#"{"channelId":"room","metadataOwnerId":"host","metadata":{"stage":"quiz"}}"#,
    )
    .await;
    let reply = s
        .rc("/chatroom/entry/query.json", "chatroomId=room&keys=stage")
        .await;
    let body = reply.json();
    assert_eq!(body["code"], 200);
    assert_eq!(body["keys"][0]["key"], "stage");
    assert_eq!(body["keys"][0]["value"], "quiz");
    assert_eq!(body["keys"][0]["userId"], "host");

    // legacy → v4.
    let reply = s
        .rc(
            "/chatroom/entry/set.json",
            "chatroomId=room&userId=alice&key=seat&value=alice",
        )
        .await;
    assert_eq!(reply.code(), 200);
    let reply = v4(
        &s,
        "/v4/open-channel/metadata/batch/get",
        r#"{"channelId":"room","metadataKeys":["seat"]}"#,
    )
    .await;
    assert_eq!(reply.json()["result"]["metadata"][0]["value"], "alice");

    // A v4 remove is seen by legacy, whose remove of it then finds nothing.
    v4(
        &s,
        "/v4/open-channel/metadata/batch/remove",
        r#"{"channelId":"room","metadataOwnerId":"alice","metadataKeys":["seat"]}"#,
    )
    .await;
    let reply = s
        .rc(
            "/chatroom/entry/remove.json",
            "chatroomId=room&userId=alice&key=seat",
        )
        .await;
    assert_eq!(reply.code(), 1015);
    s.shutdown().await;
}

#[tokio::test]
async fn v4_errors_have_meaningful_statuses() {
    let s = Served::unlimited().await;
    // 400: a parameter error (missing channelId), and a remove of keys that do not exist.
    let reply = v4(&s, "/v4/open-channel/metadata/batch/get", r#"{}"#).await;
    assert_eq!(reply.status_code(), (400, 1002));
    let reply = v4(
        &s,
        "/v4/open-channel/metadata/batch/remove",
        r#"{"channelId":"room","metadataOwnerId":"a","metadataKeys":["nope"]}"#,
    )
    .await;
    assert_eq!(reply.status_code(), (400, 1015));
    assert!(reply.json()["errorMessage"].is_string());

    // 401: a bad signature.
    let request = Request::post("/v4/open-channel/metadata/batch/get")
        .header("App-Key", "demo-app-key")
        .header("Nonce", "1")
        .header("Timestamp", "1700000000")
        .header("Signature", "0000")
        .body(r#"{"channelId":"room"}"#.to_owned())
        .unwrap();
    assert_eq!(s.send(request).await.status_code(), (401, 1004));

    // 404: an unknown v4 path.
    let reply = v4(&s, "/v4/open-channel/metadata/nope", "{}").await;
    assert_eq!(reply.status_code(), (404, 404));

    // 430: the KV service disabled for the app.
    s.emulator.state().set_kv_enabled("demo-app-key", false);
    let reply = v4(
        &s,
        "/v4/open-channel/metadata/batch/get",
        r#"{"channelId":"room"}"#,
    )
    .await;
    assert_eq!(reply.status_code(), (430, 1009));
    // The legacy path keeps RongCloud's HTTP 200 for the same refusal.
    let reply = s.rc("/chatroom/entry/query.json", "chatroomId=room").await;
    assert_eq!(reply.status_code(), (200, 1009));
    s.shutdown().await;
}

#[tokio::test]
async fn v4_throttling_is_429() {
    let mut config = roomkv_emulator::EmulatorConfig::default();
    config.quota.enabled = true;
    let s = Served::start(config).await;
    let mut last = None;
    for _ in 0..200 {
        let reply = v4(
            &s,
            "/v4/open-channel/metadata/batch/get",
            r#"{"channelId":"room"}"#,
        )
        .await;
        if reply.status.as_u16() != 200 {
            last = Some(reply.status_code());
            break;
        }
    }
    assert_eq!(last, Some((429, 1008)));
    s.shutdown().await;
}

/// Asserts a v4 parameter error: HTTP 400, code 1002, an `errorMessage` naming `field`.
fn assert_refused(reply: &Reply, field: &str) {
    assert_eq!(reply.status_code(), (400, 1002), "{}", reply.text());
    let message = reply.json()["errorMessage"].as_str().unwrap().to_owned();
    assert!(message.contains(field), "{message:?} does not name {field}");
}

/// What roomkv sent before 0.2 (`messageUID`, and no `messageId`) is refused where no source
/// documents that spelling (list); what Nexconn's generated SDKs send (`messageId`, issue 15)
/// is accepted on all three message-metadata endpoints.
#[tokio::test]
async fn message_metadata_takes_what_the_generated_sdks_send_and_refuses_the_old_spelling() {
    let s = Served::unlimited().await;
    let set = r#"{"messageId":"M9","userId":"alice","channelType":1,"channelId":"bob","metadata":{"likes":"1"},"isEchoToSender":1}"#;
    let reply = v4(&s, "/v4/channel-type/message/metadata/set", set).await;
    assert_eq!((reply.status.as_u16(), reply.text().as_str()), (200, OK));
    let reply = v4(
        &s,
        "/v4/channel-type/message/metadata/list",
        r#"{"messageId":"M9","page":1}"#,
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    assert_eq!(reply.json()["result"]["metadata"][0]["value"], "1");
    let delete = r#"{"messageId":"M9","userId":"alice","channelType":1,"channelId":"bob","keys":["likes"],"syncToSender":1}"#;
    let reply = v4(&s, "/v4/channel-type/message/metadata/delete", delete).await;
    assert_eq!((reply.status.as_u16(), reply.text().as_str()), (200, OK));

    // The body roomkv 0.1 sent to list: refused, naming the field it lacks.
    let reply = v4(
        &s,
        "/v4/channel-type/message/metadata/list",
        r#"{"messageUID":"M9"}"#,
    )
    .await;
    assert_refused(&reply, "messageId");
    s.shutdown().await;
}

/// Each v4 endpoint refuses a missing required field, another endpoint's spelling and a field
/// of the wrong JSON type (HTTP 400, 1002, naming the field), and ignores unknown members.
#[tokio::test]
async fn each_v4_endpoint_refuses_missing_misnamed_and_mistyped_fields() {
    let s = Served::unlimited().await;
    let cases = [
        (
            "/v4/open-channel/metadata/batch/set",
            r#"{"channelId":"room","userId":"host","metadata":{"k":"v"}}"#,
            "metadataOwnerId",
        ),
        (
            "/v4/open-channel/metadata/batch/set",
            r#"{"channelId":"room","metadataOwnerId":"host","metadata":{"k":42}}"#,
            "metadata",
        ),
        (
            "/v4/open-channel/metadata/batch/set",
            r#"{"channelId":"room","metadataOwnerId":"host","metadata":{"k":"v"},"shouldAutoDelete":true}"#,
            "shouldAutoDelete",
        ),
        (
            "/v4/open-channel/metadata/batch/remove",
            r#"{"channelId":"room","metadataOwnerId":"host"}"#,
            "metadataKeys",
        ),
        (
            "/v4/open-channel/metadata/batch/get",
            r#"{"channelId":42}"#,
            "channelId",
        ),
        (
            "/v4/channel-type/message/metadata/set",
            r#"{"messageId":"M1","userId":"alice","channelType":"3","channelId":"g1","metadata":{"k":"v"}}"#,
            "channelType",
        ),
        (
            "/v4/channel-type/message/metadata/delete",
            r#"{"messageId":"M1","userId":"alice","channelType":3,"channelId":"g1","keys":["k"],"syncToSender":"1"}"#,
            "syncToSender",
        ),
        (
            "/v4/channel-type/message/metadata/list",
            r#"{"messageId":"M1","page":"2"}"#,
            "page",
        ),
    ];
    for (path, body, field) in cases {
        let reply = v4(&s, path, body).await;
        assert_refused(&reply, field);
    }
    // Unknown members are ignored, as seed 003's `extra` shows the vendors do.
    let reply = v4(
        &s,
        "/v4/open-channel/metadata/batch/set",
        r#"{"channelId":"room","metadataOwnerId":"host","metadata":{"k":"v"},"extra":111111}"#,
    )
    .await;
    assert_eq!((reply.status.as_u16(), reply.text().as_str()), (200, OK));
    s.shutdown().await;
}
