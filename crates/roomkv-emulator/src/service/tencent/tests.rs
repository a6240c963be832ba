//! The Tencent command adapter, driven by core's real operations: validation → state → reply,
//! with Tencent's codes at each step.

use http::Response;
use roomkv_core::tencent::server::{self as tc_server, Request};
use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, GetRoomInfo, MetadataKey, MetadataValue, RoomId, SetRoomMetadata,
};
use roomkv_transport::test_util::ManualClock;

use crate::{Emulator, EmulatorConfig};

const SDKAPPID: u64 = 1_400_000_000;
const ADMIN: &str = "administrator";
const REQUEST_ID: &str = "Id-0-O-Seq-1";

fn emulator() -> Emulator {
    Emulator::builder(EmulatorConfig::default())
        .clock(ManualClock::from_unix_secs(1_700_000_000))
        .build()
}

/// The reply's JSON, success or error.
fn serve(emulator: &Emulator, command: Request) -> serde_json::Value {
    let reply: Response<Vec<u8>> = emulator
        .serve_tencent_command(SDKAPPID, ADMIN, &command, REQUEST_ID)
        .unwrap_or_else(|error| tc_server::error_reply(&error, REQUEST_ID));
    serde_json::from_slice(reply.body()).unwrap()
}

fn room(id: &str) -> RoomId {
    RoomId::non_validated(id)
}

fn set(key: &str, value: &str) -> Request {
    Request::SetRoomMetadata(SetRoomMetadata::new(
        room("live"),
        [(
            MetadataKey::non_validated(key),
            MetadataValue::non_validated(value),
        )],
    ))
}

#[test]
fn tencent_adapter_validates_applies_and_replies_with_the_request_id() {
    let emulator = emulator();
    let created = serve(
        &emulator,
        Request::CreateRoom(CreateRoom::new(room("live"))),
    );
    assert_eq!(created["ErrorCode"], 0);
    let info = |id: &str| serve(&emulator, Request::GetRoomInfo(GetRoomInfo::new(room(id))));
    let ok = info("live");
    assert_eq!(ok["ActionStatus"], "OK");
    assert_eq!(ok["RequestId"], REQUEST_ID);
    assert_eq!(
        ok["Response"]["RoomInfo"],
        serde_json::json!({"RoomId": "live", "RoomType": "Live", "RoomName": "live",
            "Owner_Account": ADMIN, "CreateTime": 1_700_000_000})
    );
    assert_eq!(info("gone")["ErrorCode"], 100004);
    assert_eq!(info(&"r".repeat(49))["ErrorCode"], 100002);

    let code = |command| serve(&emulator, command)["ErrorCode"].clone();
    assert_eq!(code(set("k", "v")), 0);
    assert_eq!(code(set(&"k".repeat(51), "v")), 100504);
    assert_eq!(code(set("k", &"v".repeat(2049))), 100501);
    assert_eq!(code(set("", "v")), 100002);
    // Bytes, not characters: 1025 two-byte characters are 2050 bytes.
    assert_eq!(code(set("k", &"é".repeat(1025))), 100501);
    let no_entries = SetRoomMetadata::new(room("live"), []);
    assert_eq!(code(Request::SetRoomMetadata(no_entries)), 100002);
    let no_keys = DelRoomMetadata::new(room("live"), []);
    assert_eq!(code(Request::DelRoomMetadata(no_keys)), 100002);
    let long_name = CreateRoom::new(room("named")).room_name("n".repeat(101));
    assert_eq!(code(Request::CreateRoom(long_name)), 100002);
    let four_categories = CreateRoom::new(room("four")).category([1, 2, 3, 4]);
    assert_eq!(code(Request::CreateRoom(four_categories)), 100002);
    // Nothing refused reached the state.
    assert_eq!(code(set("k", "w")), 0);
    let keys = emulator
        .state()
        .metadata_get(
            SDKAPPID,
            &roomkv_core::tencent::GetRoomMetadata::all(room("live")),
        )
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        info("named")["ErrorCode"],
        100004,
        "a refused create creates nothing"
    );
}
