//! The change notification sent with an entry set or remove: `RC:chrmKVNotiMsg` or a custom message.
//!
//! A [`SetEntry`](super::SetEntry) or [`RemoveEntry`](super::RemoveEntry) with a notification sends
//! two more form fields, `objectName` and `content`, and RongCloud posts that message to the room
//! when the entry changes (`docs/vendors/rongcloud.md#kv-set`, `#kv-remove`, `#notification`).
//!
//! For the built-in [`Notification::KvChange`] the operation writes the `RC:chrmKVNotiMsg` content
//! itself, from its own key and value, so the two cannot disagree:
//!
//! | change | content |
//! |---|---|
//! | set | `{"type":1,"key":K,"value":V,"extra":E}` |
//! | remove | `{"type":2,"key":K,"value":"","extra":E}` |
//!
//! - `type` is a JSON number; `extra` is left out when the notification has none.
//! - On remove the content still carries `"value":""`. Clients ignore the value of a removal (the
//!   iOS docs call it "not needed when deleting"), but the server pages of both set and remove say
//!   that an `RC:chrmKVNotiMsg` content *must* include `type`, `key` and `value`; an empty value
//!   satisfies the server and tells clients nothing wrong.
//! - Two peer bugs are avoided on purpose, and tested: the official Go SDK tags the key field
//!   `"string"` instead of `"key"`, and its unmerged v4 branch names the message
//!   `RC:ChrmKVNotiMsg` with a capital `C`.
//!
//! ```
//! use roomkv_core::rongcloud::{ChatroomId, EntryKey, EntryValue, Notification, SetEntry, UserId};
//! let op = SetEntry::new(
//!     ChatroomId::parse("room1")?,
//!     UserId::parse("anchor")?,
//!     EntryKey::parse("name")?,
//!     EntryValue::parse("host")?,
//! )
//! .notify(Notification::kv_change_with_extra("stage"));
//! let message = op.notification_message().unwrap();
//! assert_eq!(message.object_name, "RC:chrmKVNotiMsg");
//! assert_eq!(message.content, r#"{"type":1,"key":"name","value":"host","extra":"stage"}"#);
//! # Ok::<(), roomkv_core::ValidationError>(())
//! ```

use serde::Serialize;

use super::json::to_json_text;
use crate::validate::{Charset, TextRule, Unit};
use crate::{DecodeError, Limits, ValidationError};

/// The `objectName` of RongCloud's built-in chat-room KV notification, spelled exactly as
/// documented (lower-case `c`).
pub const KV_NOTIFICATION_OBJECT_NAME: &str = "RC:chrmKVNotiMsg";

/// The message RongCloud sends to the room when an entry changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// The built-in `RC:chrmKVNotiMsg`. The operation writes its content from its own key and
    /// value (see the [module documentation](self)).
    KvChange {
        /// The notification's `extra`, at most
        /// [`notification_extra_max_bytes`](crate::RongCloudLimits::notification_extra_max_bytes)
        /// (2048) bytes. Left out of the content when `None`.
        extra: Option<String>,
    },
    /// Any message type, sent verbatim. With `object_name` `RC:chrmKVNotiMsg` the content must
    /// still carry `type`, `key` and `value` (checked by `validate`).
    Custom {
        /// The `objectName` form field: the message type, such as `App:StageChanged`.
        object_name: String,
        /// The `content` form field: the message content, normally a JSON object.
        content: String,
    },
}

impl Notification {
    /// The built-in `RC:chrmKVNotiMsg` without `extra`.
    pub fn kv_change() -> Self {
        Self::KvChange { extra: None }
    }

    /// The built-in `RC:chrmKVNotiMsg` with `extra`.
    pub fn kv_change_with_extra(extra: impl Into<String>) -> Self {
        Self::KvChange {
            extra: Some(extra.into()),
        }
    }

