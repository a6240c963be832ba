//! The Nexconn v4 JSON dialect of the same features: open-channel metadata (chat-room KV
//! entries) and message metadata (message expansions), spec `rongcloud.md` §6.
//!
//! | operation | path | output |
//! |---|---|---|
//! | [`SetMetadata`] | `/v4/open-channel/metadata/batch/set` | `()` |
//! | [`RemoveMetadata`] | `/v4/open-channel/metadata/batch/remove` | `()` |
//! | [`GetMetadata`] | `/v4/open-channel/metadata/batch/get` | `Vec<`[`Entry`]`>` |
//! | [`SetMessageMetadata`] | `/v4/channel-type/message/metadata/set` | `()` |
//! | [`DeleteMessageMetadata`] | `/v4/channel-type/message/metadata/delete` | `()` |
//! | [`ListMessageMetadata`] | `/v4/channel-type/message/metadata/list` | [`ExpansionPage`] |
//!
//! Every request is a `POST` with a JSON body (`application/json`), members in the order of the
//! spec's table, maps in the caller's order; flags are always sent, as the numbers `0` or `1`.
//! Every body has exactly the members, names and JSON types of the request model of Nexconn's
//! generated server SDKs (0.1.2, `nexconn-server-sdk-go` `model_*.go`, `ncsdk/models/*.py`;
//! spec `rongcloud.md` §6): `messageId` on the three message-metadata requests,
//! `metadataOwnerId` on batch set and remove, `isEchoToSender` on set and `syncToSender` on
//! delete. The golden corpus `testdata/wire/` records those models next to the doc pages that
//! disagree with them, and the corpus tests pin what is sent.
//!
//! The server side ([`crate::rongcloud::server::v4`]) is as strict as those models: each endpoint
//! reads only the spellings documented for it (the one disagreement it tolerates: set and delete
//! also read `messageUID`, the spelling of a version of their doc pages), a missing required
//! field or a field of the wrong JSON type (a number for a string, a boolean for a `0`/`1` flag)
//! is a [`DecodeError`] naming the field, and unknown members are ignored.
//!
//! Validation, quotas and effects are those of the legacy twins: the same key, value and batch
//! limits, and [`validate`](Operation::validate) checks the JSON body `encode` sends against
//! [`request_body_max_bytes`](crate::RongCloudLimits::request_body_max_bytes). Replies are
//! `{"code":0,"result":{...}}`; errors `{"code":N,"errorMessage":"..."}` with a meaningful HTTP
//! status (see [`Operation::parse`] of each operation).
//!
//! ```
//! use roomkv_core::rongcloud::v4::SetMetadata;
//! use roomkv_core::rongcloud::{ChatroomId, EntryKey, EntryValue, UserId};
//! use roomkv_core::{BaseUrl, Limits, Operation};
//!
//! let op = SetMetadata::new(
//!     ChatroomId::parse("room1")?,
//!     UserId::parse("anchor")?,
//!     [(EntryKey::parse("score")?, EntryValue::parse("42")?)],
//! )
//! .auto_delete(true);
//! op.validate(&Limits::default())?;
//! let request = op.encode(&BaseUrl::parse("https://api.nexconn.ai")?)?;
//! assert_eq!(request.uri(), "https://api.nexconn.ai/v4/open-channel/metadata/batch/set");
//! assert_eq!(request.headers()["content-type"], "application/json");
//! assert_eq!(
//!     request.body().as_slice(),
//!     br#"{"channelId":"room1","metadataOwnerId":"anchor","metadata":{"score":"42"},"shouldAutoDelete":1}"#
//! );
//! assert_eq!(op.parse(http::Response::new(&br#"{"code":0}"#[..]))?, ());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

use super::json::{LenientFlag, LenientInt, ObjectInOrder, to_json_text};
use super::reply::{self, NoPayload};
use super::{
    ChatroomId, ConversationType, Endpoint, Entry, EntryKey, EntryValue, ExpansionEntry,
    ExpansionKey, ExpansionPage, ExpansionValue, MsgUid, TargetId, UserId, check_distinct, units,
};
use crate::validate::check_count;
use crate::{
    ApiCode, ApiError, DecodeError, Effect, EncodeError, Limits, Operation, QuotaCost, QuotaFamily,
    ResponseError, RongCloudCode, Unit, ValidationError,
};

#[cfg(feature = "server")]
use {
    super::json::{JsonFields, PairsInOrder},
    super::server::v4::success_reply,
    crate::ServerOperation,
};

