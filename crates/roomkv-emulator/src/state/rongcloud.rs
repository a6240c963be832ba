//! RongCloud chat-room KV and message expansions: results and the per-room and per-message
//! state machines (spec `rongcloud.md` §4, §5, §7, §13.4), serving core's operations.
//!
//! A server decodes core's operations with `non_validated`, so the rules are checked here,
//! answering with the vendor's codes.

use std::collections::BTreeMap;

use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ConversationType, DeleteExpansion, ExpansionKey,
    ExpansionValue, MsgUid, QueryEntries, RemoveEntry, SetEntry, SetExpansion, TargetId, UserId,
};
use roomkv_core::{ApiError, Limits, RongCloudCode, ValidationError};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

use crate::config::{MissingKeys, RongCloudRules};
use crate::events::{
    EventKind, ExpansionChange, ExpansionOperation, KvSync, Notification, OptType,
};

/// A notification message to send to the room with a set or remove: `objectName` and `content`
/// exactly as the request sent them (core's type, so the wire and the state agree).
pub use roomkv_core::rongcloud::NotificationMessage;

/// One entry as a query returns it.
///
/// Serializes the way the vendor does: `autoDelete` and `lastSetTime` (milliseconds) as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryView {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// The user who last set it (its owner).
    pub user_id: String,
    /// Whether it is deleted when its owner leaves.
    pub auto_delete: bool,
    /// When it was last set, milliseconds since the Unix epoch.
    pub last_set_time: u64,
}

impl Serialize for EntryView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("key", &self.key)?;
        map.serialize_entry("value", &self.value)?;
        map.serialize_entry("userId", &self.user_id)?;
        map.serialize_entry("autoDelete", if self.auto_delete { "1" } else { "0" })?;
        map.serialize_entry("lastSetTime", &self.last_set_time.to_string())?;
        map.end()
    }
}

/// A message the expansion endpoints may operate on, as the emulator's registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRegistration {
    /// The message.
    pub msg_uid: MsgUid,
    /// Its sender.
    pub sender: UserId,
    /// Its conversation type.
    pub conversation: ConversationType,
    /// The recipient (private) or group (group).
    pub target_id: TargetId,
    /// Whether it was sent with `expansion=true`.
    pub expansion: bool,
    /// Initial expansions (`extraContent` at send time).
    pub initial: Vec<(ExpansionKey, ExpansionValue)>,
}

/// One expansion: `{v, ts}` under its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpansionItem {
    /// The value.
    pub v: String,
    /// The version: grows with every change of the message's expansions.
    pub ts: u64,
}

/// A page of expansions, in key order; serializes as the `extraContent` map.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpansionPage {
    /// The expansions of this page.
    pub entries: Vec<(String, ExpansionItem)>,
}

impl Serialize for ExpansionPage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, item) in &self.entries {
            map.serialize_entry(key, item)?;
        }
        map.end()
    }
}

/// A validation failure as RongCloud answers it (HTTP 200): `rules.too_long_code` (default 1005
/// "parameter exceeds its maximum length") for a text too long or too many items, 1002
/// "parameter error" for everything else (an invalid character, an empty value, a value out of
/// range, a key given twice, no items).
pub fn validation_error(rules: &RongCloudRules, err: &ValidationError) -> ApiError {
    let code = match err {
        ValidationError::TooLong { .. }
        | ValidationError::TooMany { .. }
        | ValidationError::TotalTooLong { .. } => rules.too_long_code,
        _ => RongCloudCode::ParameterError,
    };
    ApiError::rongcloud(code, err.to_string(), 200)
}

/// What the state functions need besides the command.
pub(crate) struct Ctx<'a> {
    pub(crate) app_key: &'a str,
    pub(crate) limits: &'a Limits,
    pub(crate) rules: &'a RongCloudRules,
}

