//! Removing entries: one ([`RemoveEntry`]) or a batch ([`BatchRemoveEntries`]).

use serde::Serialize;

use super::{validate_notification, with_notification};
use crate::rongcloud::dialect::{Body, legacy_form, refuse_v4_notification};
use crate::rongcloud::form::FormBody;
use crate::rongcloud::json::to_json_text;
use crate::rongcloud::notification::{KvChange, Notification, NotificationMessage};
use crate::rongcloud::reply;
use crate::rongcloud::{
    ChatroomId, Dialect, Endpoint, EntryKey, RongCloudOperation, UserId, check_distinct,
};
use crate::validate::check_count;
use crate::{
    ApiCode, ApiError, Limits, Operation, QuotaCost, QuotaFamily, ResponseError, RongCloudCode,
    ValidationError,
};

use crate::rongcloud::declaration;
use crate::{Declaration, Effect, QuotaRule, V4Paths};
#[cfg(feature = "server")]
use {
    crate::rongcloud::dialect_decoding::DialectDecoding,
    crate::rongcloud::form::FormFields,
    crate::rongcloud::json::{JsonFields, lenient_text_array},
    crate::rongcloud::reply_encoding::ReplyEncoding,
    crate::{DecodeError, ServerOperation},
};

/// The v4 batch-remove body, `{"channelId","metadataOwnerId","metadataKeys":[...]}` (Nexconn's
/// `OpenChannelMetadataBatchRemoveRequest`), keys in the caller's order.
fn v4_remove_body(channel: &ChatroomId, owner: &UserId, keys: &[&EntryKey]) -> Body {
    #[derive(Serialize)]
    struct V4Body<'a> {
        #[serde(rename = "channelId")]
        channel_id: &'a ChatroomId,
        #[serde(rename = "metadataOwnerId")]
        owner: &'a UserId,
        #[serde(rename = "metadataKeys")]
        keys: &'a [&'a EntryKey],
    }
    Body::json(&V4Body {
        channel_id: channel,
        owner,
        keys,
    })
}

/// Code 1015 ("the data to delete does not exist"), whatever the HTTP status it came with (v4
/// may send it with 404), on a repeat after an attempt whose outcome is unknown: the keys are
/// gone, most likely removed by that earlier attempt, so the remove is done. A 404 without
/// that code (endpoint not found) does not settle anything.
fn settled_by_not_found(error: &ApiError) -> Option<()> {
    (error.code == ApiCode::RongCloud(RongCloudCode::DataNotFound)).then_some(())
}

/// Removes one entry: `POST /chatroom/entry/remove.json` (`docs/vendors/rongcloud.md#kv-remove`); in v4 a batch remove of
/// one (`/v4/open-channel/metadata/batch/remove`). RongCloud requires `userId` to be the
/// entry's owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveEntry {
    chatroom_id: ChatroomId,
    user_id: UserId,
    key: EntryKey,
    notification: Option<Notification>,
}

impl RemoveEntry {
    /// The request path.
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// Removes `key` from `chatroom` as `user`; no notification.
    pub fn new(chatroom: ChatroomId, user: UserId, key: EntryKey) -> Self {
        Self {
            chatroom_id: chatroom,
            user_id: user,
            key,
            notification: None,
        }
    }

    /// Sends `notification` to the room when the entry is removed.
    pub fn notify(mut self, notification: Notification) -> Self {
        self.notification = Some(notification);
        self
    }

    /// The chat room.
    pub fn chatroom_id(&self) -> &ChatroomId {
        &self.chatroom_id
    }

    /// The operator.
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// The key.
    pub fn key(&self) -> &EntryKey {
        &self.key
    }

    /// The notification, if any.
    pub fn notification(&self) -> Option<&Notification> {
        self.notification.as_ref()
    }

    /// The `objectName` and `content` fields this request sends, if it notifies.
    pub fn notification_message(&self) -> Option<NotificationMessage> {
        self.notification.as_ref().map(|n| {
            n.message(KvChange::Remove {
                key: self.key.as_str(),
            })
        })
    }
}

