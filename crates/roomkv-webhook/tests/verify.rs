//! The verifiers against genuine, forged, replayed, stale and malformed callbacks.

use std::time::{Duration, SystemTime};

use proptest::prelude::*;
use roomkv_sign::rongcloud::{AppSecret, signature};
use roomkv_sign::tencent::{CallbackToken, callback_sign};
use roomkv_webhook::{
    KvChange, KvSyncEvent, MemoryNonceStore, MetadataItem, RongCloudWebhookVerifier,
    TencentCallback, TencentCallbackVerifier, WebhookError,
};

const SECRET: &str = "rc-secret-value";
const TOKEN: &str = "tc-token-value";
const NOW_SECS: u64 = 1_700_000_000;
const WINDOW: Duration = Duration::from_secs(300);

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

fn rc() -> RongCloudWebhookVerifier {
    RongCloudWebhookVerifier::new(AppSecret::new(SECRET), WINDOW)
}

fn tc() -> TencentCallbackVerifier {
    TencentCallbackVerifier::new(CallbackToken::new(TOKEN), WINDOW).expect_sdkappid(1_400_000_000)
}

fn rc_query(secret: &str, nonce: &str, ts: &str) -> String {
    let sig = signature(&AppSecret::new(secret), nonce, ts);
    let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    format!("nonce={}&timestamp={}&signature={sig}", enc(nonce), enc(ts))
}

