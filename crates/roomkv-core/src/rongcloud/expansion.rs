//! Message expansions of one-to-one and group messages: set, delete, query (spec
//! `docs/vendors/rongcloud.md#expansions`; v4 "message metadata", `docs/vendors/rongcloud.md#v4`), each one type in both dialects.
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

use super::dialect::{Body, legacy_form};
use super::json::ObjectInOrder;
use super::reply;
use super::{
    ConversationType, Dialect, Endpoint, ExpansionKey, ExpansionValue, MsgUid, RongCloudOperation,
    TargetId, UserId, check_distinct,
};
use crate::validate::check_count;
use crate::{Effect, Limits, Operation, QuotaCost, ResponseError, ValidationError};
use target::{Target, target_accessors};

use crate::rongcloud::declaration;
use crate::{Declaration, QuotaFamily, QuotaRule, V4Paths};
#[cfg(feature = "server")]
use {
    super::form::FormFields,
    super::json::{JsonFields, PairsInOrder, lenient_text_array, lenient_text_object},
    super::reply_encoding::ReplyEncoding,
    crate::rongcloud::dialect_decoding::DialectDecoding,
    crate::{DecodeError, ServerOperation},
};

mod query;
mod target;

pub use query::{ExpansionEntry, ExpansionPage, QueryExpansion};

/// Sets up to 100 expansions of a message: `POST /message/expansion/set.json` (`docs/vendors/rongcloud.md#expansion-set`), in
/// v4 `POST /v4/channel-type/message/metadata/set` (`docs/vendors/rongcloud.md#v4`).
///
/// `extraKeyVal` (v4: `metadata`) is a JSON object written in the caller's order; a key given
/// twice is refused by `validate`. The sync flag is always sent (`0` unless
/// [`sync_sender`](Self::sync_sender) is called), as `isSyncSender` (v4: `isEchoToSender`). The
/// v4 body is Nexconn's generated `MessageMetadataSetRequest` (one version of the doc page says
/// `messageUID`, another the path `/v4/message/metadata/set`). The 300-per-message cap is
/// server state, checked only by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetExpansion {
    target: Target,
    entries: Vec<(ExpansionKey, ExpansionValue)>,
}

impl SetExpansion {
    /// The request path.
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// The v4 request path.
    pub const V4_PATH: &'static str = Self::DECLARATION.paths.get(Dialect::V4);

    /// The name of the v4 flag.
    const V4_FLAG: &'static str = "isEchoToSender";

    /// Sets `entries` on message `msg_uid` of the `conversation` with `target`, as `user`.
    pub fn new(
        msg_uid: MsgUid,
        user: UserId,
        conversation: ConversationType,
        target: TargetId,
        entries: impl IntoIterator<Item = (ExpansionKey, ExpansionValue)>,
    ) -> Self {
        Self {
            target: Target::new(msg_uid, user, conversation, target),
            entries: entries.into_iter().collect(),
        }
    }

    target_accessors!();

    /// The expansions, in the caller's order.
    pub fn entries(&self) -> &[(ExpansionKey, ExpansionValue)] {
        &self.entries
    }

    fn field(dialect: Dialect) -> &'static str {
        dialect.pick("extraKeyVal", "metadata")
    }
}

