//! The RongCloud operation adapter, driven by core's real operations: validation → quota →
//! state → reply, with the vendor's codes at each step.

use std::time::Duration;

use http::Response;
use roomkv_core::rongcloud::server as rc_server;
use roomkv_core::rongcloud::{
    ChatroomId, Dialect, EntryKey, EntryValue, QueryEntries, SetEntry, UserId,
};
use roomkv_transport::test_util::ManualClock;

use super::RongCloudRequest;
use crate::{Emulator, EmulatorConfig};

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

fn set_entry(key: &str, value: &str) -> SetEntry {
    SetEntry::new(
        ChatroomId::non_validated("r"),
        UserId::non_validated("u"),
        EntryKey::non_validated(key),
        EntryValue::non_validated(value),
    )
}

fn serve_set(emulator: &Emulator, op: SetEntry) -> Response<Vec<u8>> {
    let ctx = RongCloudRequest {
        app: &emulator.inner.rongcloud_apps[APP],
        request_id: Some("rid-1"),
        now_ms: emulator.now_ms(),
    };
    let result = emulator.serve_rongcloud(&ctx, Dialect::Legacy, &rc_server::Request::SetEntry(op));
    match result {
        Ok(response) => response,
        Err(error) => rc_server::error_reply(&error),
    }
}

fn status_and_code(reply: &Response<Vec<u8>>) -> (u16, Option<i64>) {
    (reply.status().as_u16(), body_json(reply)["code"].as_i64())
}

#[test]
fn rongcloud_adapter_validates_charges_applies_and_replies() {
    let (emulator, clock) = emulator();
    let reply = serve_set(&emulator, set_entry("k0", "v"));
    assert_eq!(
        (reply.status().as_u16(), reply.body().as_slice()),
        (200, &br#"{"code":200}"#[..])
    );
    assert_eq!(reply.headers()["x-request-id"], "rid-1");
    let views = emulator
        .state()
        .entry_query(APP, &QueryEntries::new(ChatroomId::non_validated("r")))
        .unwrap();
    assert_eq!(views[0].last_set_time_ms, 1_700_000_000_000);

    // Core's validation, mapped to the vendor's codes; a refused request costs no quota.
    let reply = serve_set(&emulator, set_entry(&"k".repeat(129), "v"));
    assert_eq!(status_and_code(&reply), (200, Some(1005)));
    assert!(
        body_json(&reply)["errorMessage"]
            .as_str()
            .unwrap()
            .contains("129")
    );
    assert_eq!(
        status_and_code(&serve_set(&emulator, set_entry("a b", "v"))),
        (200, Some(1002))
    );
    assert_eq!(
        status_and_code(&serve_set(&emulator, set_entry("k", &"v".repeat(4097)))),
        (200, Some(1005))
    );

    // 99 more fit in this second; the next is throttled before reaching the state.
    for _ in 0..99 {
        assert_eq!(
            body_json(&serve_set(&emulator, set_entry("k0", "v")))["code"],
            200
        );
    }
    let reply = serve_set(&emulator, set_entry("k0", "v"));
    assert_eq!(status_and_code(&reply), (429, Some(1008)));
    assert_eq!(
        emulator
            .state()
            .chatroom_version(APP, &ChatroomId::non_validated("r")),
        100
    );

    // Quota before the service switch: a disabled service answers 1009 only within quota.
    emulator.state().set_kv_enabled(APP, false);
    assert_eq!(
        body_json(&serve_set(&emulator, set_entry("k0", "v")))["code"],
        1008
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        body_json(&serve_set(&emulator, set_entry("k0", "v")))["code"],
        1009
    );
}
