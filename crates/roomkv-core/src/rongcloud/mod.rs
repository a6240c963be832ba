//! RongCloud / Nexconn: chat-room KV entries and message expansions, each operation one type in
//! both dialects: the legacy form API and the Nexconn v4 JSON API ([`Dialect`], [`dialect`]).
//!
//! Typed identifiers and values live here; the operations live in [`entry`] and [`expansion`], the
//! built-in change notification in [`notification`]. All of them are re-exported here.
//!
//! | operation | legacy path | v4 path | output |
//! |---|---|---|---|
//! | [`SetEntry`] | `/chatroom/entry/set.json` | `/v4/open-channel/metadata/batch/set` (a batch of one) | `()` |
//! | [`BatchSetEntries`] | `/chatroom/entry/batch/set.json` | `/v4/open-channel/metadata/batch/set` | `()` |
//! | [`RemoveEntry`] | `/chatroom/entry/remove.json` | `/v4/open-channel/metadata/batch/remove` (a batch of one) | `()` |
//! | [`BatchRemoveEntries`] | `/chatroom/entry/batch/remove.json` | `/v4/open-channel/metadata/batch/remove` | `()` |
//! | [`QueryEntries`] | `/chatroom/entry/query.json` | `/v4/open-channel/metadata/batch/get` | `Vec<`[`Entry`]`>` |
//! | [`SetExpansion`] | `/message/expansion/set.json` | `/v4/channel-type/message/metadata/set` | `()` |
//! | [`DeleteExpansion`] | `/message/expansion/delete.json` | `/v4/channel-type/message/metadata/delete` | `()` |
//! | [`QueryExpansion`] | `/message/expansion/query.json` | `/v4/channel-type/message/metadata/list` | [`ExpansionPage`] |
//!
//! Legacy: every request is a form `POST` (`application/x-www-form-urlencoded`); the JSON-valued
//! fields (`entryInfo`, `entryKeys`, `extraKeyVal`, `extraKey`) hold JSON text, written in the
//! caller's order. Flags (`autoDelete`, `isSyncSender`) are always sent, `0` or `1`, so a request
//! never depends on the server's default.
//!
//! v4: every request is a `POST` with a JSON body (`application/json`), members in the order of
//! the spec's table, maps in the caller's order, flags as the numbers `0` or `1`. Every body has
//! exactly the members, names and JSON types of the request models of Nexconn's generated server
//! SDKs (0.1.2, `nexconn-server-sdk-go` `model_*.go`; `docs/vendors/rongcloud.md#v4`): `messageId` on
//! the three message-metadata requests, `metadataOwnerId` on batch set and remove,
//! `isEchoToSender` on set and `syncToSender` on delete. Replies are `{"code":0,"result":{...}}`;
//! errors `{"code":N,"errorMessage":"..."}` with a meaningful HTTP status.
//!
//! Besides its fields, every operation's `validate` checks the size of the body `encode` would
//! send against [`request_body_max_bytes`](crate::RongCloudLimits::request_body_max_bytes): a
//! batch whose every key and value is within its limit can still exceed the 100 KB RongCloud
//! accepts (code 1508).

use std::collections::HashSet;

use crate::validate::text_newtype;
use crate::{BaseUrl, Declaration, Effect, Paths, QuotaRule, V4Paths, ValidationError};

pub mod dialect;
#[cfg(feature = "server")]
mod dialect_decoding;
pub mod entry;
pub mod expansion;
pub(crate) mod form;
mod json;
pub mod notification;
mod reply;
#[cfg(feature = "server")]
mod reply_encoding;
#[cfg(feature = "server")]
pub mod server;
#[cfg(test)]
mod test_support;

pub use dialect::{Dialect, InDialect, RongCloudOperation};
pub use entry::{BatchRemoveEntries, BatchSetEntries, Entry, QueryEntries, RemoveEntry, SetEntry};
pub use expansion::{DeleteExpansion, ExpansionEntry, ExpansionPage, QueryExpansion, SetExpansion};
pub use notification::{
    KV_NOTIFICATION_OBJECT_NAME, KvChangeType, KvNotificationContent, Notification,
    NotificationMessage,
};

crate::declaration::operations! {
    /// The RongCloud / Nexconn operations roomkv implements, one per operation type, each in
    /// both dialects: the one list ([`server::Request`], [`server::ROUTES`] and
    /// [`server::Handler`] are generated from it too).
    kind: Action,
    server: generated,
    dialect: Dialect,
    operations: {
        /// `set_entry`: [`SetEntry`].
        SetEntry => set_entry,
        /// `batch_set_entries`: [`BatchSetEntries`] (and a v4 batch set, of any size).
        BatchSetEntries => batch_set_entries,
        /// `remove_entry`: [`RemoveEntry`].
        RemoveEntry => remove_entry,
        /// `batch_remove_entries`: [`BatchRemoveEntries`] (and a v4 batch remove, of any size).
        BatchRemoveEntries => batch_remove_entries,
        /// `query_entries`: [`QueryEntries`].
        QueryEntries => query_entries,
        /// `set_expansion`: [`SetExpansion`].
        SetExpansion => set_expansion,
        /// `delete_expansion`: [`DeleteExpansion`].
        DeleteExpansion => delete_expansion,
        /// `query_expansion`: [`QueryExpansion`].
        QueryExpansion => query_expansion,
    }
}