/// The content type of v4 request bodies.
pub(crate) const CONTENT_TYPE: &str = "application/json";

/// The message field of the three message-metadata requests, as Nexconn's generated models
/// spell it (and roomkv sends it).
#[cfg(feature = "server")]
const MESSAGE_ID: &str = "messageId";

/// The spelling of the message field in one version of the set and delete doc pages; read by
/// those two endpoints only, never sent.
#[cfg(feature = "server")]
const MESSAGE_UID: &str = "messageUID";

/// The JSON text of a request body.
fn json_body<T: Serialize>(body: &T) -> Vec<u8> {
    to_json_text(body).into_bytes()
}

/// Refuses a body longer than
/// [`request_body_max_bytes`](crate::RongCloudLimits::request_body_max_bytes), as the legacy
/// operations do.
fn check_size(body: &[u8], limits: &Limits) -> Result<(), ValidationError> {
    let max = limits.rongcloud.request_body_max_bytes;
    if body.len() > max {
        return Err(ValidationError::TooLong {
            field: "request body",
            len: body.len(),
            max,
            unit: Unit::Bytes,
        });
    }
    Ok(())
}

/// A JSON `POST` to `path` on `endpoint`.
fn post(
    endpoint: &Endpoint,
    path: &str,
    body: Vec<u8>,
) -> Result<http::Request<Vec<u8>>, EncodeError> {
    Ok(http::Request::post(endpoint.join(path)?)
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .body(body)?)
}

/// A flag as the number v4 sends.
const fn flag_number(flag: bool) -> u8 {
    if flag { 1 } else { 0 }
}

/// Implements the parts every v4 operation shares.
macro_rules! json_operation {
    () => {
        fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
            post(endpoint, Self::PATH, self.body())
        }
    };
}

// ---- open-channel metadata ----------------------------------------------------------------------

/// Sets up to 20 entries at once, all owned by one user:
/// `POST /v4/open-channel/metadata/batch/set` (spec §6), the v4 twin of
/// [`BatchSetEntries`](super::BatchSetEntries) (v4 has no single-key set).
///
/// Body: `{"channelId","metadataOwnerId","metadata":{k:v},"shouldAutoDelete":0|1}`, `metadata`
/// in the caller's order; a key given twice is refused by `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMetadata {
    channel_id: ChatroomId,
    owner: UserId,
    entries: Vec<(EntryKey, EntryValue)>,
    auto_delete: bool,
}

impl SetMetadata {
    /// The request path.
    pub const PATH: &'static str = "/v4/open-channel/metadata/batch/set";

    /// Sets `pairs` in `channel`, all owned by `owner` (`metadataOwnerId`); no auto-delete.
    pub fn new(
        channel: ChatroomId,
        owner: UserId,
        pairs: impl IntoIterator<Item = (EntryKey, EntryValue)>,
    ) -> Self {
        Self {
            channel_id: channel,
            owner,
            entries: pairs.into_iter().collect(),
            auto_delete: false,
        }
    }

    /// Whether the entries are deleted when their owner leaves the channel
    /// (`shouldAutoDelete`).
    pub fn auto_delete(mut self, yes: bool) -> Self {
        self.auto_delete = yes;
        self
    }

    /// The open channel (chat room).
    pub fn channel_id(&self) -> &ChatroomId {
        &self.channel_id
    }

    /// The owner of every entry (`metadataOwnerId`).
    pub fn owner(&self) -> &UserId {
        &self.owner
    }

    /// The entries, in the caller's order.
    pub fn entries(&self) -> &[(EntryKey, EntryValue)] {
        &self.entries
    }

    /// The `shouldAutoDelete` flag.
    pub fn is_auto_delete(&self) -> bool {
        self.auto_delete
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "channelId")]
            channel_id: &'a ChatroomId,
            #[serde(rename = "metadataOwnerId")]
            owner: &'a UserId,
            metadata: ObjectInOrder<'a, EntryKey, EntryValue>,
            #[serde(rename = "shouldAutoDelete")]
            auto_delete: u8,
        }
        json_body(&Body {
            channel_id: &self.channel_id,
            owner: &self.owner,
            metadata: ObjectInOrder(&self.entries),
            auto_delete: flag_number(self.auto_delete),
        })
    }
}