    /// A message of type `object_name` with `content`, both sent verbatim.
    pub fn custom(object_name: impl Into<String>, content: impl Into<String>) -> Self {
        Self::Custom {
            object_name: object_name.into(),
            content: content.into(),
        }
    }

    /// The `objectName` this notification is sent with.
    pub fn object_name(&self) -> &str {
        match self {
            Self::KvChange { .. } => KV_NOTIFICATION_OBJECT_NAME,
            Self::Custom { object_name, .. } => object_name,
        }
    }

    /// Checks the `extra` size, and for a custom message a non-empty `objectName` and, when it
    /// names `RC:chrmKVNotiMsg`, a content with `type`, `key` and `value`.
    pub(crate) fn validate(&self, limits: &Limits) -> Result<(), ValidationError> {
        match self {
            Self::KvChange { extra } => check_extra(extra.as_deref(), limits),
            Self::Custom {
                object_name,
                content,
            } => {
                OBJECT_NAME_RULE.check(object_name, usize::MAX)?;
                if object_name != KV_NOTIFICATION_OBJECT_NAME {
                    return Ok(());
                }
                match KvNotificationContent::parse_lenient(content) {
                    Ok(parsed) if parsed.has_required_fields() => {
                        check_extra(parsed.extra.as_deref(), limits)
                    }
                    _ => Err(ValidationError::OutOfRange {
                        field: "content",
                        value: abbreviate(content),
                        allowed: "a JSON object with type, key and value, as RC:chrmKVNotiMsg requires",
                    }),
                }
            }
        }
    }

    /// The `objectName` and `content` sent for `change`.
    pub(crate) fn message(&self, change: KvChange<'_>) -> NotificationMessage {
        match self {
            Self::KvChange { extra } => NotificationMessage {
                object_name: KV_NOTIFICATION_OBJECT_NAME.to_owned(),
                content: kv_content(change, extra.as_deref()),
            },
            Self::Custom {
                object_name,
                content,
            } => NotificationMessage {
                object_name: object_name.clone(),
                content: content.clone(),
            },
        }
    }

    /// Reads the notification fields of a request (server side).
    ///
    /// - `objectName` absent or empty: no notification (RongCloud sends one only "if this field
    ///   is provided"); a `content` without `objectName` is ignored.
    /// - `objectName` `RC:chrmKVNotiMsg` with exactly the content [`Notification::KvChange`]
    ///   would write for this change: `KvChange` with the content's `extra`.
    /// - Anything else: `Custom` with `objectName` and `content` (empty when absent) as sent.
    ///
    /// Either way [`NotificationMessage`] of the result is byte for byte what was sent.
    #[cfg(feature = "server")]
    pub(crate) fn decode(fields: &super::form::FormFields, change: KvChange<'_>) -> Option<Self> {
        let object_name = fields.get("objectName").filter(|name| !name.is_empty())?;
        let content = fields.get("content").unwrap_or("");
        if object_name == KV_NOTIFICATION_OBJECT_NAME
            && let Ok(parsed) = KvNotificationContent::parse_lenient(content)
            && kv_content(change, parsed.extra.as_deref()) == content
        {
            return Some(Self::KvChange {
                extra: parsed.extra,
            });
        }
        Some(Self::Custom {
            object_name: object_name.to_owned(),
            content: content.to_owned(),
        })
    }
}

const OBJECT_NAME_RULE: TextRule = TextRule {
    field: "objectName",
    unit: Unit::Chars,
    charset: Charset::NoControl,
    allow_empty: false,
};

fn check_extra(extra: Option<&str>, limits: &Limits) -> Result<(), ValidationError> {
    let max = limits.rongcloud.notification_extra_max_bytes;
    match extra {
        Some(extra) if extra.len() > max => Err(ValidationError::TooLong {
            field: "extra",
            len: extra.len(),
            max,
            unit: Unit::Bytes,
        }),
        _ => Ok(()),
    }
}

