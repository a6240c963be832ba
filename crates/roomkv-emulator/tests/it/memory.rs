//! The in-memory `HttpClient`: each fault as a client sees it over a socket, and a round trip
//! of every operation of both vendors encoded and parsed by core, as the SDK will do.

use std::time::Duration;

use http::{Request, Response};
use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, EntryKey,
    EntryValue, ExpansionKey, ExpansionValue, MsgUid, Notification, QueryEntries, QueryExpansion,
    RemoveEntry, SetEntry, SetExpansion, TargetId, UserId,
};
use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, DestroyRoom, Endpoint, GetRoomInfo, GetRoomMetadata, Identifier,
    MetadataKey, MetadataValue, RoomId, SetRoomMetadata,
};
use roomkv_core::{BaseUrl, Limits, Operation, ResponseError};
use roomkv_emulator::faults::{FaultEffect, FaultRule};
use roomkv_emulator::{EmulatorClient, EmulatorConfig};
use roomkv_transport::{HttpClient, HttpResponse};

use crate::common::*;
use crate::served::{sign_rc, sign_tc};

fn unlimited() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.quota.enabled = false;
    config
}

fn set(key: &str) -> Request<Vec<u8>> {
    sign_rc(
        Request::post("http://emulator.invalid/chatroom/entry/set.json")
            .body(format!("chatroomId=r&userId=u&key={key}&value=v").into_bytes())
            .unwrap(),
    )
}

fn code(response: &HttpResponse) -> i64 {
    serde_json::from_slice::<serde_json::Value>(response.body()).unwrap()["code"]
        .as_i64()
        .unwrap()
}

fn has_key(emulator: &roomkv_emulator::Emulator, key: &str) -> bool {
    emulator
        .state()
        .entry_query(APP, &query("r", &[key]))
        .unwrap()
        .len()
        == 1
}