impl Operation for SetMetadata {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "v4_set_metadata";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.channel_id.validate(limits)?;
        self.owner.validate(limits)?;
        check_count(
            "metadata",
            "pair",
            self.entries.len(),
            limits.rongcloud.batch_entries_max,
        )?;
        for (key, value) in &self.entries {
            key.validate(limits)?;
            value.validate(limits)?;
        }
        check_distinct(
            "metadata",
            "key",
            self.entries.iter().map(|(k, _)| k.as_str()),
        )?;
        check_size(&self.body(), limits)
    }

    json_operation!();

    /// `{"code":0}`; errors as described in the [module](self) documentation.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse_v4::<NoPayload>(response).map(drop)
    }

    /// A write without a notification, as the legacy batch set.
    fn effect(&self) -> Effect {
        Effect::Write { notifies: false }
    }

    /// One unit of the shared set quota per pair.
    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntrySet, units(self.entries.len()))
    }
}

#[cfg(feature = "server")]
impl ServerOperation for SetMetadata {
    /// Reads `channelId`, `metadataOwnerId` (strings), `metadata` (an object of strings, in
    /// document order with duplicates kept), all required, and `shouldAutoDelete` (the number
    /// `0` or `1`; absent is `0`), as `OpenChannelMetadataBatchSetRequest`. Other members
    /// are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let channel_id = ChatroomId::non_validated(fields.text(&["channelId"])?);
        let owner = UserId::non_validated(fields.text(&["metadataOwnerId"])?);
        let entries = fields
            .require::<PairsInOrder<String>>(&["metadata"])?
            .0
            .into_iter()
            .map(|(k, v)| (EntryKey::non_validated(k), EntryValue::non_validated(v)))
            .collect();
        let auto_delete = fields.flag(&["shouldAutoDelete"])?;
        Ok(Self {
            channel_id,
            owner,
            entries,
            auto_delete,
        })
    }

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        success_reply::<()>(None, request_id)
    }
}

/// Removes up to 20 entries at once: `POST /v4/open-channel/metadata/batch/remove` (spec §6),
/// the v4 twin of [`BatchRemoveEntries`](super::BatchRemoveEntries).
///
/// Body: `{"channelId","metadataOwnerId","metadataKeys":[...]}`, keys in the caller's order; a
/// key given twice is refused by `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveMetadata {
    channel_id: ChatroomId,
    owner: UserId,
    keys: Vec<EntryKey>,
}

impl RemoveMetadata {
    /// The request path.
    pub const PATH: &'static str = "/v4/open-channel/metadata/batch/remove";

    /// Removes `keys` from `channel`, sent with `metadataOwnerId` `owner`.
    pub fn new(
        channel: ChatroomId,
        owner: UserId,
        keys: impl IntoIterator<Item = EntryKey>,
    ) -> Self {
        Self {
            channel_id: channel,
            owner,
            keys: keys.into_iter().collect(),
        }
    }

    /// The open channel (chat room).
    pub fn channel_id(&self) -> &ChatroomId {
        &self.channel_id
    }

    /// The `metadataOwnerId`.
    pub fn owner(&self) -> &UserId {
        &self.owner
    }

    /// The keys, in the caller's order.
    pub fn keys(&self) -> &[EntryKey] {
        &self.keys
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "channelId")]
            channel_id: &'a ChatroomId,
            #[serde(rename = "metadataOwnerId")]
            owner: &'a UserId,
            #[serde(rename = "metadataKeys")]
            keys: &'a [EntryKey],
        }
        json_body(&Body {
            channel_id: &self.channel_id,
            owner: &self.owner,
            keys: &self.keys,
        })
    }
}

impl Operation for RemoveMetadata {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "v4_remove_metadata";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.channel_id.validate(limits)?;
        self.owner.validate(limits)?;
        check_count(
            "metadataKeys",
            "key",
            self.keys.len(),
            limits.rongcloud.batch_entries_max,
        )?;
        for key in &self.keys {
            key.validate(limits)?;
        }
        check_distinct(
            "metadataKeys",
            "key",
            self.keys.iter().map(EntryKey::as_str),
        )?;
        check_size(&self.body(), limits)
    }

    json_operation!();

    /// `{"code":0}`; errors as described in the [module](self) documentation.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse_v4::<NoPayload>(response).map(drop)
    }

    fn effect(&self) -> Effect {
        Effect::Write { notifies: false }
    }

    /// One unit of the shared remove quota per key.
    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntryRemove, units(self.keys.len()))
    }

    /// Code 1015 ("the data to delete does not exist"), whatever the HTTP status it came with
    /// (v4 may send it with 404), on a repeat after an attempt whose outcome is unknown: the
    /// keys are gone, most likely removed by that earlier attempt, so the remove is done. A 404
    /// without that code (endpoint not found) does not settle anything.
    fn settles_repeat(&self, error: &ApiError) -> Option<()> {
        (error.code == ApiCode::RongCloud(RongCloudCode::DataNotFound)).then_some(())
    }
}

