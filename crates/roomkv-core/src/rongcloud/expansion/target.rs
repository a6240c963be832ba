//! The message an expansion write applies to, shared by set and delete in both dialects.

use serde::Serialize;

use crate::rongcloud::dialect::{Body, flag_number};
use crate::rongcloud::form::FormBody;
use crate::rongcloud::{ConversationType, Dialect, MsgUid, TargetId, UserId, flag_text};
use crate::{Limits, QuotaCost, QuotaFamily, QuotaRule, ValidationError};

#[cfg(feature = "server")]
use {crate::DecodeError, crate::rongcloud::form::FormFields, crate::rongcloud::json::JsonFields};

/// The message field of the v4 message-metadata requests, as Nexconn's generated models spell
/// it (and roomkv sends it).
#[cfg(feature = "server")]
pub(super) const MESSAGE_ID: &str = "messageId";

/// The spelling of the message field in one version of the v4 set and delete doc pages; read
/// by those two endpoints only, never sent.
#[cfg(feature = "server")]
const MESSAGE_UID: &str = "messageUID";

/// `msgUID`, `userId`, `conversationType`, `targetId` and the sync flag (legacy
/// `isSyncSender`; v4 `messageId`, `userId`, `channelType`, `channelId` and the endpoint's own
/// flag name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub(super) msg_uid: MsgUid,
    pub(super) user_id: UserId,
    pub(super) conversation_type: ConversationType,
    pub(super) target_id: TargetId,
    pub(super) sync_sender: bool,
}

impl Target {
    pub(super) fn new(
        msg_uid: MsgUid,
        user_id: UserId,
        conversation_type: ConversationType,
        target_id: TargetId,
    ) -> Self {
        Self {
            msg_uid,
            user_id,
            conversation_type,
            target_id,
            sync_sender: false,
        }
    }

    pub(super) fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.msg_uid.validate(limits)?;
        self.user_id.validate(limits)?;
        self.target_id.validate(limits)
    }

    /// The body: the target's fields, then `payload` under `payload_name`, then the flag under
    /// `v4_flag` in v4 (`isSyncSender` in legacy). Legacy sends the payload as JSON text.
    pub(super) fn body<P: Serialize>(
        &self,
        dialect: Dialect,
        payload_name: &'static str,
        payload: &P,
        v4_flag: &'static str,
    ) -> Body {
        match dialect {
            Dialect::Legacy => Body::of_form(
                FormBody::new()
                    .field("msgUID", self.msg_uid.as_str())
                    .field("userId", self.user_id.as_str())
                    .field(
                        "conversationType",
                        conversation_text(self.conversation_type),
                    )
                    .field("targetId", self.target_id.as_str())
                    .field(payload_name, &crate::rongcloud::json::to_json_text(payload))
                    .field("isSyncSender", flag_text(self.sync_sender)),
            ),
            Dialect::V4 => Body::json(&V4Body {
                msg_uid: &self.msg_uid,
                user_id: &self.user_id,
                channel_type: self.conversation_type.code(),
                channel_id: &self.target_id,
                payload: Named(payload_name, payload),
                flag: Named(v4_flag, &flag_number(self.sync_sender)),
            }),
        }
    }

    /// One unit of the operation's declared `rule`, plus one group expansion write on a group
    /// message.
    pub(super) fn quota(&self, rule: QuotaRule) -> QuotaCost {
        let cost = rule.cost(1);
        match self.conversation_type {
            ConversationType::Private => cost,
            ConversationType::Group => cost.and(QuotaFamily::RongCloudExpansionGroupWrite, 1),
        }
    }

    /// Reads `msgUID`, `userId`, `conversationType` (a number, 1 or 3), `targetId` (all
    /// required) and `isSyncSender` (absent is `0`).
    #[cfg(feature = "server")]
    pub(super) fn decode(fields: &FormFields) -> Result<Self, DecodeError> {
        let msg_uid = MsgUid::non_validated(fields.require("msgUID")?);
        let user_id = UserId::non_validated(fields.require("userId")?);
        let conversation_type = decode_conversation_type(fields)?;
        let target_id = TargetId::non_validated(fields.require("targetId")?);
        let sync_sender = fields.flag("isSyncSender")?;
        Ok(Self {
            msg_uid,
            user_id,
            conversation_type,
            target_id,
            sync_sender,
        })
    }

    /// Reads `messageId` (or, as one version of the endpoint's page spells it, `messageUID`),
    /// `userId`, `channelType` (the number 1 or 3), `channelId` (strings) and the endpoint's
    /// flag, `flag` (the number 0 or 1, absent is 0).
    #[cfg(feature = "server")]
    pub(super) fn decode_v4(fields: &JsonFields, flag: &'static str) -> Result<Self, DecodeError> {
        const CHANNEL_TYPE: &str = "channelType";
        let msg_uid = MsgUid::non_validated(fields.text(&[MESSAGE_ID, MESSAGE_UID])?);
        let user_id = UserId::non_validated(fields.text(&["userId"])?);
        let code = fields.require::<i64>(&[CHANNEL_TYPE])?;
        let conversation_type = ConversationType::from_field(CHANNEL_TYPE, code)
            .map_err(|err| DecodeError::field(CHANNEL_TYPE, err.to_string()))?;
        let target_id = TargetId::non_validated(fields.text(&["channelId"])?);
        let sync_sender = fields.flag(&[flag])?;
        Ok(Self {
            msg_uid,
            user_id,
            conversation_type,
            target_id,
            sync_sender,
        })
    }
}

