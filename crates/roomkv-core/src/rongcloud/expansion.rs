//! Message expansions of one-to-one and group messages: set, delete, query (spec
//! `rongcloud.md` §5).
//!
//! Set and delete produce an "expansion operation message" in the conversation, so both are
//! notifying writes ([`Effect::Write`] with `notifies: true`). A write on a group message draws
//! from the group sub-quota as well as from the expansion write quota.
//!
//! ```
//! use roomkv_core::rongcloud::{
//!     ConversationType, ExpansionKey, ExpansionValue, MsgUid, SetExpansion, TargetId, UserId,
//! };
//! use roomkv_core::{BaseUrl, Limits, Operation};
//!
//! let op = SetExpansion::new(
//!     MsgUid::parse("BRGM-DEN2-01E4-BN66")?,
//!     UserId::parse("tjw3zbMrU")?,
//!     ConversationType::Group,
//!     TargetId::parse("group1")?,
//!     [(ExpansionKey::parse("likes")?, ExpansionValue::parse("3")?)],
//! );
//! op.validate(&Limits::default())?;
//! let request = op.encode(&BaseUrl::parse("https://api.rong-api.com")?)?;
//! assert_eq!(
//!     request.body().as_slice(),
//!     b"msgUID=BRGM-DEN2-01E4-BN66&userId=tjw3zbMrU&conversationType=3&targetId=group1\
//!       &extraKeyVal=%7B%22likes%22%3A%223%22%7D&isSyncSender=0"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Deserialize;

use super::form::{FormBody, post};
use super::json::{LenientInt, ObjectInOrder, PairsInOrder, to_json_text};
use super::reply::{self, NoPayload};
use super::{
    ConversationType, Endpoint, ExpansionKey, ExpansionValue, MsgUid, TargetId, UserId,
    check_distinct, flag_text,
};
use crate::validate::check_count;
use crate::{
    Effect, EncodeError, Limits, Operation, QuotaCost, QuotaFamily, ResponseError, ValidationError,
};

#[cfg(feature = "server")]
use {
    super::form::FormFields,
    super::json::{lenient_text_array, lenient_text_object},
    super::server::code_only_reply,
    crate::{DecodeError, ServerOperation},
};

/// The message an expansion belongs to: `msgUID`, `userId`, `conversationType`, `targetId` and
/// `isSyncSender`, shared by set and delete.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    msg_uid: MsgUid,
    user_id: UserId,
    conversation_type: ConversationType,
    target_id: TargetId,
    sync_sender: bool,
}

impl Target {
    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.msg_uid.validate(limits)?;
        self.user_id.validate(limits)?;
        self.target_id.validate(limits)
    }

    /// The fields before the keys, in the documented order.
    fn form(&self) -> FormBody {
        FormBody::new()
            .field("msgUID", self.msg_uid.as_str())
            .field("userId", self.user_id.as_str())
            .field(
                "conversationType",
                conversation_text(self.conversation_type),
            )
            .field("targetId", self.target_id.as_str())
    }

    fn quota(&self) -> QuotaCost {
        let cost = QuotaCost::one(QuotaFamily::RongCloudExpansionWrite, 1);
        match self.conversation_type {
            ConversationType::Private => cost,
            ConversationType::Group => cost.and(QuotaFamily::RongCloudExpansionGroupWrite, 1),
        }
    }

    #[cfg(feature = "server")]
    fn decode(fields: &FormFields) -> Result<Self, DecodeError> {
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

macro_rules! target_accessors {
    () => {
        /// Whether the expansion operation message is synced to the operator's own client
        /// (`isSyncSender`).
        pub fn sync_sender(mut self, yes: bool) -> Self {
            self.target.sync_sender = yes;
            self
        }

        /// The message.
        pub fn msg_uid(&self) -> &MsgUid {
            &self.target.msg_uid
        }

        /// The operator.
        pub fn user_id(&self) -> &UserId {
            &self.target.user_id
        }

        /// The conversation type.
        pub fn conversation_type(&self) -> ConversationType {
            self.target.conversation_type
        }

        /// The conversation's target: a user id (private) or a group id (group).
        pub fn target_id(&self) -> &TargetId {
            &self.target.target_id
        }

        /// The `isSyncSender` flag.
        pub fn is_sync_sender(&self) -> bool {
            self.target.sync_sender
        }
    };
}

/// Sets up to 100 expansions of a message: `POST /message/expansion/set.json` (spec §5.1).
///
/// `extraKeyVal` is a JSON object written in the caller's order; a key given twice is refused by
/// `validate`. `isSyncSender` is always sent (`0` unless [`sync_sender`](Self::sync_sender) is
/// called). The 300-per-message cap is server state, checked only by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetExpansion {
    target: Target,
    entries: Vec<(ExpansionKey, ExpansionValue)>,
}

impl SetExpansion {
    /// The request path.
    pub const PATH: &'static str = "/message/expansion/set.json";