/// The first 64 characters of `text`, for error messages.
fn abbreviate(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

/// The notification form fields as sent: `objectName` and `content`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NotificationMessage {
    /// The `objectName` form field.
    pub object_name: String,
    /// The `content` form field.
    pub content: String,
}

/// The entry change a notification reports.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KvChange<'a> {
    Set { key: &'a str, value: &'a str },
    Remove { key: &'a str },
}

#[derive(Serialize)]
struct KvContentWire<'a> {
    #[serde(rename = "type")]
    change_type: i64,
    key: &'a str,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<&'a str>,
}

fn kv_content(change: KvChange<'_>, extra: Option<&str>) -> String {
    let (change_type, key, value) = match change {
        KvChange::Set { key, value } => (KvChangeType::Set, key, value),
        KvChange::Remove { key } => (KvChangeType::Remove, key, ""),
    };
    to_json_text(&KvContentWire {
        change_type: change_type.code(),
        key,
        value,
        extra,
    })
}

/// The `type` of an `RC:chrmKVNotiMsg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KvChangeType {
    /// `1`: the entry was added or updated.
    Set,
    /// `2`: the entry was removed.
    Remove,
    /// Any other value, kept as sent.
    Other(i64),
}

impl KvChangeType {
    /// The type of a wire value.
    pub const fn from_code(code: i64) -> Self {
        match code {
            1 => Self::Set,
            2 => Self::Remove,
            other => Self::Other(other),
        }
    }

    /// The wire value.
    pub const fn code(self) -> i64 {
        match self {
            Self::Set => 1,
            Self::Remove => 2,
            Self::Other(code) => code,
        }
    }
}

/// The content of an `RC:chrmKVNotiMsg`, read leniently: what a server sees in the `content` form
/// field, whoever wrote it.
///
/// ```
/// use roomkv_core::rongcloud::{KvChangeType, KvNotificationContent};
/// // The set example of the vendor's docs sends `type` as a string.
/// let content = KvNotificationContent::parse_lenient(r#"{"key":"keyli","value":"5","type":"1"}"#)?;
/// assert_eq!(content.change_type, Some(KvChangeType::Set));
/// assert!(content.has_required_fields());
/// // The official Go SDK's bug: the key is tagged "string", so the server sees no key.
/// let go = KvNotificationContent::parse_lenient(r#"{"type":1,"string":"k","value":"v"}"#)?;
/// assert!(!go.has_required_fields());
/// # Ok::<(), roomkv_core::DecodeError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KvNotificationContent {
    /// `type`, sent as a number (`1`) or a string of digits (`"1"`); `None` when absent or
    /// neither.
    pub change_type: Option<KvChangeType>,
    /// `key`, when it is a string (or a number, kept as its JSON text).
    pub key: Option<String>,
    /// `value`, when it is a string (or a number, kept as its JSON text).
    pub value: Option<String>,
    /// `extra`, when it is a string (or a number, kept as its JSON text).
    pub extra: Option<String>,
}