#[cfg(feature = "server")]
impl ServerOperation for RemoveMetadata {
    /// Reads `channelId`, `metadataOwnerId` (strings) and `metadataKeys` (an array of strings),
    /// all required, as `OpenChannelMetadataBatchRemoveRequest`. Other members are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let channel_id = ChatroomId::non_validated(fields.text(&["channelId"])?);
        let owner = UserId::non_validated(fields.text(&["metadataOwnerId"])?);
        let keys = fields
            .require::<Vec<String>>(&["metadataKeys"])?
            .into_iter()
            .map(EntryKey::non_validated)
            .collect();
        Ok(Self {
            channel_id,
            owner,
            keys,
        })
    }

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        success_reply::<()>(None, request_id)
    }
}

/// Reads entries: `POST /v4/open-channel/metadata/batch/get` (spec §6), the v4 twin of
/// [`QueryEntries`](super::QueryEntries). Without keys, every entry of the channel
/// (`metadataKeys` is then not sent); otherwise up to 100 keys. Repeating a key is allowed.
///
/// ```
/// use roomkv_core::rongcloud::v4::GetMetadata;
/// use roomkv_core::rongcloud::{ChatroomId, EntryKey};
/// use roomkv_core::{BaseUrl, Operation};
///
/// let op = GetMetadata::new(ChatroomId::parse("room1")?).with_keys([EntryKey::parse("score")?]);
/// let request = op.encode(&BaseUrl::parse("https://api.nexconn.ai")?)?;
/// assert_eq!(request.body().as_slice(), br#"{"channelId":"room1","metadataKeys":["score"]}"#);
///
/// let reply = br#"{"code":0,"result":{"metadata":[{"key":"score","value":"42","metadataOwnerId":"anchor","shouldAutoDelete":1,"updatedAt":1700000000000}]}}"#;
/// let entries = op.parse(http::Response::new(&reply[..]))?;
/// assert_eq!(entries[0].user_id.as_str(), "anchor");
/// assert!(entries[0].auto_delete);
/// assert_eq!(entries[0].last_set_time_ms, 1_700_000_000_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetMetadata {
    channel_id: ChatroomId,
    keys: Vec<EntryKey>,
}

impl GetMetadata {
    /// The request path.
    pub const PATH: &'static str = "/v4/open-channel/metadata/batch/get";

    /// Reads every entry of `channel`, unless keys are added with
    /// [`with_keys`](Self::with_keys).
    pub fn new(channel: ChatroomId) -> Self {
        Self {
            channel_id: channel,
            keys: Vec::new(),
        }
    }

    /// Reads only `keys` (added to any given before), in this order.
    pub fn with_keys(mut self, keys: impl IntoIterator<Item = EntryKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// The open channel (chat room).
    pub fn channel_id(&self) -> &ChatroomId {
        &self.channel_id
    }

    /// The keys asked for; empty means all.
    pub fn keys(&self) -> &[EntryKey] {
        &self.keys
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "channelId")]
            channel_id: &'a ChatroomId,
            #[serde(rename = "metadataKeys", skip_serializing_if = "<[_]>::is_empty")]
            keys: &'a [EntryKey],
        }
        json_body(&Body {
            channel_id: &self.channel_id,
            keys: &self.keys,
        })
    }
}

impl Operation for GetMetadata {
    type Endpoint = Endpoint;
    type Output = Vec<Entry>;
    const NAME: &'static str = "v4_get_metadata";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.channel_id.validate(limits)?;
        if !self.keys.is_empty() {
            check_count(
                "metadataKeys",
                "key",
                self.keys.len(),
                limits.rongcloud.query_keys_max,
            )?;
        }
        self.keys.iter().try_for_each(|key| key.validate(limits))?;
        check_size(&self.body(), limits)
    }

    json_operation!();

    /// Reads `result.metadata` (absent or `null` is no entries). The owner is
    /// `metadataOwnerId` or, in the other version of the page, `userId`; `shouldAutoDelete`
    /// may be a number, a string or a boolean (absent is `0`); `updatedAt` a number or a string
    /// of digits. Texts are taken as sent, without client rules.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<Vec<Entry>, ResponseError> {
        let reply: GetReply = reply::parse_v4(response)?;
        reply
            .metadata
            .unwrap_or_default()
            .into_iter()
            .map(|wire| wire.into_entry().map_err(ResponseError::from))
            .collect()
    }

    fn effect(&self) -> Effect {
        Effect::Read
    }

    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudEntryQuery, 1)
    }
}

