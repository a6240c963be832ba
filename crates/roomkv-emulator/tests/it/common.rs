//! Builders shared by the tests.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, ConversationType, DeleteExpansion, EntryKey,
    EntryValue, ExpansionKey, ExpansionValue, MsgUid, QueryEntries, RemoveEntry, SetEntry,
    SetExpansion, TargetId, UserId,
};
use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, GetRoomMetadata, MetadataKey, MetadataValue, RoomId,
    SetRoomMetadata,
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
) -> SetEntry {
    SetEntry::new(
        ChatroomId::non_validated(room),
        UserId::non_validated(user),
        EntryKey::non_validated(key),
        EntryValue::non_validated(value),
    )
    .auto_delete(auto_delete)
}

pub(crate) fn batch_set(
    room: &str,
    owner: &str,
    pairs: &[(&str, &str)],
    auto_delete: bool,
) -> BatchSetEntries {
    BatchSetEntries::new(
        ChatroomId::non_validated(room),
        UserId::non_validated(owner),
        pairs
            .iter()
            .map(|(k, v)| (EntryKey::non_validated(*k), EntryValue::non_validated(*v))),
    )
    .auto_delete(auto_delete)
}

pub(crate) fn entry_remove(room: &str, user: &str, key: &str) -> RemoveEntry {
    RemoveEntry::new(
        ChatroomId::non_validated(room),
        UserId::non_validated(user),
        EntryKey::non_validated(key),
    )
}

pub(crate) fn batch_remove(room: &str, owner: &str, keys: &[&str]) -> BatchRemoveEntries {
    BatchRemoveEntries::new(
        ChatroomId::non_validated(room),
        UserId::non_validated(owner),
        keys.iter().map(|k| EntryKey::non_validated(*k)),
    )
}

pub(crate) fn query(room: &str, keys: &[&str]) -> QueryEntries {
    QueryEntries::new(ChatroomId::non_validated(room))
        .with_keys(keys.iter().map(|k| EntryKey::non_validated(*k)))
}

fn conversation(group: bool) -> ConversationType {
    if group {
        ConversationType::Group
    } else {
        ConversationType::Private
    }
}

pub(crate) fn expansion_set(
    msg: &str,
    user: &str,
    group: bool,
    target: &str,
    pairs: &[(&str, &str)],
) -> SetExpansion {
    SetExpansion::new(
        MsgUid::non_validated(msg),
        UserId::non_validated(user),
        conversation(group),
        TargetId::non_validated(target),
        pairs.iter().map(|(k, v)| {
            (
                ExpansionKey::non_validated(*k),
                ExpansionValue::non_validated(*v),
            )
        }),
    )
}

pub(crate) fn expansion_delete(
    msg: &str,
    user: &str,
    group: bool,
    target: &str,
    keys: &[&str],
) -> DeleteExpansion {
    DeleteExpansion::new(
        MsgUid::non_validated(msg),
        UserId::non_validated(user),
        conversation(group),
        TargetId::non_validated(target),
        keys.iter().map(|k| ExpansionKey::non_validated(*k)),
    )
}

pub(crate) fn room_create(room: &str) -> CreateRoom {
    CreateRoom::new(RoomId::non_validated(room))
}

fn metadata_keys(keys: &[&str]) -> Vec<MetadataKey> {
    keys.iter()
        .map(|k| MetadataKey::non_validated(*k))
        .collect()
}

pub(crate) fn metadata_set(room: &str, items: &[(&str, &str)]) -> SetRoomMetadata {
    SetRoomMetadata::new(
        RoomId::non_validated(room),
        items.iter().map(|(k, v)| {
            (
                MetadataKey::non_validated(*k),
                MetadataValue::non_validated(*v),
            )
        }),
    )
}

pub(crate) fn metadata_get(room: &str, keys: &[&str]) -> GetRoomMetadata {
    GetRoomMetadata::new(RoomId::non_validated(room), metadata_keys(keys))
}

pub(crate) fn metadata_delete(room: &str, keys: &[&str]) -> DelRoomMetadata {
    DelRoomMetadata::new(RoomId::non_validated(room), metadata_keys(keys))
}

/// The default app's secrets (`EmulatorConfig::default()`).
pub(crate) const APP_SECRET: &str = "demo-app-secret";
pub(crate) const SECRET_KEY: &str = "demo-secret-key";

/// `Signature` for `nonce` and `timestamp` under the default app secret (lowercase hex).
pub(crate) fn rc_signature(nonce: &str, timestamp: &str) -> String {
    roomkv_sign::rongcloud::signature(
        &roomkv_sign::rongcloud::AppSecret::new(APP_SECRET),
        nonce,
        timestamp,
    )
}

/// A RongCloud request of the default app, signed with nonce `14314` at T0 (seconds).
pub(crate) fn rc_request(path: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    rc_request_signed(path, "14314", "1700000000", body)
}

/// A RongCloud request of the default app signed with `nonce` and `timestamp`.
pub(crate) fn rc_request_signed(
    path: &str,
    nonce: &str,
    timestamp: &str,
    body: impl Into<Bytes>,
) -> Request<Bytes> {
    Request::post(path)
        .header("App-Key", APP)
        .header("Nonce", nonce)
        .header("Timestamp", timestamp)
        .header("Signature", rc_signature(nonce, timestamp))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.into())
        .unwrap()
}

/// A UserSig of `identifier` for the default Tencent app, issued at T0 and valid for 30 years
/// (so the system clock of the over-the-wire tests accepts it too).
pub(crate) fn usersig(identifier: &str) -> String {
    usersig_with(
        SDKAPPID,
        identifier,
        SECRET_KEY,
        30 * 365 * 86_400,
        T0.as_secs(),
    )
}

pub(crate) fn usersig_with(
    sdkappid: u64,
    identifier: &str,
    key: &str,
    expire: u64,
    time: u64,
) -> String {
    let key = roomkv_sign::tencent::SecretKey::new(key.as_bytes());
    roomkv_sign::tencent::generate(sdkappid, identifier, &key, expire, time)
        .expose_secret()
        .to_owned()
}

/// The URI of a Tencent command as the admin of the default app, with a valid UserSig.
pub(crate) fn tc_uri(command: &str) -> String {
    format!(
        "/v4/live_engine_http_srv/{command}?sdkappid={SDKAPPID}&identifier={ADMIN}&usersig={}&random=99999999&contenttype=json",
        usersig(ADMIN)
    )
}

/// A Tencent request as the admin with a valid UserSig.
pub(crate) fn tc_request(command: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    Request::post(tc_uri(command))
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
