//! Reading entries ([`QueryEntries`]) and what is read ([`Entry`]), in both dialects.

use serde::{Deserialize, Serialize};

use crate::rongcloud::dialect::{Body, legacy_form};
use crate::rongcloud::form::FormBody;
use crate::rongcloud::json::{LenientFlag, LenientInt};
use crate::rongcloud::reply;
use crate::rongcloud::{
    ChatroomId, Dialect, Endpoint, EntryKey, EntryValue, RongCloudOperation, UserId,
};
use crate::validate::check_count;
use crate::{DecodeError, Effect, Limits, Operation, QuotaFamily, ResponseError, ValidationError};

use crate::rongcloud::declaration;
use crate::{Declaration, QuotaRule, V4Paths};
#[cfg(feature = "server")]
use {
    crate::ServerOperation,
    crate::rongcloud::dialect::flag_number,
    crate::rongcloud::dialect_decoding::DialectDecoding,
    crate::rongcloud::flag_text,
    crate::rongcloud::form::FormFields,
    crate::rongcloud::json::JsonFields,
    crate::rongcloud::reply_encoding::{ReplyEncoding, success_reply, v4_success_reply},
};

/// Reads entries: `POST /chatroom/entry/query.json` (`docs/vendors/rongcloud.md#kv-query`), in v4
/// `POST /v4/open-channel/metadata/batch/get` (`docs/vendors/rongcloud.md#v4`). Without keys, every entry of the room
/// (v4 then sends no `metadataKeys`); otherwise up to 100 keys, sent as repeated `keys` fields
/// (v4: the `metadataKeys` array). Repeating a key is harmless here and allowed.
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
///
/// In v4:
///
/// ```
/// use roomkv_core::rongcloud::{ChatroomId, Dialect, EntryKey, QueryEntries, RongCloudOperation};
/// use roomkv_core::{BaseUrl, Operation};
///
/// let op = QueryEntries::new(ChatroomId::parse("room1")?).with_keys([EntryKey::parse("score")?]);
/// let v4 = op.in_dialect(Dialect::V4)?;
/// let request = v4.encode(&BaseUrl::parse("https://api.nexconn.ai")?)?;
/// assert_eq!(request.body().as_slice(), br#"{"channelId":"room1","metadataKeys":["score"]}"#);
///
/// let reply = br#"{"code":0,"result":{"metadata":[{"key":"score","value":"42","metadataOwnerId":"anchor","shouldAutoDelete":1,"updatedAt":1700000000000}]}}"#;
/// let entries = v4.parse(http::Response::new(&reply[..]))?;
/// assert_eq!(entries[0].user_id.as_str(), "anchor");
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
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// The v4 request path.
    pub const V4_PATH: &'static str = Self::DECLARATION.paths.get(Dialect::V4);

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
}

