//! The operation adapters, driven by stand-in operations until core's codecs land: decode →
//! quota → state → reply, with the vendors' codes at each step.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use roomkv_core::rongcloud::server as rc_server;
use roomkv_core::rongcloud::{ChatroomId, EntryKey, EntryValue, UserId};
use roomkv_core::tencent::RoomId;
use roomkv_core::tencent::server as tc_server;
use roomkv_core::{
    DecodeError, Effect, EncodeError, Limits, Operation, QuotaCost, QuotaFamily, ResponseError,
    ServerOperation, ValidationError,
};

use super::{RongCloudRequest, TencentRequest};
use crate::state::{EntrySet, RoomCreate, RoomInfo};
use crate::{Emulator, EmulatorConfig};
use roomkv_transport::test_util::ManualClock;

/// Stands in for core's `SetEntry`: a form body with `chatroomId`, `userId`, `key`, `value`.
struct FakeSet(EntrySet);

impl Operation for FakeSet {
    type Endpoint = roomkv_core::rongcloud::Endpoint;
    type Output = ();

    fn validate(&self, _: &Limits) -> Result<(), ValidationError> {
        Ok(())
    }

    fn encode(&self, _: &Self::Endpoint) -> Result<Request<Vec<u8>>, EncodeError> {
        Ok(Request::new(Vec::new()))
    }

    fn parse(&self, _: Response<&[u8]>) -> Result<(), ResponseError> {
        Ok(())
    }

    fn effect(&self) -> Effect {
        Effect::Write { notifies: false }
    }

    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntrySet, 1)
    }
}

impl ServerOperation for FakeSet {
    fn decode(request: &Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields: Vec<(String, String)> = form_urlencoded::parse(request.body())
            .into_owned()
            .collect();
        let get = |name: &'static str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| DecodeError::field(name, format!("{name} is required")))
        };
        Ok(Self(EntrySet {
            chatroom_id: ChatroomId::non_validated(get("chatroomId")?),
            user_id: UserId::non_validated(get("userId")?),
            key: EntryKey::non_validated(get("key")?),
            value: EntryValue::non_validated(get("value")?),
            auto_delete: false,
            notification: None,
        }))
    }

    fn encode_reply(_: &(), request_id: Option<&str>) -> Response<Vec<u8>> {
        rc_server::success_reply(&serde_json::json!({}), request_id)
    }
}

/// Stands in for core's `GetRoomInfo`: `{"RoomId": "..."}`.
struct FakeRoomInfo(RoomId);

impl Operation for FakeRoomInfo {
    type Endpoint = roomkv_core::tencent::Endpoint;
    type Output = RoomInfo;

    fn validate(&self, _: &Limits) -> Result<(), ValidationError> {
        Ok(())
    }

    fn encode(&self, _: &Self::Endpoint) -> Result<Request<Vec<u8>>, EncodeError> {
        Ok(Request::new(Vec::new()))
    }

    fn parse(&self, _: Response<&[u8]>) -> Result<RoomInfo, ResponseError> {
        Err(ResponseError::UnexpectedStatus { status: 0 })
    }

    fn effect(&self) -> Effect {
        Effect::Read
    }

    fn quota(&self) -> QuotaCost {
        QuotaCost::one(
            QuotaFamily::Tencent(roomkv_core::tencent::Command::GetRoomInfo),
            1,
        )
    }
}

impl ServerOperation for FakeRoomInfo {
    fn decode(request: &Request<&[u8]>) -> Result<Self, DecodeError> {
        let value: serde_json::Value =
            serde_json::from_slice(request.body()).map_err(|e| DecodeError::json("the body", e))?;
        let id = value["RoomId"]
            .as_str()
            .ok_or_else(|| DecodeError::field("RoomId", "RoomId is required"))?;
        Ok(Self(RoomId::non_validated(id)))
    }

    fn encode_reply(info: &RoomInfo, request_id: Option<&str>) -> Response<Vec<u8>> {
        tc_server::success_reply(
            Some(&serde_json::json!({ "RoomInfo": info })),
            request_id.unwrap_or(""),
        )
    }
}

const APP: &str = "demo-app-key";

fn emulator() -> (Emulator, ManualClock) {
    let clock = ManualClock::from_unix_secs(1_700_000_000);
    let emulator = Emulator::builder(EmulatorConfig::default())
        .clock(clock.clone())
        .build();
    (emulator, clock)
}

