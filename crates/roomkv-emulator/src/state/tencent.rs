//! Tencent Live rooms and room metadata: commands, results and the per-room state machine
//! (spec `tencent.md` §2.2, §2.3).

use roomkv_core::tencent::room::ROOM_TYPE_LIVE;
use roomkv_core::tencent::{Identifier, MetadataKey, MetadataValue, RoomId};
use roomkv_core::{ApiError, Limits, TencentCode, ValidationError};

use crate::events::{EventKind, MetadataItem, TencentCallback};

/// `create_room`: the `RoomInfo` object of the request.
///
/// The room is stored as sent, with Tencent's defaults filled in: `RoomType` `Live`, `RoomName`
/// the room id, `Owner_Account` the caller (the admin identifier), `CreateTime` the creation
/// time in seconds. `get_room_info` returns it as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomCreate {
    /// The settings as sent (core's `RoomInfo`; `CreateTime` and `ViewCount` are ignored).
    pub info: RoomInfo,
}

impl RoomCreate {
    /// A Live room `room_id` with every setting left to Tencent's default.
    pub fn new(room_id: RoomId) -> Self {
        let mut info = RoomInfo::new(room_id);
        info.room_type = Some(ROOM_TYPE_LIVE.to_owned());
        Self { info }
    }
}

/// A room as `get_room_info` returns it (`Response.RoomInfo`): core's type, so the reply is
/// encoded by core's codec.
pub use roomkv_core::tencent::RoomInfo;

/// `set_room_metadata`: upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataSet {
    /// `RoomId`.
    pub room_id: RoomId,
    /// `Metadata`; a repeated key keeps its last value.
    pub items: Vec<(MetadataKey, MetadataValue)>,
}

/// `get_room_metadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataGet {
    /// `RoomId`.
    pub room_id: RoomId,
    /// `Keys`; empty returns everything, missing keys are omitted.
    pub keys: Vec<MetadataKey>,
}

/// `del_room_metadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataDelete {
    /// `RoomId`.
    pub room_id: RoomId,
    /// `Keys`; fails with 100503 only when none of them exist.
    pub keys: Vec<MetadataKey>,
}

pub(crate) fn error(code: TencentCode, message: impl Into<String>) -> ApiError {
    ApiError::tencent(code, message)
}

/// A validation failure as Tencent answers it (HTTP 200):
///
/// | failure | code |
/// |---|---|
/// | metadata key longer than 50 bytes (`Key`) | 100504 |
/// | metadata value longer than 2048 bytes (`Value`) | 100501 |
/// | more than 10 metadata pairs (`Metadata`) | 100500 |
/// | metadata values over 16 KB together (`Metadata`) | 100502 |
/// | `RoomType` other than `Live` | 100015 "invalid room type" |
/// | anything else | 100002 "invalid parameter" |
pub fn validation_error(err: &ValidationError) -> ApiError {
    let code = match err {
        ValidationError::TooLong { field: "Key", .. } => TencentCode::MetadataKeyTooLong,
        ValidationError::TooLong { field: "Value", .. } => TencentCode::MetadataValueTooLarge,
        ValidationError::TooMany {
            field: "Metadata" | "Keys",
            ..
        } => TencentCode::MetadataKeyCountExceeded,
        ValidationError::TotalTooLong {
            field: "Metadata", ..
        } => TencentCode::MetadataTotalTooLarge,
        ValidationError::OutOfRange {
            field: "RoomType", ..
        } => TencentCode::InvalidRoomType,
        _ => TencentCode::InvalidParameter,
    };
    error(code, err.to_string())
}

pub(crate) fn check_room_id(room_id: &RoomId, limits: &Limits) -> Result<(), ApiError> {
    room_id.validate(limits).map_err(|e| validation_error(&e))
}

fn check_key(key: &MetadataKey, limits: &Limits) -> Result<(), ApiError> {
    key.validate(limits).map_err(|e| validation_error(&e))
}

fn check_value(value: &MetadataValue, limits: &Limits) -> Result<(), ApiError> {
    value.validate(limits).map_err(|e| validation_error(&e))
}