fn post(uri: String, body: impl Into<Vec<u8>>) -> http::Request<Vec<u8>> {
    http::Request::post(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

fn kv_body(opt: u8) -> String {
    format!(
        r#"{{"chatroomId":"r1","key":"seat1","value":"alice","optType":{opt},"userId":"u1","status":0,"timestamp":1700000000000,"version":4}}"#
    )
}

fn rc_request(nonce: &str, ts: &str, body: &str) -> http::Request<Vec<u8>> {
    post(format!("/kv?{}", rc_query(SECRET, nonce, ts)), body)
}

fn tc_uri(token: &str, time: &str, command: &str) -> String {
    let sign = callback_sign(&CallbackToken::new(token), time);
    format!(
        "/live?SdkAppid=1400000000&CallbackCommand={command}&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI&RequestTime={time}&Sign={sign}"
    )
}

const SET_CMD: &str = "Live.CallbackAfterSetMetadata";
const DEL_CMD: &str = "Live.CallbackAfterDelMetadata";
const SET_BODY: &str = r#"{"CallbackCommand":"Live.CallbackAfterSetMetadata","Operator_Account":"brennanli","RoomId":"live-room1111","Metadata":[{"Key":"key1","Value":"value1"}],"EventTime":1739965885831}"#;
const DEL_BODY: &str = r#"{"CallbackCommand":"Live.CallbackAfterDelMetadata","Operator_Account":"admin","RoomId":"live-1","Keys":["key1","key2"],"EventTime":1739965885831}"#;

const UPDATE_CMD: &str = "Live.CallbackAfterUpdateRoomInfo";
/// The body the emulator delivers after `update_room_info` (its fields are inferred: Tencent's
/// page names the callback without its body); the emulator's `webhooks` test checks that what
/// it delivers verifies with this crate.
const UPDATE_BODY: &str = r#"{"CallbackCommand":"Live.CallbackAfterUpdateRoomInfo","Operator_Account":"administrator","RoomId":"live-1","RoomInfo":{"RoomId":"live-1","Notice":"welcome","IsUnlimitedRoomEnabled":true},"EventTime":1739965885831}"#;

fn tc_request(time: &str, command: &str, body: &str) -> http::Request<Vec<u8>> {
    post(tc_uri(TOKEN, time, command), body)
}

fn assert_no_secret(error: &WebhookError) {
    let text = format!("{error} {error:?}");
    assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
}

// ------------------------------------------------------------------ RongCloud

#[test]
fn rongcloud_genuine_callbacks_are_parsed() {
    let verifier = rc();
    let ts = (NOW_SECS * 1000).to_string();
    let expected = |change| KvSyncEvent {
        chatroom_id: "r1".into(),
        change,
        user_id: "u1".into(),
        timestamp_ms: 1_700_000_000_000,
        version: 4,
    };
    let set = verifier.verify(&rc_request("n1", &ts, &kv_body(1)), now());
    assert_eq!(
        set,
        Ok(expected(KvChange::Set {
            key: "seat1".into(),
            value: "alice".into()
        }))
    );
    let del = verifier.verify(&rc_request("n2", &ts, &kv_body(2)), now());
    assert_eq!(
        del,
        Ok(expected(KvChange::Delete {
            key: "seat1".into(),
            value: "alice".into()
        }))
    );
    // Delete-all without key and value; timestamp in seconds as the official SDKs send.
    let all =
        r#"{"chatroomId":"r1","optType":3,"timestamp":1700000000000,"version":4,"userId":"u1"}"#;
    let got = verifier.verify(&rc_request("n3", &NOW_SECS.to_string(), all), now());
    assert_eq!(got, Ok(expected(KvChange::DeleteAll)));
    // Uppercase signature hex (the .NET SDK's form) and a charset parameter are fine.
    let ts = NOW_SECS.to_string();
    let sig = signature(&AppSecret::new(SECRET), "n4", &ts).to_uppercase();
    let request = http::Request::post(format!("/kv?nonce=n4&timestamp={ts}&signature={sig}"))
        .header("Content-Type", "Application/JSON; charset=utf-8")
        .body(kv_body(1))
        .unwrap();
    assert!(verifier.verify(&request, now()).is_ok());
}

#[test]
fn rongcloud_forged_callbacks_are_rejected() {
    let ts = NOW_SECS.to_string();
    let forged = post(
        format!("/kv?{}", rc_query("wrong-secret", "n1", &ts)),
        kv_body(1),
    );
    let err = rc().verify(&forged, now()).unwrap_err();
    assert_eq!(err, WebhookError::BadSignature);
    assert_eq!(err.http_status(), 401);
    assert_no_secret(&err);
    // A signature for another nonce, and a non-hex signature.
    let sig = signature(&AppSecret::new(SECRET), "other", &ts);
    let swapped = post(
        format!("/kv?nonce=n1&timestamp={ts}&signature={sig}"),
        kv_body(1),
    );
    assert_eq!(
        rc().verify(&swapped, now()),
        Err(WebhookError::BadSignature)
    );
    let junk = post(
        format!("/kv?nonce=n1&timestamp={ts}&signature=zz"),
        kv_body(1),
    );
    assert_eq!(rc().verify(&junk, now()), Err(WebhookError::BadSignature));
}

#[test]
fn rongcloud_replays_are_rejected_even_with_another_body() {
    let verifier = rc();
    let ts = NOW_SECS.to_string();
    assert!(
        verifier
            .verify(&rc_request("n1", &ts, &kv_body(1)), now())
            .is_ok()
    );
    let later = now() + Duration::from_secs(10);
    assert_eq!(
        verifier.verify(&rc_request("n1", &ts, &kv_body(1)), later),
        Err(WebhookError::Replayed)
    );
    // The body is not signed: the same parameters with another body are still the same nonce.
    assert_eq!(
        verifier.verify(&rc_request("n1", &ts, &kv_body(2)), later),
        Err(WebhookError::Replayed)
    );
    // A rejected callback does not burn its nonce.
    let bad = rc_request("n2", &ts, "{not json");
    assert!(matches!(
        verifier.verify(&bad, now()),
        Err(WebhookError::Malformed { .. })
    ));
    assert!(
        verifier
            .verify(&rc_request("n2", &ts, &kv_body(1)), now())
            .is_ok()
    );
}

#[test]
fn rongcloud_stale_callbacks_are_rejected_both_directions() {
    let verifier = rc();
    let old = (NOW_SECS - 301).to_string();
    let err = verifier
        .verify(&rc_request("a", &old, &kv_body(1)), now())
        .unwrap_err();
    assert_eq!(
        err,
        WebhookError::Stale {
            skew: Duration::from_secs(301),
            ahead: false,
            window: WINDOW
        }
    );
    let ahead = ((NOW_SECS + 301) * 1000).to_string();
    let err = verifier
        .verify(&rc_request("b", &ahead, &kv_body(1)), now())
        .unwrap_err();
    assert!(
        matches!(err, WebhookError::Stale { ahead: true, .. }),
        "{err:?}"
    );
    // Exactly at the window's edges: accepted.
    let edge = (NOW_SECS - 300).to_string();
    assert!(
        verifier
            .verify(&rc_request("c", &edge, &kv_body(1)), now())
            .is_ok()
    );
}

#[test]
fn rongcloud_malformed_callbacks_are_rejected() {
    let verifier = rc();
    let ts = NOW_SECS.to_string();
    let full = rc_query(SECRET, "n1", &ts);
    for name in ["nonce", "timestamp", "signature"] {
        let query: Vec<&str> = full.split('&').filter(|p| !p.starts_with(name)).collect();
        let request = post(format!("/kv?{}", query.join("&")), kv_body(1));
        assert_eq!(
            verifier.verify(&request, now()),
            Err(WebhookError::MissingParameter { name })
        );
    }
    let dup = post(format!("/kv?{full}&nonce=n1"), kv_body(1));
    assert_eq!(
        verifier.verify(&dup, now()),
        Err(WebhookError::DuplicateParameter { name: "nonce" })
    );
    let mut text = rc_request("n1", &ts, &kv_body(1));
    text.headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    assert_eq!(
        verifier.verify(&text, now()),
        Err(WebhookError::WrongContentType {
            found: Some("text/plain".into())
        })
    );
    let mut none = rc_request("n1", &ts, &kv_body(1));
    none.headers_mut().remove("content-type");
    assert_eq!(
        verifier.verify(&none, now()).map_err(|e| e.http_status()),
        Err(415)
    );
    let cases: [(&str, &[u8]); 5] = [
        ("bad json", b"{\"chatroomId\":"),
        ("invalid utf-8", b"{\"chatroomId\":\"\xff\xfe\"}"),
        (
            "unknown optType",
            br#"{"chatroomId":"r","optType":9,"timestamp":1,"version":1}"#,
        ),
        (
            "missing version",
            br#"{"chatroomId":"r","optType":1,"timestamp":1}"#,
        ),
        ("empty", b""),
    ];
    for (i, (what, body)) in cases.into_iter().enumerate() {
        let request = post(
            format!("/kv?{}", rc_query(SECRET, &format!("m{i}"), &ts)),
            body,
        );
        let err = verifier.verify(&request, now()).unwrap_err();
        assert!(
            matches!(err, WebhookError::Malformed { part: "body", .. }),
            "{what}: {err:?}"
        );
        assert_eq!(err.http_status(), 400);
    }
    let bad_ts = post(format!("/kv?{}", rc_query(SECRET, "t", "12a")), kv_body(1));
    assert!(matches!(
        verifier.verify(&bad_ts, now()),
        Err(WebhookError::Malformed {
            part: "timestamp",
            ..
        })
    ));
    let get = http::Request::get(format!("/kv?{full}"))
        .body(Vec::new())
        .unwrap();
    assert_eq!(
        verifier.verify(&get, now()),
        Err(WebhookError::WrongMethod {
            method: "GET".into()
        })
    );
}

#[test]
fn a_full_store_refuses_instead_of_forgetting() {
    let verifier = rc().with_nonce_store(std::sync::Arc::new(MemoryNonceStore::new(1)));
    let ts = NOW_SECS.to_string();
    assert!(
        verifier
            .verify(&rc_request("a", &ts, &kv_body(1)), now())
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&rc_request("b", &ts, &kv_body(1)), now()),
        Err(WebhookError::ReplayStoreFull { capacity: 1 })
    );
}

// ------------------------------------------------------------------ Tencent

#[test]
fn tencent_genuine_callbacks_are_parsed() {
    let verifier = tc();
    let time = NOW_SECS.to_string();
    assert_eq!(
        verifier.verify(&tc_request(&time, SET_CMD, SET_BODY), now()),
        Ok(TencentCallback::AfterSetMetadata {
            sdkappid: 1_400_000_000,
            operator_account: "brennanli".into(),
            room_id: "live-room1111".into(),
            metadata: vec![MetadataItem {
                key: "key1".into(),
                value: "value1".into()
            }],
            event_time_ms: 1_739_965_885_831,
        })
    );
    assert_eq!(
        verifier.verify(&tc_request(&time, DEL_CMD, DEL_BODY), now()),
        Ok(TencentCallback::AfterDelMetadata {
            sdkappid: 1_400_000_000,
            operator_account: "admin".into(),
            room_id: "live-1".into(),
            keys: vec!["key1".into(), "key2".into()],
            event_time_ms: 1_739_965_885_831,
        })
    );
}

#[test]
fn tencent_room_info_callbacks_are_parsed_and_malformed_ones_refused() {
    let verifier = tc();
    let time = NOW_SECS.to_string();
    let Ok(TencentCallback::AfterUpdateRoomInfo {
        sdkappid,
        operator_account,
        room_id,
        room_info,
        event_time_ms,
    }) = verifier.verify(&tc_request(&time, UPDATE_CMD, UPDATE_BODY), now())
    else {
        panic!("not parsed")
    };
    assert_eq!(
        (
            sdkappid,
            operator_account.as_str(),
            room_id.as_str(),
            event_time_ms
        ),
        (1_400_000_000, "administrator", "live-1", 1_739_965_885_831)
    );
    assert_eq!(room_info["Notice"], "welcome");
    assert_eq!(room_info["IsUnlimitedRoomEnabled"], true);
    for body in [
        r#"{"CallbackCommand":"Live.CallbackAfterUpdateRoomInfo","Operator_Account":"a","RoomId":"r","EventTime":1}"#,
        r#"{"CallbackCommand":"Live.CallbackAfterUpdateRoomInfo","Operator_Account":"a","RoomId":"r","RoomInfo":[],"EventTime":1}"#,
    ] {
        let err = verifier
            .verify(&tc_request(&time, UPDATE_CMD, body), now())
            .unwrap_err();
        assert!(matches!(err, WebhookError::Malformed { .. }), "{err:?}");
    }
}

#[test]
fn tencent_forged_replayed_and_stale_callbacks_are_rejected() {
    let verifier = tc();
    let time = NOW_SECS.to_string();
    let forged = post(tc_uri("wrong-token", &time, SET_CMD), SET_BODY);
    let err = verifier.verify(&forged, now()).unwrap_err();
    assert_eq!(err, WebhookError::BadSignature);
    assert_no_secret(&err);
    // A Sign computed for another second does not fit this RequestTime.
    let sign = callback_sign(&CallbackToken::new(TOKEN), "1700000001");
    let moved = tc_uri(TOKEN, &time, SET_CMD)
        .replace(&callback_sign(&CallbackToken::new(TOKEN), &time), &sign);
    assert_eq!(
        verifier.verify(&post(moved, SET_BODY), now()),
        Err(WebhookError::BadSignature)
    );

    assert!(
        verifier
            .verify(&tc_request(&time, SET_CMD, SET_BODY), now())
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&tc_request(&time, SET_CMD, SET_BODY), now()),
        Err(WebhookError::Replayed)
    );
    // Another callback in the same second is not a replay.
    assert!(
        verifier
            .verify(&tc_request(&time, DEL_CMD, DEL_BODY), now())
            .is_ok()
    );

    let old = (NOW_SECS - 301).to_string();
    assert!(matches!(
        verifier.verify(&tc_request(&old, SET_CMD, SET_BODY), now()),
        Err(WebhookError::Stale { ahead: false, .. })
    ));
    let ahead = (NOW_SECS + 301).to_string();
    assert!(matches!(
        verifier.verify(&tc_request(&ahead, SET_CMD, SET_BODY), now()),
        Err(WebhookError::Stale { ahead: true, .. })
    ));
}