#[cfg(feature = "server")]
impl ServerOperation for GetMetadata {
    /// Reads `channelId` (required) and `metadataKeys` (optional; absent, `null` or `[]` is
    /// every key). Other members are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let channel_id = ChatroomId::non_validated(fields.text(&["channelId"])?);
        let keys = fields
            .optional::<Vec<String>>(&["metadataKeys"])?
            .unwrap_or_default()
            .into_iter()
            .map(EntryKey::non_validated)
            .collect();
        Ok(Self { channel_id, keys })
    }

    /// `{"code":0,"result":{"metadata":[{"key","value","metadataOwnerId","shouldAutoDelete":0|1,
    /// "updatedAt":ms}]}}`, numbers as numbers.
    fn encode_reply(output: &Vec<Entry>, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        let result = GetReplyOut {
            metadata: output
                .iter()
                .map(|entry| MetadataOut {
                    key: entry.key.as_str(),
                    value: entry.value.as_str(),
                    owner: entry.user_id.as_str(),
                    auto_delete: flag_number(entry.auto_delete),
                    updated_at: entry.last_set_time_ms,
                })
                .collect(),
        };
        success_reply(Some(&result), request_id)
    }
}

#[derive(Deserialize, Default)]
struct GetReply {
    #[serde(default)]
    metadata: Option<Vec<MetadataWire>>,
}

#[derive(Deserialize)]
struct MetadataWire {
    key: String,
    value: String,
    #[serde(rename = "metadataOwnerId", default)]
    owner: Option<String>,
    #[serde(rename = "userId", default)]
    user_id: Option<String>,
    #[serde(rename = "shouldAutoDelete", default)]
    auto_delete: Option<LenientFlag>,
    #[serde(rename = "updatedAt")]
    updated_at: LenientInt<u64>,
}

impl MetadataWire {
    fn into_entry(self) -> Result<Entry, DecodeError> {
        let owner = self.owner.or(self.user_id).ok_or_else(|| {
            DecodeError::field(
                "metadataOwnerId",
                "an entry without metadataOwnerId or userId",
            )
        })?;
        Ok(Entry {
            key: EntryKey::non_validated(self.key),
            value: EntryValue::non_validated(self.value),
            user_id: UserId::non_validated(owner),
            auto_delete: self.auto_delete.is_some_and(|flag| flag.0),
            last_set_time_ms: self.updated_at.0,
        })
    }
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct GetReplyOut<'a> {
    metadata: Vec<MetadataOut<'a>>,
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct MetadataOut<'a> {
    key: &'a str,
    value: &'a str,
    #[serde(rename = "metadataOwnerId")]
    owner: &'a str,
    #[serde(rename = "shouldAutoDelete")]
    auto_delete: u8,
    #[serde(rename = "updatedAt")]
    updated_at: u64,
}

// ---- message metadata ---------------------------------------------------------------------------

/// The message a metadata write applies to, shared by set and delete.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    msg_uid: MsgUid,
    user_id: UserId,
    conversation_type: ConversationType,
    target_id: TargetId,
    sync_sender: bool,
}

impl Target {
    fn new(
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

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.msg_uid.validate(limits)?;
        self.user_id.validate(limits)?;
        self.target_id.validate(limits)
    }

    fn quota(&self) -> QuotaCost {
        let cost = QuotaCost::one(QuotaFamily::RongCloudExpansionWrite, 1);
        match self.conversation_type {
            ConversationType::Private => cost,
            ConversationType::Group => cost.and(QuotaFamily::RongCloudExpansionGroupWrite, 1),
        }
    }

    /// Reads `messageId` (or, as one version of the endpoint's page spells it, `messageUID`),
    /// `userId`, `channelType` (the number 1 or 3), `channelId` (strings) and the endpoint's
    /// flag, `flag` (the number 0 or 1, absent is 0).
    #[cfg(feature = "server")]
    fn decode(fields: &JsonFields, flag: &'static str) -> Result<Self, DecodeError> {
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

macro_rules! target_accessors {
    ($flag:literal) => {
        #[doc = concat!(
                    "Whether the change is echoed to the operator's own clients (`", $flag, "`)."
                )]
        pub fn sync_sender(mut self, yes: bool) -> Self {
            self.target.sync_sender = yes;
            self
        }

        /// The message (`messageId`).
        pub fn msg_uid(&self) -> &MsgUid {
            &self.target.msg_uid
        }

        /// The operator.
        pub fn user_id(&self) -> &UserId {
            &self.target.user_id
        }

        /// The conversation type (`channelType`).
        pub fn conversation_type(&self) -> ConversationType {
            self.target.conversation_type
        }

        /// The conversation's target (`channelId`): a user id (private) or a group id (group).
        pub fn target_id(&self) -> &TargetId {
            &self.target.target_id
        }

        #[doc = concat!("The `", $flag, "` flag.")]
        pub fn is_sync_sender(&self) -> bool {
            self.target.sync_sender
        }
    };
}

