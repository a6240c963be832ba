//! The Nexconn v4 dialect: which statuses its server answers itself, and the v4 operation that
//! stands for each legacy one, so that the typed methods and [`Client::send`](crate::Client::send)
//! of legacy operations work in both dialects.

use std::any::Any;
use std::sync::LazyLock;

use http::StatusCode;
use roomkv_core::ValidationError;
use roomkv_core::rongcloud::v4::{
    DeleteMessageMetadata, GetMetadata, ListMessageMetadata, RemoveMetadata, SetMessageMetadata,
    SetMetadata,
};
use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, DeleteExpansion, QueryEntries, QueryExpansion,
    RemoveEntry, SetEntry, SetExpansion,
};

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

/// The v4 operation that does what a legacy one does.
pub(crate) enum V4Op {
    Set(SetMetadata),
    Remove(RemoveMetadata),
    Get(GetMetadata),
    SetExpansion(SetMessageMetadata),
    DeleteExpansion(DeleteMessageMetadata),
    ListExpansion(ListMessageMetadata),
}

/// Why a legacy operation has no v4 equivalent: it carries a notification, which v4 cannot send.
fn notification_refused(operation: &'static str) -> ValidationError {
    ValidationError::OutOfRange {
        field: "objectName",
        value: format!("a notification on {operation}"),
        allowed: "no notification in the Nexconn v4 dialect (v4 batch set and remove carry no \
                  objectName or content); send it in the legacy dialect",
    }
}

/// The v4 operation standing for `op`, when `op` is one of core's legacy operations; `None` for
/// any other operation (a v4 one, or one defined elsewhere), which is sent as it is.
///
/// v4 has no single-key set or remove: those become a batch of one. A single set or remove
/// carrying a notification is refused, never sent without it.
pub(crate) fn to_v4(op: &dyn Any) -> Option<Result<V4Op, ValidationError>> {
    if let Some(op) = op.downcast_ref::<SetEntry>() {
        if op.notification().is_some() {
            return Some(Err(notification_refused("a single-key set")));
        }
        let pair = (op.key().clone(), op.value().clone());
        let set = SetMetadata::new(op.chatroom_id().clone(), op.user_id().clone(), [pair])
            .auto_delete(op.is_auto_delete());
        return Some(Ok(V4Op::Set(set)));
    }
    if let Some(op) = op.downcast_ref::<BatchSetEntries>() {
        let set = SetMetadata::new(
            op.chatroom_id().clone(),
            op.owner().clone(),
            op.entries().iter().cloned(),
        )
        .auto_delete(op.is_auto_delete());
        return Some(Ok(V4Op::Set(set)));
    }
    if let Some(op) = op.downcast_ref::<RemoveEntry>() {
        if op.notification().is_some() {
            return Some(Err(notification_refused("a single-key remove")));
        }
        let remove = RemoveMetadata::new(
            op.chatroom_id().clone(),
            op.user_id().clone(),
            [op.key().clone()],
        );
        return Some(Ok(V4Op::Remove(remove)));
    }
    if let Some(op) = op.downcast_ref::<BatchRemoveEntries>() {
        let remove = RemoveMetadata::new(
            op.chatroom_id().clone(),
            op.owner().clone(),
            op.keys().iter().cloned(),
        );
        return Some(Ok(V4Op::Remove(remove)));
    }
    if let Some(op) = op.downcast_ref::<QueryEntries>() {
        let get = GetMetadata::new(op.chatroom_id().clone()).with_keys(op.keys().iter().cloned());
        return Some(Ok(V4Op::Get(get)));
    }
    if let Some(op) = op.downcast_ref::<SetExpansion>() {
        let set = SetMessageMetadata::new(
            op.msg_uid().clone(),
            op.user_id().clone(),
            op.conversation_type(),
            op.target_id().clone(),
            op.entries().iter().cloned(),
        )
        .sync_sender(op.is_sync_sender());
        return Some(Ok(V4Op::SetExpansion(set)));
    }
    if let Some(op) = op.downcast_ref::<DeleteExpansion>() {
        let delete = DeleteMessageMetadata::new(
            op.msg_uid().clone(),
            op.user_id().clone(),
            op.conversation_type(),
            op.target_id().clone(),
            op.keys().iter().cloned(),
        )
        .sync_sender(op.is_sync_sender());
        return Some(Ok(V4Op::DeleteExpansion(delete)));
    }
    if let Some(op) = op.downcast_ref::<QueryExpansion>() {
        let mut list = ListMessageMetadata::new(op.msg_uid().clone());
        if let Some(page) = op.page_no() {
            list = list.page(page);
        }
        return Some(Ok(V4Op::ListExpansion(list)));
    }
    None
}

/// `value` as `U`, which is its own type: a v4 operation's output is the output of the legacy
/// operation it stands for.
pub(crate) fn same_output<T: Any, U: Any>(value: T) -> U {
    match (Box::new(value) as Box<dyn Any>).downcast::<U>() {
        Ok(value) => *value,
        Err(_) => unreachable!("a v4 operation's output is its legacy operation's output"),
    }
}
