//! Chat-room KV entries: set, batch set, remove, batch remove, query (spec `rongcloud.md` §4).
//!
//! Each operation is a value: build it from typed identifiers, [`validate`](Operation::validate)
//! it against [`Limits`], [`encode`](Operation::encode) it into an unsigned request, and
//! [`parse`](Operation::parse) the vendor's answer.

use serde::Deserialize;

use super::form::{FormBody, post};
use super::json::{LenientFlag, LenientInt, ObjectInOrder, to_json_text};
use super::notification::{KvChange, Notification, NotificationMessage};
use super::reply::{self, NoPayload};
use super::{ChatroomId, Endpoint, EntryKey, EntryValue, UserId, check_distinct, flag_text, units};
use crate::validate::check_count;
use crate::{
    ApiCode, ApiError, Effect, EncodeError, Limits, Operation, QuotaCost, QuotaFamily,
    ResponseError, RongCloudCode, ValidationError,
};

#[cfg(feature = "server")]
use {
    super::form::FormFields,
    super::json::{lenient_text_array, lenient_text_object},
    super::server::code_only_reply,
    crate::{DecodeError, ServerOperation},
};

/// Sets one entry: `POST /chatroom/entry/set.json` (spec §4.1).
///
/// `userId` becomes the entry's owner. `autoDelete` is always sent (`0` unless
/// [`auto_delete`](Self::auto_delete) says otherwise); `objectName` and `content` are sent only
/// when [`notify`](Self::notify) added a notification.
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
    pub const PATH: &'static str = "/chatroom/entry/set.json";

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

    fn form(&self) -> FormBody {
        let body = FormBody::new()
            .field("chatroomId", self.chatroom_id.as_str())
            .field("userId", self.user_id.as_str())
            .field("key", self.key.as_str())
            .field("value", self.value.as_str())
            .field("autoDelete", flag_text(self.auto_delete));
        with_notification(body, self.notification_message())
    }
}

impl Operation for SetEntry {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "set_entry";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.chatroom_id.validate(limits)?;
        self.user_id.validate(limits)?;
        self.key.validate(limits)?;
        self.value.validate(limits)?;
        validate_notification(self.notification.as_ref(), limits)?;
        self.form().check_size(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        post(endpoint, Self::PATH, self.form())
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }

    fn effect(&self) -> Effect {
        Effect::Write {
            notifies: self.notification.is_some(),
        }
    }

    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntrySet, 1)
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

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        code_only_reply(request_id)
    }
}

/// Sets up to 20 entries at once, all owned by one user, overwriting existing owners and
/// values: `POST /chatroom/entry/batch/set.json` (spec §4.2).
///
/// `entryInfo` is a JSON object written in the caller's order. The endpoint has no notification
/// fields. A key given twice is refused by `validate` (the JSON object would silently keep one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSetEntries {
    chatroom_id: ChatroomId,
    owner: UserId,
    entries: Vec<(EntryKey, EntryValue)>,
    auto_delete: bool,
}

impl BatchSetEntries {
    /// The request path.
    pub const PATH: &'static str = "/chatroom/entry/batch/set.json";

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

    /// The owner of every entry (`entryOwnerId`).
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

    fn form(&self) -> FormBody {
        FormBody::new()
            .field("chatroomId", self.chatroom_id.as_str())
            .field("autoDelete", flag_text(self.auto_delete))
            .field("entryOwnerId", self.owner.as_str())
            .field("entryInfo", &to_json_text(&ObjectInOrder(&self.entries)))
    }
}

impl Operation for BatchSetEntries {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "batch_set_entries";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.chatroom_id.validate(limits)?;
        self.owner.validate(limits)?;
        check_count(
            "entryInfo",
            "pair",
            self.entries.len(),
            limits.rongcloud.batch_entries_max,
        )?;
        for (key, value) in &self.entries {
            key.validate(limits)?;
            value.validate(limits)?;
        }
        check_distinct(
            "entryInfo",
            "key",
            self.entries.iter().map(|(k, _)| k.as_str()),
        )?;
        self.form().check_size(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        post(endpoint, Self::PATH, self.form())
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }

    /// A write without notification fields. Whether RongCloud notifies the room anyway is not
    /// documented (spec §4.2); roomkv assumes it does not.
    fn effect(&self) -> Effect {
        Effect::Write { notifies: false }
    }

    /// One unit of the shared set quota per pair.
    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntrySet, units(self.entries.len()))
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

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        code_only_reply(request_id)
    }
}

/// Removes one entry: `POST /chatroom/entry/remove.json` (spec §4.3). RongCloud requires
/// `userId` to be the entry's owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveEntry {
    chatroom_id: ChatroomId,
    user_id: UserId,
    key: EntryKey,
    notification: Option<Notification>,
}

impl RemoveEntry {
    /// The request path.
    pub const PATH: &'static str = "/chatroom/entry/remove.json";

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

    fn form(&self) -> FormBody {
        let body = FormBody::new()
            .field("chatroomId", self.chatroom_id.as_str())
            .field("userId", self.user_id.as_str())
            .field("key", self.key.as_str());
        with_notification(body, self.notification_message())
    }
}

