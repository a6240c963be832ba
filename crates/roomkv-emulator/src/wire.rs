//! Between core's decoded Tencent operations and the state's Tencent commands and results (the
//! RongCloud state serves core's operations directly).
//!
//! Core decodes a request into its operation type (fields taken as sent, `non_validated`); the
//! Tencent state takes its own command types, which use the same typed identifiers. These
//! functions copy one into the other, and the state's results back into the outputs core's reply
//! encoders take.

use roomkv_core::tencent::{
    DelRoomMetadata, GetRoomMetadata, MetadataEntry, MetadataKey, MetadataValue, SetRoomMetadata,
};

use crate::events::MetadataItem;
use crate::state::{MetadataDelete, MetadataGet, MetadataSet};

pub(crate) fn metadata_set(op: &SetRoomMetadata) -> MetadataSet {
    MetadataSet {
        room_id: op.room_id().clone(),
        items: op
            .entries()
            .iter()
            .map(|entry| (entry.key.clone(), entry.value.clone()))
            .collect(),
    }
}

pub(crate) fn metadata_get(op: &GetRoomMetadata) -> MetadataGet {
    MetadataGet {
        room_id: op.room_id().clone(),
        keys: op.keys().to_vec(),
    }
}

pub(crate) fn metadata_delete(op: &DelRoomMetadata) -> MetadataDelete {
    MetadataDelete {
        room_id: op.room_id().clone(),
        keys: op.keys().to_vec(),
    }
}

/// The state's metadata as core's `get_room_metadata` output.
pub(crate) fn metadata_entries(items: Vec<MetadataItem>) -> Vec<MetadataEntry> {
    items
        .into_iter()
        .map(|item| {
            MetadataEntry::new(
                MetadataKey::non_validated(item.key),
                MetadataValue::non_validated(item.value),
            )
        })
        .collect()
}
