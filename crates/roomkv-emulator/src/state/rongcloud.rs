//! RongCloud chat-room KV: the per-room state machine (`docs/vendors/rongcloud.md#kv`, `#notification`, `#undocumented`),
//! serving core's operations, and what the RongCloud state shares with [`super::expansion`].
//!
//! The operations arrive validated: the service checks core's rules once, at its boundary
//! (answered with [`validation_error`]); the state checks only what needs the state (owners,
//! the per-room cap, missing keys), answering with the vendor's codes.

use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, Entry as QueriedEntry, EntryKey, EntryValue, QueryEntries,
    RemoveEntry, SetEntry, UserId,
};
use roomkv_core::{ApiError, Limits, RongCloudCode, ValidationError};
use serde::{Deserialize, Serialize};

use super::entries::{Entries, StoredEntry};
use crate::config::{MissingKeys, RongCloudRules};
use crate::events::{EventKind, KvSync, Notification, OptType};

/// A notification message to send to the room with a set or remove: `objectName` and `content`
/// exactly as the request sent them (core's type, so the wire and the state agree).
pub use roomkv_core::rongcloud::NotificationMessage;

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
    pub(super) fn error(&self, code: RongCloudCode, message: impl Into<String>) -> ApiError {
        ApiError::rongcloud(code, message, 200)
    }

    /// A validation failure as the vendor answers it ([`validation_error`]).
    pub(crate) fn invalid(&self, err: &ValidationError) -> ApiError {
        validation_error(self.rules, err)
    }

    fn kv_sync(&self, change: Change<'_>, now_ms: u64, version: u64) -> EventKind {
        EventKind::RongCloudKvSync {
            app_key: self.app_key.to_owned(),
            body: KvSync {
                chatroom_id: change.room.to_owned(),
                key: change.key.to_owned(),
                value: change.value.to_owned(),
                opt_type: change.opt_type,
                user_id: change.user.to_owned(),
                timestamp: now_ms,
                version,
            },
        }
    }

    /// The refusal of `user`'s `action` on a key `owner` holds; the journal says why, and what
    /// the batch form of the action (`batch`) does instead.
    fn not_owner(&self, key: &str, owner: &str, user: &str, action: &str, batch: &str) -> ApiError {
        crate::journal::explain(format!(
            "key `{key}` is owned by `{owner}`; {action} by `{user}` is refused (batch {action} \
             {batch})"
        ));
        self.error(
            self.rules.owner_mismatch_code,
            format!("key {key} is owned by another user"),
        )
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

/// One change of a chat room's KV, as its kv-sync webhook reports it.
#[derive(Clone, Copy)]
struct Change<'a> {
    room: &'a str,
    key: &'a str,
    value: &'a str,
    opt_type: OptType,
    user: &'a str,
}

impl<'a> Change<'a> {
    fn set(room: &'a str, key: &'a str, value: &'a str, user: &'a str) -> Self {
        let opt_type = OptType::Set;
        Self {
            room,
            key,
            value,
            opt_type,
            user,
        }
    }

    fn delete(room: &'a str, key: &'a str, value: &'a str, user: &'a str) -> Self {
        let opt_type = OptType::Delete;
        Self {
            opt_type,
            ..Self::set(room, key, value, user)
        }
    }
}

/// Checks a value against the limits, answering a failure as the vendor does.
macro_rules! check {
    ($ctx:expr, $value:expr) => {
        $value.validate($ctx.limits).map_err(|e| $ctx.invalid(&e))?
    };
}
pub(super) use check;

/// The KV of one chat room. The room record outlives its entries, so that `version` keeps
/// growing across destroy and re-creation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ChatRoom {
    pub(crate) entries: Entries,
    pub(crate) version: u64,
}