/// Sets up to 100 metadata entries (expansions) of a message:
/// `POST /v4/channel-type/message/metadata/set` (spec §6), the v4 twin of
/// [`SetExpansion`](super::SetExpansion).
///
/// Body: `{"messageId","userId","channelType":1|3,"channelId","metadata":{...},
/// "isEchoToSender":0|1}`, Nexconn's generated `MessageMetadataSetRequest` (one version of the
/// doc page says `messageUID`, another the path `/v4/message/metadata/set`). A key given twice
/// is refused by `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMessageMetadata {
    target: Target,
    entries: Vec<(ExpansionKey, ExpansionValue)>,
}

impl SetMessageMetadata {
    /// The request path.
    pub const PATH: &'static str = "/v4/channel-type/message/metadata/set";

    /// Sets `pairs` on message `msg` of the `conversation` with `target`, as `user`.
    pub fn new(
        msg: MsgUid,
        user: UserId,
        conversation: ConversationType,
        target: TargetId,
        pairs: impl IntoIterator<Item = (ExpansionKey, ExpansionValue)>,
    ) -> Self {
        Self {
            target: Target::new(msg, user, conversation, target),
            entries: pairs.into_iter().collect(),
        }
    }

    /// The name of this endpoint's flag.
    #[cfg(feature = "server")]
    const ECHO_FLAG: &'static str = "isEchoToSender";

    target_accessors!("isEchoToSender");

    /// The metadata entries, in the caller's order.
    pub fn entries(&self) -> &[(ExpansionKey, ExpansionValue)] {
        &self.entries
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "messageId")]
            msg_uid: &'a MsgUid,
            #[serde(rename = "userId")]
            user_id: &'a UserId,
            #[serde(rename = "channelType")]
            channel_type: u8,
            #[serde(rename = "channelId")]
            channel_id: &'a TargetId,
            metadata: ObjectInOrder<'a, ExpansionKey, ExpansionValue>,
            #[serde(rename = "isEchoToSender")]
            echo: u8,
        }
        let t = &self.target;
        json_body(&Body {
            msg_uid: &t.msg_uid,
            user_id: &t.user_id,
            channel_type: t.conversation_type.code(),
            channel_id: &t.target_id,
            metadata: ObjectInOrder(&self.entries),
            echo: flag_number(t.sync_sender),
        })
    }
}

impl Operation for SetMessageMetadata {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "v4_set_message_metadata";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.target.validate(limits)?;
        check_count(
            "metadata",
            "pair",
            self.entries.len(),
            limits.rongcloud.expansion_keys_per_call_max,
        )?;
        for (key, value) in &self.entries {
            key.validate(limits)?;
            value.validate(limits)?;
        }
        check_distinct(
            "metadata",
            "key",
            self.entries.iter().map(|(k, _)| k.as_str()),
        )?;
        check_size(&self.body(), limits)
    }

    json_operation!();

    /// `{"code":0}`; errors as described in the [module](self) documentation.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse_v4::<NoPayload>(response).map(drop)
    }

    /// The change produces an operation message in the conversation, as legacy expansions do.
    fn effect(&self) -> Effect {
        Effect::Write { notifies: true }
    }

    /// One expansion write, plus one group expansion write on a group message.
    fn quota(&self) -> QuotaCost {
        self.target.quota()
    }
}

#[cfg(feature = "server")]
impl ServerOperation for SetMessageMetadata {
    /// Reads `messageId` (or `messageUID`, a doc page's spelling), `userId`, `channelType`,
    /// `channelId`, `metadata` (an object of strings, in document order with duplicates kept),
    /// all required, and `isEchoToSender` (the number `0` or `1`; absent is `0`). Other members
    /// are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let target = Target::decode(&fields, Self::ECHO_FLAG)?;
        let entries = fields
            .require::<PairsInOrder<String>>(&["metadata"])?
            .0
            .into_iter()
            .map(|(k, v)| {
                (
                    ExpansionKey::non_validated(k),
                    ExpansionValue::non_validated(v),
                )
            })
            .collect();
        Ok(Self { target, entries })
    }

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        success_reply::<()>(None, request_id)
    }
}