    /// Sets `entries` on message `msg_uid` of the `conversation` with `target`, as `user`.
    pub fn new(
        msg_uid: MsgUid,
        user: UserId,
        conversation: ConversationType,
        target: TargetId,
        entries: impl IntoIterator<Item = (ExpansionKey, ExpansionValue)>,
    ) -> Self {
        Self {
            target: Target {
                msg_uid,
                user_id: user,
                conversation_type: conversation,
                target_id: target,
                sync_sender: false,
            },
            entries: entries.into_iter().collect(),
        }
    }

    target_accessors!();

    /// The expansions, in the caller's order.
    pub fn entries(&self) -> &[(ExpansionKey, ExpansionValue)] {
        &self.entries
    }

    fn form(&self) -> FormBody {
        self.target
            .form()
            .field("extraKeyVal", &to_json_text(&ObjectInOrder(&self.entries)))
            .field("isSyncSender", flag_text(self.target.sync_sender))
    }
}

impl Operation for SetExpansion {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "set_expansion";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.target.validate(limits)?;
        check_count(
            "extraKeyVal",
            "pair",
            self.entries.len(),
            limits.rongcloud.expansion_keys_per_call_max,
        )?;
        for (key, value) in &self.entries {
            key.validate(limits)?;
            value.validate(limits)?;
        }
        check_distinct(
            "extraKeyVal",
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

    /// The change produces an expansion operation message in the conversation.
    fn effect(&self) -> Effect {
        Effect::Write { notifies: true }
    }

    /// One expansion write, plus one group expansion write on a group message.
    fn quota(&self) -> QuotaCost {
        self.target.quota()
    }
}

#[cfg(feature = "server")]
impl ServerOperation for SetExpansion {
    /// Reads `msgUID`, `userId`, `conversationType` (a number, 1 or 3), `targetId`,
    /// `extraKeyVal` (all required; a JSON object whose values are strings, or numbers kept as
    /// their JSON text, in document order with duplicates kept) and `isSyncSender` (absent is
    /// `0`).
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let target = Target::decode(&fields)?;
        let entries = lenient_text_object(fields.require("extraKeyVal")?)
            .map_err(|err| DecodeError::json("extraKeyVal", err).in_field("extraKeyVal"))?
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
        code_only_reply(request_id)
    }
}

/// Deletes up to 100 expansions of a message: `POST /message/expansion/delete.json` (spec §5.2).
///
/// `extraKey` is a JSON array in the caller's order; a key given twice is refused by
/// `validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteExpansion {
    target: Target,
    keys: Vec<ExpansionKey>,
}

impl DeleteExpansion {
    /// The request path.
    pub const PATH: &'static str = "/message/expansion/delete.json";

    /// Deletes `keys` from message `msg_uid` of the `conversation` with `target`, as `user`.
    pub fn new(
        msg_uid: MsgUid,
        user: UserId,
        conversation: ConversationType,
        target: TargetId,
        keys: impl IntoIterator<Item = ExpansionKey>,
    ) -> Self {
        Self {
            target: Target {
                msg_uid,
                user_id: user,
                conversation_type: conversation,
                target_id: target,
                sync_sender: false,
            },
            keys: keys.into_iter().collect(),
        }
    }

    target_accessors!();

    /// The keys, in the caller's order.
    pub fn keys(&self) -> &[ExpansionKey] {
        &self.keys
    }

    fn form(&self) -> FormBody {
        self.target
            .form()
            .field("extraKey", &to_json_text(&self.keys))
            .field("isSyncSender", flag_text(self.target.sync_sender))
    }
}

impl Operation for DeleteExpansion {
    type Endpoint = Endpoint;
    type Output = ();
    const NAME: &'static str = "delete_expansion";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.target.validate(limits)?;
        check_count(
            "extraKey",
            "key",
            self.keys.len(),
            limits.rongcloud.expansion_keys_per_call_max,
        )?;
        for key in &self.keys {
            key.validate(limits)?;
        }
        check_distinct(
            "extraKey",
            "key",
            self.keys.iter().map(ExpansionKey::as_str),
        )?;
        self.form().check_size(limits)
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        post(endpoint, Self::PATH, self.form())
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), ResponseError> {
        reply::parse::<NoPayload>(response).map(drop)
    }

    /// The change produces an expansion operation message in the conversation.
    fn effect(&self) -> Effect {
        Effect::Write { notifies: true }
    }

    /// One expansion write, plus one group expansion write on a group message.
    fn quota(&self) -> QuotaCost {
        self.target.quota()
    }
}

#[cfg(feature = "server")]
impl ServerOperation for DeleteExpansion {
    /// Reads `msgUID`, `userId`, `conversationType` (a number, 1 or 3), `targetId`, `extraKey`
    /// (all required; a JSON array of strings, or numbers kept as their JSON text) and
    /// `isSyncSender` (absent is `0`).
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let target = Target::decode(&fields)?;
        let keys = lenient_text_array(fields.require("extraKey")?)
            .map_err(|err| DecodeError::json("extraKey", err).in_field("extraKey"))?
            .into_iter()
            .map(ExpansionKey::non_validated)
            .collect();
        Ok(Self { target, keys })
    }

    fn encode_reply(_output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        code_only_reply(request_id)
    }
}