impl RongCloudOperation for RemoveEntry {
    fn body(&self, dialect: Dialect) -> Body {
        match dialect {
            Dialect::Legacy => {
                let form = FormBody::new()
                    .field("chatroomId", self.chatroom_id.as_str())
                    .field("userId", self.user_id.as_str())
                    .field("key", self.key.as_str());
                Body::of_form(with_notification(form, self.notification_message()))
            }
            Dialect::V4 => v4_remove_body(&self.chatroom_id, &self.user_id, &[&self.key]),
        }
    }

    /// A notification is refused in v4, never sent without it.
    fn check_dialect(&self, dialect: Dialect) -> Result<(), ValidationError> {
        refuse_v4_notification(dialect, self.notification.as_ref(), "a single-key remove")
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        self.check_dialect(dialect)?;
        self.chatroom_id.validate(limits)?;
        self.user_id.validate(limits)?;
        self.key.validate(limits)?;
        validate_notification(self.notification.as_ref(), limits)?;
        self.body(dialect).check_size(limits)
    }

    fn parse_in(
        &self,
        dialect: Dialect,
        response: http::Response<&[u8]>,
    ) -> Result<(), ResponseError> {
        reply::parse_unit(dialect, response)
    }
}

impl Operation for RemoveEntry {
    type Endpoint = Endpoint;
    type Output = ();
    const DECLARATION: Declaration = declaration(
        "remove_entry",
        "/chatroom/entry/remove.json",
        V4Paths::BatchOfOne(&BatchRemoveEntries::DECLARATION),
        QuotaRule::per_request(QuotaFamily::RongCloudEntryRemove),
        Effect::Write { notifies: false },
    );

    legacy_form!();

    fn effect(&self) -> Effect {
        Self::DECLARATION.write_effect(self.notification.is_some())
    }

    /// 1015 ("the data to delete does not exist") on a repeat after an attempt whose outcome is
    /// unknown: the key is gone, most likely removed by that earlier attempt, so the remove is
    /// done.
    fn settles_repeat(&self, error: &ApiError) -> Option<()> {
        settled_by_not_found(error)
    }
}

#[cfg(feature = "server")]
impl ServerOperation for RemoveEntry {
    /// Reads `chatroomId`, `userId`, `key` (all required) and the notification fields (see
    /// [`Notification`]); other fields are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let chatroom_id = ChatroomId::non_validated(fields.require("chatroomId")?);
        let user_id = UserId::non_validated(fields.require("userId")?);
        let key = EntryKey::non_validated(fields.require("key")?);
        let notification = Notification::decode(&fields, KvChange::Remove { key: key.as_str() });
        Ok(Self {
            chatroom_id,
            user_id,
            key,
            notification,
        })
    }

    fn encode_reply(output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for RemoveEntry {
    /// Reads a v4 batch remove of exactly one key, as
    /// [`encode_in`](RongCloudOperation::encode_in) sends it (no notification: v4 cannot carry
    /// one). A v4 server routes the batch-remove path to [`BatchRemoveEntries`]; this is for
    /// decoding such a request as the single-key remove.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let batch = BatchRemoveEntries::decode_v4(request)?;
        let Ok([key]) = <[_; 1]>::try_from(batch.keys) else {
            return Err(DecodeError::field(
                "metadataKeys",
                "a single-key remove carries exactly one key",
            ));
        };
        Ok(Self {
            chatroom_id: batch.chatroom_id,
            user_id: batch.owner,
            key,
            notification: None,
        })
    }
}

/// Removes up to 20 entries at once, whoever owns them: `POST /chatroom/entry/batch/remove.json`
/// (`docs/vendors/rongcloud.md#kv-batch-remove`), in v4 `POST /v4/open-channel/metadata/batch/remove` (`docs/vendors/rongcloud.md#v4`). No official
/// RongCloud SDK implements the legacy endpoint.
///
/// `entryKeys` (v4: `metadataKeys`) is a JSON array in the caller's order. The page marks
/// `entryOwnerId` required although RongCloud does not check ownership, so it is a constructor
/// argument. A key given twice is refused by `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRemoveEntries {
    chatroom_id: ChatroomId,
    owner: UserId,
    keys: Vec<EntryKey>,
}

impl BatchRemoveEntries {
    /// The request path.
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// The v4 request path.
    pub const V4_PATH: &'static str = Self::DECLARATION.paths.get(Dialect::V4);