impl ChatRoom {
    fn bump(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    /// Records `change`: a new version, and its kv-sync webhook.
    fn changed(
        &mut self,
        ctx: &Ctx<'_>,
        change: Change<'_>,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) {
        let version = self.bump();
        out.push(ctx.kv_sync(change, now_ms, version));
    }

    /// Stores `value` under `key`, owned by `owner`.
    fn store(&mut self, key: &str, value: &str, owner: &str, auto_delete: bool, now_ms: u64) {
        self.entries.insert(key, value, owner, auto_delete, now_ms);
    }

    fn view(entry: &StoredEntry) -> QueriedEntry {
        QueriedEntry {
            key: EntryKey::non_validated(entry.key()),
            value: EntryValue::non_validated(entry.value()),
            user_id: UserId::non_validated(entry.owner()),
            auto_delete: entry.auto_delete(),
            last_set_time_ms: entry.last_set_time(),
        }
    }

    pub(crate) fn set(
        &mut self,
        ctx: &Ctx<'_>,
        op: &SetEntry,
        now_ms: u64,
        out: &mut Vec<EventKind>,
    ) -> Result<(), ApiError> {
        let key = op.key().as_str();
        let user = op.user_id().as_str();
        match self.entries.get(key) {
            Some(existing) if existing.owner() != user && !ctx.rules.set_overwrites_other_owner => {
                return Err(ctx.not_owner(key, existing.owner(), user, "set", "overwrites owners"));
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
        let value = op.value().as_str();
        self.store(key, value, user, op.is_auto_delete(), now_ms);
        let room = op.chatroom_id().as_str();
        self.changed(ctx, Change::set(room, key, value, user), now_ms, out);
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
        // A repeated key keeps its last value (entryInfo is a JSON object), in first-seen order.
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(op.entries().len());
        for (key, value) in op.entries() {
            match pairs.iter_mut().find(|(k, _)| *k == key.as_str()) {
                Some(pair) => pair.1 = value.as_str(),
                None => pairs.push((key.as_str(), value.as_str())),
            }
        }
        let new_keys = pairs
            .iter()
            .filter(|(k, _)| !self.entries.contains_key(k))
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
            self.store(key, value, owner, op.is_auto_delete(), now_ms);
            self.changed(ctx, Change::set(room, key, value, owner), now_ms, out);
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
        let key = op.key().as_str();
        let user = op.user_id().as_str();
        match self.entries.get(key) {
            None => {
                return Err(ctx.error(
                    ctx.rules.missing_key_code,
                    format!("key {key} does not exist"),
                ));
            }
            Some(entry) if entry.owner() != user => {
                return Err(ctx.not_owner(
                    key,
                    entry.owner(),
                    user,
                    "remove",
                    "does not check owners",
                ));
            }
            Some(_) => {}
        }
        let removed = self.entries.remove(key);
        let value = removed.as_ref().map_or("", StoredEntry::value);
        let room = op.chatroom_id().as_str();
        self.changed(ctx, Change::delete(room, key, value, user), now_ms, out);
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
                let change = Change::delete(room, key.as_str(), entry.value(), owner);
                self.changed(ctx, change, now_ms, out);
            }
        }
        Ok(())
    }

    pub(crate) fn query(&self, op: &QueryEntries) -> Result<Vec<QueriedEntry>, ApiError> {
        if op.keys().is_empty() {
            return Ok(self.entries.iter().map(Self::view).collect());
        }
        let mut views: Vec<QueriedEntry> = Vec::with_capacity(op.keys().len());
        for key in op.keys() {
            if views.iter().any(|v| v.key == *key) {
                continue;
            }
            if let Some(entry) = self.entries.get(key.as_str()) {
                views.push(Self::view(entry));
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
            .filter(|e| e.auto_delete() && e.owner() == user)
            .map(|e| e.key().to_owned())
            .collect();
        for key in &gone {
            let removed = self.entries.remove(key);
            let version = self.bump();
            if ctx.rules.kv_sync_on_leave {
                let value = removed.as_ref().map_or("", StoredEntry::value);
                let change = Change::delete(room, key, value, user);
                out.push(ctx.kv_sync(change, now_ms, version));
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
            let change = Change {
                opt_type: OptType::DeleteAll,
                ..Change::delete(room, "", "", "")
            };
            self.changed(ctx, change, now_ms, out);
        }
        count
    }
}
