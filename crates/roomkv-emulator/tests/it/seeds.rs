//! The vendors' own example requests (the seed pages), sent raw over loopback HTTP.
//!
//! Their signatures were made with secrets nobody knows, so the RongCloud examples are replayed
//! with `SignatureCheck::Unchecked` and the example's App-Key configured. The Tencent example's
//! `usersig=xxx` is replaced by a genuine UserSig of its `sdkappid` and `identifier`, verified
//! as usual.

use http::Request;
use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::config::{RongCloudApp, SignatureCheck, TencentApp};

use crate::common::*;
use crate::corpus_replies::{request_body, response_body};
use crate::served::*;

const SEED_APP_KEY: &str = "uwd1c0sxdlx2";
const SEED_SIGNATURE: &str = "45beb7cc7307889a8e711219a47b7cf6a5b000e8";

/// The request URL of seed 002, path and query as printed.
const SEED_002_URL: &str = "/v4/live_engine_http_srv/del_room_metadata?sdkappid=88888888&identifier=admin&usersig=xxx&random=99999999&contenttype=json";

fn rongcloud_seed_config(signatures: SignatureCheck) -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.signatures = signatures;
    config.rongcloud_apps = vec![RongCloudApp::new(SEED_APP_KEY, "unknown-secret")];
    config
}

/// A request with the headers of the seed pages, in their order.
fn seed_request(host: &str, path: &str, timestamp: &str, body: &str) -> Request<String> {
    Request::post(path)
        .header("Host", host)
        .header("App-Key", SEED_APP_KEY)
        .header("Nonce", "14314")
        .header("Timestamp", timestamp)
        .header("Signature", SEED_SIGNATURE)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .unwrap()
}

#[tokio::test]
async fn rongcloud_examples_replayed_raw() {
    let s = Served::start(rongcloud_seed_config(SignatureCheck::Unchecked)).await;

    // Seed 003, set with an RC:chrmKVNotiMsg whose `type` is the string "1".
    let reply = s
        .send(seed_request(
            "api.sg-light-api.com",
            "/chatroom/entry/set.json",
            "1408710653491",
            &request_body("legacy/set_entry", 0),
        ))
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.text().as_str()),
        (200, r#"{"code":200}"#)
    );
    let events: Vec<serde_json::Value> = s
        .emulator
        .state()
        .events_since(0)
        .events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    assert_eq!(
        events[1],
        serde_json::json!({"seq": 2, "type": "rongcloud.notification", "appKey": SEED_APP_KEY,
            "body": {"chatroomId": "kvchatroom2", "fromUserId": "Lnq9MJsPY",
                "objectName": "RC:chrmKVNotiMsg",
                "content": r#"{"key":"keyli","value":"5","type":"1"}"#}})
    );
    assert_eq!(events[0]["body"]["key"], "huihui");
    assert_eq!(events[0]["body"]["value"], "555");

    // Seed 001, expansion delete of a message the emulator has never seen: registered on the
    // fly (expansion_auto_register, the default), and deleting a missing key is no error.
    let reply = s
        .send(seed_request(
            "api.rong-api.com",
            "/message/expansion/delete.json",
            "1585127132438",
            &request_body("legacy/delete_expansion", 0),
        ))
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.text().as_str()),
        (200, r#"{"code":200}"#)
    );

    // Seed 000, remove: the example body lacks the required `key` (a documentation error).
    let reply = s
        .send(seed_request(
            "api.rong-api.com",
            "/chatroom/entry/remove.json",
            "1408710653491",
            &request_body("legacy/remove_entry", 0),
        ))
        .await;
    assert_eq!(reply.status_code(), (200, 1002));
    assert_eq!(
        reply.text(),
        r#"{"code":1002,"errorMessage":"key is required"}"#
    );
    s.shutdown().await;

    // With signatures verified (the default), the examples' made-up signature is refused.
    let s = Served::start(rongcloud_seed_config(SignatureCheck::Verify)).await;
    let reply = s
        .send(seed_request(
            "api.sg-light-api.com",
            "/chatroom/entry/set.json",
            "1408710653491",
            &request_body("legacy/set_entry", 0),
        ))
        .await;
    assert_eq!(reply.status_code(), (401, 1004));
    s.shutdown().await;
}

#[tokio::test]
async fn tencent_example_with_a_genuine_usersig() {
    let mut config = EmulatorConfig::default();
    config.tencent_apps = vec![TencentApp::new(88_888_888, "seed-secret-key", "admin")];
    let s = Served::start(config).await;
    let sig = usersig_with(88_888_888, "admin", "seed-secret-key", 86_400, T0.as_secs());
    let url = SEED_002_URL.replace("usersig=xxx", &format!("usersig={sig}"));
    let seed_002_body = request_body("tencent/del_room_metadata", 0);
    let send = |url: String| {
        let s = &s;
        let body = seed_002_body.clone();
        async move {
            s.send(
                Request::post(url)
                    .header("Content-Type", "application/json")
                    .body(body)
                    .unwrap(),
            )
            .await
        }
    };
    // `xxx` itself is not a UserSig.
    assert_eq!(send(SEED_002_URL.to_owned()).await.code(), 70003);
    // No such room yet.
    let reply = send(url.clone()).await;
    assert_eq!(reply.status_code(), (200, 100004));
    // Create it, set key1 (key2 stays missing, which a delete tolerates), delete.
    let command = |name: &str, body: &str| {
        let uri = url.replace("del_room_metadata", name);
        let s = &s;
        let body = body.to_owned();
        async move { s.send(Request::post(uri).body(body).unwrap()).await }
    };
    command(
        "create_room",
        r#"{"RoomInfo":{"RoomId":"live-room","RoomType":"Live"}}"#,
    )
    .await
    .assert_tencent_ok(None);
    command(
        "set_room_metadata",
        r#"{"RoomId":"live-room","Metadata":[{"Key":"key1","Value":"value1"}]}"#,
    )
    .await
    .assert_tencent_ok(None);
    let reply = send(url.clone()).await;
    reply.assert_tencent_ok(None);
    // The documented success envelope, RequestId aside.
    let mut documented: serde_json::Value =
        serde_json::from_str(&response_body("tencent/del_room_metadata", 0)).unwrap();
    documented["RequestId"] = reply.json()["RequestId"].clone();
    assert_eq!(reply.json(), documented);
    // Nothing left to delete now: 100503.
    assert_eq!(send(url).await.code(), 100503);
    s.shutdown().await;
}
