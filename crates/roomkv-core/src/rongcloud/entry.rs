//! Chat-room KV entries: set, batch set, remove, batch remove, query (`docs/vendors/rongcloud.md#kv`; v4
//! `docs/vendors/rongcloud.md#v4`), each one type in both dialects ([`Dialect`](super::Dialect)).
//!
//! Each operation is a value: build it from typed identifiers, [`validate`](crate::Operation::validate)
//! it against [`Limits`], [`encode`](crate::Operation::encode) it into an unsigned request, and
//! [`parse`](crate::Operation::parse) the vendor's answer; in v4 through
//! [`in_dialect`](super::RongCloudOperation::in_dialect).

use super::form::FormBody;
use super::notification::{Notification, NotificationMessage};
use crate::{Limits, ValidationError};

mod query;
mod remove;
mod set;

pub use query::{Entry, QueryEntries};
pub use remove::{BatchRemoveEntries, RemoveEntry};
pub use set::{BatchSetEntries, SetEntry};

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
