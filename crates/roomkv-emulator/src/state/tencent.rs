//! Tencent Live rooms and room metadata: commands, results and the per-room state machine
//! (spec `tencent.md` §2.2, §2.3).

use roomkv_core::tencent::{MetadataKey, MetadataValue, RoomId};
use roomkv_core::{ApiError, Limits, TencentCode, ValidationError};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::events::{EventKind, MetadataItem, TencentCallback};

/// `RoomName`: at most 100 bytes (documented on `create_room`).
pub const ROOM_NAME_MAX_BYTES: usize = 100;
/// `Category`: at most 3 entries (documented on `create_room`).
pub const CATEGORY_MAX: usize = 3;

/// `create_room`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomCreate {
    /// `RoomId`.
    pub room_id: RoomId,
    /// `RoomType`: `Live` (absent is taken as `Live`; anything else answers 100015).
    pub room_type: Option<String>,
    /// `RoomName` (defaults to the room id).
    pub room_name: Option<String>,
    /// `Owner_Account` (defaults to the caller, the admin identifier).
    pub owner_account: Option<String>,
    /// Every other `RoomInfo` field as sent (`MaxMemberCount`, `CoverURL`, `Category`,
    /// `IsMessageDisabled`, `TakeSeatMode`, ...), stored and returned verbatim.
    pub other: Map<String, Value>,
}

/// A room as `get_room_info` returns it (`Response.RoomInfo`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoomInfo {
    /// `RoomId`.
    #[serde(rename = "RoomId")]
    pub room_id: String,
    /// `RoomName`.
    #[serde(rename = "RoomName")]
    pub room_name: String,
    /// `RoomType`.
    #[serde(rename = "RoomType")]
    pub room_type: String,
    /// `Owner_Account`.
    #[serde(rename = "Owner_Account")]
    pub owner_account: String,
    /// `CreateTime`, seconds since the Unix epoch.
    #[serde(rename = "CreateTime")]
    pub create_time: u64,
    /// The optional fields given at creation.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

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

fn invalid(err: &ValidationError) -> ApiError {
    error(TencentCode::InvalidParameter, err.to_string())
}

pub(crate) fn check_room_id(room_id: &RoomId, limits: &Limits) -> Result<(), ApiError> {
    room_id.validate(limits).map_err(|e| invalid(&e))
}

fn check_key(key: &MetadataKey, limits: &Limits) -> Result<(), ApiError> {
    key.validate(limits).map_err(|e| match e {
        ValidationError::TooLong { .. } => error(TencentCode::MetadataKeyTooLong, e.to_string()),
        other => invalid(&other),
    })
}

fn check_value(value: &MetadataValue, limits: &Limits) -> Result<(), ApiError> {
    value.validate(limits).map_err(|e| match e {
        ValidationError::TooLong { .. } => error(TencentCode::MetadataValueTooLarge, e.to_string()),
        other => invalid(&other),
    })
}

/// Checks a create request; the room's existence is checked by the caller.
pub(crate) fn new_room(
    cmd: &RoomCreate,
    operator: &str,
    now_ms: u64,
    limits: &Limits,
) -> Result<Room, ApiError> {
    check_room_id(&cmd.room_id, limits)?;
    let room_type = cmd.room_type.as_deref().unwrap_or("Live");
    if room_type != "Live" {
        return Err(error(
            TencentCode::InvalidRoomType,
            format!("RoomType {room_type:?} is invalid, only \"Live\" is allowed"),
        ));
    }
    if let Some(name) = &cmd.room_name
        && name.len() > ROOM_NAME_MAX_BYTES
    {
        return Err(error(
            TencentCode::InvalidParameter,
            format!(
                "RoomName has {} bytes, at most {ROOM_NAME_MAX_BYTES} allowed",
                name.len()
            ),
        ));
    }
    if let Some(Value::Array(category)) = cmd.other.get("Category")
        && category.len() > CATEGORY_MAX
    {
        return Err(error(
            TencentCode::InvalidParameter,
            format!(
                "Category has {} entries, at most {CATEGORY_MAX} allowed",
                category.len()
            ),
        ));
    }
    let room_id = cmd.room_id.as_str().to_owned();
    let mut other = cmd.other.clone();
    for reserved in [
        "RoomId",
        "RoomName",
        "RoomType",
        "Owner_Account",
        "CreateTime",
    ] {
        other.remove(reserved);
    }
    Ok(Room {
        info: RoomInfo {
            room_name: cmd.room_name.clone().unwrap_or_else(|| room_id.clone()),
            room_id,
            room_type: room_type.to_owned(),
            owner_account: cmd
                .owner_account
                .clone()
                .unwrap_or_else(|| operator.to_owned()),
            create_time: now_ms / 1000,
            other,
        },
        metadata: Vec::new(),
    })
}

/// One live room and its metadata, in insertion order.
#[derive(Debug, Clone)]
pub(crate) struct Room {
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
                room_id: self.info.room_id.clone(),
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
                room_id: self.info.room_id.clone(),
                keys: deleted,
                event_time: now_ms,
            },
        });
        Ok(())
    }
}