#[test]
fn tencent_malformed_callbacks_are_rejected() {
    let verifier = tc();
    let time = NOW_SECS.to_string();
    let uri = tc_uri(TOKEN, &time, SET_CMD);
    for name in ["RequestTime", "Sign", "SdkAppid", "CallbackCommand"] {
        let query: Vec<&str> = uri
            .trim_start_matches("/live?")
            .split('&')
            .filter(|p| !p.starts_with(&format!("{name}=")))
            .collect();
        let request = post(format!("/live?{}", query.join("&")), SET_BODY);
        assert_eq!(
            verifier.verify(&request, now()),
            Err(WebhookError::MissingParameter { name })
        );
    }
    // The URL's command must be the body's.
    let mismatch = tc_request(&time, DEL_CMD, SET_BODY);
    assert!(matches!(
        verifier.verify(&mismatch, now()),
        Err(WebhookError::Malformed { part: "body", .. })
    ));
    // Another app's callback.
    let other = post(
        uri.replace("SdkAppid=1400000000", "SdkAppid=1400000001"),
        SET_BODY,
    );
    assert!(matches!(
        verifier.verify(&other, now()),
        Err(WebhookError::Malformed {
            part: "SdkAppid",
            ..
        })
    ));
    // Missing fields, bad JSON, invalid UTF-8.
    for body in [
        &br#"{"CallbackCommand":"Live.CallbackAfterSetMetadata","RoomId":"r"}"#[..],
        b"[1,2",
        b"\xff{}",
    ] {
        let err = verifier
            .verify(&post(uri.clone(), body), now())
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::Malformed { part: "body", .. }),
            "{err:?}"
        );
    }
    let mut text = tc_request(&time, SET_CMD, SET_BODY);
    text.headers_mut().insert(
        "content-type",
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    assert!(matches!(
        verifier.verify(&text, now()),
        Err(WebhookError::WrongContentType { .. })
    ));
    // A genuine callback of another kind.
    let room = r#"{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomId":"r"}"#;
    let err = verifier
        .verify(
            &tc_request(&time, "Live.CallbackAfterCreateRoom", room),
            now(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        WebhookError::UnsupportedCommand {
            command: "Live.CallbackAfterCreateRoom".into()
        }
    );
    assert_eq!(err.http_status(), 200);
}

// ------------------------------------------------------------------ properties

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_=+-]{1,24}"
}

