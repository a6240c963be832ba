//! Tencent Live rooms and room metadata: the per-room state machine and the [`State`] methods
//! that serve core's operations (`docs/vendors/tencent.md#commands`, `#metadata-limits`).
//!
//! Every method takes the core operation as the service decoded and *validated* it (core's
//! `Operation::validate` under the emulator's limits, once, at the service boundary) and
//! returns the operation's `Output`. What only the state can know is checked here: whether the
//! room exists, the key count and the total size of a room after a merge, which keys exist.

use roomkv_core::tencent::room::ROOM_TYPE_LIVE;
use roomkv_core::tencent::server::Handler;
use roomkv_core::tencent::{
    CreateRoom, DelRoomMetadata, DestroyRoom, GetRoomInfo, GetRoomList, GetRoomMetadata,
    Identifier, MetadataEntry, MetadataKey, MetadataValue, RoomId, RoomInfo, SetRoomMetadata,
    UpdateRoomInfo,
};
use roomkv_core::{ApiError, Limits, Operation, TencentCode};

use super::{State, TENCENT_ROOM};
use crate::events::{EventKind, MetadataItem, TencentCallback};

mod list;

fn error(code: TencentCode, message: impl Into<String>) -> ApiError {
    ApiError::tencent(code, message)
}

fn room_missing(room_id: &RoomId) -> ApiError {
    error(
        TencentCode::RoomNotFound,
        format!("room {} does not exist or was destroyed", room_id.as_str()),
    )
}

/// One Tencent request's call on the [`State`]: core's generated [`Handler`], one method per
/// command, each calling the `State` method that serves that operation as the request's app
/// (`sdkappid`), as its admin account (`operator`) and at its time. Made by
/// [`State::tencent_call`]; `tencent::server::Request::dispatch` runs it.
pub struct TencentCall<'a> {
    state: &'a State,
    sdkappid: u64,
    operator: &'a str,
    now_ms: u64,
}

type Served<O> = Result<<O as Operation>::Output, ApiError>;

impl Handler for TencentCall<'_> {
    type Error = ApiError;

    fn create_room(&self, op: &CreateRoom) -> Served<CreateRoom> {
        self.state
            .room_create(self.sdkappid, self.operator, op, self.now_ms)
    }

    fn destroy_room(&self, op: &DestroyRoom) -> Served<DestroyRoom> {
        self.state.room_destroy(self.sdkappid, op)
    }

    fn get_room_info(&self, op: &GetRoomInfo) -> Served<GetRoomInfo> {
        self.state.room_info(self.sdkappid, op)
    }

    fn get_room_metadata(&self, op: &GetRoomMetadata) -> Served<GetRoomMetadata> {
        self.state.metadata_get(self.sdkappid, op)
    }

    fn set_room_metadata(&self, op: &SetRoomMetadata) -> Served<SetRoomMetadata> {
        self.state
            .metadata_set(self.sdkappid, self.operator, op, self.now_ms)
    }

    fn del_room_metadata(&self, op: &DelRoomMetadata) -> Served<DelRoomMetadata> {
        self.state
            .metadata_delete(self.sdkappid, self.operator, op, self.now_ms)
    }

    fn update_room_info(&self, op: &UpdateRoomInfo) -> Served<UpdateRoomInfo> {
        self.state
            .room_update(self.sdkappid, self.operator, op, self.now_ms)
    }

    fn get_room_list(&self, op: &GetRoomList) -> Served<GetRoomList> {
        self.state.room_list(self.sdkappid, op)
    }
}