impl Operation for RemoveEntry {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "remove_entry";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.chatroom_id.validate(limits)?;
        self.user_id.validate(limits)?;
        self.key.validate(limits)?;
        validate_notification(self.notification.as_ref(), limits)?;
        self.form().check_size(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        post(endpoint, Self::PATH, self.form())
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }

    fn effect(&self) -> Effect {
        Effect::Write {
            notifies: self.notification.is_some(),
        }
    }

    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntryRemove, 1)
    }

    /// 1015 ("the data to delete does not exist") on a repeat after an attempt whose outcome is
    /// unknown: the key is gone, most likely removed by that earlier attempt, so the remove is
    /// done.
    fn settles_repeat(&self, error: &ApiError) -> Option<()> {
        (error.code == ApiCode::RongCloud(RongCloudCode::DataNotFound)).then_some(())
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

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        code_only_reply(request_id)
    }
}

/// Removes up to 20 entries at once, whoever owns them: `POST /chatroom/entry/batch/remove.json`
/// (spec §4.4). No official RongCloud SDK implements this endpoint.
///
/// `entryKeys` is a JSON array in the caller's order. The page marks `entryOwnerId` required
/// although RongCloud does not check ownership, so it is a constructor argument. A key given
/// twice is refused by `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRemoveEntries {
    chatroom_id: ChatroomId,
    owner: UserId,
    keys: Vec<EntryKey>,
}

impl BatchRemoveEntries {
    /// The request path.
    pub const PATH: &'static str = "/chatroom/entry/batch/remove.json";

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

    /// The `entryOwnerId`.
    pub fn owner(&self) -> &UserId {
        &self.owner
    }

    /// The keys, in the caller's order.
    pub fn keys(&self) -> &[EntryKey] {
        &self.keys
    }

    fn form(&self) -> FormBody {
        FormBody::new()
            .field("chatroomId", self.chatroom_id.as_str())
            .field("entryOwnerId", self.owner.as_str())
            .field("entryKeys", &to_json_text(&self.keys))
    }
}

impl Operation for BatchRemoveEntries {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "batch_remove_entries";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.chatroom_id.validate(limits)?;
        self.owner.validate(limits)?;
        check_count(
            "entryKeys",
            "key",
            self.keys.len(),
            limits.rongcloud.batch_entries_max,
        )?;
        for key in &self.keys {
            key.validate(limits)?;
        }
        check_distinct("entryKeys", "key", self.keys.iter().map(EntryKey::as_str))?;
        self.form().check_size(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        post(endpoint, Self::PATH, self.form())
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }

    fn effect(&self) -> Effect {
        Effect::Write { notifies: false }
    }

    /// One unit of the shared remove quota per key.
    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntryRemove, units(self.keys.len()))
    }

    /// 1015 ("the data to delete does not exist") on a repeat after an attempt whose outcome is
    /// unknown: none of the keys are left, most likely removed by that earlier attempt, so the
    /// batch remove is done.
    fn settles_repeat(&self, error: &ApiError) -> Option<()> {
        (error.code == ApiCode::RongCloud(RongCloudCode::DataNotFound)).then_some(())
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

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        code_only_reply(request_id)
    }
}

/// Reads entries: `POST /chatroom/entry/query.json` (spec §4.5). Without keys, every entry of
/// the room; otherwise up to 100 keys, sent as repeated `keys` fields. Repeating a key is
/// harmless here and allowed.
///
/// ```
/// use roomkv_core::rongcloud::{ChatroomId, EntryKey, QueryEntries};
/// use roomkv_core::{BaseUrl, Limits, Operation};
///
/// let op = QueryEntries::new(ChatroomId::parse("room1")?)
///     .with_keys([EntryKey::parse("score")?, EntryKey::parse("stage")?]);
/// op.validate(&Limits::default())?;
/// let request = op.encode(&BaseUrl::parse("https://api.rong-api.com")?)?;
/// assert_eq!(request.uri().path(), "/chatroom/entry/query.json");
/// assert_eq!(request.body().as_slice(), b"chatroomId=room1&keys=score&keys=stage");
///
/// let reply = br#"{"code":200,"keys":[{"key":"score","value":"42","userId":"anchor","autoDelete":"1","lastSetTime":"1700000000000"}]}"#;
/// let entries = op.parse(http::Response::new(&reply[..]))?;
/// assert_eq!(entries[0].value.as_str(), "42");
/// assert!(entries[0].auto_delete);
/// assert_eq!(entries[0].last_set_time_ms, 1_700_000_000_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryEntries {
    chatroom_id: ChatroomId,
    keys: Vec<EntryKey>,
}

impl QueryEntries {
    /// The request path.
    pub const PATH: &'static str = "/chatroom/entry/query.json";

    /// Reads every entry of `chatroom`, unless keys are added with [`with_keys`](Self::with_keys).
    pub fn new(chatroom: ChatroomId) -> Self {
        Self {
            chatroom_id: chatroom,
            keys: Vec::new(),
        }
    }

