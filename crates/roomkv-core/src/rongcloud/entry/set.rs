//! Setting entries: one ([`SetEntry`]) or a batch ([`BatchSetEntries`]).

use serde::Serialize;

use super::{validate_notification, with_notification};
use crate::rongcloud::dialect::{Body, flag_number, legacy_form, refuse_v4_notification};
use crate::rongcloud::form::FormBody;
use crate::rongcloud::json::{ObjectInOrder, to_json_text};
use crate::rongcloud::notification::{KvChange, Notification, NotificationMessage};
use crate::rongcloud::reply;
use crate::rongcloud::{
    ChatroomId, Dialect, Endpoint, EntryKey, EntryValue, RongCloudOperation, UserId,
    check_distinct, flag_text,
};
use crate::validate::check_count;
use crate::{Limits, Operation, QuotaCost, QuotaFamily, ResponseError, ValidationError};

use crate::rongcloud::declaration;
use crate::{Declaration, Effect, QuotaRule, V4Paths};
#[cfg(feature = "server")]
use {
    crate::rongcloud::dialect_decoding::DialectDecoding,
    crate::rongcloud::form::FormFields,
    crate::rongcloud::json::{JsonFields, PairsInOrder, lenient_text_object},
    crate::rongcloud::reply_encoding::ReplyEncoding,
    crate::{DecodeError, ServerOperation},
};

/// The v4 batch-set body, `{"channelId","metadataOwnerId","metadata":{k:v},"shouldAutoDelete"}`
/// (Nexconn's `OpenChannelMetadataBatchSetRequest`), `metadata` in the caller's order.
fn v4_set_body<K: Serialize, V: Serialize>(
    channel: &ChatroomId,
    owner: &UserId,
    pairs: &[(K, V)],
    auto_delete: bool,
) -> Body {
    #[derive(Serialize)]
    struct V4Body<'a, K, V> {
        #[serde(rename = "channelId")]
        channel_id: &'a ChatroomId,
        #[serde(rename = "metadataOwnerId")]
        owner: &'a UserId,
        metadata: ObjectInOrder<'a, K, V>,
        #[serde(rename = "shouldAutoDelete")]
        auto_delete: u8,
    }
    Body::json(&V4Body {
        channel_id: channel,
        owner,
        metadata: ObjectInOrder(pairs),
        auto_delete: flag_number(auto_delete),
    })
}

/// Sets one entry: `POST /chatroom/entry/set.json` (`docs/vendors/rongcloud.md#kv-set`); in v4 a batch set of one
/// (`/v4/open-channel/metadata/batch/set`).
///
/// `userId` becomes the entry's owner. `autoDelete` is always sent (`0` unless
/// [`auto_delete`](Self::auto_delete) says otherwise); `objectName` and `content` are sent only
/// when [`notify`](Self::notify) added a notification, which v4 cannot carry.
///
/// ```
/// use roomkv_core::rongcloud::{ChatroomId, EntryKey, EntryValue, SetEntry, UserId};
/// use roomkv_core::{BaseUrl, Limits, Operation};
///
/// let op = SetEntry::new(
///     ChatroomId::parse("room1")?,
///     UserId::parse("anchor")?,
///     EntryKey::parse("score")?,
///     EntryValue::parse("42")?,
/// )
/// .auto_delete(true);
/// op.validate(&Limits::default())?;
/// let request = op.encode(&BaseUrl::parse("https://api.rong-api.com")?)?;
/// assert_eq!(request.uri(), "https://api.rong-api.com/chatroom/entry/set.json");
/// assert_eq!(
///     request.body().as_slice(),
///     b"chatroomId=room1&userId=anchor&key=score&value=42&autoDelete=1"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetEntry {
    chatroom_id: ChatroomId,
    user_id: UserId,
    key: EntryKey,
    value: EntryValue,
    auto_delete: bool,
    notification: Option<Notification>,
}

impl SetEntry {
    /// The request path.
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// Sets `key` to `value` in `chatroom`, owned by `user`; no auto-delete, no notification.
    pub fn new(chatroom: ChatroomId, user: UserId, key: EntryKey, value: EntryValue) -> Self {
        Self {
            chatroom_id: chatroom,
            user_id: user,
            key,
            value,
            auto_delete: false,
            notification: None,
        }
    }

    /// Whether RongCloud deletes the entry when its owner leaves the room (`autoDelete`).
    pub fn auto_delete(mut self, yes: bool) -> Self {
        self.auto_delete = yes;
        self
    }

    /// Sends `notification` to the room when the entry changes.
    pub fn notify(mut self, notification: Notification) -> Self {
        self.notification = Some(notification);
        self
    }

    /// The chat room.
    pub fn chatroom_id(&self) -> &ChatroomId {
        &self.chatroom_id
    }

    /// The operator, who becomes the owner.
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// The key.
    pub fn key(&self) -> &EntryKey {
        &self.key
    }

    /// The value.
    pub fn value(&self) -> &EntryValue {
        &self.value
    }

