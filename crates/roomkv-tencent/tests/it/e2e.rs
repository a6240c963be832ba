//! End to end over real sockets: the built-in hyper client against a tiny hyper stub of
//! Tencent's Live API on `127.0.0.1:0`, which verifies every UserSig as Tencent does.

use roomkv_tencent::TencentSettings;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use roomkv_tencent::{Client, CreateRoom, TencentCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::secrets::{CaptureLogs, assert_no_usersigs};
use crate::support::*;

/// What the stub holds: rooms with their metadata, and what it saw.
#[derive(Default)]
struct State {
    rooms: BTreeMap<String, BTreeMap<String, String>>,
    usersigs: Vec<String>,
    randoms: Vec<u32>,
}

/// The running stub; stops when dropped.
struct Stub {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Stub {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request: hyper::Request<Incoming>| {
                        let state = Arc::clone(&state);
                        async move {
                            let (head, body) = request.into_parts();
                            let body = body.collect().await.unwrap().to_bytes();
                            let reply = answer(&mut state.lock().unwrap(), &head, &body);
                            Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(
                                reply.to_string(),
                            ))))
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, state, task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn envelope(code: i64, info: &str) -> Value {
    json!({
        "ActionStatus": if code == 0 { "OK" } else { "FAIL" },
        "ErrorInfo": info,
        "ErrorCode": code,
        "RequestId": REQUEST_ID,
    })
}

fn success(response: Value) -> Value {
    let mut reply = envelope(0, "");
    reply["Response"] = response;
    reply
}

/// Tencent's behaviour, reduced to what these tests need.
fn answer(state: &mut State, head: &http::request::Parts, body: &[u8]) -> Value {
    let query: BTreeMap<&str, &str> = head
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    if head.method != http::Method::POST
        || query.get("sdkappid") != Some(&"1400000000")
        || query.get("contenttype") != Some(&"json")
    {
        return envelope(60002, "HTTP parse error");
    }
    let Some(random) = query.get("random").and_then(|r| r.parse::<u32>().ok()) else {
        return envelope(60002, "random missing");
    };
    let identifier = query.get("identifier").copied().unwrap_or("");
    let usersig = query.get("usersig").copied().unwrap_or("");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if roomkv_sign::tencent::verify(usersig, &secret_key(), SDKAPPID, identifier, now).is_err() {
        return envelope(70009, "UserSig verification failed");
    }
    state.usersigs.push(usersig.to_owned());
    state.randoms.push(random);

    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return envelope(60003, "request JSON parse error");
    };
    let command = head
        .uri
        .path()
        .strip_prefix("/v4/live_engine_http_srv/")
        .unwrap_or("");
    let room_id = request["RoomId"]
        .as_str()
        .or_else(|| request["RoomInfo"]["RoomId"].as_str())
        .unwrap_or("")
        .to_owned();
    let keys: Vec<String> = request["Keys"]
        .as_array()
        .map(|keys| {
            keys.iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if command == "create_room" {
        if state.rooms.contains_key(&room_id) {
            return envelope(100003, "room id already exists");
        }
        state.rooms.insert(room_id, BTreeMap::new());
        return envelope(0, "");
    }
    let Some(metadata) = state.rooms.get_mut(&room_id) else {
        return envelope(100004, "room does not exist");
    };
    match command {
        "destroy_room" => {
            state.rooms.remove(&room_id);
            envelope(0, "")
        }
        "get_room_info" => success(json!({"RoomInfo": {
            "RoomId": room_id, "RoomType": "Live", "RoomName": room_id, "CreateTime": 1693271354,
        }})),
        "get_room_metadata" => {
            let entries: Vec<Value> = metadata
                .iter()
                .filter(|(k, _)| keys.is_empty() || keys.contains(k))
                .map(|(k, v)| json!({"Key": k, "Value": v}))
                .collect();
            success(json!({ "Metadata": entries }))
        }
        "set_room_metadata" => {
            for entry in request["Metadata"].as_array().into_iter().flatten() {
                metadata.insert(
                    entry["Key"].as_str().unwrap_or("").to_owned(),
                    entry["Value"].as_str().unwrap_or("").to_owned(),
                );
            }
            envelope(0, "")
        }
        "del_room_metadata" => {
            let removed = keys
                .iter()
                .filter(|k| metadata.remove(*k).is_some())
                .count();
            if removed == 0 {
                envelope(100503, "none of the keys to delete exist")
            } else {
                envelope(0, "")
            }
        }
        _ => envelope(60009, "request resource error"),
    }
}

fn pairs(entries: &[roomkv_tencent::MetadataEntry]) -> Vec<(&str, &str)> {
    entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect()
}

#[tokio::test]
async fn every_operation_over_real_sockets() {
    let logs = CaptureLogs::default();
    // This thread's own subscriber, which sees every callsite also when other test threads
    // reach it first.
    let _guard = roomkv_transport::test_util::trace_this_thread(logs.clone());
    let stub = Stub::start().await;
    // The production configuration: system clock, OS randomness, the built-in hyper client.
    let client = Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(secret_key())
        .base_url(stub.url())
        .build()
        .unwrap();
    let r = room("live-room");

    client
        .create_room(CreateRoom::new(r.clone()).room_name("Friday quiz"))
        .await
        .unwrap();
    let info = client.get_room_info(&r).await.unwrap();
    assert_eq!(info.room_id, r);
    assert_eq!(info.create_time, Some(1693271354));

    client
        .set_room_metadata(
            &r,
            [
                (key("score"), value("42")),
                (key("stage"), value("quiz")),
                (key("seat"), value("3")),
            ],
        )
        .await
        .unwrap();
    let some = client
        .get_room_metadata(&r, [key("stage"), key("nope")])
        .await
        .unwrap();
    assert_eq!(pairs(&some), [("stage", "quiz")]);
    client
        .del_room_metadata(&r, [key("seat"), key("nope")])
        .await
        .unwrap();
    let all = client.get_all_room_metadata(&r).await.unwrap();
    assert_eq!(pairs(&all), [("score", "42"), ("stage", "quiz")]);

    let err = client
        .del_room_metadata(&r, [key("seat")])
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::MetadataKeysNotFound));
    let err = client
        .create_room(CreateRoom::new(r.clone()))
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(TencentCode::RoomIdExists));

    client.destroy_room(&r).await.unwrap();
    let err = client.get_room_info(&r).await.unwrap_err();
    assert!(matches!(err.kind(), roomkv_tencent::ErrorKind::Api(_)));
    assert_eq!(err.api_code(), Some(TencentCode::RoomNotFound));
    assert_eq!(err.request_id(), Some(REQUEST_ID));

    let state = stub.state.lock().unwrap();
    assert_eq!(state.usersigs.len(), 10, "every request was verified");
    let mut randoms = state.randoms.clone();
    randoms.sort_unstable();
    randoms.dedup();
    assert_eq!(randoms.len(), 10, "a fresh random per request");
    let mut sigs = state.usersigs.clone();
    sigs.dedup();
    assert_eq!(sigs.len(), 1, "one cached UserSig");
    assert_no_usersigs(&logs.text(), &state.usersigs);
}

#[tokio::test]
async fn a_refused_connection_fails_over_to_the_backup_over_real_sockets() {
    let logs = CaptureLogs::default();
    // This thread's own subscriber, which sees every callsite also when other test threads
    // reach it first.
    let _guard = roomkv_transport::test_util::trace_this_thread(logs.clone());
    let stub = Stub::start().await;
    // A port nothing listens on any more: connecting is refused.
    let dead = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let client = Client::builder()
        .sdkappid(SDKAPPID)
        .secret_key(secret_key())
        .hosts([format!("http://{dead}"), stub.url()])
        .build()
        .unwrap();
    client
        .create_room(CreateRoom::new(room("r")))
        .await
        .unwrap();
    assert_eq!(client.active_host().to_string(), format!("{}/", stub.url()));
    // Remembered: the next request goes straight to the backup.
    client.destroy_room(&room("r")).await.unwrap();
    let state = stub.state.lock().unwrap();
    assert_eq!(state.usersigs.len(), 2);
    // hyper's own error, logged by the transport, names no secret either.
    let text = logs.text();
    assert!(text.contains("exchange failed"), "{text}");
    assert_no_usersigs(&text, &state.usersigs);
}
