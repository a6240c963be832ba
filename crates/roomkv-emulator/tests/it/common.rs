//! Builders shared by the tests.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use roomkv_core::rongcloud::{
    ChatroomId, ConversationType, EntryKey, EntryValue, ExpansionKey, ExpansionValue, MsgUid,
    TargetId, UserId,
};
use roomkv_core::tencent::{MetadataKey, MetadataValue, RoomId};
use roomkv_emulator::state::{
    EntryBatchRemove, EntryBatchSet, EntryQuery, EntryRemove, EntrySet, ExpansionDelete,
    ExpansionSet, MetadataDelete, MetadataGet, MetadataSet, RoomCreate,
};
use roomkv_emulator::{Emulator, EmulatorConfig};
use roomkv_transport::test_util::ManualClock;

pub(crate) const APP: &str = "demo-app-key";
pub(crate) const SDKAPPID: u64 = 1_400_000_000;
pub(crate) const ADMIN: &str = "administrator";
/// 2023-11-14T22:13:20Z.
pub(crate) const T0: Duration = Duration::from_secs(1_700_000_000);
pub(crate) const T0_MS: u64 = 1_700_000_000_000;

pub(crate) fn emulator_with(config: EmulatorConfig) -> (Emulator, ManualClock) {
    let clock = ManualClock::new(std::time::UNIX_EPOCH + T0);
    let emulator = Emulator::builder(config).clock(clock.clone()).build();
    (emulator, clock)
}

pub(crate) fn entry_set(
    room: &str,
    user: &str,
    key: &str,
    value: &str,
    auto_delete: bool,
) -> EntrySet {
    EntrySet {
        chatroom_id: ChatroomId::non_validated(room),
        user_id: UserId::non_validated(user),
        key: EntryKey::non_validated(key),
        value: EntryValue::non_validated(value),
        auto_delete,
        notification: None,
    }
}

pub(crate) fn batch_set(
    room: &str,
    owner: &str,
    pairs: &[(&str, &str)],
    auto_delete: bool,
) -> EntryBatchSet {
    EntryBatchSet {
        chatroom_id: ChatroomId::non_validated(room),
        owner: UserId::non_validated(owner),
        entries: pairs
            .iter()
            .map(|(k, v)| (EntryKey::non_validated(*k), EntryValue::non_validated(*v)))
            .collect(),
        auto_delete,
    }
}

pub(crate) fn entry_remove(room: &str, user: &str, key: &str) -> EntryRemove {
    EntryRemove {
        chatroom_id: ChatroomId::non_validated(room),
        user_id: UserId::non_validated(user),
        key: EntryKey::non_validated(key),
        notification: None,
    }
}

pub(crate) fn batch_remove(room: &str, owner: &str, keys: &[&str]) -> EntryBatchRemove {
    EntryBatchRemove {
        chatroom_id: ChatroomId::non_validated(room),
        owner: UserId::non_validated(owner),
        keys: keys.iter().map(|k| EntryKey::non_validated(*k)).collect(),
    }
}

pub(crate) fn query(room: &str, keys: &[&str]) -> EntryQuery {
    EntryQuery {
        chatroom_id: ChatroomId::non_validated(room),
        keys: keys.iter().map(|k| EntryKey::non_validated(*k)).collect(),
    }
}

pub(crate) fn expansion_set(
    msg: &str,
    user: &str,
    group: bool,
    target: &str,
    pairs: &[(&str, &str)],
) -> ExpansionSet {
    ExpansionSet {
        msg_uid: MsgUid::non_validated(msg),
        user_id: UserId::non_validated(user),
        conversation: if group {
            ConversationType::Group
        } else {
            ConversationType::Private
        },
        target_id: TargetId::non_validated(target),
        entries: pairs
            .iter()
            .map(|(k, v)| {
                (
                    ExpansionKey::non_validated(*k),
                    ExpansionValue::non_validated(*v),
                )
            })
            .collect(),
        is_sync_sender: false,
    }
}

pub(crate) fn expansion_delete(
    msg: &str,
    user: &str,
    group: bool,
    target: &str,
    keys: &[&str],
) -> ExpansionDelete {
    ExpansionDelete {
        msg_uid: MsgUid::non_validated(msg),
        user_id: UserId::non_validated(user),
        conversation: if group {
            ConversationType::Group
        } else {
            ConversationType::Private
        },
        target_id: TargetId::non_validated(target),
        keys: keys
            .iter()
            .map(|k| ExpansionKey::non_validated(*k))
            .collect(),
        is_sync_sender: false,
    }
}

pub(crate) fn room_create(room: &str) -> RoomCreate {
    RoomCreate {
        room_id: RoomId::non_validated(room),
        room_type: Some("Live".into()),
        room_name: None,
        owner_account: None,
        other: serde_json::Map::new(),
    }
}

pub(crate) fn metadata_set(room: &str, items: &[(&str, &str)]) -> MetadataSet {
    MetadataSet {
        room_id: RoomId::non_validated(room),
        items: items
            .iter()
            .map(|(k, v)| {
                (
                    MetadataKey::non_validated(*k),
                    MetadataValue::non_validated(*v),
                )
            })
            .collect(),
    }
}

pub(crate) fn metadata_get(room: &str, keys: &[&str]) -> MetadataGet {
    MetadataGet {
        room_id: RoomId::non_validated(room),
        keys: keys
            .iter()
            .map(|k| MetadataKey::non_validated(*k))
            .collect(),
    }
}

pub(crate) fn metadata_delete(room: &str, keys: &[&str]) -> MetadataDelete {
    MetadataDelete {
        room_id: RoomId::non_validated(room),
        keys: keys
            .iter()
            .map(|k| MetadataKey::non_validated(*k))
            .collect(),
    }
}

/// A RongCloud request with the signature headers present (their content is not verified by the
/// default authenticator).
pub(crate) fn rc_request(path: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    Request::post(path)
        .header("App-Key", APP)
        .header("Nonce", "14314")
        .header("Timestamp", "1700000000")
        .header("Signature", "30be0bbca9c9b2e27578701e9fda2358a814c88f")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.into())
        .unwrap()
}

/// A Tencent request as the admin with a UserSig present.
pub(crate) fn tc_request(command: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    let uri = format!(
        "/v4/live_engine_http_srv/{command}?sdkappid={SDKAPPID}&identifier={ADMIN}&usersig=eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamKlkZmqOKplYUZBaBxE1NTY3gosWZ6UpWSj5ljuYp%2Ap7l5unBxXnF2WVhVU4uAf7Ozi5JpX7O5SbuHuUhzgZJmQXaTia2SrUAohcx8g__&random=99999999&contenttype=json"
    );
    Request::post(uri)
        .header("Content-Type", "application/json")
        .body(body.into())
        .unwrap()
}

pub(crate) fn json<B: AsRef<[u8]>>(response: &Response<B>) -> serde_json::Value {
    serde_json::from_slice(response.body().as_ref()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(response.body().as_ref())
        )
    })
}

/// The vendor code of a reply (`code` or `ErrorCode`).
pub(crate) fn code<B: AsRef<[u8]>>(response: &Response<B>) -> i64 {
    let value = json(response);
    value
        .get("code")
        .or_else(|| value.get("ErrorCode"))
        .and_then(serde_json::Value::as_i64)
        .unwrap_or_else(|| panic!("no code in {value}"))
}
