//! The Nexconn v4 dialect: which statuses its server answers itself, and the v4 operation that
//! stands for each legacy one ([`DialectOperation`]), so that the typed methods and
//! [`Client::send`](crate::Client::send) of legacy operations work in both dialects.

use std::sync::LazyLock;

use http::StatusCode;
use roomkv_core::rongcloud::Endpoint;
use roomkv_core::rongcloud::v4::{
    DeleteMessageMetadata, GetMetadata, ListMessageMetadata, RemoveMetadata, SetMessageMetadata,
    SetMetadata,
};
use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, DeleteExpansion, QueryEntries, QueryExpansion,
    RemoveEntry, SetEntry, SetExpansion,
};
use roomkv_core::{Operation, ValidationError};

/// The statuses a v4 server answers with a JSON body: 200, and 400 (parameters), 401
/// (signature), 403, 404, 409 (conflict, which Nexconn's own Python SDK types), 429 (rate
/// limit) and 430 (service not enabled). Any other status, and every 5xx, switches to the
/// backup host, as in the legacy dialect.
pub(crate) static V4_EXPECTED_STATUSES: LazyLock<Vec<StatusCode>> = LazyLock::new(|| {
    [200, 400, 401, 403, 404, 409, 429, 430]
        .into_iter()
        .map(|status| StatusCode::from_u16(status).expect("a valid HTTP status"))
        .collect()
});

/// An operation [`Client::send`](crate::Client::send) can send in either dialect: it names the
/// operation that goes on the wire in [`Dialect::V4`](roomkv_core::rongcloud::Dialect::V4),
/// whose output is the same.
///
/// Every operation of `roomkv_core::rongcloud` implements it: a legacy operation stands for its
/// v4 twin (v4 has no single-key set or remove, so those become a batch of one), a v4 operation
/// for itself. An operation defined elsewhere implements it with `type V4 = Self` and
/// `fn to_v4(self) -> Result<Self, ValidationError> { Ok(self) }`.
pub trait DialectOperation: Operation<Endpoint = Endpoint> + Sized {
    /// What is sent in the v4 dialect.
    type V4: Operation<Endpoint = Endpoint, Output = Self::Output>;

    /// The v4 operation, or why this one cannot be sent in v4.
    fn to_v4(self) -> Result<Self::V4, ValidationError>;
}

/// v4 operations are sent as they are, in either dialect.
macro_rules! v4_is_itself {
    ($($op:ty),* $(,)?) => {$(
        impl DialectOperation for $op {
            type V4 = Self;
            fn to_v4(self) -> Result<Self, ValidationError> {
                Ok(self)
            }
        }
    )*};
}

v4_is_itself!(
    SetMetadata,
    RemoveMetadata,
    GetMetadata,
    SetMessageMetadata,
    DeleteMessageMetadata,
    ListMessageMetadata,
);

/// Why a legacy operation has no v4 equivalent: it carries a notification, which v4 cannot send.
fn notification_refused(operation: &'static str) -> ValidationError {
    ValidationError::OutOfRange {
        field: "objectName",
        value: format!("a notification on {operation}"),
        allowed: "no notification in the Nexconn v4 dialect (v4 batch set and remove carry no \
                  objectName or content); send it in the legacy dialect",
    }
}

/// A single set carrying a notification is refused, never sent without it.
impl DialectOperation for SetEntry {
    type V4 = SetMetadata;
    fn to_v4(self) -> Result<SetMetadata, ValidationError> {
        if self.notification().is_some() {
            return Err(notification_refused("a single-key set"));
        }
        let pair = (self.key().clone(), self.value().clone());
        Ok(
            SetMetadata::new(self.chatroom_id().clone(), self.user_id().clone(), [pair])
                .auto_delete(self.is_auto_delete()),
        )
    }
}

impl DialectOperation for BatchSetEntries {
    type V4 = SetMetadata;
    fn to_v4(self) -> Result<SetMetadata, ValidationError> {
        Ok(SetMetadata::new(
            self.chatroom_id().clone(),
            self.owner().clone(),
            self.entries().iter().cloned(),
        )
        .auto_delete(self.is_auto_delete()))
    }
}

/// A single remove carrying a notification is refused, never sent without it.
impl DialectOperation for RemoveEntry {
    type V4 = RemoveMetadata;
    fn to_v4(self) -> Result<RemoveMetadata, ValidationError> {
        if self.notification().is_some() {
            return Err(notification_refused("a single-key remove"));
        }
        Ok(RemoveMetadata::new(
            self.chatroom_id().clone(),
            self.user_id().clone(),
            [self.key().clone()],
        ))
    }
}

impl DialectOperation for BatchRemoveEntries {
    type V4 = RemoveMetadata;
    fn to_v4(self) -> Result<RemoveMetadata, ValidationError> {
        Ok(RemoveMetadata::new(
            self.chatroom_id().clone(),
            self.owner().clone(),
            self.keys().iter().cloned(),
        ))
    }
}

impl DialectOperation for QueryEntries {
    type V4 = GetMetadata;
    fn to_v4(self) -> Result<GetMetadata, ValidationError> {
        Ok(GetMetadata::new(self.chatroom_id().clone()).with_keys(self.keys().iter().cloned()))
    }
}

impl DialectOperation for SetExpansion {
    type V4 = SetMessageMetadata;
    fn to_v4(self) -> Result<SetMessageMetadata, ValidationError> {
        Ok(SetMessageMetadata::new(
            self.msg_uid().clone(),
            self.user_id().clone(),
            self.conversation_type(),
            self.target_id().clone(),
            self.entries().iter().cloned(),
        )
        .sync_sender(self.is_sync_sender()))
    }
}

impl DialectOperation for DeleteExpansion {
    type V4 = DeleteMessageMetadata;
    fn to_v4(self) -> Result<DeleteMessageMetadata, ValidationError> {
        Ok(DeleteMessageMetadata::new(
            self.msg_uid().clone(),
            self.user_id().clone(),
            self.conversation_type(),
            self.target_id().clone(),
            self.keys().iter().cloned(),
        )
        .sync_sender(self.is_sync_sender()))
    }
}

impl DialectOperation for QueryExpansion {
    type V4 = ListMessageMetadata;
    fn to_v4(self) -> Result<ListMessageMetadata, ValidationError> {
        let list = ListMessageMetadata::new(self.msg_uid().clone());
        Ok(match self.page_no() {
            Some(page) => list.page(page),
            None => list,
        })
    }
}
