//! RongCloud / Nexconn: chat-room KV entries and message expansions (legacy form API here, the
//! Nexconn v4 JSON API in [`v4`]; [`Dialect`] names the two).
//!
//! Typed identifiers and values live here; the operations live in [`entry`] and [`expansion`], the
//! built-in change notification in [`notification`]. All of them are re-exported here.
//!
//! | operation | path | output |
//! |---|---|---|
//! | [`SetEntry`] | `/chatroom/entry/set.json` | `()` |
//! | [`BatchSetEntries`] | `/chatroom/entry/batch/set.json` | `()` |
//! | [`RemoveEntry`] | `/chatroom/entry/remove.json` | `()` |
//! | [`BatchRemoveEntries`] | `/chatroom/entry/batch/remove.json` | `()` |
//! | [`QueryEntries`] | `/chatroom/entry/query.json` | `Vec<`[`Entry`]`>` |
//! | [`SetExpansion`] | `/message/expansion/set.json` | `()` |
//! | [`DeleteExpansion`] | `/message/expansion/delete.json` | `()` |
//! | [`QueryExpansion`] | `/message/expansion/query.json` | [`ExpansionPage`] |
//!
//! Every request is a form `POST` (`application/x-www-form-urlencoded`); the JSON-valued fields
//! (`entryInfo`, `entryKeys`, `extraKeyVal`, `extraKey`) hold JSON text, written in the caller's
//! order. Flags (`autoDelete`, `isSyncSender`) are always sent, `0` or `1`, so a request never
//! depends on the server's default.
//!
//! Besides its fields, every operation's `validate` checks the size of the body `encode` would
//! send against [`request_body_max_bytes`](crate::RongCloudLimits::request_body_max_bytes): a
//! batch whose every key and value is within its limit can still exceed the 100 KB RongCloud
//! accepts (code 1508).

use std::collections::HashSet;

use crate::validate::text_newtype;
use crate::{BaseUrl, ValidationError};

pub mod entry;
pub mod expansion;
pub(crate) mod form;
mod json;
pub mod notification;
mod reply;
#[cfg(feature = "server")]
pub mod server;
#[cfg(test)]
mod test_support;
pub mod v4;

pub use entry::{BatchRemoveEntries, BatchSetEntries, Entry, QueryEntries, RemoveEntry, SetEntry};
pub use expansion::{DeleteExpansion, ExpansionEntry, ExpansionPage, QueryExpansion, SetExpansion};
pub use notification::{
    KV_NOTIFICATION_OBJECT_NAME, KvChangeType, KvNotificationContent, Notification,
    NotificationMessage,
};

/// Where RongCloud requests go: one host of a data centre, or the emulator.
pub type Endpoint = BaseUrl;

/// Which RongCloud / Nexconn API a client speaks: the legacy form API (the operations of this
/// module) or the Nexconn v4 JSON API (the operations of [`v4`]).
///
/// ```
/// use roomkv_core::rongcloud::Dialect;
///
/// assert_eq!(Dialect::default(), Dialect::Legacy);
/// assert_eq!("v4".parse::<Dialect>()?, Dialect::V4);
/// assert_eq!(Dialect::V4.to_string(), "v4");
/// assert!("V5".parse::<Dialect>().is_err());
/// # Ok::<(), roomkv_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// The legacy RongCloud form API: `/chatroom/entry/*.json`, `/message/expansion/*.json`.
    #[default]
    Legacy,
    /// The Nexconn v4 JSON API: `/v4/open-channel/metadata/*`,
    /// `/v4/channel-type/message/metadata/*`.
    V4,
}

impl Dialect {
    /// The name `FromStr` accepts and `Display` writes: `legacy` or `v4`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::V4 => "v4",
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Dialect {
    type Err = ValidationError;

    /// Accepts `legacy` and `v4`, exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "legacy" => Ok(Self::Legacy),
            "v4" => Ok(Self::V4),
            _ => Err(ValidationError::OutOfRange {
                field: "dialect",
                value: s.to_owned(),
                allowed: "legacy and v4",
            }),
        }
    }
}

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

/// A count of items as quota units.
pub(crate) fn units(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
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