impl KvNotificationContent {
    /// Reads `content`. Fails only when it is not a JSON object; fields that are absent or of an
    /// unusable type are `None`, and unknown fields are ignored.
    pub fn parse_lenient(content: &str) -> Result<Self, DecodeError> {
        let value: serde_json::Value = serde_json::from_str(content)
            .map_err(|err| DecodeError::json("content", err).in_field("content"))?;
        let serde_json::Value::Object(object) = value else {
            return Err(DecodeError::field(
                "content",
                "content is not a JSON object",
            ));
        };
        let text = |name: &str| match object.get(name) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let change_type = match object.get("type") {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(s)) => s.parse::<i64>().ok(),
            _ => None,
        }
        .map(KvChangeType::from_code);
        Ok(Self {
            change_type,
            key: text("key"),
            value: text("value"),
            extra: text("extra"),
        })
    }

    /// True when `type`, `key` and `value` are all present, as RongCloud requires of an
    /// `RC:chrmKVNotiMsg` content.
    pub fn has_required_fields(&self) -> bool {
        self.change_type.is_some() && self.key.is_some() && self.value.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_content_has_the_documented_shape() {
        let set = Notification::kv_change_with_extra("x").message(KvChange::Set {
            key: "name",
            value: "主播",
        });
        // The vendor's own PHP test sends exactly this shape.
        assert_eq!(
            set.content,
            r#"{"type":1,"key":"name","value":"主播","extra":"x"}"#
        );
        let removed = Notification::kv_change().message(KvChange::Remove { key: "name" });
        assert_eq!(removed.content, r#"{"type":2,"key":"name","value":""}"#);
        let parsed = KvNotificationContent::parse_lenient(&removed.content).unwrap();
        assert!(parsed.has_required_fields(), "the server demands a value");
        assert_eq!(parsed.change_type, Some(KvChangeType::Remove));
    }

    #[test]
    fn go_sdk_bugs_are_absent() {
        // server-sdk-go master tags the key `json:"string"`.
        let message = Notification::kv_change().message(KvChange::Set {
            key: "k",
            value: "v",
        });
        let json: serde_json::Value = serde_json::from_str(&message.content).unwrap();
        assert_eq!(json["key"], "k");
        assert!(json.get("string").is_none());
        assert_eq!(json["type"], 1, "type is a JSON number");
        // The v4 branch returns "RC:ChrmKVNotiMsg".
        assert_eq!(message.object_name, "RC:chrmKVNotiMsg");
        assert_ne!(message.object_name, "RC:ChrmKVNotiMsg");
        assert_eq!(Notification::kv_change().object_name(), "RC:chrmKVNotiMsg");
    }

    #[test]
    fn lenient_content() {
        let c =
            KvNotificationContent::parse_lenient(r#"{"type":"2","key":7,"extra":"e"}"#).unwrap();
        assert_eq!(c.change_type, Some(KvChangeType::Remove));
        assert_eq!(c.key.as_deref(), Some("7"));
        assert_eq!(c.value, None);
        assert!(!c.has_required_fields());
        let c =
            KvNotificationContent::parse_lenient(r#"{"type":"x","key":"k","value":"v"}"#).unwrap();
        assert!(!c.has_required_fields());
        let c =
            KvNotificationContent::parse_lenient(r#"{"type":9,"key":"k","value":null}"#).unwrap();
        assert_eq!(c.change_type, Some(KvChangeType::Other(9)));
        assert_eq!(c.value, None);
        for bad in ["", "[]", "\"s\"", "{", "1"] {
            let err = KvNotificationContent::parse_lenient(bad).unwrap_err();
            assert_eq!(err.field_name(), Some("content"), "{bad:?}");
        }
    }

    #[test]
    fn validation() {
        let limits = Limits::default();
        assert!(
            Notification::kv_change_with_extra("e".repeat(2048))
                .validate(&limits)
                .is_ok()
        );
        // Bytes, not characters: 682 three-byte characters and one two-byte one are 2048 bytes.
        assert!(
            Notification::kv_change_with_extra(format!("{}é", "中".repeat(682)))
                .validate(&limits)
                .is_ok()
        );
        let err = Notification::kv_change_with_extra("中".repeat(683))
            .validate(&limits)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "extra has 2049 bytes, at most 2048 allowed"
        );
        let err = Notification::custom("", "{}")
            .validate(&limits)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "objectName is empty, at least 1 character required"
        );
        assert!(
            Notification::custom("App:Stage", "not json")
                .validate(&limits)
                .is_ok()
        );
        let err = Notification::custom(KV_NOTIFICATION_OBJECT_NAME, r#"{"type":1,"key":"k"}"#)
            .validate(&limits)
            .unwrap_err();
        assert!(
            matches!(
                err,
                ValidationError::OutOfRange {
                    field: "content",
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            Notification::custom(
                KV_NOTIFICATION_OBJECT_NAME,
                r#"{"type":"1","key":"k","value":"v"}"#
            )
            .validate(&limits)
            .is_ok()
        );
    }
}