/// Flips one byte of `s` at `at` to another printable ASCII byte that survives URL encoding.
fn mutate(s: &str, at: usize, to: u8) -> String {
    let mut bytes = s.as_bytes().to_vec();
    let i = at % bytes.len();
    let mut replacement = b'!' + (to % 94);
    if replacement == bytes[i] {
        replacement = if bytes[i] == b'0' { b'1' } else { b'0' };
    }
    bytes[i] = replacement;
    String::from_utf8(bytes).unwrap()
}

proptest! {
    #[test]
    fn rongcloud_round_trip(room in text(), key in text(), value in ".{0,40}", user in text(),
                            opt in 1u8..=3, version in any::<u64>(), nonce in "[0-9]{1,18}",
                            skew in 0u64..=300_000, ms in any::<bool>()) {
        let now_ms = NOW_SECS * 1000;
        let ts = now_ms - skew;
        let ts = if ms { ts.to_string() } else { (ts / 1000).to_string() };
        let body = serde_json::json!({"chatroomId": room, "key": key, "value": value,
            "optType": opt, "userId": user, "status": 0, "timestamp": now_ms, "version": version});
        let event = rc().verify(&rc_request(&nonce, &ts, &body.to_string()), now()).unwrap();
        let change = match opt {
            1 => KvChange::Set { key, value },
            2 => KvChange::Delete { key, value },
            _ => KvChange::DeleteAll,
        };
        prop_assert_eq!(event, KvSyncEvent { chatroom_id: room, change, user_id: user,
            timestamp_ms: now_ms, version });
    }

    #[test]
    fn rongcloud_any_mutation_of_a_signed_parameter_is_rejected(
        nonce in "[0-9]{1,18}", which in 0usize..3, at in any::<usize>(), to in any::<u8>()) {
        let ts = (NOW_SECS * 1000).to_string();
        let sig = signature(&AppSecret::new(SECRET), &nonce, &ts);
        let mut parts = [nonce, ts, sig];
        parts[which] = mutate(&parts[which], at, to);
        let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let uri = format!("/kv?nonce={}&timestamp={}&signature={}",
            enc(&parts[0]), enc(&parts[1]), enc(&parts[2]));
        let result = rc().verify(&post(uri, kv_body(1)), now());
        // A mutated signature may only turn into its other-case twin, which is the same value.
        let same_sig_other_case = which == 2
            && parts[2].eq_ignore_ascii_case(&signature(&AppSecret::new(SECRET), &parts[0], &parts[1]));
        if !same_sig_other_case {
            prop_assert!(result.is_err(), "accepted a mutated parameter: {:?}", parts);
        }
    }

    #[test]
    fn tencent_round_trip_and_mutations(room in text(), keys in proptest::collection::vec(text(), 1..5),
                                        skew in 0u64..=300, at in any::<usize>(), to in any::<u8>(),
                                        which in 0usize..2) {
        let time = (NOW_SECS - skew).to_string();
        let body = serde_json::json!({"CallbackCommand": DEL_CMD, "Operator_Account": "admin",
            "RoomId": room, "Keys": keys, "EventTime": 5}).to_string();
        let event = tc().verify(&tc_request(&time, DEL_CMD, &body), now()).unwrap();
        prop_assert_eq!(event, TencentCallback::AfterDelMetadata { sdkappid: 1_400_000_000,
            operator_account: "admin".into(), room_id: room, keys, event_time_ms: 5 });
        let sign = callback_sign(&CallbackToken::new(TOKEN), &time);
        let (time2, sign2) = if which == 0 {
            (mutate(&time, at, to), sign)
        } else {
            (time, mutate(&sign, at, to))
        };
        let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let uri = format!("/live?SdkAppid=1400000000&CallbackCommand={DEL_CMD}&RequestTime={}&Sign={}",
            enc(&time2), enc(&sign2));
        let result = tc().verify(&post(uri, body), now());
        if !sign2.eq_ignore_ascii_case(&callback_sign(&CallbackToken::new(TOKEN), &time2)) {
            prop_assert!(result.is_err());
        }
    }

    #[test]
    fn arbitrary_requests_never_panic(query in ".{0,200}", body in proptest::collection::vec(any::<u8>(), 0..300),
                                      json in any::<bool>()) {
        let enc: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        for uri in [format!("/x?{enc}"), format!("/x?{}", query.replace(['#', ' '], ""))] {
            let Ok(builder) = http::Request::post(uri.as_str())
                .header("content-type", if json { "application/json" } else { "x/y" })
                .body(body.clone()) else { continue };
            let _ = rc().verify(&builder, now());
            let _ = tc().verify(&builder, now());
        }
        // Genuine signatures over arbitrary bodies: parsing must not panic either.
        let ts = NOW_SECS.to_string();
        let _ = rc().verify(&post(format!("/kv?{}", rc_query(SECRET, "n", &ts)), body.clone()), now());
        let _ = tc().verify(&post(tc_uri(TOKEN, &ts, SET_CMD), body), now());
    }
}

#[test]
fn replays_at_the_window_edge_are_rejected() {
    // The window accepts a timestamp exactly `WINDOW` old, so the replay store must still
    // remember the callback at that instant.
    let edge = now() + WINDOW;
    let verifier = rc();
    let ts = NOW_SECS.to_string();
    assert!(
        verifier
            .verify(&rc_request("edge", &ts, &kv_body(1)), now())
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&rc_request("edge", &ts, &kv_body(2)), edge),
        Err(WebhookError::Replayed)
    );

    let verifier = tc();
    let time = NOW_SECS.to_string();
    assert!(
        verifier
            .verify(&tc_request(&time, SET_CMD, SET_BODY), now())
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&tc_request(&time, SET_CMD, SET_BODY), edge),
        Err(WebhookError::Replayed)
    );
}