impl State {
    /// The [`Handler`] that serves a request of app `sdkappid` sent as its admin account
    /// `operator` at `now_ms`, for `tencent::server::Request::dispatch`.
    pub fn tencent_call<'a>(
        &'a self,
        sdkappid: u64,
        operator: &'a str,
        now_ms: u64,
    ) -> TencentCall<'a> {
        TencentCall {
            state: self,
            sdkappid,
            operator,
            now_ms,
        }
    }

    /// `create_room`: 100003 if the room exists. The room is stored as sent, with Tencent's
    /// defaults filled in: `RoomType` `Live`, `RoomName` the room id, `Owner_Account`
    /// `operator` (the admin identifier of the request), `CreateTime` the creation time in
    /// seconds. [`State::room_info`] returns it as stored.
    pub fn room_create(
        &self,
        sdkappid: u64,
        operator: &str,
        op: &CreateRoom,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        let room = Room::new(op, operator, now_ms);
        let id = op.room_id().as_str();
        let mut shard = self.lock_mut(&(TENCENT_ROOM, sdkappid, id));
        let key = (sdkappid, id.to_owned());
        if shard.rooms.contains_key(&key) {
            return Err(error(
                TencentCode::RoomIdExists,
                format!("room {id} already exists"),
            ));
        }
        shard.rooms.insert(key, room);
        Ok(())
    }

    /// `destroy_room`: 100004 if the room does not exist. Its metadata goes with it.
    pub fn room_destroy(&self, sdkappid: u64, op: &DestroyRoom) -> Result<(), ApiError> {
        let room_id = op.room_id();
        let mut shard = self.lock_mut(&(TENCENT_ROOM, sdkappid, room_id.as_str()));
        shard
            .rooms
            .remove(&(sdkappid, room_id.as_str().to_owned()))
            .map(drop)
            .ok_or_else(|| room_missing(room_id))
    }

    /// `get_room_info`: the room as stored; 100004 if it does not exist.
    pub fn room_info(&self, sdkappid: u64, op: &GetRoomInfo) -> Result<RoomInfo, ApiError> {
        self.read_room(sdkappid, op.room_id(), |room| room.info.clone())
    }

    /// `update_room_info`: the settings sent (unmodelled fields included) replace the room's,
    /// the others keep theirs; 100004 if the room does not exist. Records
    /// `Live.CallbackAfterUpdateRoomInfo` with the settings sent.
    pub fn room_update(
        &self,
        sdkappid: u64,
        operator: &str,
        op: &UpdateRoomInfo,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        self.change_room(sdkappid, op.room_id(), |room| {
            room.info.apply(op);
            Ok(TencentCallback::AfterUpdateRoomInfo {
                operator_account: operator.to_owned(),
                room_id: op.room_id().as_str().to_owned(),
                room_info: Box::new(op.room_info().clone()),
                event_time: now_ms,
            })
        })
    }

    /// Sets a room's `ViewCount`, which no Tencent command sets (audiences joining do): the
    /// emulator's stand-in for an audience, for `get_room_list`'s order. 100004 if the room does
    /// not exist.
    pub fn room_set_view_count(
        &self,
        sdkappid: u64,
        room_id: &RoomId,
        view_count: u64,
    ) -> Result<(), ApiError> {
        self.with_room_mut(sdkappid, room_id, |room, _| {
            room.info.view_count = Some(view_count);
            Ok(())
        })
    }

    /// `get_room_metadata`: everything when no keys are asked for, else the keys that exist,
    /// in request order, each once; 100004 if the room does not exist.
    pub fn metadata_get(
        &self,
        sdkappid: u64,
        op: &GetRoomMetadata,
    ) -> Result<Vec<MetadataEntry>, ApiError> {
        self.read_room(sdkappid, op.room_id(), |room| room.get(op.keys()))
    }

    /// `set_room_metadata`: upsert; at most 10 keys and 16 KB of values per room after the
    /// merge, else nothing is applied (100500, 100502).
    pub fn metadata_set(
        &self,
        sdkappid: u64,
        operator: &str,
        op: &SetRoomMetadata,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        self.change_room(sdkappid, op.room_id(), |room| {
            room.set(op.entries(), &self.limits)?;
            Ok(TencentCallback::AfterSetMetadata {
                operator_account: operator.to_owned(),
                room_id: op.room_id().as_str().to_owned(),
                metadata: op
                    .entries()
                    .iter()
                    .map(|entry| MetadataItem {
                        key: entry.key.as_str().to_owned(),
                        value: entry.value.as_str().to_owned(),
                    })
                    .collect(),
                event_time: now_ms,
            })
        })
    }

    /// `del_room_metadata`: deletes the keys that exist; 100503 only when none do.
    pub fn metadata_delete(
        &self,
        sdkappid: u64,
        operator: &str,
        op: &DelRoomMetadata,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        self.change_room(sdkappid, op.room_id(), |room| {
            Ok(TencentCallback::AfterDelMetadata {
                operator_account: operator.to_owned(),
                room_id: op.room_id().as_str().to_owned(),
                keys: room.delete(op.keys())?,
                event_time: now_ms,
            })
        })
    }

    /// `read` of an existing room; 100004 if it does not exist.
    fn read_room<T>(
        &self,
        sdkappid: u64,
        room_id: &RoomId,
        read: impl FnOnce(&Room) -> T,
    ) -> Result<T, ApiError> {
        let shard = self
            .shards
            .lock(&(TENCENT_ROOM, sdkappid, room_id.as_str()));
        shard
            .rooms
            .get(&(sdkappid, room_id.as_str().to_owned()))
            .map(read)
            .ok_or_else(|| room_missing(room_id))
    }

    /// Applies `change` to an existing room (100004 if it does not exist) and records the
    /// callback it returns.
    fn change_room(
        &self,
        sdkappid: u64,
        room_id: &RoomId,
        change: impl FnOnce(&mut Room) -> Result<TencentCallback, ApiError>,
    ) -> Result<(), ApiError> {
        self.with_room_mut(sdkappid, room_id, |room, events| {
            let body = change(room)?;
            events.push(EventKind::TencentCallback { sdkappid, body });
            Ok(())
        })
    }

    /// Runs `change` on an existing room (100004 if it does not exist) with its shard locked,
    /// then records the events it pushed.
    fn with_room_mut<T>(
        &self,
        sdkappid: u64,
        room_id: &RoomId,
        change: impl FnOnce(&mut Room, &mut Vec<EventKind>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut shard = self.lock_mut(&(TENCENT_ROOM, sdkappid, room_id.as_str()));
        let shard = &mut *shard;
        let room = shard
            .rooms
            .get_mut(&(sdkappid, room_id.as_str().to_owned()))
            .ok_or_else(|| room_missing(room_id))?;
        let mut events = Vec::new();
        let changed = change(room, &mut events)?;
        self.record(shard, events);
        Ok(changed)
    }
}