/// Deletes up to 100 metadata entries (expansions) of a message:
/// `POST /v4/channel-type/message/metadata/delete` (spec §6), the v4 twin of
/// [`DeleteExpansion`](super::DeleteExpansion).
///
/// Body: `{"messageId","userId","channelType","channelId","keys":[...],"syncToSender":0|1}`,
/// Nexconn's generated `ChannelTypeMessageMetadataDeleteRequest` (the doc page says
/// `messageUID`); the flag is `syncToSender` here where set says `isEchoToSender`. A key given
/// twice is refused by `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteMessageMetadata {
    target: Target,
    keys: Vec<ExpansionKey>,
}

impl DeleteMessageMetadata {
    /// The request path.
    pub const PATH: &'static str = "/v4/channel-type/message/metadata/delete";

    /// Deletes `keys` from message `msg` of the `conversation` with `target`, as `user`.
    pub fn new(
        msg: MsgUid,
        user: UserId,
        conversation: ConversationType,
        target: TargetId,
        keys: impl IntoIterator<Item = ExpansionKey>,
    ) -> Self {
        Self {
            target: Target::new(msg, user, conversation, target),
            keys: keys.into_iter().collect(),
        }
    }

    /// The name of this endpoint's flag.
    #[cfg(feature = "server")]
    const SYNC_FLAG: &'static str = "syncToSender";

    target_accessors!("syncToSender");

    /// The keys, in the caller's order.
    pub fn keys(&self) -> &[ExpansionKey] {
        &self.keys
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "messageId")]
            msg_uid: &'a MsgUid,
            #[serde(rename = "userId")]
            user_id: &'a UserId,
            #[serde(rename = "channelType")]
            channel_type: u8,
            #[serde(rename = "channelId")]
            channel_id: &'a TargetId,
            keys: &'a [ExpansionKey],
            #[serde(rename = "syncToSender")]
            sync: u8,
        }
        let t = &self.target;
        json_body(&Body {
            msg_uid: &t.msg_uid,
            user_id: &t.user_id,
            channel_type: t.conversation_type.code(),
            channel_id: &t.target_id,
            keys: &self.keys,
            sync: flag_number(t.sync_sender),
        })
    }
}

impl Operation for DeleteMessageMetadata {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "v4_delete_message_metadata";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.target.validate(limits)?;
        check_count(
            "keys",
            "key",
            self.keys.len(),
            limits.rongcloud.expansion_keys_per_call_max,
        )?;
        for key in &self.keys {
            key.validate(limits)?;
        }
        check_distinct("keys", "key", self.keys.iter().map(ExpansionKey::as_str))?;
        check_size(&self.body(), limits)
    }

    json_operation!();

    /// `{"code":0}`; errors as described in the [module](self) documentation.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse_v4::<NoPayload>(response).map(drop)
    }

    /// The change produces an operation message in the conversation, as legacy expansions do.
    fn effect(&self) -> Effect {
        Effect::Write { notifies: true }
    }

    /// One expansion write, plus one group expansion write on a group message.
    fn quota(&self) -> QuotaCost {
        self.target.quota()
    }
}

#[cfg(feature = "server")]
impl ServerOperation for DeleteMessageMetadata {
    /// Reads `messageId` (or `messageUID`, the doc page's spelling), `userId`, `channelType`,
    /// `channelId`, `keys` (an array of strings), all required, and `syncToSender` (the number
    /// `0` or `1`; absent is `0`). Other members are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let target = Target::decode(&fields, Self::SYNC_FLAG)?;
        let keys = fields
            .require::<Vec<String>>(&["keys"])?
            .into_iter()
            .map(ExpansionKey::non_validated)
            .collect();
        Ok(Self { target, keys })
    }

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        success_reply::<()>(None, request_id)
    }
}

