//! Every documented error code, reached through real HTTP over loopback with requests signed by
//! roomkv-sign.

use std::time::Duration;

use http::{Method, Request};
use roomkv_emulator::EmulatorConfig;

use crate::common::*;
use crate::served::*;

const SET: &str = "/chatroom/entry/set.json";
const BATCH_SET: &str = "/chatroom/entry/batch/set.json";
const REMOVE: &str = "/chatroom/entry/remove.json";
const BATCH_REMOVE: &str = "/chatroom/entry/batch/remove.json";
const QUERY: &str = "/chatroom/entry/query.json";
const EXP_SET: &str = "/message/expansion/set.json";
const EXP_DELETE: &str = "/message/expansion/delete.json";
const EXP_QUERY: &str = "/message/expansion/query.json";

/// `entryInfo` / `extraKeyVal` with `n` pairs `p{offset+i}` → `v`.
fn pairs(prefix: &str, n: usize) -> String {
    let body: Vec<String> = (0..n).map(|i| format!(r#""{prefix}{i}":"v""#)).collect();
    form_value(&format!("{{{}}}", body.join(",")))
}

fn form_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

// ------------------------------------------------------------------------------ RongCloud

#[tokio::test]
async fn rongcloud_app_key_and_signature() {
    let s = Served::unlimited().await;
    let query = || {
        Request::post(QUERY)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("chatroomId=r")
            .unwrap()
    };

    // Unknown App-Key: HTTP 401, 1002 "Invalidate App-Key." (the official Java SDK's body).
    let mut request = sign_rc(query());
    request
        .headers_mut()
        .insert("App-Key", "uwd1c0sxdlx2".parse().unwrap());
    let reply = s.send(request).await;
    assert_eq!(reply.status_code(), (401, 1002));
    assert_eq!(
        reply.text(),
        include_str!(
            "../../../roomkv-core/testdata/wire/errors/legacy/error-1002-invalid-app-key.json"
        )
        .trim()
    );
    let mut request = sign_rc(query());
    request.headers_mut().remove("App-Key");
    assert_eq!(s.send(request).await.status_code(), (401, 1002));

    // A signature computed with another secret: HTTP 401, 1004.
    let mut request = sign_rc(query());
    let forged = roomkv_sign::rongcloud::signature(
        &roomkv_sign::rongcloud::AppSecret::new("demo-app-key"),
        request.headers()["Nonce"].to_str().unwrap(),
        request.headers()["Timestamp"].to_str().unwrap(),
    );
    request
        .headers_mut()
        .insert("Signature", forged.parse().unwrap());
    let reply = s.send(request).await;
    assert_eq!(reply.status_code(), (401, 1004));
    // Missing or malformed signature headers: the same.
    for header in ["Signature", "Nonce", "Timestamp"] {
        let mut request = sign_rc(query());
        request.headers_mut().remove(header);
        assert_eq!(s.send(request).await.status_code(), (401, 1004), "{header}");
    }
    let mut request = sign_rc(query());
    request
        .headers_mut()
        .insert("Signature", "not-hex".parse().unwrap());
    assert_eq!(s.send(request).await.status_code(), (401, 1004));
    // The nonce and timestamp are part of the signature.
    let mut request = sign_rc(query());
    request
        .headers_mut()
        .insert("Nonce", "other".parse().unwrap());
    assert_eq!(s.send(request).await.status_code(), (401, 1004));

    // Lenient by default: uppercase hex (the .NET SDK), RC- headers, milliseconds, any nonce,
    // the same nonce again.
    let accepted = |nonce: &str, timestamp: &str, upper: bool, prefix: &str| {
        let mut signature = rc_signature(nonce, timestamp);
        if upper {
            signature = signature.to_uppercase();
        }
        Request::post(QUERY)
            .header(format!("{prefix}App-Key"), APP)
            .header(format!("{prefix}Nonce"), nonce)
            .header(format!("{prefix}Timestamp"), timestamp)
            .header(format!("{prefix}Signature"), signature)
            .body("chatroomId=r")
            .unwrap()
    };
    for request in [
        accepted("1", "1700000000", true, ""),
        accepted("123456.78901234567", "1700000000000", false, "RC-"),
        accepted("12345678901234567890123", "1", false, ""),
        accepted("12345678901234567890123", "1", false, ""),
    ] {
        let reply = s.send(request).await;
        assert_eq!(reply.status_code(), (200, 200), "{}", reply.text());
    }
    s.shutdown().await;
}

#[tokio::test]
async fn rongcloud_strict_mode_refuses_stale_timestamps_and_replayed_nonces() {
    let mut config = EmulatorConfig::default();
    config.strict = true;
    config.quota.enabled = false;
    let s = Served::start(config).await;
    let signed = |nonce: &str, timestamp: &str| {
        Request::post(QUERY)
            .header("App-Key", APP)
            .header("Nonce", nonce)
            .header("Timestamp", timestamp)
            .header("Signature", rc_signature(nonce, timestamp))
            .body("chatroomId=r")
            .unwrap()
    };
    assert_eq!(
        s.send(signed("n1", "1700000000")).await.status_code(),
        (200, 200)
    );
    // Replayed nonce (in seconds or in milliseconds, it is the same nonce).
    let reply = s.send(signed("n1", "1700000001000")).await;
    assert_eq!(reply.status_code(), (401, 1004));
    assert!(reply.text().contains("Nonce"), "{}", reply.text());
    // Stale: 5 minutes and one second ago; and as far in the future.
    let reply = s.send(signed("n2", "1699999699")).await;
    assert_eq!(reply.status_code(), (401, 1004));
    assert!(reply.text().contains("Timestamp"), "{}", reply.text());
    assert_eq!(
        s.send(signed("n3", "1700000301")).await.status_code(),
        (401, 1004)
    );
    // The edges of the window pass, in milliseconds too.
    assert_eq!(
        s.send(signed("n4", "1699999700000")).await.status_code(),
        (200, 200)
    );
    // A nonce longer than 18 characters.
    assert_eq!(
        s.send(signed(&"9".repeat(19), "1700000000"))
            .await
            .status_code(),
        (401, 1004)
    );
    // A window later the old nonce is forgotten.
    s.clock.advance(Duration::from_secs(301));
    assert_eq!(
        s.send(signed("n1", "1700000301")).await.status_code(),
        (200, 200)
    );
    s.shutdown().await;
}

#[tokio::test]
async fn rongcloud_validation_codes() {
    let s = Served::unlimited().await;
    let code = |path: &'static str, form: String| {
        let s = &s;
        async move { s.rc(path, &form).await.status_code() }
    };
    let key129 = "k".repeat(129);
    // Too long / too many: 1005.
    for (path, form) in [
        (SET, format!("chatroomId=r&userId=u&key={key129}&value=v")),
        (
            SET,
            format!("chatroomId=r&userId=u&key=k&value={}", "v".repeat(4097)),
        ),
        (
            SET,
            format!("chatroomId={}&userId=u&key=k&value=v", "r".repeat(65)),
        ),
        (
            BATCH_SET,
            format!("chatroomId=r&entryOwnerId=u&entryInfo={}", pairs("k", 21)),
        ),
        (
            QUERY,
            format!(
                "chatroomId=r{}",
                (0..101).map(|i| format!("&keys=k{i}")).collect::<String>()
            ),
        ),
        (
            EXP_SET,
            format!(
                "msgUID=M&userId=u&conversationType=1&targetId=t&extraKeyVal={}",
                pairs("e", 101)
            ),
        ),
        (
            EXP_SET,
            format!(
                "msgUID=M&userId=u&conversationType=1&targetId=t&extraKeyVal={}",
                form_value(&format!(r#"{{"{}":"v"}}"#, "e".repeat(33)))
            ),
        ),
    ] {
        assert_eq!(
            code(path, form.clone()).await,
            (200, 1005),
            "{path} {form:.80}"
        );
    }
    // Invalid character, empty, out of range, duplicate, undecodable: 1002.
    let notification = form_value(r#"{"type":1,"key":"k"}"#);
    for (path, form) in [
        (SET, "chatroomId=r&userId=u&key=a%20b&value=v".to_owned()),
        (SET, "chatroomId=r&userId=u&key=&value=v".to_owned()),
        (SET, "chatroomId=r&userId=&key=k&value=v".to_owned()),
        (
            SET,
            "chatroomId=r&userId=u&key=k&value=v&autoDelete=2".to_owned(),
        ),
        (SET, "chatroomId=r&userId=u&key=k".to_owned()),
        (
            SET,
            format!(
                "chatroomId=r&userId=u&key=k&value=v&objectName=RC%3AchrmKVNotiMsg&content={notification}"
            ),
        ),
        (
            BATCH_SET,
            format!(
                "chatroomId=r&entryOwnerId=u&entryInfo={}",
                form_value(r#"{"a":"1","a":"2"}"#)
            ),
        ),
        (
            BATCH_SET,
            "chatroomId=r&entryOwnerId=u&entryInfo=%7B%7D".to_owned(),
        ),
        (
            BATCH_SET,
            "chatroomId=r&entryOwnerId=u&entryInfo=x".to_owned(),
        ),
        (
            BATCH_REMOVE,
            format!(
                "chatroomId=r&entryOwnerId=u&entryKeys={}",
                form_value(r#"["a","a"]"#)
            ),
        ),
        (
            EXP_SET,
            format!(
                "msgUID=M&userId=u&conversationType=2&targetId=t&extraKeyVal={}",
                pairs("e", 1)
            ),
        ),
        (
            EXP_DELETE,
            "msgUID=M&userId=u&conversationType=1&targetId=t&extraKey=k".to_owned(),
        ),
        (EXP_QUERY, "msgUID=M&pageNo=0".to_owned()),
        (EXP_QUERY, "msgUID=M&pageNo=x".to_owned()),
    ] {
        assert_eq!(
            code(path, form.clone()).await,
            (200, 1002),
            "{path} {form:.80}"
        );
    }
    // Nothing was applied by any of them.
    assert!(s.emulator.state().events_since(0).events.is_empty());
    s.shutdown().await;
}

#[tokio::test]
async fn rongcloud_state_codes() {
    let s = Served::unlimited().await;
    // The owner rule: bob may neither overwrite nor remove alice's key (1002).
    let reply = s
        .rc(SET, "chatroomId=r&userId=alice&key=seat&value=a")
        .await;
    assert_eq!(reply.status_code(), (200, 200));
    let reply = s.rc(SET, "chatroomId=r&userId=bob&key=seat&value=b").await;
    assert_eq!(reply.status_code(), (200, 1002));
    assert!(reply.text().contains("owned by another user"));
    assert_eq!(
        s.rc(REMOVE, "chatroomId=r&userId=bob&key=seat")
            .await
            .status_code(),
        (200, 1002)
    );
    // Removing a key that does not exist: 1015; a batch remove of only missing keys too.
    assert_eq!(
        s.rc(REMOVE, "chatroomId=r&userId=alice&key=gone")
            .await
            .status_code(),
        (200, 1015)
    );
    let keys = form_value(r#"["gone","lost"]"#);
    assert_eq!(
        s.rc(
            BATCH_REMOVE,
            &format!("chatroomId=r&entryOwnerId=x&entryKeys={keys}")
        )
        .await
        .status_code(),
        (200, 1015)
    );

    // 100 entries per room: the 101st is refused with 1502.
    for batch in 0..5 {
        let form = format!(
            "chatroomId=full&entryOwnerId=u&entryInfo={}",
            pairs(&format!("b{batch}-"), 20)
        );
        assert_eq!(s.rc(BATCH_SET, &form).await.status_code(), (200, 200));
    }
    assert_eq!(
        s.rc(SET, "chatroomId=full&userId=u&key=one-more&value=v")
            .await
            .status_code(),
        (200, 1502)
    );
    assert_eq!(
        s.rc(SET, "chatroomId=full&userId=u&key=b0-0&value=overwrite")
            .await
            .status_code(),
        (200, 200),
        "an existing key may still change"
    );

    // 300 expansions per message: a set that would exceed it fails entirely (1502).
    for batch in 0..3 {
        let form = format!(
            "msgUID=M1&userId=u&conversationType=3&targetId=g&extraKeyVal={}",
            pairs(&format!("x{batch}-"), 100)
        );
        assert_eq!(s.rc(EXP_SET, &form).await.status_code(), (200, 200));
    }
    let form = format!(
        "msgUID=M1&userId=u&conversationType=3&targetId=g&extraKeyVal={}",
        form_value(r#"{"x0-0":"changed","new":"v"}"#)
    );
    assert_eq!(s.rc(EXP_SET, &form).await.status_code(), (200, 1502));
    let page = s.rc(EXP_QUERY, "msgUID=M1").await.json();
    let content = page["extraContent"].as_object().unwrap();
    assert_eq!(content.len(), 300);
    assert_eq!(
        content["x0-0"]["v"], "v",
        "nothing of the refused set applied"
    );
    assert_eq!(
        s.rc(EXP_QUERY, "msgUID=M1&pageNo=2").await.json()["extraContent"],
        serde_json::json!({})
    );

    // The KV service switched off (control API): 1009 for every KV call.
    let reply = s
        .send(
            Request::post("/_emulator/rongcloud/kv-service")
                .body(r#"{"enabled":false}"#)
                .unwrap(),
        )
        .await;
    assert_eq!(reply.json()["enabled"], false);
    for (path, form) in [
        (SET, "chatroomId=r&userId=alice&key=k&value=v"),
        (QUERY, "chatroomId=r"),
        (REMOVE, "chatroomId=r&userId=alice&key=seat"),
    ] {
        assert_eq!(s.rc(path, form).await.status_code(), (200, 1009), "{path}");
    }
    s.shutdown().await;
}

#[tokio::test]
async fn rongcloud_http_level_codes() {
    let s = Served::start(EmulatorConfig::default()).await;
    // Over quota: entry query has 100/s; the 101st request in the same instant is HTTP 429.
    for _ in 0..100 {
        assert_eq!(s.rc(QUERY, "chatroomId=r").await.status_code(), (200, 200));
    }
    let reply = s.rc(QUERY, "chatroomId=r").await;
    assert_eq!(reply.status_code(), (429, 1008));
    // A second later there is room again.
    s.clock.advance(Duration::from_secs(1));
    assert_eq!(s.rc(QUERY, "chatroomId=r").await.status_code(), (200, 200));
    // Batch sets count per KV: five full batches use up the second's 100 KV.
    for batch in 0..5 {
        let form = format!(
            "chatroomId=q&entryOwnerId=u&entryInfo={}",
            pairs(&format!("{batch}-"), 20)
        );
        assert_eq!(s.rc(BATCH_SET, &form).await.status_code(), (200, 200));
    }
    assert_eq!(
        s.rc(SET, "chatroomId=q&userId=u&key=k&value=v")
            .await
            .status_code(),
        (429, 1008)
    );

    // A body of 100 KB: 1508 (HTTP 200).
    let reply = s.rc(SET, &"a".repeat(100 * 1024)).await;
    assert_eq!(reply.status_code(), (200, 1508));
    // Unknown path, wrong method.
    assert_eq!(
        s.rc("/chatroom/entry/nope.json", "").await.status_code(),
        (404, 404)
    );
    let mut get = sign_rc(Request::get(QUERY).body("").unwrap());
    *get.method_mut() = Method::GET;
    assert_eq!(s.send(get).await.status_code(), (405, 1007));
    s.shutdown().await;
}

// ------------------------------------------------------------------------------ Tencent

fn tencent_uri(sdkappid: &str, identifier: &str, usersig: &str) -> String {
    format!(
        "/v4/live_engine_http_srv/get_room_info?sdkappid={sdkappid}&identifier={identifier}&usersig={usersig}&random=1&contenttype=json"
    )
}

#[tokio::test]
async fn tencent_authentication_codes() {
    let s = Served::unlimited().await;
    let body = r#"{"RoomId":"live"}"#;
    let app = SDKAPPID.to_string();
    let admin_sig = usersig(ADMIN);
    let code = |uri: String| {
        let s = &s;
        async move {
            let reply = s.tc_raw(&uri, body).await;
            assert_eq!(reply.status, 200, "Tencent always answers HTTP 200");
            assert_eq!(reply.json()["ActionStatus"], "FAIL");
            reply.tencent_request_id();
            reply.code()
        }
    };
    // The app: missing 60012, not a number 60006, unknown 70020.
    assert_eq!(
        code(format!(
            "/v4/live_engine_http_srv/get_room_info?identifier={ADMIN}&usersig={admin_sig}"
        ))
        .await,
        60012
    );
    assert_eq!(code(tencent_uri("abc", ADMIN, &admin_sig)).await, 60006);
    assert_eq!(
        code(tencent_uri("1400000001", ADMIN, &admin_sig)).await,
        70020
    );
    // The UserSig: empty or absent 70002, malformed 70003, expired 70001, another key 70009,
    // another identifier 70013, another SDKAppID 70014.
    assert_eq!(code(tencent_uri(&app, ADMIN, "")).await, 70002);
    assert_eq!(
        code(format!(
            "/v4/live_engine_http_srv/get_room_info?sdkappid={app}&identifier={ADMIN}"
        ))
        .await,
        70002
    );
    assert_eq!(code(tencent_uri(&app, ADMIN, "not-a-usersig")).await, 70003);
    assert_eq!(
        code(tencent_uri(&app, ADMIN, &admin_sig[..admin_sig.len() / 2])).await,
        70003
    );
    let expired = usersig_with(SDKAPPID, ADMIN, SECRET_KEY, 86_400, T0.as_secs() - 86_401);
    assert_eq!(code(tencent_uri(&app, ADMIN, &expired)).await, 70001);
    let just_valid = usersig_with(SDKAPPID, ADMIN, SECRET_KEY, 86_400, T0.as_secs() - 86_400);
    assert_eq!(code(tencent_uri(&app, ADMIN, &just_valid)).await, 100004);
    let other_key = usersig_with(SDKAPPID, ADMIN, "another-key", 86_400, T0.as_secs());
    assert_eq!(code(tencent_uri(&app, ADMIN, &other_key)).await, 70009);
    assert_eq!(code(tencent_uri(&app, ADMIN, &usersig("bob"))).await, 70013);
    let other_app = usersig_with(1_400_000_001, ADMIN, SECRET_KEY, 86_400, T0.as_secs());
    assert_eq!(code(tencent_uri(&app, ADMIN, &other_app)).await, 70014);
    // A genuine UserSig of an account that is not the admin: 60010.
    assert_eq!(code(tencent_uri(&app, "bob", &usersig("bob"))).await, 60010);
    // `*` in a UserSig sent percent-encoded (PHP and Go peers) is decoded.
    let encoded = admin_sig.replace('*', "%2A");
    assert_eq!(code(tencent_uri(&app, ADMIN, &encoded)).await, 100004);
    s.shutdown().await;
}

#[tokio::test]
async fn tencent_body_and_state_codes() {
    let s = Served::unlimited().await;
    // Not a JSON object: 60003.
    for body in ["", "RoomId=live", "[]", "{\"RoomId\":"] {
        assert_eq!(s.tc("get_room_info", body).await.code(), 60003, "{body:?}");
    }
    // A JSON object with a field missing, of the wrong type, or invalid: 100002.
    for (command, body) in [
        ("get_room_info", "{}"),
        ("get_room_info", r#"{"RoomId":7}"#),
        (
            "get_room_info",
            &format!(r#"{{"RoomId":"{}"}}"#, "r".repeat(49)),
        ),
        ("create_room", r#"{"RoomInfo":{"RoomId":"x"}}"#),
        ("set_room_metadata", r#"{"RoomId":"live","Metadata":[]}"#),
        (
            "set_room_metadata",
            r#"{"RoomId":"live","Metadata":[{"Key":"","Value":"v"}]}"#,
        ),
        ("del_room_metadata", r#"{"RoomId":"live","Keys":[]}"#),
        ("del_room_metadata", r#"{"RoomId":"live"}"#),
    ] {
        assert_eq!(
            s.tc(command, body).await.code(),
            100002,
            "{command} {body:.60}"
        );
    }
    assert_eq!(
        s.tc(
            "create_room",
            r#"{"RoomInfo":{"RoomId":"x","RoomType":"Conference"}}"#
        )
        .await
        .code(),
        100015
    );
    // Rooms: 100004 before create, 100003 on a second create.
    assert_eq!(
        s.tc("get_room_info", r#"{"RoomId":"live"}"#).await.code(),
        100004
    );
    assert_eq!(
        s.tc(
            "set_room_metadata",
            r#"{"RoomId":"live","Metadata":[{"Key":"k","Value":"v"}]}"#
        )
        .await
        .code(),
        100004
    );
    let create = r#"{"RoomInfo":{"RoomId":"live","RoomType":"Live"}}"#;
    assert_eq!(s.tc("create_room", create).await.code(), 0);
    assert_eq!(s.tc("create_room", create).await.code(), 100003);

    let set = |items: Vec<(String, String)>| {
        let metadata: Vec<serde_json::Value> = items
            .into_iter()
            .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
            .collect();
        serde_json::json!({"RoomId": "live", "Metadata": metadata}).to_string()
    };
    let one = |k: &str, v: &str| set(vec![(k.to_owned(), v.to_owned())]);
    // Key over 50 bytes 100504, value over 2048 bytes 100501.
    assert_eq!(
        s.tc("set_room_metadata", &one(&"k".repeat(51), "v"))
            .await
            .code(),
        100504
    );
    assert_eq!(
        s.tc("set_room_metadata", &one("k", &"v".repeat(2049)))
            .await
            .code(),
        100501
    );
    // More than 10 keys in one request 100500; values over 16 KB in one request 100502.
    let eleven = (0..11).map(|i| (format!("k{i}"), "v".to_owned())).collect();
    assert_eq!(s.tc("set_room_metadata", &set(eleven)).await.code(), 100500);
    let heavy = (0..9)
        .map(|i| (format!("k{i}"), "v".repeat(2048)))
        .collect();
    assert_eq!(s.tc("set_room_metadata", &set(heavy)).await.code(), 100502);
    // The same limits on the room after the merge.
    let eight = (0..8)
        .map(|i| (format!("k{i}"), "v".repeat(2048)))
        .collect();
    assert_eq!(s.tc("set_room_metadata", &set(eight)).await.code(), 0);
    assert_eq!(
        s.tc("set_room_metadata", &one("k8", "x")).await.code(),
        100502
    );
    assert_eq!(
        s.tc("set_room_metadata", &one("k0", "small")).await.code(),
        0
    );
    assert_eq!(s.tc("set_room_metadata", &one("k8", "x")).await.code(), 0);
    assert_eq!(s.tc("set_room_metadata", &one("k9", "x")).await.code(), 0);
    assert_eq!(
        s.tc("set_room_metadata", &one("k10", "x")).await.code(),
        100500
    );
    // Delete: 100503 only when none of the keys exist.
    let keys = r#"{"RoomId":"live","Keys":["nope","none"]}"#;
    assert_eq!(s.tc("del_room_metadata", keys).await.code(), 100503);
    let keys = r#"{"RoomId":"live","Keys":["k9","none"]}"#;
    assert_eq!(s.tc("del_room_metadata", keys).await.code(), 0);
    // More than 10 keys in one delete: 100500, a code of the delete page (seed 002).
    let keys: Vec<String> = (0..11).map(|i| format!("\"k{i}\"")).collect();
    let eleven = format!(r#"{{"RoomId":"live","Keys":[{}]}}"#, keys.join(","));
    let reply = s.tc("del_room_metadata", &eleven).await;
    assert_eq!(reply.code(), 100500, "{}", reply.text());
    assert!(reply.text().contains("at most 10"), "{}", reply.text());

    // Unknown command 60009; wrong method 60002; a body of 100 KB 60002.
    assert_eq!(s.tc("send_text_msg", "{}").await.code(), 60009);
    let get = Request::get(tc_uri("get_room_info")).body("{}").unwrap();
    assert_eq!(s.send(get).await.code(), 60002);
    assert_eq!(
        s.tc("set_room_metadata", &" ".repeat(100 * 1024))
            .await
            .code(),
        60002
    );
    s.shutdown().await;
}

#[tokio::test]
async fn tencent_quota_answers_60007() {
    let s = Served::start(EmulatorConfig::default()).await;
    for _ in 0..200 {
        assert_eq!(
            s.tc("get_room_info", r#"{"RoomId":"r"}"#).await.code(),
            100004
        );
    }
    let reply = s.tc("get_room_info", r#"{"RoomId":"r"}"#).await;
    assert_eq!(reply.status_code(), (200, 60007));
    // Per command: another command still has its own 200/s.
    assert_eq!(
        s.tc("destroy_room", r#"{"RoomId":"r"}"#).await.code(),
        100004
    );
    s.clock.advance(Duration::from_secs(1));
    assert_eq!(
        s.tc("get_room_info", r#"{"RoomId":"r"}"#).await.code(),
        100004
    );
    s.shutdown().await;
}