/// The [`Declaration`] of the RongCloud operation `name`: a `POST` to `legacy` in the legacy
/// dialect, to `v4` in Nexconn v4.
pub(crate) const fn declaration(
    name: &'static str,
    legacy: &'static str,
    v4: V4Paths,
    quota: QuotaRule,
    effect: Effect,
) -> Declaration {
    Declaration {
        name,
        method: &http::Method::POST,
        paths: Paths::ByDialect { legacy, v4 },
        quota,
        effect,
    }
}

/// Where RongCloud requests go: one host of a data centre, or the emulator. The dialect is not
/// part of it: it is passed to [`RongCloudOperation`]'s methods (see [`dialect`] for why).
pub type Endpoint = BaseUrl;

text_newtype! {
    /// A chat-room (open channel) id: 1 to 64 bytes.
    ChatroomId, field = "chatroomId", unit = Bytes, charset = NoControl, allow_empty = false,
    max = |l| l.rongcloud.chatroom_id_max_bytes
}

text_newtype! {
    /// A user id (operator, entry owner): 1 to 64 bytes.
    UserId, field = "userId", unit = Bytes, charset = NoControl, allow_empty = false,
    max = |l| l.rongcloud.user_id_max_bytes
}

text_newtype! {
    /// The target of a message: a user id (private) or a group id (group), 1 to 64 bytes.
    TargetId, field = "targetId", unit = Bytes, charset = NoControl, allow_empty = false,
    max = |l| l.rongcloud.user_id_max_bytes
}

text_newtype! {
    /// A chat-room entry key: letters, digits and `+ = - _`, case-sensitive, 1 to 128 characters.
    EntryKey, field = "key", unit = Chars, charset = KeyAlphabet, allow_empty = false,
    max = |l| l.rongcloud.entry_key_max_chars
}

text_newtype! {
    /// A chat-room entry value: at most 4096 characters.
    EntryValue, field = "value", unit = Chars, charset = Any, allow_empty = true,
    max = |l| l.rongcloud.entry_value_max_chars
}

text_newtype! {
    /// A message expansion key: letters, digits and `+ = - _`, 1 to 32 characters.
    ExpansionKey, field = "extraKey", unit = Chars, charset = KeyAlphabet, allow_empty = false,
    max = |l| l.rongcloud.expansion_key_max_chars
}

text_newtype! {
    /// A message expansion value: at most 4096 characters.
    ExpansionValue, field = "extraValue", unit = Chars, charset = Any, allow_empty = true,
    max = |l| l.rongcloud.expansion_value_max_chars
}

text_newtype! {
    /// A message UID (`msgUID`), 1 to 64 bytes.
    MsgUid, field = "msgUID", unit = Bytes, charset = NoControl, allow_empty = false,
    max = |l| l.rongcloud.msg_uid_max_bytes
}

/// The conversation a message belongs to; message expansions exist for these two only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConversationType {
    /// One-to-one chat, `1`.
    Private,
    /// Group chat, `3`.
    Group,
}

impl ConversationType {
    /// The wire value.
    pub const fn code(self) -> u8 {
        match self {
            Self::Private => 1,
            Self::Group => 3,
        }
    }

    /// The type of a wire value of legacy `conversationType`.
    pub fn from_code(code: i64) -> Result<Self, ValidationError> {
        Self::from_field("conversationType", code)
    }

    /// The type of a wire value read from `field`, which an out-of-range error names: legacy
    /// `conversationType`, Nexconn v4 `channelType`.
    pub fn from_field(field: &'static str, code: i64) -> Result<Self, ValidationError> {
        match code {
            1 => Ok(Self::Private),
            3 => Ok(Self::Group),
            other => Err(ValidationError::OutOfRange {
                field,
                value: other.to_string(),
                allowed: "1 (private) and 3 (group)",
            }),
        }
    }
}

impl std::str::FromStr for ConversationType {
    type Err = ValidationError;

    /// Accepts the wire values `1` and `3` and the names `private` and `group`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "private" => Ok(Self::Private),
            "group" => Ok(Self::Group),
            _ => match s.parse::<i64>() {
                Ok(code) => Self::from_code(code),
                Err(_) => Err(ValidationError::OutOfRange {
                    field: "conversationType",
                    value: s.to_owned(),
                    allowed: "1 (private) and 3 (group)",
                }),
            },
        }
    }
}

/// The wire text of a flag.
pub(crate) const fn flag_text(flag: bool) -> &'static str {
    if flag { "1" } else { "0" }
}

/// Refuses a list that names the same item twice.
pub(crate) fn check_distinct<'a>(
    field: &'static str,
    item: &'static str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(), ValidationError> {
    let mut seen = HashSet::new();
    for value in values {
        if !seen.insert(value) {
            return Err(ValidationError::Duplicate {
                field,
                item,
                value: value.to_owned(),
            });
        }
    }
    Ok(())
}