/// One live room and its metadata, in insertion order.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Room {
    #[serde(with = "room_info_json")]
    pub(crate) info: RoomInfo,
    pub(crate) metadata: Vec<(String, String)>,
}

impl Room {
    /// The room `op` creates, with Tencent's defaults filled in.
    fn new(op: &CreateRoom, operator: &str, now_ms: u64) -> Self {
        let mut info = op.room_info().clone();
        info.room_type
            .get_or_insert_with(|| ROOM_TYPE_LIVE.to_owned());
        if info.room_name.is_none() {
            info.room_name = Some(info.room_id.as_str().to_owned());
        }
        if info.owner_account.is_none() {
            info.owner_account = Some(Identifier::non_validated(operator));
        }
        info.create_time = Some(now_ms / 1000);
        info.view_count = None;
        Self {
            info,
            metadata: Vec::new(),
        }
    }

    /// Upserts `entries` (a repeated key keeps its last value); the key count and the total
    /// size are checked on the room after the merge.
    fn set(&mut self, entries: &[MetadataEntry], limits: &Limits) -> Result<(), ApiError> {
        let max_keys = limits.tencent.metadata_keys_max;
        let mut merged = self.metadata.clone();
        for MetadataEntry { key, value } in entries {
            match merged.iter_mut().find(|(k, _)| k == key.as_str()) {
                Some(slot) => value.as_str().clone_into(&mut slot.1),
                None => merged.push((key.as_str().to_owned(), value.as_str().to_owned())),
            }
            // Stop as soon as the count is over, so the work stays linear in the request.
            if merged.len() > max_keys {
                return Err(error(
                    TencentCode::MetadataKeyCountExceeded,
                    format!("the room would have more than {max_keys} metadata keys"),
                ));
            }
        }
        let total: usize = merged.iter().map(|(_, v)| v.len()).sum();
        let max_total = limits.tencent.metadata_total_value_max_bytes;
        if total > max_total {
            return Err(error(
                TencentCode::MetadataTotalTooLarge,
                format!(
                    "the room's metadata values would total {total} bytes, at most {max_total} allowed"
                ),
            ));
        }
        self.metadata = merged;
        Ok(())
    }

    /// The entries of `keys` that exist, each once, in request order; every entry when `keys`
    /// is empty.
    fn get(&self, keys: &[MetadataKey]) -> Vec<MetadataEntry> {
        let entry = |(k, v): &(String, String)| {
            MetadataEntry::new(
                MetadataKey::non_validated(k.as_str()),
                MetadataValue::non_validated(v.as_str()),
            )
        };
        if keys.is_empty() {
            return self.metadata.iter().map(entry).collect();
        }
        let mut entries: Vec<MetadataEntry> = Vec::new();
        for key in keys {
            if entries.iter().any(|e| e.key == *key) {
                continue;
            }
            if let Some(pair) = self.metadata.iter().find(|(k, _)| k == key.as_str()) {
                entries.push(entry(pair));
            }
        }
        entries
    }

    /// Deletes the `keys` that exist and returns them, in request order; 100503 when none do.
    fn delete(&mut self, keys: &[MetadataKey]) -> Result<Vec<String>, ApiError> {
        let mut deleted: Vec<String> = Vec::new();
        for key in keys {
            if let Some(index) = self.metadata.iter().position(|(k, _)| k == key.as_str()) {
                self.metadata.remove(index);
                deleted.push(key.as_str().to_owned());
            }
        }
        if deleted.is_empty() {
            return Err(error(
                TencentCode::MetadataKeysNotFound,
                "none of the keys to delete exist",
            ));
        }
        Ok(deleted)
    }
}

/// A `RoomInfo` in the state file: core's reply encoding, read back with core's reader.
mod room_info_json {
    use roomkv_core::tencent::RoomInfo;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(
        info: &RoomInfo,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        info.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<RoomInfo, D::Error> {
        RoomInfo::from_json(&serde_json::Value::deserialize(deserializer)?)
            .map_err(serde::de::Error::custom)
    }
}