impl Ctx<'_> {
    fn error(&self, code: RongCloudCode, message: impl Into<String>) -> ApiError {
        ApiError::rongcloud(code, message, 200)
    }

    /// A validation failure as the vendor answers it ([`validation_error`]).
    pub(crate) fn invalid(&self, err: &ValidationError) -> ApiError {
        validation_error(self.rules, err)
    }

    fn check_count(
        &self,
        field: &'static str,
        item: &'static str,
        len: usize,
        max: usize,
    ) -> Result<(), ApiError> {
        if len == 0 {
            return Err(self.invalid(&ValidationError::NoItems { field, item }));
        }
        if len > max {
            return Err(self.invalid(&ValidationError::TooMany {
                field,
                len,
                max,
                item,
            }));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // One argument per field of the webhook body.
    fn kv_sync(
        &self,
        chatroom_id: &str,
        key: &str,
        value: &str,
        opt_type: OptType,
        user_id: &str,
        now_ms: u64,
        version: u64,
    ) -> EventKind {
        EventKind::RongCloudKvSync {
            app_key: self.app_key.to_owned(),
            body: KvSync {
                chatroom_id: chatroom_id.to_owned(),
                key: key.to_owned(),
                value: value.to_owned(),
                opt_type,
                user_id: user_id.to_owned(),
                timestamp: now_ms,
                version,
            },
        }
    }

    fn notification(
        &self,
        chatroom_id: &str,
        from: &str,
        message: &NotificationMessage,
    ) -> EventKind {
        EventKind::RongCloudNotification {
            app_key: self.app_key.to_owned(),
            body: Notification {
                chatroom_id: chatroom_id.to_owned(),
                from_user_id: from.to_owned(),
                object_name: message.object_name.clone(),
                content: message.content.clone(),
            },
        }
    }
}

macro_rules! check {
    ($ctx:expr, $value:expr) => {
        $value.validate($ctx.limits).map_err(|e| $ctx.invalid(&e))?
    };
}

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) value: String,
    pub(crate) owner: String,
    pub(crate) auto_delete: bool,
    pub(crate) last_set_time: u64,
}

/// The KV of one chat room. The room record outlives its entries, so that `version` keeps
/// growing across destroy and re-creation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ChatRoom {
    pub(crate) entries: BTreeMap<String, Entry>,
    pub(crate) version: u64,
}

