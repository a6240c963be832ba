//! The HTTP surface: in memory through `Emulator::handle`, and over real loopback sockets with a
//! hyper client (serve and shutdown, control API, the 100 KB limit, every fault kind).

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use roomkv_core::rongcloud::{ChatroomId, MsgUid, QueryExpansion};
use roomkv_emulator::faults::{FaultEffect, FaultRule};
use roomkv_emulator::{Emulator, EmulatorConfig, Exchange};

use crate::common::*;

// ------------------------------------------------------------------------------ in memory

#[test]
fn rongcloud_pipeline_codes() {
    let (emulator, _) = emulator_with(EmulatorConfig::default());
    let reply = emulator.handle(rc_request("/chatroom/entry/nope.json", "x=1"));
    assert_eq!((reply.status().as_u16(), code(&reply)), (404, 404));
    let mut get = rc_request("/chatroom/entry/set.json", "");
    *get.method_mut() = Method::GET;
    let reply = emulator.handle(get);
    assert_eq!((reply.status().as_u16(), code(&reply)), (405, 1007));
    let mut unknown = rc_request("/chatroom/entry/set.json", "");
    unknown
        .headers_mut()
        .insert("App-Key", "who".parse().unwrap());
    unknown
        .headers_mut()
        .insert("X-Request-ID", "req-42".parse().unwrap());
    let reply = emulator.handle(unknown);
    assert_eq!((reply.status().as_u16(), code(&reply)), (401, 1002));
    assert_eq!(json(&reply)["errorMessage"], "Invalidate App-Key.");
    assert_eq!(reply.headers()["x-request-id"], "req-42");
    let mut unsigned = rc_request("/chatroom/entry/set.json", "");
    unsigned.headers_mut().remove("Signature");
    let reply = emulator.handle(unsigned);
    assert_eq!((reply.status().as_u16(), code(&reply)), (401, 1004));
    // RC- prefixed headers are accepted.
    let prefixed = Request::post("/chatroom/entry/query.json")
        .header("RC-App-Key", APP)
        .header("RC-Nonce", "1")
        .header("RC-Timestamp", "1")
        .header("RC-Signature", rc_signature("1", "1").to_uppercase())
        .body(Bytes::from_static(b"chatroomId=r"))
        .unwrap();
    let reply = emulator.handle(prefixed);
    assert_ne!(reply.status(), 401);
    // Nexconn's kebab-case v4 paths are RongCloud paths, served since issue 8: an empty body
    // is a parameter error with v4's HTTP 400; an unknown v4 path is 404.
    let reply = emulator.handle(rc_request("/v4/open-channel/metadata/batch/set", "{}"));
    assert_eq!((reply.status().as_u16(), code(&reply)), (400, 1002));
    let reply = emulator.handle(rc_request("/v4/open-channel/metadata/unknown", "{}"));
    assert_eq!((reply.status().as_u16(), code(&reply)), (404, 404));
}