    /// Reads only `keys` (added to any given before), in this order.
    pub fn with_keys(mut self, keys: impl IntoIterator<Item = EntryKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// The chat room.
    pub fn chatroom_id(&self) -> &ChatroomId {
        &self.chatroom_id
    }

    /// The keys asked for; empty means all.
    pub fn keys(&self) -> &[EntryKey] {
        &self.keys
    }

    fn form(&self) -> FormBody {
        self.keys.iter().fold(
            FormBody::new().field("chatroomId", self.chatroom_id.as_str()),
            |body, key| body.field("keys", key.as_str()),
        )
    }
}

impl Operation for QueryEntries {
    type Endpoint = Endpoint;
    type Output = Vec<Entry>;
    const NAME: &'static str = "query_entries";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.chatroom_id.validate(limits)?;
        if !self.keys.is_empty() {
            check_count(
                "keys",
                "key",
                self.keys.len(),
                limits.rongcloud.query_keys_max,
            )?;
        }
        self.keys.iter().try_for_each(|key| key.validate(limits))?;
        self.form().check_size(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        post(endpoint, Self::PATH, self.form())
    }

    /// Reads `keys` (absent or `null` is no entries). `autoDelete` may be `"0"`/`"1"` as
    /// documented or a number as in the PHP SDK's sample; `lastSetTime` a string of digits as
    /// documented or a number. Texts are taken as sent, without client rules.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<Vec<Entry>, ResponseError> {
        let reply: QueryReply = reply::parse(response)?;
        Ok(reply
            .keys
            .unwrap_or_default()
            .into_iter()
            .map(EntryWire::into_entry)
            .collect())
    }

    fn effect(&self) -> Effect {
        Effect::Read
    }

    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntryQuery, 1)
    }
}

#[cfg(feature = "server")]
impl ServerOperation for QueryEntries {
    /// Reads `chatroomId` (required) and every `keys` field, in order.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        Ok(Self {
            chatroom_id: ChatroomId::non_validated(fields.require("chatroomId")?),
            keys: fields
                .get_all("keys")
                .map(EntryKey::non_validated)
                .collect(),
        })
    }

    /// `{"code":200,"keys":[{"key","value","userId","autoDelete":"0"|"1","lastSetTime":"<ms>"}]}`,
    /// strings throughout as RongCloud sends them.
    fn encode_reply(output: &Vec<Entry>, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        let reply = QueryReplyOut {
            keys: output.iter().map(EntryOut::from).collect(),
        };
        super::server::success_reply(&reply, request_id)
    }
}

/// One entry of a chat room, as [`QueryEntries`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: EntryKey,
    /// The value.
    pub value: EntryValue,
    /// The user who last set the entry (its owner).
    pub user_id: UserId,
    /// Whether the entry is deleted when its owner leaves the room.
    pub auto_delete: bool,
    /// When the entry was last set, in milliseconds since the Unix epoch.
    pub last_set_time_ms: u64,
}

#[derive(Deserialize)]
struct QueryReply {
    #[serde(default)]
    keys: Option<Vec<EntryWire>>,
}

#[derive(Deserialize)]
struct EntryWire {
    key: String,
    value: String,
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(rename = "autoDelete")]
    auto_delete: LenientFlag,
    #[serde(rename = "lastSetTime")]
    last_set_time: LenientInt<u64>,
}

impl EntryWire {
    fn into_entry(self) -> Entry {
        Entry {
            key: EntryKey::non_validated(self.key),
            value: EntryValue::non_validated(self.value),
            user_id: UserId::non_validated(self.user_id),
            auto_delete: self.auto_delete.0,
            last_set_time_ms: self.last_set_time.0,
        }
    }
}

#[cfg(feature = "server")]
#[derive(serde::Serialize)]
struct QueryReplyOut<'a> {
    keys: Vec<EntryOut<'a>>,
}

#[cfg(feature = "server")]
#[derive(serde::Serialize)]
struct EntryOut<'a> {
    key: &'a str,
    value: &'a str,
    #[serde(rename = "userId")]
    user_id: &'a str,
    #[serde(rename = "autoDelete")]
    auto_delete: &'static str,
    #[serde(rename = "lastSetTime")]
    last_set_time: String,
}

#[cfg(feature = "server")]
impl<'a> From<&'a Entry> for EntryOut<'a> {
    fn from(entry: &'a Entry) -> Self {
        Self {
            key: entry.key.as_str(),
            value: entry.value.as_str(),
            user_id: entry.user_id.as_str(),
            auto_delete: flag_text(entry.auto_delete),
            last_set_time: entry.last_set_time_ms.to_string(),
        }
    }
}

fn with_notification(body: FormBody, message: Option<NotificationMessage>) -> FormBody {
    match message {
        Some(message) => body
            .field("objectName", &message.object_name)
            .field("content", &message.content),
        None => body,
    }
}

fn validate_notification(
    notification: Option<&Notification>,
    limits: &Limits,
) -> Result<(), ValidationError> {
    notification.map_or(Ok(()), |n| n.validate(limits))
}

#[cfg(test)]
mod tests;