impl ChatRoom {
    fn bump(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    fn view(key: &str, entry: &Entry) -> EntryView {
        EntryView {
            key: key.to_owned(),
            value: entry.value.clone(),
            user_id: entry.owner.clone(),
            auto_delete: entry.auto_delete,
            last_set_time: entry.last_set_time,
        }
    }

    pub(crate) fn set(
        &mut self,
        ctx: &Ctx<'_>,
        op: &SetEntry,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        check!(ctx, op.chatroom_id());
        check!(ctx, op.user_id());
        check!(ctx, op.key());
        check!(ctx, op.value());
        let key = op.key().as_str();
        let user = op.user_id().as_str();
        match self.entries.get(key) {
            Some(existing) if existing.owner != user && !ctx.rules.set_overwrites_other_owner => {
                crate::journal::explain(format!(
                    "key `{key}` is owned by `{}`; set by `{user}` is refused (batch set \
                     overwrites owners)",
                    existing.owner
                ));
                return Err(ctx.error(
                    ctx.rules.owner_mismatch_code,
                    format!("key {key} is owned by another user"),
                ));
            }
            Some(_) => {}
            None if self.entries.len() >= ctx.limits.rongcloud.entries_per_room_max => {
                return Err(ctx.error(
                    ctx.rules.room_full_code,
                    format!(
                        "the chat room already has {} entries, at most {} allowed",
                        self.entries.len(),
                        ctx.limits.rongcloud.entries_per_room_max
                    ),
                ));
            }
            None => {}
        }
        self.entries.insert(
            key.to_owned(),
            Entry {
                value: op.value().as_str().to_owned(),
                owner: user.to_owned(),
                auto_delete: op.is_auto_delete(),
                last_set_time: now_ms,
            },
        );
        let version = self.bump();
        let room = op.chatroom_id().as_str();
        out.push(ctx.kv_sync(
            room,
            key,
            op.value().as_str(),
            OptType::Set,
            user,
            now_ms,
            version,
        ));
        if let Some(message) = &op.notification_message() {
            out.push(ctx.notification(room, user, message));
        }
        Ok(())
    }

    pub(crate) fn batch_set(
        &mut self,
        ctx: &Ctx<'_>,
        op: &BatchSetEntries,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        check!(ctx, op.chatroom_id());
        check!(ctx, op.owner());
        ctx.check_count(
            "entryInfo",
            "pair",
            op.entries().len(),
            ctx.limits.rongcloud.batch_entries_max,
        )?;
        // A repeated key keeps its last value (entryInfo is a JSON object), in first-seen order.
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(op.entries().len());
        for (key, value) in op.entries() {
            check!(ctx, key);
            check!(ctx, value);
            match pairs.iter_mut().find(|(k, _)| *k == key.as_str()) {
                Some(pair) => pair.1 = value.as_str(),
                None => pairs.push((key.as_str(), value.as_str())),
            }
        }
        let new_keys = pairs
            .iter()
            .filter(|(k, _)| !self.entries.contains_key(*k))
            .count();
        let max = ctx.limits.rongcloud.entries_per_room_max;
        if self.entries.len() + new_keys > max {
            return Err(ctx.error(
                ctx.rules.room_full_code,
                format!(
                    "the chat room has {} entries and the batch adds {new_keys}, at most {max} allowed",
                    self.entries.len()
                ),
            ));
        }
        let owner = op.owner().as_str();
        let room = op.chatroom_id().as_str();
        for (key, value) in pairs {
            self.entries.insert(
                key.to_owned(),
                Entry {
                    value: value.to_owned(),
                    owner: owner.to_owned(),
                    auto_delete: op.is_auto_delete(),
                    last_set_time: now_ms,
                },
            );
            let version = self.bump();
            out.push(ctx.kv_sync(room, key, value, OptType::Set, owner, now_ms, version));
        }
        Ok(())
    }

    pub(crate) fn remove(
        &mut self,
        ctx: &Ctx<'_>,
        op: &RemoveEntry,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        check!(ctx, op.chatroom_id());
        check!(ctx, op.user_id());
        check!(ctx, op.key());
        let key = op.key().as_str();
        let user = op.user_id().as_str();
        match self.entries.get(key) {
            None => {
                return Err(ctx.error(
                    ctx.rules.missing_key_code,
                    format!("key {key} does not exist"),
                ));
            }
            Some(entry) if entry.owner != user => {
                crate::journal::explain(format!(
                    "key `{key}` is owned by `{}`; remove by `{user}` is refused (batch remove \
                     does not check owners)",
                    entry.owner
                ));
                return Err(ctx.error(
                    ctx.rules.owner_mismatch_code,
                    format!("key {key} is owned by another user"),
                ));
            }
            Some(_) => {}
        }
        let removed = self
            .entries
            .remove(key)
            .map(|e| e.value)
            .unwrap_or_default();
        let version = self.bump();
        let room = op.chatroom_id().as_str();
        out.push(ctx.kv_sync(room, key, &removed, OptType::Delete, user, now_ms, version));
        if let Some(message) = &op.notification_message() {
            out.push(ctx.notification(room, user, message));
        }
        Ok(())
    }

    pub(crate) fn batch_remove(
        &mut self,
        ctx: &Ctx<'_>,
        op: &BatchRemoveEntries,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        check!(ctx, op.chatroom_id());
        check!(ctx, op.owner());
        ctx.check_count(
            "entryKeys",
            "key",
            op.keys().len(),
            ctx.limits.rongcloud.batch_entries_max,
        )?;
        for key in op.keys() {
            check!(ctx, key);
        }
        let missing = op
            .keys()
            .iter()
            .filter(|k| !self.entries.contains_key(k.as_str()))
            .count();
        let refuse = match ctx.rules.batch_remove_missing {
            MissingKeys::Ignore => false,
            MissingKeys::FailWhenNoneExist => missing == op.keys().len(),
            MissingKeys::FailWhenAnyMissing => missing > 0,
        };
        if refuse {
            return Err(ctx.error(
                ctx.rules.missing_key_code,
                format!("{missing} of the {} keys do not exist", op.keys().len()),
            ));
        }
        let owner = op.owner().as_str();
        let room = op.chatroom_id().as_str();
        for key in op.keys() {
            if let Some(entry) = self.entries.remove(key.as_str()) {
                let version = self.bump();
                out.push(ctx.kv_sync(
                    room,
                    key.as_str(),
                    &entry.value,
                    OptType::Delete,
                    owner,
                    now_ms,
                    version,
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn query(
        &self,
        ctx: &Ctx<'_>,
        op: &QueryEntries,
    ) -> Result<Vec<EntryView>, ApiError> {
        check!(ctx, op.chatroom_id());
        if op.keys().len() > ctx.limits.rongcloud.query_keys_max {
            return Err(ctx.invalid(&ValidationError::TooMany {
                field: "keys",
                len: op.keys().len(),
                max: ctx.limits.rongcloud.query_keys_max,
                item: "key",
            }));
        }
        if op.keys().is_empty() {
            return Ok(self.entries.iter().map(|(k, e)| Self::view(k, e)).collect());
        }
        let mut views: Vec<EntryView> = Vec::with_capacity(op.keys().len());
        for key in op.keys() {
            check!(ctx, key);
            if views.iter().any(|v| v.key == key.as_str()) {
                continue;
            }
            if let Some(entry) = self.entries.get(key.as_str()) {
                views.push(Self::view(key.as_str(), entry));
            }
        }
        Ok(views)
    }

    /// The user left: their auto-delete entries vanish, without a notification message.
    pub(crate) fn user_left(
        &mut self,
        ctx: &Ctx<'_>,
        room: &str,
        user: &str,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> Vec<String> {
        let gone: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| e.auto_delete && e.owner == user)
            .map(|(k, _)| k.clone())
            .collect();
        for key in &gone {
            let value = self
                .entries
                .remove(key)
                .map(|e| e.value)
                .unwrap_or_default();
            let version = self.bump();
            if ctx.rules.kv_sync_on_leave {
                out.push(ctx.kv_sync(room, key, &value, OptType::Delete, user, now_ms, version));
            }
        }
        gone
    }

    /// The room was destroyed: every entry vanishes, with one `optType` 3 event if there were any.
    pub(crate) fn destroyed(
        &mut self,
        ctx: &Ctx<'_>,
        room: &str,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> usize {
        let count = self.entries.len();
        if count > 0 {
            self.entries.clear();
            let version = self.bump();
            out.push(ctx.kv_sync(room, "", "", OptType::DeleteAll, "", now_ms, version));
        }
        count
    }
}

/// One message of the expansion registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Message {
    sender: String,
    #[serde(with = "conversation_code")]
    conversation: ConversationType,
    target: String,
    expansion: bool,
    entries: BTreeMap<String, ExpansionItem>,
    last_ts: u64,
}

impl Message {
    pub(crate) fn register(
        ctx: &Ctx<'_>,
        reg: &MessageRegistration,
        now_ms: u64,
    ) -> Result<Self, ApiError> {
        check!(ctx, reg.msg_uid);
        check!(ctx, reg.sender);
        check!(ctx, reg.target_id);
        let mut message = Self {
            sender: reg.sender.as_str().to_owned(),
            conversation: reg.conversation,
            target: reg.target_id.as_str().to_owned(),
            expansion: reg.expansion,
            entries: BTreeMap::new(),
            last_ts: 0,
        };
        let max = ctx.limits.rongcloud.expansions_per_message_max;
        for (key, value) in &reg.initial {
            check!(ctx, key);
            check!(ctx, value);
            let ts = message.next_ts(now_ms);
            message.entries.insert(
                key.as_str().to_owned(),
                ExpansionItem {
                    v: value.as_str().to_owned(),
                    ts,
                },
            );
        }
        if message.entries.len() > max {
            return Err(ctx.error(
                ctx.rules.expansion_cap_code,
                format!(
                    "{} initial expansions, at most {max} allowed",
                    message.entries.len()
                ),
            ));
        }
        Ok(message)
    }

    /// The record of a message an expansion call names, when it is registered on the fly: the
    /// operator is taken as its sender.
    pub(crate) fn auto_registered(
        user: &UserId,
        conversation: ConversationType,
        target: &TargetId,
    ) -> Self {
        Self {
            sender: user.as_str().to_owned(),
            conversation,
            target: target.as_str().to_owned(),
            expansion: true,
            entries: BTreeMap::new(),
            last_ts: 0,
        }
    }

    fn next_ts(&mut self, now_ms: u64) -> u64 {
        self.last_ts = now_ms.max(self.last_ts + 1);
        self.last_ts
    }

    /// Refuses a call the message does not accept: not expansion-enabled, or another
    /// conversation. In a private conversation either party may name the other as the target.
    pub(crate) fn accepts(
        &self,
        ctx: &Ctx<'_>,
        conversation: ConversationType,
        target: &str,
    ) -> Result<(), ApiError> {
        if !self.expansion {
            return Err(ctx.error(
                ctx.rules.expansion_message_code,
                "the message was not sent with expansion enabled",
            ));
        }
        let target_ok = match conversation {
            ConversationType::Group => self.target == target,
            ConversationType::Private => self.target == target || self.sender == target,
        };
        if conversation != self.conversation || !target_ok {
            return Err(ctx.error(
                ctx.rules.expansion_message_code,
                "conversationType or targetId do not match the message",
            ));
        }
        Ok(())
    }

    pub(crate) fn validate_set(ctx: &Ctx<'_>, op: &SetExpansion) -> Result<(), ApiError> {
        check!(ctx, op.msg_uid());
        check!(ctx, op.user_id());
        check!(ctx, op.target_id());
        ctx.check_count(
            "extraKeyVal",
            "pair",
            op.entries().len(),
            ctx.limits.rongcloud.expansion_keys_per_call_max,
        )?;
        for (key, value) in op.entries() {
            check!(ctx, key);
            check!(ctx, value);
        }
        Ok(())
    }

    pub(crate) fn set(
        &mut self,
        ctx: &Ctx<'_>,
        op: &SetExpansion,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        self.accepts(ctx, op.conversation_type(), op.target_id().as_str())?;
        let new_keys = {
            let mut seen: Vec<&str> = Vec::new();
            for (key, _) in op.entries() {
                if !self.entries.contains_key(key.as_str()) && !seen.contains(&key.as_str()) {
                    seen.push(key.as_str());
                }
            }
            seen.len()
        };
        let max = ctx.limits.rongcloud.expansions_per_message_max;
        if self.entries.len() + new_keys > max {
            return Err(ctx.error(
                ctx.rules.expansion_cap_code,
                format!(
                    "the message has {} expansions and the set adds {new_keys}, at most {max} allowed",
                    self.entries.len()
                ),
            ));
        }
        for (key, value) in op.entries() {
            let ts = self.next_ts(now_ms);
            self.entries.insert(
                key.as_str().to_owned(),
                ExpansionItem {
                    v: value.as_str().to_owned(),
                    ts,
                },
            );
        }
        out.push(EventKind::RongCloudExpansion {
            app_key: ctx.app_key.to_owned(),
            body: ExpansionChange {
                msg_uid: op.msg_uid().as_str().to_owned(),
                operation: ExpansionOperation::Set,
                user_id: op.user_id().as_str().to_owned(),
                conversation_type: op.conversation_type().code(),
                target_id: op.target_id().as_str().to_owned(),
                keys: op
                    .entries()
                    .iter()
                    .map(|(k, _)| k.as_str().to_owned())
                    .collect(),
                is_sync_sender: op.is_sync_sender(),
            },
        });
        Ok(())
    }

    pub(crate) fn validate_delete(ctx: &Ctx<'_>, op: &DeleteExpansion) -> Result<(), ApiError> {
        check!(ctx, op.msg_uid());
        check!(ctx, op.user_id());
        check!(ctx, op.target_id());
        ctx.check_count(
            "extraKey",
            "key",
            op.keys().len(),
            ctx.limits.rongcloud.expansion_keys_per_call_max,
        )?;
        for key in op.keys() {
            check!(ctx, key);
        }
        Ok(())
    }

    /// Deletes the keys that exist; missing keys are ignored.
    pub(crate) fn delete(
        &mut self,
        ctx: &Ctx<'_>,
        op: &DeleteExpansion,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        self.accepts(ctx, op.conversation_type(), op.target_id().as_str())?;
        let mut deleted = Vec::new();
        for key in op.keys() {
            if self.entries.remove(key.as_str()).is_some() {
                deleted.push(key.as_str().to_owned());
            }
        }
        out.push(EventKind::RongCloudExpansion {
            app_key: ctx.app_key.to_owned(),
            body: ExpansionChange {
                msg_uid: op.msg_uid().as_str().to_owned(),
                operation: ExpansionOperation::Delete,
                user_id: op.user_id().as_str().to_owned(),
                conversation_type: op.conversation_type().code(),
                target_id: op.target_id().as_str().to_owned(),
                keys: deleted,
                is_sync_sender: op.is_sync_sender(),
            },
        });
        Ok(())
    }

    /// Page `page` (from 1) of the expansions, in key order.
    pub(crate) fn page(&self, ctx: &Ctx<'_>, page: u32) -> ExpansionPage {
        let size = ctx.limits.rongcloud.expansion_page_size.max(1);
        let skip = (page.max(1) as usize - 1).saturating_mul(size);
        ExpansionPage {
            entries: self
                .entries
                .iter()
                .skip(skip)
                .take(size)
                .map(|(k, item)| (k.clone(), item.clone()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_views_serialize_like_the_vendor() {
        let view = EntryView {
            key: "k".into(),
            value: "v".into(),
            user_id: "u".into(),
            auto_delete: true,
            last_set_time: 1_700_000_000_123,
        };
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            r#"{"key":"k","value":"v","userId":"u","autoDelete":"1","lastSetTime":"1700000000123"}"#
        );
        let page = ExpansionPage {
            entries: vec![(
                "a".into(),
                ExpansionItem {
                    v: "x".into(),
                    ts: 5,
                },
            )],
        };
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"a":{"v":"x","ts":5}}"#
        );
    }
}

/// A conversation type as its wire code (`1`, `3`) in the state file.
mod conversation_code {
    use roomkv_core::rongcloud::ConversationType;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        conversation: &ConversationType,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(conversation.code())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<ConversationType, D::Error> {
        ConversationType::from_code(i64::deserialize(deserializer)?)
            .map_err(serde::de::Error::custom)
    }
}