#[tokio::test(start_paused = true)]
async fn faults_reach_the_client_as_over_a_socket() {
    let (emulator, _) = emulator_with(unlimited());
    let client = emulator.http_client();
    let fault = |effect: FaultEffect| {
        emulator
            .add_fault(FaultRule::new("/chatroom/entry/set.json", effect).times(1))
            .unwrap();
    };

    // No fault: the reply.
    let reply = client.send(set("plain")).await.unwrap();
    assert_eq!((reply.status().as_u16(), code(&reply)), (200, 200));
    assert!(has_key(&emulator, "plain"));

    // Delay: sleep (paused time), then the reply.
    fault(FaultEffect::Delay { ms: 6_000 });
    let started = tokio::time::Instant::now();
    let reply = client.send(set("slow")).await.unwrap();
    assert_eq!(code(&reply), 200);
    assert!(started.elapsed() >= Duration::from_secs(6));

    // A delay longer than the client's own time limit: a timeout; the request is still
    // processed once the delay is over, as a real server would.
    fault(FaultEffect::Delay { ms: 6_000 });
    let timed = emulator.http_client().timeout(Duration::from_secs(5));
    let err = timed.send(set("late")).await.unwrap_err();
    assert!(err.is_timeout() && err.may_have_been_sent(), "{err:?}");
    assert!(!has_key(&emulator, "late"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(has_key(&emulator, "late"), "applied after the delay");

    // An injected 5xx: that response, the gateway's HTML page.
    fault(FaultEffect::Status { status: 502 });
    let reply = client.send(set("gateway")).await.unwrap();
    assert_eq!(reply.status(), 502);
    assert!(String::from_utf8_lossy(reply.body()).contains("502 Bad Gateway"));
    assert!(!has_key(&emulator, "gateway"));

    // A forced vendor error.
    fault(FaultEffect::VendorError {
        code: 1008,
        message: None,
        http_status: None,
    });
    let reply = client.send(set("throttled")).await.unwrap();
    assert_eq!((reply.status().as_u16(), code(&reply)), (429, 1008));

    // Close before processing, close after processing: the same error, reset after send
    // (the outcome is unknown to the client), but only the second applied the write.
    fault(FaultEffect::CloseBeforeProcessing);
    let before = client.send(set("before")).await.unwrap_err();
    fault(FaultEffect::CloseAfterProcessing);
    let after = client.send(set("after")).await.unwrap_err();
    for err in [&before, &after] {
        assert!(err.is_reset_after_send(), "{err:?}");
        assert!(err.may_have_been_sent() && !err.is_connect() && !err.is_timeout());
    }
    assert_eq!(before.to_string(), after.to_string());
    assert!(!has_key(&emulator, "before"));
    assert!(has_key(&emulator, "after"));

    // The rules fired once each: the client is back to normal.
    assert_eq!(code(&client.send(set("again")).await.unwrap()), 200);
    assert!(emulator.faults().is_empty());
}

const BASE: &str = "http://emulator.invalid";

/// Validates, encodes (core), signs (roomkv-sign), sends in memory, parses (core).
async fn rc_call<O: Operation<Endpoint = BaseUrl>>(
    client: &EmulatorClient,
    op: &O,
) -> Result<O::Output, ResponseError> {
    op.validate(&Limits::default()).unwrap();
    let request = sign_rc(op.encode(&BaseUrl::parse(BASE).unwrap()).unwrap());
    parse(op, client.send(request).await.unwrap())
}

async fn tc_call<O: Operation<Endpoint = Endpoint>>(
    client: &EmulatorClient,
    op: &O,
) -> Result<O::Output, ResponseError> {
    op.validate(&Limits::default()).unwrap();
    let endpoint = Endpoint {
        base: BaseUrl::parse(BASE).unwrap(),
        sdkappid: SDKAPPID,
        admin: Identifier::parse(ADMIN).unwrap(),
    };
    let request = sign_tc(op.encode(&endpoint).unwrap());
    parse(op, client.send(request).await.unwrap())
}

fn parse<O: Operation>(op: &O, response: HttpResponse) -> Result<O::Output, ResponseError> {
    let (parts, body) = response.into_parts();
    op.parse(Response::from_parts(parts, &body[..]))
}

fn key(k: &str) -> EntryKey {
    EntryKey::parse(k).unwrap()
}

fn value(v: &str) -> EntryValue {
    EntryValue::parse(v).unwrap()
}

#[tokio::test]
async fn every_rongcloud_operation_round_trips_through_core() {
    let (emulator, _) = emulator_with(unlimited());
    let client = emulator.http_client();
    let room = ChatroomId::parse("room1").unwrap();
    let alice = UserId::parse("alice").unwrap();

    let op = SetEntry::new(room.clone(), alice.clone(), key("seat"), value("a"))
        .auto_delete(true)
        .notify(Notification::kv_change_with_extra("stage"));
    rc_call(&client, &op).await.unwrap();
    let op = BatchSetEntries::new(
        room.clone(),
        UserId::parse("host").unwrap(),
        [(key("score"), value("42")), (key("stage"), value("quiz"))],
    );
    rc_call(&client, &op).await.unwrap();
    let entries = rc_call(&client, &QueryEntries::new(room.clone()))
        .await
        .unwrap();
    let seen: Vec<(&str, &str, &str, bool, u64)> = entries
        .iter()
        .map(|e| {
            (
                e.key.as_str(),
                e.value.as_str(),
                e.user_id.as_str(),
                e.auto_delete,
                e.last_set_time_ms,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("score", "42", "host", false, T0_MS),
            ("seat", "a", "alice", true, T0_MS),
            ("stage", "quiz", "host", false, T0_MS),
        ]
    );
    let op = RemoveEntry::new(room.clone(), alice.clone(), key("seat"))
        .notify(Notification::kv_change());
    rc_call(&client, &op).await.unwrap();
    let op = BatchRemoveEntries::new(room.clone(), alice.clone(), [key("score")]);
    rc_call(&client, &op).await.unwrap();
    let left = rc_call(
        &client,
        &QueryEntries::new(room.clone()).with_keys([key("stage"), key("score")]),
    )
    .await
    .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].key.as_str(), "stage");
    // A refusal parses as the vendor's error.
    let op = RemoveEntry::new(room.clone(), alice.clone(), key("seat"));
    match rc_call(&client, &op).await {
        Err(ResponseError::Api(err)) => assert_eq!(err.code.code(), 1015),
        other => panic!("{other:?}"),
    }

    let msg = MsgUid::parse("BRGM-DEN2-01E4-BN66").unwrap();
    let op = SetExpansion::new(
        msg.clone(),
        alice.clone(),
        ConversationType::Group,
        TargetId::parse("group1").unwrap(),
        [
            (
                ExpansionKey::parse("likes").unwrap(),
                ExpansionValue::parse("3").unwrap(),
            ),
            (
                ExpansionKey::parse("b").unwrap(),
                ExpansionValue::parse("x").unwrap(),
            ),
        ],
    )
    .sync_sender(true);
    rc_call(&client, &op).await.unwrap();
    let op = DeleteExpansion::new(
        msg.clone(),
        alice.clone(),
        ConversationType::Group,
        TargetId::parse("group1").unwrap(),
        [ExpansionKey::parse("b").unwrap()],
    );
    rc_call(&client, &op).await.unwrap();
    let page = rc_call(&client, &QueryExpansion::new(msg.clone()).page(1))
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
    let likes = page.get("likes").unwrap();
    assert_eq!((likes.value.as_str(), likes.version), ("3", T0_MS as i64));

    // Both notifications were recorded.
    let page = emulator.state().events_since(0);
    let notifications = page
        .events
        .iter()
        .filter(|e| serde_json::to_value(e).unwrap()["type"] == "rongcloud.notification")
        .count();
    assert_eq!(notifications, 2);
}

#[tokio::test]
async fn every_tencent_operation_round_trips_through_core() {
    let (emulator, _) = emulator_with(unlimited());
    let client = emulator.http_client();
    let room = RoomId::parse("live-room").unwrap();

    let op = CreateRoom::new(room.clone())
        .room_name("Friday quiz")
        .max_seat_count(8)
        .category([1, 2]);
    tc_call(&client, &op).await.unwrap();
    let info = tc_call(&client, &GetRoomInfo::new(room.clone()))
        .await
        .unwrap();
    assert_eq!(info.room_name.as_deref(), Some("Friday quiz"));
    assert_eq!(info.owner_account.as_ref().map(|o| o.as_str()), Some(ADMIN));
    assert_eq!(info.max_seat_count, Some(8));
    assert_eq!(info.category, Some(vec![1, 2]));
    assert_eq!(info.create_time, Some(T0.as_secs()));

    let meta = |k: &str, v: &str| {
        (
            MetadataKey::parse(k).unwrap(),
            MetadataValue::parse(v).unwrap(),
        )
    };
    let op = SetRoomMetadata::new(room.clone(), [meta("stage", "quiz"), meta("score", "42")]);
    tc_call(&client, &op).await.unwrap();
    let all = tc_call(&client, &GetRoomMetadata::all(room.clone()))
        .await
        .unwrap();
    let all: Vec<(&str, &str)> = all
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(all, [("stage", "quiz"), ("score", "42")]);
    let op = DelRoomMetadata::new(room.clone(), [MetadataKey::parse("stage").unwrap()]);
    tc_call(&client, &op).await.unwrap();
    let op = GetRoomMetadata::new(
        room.clone(),
        [
            MetadataKey::parse("stage").unwrap(),
            MetadataKey::parse("score").unwrap(),
        ],
    );
    assert_eq!(tc_call(&client, &op).await.unwrap().len(), 1);
    tc_call(&client, &DestroyRoom::new(room.clone()))
        .await
        .unwrap();
    match tc_call(&client, &GetRoomInfo::new(room.clone())).await {
        Err(ResponseError::Api(err)) => {
            assert_eq!(err.code.code(), 100004);
            assert!(err.request_id.as_deref().unwrap().starts_with("Id-"));
        }
        other => panic!("{other:?}"),
    }
}