    /// Removes `keys` from `chatroom`, sent with `entryOwnerId` `owner`.
    pub fn new(
        chatroom: ChatroomId,
        owner: UserId,
        keys: impl IntoIterator<Item = EntryKey>,
    ) -> Self {
        Self {
            chatroom_id: chatroom,
            owner,
            keys: keys.into_iter().collect(),
        }
    }

    /// The chat room.
    pub fn chatroom_id(&self) -> &ChatroomId {
        &self.chatroom_id
    }

    /// The `entryOwnerId` (v4 `metadataOwnerId`).
    pub fn owner(&self) -> &UserId {
        &self.owner
    }

    /// The keys, in the caller's order.
    pub fn keys(&self) -> &[EntryKey] {
        &self.keys
    }
}

impl RongCloudOperation for BatchRemoveEntries {
    fn body(&self, dialect: Dialect) -> Body {
        match dialect {
            Dialect::Legacy => Body::of_form(
                FormBody::new()
                    .field("chatroomId", self.chatroom_id.as_str())
                    .field("entryOwnerId", self.owner.as_str())
                    .field("entryKeys", &to_json_text(&self.keys)),
            ),
            Dialect::V4 => {
                let keys: Vec<&EntryKey> = self.keys.iter().collect();
                v4_remove_body(&self.chatroom_id, &self.owner, &keys)
            }
        }
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        let field = dialect.pick("entryKeys", "metadataKeys");
        self.chatroom_id.validate(limits)?;
        self.owner.validate(limits)?;
        check_count(
            field,
            "key",
            self.keys.len(),
            limits.rongcloud.batch_entries_max,
        )?;
        for key in &self.keys {
            key.validate(limits)?;
        }
        check_distinct(field, "key", self.keys.iter().map(EntryKey::as_str))?;
        self.body(dialect).check_size(limits)
    }

    fn parse_in(
        &self,
        dialect: Dialect,
        response: http::Response<&[u8]>,
    ) -> Result<(), ResponseError> {
        reply::parse_unit(dialect, response)
    }
}

impl Operation for BatchRemoveEntries {
    type Endpoint = Endpoint;
    type Output = ();
    const DECLARATION: Declaration = declaration(
        "batch_remove_entries",
        "/chatroom/entry/batch/remove.json",
        V4Paths::Own {
            path: "/v4/open-channel/metadata/batch/remove",
            alias: None,
        },
        QuotaRule::per_item(QuotaFamily::RongCloudEntryRemove),
        Effect::Write { notifies: false },
    );

    legacy_form!();

    /// One unit of the shared remove quota per key.
    fn quota(&self) -> QuotaCost {
        Self::DECLARATION.quota.cost(self.keys.len())
    }

    /// 1015 ("the data to delete does not exist") on a repeat after an attempt whose outcome is
    /// unknown: none of the keys are left, most likely removed by that earlier attempt, so the
    /// batch remove is done.
    fn settles_repeat(&self, error: &ApiError) -> Option<()> {
        settled_by_not_found(error)
    }
}

#[cfg(feature = "server")]
impl ServerOperation for BatchRemoveEntries {
    /// Reads `chatroomId`, `entryOwnerId` and `entryKeys` (all required; `entryKeys` is a JSON
    /// array of strings, or numbers kept as their JSON text).
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let chatroom_id = ChatroomId::non_validated(fields.require("chatroomId")?);
        let owner = UserId::non_validated(fields.require("entryOwnerId")?);
        let keys = lenient_text_array(fields.require("entryKeys")?)
            .map_err(|err| DecodeError::json("entryKeys", err).in_field("entryKeys"))?
            .into_iter()
            .map(EntryKey::non_validated)
            .collect();
        Ok(Self {
            chatroom_id,
            owner,
            keys,
        })
    }

    fn encode_reply(output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for BatchRemoveEntries {
    /// Reads `channelId`, `metadataOwnerId` (strings) and `metadataKeys` (an array of strings),
    /// all required, as `OpenChannelMetadataBatchRemoveRequest`. Other members are ignored.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let chatroom_id = ChatroomId::non_validated(fields.text(&["channelId"])?);
        let owner = UserId::non_validated(fields.text(&["metadataOwnerId"])?);
        let keys = fields
            .require::<Vec<String>>(&["metadataKeys"])?
            .into_iter()
            .map(EntryKey::non_validated)
            .collect();
        Ok(Self {
            chatroom_id,
            owner,
            keys,
        })
    }
}