    /// The `autoDelete` flag.
    pub fn is_auto_delete(&self) -> bool {
        self.auto_delete
    }

    /// The notification, if any.
    pub fn notification(&self) -> Option<&Notification> {
        self.notification.as_ref()
    }

    /// The `objectName` and `content` fields this request sends, if it notifies.
    pub fn notification_message(&self) -> Option<NotificationMessage> {
        self.notification.as_ref().map(|n| n.message(self.change()))
    }

    fn change(&self) -> KvChange<'_> {
        KvChange::Set {
            key: self.key.as_str(),
            value: self.value.as_str(),
        }
    }
}

impl RongCloudOperation for SetEntry {
    fn body(&self, dialect: Dialect) -> Body {
        match dialect {
            Dialect::Legacy => {
                let form = FormBody::new()
                    .field("chatroomId", self.chatroom_id.as_str())
                    .field("userId", self.user_id.as_str())
                    .field("key", self.key.as_str())
                    .field("value", self.value.as_str())
                    .field("autoDelete", flag_text(self.auto_delete));
                Body::of_form(with_notification(form, self.notification_message()))
            }
            Dialect::V4 => v4_set_body(
                &self.chatroom_id,
                &self.user_id,
                &[(&self.key, &self.value)],
                self.auto_delete,
            ),
        }
    }

    /// A notification is refused in v4, never sent without it.
    fn check_dialect(&self, dialect: Dialect) -> Result<(), ValidationError> {
        refuse_v4_notification(dialect, self.notification.as_ref(), "a single-key set")
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        self.check_dialect(dialect)?;
        self.chatroom_id.validate(limits)?;
        self.user_id.validate(limits)?;
        self.key.validate(limits)?;
        self.value.validate(limits)?;
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

impl Operation for SetEntry {
    type Endpoint = Endpoint;
    type Output = ();
    const DECLARATION: Declaration = declaration(
        "set_entry",
        "/chatroom/entry/set.json",
        V4Paths::BatchOfOne(&BatchSetEntries::DECLARATION),
        QuotaRule::per_request(QuotaFamily::RongCloudEntrySet),
        Effect::Write { notifies: false },
    );

    legacy_form!();

    fn effect(&self) -> Effect {
        Self::DECLARATION.write_effect(self.notification.is_some())
    }
}

#[cfg(feature = "server")]
impl ServerOperation for SetEntry {
    /// Reads `chatroomId`, `userId`, `key`, `value` (all required), `autoDelete` (absent is `0`)
    /// and the notification fields (see [`Notification`]); other fields are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let chatroom_id = ChatroomId::non_validated(fields.require("chatroomId")?);
        let user_id = UserId::non_validated(fields.require("userId")?);
        let key = EntryKey::non_validated(fields.require("key")?);
        let value = EntryValue::non_validated(fields.require("value")?);
        let auto_delete = fields.flag("autoDelete")?;
        let notification = Notification::decode(
            &fields,
            KvChange::Set {
                key: key.as_str(),
                value: value.as_str(),
            },
        );
        Ok(Self {
            chatroom_id,
            user_id,
            key,
            value,
            auto_delete,
            notification,
        })
    }

    fn encode_reply(output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for SetEntry {
    /// Reads a v4 batch set of exactly one pair, as [`encode_in`](RongCloudOperation::encode_in)
    /// sends it (no notification: v4 cannot carry one). A v4 server routes the batch-set path
    /// to [`BatchSetEntries`]; this is for decoding such a request as the single-key set.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let batch = BatchSetEntries::decode_v4(request)?;
        let Ok([(key, value)]) = <[_; 1]>::try_from(batch.entries) else {
            return Err(DecodeError::field(
                "metadata",
                "a single-key set carries exactly one pair",
            ));
        };
        Ok(Self {
            chatroom_id: batch.chatroom_id,
            user_id: batch.owner,
            key,
            value,
            auto_delete: batch.auto_delete,
            notification: None,
        })
    }
}

/// Sets up to 20 entries at once, all owned by one user, overwriting existing owners and
/// values: `POST /chatroom/entry/batch/set.json` (`docs/vendors/rongcloud.md#kv-batch-set`), in v4
/// `POST /v4/open-channel/metadata/batch/set` (`docs/vendors/rongcloud.md#v4`).
///
/// `entryInfo` (v4: `metadata`) is a JSON object written in the caller's order. The endpoint has
/// no notification fields. A key given twice is refused by `validate` (the JSON object would
/// silently keep one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSetEntries {
    chatroom_id: ChatroomId,
    owner: UserId,
    entries: Vec<(EntryKey, EntryValue)>,
    auto_delete: bool,
}

impl BatchSetEntries {
    /// The request path.
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// The v4 request path.
    pub const V4_PATH: &'static str = Self::DECLARATION.paths.get(Dialect::V4);