impl RongCloudOperation for QueryEntries {
    fn body(&self, dialect: Dialect) -> Body {
        #[derive(Serialize)]
        struct V4Body<'a> {
            #[serde(rename = "channelId")]
            channel_id: &'a ChatroomId,
            #[serde(rename = "metadataKeys", skip_serializing_if = "<[_]>::is_empty")]
            keys: &'a [EntryKey],
        }
        match dialect {
            Dialect::Legacy => Body::of_form(self.keys.iter().fold(
                FormBody::new().field("chatroomId", self.chatroom_id.as_str()),
                |body, key| body.field("keys", key.as_str()),
            )),
            Dialect::V4 => Body::json(&V4Body {
                channel_id: &self.chatroom_id,
                keys: &self.keys,
            }),
        }
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        self.chatroom_id.validate(limits)?;
        if !self.keys.is_empty() {
            check_count(
                dialect.pick("keys", "metadataKeys"),
                "key",
                self.keys.len(),
                limits.rongcloud.query_keys_max,
            )?;
        }
        self.keys.iter().try_for_each(|key| key.validate(limits))?;
        self.body(dialect).check_size(limits)
    }

    /// Legacy: reads `keys` (absent or `null` is no entries). `autoDelete` may be `"0"`/`"1"` as
    /// documented or a number as in the PHP SDK's sample; `lastSetTime` a string of digits as
    /// documented or a number.
    ///
    /// v4: reads `result.metadata` (absent or `null` is no entries). The owner is
    /// `metadataOwnerId` or, in the other version of the page, `userId`; `shouldAutoDelete` may
    /// be a number, a string or a boolean (absent is `0`); `updatedAt` a number or a string of
    /// digits.
    ///
    /// Texts are taken as sent, without client rules.
    fn parse_in(
        &self,
        dialect: Dialect,
        response: http::Response<&[u8]>,
    ) -> Result<Vec<Entry>, ResponseError> {
        match dialect {
            Dialect::Legacy => {
                let reply: QueryReply = reply::parse(response)?;
                Ok(reply
                    .keys
                    .unwrap_or_default()
                    .into_iter()
                    .map(EntryWire::into_entry)
                    .collect())
            }
            Dialect::V4 => {
                let reply: GetReply = reply::parse_v4(response)?;
                reply
                    .metadata
                    .unwrap_or_default()
                    .into_iter()
                    .map(|wire| wire.into_entry().map_err(ResponseError::from))
                    .collect()
            }
        }
    }
}

impl Operation for QueryEntries {
    type Endpoint = Endpoint;
    type Output = Vec<Entry>;
    const DECLARATION: Declaration = declaration(
        "query_entries",
        "/chatroom/entry/query.json",
        V4Paths::Own {
            path: "/v4/open-channel/metadata/batch/get",
            alias: None,
        },
        QuotaRule::per_request(QuotaFamily::RongCloudEntryQuery),
        Effect::Read,
    );

    legacy_form!();
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

    fn encode_reply(output: &Vec<Entry>, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for QueryEntries {
    /// Reads `channelId` (required) and `metadataKeys` (optional; absent, `null` or `[]` is
    /// every key). Other members are ignored.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let chatroom_id = ChatroomId::non_validated(fields.text(&["channelId"])?);
        let keys = fields
            .optional::<Vec<String>>(&["metadataKeys"])?
            .unwrap_or_default()
            .into_iter()
            .map(EntryKey::non_validated)
            .collect();
        Ok(Self { chatroom_id, keys })
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

/// Legacy: `{"code":200,"keys":[{"key","value","userId","autoDelete":"0"|"1",
/// "lastSetTime":"<ms>"}]}`, strings throughout as RongCloud sends them. v4:
/// `{"code":0,"result":{"metadata":[{"key","value","metadataOwnerId","shouldAutoDelete":0|1,
/// "updatedAt":ms}]}}`, numbers as numbers.
#[cfg(feature = "server")]
impl ReplyEncoding for Vec<Entry> {
    fn encode_reply(&self, dialect: Dialect, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        match dialect {
            Dialect::Legacy => {
                let keys = self
                    .iter()
                    .map(|entry| EntryOut {
                        key: entry.key.as_str(),
                        value: entry.value.as_str(),
                        user_id: entry.user_id.as_str(),
                        auto_delete: flag_text(entry.auto_delete),
                        last_set_time: entry.last_set_time_ms.to_string(),
                    })
                    .collect();
                success_reply(&QueryReplyOut { keys }, request_id)
            }
            Dialect::V4 => {
                let metadata = self
                    .iter()
                    .map(|entry| MetadataOut {
                        key: entry.key.as_str(),
                        value: entry.value.as_str(),
                        owner: entry.user_id.as_str(),
                        auto_delete: flag_number(entry.auto_delete),
                        updated_at: entry.last_set_time_ms,
                    })
                    .collect();
                v4_success_reply(Some(&GetReplyOut { metadata }), request_id)
            }
        }
    }
}

#[cfg(feature = "server")]
#[derive(Serialize)]
struct QueryReplyOut<'a> {
    keys: Vec<EntryOut<'a>>,
}

#[cfg(feature = "server")]
#[derive(Serialize)]
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
