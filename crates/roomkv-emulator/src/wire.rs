//! Between core's decoded operations and the state's commands and results.
//!
//! Core decodes a request into its operation type (fields taken as sent, `non_validated`); the
//! state takes its own command types, which use the same typed identifiers. These functions copy
//! one into the other, and the state's results back into the outputs core's reply encoders take.

use roomkv_core::rongcloud::{
    Entry, EntryKey, EntryValue, ExpansionEntry, ExpansionKey, ExpansionPage as CoreExpansionPage,
    ExpansionValue, UserId,
};
use roomkv_core::tencent::{
    DelRoomMetadata, GetRoomMetadata, MetadataEntry, MetadataKey, MetadataValue, SetRoomMetadata,
};

use crate::events::MetadataItem;
use crate::state::{EntryView, ExpansionPage, MetadataDelete, MetadataGet, MetadataSet};

/// The state's entries as core's query output.
pub(crate) fn entries(views: Vec<EntryView>) -> Vec<Entry> {
    views
        .into_iter()
        .map(|view| Entry {
            key: EntryKey::non_validated(view.key),
            value: EntryValue::non_validated(view.value),
            user_id: UserId::non_validated(view.user_id),
            auto_delete: view.auto_delete,
            last_set_time_ms: view.last_set_time,
        })
        .collect()
}

/// The state's page as core's query output (`ts` saturates at `i64::MAX`, far beyond any
/// millisecond clock).
pub(crate) fn expansion_page(page: ExpansionPage) -> CoreExpansionPage {
    CoreExpansionPage {
        entries: page
            .entries
            .into_iter()
            .map(|(key, item)| ExpansionEntry {
                key: ExpansionKey::non_validated(key),
                value: ExpansionValue::non_validated(item.v),
                version: i64::try_from(item.ts).unwrap_or(i64::MAX),
            })
            .collect(),
    }
}

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