    /// Sets `entries` in `chatroom`, all owned by `owner` (`entryOwnerId`); no auto-delete.
    pub fn new(
        chatroom: ChatroomId,
        owner: UserId,
        entries: impl IntoIterator<Item = (EntryKey, EntryValue)>,
    ) -> Self {
        Self {
            chatroom_id: chatroom,
            owner,
            entries: entries.into_iter().collect(),
            auto_delete: false,
        }
    }

    /// Whether RongCloud deletes the entries when their owner leaves the room (`autoDelete`).
    pub fn auto_delete(mut self, yes: bool) -> Self {
        self.auto_delete = yes;
        self
    }

    /// The chat room.
    pub fn chatroom_id(&self) -> &ChatroomId {
        &self.chatroom_id
    }

    /// The owner of every entry (`entryOwnerId`, v4 `metadataOwnerId`).
    pub fn owner(&self) -> &UserId {
        &self.owner
    }

    /// The entries, in the caller's order.
    pub fn entries(&self) -> &[(EntryKey, EntryValue)] {
        &self.entries
    }

    /// The `autoDelete` flag.
    pub fn is_auto_delete(&self) -> bool {
        self.auto_delete
    }
}

impl RongCloudOperation for BatchSetEntries {
    fn body(&self, dialect: Dialect) -> Body {
        match dialect {
            Dialect::Legacy => Body::of_form(
                FormBody::new()
                    .field("chatroomId", self.chatroom_id.as_str())
                    .field("autoDelete", flag_text(self.auto_delete))
                    .field("entryOwnerId", self.owner.as_str())
                    .field("entryInfo", &to_json_text(&ObjectInOrder(&self.entries))),
            ),
            Dialect::V4 => v4_set_body(
                &self.chatroom_id,
                &self.owner,
                &self.entries,
                self.auto_delete,
            ),
        }
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        let field = dialect.pick("entryInfo", "metadata");
        self.chatroom_id.validate(limits)?;
        self.owner.validate(limits)?;
        check_count(
            field,
            "pair",
            self.entries.len(),
            limits.rongcloud.batch_entries_max,
        )?;
        for (key, value) in &self.entries {
            key.validate(limits)?;
            value.validate(limits)?;
        }
        check_distinct(field, "key", self.entries.iter().map(|(k, _)| k.as_str()))?;
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

impl Operation for BatchSetEntries {
    type Endpoint = Endpoint;
    type Output = ();
    /// A write without notification fields. Whether RongCloud notifies the room anyway is not
    /// documented (`docs/vendors/rongcloud.md#kv-batch-set`); roomkv assumes it does not.
    const DECLARATION: Declaration = declaration(
        "batch_set_entries",
        "/chatroom/entry/batch/set.json",
        V4Paths::Own {
            path: "/v4/open-channel/metadata/batch/set",
            alias: None,
        },
        QuotaRule::per_item(QuotaFamily::RongCloudEntrySet),
        Effect::Write { notifies: false },
    );

    legacy_form!();

    /// One unit of the shared set quota per pair.
    fn quota(&self) -> QuotaCost {
        Self::DECLARATION.quota.cost(self.entries.len())
    }
}

#[cfg(feature = "server")]
impl ServerOperation for BatchSetEntries {
    /// Reads `chatroomId`, `entryOwnerId`, `entryInfo` (required; a JSON object whose values are
    /// strings, or numbers kept as their JSON text, in document order with duplicates kept) and
    /// `autoDelete` (absent is `0`).
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let chatroom_id = ChatroomId::non_validated(fields.require("chatroomId")?);
        let auto_delete = fields.flag("autoDelete")?;
        let owner = UserId::non_validated(fields.require("entryOwnerId")?);
        let entries = lenient_text_object(fields.require("entryInfo")?)
            .map_err(|err| DecodeError::json("entryInfo", err).in_field("entryInfo"))?
            .into_iter()
            .map(|(k, v)| (EntryKey::non_validated(k), EntryValue::non_validated(v)))
            .collect();
        Ok(Self {
            chatroom_id,
            owner,
            entries,
            auto_delete,
        })
    }

    fn encode_reply(output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for BatchSetEntries {
    /// Reads `channelId`, `metadataOwnerId` (strings), `metadata` (an object of strings, in
    /// document order with duplicates kept), all required, and `shouldAutoDelete` (the number
    /// `0` or `1`; absent is `0`), as `OpenChannelMetadataBatchSetRequest`. Other members
    /// are ignored.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let chatroom_id = ChatroomId::non_validated(fields.text(&["channelId"])?);
        let owner = UserId::non_validated(fields.text(&["metadataOwnerId"])?);
        let entries = fields
            .require::<PairsInOrder<String>>(&["metadata"])?
            .0
            .into_iter()
            .map(|(k, v)| (EntryKey::non_validated(k), EntryValue::non_validated(v)))
            .collect();
        let auto_delete = fields.flag(&["shouldAutoDelete"])?;
        Ok(Self {
            chatroom_id,
            owner,
            entries,
            auto_delete,
        })
    }
}