/// Reads the metadata entries (expansions) of a message, one page at a time:
/// `POST /v4/channel-type/message/metadata/list` (spec §6), the v4 twin of
/// [`QueryExpansion`](super::QueryExpansion).
///
/// Body: `{"messageId","page"}`, `page` only when [`page`](Self::page) set one, Nexconn's
/// generated `ChannelTypeMessageMetadataListRequest`.
///
/// ```
/// use roomkv_core::rongcloud::v4::ListMessageMetadata;
/// use roomkv_core::rongcloud::MsgUid;
/// use roomkv_core::{BaseUrl, Operation};
///
/// let op = ListMessageMetadata::new(MsgUid::parse("BRGM-DEN2-01E4-BN66")?).page(2);
/// let request = op.encode(&BaseUrl::parse("https://api.nexconn.ai")?)?;
/// assert_eq!(request.body().as_slice(), br#"{"messageId":"BRGM-DEN2-01E4-BN66","page":2}"#);
///
/// let reply = br#"{"code":0,"result":{"metadata":[{"key":"likes","value":"3","updatedAt":1700000000000}]}}"#;
/// let page = op.parse(http::Response::new(&reply[..]))?;
/// assert_eq!(page.get("likes").unwrap().version, 1_700_000_000_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMessageMetadata {
    msg_uid: MsgUid,
    page: Option<u32>,
}

impl ListMessageMetadata {
    /// The request path.
    pub const PATH: &'static str = "/v4/channel-type/message/metadata/list";

    /// Reads the first page of the metadata of `msg`; `page` is not sent.
    pub fn new(msg: MsgUid) -> Self {
        Self {
            msg_uid: msg,
            page: None,
        }
    }

    /// Reads page `page` (from 1).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// The message.
    pub fn msg_uid(&self) -> &MsgUid {
        &self.msg_uid
    }

    /// The page asked for, if one was.
    pub fn page_no(&self) -> Option<u32> {
        self.page
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "messageId")]
            msg_uid: &'a MsgUid,
            #[serde(skip_serializing_if = "Option::is_none")]
            page: Option<u32>,
        }
        json_body(&Body {
            msg_uid: &self.msg_uid,
            page: self.page,
        })
    }
}

impl Operation for ListMessageMetadata {
    type Endpoint = Endpoint;
    type Output = ExpansionPage;
    const NAME: &'static str = "v4_list_message_metadata";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.msg_uid.validate(limits)?;
        if self.page == Some(0) {
            return Err(ValidationError::OutOfRange {
                field: "page",
                value: "0".to_owned(),
                allowed: "page numbers from 1",
            });
        }
        check_size(&self.body(), limits)
    }

    json_operation!();

    /// Reads `result.metadata` (absent or `null` is an empty page), an ordered list; each
    /// `updatedAt` (a number or a string of digits) becomes the entry's
    /// [`version`](ExpansionEntry::version). Texts are taken as sent, without client rules.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<ExpansionPage, ResponseError> {
        let reply: ListReply = reply::parse_v4(response)?;
        let entries = reply
            .metadata
            .unwrap_or_default()
            .into_iter()
            .map(|wire| ExpansionEntry {
                key: ExpansionKey::non_validated(wire.key),
                value: ExpansionValue::non_validated(wire.value),
                version: wire.updated_at.0,
            })
            .collect();
        Ok(ExpansionPage { entries })
    }

    fn effect(&self) -> Effect {
        Effect::Read
    }

    fn quota(&self) -> QuotaCost {
        QuotaCost::one(QuotaFamily::RongCloudExpansionQuery, 1)
    }
}

#[cfg(feature = "server")]
impl ServerOperation for ListMessageMetadata {
    /// Reads `messageId` (a string, required; no other spelling, as no source documents one for
    /// this endpoint) and `page` (optional; a JSON number, a non-negative integer). Other
    /// members are ignored.
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let msg_uid = MsgUid::non_validated(fields.text(&[MESSAGE_ID])?);
        let page = fields.optional::<u32>(&["page"])?;
        Ok(Self { msg_uid, page })
    }

    /// `{"code":0,"result":{"metadata":[{"key","value","updatedAt"}]}}`, in the page's order.
    fn encode_reply(output: &ExpansionPage, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        let result = ListReplyOut {
            metadata: output
                .entries
                .iter()
                .map(|e| ListEntryOut {
                    key: e.key.as_str(),
                    value: e.value.as_str(),
                    updated_at: e.version,
                })
                .collect(),
        };
        success_reply(Some(&result), request_id)
    }
}

#[derive(Deserialize, Default)]
struct ListReply {
    #[serde(default)]
    metadata: Option<Vec<ListEntryWire>>,
}

#[derive(Deserialize)]
struct ListEntryWire {
    key: String,
    value: String,
    #[serde(rename = "updatedAt")]
    updated_at: LenientInt<i64>,
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct ListReplyOut<'a> {
    metadata: Vec<ListEntryOut<'a>>,
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct ListEntryOut<'a> {
    key: &'a str,
    value: &'a str,
    #[serde(rename = "updatedAt")]
    updated_at: i64,
}

#[cfg(test)]
mod tests;