/// Checks a create request and fills in Tencent's defaults; the room's existence is checked by
/// the caller.
pub(crate) fn new_room(
    cmd: &RoomCreate,
    operator: &str,
    now_ms: u64,
    limits: &Limits,
) -> Result<Room, ApiError> {
    let mut info = cmd.info.clone();
    check_room_id(&info.room_id, limits)?;
    let room_type = info
        .room_type
        .get_or_insert_with(|| ROOM_TYPE_LIVE.to_owned());
    if room_type != ROOM_TYPE_LIVE {
        return Err(error(
            TencentCode::InvalidRoomType,
            format!("RoomType {room_type:?} is invalid, only \"Live\" is allowed"),
        ));
    }
    if let Some(name) = &info.room_name
        && name.len() > limits.tencent.room_name_max_bytes
    {
        return Err(error(
            TencentCode::InvalidParameter,
            format!(
                "RoomName has {} bytes, at most {} allowed",
                name.len(),
                limits.tencent.room_name_max_bytes
            ),
        ));
    }
    if let Some(category) = &info.category
        && category.len() > limits.tencent.categories_max
    {
        return Err(error(
            TencentCode::InvalidParameter,
            format!(
                "Category has {} entries, at most {} allowed",
                category.len(),
                limits.tencent.categories_max
            ),
        ));
    }
    if info.room_name.is_none() {
        info.room_name = Some(info.room_id.as_str().to_owned());
    }
    if info.owner_account.is_none() {
        info.owner_account = Some(Identifier::non_validated(operator));
    }
    info.create_time = Some(now_ms / 1000);
    info.view_count = None;
    Ok(Room {
        info,
        metadata: Vec::new(),
    })
}

/// One live room and its metadata, in insertion order.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Room {
    #[serde(with = "room_info_json")]
    pub(crate) info: RoomInfo,
    pub(crate) metadata: Vec<(String, String)>,
}

impl Room {
    pub(crate) fn validate_set(cmd: &MetadataSet, limits: &Limits) -> Result<(), ApiError> {
        check_room_id(&cmd.room_id, limits)?;
        if cmd.items.is_empty() {
            return Err(error(
                TencentCode::InvalidParameter,
                "Metadata has no items, at least 1 required",
            ));
        }
        for (key, value) in &cmd.items {
            check_key(key, limits)?;
            check_value(value, limits)?;
        }
        Ok(())
    }

    /// Upserts; the key count and the total size are checked on the room after the merge.
    pub(crate) fn set(
        &mut self,
        cmd: &MetadataSet,
        operator: &str,
        now_ms: u64,
        limits: &Limits,
        sdkappid: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        let max_keys = limits.tencent.metadata_keys_max;
        let mut merged = self.metadata.clone();
        for (key, value) in &cmd.items {
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
        out.push(EventKind::TencentCallback {
            sdkappid,
            body: TencentCallback::AfterSetMetadata {
                operator_account: operator.to_owned(),
                room_id: self.info.room_id.as_str().to_owned(),
                metadata: cmd
                    .items
                    .iter()
                    .map(|(k, v)| MetadataItem {
                        key: k.as_str().to_owned(),
                        value: v.as_str().to_owned(),
                    })
                    .collect(),
                event_time: now_ms,
            },
        });
        Ok(())
    }

    pub(crate) fn validate_keys(
        room_id: &RoomId,
        keys: &[MetadataKey],
        limits: &Limits,
    ) -> Result<(), ApiError> {
        check_room_id(room_id, limits)?;
        for key in keys {
            check_key(key, limits)?;
        }
        Ok(())
    }

    pub(crate) fn get(&self, keys: &[MetadataKey]) -> Vec<MetadataItem> {
        let item = |(k, v): &(String, String)| MetadataItem {
            key: k.clone(),
            value: v.clone(),
        };
        if keys.is_empty() {
            return self.metadata.iter().map(item).collect();
        }
        let mut items: Vec<MetadataItem> = Vec::new();
        for key in keys {
            if items.iter().any(|i| i.key == key.as_str()) {
                continue;
            }
            if let Some(pair) = self.metadata.iter().find(|(k, _)| k == key.as_str()) {
                items.push(item(pair));
            }
        }
        items
    }

    pub(crate) fn delete(
        &mut self,
        keys: &[MetadataKey],
        operator: &str,
        now_ms: u64,
        sdkappid: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        if keys.is_empty() {
            return Err(error(
                TencentCode::InvalidParameter,
                "Keys has no keys, at least 1 required",
            ));
        }
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
        out.push(EventKind::TencentCallback {
            sdkappid,
            body: TencentCallback::AfterDelMetadata {
                operator_account: operator.to_owned(),
                room_id: self.info.room_id.as_str().to_owned(),
                keys: deleted,
                event_time: now_ms,
            },
        });
        Ok(())
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