#[test]
fn tencent_pipeline_codes_and_request_ids() {
    let (emulator, _) = emulator_with(EmulatorConfig::default());
    let tencent = |uri: &str, body: &'static str| {
        let reply = emulator.handle(
            Request::post(uri)
                .body(Bytes::from_static(body.as_bytes()))
                .unwrap(),
        );
        assert_eq!(reply.status(), 200, "Tencent always answers HTTP 200");
        let value = json(&reply);
        assert_eq!(
            value["ActionStatus"],
            if value["ErrorCode"] == 0 {
                "OK"
            } else {
                "FAIL"
            }
        );
        value["ErrorCode"].as_i64().unwrap()
    };
    let base = "/v4/live_engine_http_srv/get_room_info";
    assert_eq!(
        tencent(&format!("{base}?identifier={ADMIN}&usersig=x"), "{}"),
        60012
    );
    assert_eq!(
        tencent(
            &format!("{base}?sdkappid=abc&identifier={ADMIN}&usersig=x"),
            "{}"
        ),
        60006
    );
    assert_eq!(
        tencent(
            &format!("{base}?sdkappid=1400000001&identifier={ADMIN}&usersig=x"),
            "{}"
        ),
        70020
    );
    assert_eq!(
        tencent(
            &format!("{base}?sdkappid={SDKAPPID}&identifier={ADMIN}"),
            "{}"
        ),
        70002
    );
    assert_eq!(
        tencent(
            &format!(
                "{base}?sdkappid={SDKAPPID}&identifier=bob&usersig={}",
                usersig("bob")
            ),
            "{}"
        ),
        60010
    );
    assert_eq!(
        tencent(
            &format!(
                "{base}?sdkappid={SDKAPPID}&identifier={ADMIN}&usersig={}",
                usersig(ADMIN)
            ),
            ""
        ),
        60003
    );
    assert_eq!(
        tencent(
            &format!(
                "{base}?sdkappid={SDKAPPID}&identifier={ADMIN}&usersig={}",
                usersig(ADMIN)
            ),
            "{\"RoomId\":"
        ),
        60003
    );
    assert_eq!(
        tencent(
            &format!("/v4/live_engine_http_srv/send_text_msg?sdkappid={SDKAPPID}"),
            "{}"
        ),
        60009
    );
    assert_eq!(
        tencent(
            &format!("/v4/group_open_http_svc/create_group?sdkappid={SDKAPPID}"),
            "{}"
        ),
        60009
    );

    let reply = emulator.handle(tc_request("get_room_info", r#"{"RoomId":"r"}"#));
    let first = json(&reply)["RequestId"].as_str().unwrap().to_owned();
    let second = json(&emulator.handle(tc_request("get_room_info", "{}")))["RequestId"]
        .as_str()
        .unwrap()
        .to_owned();
    for (id, _) in [(&first, 0), (&second, 1)] {
        let rest = id.strip_prefix("Id-").unwrap();
        let (hex, seq) = rest.split_once("-O-Seq-").unwrap();
        assert_eq!(hex.len(), 32);
        assert!(
            hex.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{id}"
        );
        seq.parse::<u64>().unwrap();
    }
    assert_ne!(first, second);
    let seq = |id: &str| id.rsplit('-').next().unwrap().parse::<u64>().unwrap();
    assert!(seq(&second) > seq(&first));
}

#[test]
fn tencent_quota_answers_60007_per_command() {
    let (emulator, clock) = emulator_with(EmulatorConfig::default());
    let over = |command: &str| {
        (0..300)
            .map(|_| code(&emulator.handle(tc_request(command, "{}"))))
            .position(|c| c == 60007)
    };
    assert_eq!(over("get_room_info"), Some(200));
    assert_eq!(
        over("set_room_metadata"),
        Some(200),
        "each command has its own 200/s"
    );
    clock.advance(Duration::from_secs(1));
    assert_ne!(
        code(&emulator.handle(tc_request("get_room_info", "{}"))),
        60007
    );

    let mut config = EmulatorConfig::default();
    config.quota.enabled = false;
    let (unlimited, _) = emulator_with(config);
    assert!((0..500).all(|_| code(&unlimited.handle(tc_request("get_room_info", "{}"))) != 60007));
}

#[test]
fn bodies_of_100_kb_are_refused_with_the_vendor_code() {
    let (emulator, _) = emulator_with(EmulatorConfig::default());
    // RongCloud: "less than 100 KB", 1508 otherwise.
    let limit = 100 * 1024;
    let reply = emulator.handle(rc_request("/chatroom/entry/set.json", vec![b'a'; limit]));
    assert_eq!((reply.status().as_u16(), code(&reply)), (200, 1508));
    let reply = emulator.handle(rc_request(
        "/chatroom/entry/set.json",
        vec![b'a'; limit - 1],
    ));
    assert_eq!(code(&reply), 1002, "read, and refused for its fields");
    let reply = emulator.handle(tc_request("set_room_metadata", vec![b' '; limit]));
    assert_eq!((reply.status().as_u16(), code(&reply)), (200, 60002));
}

#[tokio::test]
async fn respond_applies_faults_in_memory() {
    let (emulator, _) = emulator_with(EmulatorConfig::default());
    emulator
        .state()
        .entry_set(APP, &entry_set("r", "u", "k", "v", false), T0_MS)
        .unwrap();
    let destroy = || {
        Request::post("/_emulator/rongcloud/chatroom/destroy")
            .body(Bytes::from_static(br#"{"chatroomId":"r"}"#))
            .unwrap()
    };
    emulator
        .add_fault(
            FaultRule::new("/_emulator/rongcloud/*", FaultEffect::CloseBeforeProcessing).times(1),
        )
        .unwrap();
    assert!(matches!(
        emulator.respond(destroy()).await,
        Exchange::Closed { processed: false }
    ));
    assert_eq!(
        emulator
            .state()
            .entry_query(APP, &query("r", &[]))
            .unwrap()
            .len(),
        1
    );
    emulator
        .add_fault(
            FaultRule::new("/_emulator/rongcloud/*", FaultEffect::CloseAfterProcessing).times(1),
        )
        .unwrap();
    assert!(matches!(
        emulator.respond(destroy()).await,
        Exchange::Closed { processed: true }
    ));
    assert!(
        emulator
            .state()
            .entry_query(APP, &query("r", &[]))
            .unwrap()
            .is_empty()
    );
    emulator
        .add_fault(FaultRule::new(
            "/chatroom/entry/set.json",
            FaultEffect::VendorError {
                code: 1008,
                message: None,
                http_status: None,
            },
        ))
        .unwrap();
    let Exchange::Reply(reply) = emulator
        .respond(rc_request("/chatroom/entry/set.json", ""))
        .await
    else {
        panic!("expected a reply")
    };
    assert_eq!((reply.status().as_u16(), code(&reply)), (429, 1008));
    assert!(matches!(
        emulator.respond(destroy()).await,
        Exchange::Reply(_)
    ));
}

// ------------------------------------------------------------------------------ over sockets

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client() -> HttpClient {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(0)
        .build_http()
}

struct Reply {
    status: StatusCode,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

async fn send(
    client: &HttpClient,
    base: &str,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    body: impl Into<Bytes>,
) -> Result<Reply, hyper_util::client::legacy::Error> {
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let response = client
        .request(request.body(Full::new(body.into())).unwrap())
        .await?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    Ok(Reply { status, body })
}

/// Signed RongCloud headers of the default app.
fn rc_headers() -> Vec<(&'static str, String)> {
    vec![
        ("App-Key", APP.to_owned()),
        ("Nonce", "1".to_owned()),
        ("Timestamp", "1700000000".to_owned()),
        ("Signature", rc_signature("1", "1700000000")),
        (
            "Content-Type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
    ]
}

#[tokio::test]
async fn serves_on_a_free_port_and_shuts_down_cleanly() {
    let emulator = Emulator::new(EmulatorConfig::default());
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(server.base_url(), format!("http://{addr}"));
    let client = client();
    let reply = send(
        &client,
        &server.base_url(),
        Method::GET,
        "/_emulator/health",
        &[],
        "",
    )
    .await
    .unwrap();
    assert_eq!(
        (reply.status, reply.json()),
        (StatusCode::OK, serde_json::json!({"ok": true}))
    );
    // A keep-alive connection that stays open does not block the shutdown.
    let idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(server.shutdown_within(Duration::from_secs(10)).await);
    drop(idle);
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "nothing listens any more"
    );
    assert!(
        send(
            &client,
            &format!("http://{addr}"),
            Method::GET,
            "/_emulator/health",
            &[],
            ""
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn two_servers_share_one_state_and_count_their_own_requests() {
    let emulator = Emulator::new(EmulatorConfig::default());
    let primary = emulator.serve("127.0.0.1:0").await.unwrap();
    let backup = emulator.serve("127.0.0.1:0").await.unwrap();
    let (primary_stats, backup_stats) = (primary.stats(), backup.stats());
    let client = client();
    // Written through the primary, read through the backup: one state behind both.
    let set = send(
        &client,
        &primary.base_url(),
        Method::POST,
        "/chatroom/entry/set.json",
        &rc_headers(),
        "chatroomId=r&userId=u&key=k&value=v",
    )
    .await
    .unwrap();
    assert_eq!(set.json()["code"], 200);
    for _ in 0..2 {
        let query = send(
            &client,
            &backup.base_url(),
            Method::POST,
            "/chatroom/entry/query.json",
            &rc_headers(),
            "chatroomId=r",
        )
        .await
        .unwrap();
        assert_eq!(query.json()["keys"][0]["value"], "v");
    }
    assert_eq!((primary_stats.received(), backup_stats.received()), (1, 2));
    assert_eq!(
        (primary_stats.in_flight(), backup_stats.in_flight()),
        (0, 0)
    );

    // A delayed request is in flight until it is processed; the counters outlive the handle.
    emulator
        .add_fault(FaultRule::new("/_emulator/health", FaultEffect::Delay { ms: 200 }).times(1))
        .unwrap();
    let base = backup.base_url();
    let slow = tokio::spawn(async move {
        send(&client, &base, Method::GET, "/_emulator/health", &[], "").await
    });
    while backup_stats.in_flight() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(backup_stats.received(), 3);
    assert_eq!(slow.await.unwrap().unwrap().status, StatusCode::OK);
    assert!(backup.shutdown_within(Duration::from_secs(10)).await);
    assert_eq!((backup_stats.received(), backup_stats.in_flight()), (3, 0));
    assert_eq!(primary_stats.received(), 1);
    drop(primary);
}

#[tokio::test]
async fn control_api_events_and_reset() {
    let emulator = Emulator::new(EmulatorConfig::default());
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    let base = server.base_url();
    let client = client();
    let post = |path: &'static str, body: &'static str| {
        send(&client, &base, Method::POST, path, &[], body)
    };

    emulator
        .state()
        .entry_set(APP, &entry_set("r", "alice", "seat", "a", true), T0_MS)
        .unwrap();
    emulator
        .state()
        .entry_set(APP, &entry_set("r", "bob", "pin", "p", false), T0_MS)
        .unwrap();
    let reply = post(
        "/_emulator/rongcloud/chatroom/leave",
        r#"{"chatroomId":"r","userId":"alice"}"#,
    )
    .await
    .unwrap();
    assert_eq!(reply.json(), serde_json::json!({"removed": ["seat"]}));
    let reply = post(
        "/_emulator/rongcloud/chatroom/destroy",
        r#"{"appKey":"demo-app-key","chatroomId":"r"}"#,
    )
    .await
    .unwrap();
    assert_eq!(reply.json(), serde_json::json!({"removed": 1}));

    let events = send(&client, &base, Method::GET, "/_emulator/events", &[], "")
        .await
        .unwrap()
        .json();
    let types: Vec<(&str, i64)> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["body"]["optType"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("rongcloud.kv_sync", 1),
            ("rongcloud.kv_sync", 1),
            ("rongcloud.kv_sync", 2),
            ("rongcloud.kv_sync", 3)
        ]
    );
    assert_eq!(events["next"], 4);
    assert_eq!(events["events"][2]["body"]["userId"], "alice");
    let newer = send(
        &client,
        &base,
        Method::GET,
        "/_emulator/events?since=3",
        &[],
        "",
    )
    .await
    .unwrap()
    .json();
    assert_eq!(newer["events"].as_array().unwrap().len(), 1);
    assert_eq!(newer["events"][0]["seq"], 4);

    let reply = post(
        "/_emulator/rongcloud/messages",
        r#"{"msgUID":"M1","fromUserId":"a","conversationType":"group","targetId":"g","extraContent":{"k":"v","n":1}}"#,
    )
    .await
    .unwrap();
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let page = emulator
        .state()
        .expansion_query(
            APP,
            &QueryExpansion::new(MsgUid::non_validated("M1")).page(1),
        )
        .unwrap();
    assert_eq!(
        page.entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect::<Vec<_>>(),
        [("k", "v"), ("n", "1")]
    );

    let reply = post("/_emulator/rongcloud/kv-service", r#"{"enabled":false}"#)
        .await
        .unwrap();
    assert_eq!(
        reply.json(),
        serde_json::json!({"appKey": APP, "enabled": false})
    );
    assert!(!emulator.state().kv_enabled(APP));
    let reply = post("/_emulator/rate-limits", r#"{"enabled":false}"#)
        .await
        .unwrap();
    assert_eq!(reply.json(), serde_json::json!({"enabled": false}));
    assert!(!emulator.quota_enforcer().enabled());
    let reply = post(
        "/_emulator/faults",
        r#"{"rules":[{"path":"/x","times":2,"effect":{"kind":"status","status":503}}]}"#,
    )
    .await
    .unwrap();
    assert_eq!(reply.json()["rules"][0]["times"], 2);
    assert_eq!(emulator.faults().len(), 1);

    // Refusals of the control API itself.
    assert_eq!(
        post(
            "/_emulator/rongcloud/kv-service",
            r#"{"appKey":"nope","enabled":true}"#
        )
        .await
        .unwrap()
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post("/_emulator/rongcloud/chatroom/leave", "{")
            .await
            .unwrap()
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(
            "/_emulator/faults",
            r#"{"path":"/x","effect":{"kind":"status","status":200}}"#
        )
        .await
        .unwrap()
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post("/_emulator/nothing", "{}").await.unwrap().status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&client, &base, Method::GET, "/_emulator/reset", &[], "")
            .await
            .unwrap()
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );

    let reply = post("/_emulator/reset", "").await.unwrap();
    assert_eq!(reply.json(), serde_json::json!({"ok": true}));
    let events = send(&client, &base, Method::GET, "/_emulator/events", &[], "")
        .await
        .unwrap()
        .json();
    assert_eq!(
        events,
        serde_json::json!({"events": [], "next": 0, "dropped": 0})
    );
    assert!(emulator.state().kv_enabled(APP));
    assert!(emulator.quota_enforcer().enabled());
    assert!(emulator.faults().is_empty());
    assert!(
        emulator
            .state()
            .expansion_query(
                APP,
                &QueryExpansion::new(MsgUid::non_validated("M1")).page(1)
            )
            .unwrap()
            .entries
            .is_empty()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn large_bodies_are_refused_over_the_wire() {
    let emulator = Emulator::new(EmulatorConfig::default());
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    let base = server.base_url();
    let client = client();
    for size in [100 * 1024, 1024 * 1024] {
        let reply = send(
            &client,
            &base,
            Method::POST,
            "/chatroom/entry/set.json",
            &rc_headers(),
            vec![b'a'; size],
        )
        .await
        .unwrap();
        assert_eq!(
            (reply.status, reply.json()["code"].as_i64()),
            (StatusCode::OK, Some(1508)),
            "{size} bytes"
        );
    }
    let uri = format!(
        "/v4/live_engine_http_srv/set_room_metadata?sdkappid={SDKAPPID}&identifier={ADMIN}&usersig={}",
        usersig(ADMIN)
    );
    let reply = send(
        &client,
        &base,
        Method::POST,
        &uri,
        &[],
        vec![b' '; 200 * 1024],
    )
    .await
    .unwrap();
    assert_eq!(reply.json()["ErrorCode"], 60002);
    let reply = send(
        &client,
        &base,
        Method::POST,
        "/chatroom/entry/set.json",
        &rc_headers(),
        vec![b'a'; 100 * 1024 - 1],
    )
    .await
    .unwrap();
    assert_eq!(reply.json()["code"], 1002);
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn delay_fault_waits_in_paused_time() {
    let emulator = Emulator::new(EmulatorConfig::default());
    emulator
        .add_fault(FaultRule::new("/_emulator/health", FaultEffect::Delay { ms: 30_000 }).times(1))
        .unwrap();
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    let client = client();
    let started = tokio::time::Instant::now();
    let reply = send(
        &client,
        &server.base_url(),
        Method::GET,
        "/_emulator/health",
        &[],
        "",
    )
    .await
    .unwrap();
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_secs(30),
        "waited {:?}",
        started.elapsed()
    );
    // The rule fired once: the next request is immediate.
    let started = tokio::time::Instant::now();
    send(
        &client,
        &server.base_url(),
        Method::GET,
        "/_emulator/health",
        &[],
        "",
    )
    .await
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
    // A client timeout shorter than the delay sees a timeout.
    emulator
        .add_fault(FaultRule::new(
            "/_emulator/health",
            FaultEffect::Delay { ms: 10_000 },
        ))
        .unwrap();
    let base = server.base_url();
    let request = send(&client, &base, Method::GET, "/_emulator/health", &[], "");
    assert!(
        tokio::time::timeout(Duration::from_secs(5), request)
            .await
            .is_err()
    );
    emulator.clear_faults();
    assert!(server.shutdown_within(Duration::from_secs(60)).await);
}

#[tokio::test]
async fn gateway_status_and_forced_vendor_errors() {
    let emulator = Emulator::new(EmulatorConfig::default());
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    let base = server.base_url();
    let client = client();
    emulator
        .add_fault(
            FaultRule::new("/chatroom/entry/*", FaultEffect::Status { status: 502 }).times(1),
        )
        .unwrap();
    let reply = send(
        &client,
        &base,
        Method::POST,
        "/chatroom/entry/set.json",
        &rc_headers(),
        "x=1",
    )
    .await
    .unwrap();
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert!(String::from_utf8_lossy(&reply.body).contains("502 Bad Gateway"));
    assert!(
        serde_json::from_slice::<serde_json::Value>(&reply.body).is_err(),
        "an HTML page, not JSON"
    );
    for status in [503, 504] {
        emulator
            .add_fault(FaultRule::new("/x", FaultEffect::Status { status }).times(1))
            .unwrap();
        assert_eq!(
            send(&client, &base, Method::GET, "/x", &[], "")
                .await
                .unwrap()
                .status
                .as_u16(),
            status
        );
    }
    emulator
        .add_fault(FaultRule::new(
            "/v4/live_engine_http_srv/*",
            FaultEffect::VendorError {
                code: 100001,
                message: Some("try again".into()),
                http_status: None,
            },
        ))
        .unwrap();
    let reply = send(
        &client,
        &base,
        Method::POST,
        "/v4/live_engine_http_srv/get_room_info?sdkappid=1",
        &[],
        "{}",
    )
    .await
    .unwrap();
    let value = reply.json();
    assert_eq!(
        (
            reply.status,
            &value["ErrorCode"],
            &value["ErrorInfo"],
            &value["ActionStatus"]
        ),
        (
            StatusCode::OK,
            &serde_json::json!(100001),
            &serde_json::json!("try again"),
            &serde_json::json!("FAIL")
        )
    );
    server.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_before_and_after_processing() {
    let emulator = Emulator::new(EmulatorConfig::default());
    let server = emulator.serve("127.0.0.1:0").await.unwrap();
    let base = server.base_url();
    let client = client();
    let state = emulator.state();
    state
        .entry_set(APP, &entry_set("r", "alice", "seat", "a", true), T0_MS)
        .unwrap();
    let leave = r#"{"chatroomId":"r","userId":"alice"}"#;

    emulator
        .add_fault(
            FaultRule::new(
                "/_emulator/rongcloud/chatroom/leave",
                FaultEffect::CloseBeforeProcessing,
            )
            .times(1),
        )
        .unwrap();
    let err = send(
        &client,
        &base,
        Method::POST,
        "/_emulator/rongcloud/chatroom/leave",
        &[],
        leave,
    )
    .await
    .err()
    .expect("a connection error");
    assert!(!err.is_connect(), "connected, then dropped: {err:?}");
    assert_eq!(
        state.entry_query(APP, &query("r", &[])).unwrap().len(),
        1,
        "not processed"
    );

    emulator
        .add_fault(
            FaultRule::new(
                "/_emulator/rongcloud/chatroom/leave",
                FaultEffect::CloseAfterProcessing,
            )
            .times(1),
        )
        .unwrap();
    let err = send(
        &client,
        &base,
        Method::POST,
        "/_emulator/rongcloud/chatroom/leave",
        &[],
        leave,
    )
    .await
    .err()
    .expect("a connection error");
    assert!(!err.is_connect(), "{err:?}");
    assert!(
        state.entry_query(APP, &query("r", &[])).unwrap().is_empty(),
        "processed although the client saw an error"
    );
    assert_eq!(
        state.chatroom_version(APP, &ChatroomId::non_validated("r")),
        2
    );

    // The server keeps serving afterwards.
    let reply = send(&client, &base, Method::GET, "/_emulator/health", &[], "")
        .await
        .unwrap();
    assert_eq!(reply.status, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn probabilistic_faults_are_reproducible_over_the_wire() {
    let outcomes = |seed: u64| async move {
        let mut config = EmulatorConfig::default();
        config.fault_seed = seed;
        let emulator = Emulator::new(config);
        emulator
            .add_fault(
                FaultRule::new("/_emulator/health", FaultEffect::Status { status: 503 })
                    .probability(0.5),
            )
            .unwrap();
        let server = emulator.serve("127.0.0.1:0").await.unwrap();
        let client = client();
        let mut statuses = Vec::new();
        for _ in 0..40 {
            let reply = send(
                &client,
                &server.base_url(),
                Method::GET,
                "/_emulator/health",
                &[],
                "",
            )
            .await
            .unwrap();
            statuses.push(reply.status.as_u16());
        }
        server.shutdown().await;
        statuses
    };
    let a = outcomes(9).await;
    assert_eq!(a, outcomes(9).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
}
