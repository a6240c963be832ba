//! RongCloud message expansions: the message registry and the per-message state machine (spec
//! `docs/vendors/rongcloud.md#expansions`), serving core's operations.

use std::collections::BTreeMap;

use roomkv_core::ApiError;
use roomkv_core::rongcloud::{
    ConversationType, DeleteExpansion, ExpansionEntry, ExpansionKey, ExpansionPage, ExpansionValue,
    MsgUid, SetExpansion, TargetId, UserId,
};
use serde::{Deserialize, Serialize};

use super::rongcloud::{Ctx, check};
use crate::events::{EventKind, ExpansionChange, ExpansionOperation};

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

    /// Page `page` (from 1) of the expansions, in key order (`ts` saturates at `i64::MAX`, far
    /// beyond any millisecond clock).
    pub(crate) fn page(&self, ctx: &Ctx<'_>, page: u32) -> ExpansionPage {
        let size = ctx.limits.rongcloud.expansion_page_size.max(1);
        let skip = (page.max(1) as usize - 1).saturating_mul(size);
        ExpansionPage {
            entries: self
                .entries
                .iter()
                .skip(skip)
                .take(size)
                .map(|(key, item)| ExpansionEntry {
                    key: ExpansionKey::non_validated(key.as_str()),
                    value: ExpansionValue::non_validated(item.v.as_str()),
                    version: i64::try_from(item.ts).unwrap_or(i64::MAX),
                })
                .collect(),
        }
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