/// Reads the expansions of a message, one page of 300 at a time:
/// `POST /message/expansion/query.json` (spec §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryExpansion {
    msg_uid: MsgUid,
    page: Option<u32>,
}

impl QueryExpansion {
    /// The request path.
    pub const PATH: &'static str = "/message/expansion/query.json";

    /// Reads the first page of the expansions of `msg_uid`; `pageNo` is not sent.
    pub fn new(msg_uid: MsgUid) -> Self {
        Self {
            msg_uid,
            page: None,
        }
    }

    /// Reads page `page_no` (`pageNo`, from 1).
    pub fn page(mut self, page_no: u32) -> Self {
        self.page = Some(page_no);
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

    fn form(&self) -> FormBody {
        let page = self.page.map(|p| p.to_string());
        FormBody::new()
            .field("msgUID", self.msg_uid.as_str())
            .field_opt("pageNo", page.as_deref())
    }
}

impl Operation for QueryExpansion {
    type Endpoint = Endpoint;
    type Output = ExpansionPage;
    const NAME: &'static str = "query_expansion";

    fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        self.msg_uid.validate(limits)?;
        match self.page {
            Some(0) => Err(ValidationError::OutOfRange {
                field: "pageNo",
                value: "0".to_owned(),
                allowed: "page numbers from 1",
            }),
            _ => self.form().check_size(limits),
        }
    }

    fn encode(&self, endpoint: &Endpoint) -> Result<http::Request<Vec<u8>>, EncodeError> {
        post(endpoint, Self::PATH, self.form())
    }

    /// Reads `extraContent` (absent or `null` is an empty page) in the reply's order. `ts` may
    /// be a number as documented or a string of digits (the Java SDK's type); `v` must be a
    /// string. Texts are taken as sent, without client rules.
    fn parse(&self, response: http::Response<&[u8]>) -> Result<ExpansionPage, ResponseError> {
        let reply: ExpansionReply = reply::parse(response)?;
        let entries = reply
            .extra_content
            .map(|pairs| pairs.0)
            .unwrap_or_default()
            .into_iter()
            .map(|(key, wire)| ExpansionEntry {
                key: ExpansionKey::non_validated(key),
                value: ExpansionValue::non_validated(wire.v),
                version: wire.ts.0,
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
impl ServerOperation for QueryExpansion {
    /// Reads `msgUID` (required) and `pageNo` (optional; a non-negative integer).
    fn decode(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = FormFields::parse(request.body());
        let msg_uid = MsgUid::non_validated(fields.require("msgUID")?);
        let page = fields
            .get("pageNo")
            .map(|text| {
                text.parse::<u32>().map_err(|_| {
                    DecodeError::field("pageNo", format!("pageNo must be a number, got {text:?}"))
                })
            })
            .transpose()?;
        Ok(Self { msg_uid, page })
    }

    /// `{"code":200,"extraContent":{"k":{"v":"..","ts":N}}}`, keys in the page's order.
    fn encode_reply(output: &ExpansionPage, request_id: Option<&str>) -> http::Response<Vec<u8>> {
        let pairs: Vec<(&str, ExtraOut<'_>)> = output
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    ExtraOut {
                        v: e.value.as_str(),
                        ts: e.version,
                    },
                )
            })
            .collect();
        let reply = ExpansionReplyOut {
            extra_content: ObjectInOrder(&pairs),
        };
        super::server::success_reply(&reply, request_id)
    }
}

/// One page of a message's expansions, as [`QueryExpansion`] returns it.
///
/// The entries keep the order of the reply's `extraContent` object, which is deterministic for a
/// given reply (the official Go SDK loses it by going through a map). Sort them if another order
/// matters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpansionPage {
    /// The expansions, in the reply's order.
    pub entries: Vec<ExpansionEntry>,
}

impl ExpansionPage {
    /// The expansion with `key`, if the page has it.
    pub fn get(&self, key: &str) -> Option<&ExpansionEntry> {
        self.entries.iter().find(|e| e.key.as_str() == key)
    }
}

/// One expansion of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpansionEntry {
    /// The key.
    pub key: ExpansionKey,
    /// The value (`v`).
    pub value: ExpansionValue,
    /// The version RongCloud gave the last change (`ts`).
    pub version: i64,
}

#[derive(Deserialize)]
struct ExpansionReply {
    #[serde(rename = "extraContent", default)]
    extra_content: Option<PairsInOrder<ExtraWire>>,
}

#[derive(Deserialize)]
struct ExtraWire {
    v: String,
    ts: LenientInt<i64>,
}

#[cfg(feature = "server")]
#[derive(serde::Serialize)]
struct ExpansionReplyOut<'a> {
    #[serde(rename = "extraContent")]
    extra_content: ObjectInOrder<'a, &'a str, ExtraOut<'a>>,
}

#[cfg(feature = "server")]
#[derive(serde::Serialize)]
struct ExtraOut<'a> {
    v: &'a str,
    ts: i64,
}

#[cfg(test)]
mod tests;