/// A JSON member whose name is chosen at run time: serialized as a one-member map, flattened
/// into the body.
struct Named<'a, T: ?Sized>(&'static str, &'a T);

impl<T: Serialize + ?Sized> Serialize for Named<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

/// `{"messageId","userId","channelType","channelId",<payload>,<flag>}`, in this order.
#[derive(Serialize)]
struct V4Body<'a, P: ?Sized> {
    #[serde(rename = "messageId")]
    msg_uid: &'a MsgUid,
    #[serde(rename = "userId")]
    user_id: &'a UserId,
    #[serde(rename = "channelType")]
    channel_type: u8,
    #[serde(rename = "channelId")]
    channel_id: &'a TargetId,
    #[serde(flatten)]
    payload: Named<'a, P>,
    #[serde(flatten)]
    flag: Named<'a, u8>,
}

const fn conversation_text(conversation: ConversationType) -> &'static str {
    match conversation {
        ConversationType::Private => "1",
        ConversationType::Group => "3",
    }
}

/// `conversationType` must be a number, and 1 or 3: any other value has no [`ConversationType`].
#[cfg(feature = "server")]
fn decode_conversation_type(fields: &FormFields) -> Result<ConversationType, DecodeError> {
    const FIELD: &str = "conversationType";
    let text = fields.require(FIELD)?;
    let code = text.parse::<i64>().map_err(|_| {
        DecodeError::field(FIELD, format!("{FIELD} must be a number, got {text:?}"))
    })?;
    ConversationType::from_code(code).map_err(|err| DecodeError::field(FIELD, err.to_string()))
}

/// The accessors set and delete share, through their `target` field.
macro_rules! target_accessors {
    () => {
        /// Whether the change is synced to the operator's own clients (legacy `isSyncSender`;
        /// v4 `isEchoToSender` on set, `syncToSender` on delete).
        pub fn sync_sender(mut self, yes: bool) -> Self {
            self.target.sync_sender = yes;
            self
        }

        /// The message (`msgUID`, v4 `messageId`).
        pub fn msg_uid(&self) -> &MsgUid {
            &self.target.msg_uid
        }

        /// The operator.
        pub fn user_id(&self) -> &UserId {
            &self.target.user_id
        }

        /// The conversation type (v4 `channelType`).
        pub fn conversation_type(&self) -> ConversationType {
            self.target.conversation_type
        }

        /// The conversation's target (v4 `channelId`): a user id (private) or a group id
        /// (group).
        pub fn target_id(&self) -> &TargetId {
            &self.target.target_id
        }

        /// The sync flag.
        pub fn is_sync_sender(&self) -> bool {
            self.target.sync_sender
        }
    };
}
pub(super) use target_accessors;