impl RongCloudOperation for SetExpansion {
    fn body(&self, dialect: Dialect) -> Body {
        self.target.body(
            dialect,
            Self::field(dialect),
            &ObjectInOrder(&self.entries),
            Self::V4_FLAG,
        )
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        let field = Self::field(dialect);
        self.target.validate(limits)?;
        check_count(
            field,
            "pair",
            self.entries.len(),
            limits.rongcloud.expansion_keys_per_call_max,
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

impl Operation for SetExpansion {
    type Endpoint = Endpoint;
    type Output = ();
    /// The change produces an expansion operation message in the conversation; the other
    /// documented v4 path is one version of the Nexconn page's.
    const DECLARATION: Declaration = declaration(
        "set_expansion",
        "/message/expansion/set.json",
        V4Paths::Own {
            path: "/v4/channel-type/message/metadata/set",
            alias: Some("/v4/message/metadata/set"),
        },
        QuotaRule::per_request(QuotaFamily::RongCloudExpansionWrite),
        Effect::Write { notifies: true },
    );

    legacy_form!();

    /// One expansion write, plus one group expansion write on a group message.
    fn quota(&self) -> QuotaCost {
        self.target.quota(Self::DECLARATION.quota)
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

    fn encode_reply(output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for SetExpansion {
    /// Reads `messageId` (or `messageUID`, a doc page's spelling), `userId`, `channelType`,
    /// `channelId`, `metadata` (an object of strings, in document order with duplicates kept),
    /// all required, and `isEchoToSender` (the number `0` or `1`; absent is `0`). Other members
    /// are ignored.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let target = Target::decode_v4(&fields, Self::V4_FLAG)?;
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
}

/// Deletes up to 100 expansions of a message: `POST /message/expansion/delete.json` (spec
/// `docs/vendors/rongcloud.md#expansion-delete`), in v4 `POST /v4/channel-type/message/metadata/delete` (`docs/vendors/rongcloud.md#v4`).
///
/// `extraKey` (v4: `keys`) is a JSON array in the caller's order; a key given twice is refused
/// by `validate`. The v4 body is Nexconn's generated
/// `ChannelTypeMessageMetadataDeleteRequest` (the doc page says `messageUID`); its flag is
/// `syncToSender` where set says `isEchoToSender`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteExpansion {
    target: Target,
    keys: Vec<ExpansionKey>,
}

impl DeleteExpansion {
    /// The request path.
    pub const PATH: &'static str = Self::DECLARATION.paths.get(Dialect::Legacy);

    /// The v4 request path.
    pub const V4_PATH: &'static str = Self::DECLARATION.paths.get(Dialect::V4);

    /// The name of the v4 flag.
    const V4_FLAG: &'static str = "syncToSender";

    /// Deletes `keys` from message `msg_uid` of the `conversation` with `target`, as `user`.
    pub fn new(
        msg_uid: MsgUid,
        user: UserId,
        conversation: ConversationType,
        target: TargetId,
        keys: impl IntoIterator<Item = ExpansionKey>,
    ) -> Self {
        Self {
            target: Target::new(msg_uid, user, conversation, target),
            keys: keys.into_iter().collect(),
        }
    }

    target_accessors!();

    /// The keys, in the caller's order.
    pub fn keys(&self) -> &[ExpansionKey] {
        &self.keys
    }

    fn field(dialect: Dialect) -> &'static str {
        dialect.pick("extraKey", "keys")
    }
}

impl RongCloudOperation for DeleteExpansion {
    fn body(&self, dialect: Dialect) -> Body {
        self.target
            .body(dialect, Self::field(dialect), &self.keys, Self::V4_FLAG)
    }

    fn validate_in(&self, dialect: Dialect, limits: &Limits) -> Result<(), ValidationError> {
        let field = Self::field(dialect);
        self.target.validate(limits)?;
        check_count(
            field,
            "key",
            self.keys.len(),
            limits.rongcloud.expansion_keys_per_call_max,
        )?;
        for key in &self.keys {
            key.validate(limits)?;
        }
        check_distinct(field, "key", self.keys.iter().map(ExpansionKey::as_str))?;
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

impl Operation for DeleteExpansion {
    type Endpoint = Endpoint;
    type Output = ();
    /// The change produces an expansion operation message in the conversation.
    const DECLARATION: Declaration = declaration(
        "delete_expansion",
        "/message/expansion/delete.json",
        V4Paths::Own {
            path: "/v4/channel-type/message/metadata/delete",
            alias: None,
        },
        QuotaRule::per_request(QuotaFamily::RongCloudExpansionWrite),
        Effect::Write { notifies: true },
    );

    legacy_form!();

    /// One expansion write, plus one group expansion write on a group message.
    fn quota(&self) -> QuotaCost {
        self.target.quota(Self::DECLARATION.quota)
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

    fn encode_reply(output: &(), request_id: Option<&str>) -> http::Response<Vec<u8>> {
        output.encode_reply(Dialect::Legacy, request_id)
    }
}

#[cfg(feature = "server")]
impl DialectDecoding for DeleteExpansion {
    /// Reads `messageId` (or `messageUID`, the doc page's spelling), `userId`, `channelType`,
    /// `channelId`, `keys` (an array of strings), all required, and `syncToSender` (the number
    /// `0` or `1`; absent is `0`). Other members are ignored.
    fn decode_v4(request: &http::Request<&[u8]>) -> Result<Self, DecodeError> {
        let fields = JsonFields::parse(request.body())?;
        let target = Target::decode_v4(&fields, Self::V4_FLAG)?;
        let keys = fields
            .require::<Vec<String>>(&["keys"])?
            .into_iter()
            .map(ExpansionKey::non_validated)
            .collect();
        Ok(Self { target, keys })
    }
}

#[cfg(test)]
mod tests;