fn body_json(response: &Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn set_request(body: &'static str) -> Request<Bytes> {
    Request::post("/chatroom/entry/set.json")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

fn serve_set(emulator: &Emulator, request: &Request<Bytes>) -> Response<Vec<u8>> {
    let ctx = RongCloudRequest {
        app: &emulator.inner.rongcloud_apps[APP],
        request,
        request_id: Some("rid-1"),
        now_ms: emulator.now_ms(),
    };
    let result = emulator.serve_rongcloud::<FakeSet, _>(&ctx, |state, app, op, now| {
        state.entry_set(app, &op.0, now)
    });
    match result {
        Ok(response) => response,
        Err(error) => rc_server::error_reply(&error),
    }
}

#[test]
fn rongcloud_adapter_decodes_charges_applies_and_replies() {
    let (emulator, clock) = emulator();
    let ok = set_request("chatroomId=r&userId=u&key=k0&value=v");
    let reply = serve_set(&emulator, &ok);
    assert_eq!(
        (reply.status().as_u16(), body_json(&reply)),
        (200, serde_json::json!({"code": 200}))
    );
    assert_eq!(reply.headers()["x-request-id"], "rid-1");
    let views = emulator
        .state()
        .entry_query(
            APP,
            &crate::state::EntryQuery {
                chatroom_id: ChatroomId::non_validated("r"),
                keys: Vec::new(),
            },
        )
        .unwrap();
    assert_eq!(views[0].last_set_time, 1_700_000_000_000);

    // A decode failure is the vendor's parameter error, and costs no quota.
    let reply = serve_set(&emulator, &set_request("chatroomId=r&userId=u"));
    assert_eq!(
        (reply.status().as_u16(), body_json(&reply)["code"].as_i64()),
        (200, Some(1002))
    );

    // 99 more fit in this second; the next is throttled before reaching the state.
    for _ in 0..99 {
        assert_eq!(body_json(&serve_set(&emulator, &ok))["code"], 200);
    }
    let reply = serve_set(&emulator, &ok);
    assert_eq!(
        (reply.status().as_u16(), body_json(&reply)["code"].as_i64()),
        (429, Some(1008))
    );
    assert_eq!(
        emulator
            .state()
            .chatroom_version(APP, &ChatroomId::non_validated("r")),
        100
    );

    // Quota before the service switch: a disabled service answers 1009 only within quota.
    emulator.state().set_kv_enabled(APP, false);
    assert_eq!(body_json(&serve_set(&emulator, &ok))["code"], 1008);
    clock.advance(Duration::from_secs(1));
    assert_eq!(body_json(&serve_set(&emulator, &ok))["code"], 1009);
}

#[test]
fn tencent_adapter_decodes_applies_and_replies_with_the_request_id() {
    let (emulator, _) = emulator();
    let create = RoomCreate {
        room_id: RoomId::non_validated("live"),
        room_type: None,
        room_name: None,
        owner_account: None,
        other: serde_json::Map::new(),
    };
    emulator
        .state()
        .room_create(1_400_000_000, "administrator", &create, emulator.now_ms())
        .unwrap();
    let serve = |body: &'static str| {
        let request = Request::post("/v4/live_engine_http_srv/get_room_info")
            .body(Bytes::from_static(body.as_bytes()))
            .unwrap();
        let ctx = TencentRequest {
            app: &emulator.inner.tencent_apps[&1_400_000_000],
            identifier: "administrator",
            request: &request,
            request_id: "Id-0-O-Seq-1",
            now_ms: emulator.now_ms(),
        };
        let result = emulator.serve_tencent::<FakeRoomInfo, _>(&ctx, |state, app, _, op, _| {
            state.room_info(app, &op.0)
        });
        let reply = match result {
            Ok(reply) => reply,
            Err(error) => tc_server::error_reply(&error, "Id-0-O-Seq-1"),
        };
        body_json(&reply)
    };
    let ok = serve(r#"{"RoomId":"live"}"#);
    assert_eq!(ok["ActionStatus"], "OK");
    assert_eq!(ok["RequestId"], "Id-0-O-Seq-1");
    assert_eq!(ok["Response"]["RoomInfo"]["RoomName"], "live");
    assert_eq!(ok["Response"]["RoomInfo"]["Owner_Account"], "administrator");
    assert_eq!(ok["Response"]["RoomInfo"]["CreateTime"], 1_700_000_000);
    assert_eq!(serve(r#"{"RoomId":"gone"}"#)["ErrorCode"], 100004);
    assert_eq!(serve(r#"{"Room":"live"}"#)["ErrorCode"], 100002);
}
