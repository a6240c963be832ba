//! The event log: notification messages, KV-sync webhooks, expansion operations and Tencent
//! callbacks, in the order they happened, each with a sequence number.
//!
//! Served as JSON at `GET /_emulator/events`. Every event is the body the vendor would deliver
//! (the `body` field) plus where it came from:
//!
//! ```json
//! {"seq":1,"type":"rongcloud.kv_sync","appKey":"demo-app-key",
//!  "body":{"chatroomId":"r1","key":"k","value":"v","optType":1,"userId":"u1","timestamp":1700000000000,"version":1}}
//! ```

use roomkv_core::tencent::RoomInfo;
use serde::Serialize;

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Position in the log, from 1, without gaps (until [`crate::state::State::reset`]).
    pub seq: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What an event records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum EventKind {
    /// A notification message sent to a chat room because a set or remove carried `objectName`.
    #[serde(rename = "rongcloud.notification")]
    RongCloudNotification {
        /// The app.
        #[serde(rename = "appKey")]
        app_key: String,
        /// The message as the room receives it.
        body: Notification,
    },
    /// A chat-room attribute synchronisation webhook (`docs/vendors/rongcloud.md#kv-sync-webhook`).
    #[serde(rename = "rongcloud.kv_sync")]
    RongCloudKvSync {
        /// The app.
        #[serde(rename = "appKey")]
        app_key: String,
        /// The webhook body.
        body: KvSync,
    },
    /// A message expansion change (the "expansion operation message" of the conversation).
    #[serde(rename = "rongcloud.expansion")]
    RongCloudExpansion {
        /// The app.
        #[serde(rename = "appKey")]
        app_key: String,
        /// What changed.
        body: ExpansionChange,
    },
    /// A Tencent Live webhook (`docs/vendors/tencent.md#callbacks`).
    #[serde(rename = "tencent.callback")]
    TencentCallback {
        /// The app.
        sdkappid: u64,
        /// The webhook body.
        body: TencentCallback,
    },
    /// One attempt to deliver a recorded callback to the configured URL (see
    /// [`crate::config::WebhookConfig`]).
    #[serde(rename = "webhook.delivery")]
    WebhookDelivery(Delivery),
}

/// One delivery attempt of a callback and its outcome.
///
/// ```json
/// {"seq":7,"type":"webhook.delivery","vendor":"rongcloud","eventSeq":3,"attempt":1,
///  "outcome":"status","status":500,"final":false}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Whose callback: `rongcloud` or `tencent`.
    pub vendor: WebhookVendor,
    /// The `seq` of the recorded callback event being delivered.
    #[serde(rename = "eventSeq")]
    pub event_seq: u64,
    /// The attempt, from 1.
    pub attempt: u32,
    /// What happened.
    #[serde(flatten)]
    pub outcome: DeliveryOutcome,
    /// Whether this was the last attempt (delivered, or failed with no retry left: dropped).
    #[serde(rename = "final")]
    pub is_final: bool,
}

/// The vendor a callback is delivered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookVendor {
    /// The RongCloud KV sync webhook.
    RongCloud,
    /// A Tencent Live callback.
    Tencent,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum DeliveryOutcome {
    /// The receiver answered HTTP 200.
    Delivered,
    /// The receiver answered another status.
    Status {
        /// The status.
        status: u16,
    },
    /// No answer within the policy's timeout.
    Timeout,
    /// The exchange failed (connection refused, reset, bad URL).
    Error {
        /// Why.
        message: String,
    },
}

/// A chat-room notification message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// The room.
    #[serde(rename = "chatroomId")]
    pub chatroom_id: String,
    /// The sender: the operator of the set or remove.
    #[serde(rename = "fromUserId")]
    pub from_user_id: String,
    /// The message type, such as `RC:chrmKVNotiMsg`.
    #[serde(rename = "objectName")]
    pub object_name: String,
    /// The message content as sent (a JSON string).
    pub content: String,
}

/// What a KV-sync event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "u8")]
pub enum OptType {
    /// `1`: a key was set.
    Set,
    /// `2`: a key was deleted.
    Delete,
    /// `3`: every key of the room was deleted (the room was destroyed).
    DeleteAll,
}

impl From<OptType> for u8 {
    fn from(opt: OptType) -> Self {
        match opt {
            OptType::Set => 1,
            OptType::Delete => 2,
            OptType::DeleteAll => 3,
        }
    }
}

/// The body of the chat-room attribute synchronisation webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvSync {
    /// The room.
    #[serde(rename = "chatroomId")]
    pub chatroom_id: String,
    /// The key (empty for [`OptType::DeleteAll`]).
    pub key: String,
    /// The value set, or the value the deleted key had (empty for [`OptType::DeleteAll`]).
    pub value: String,
    /// What happened.
    #[serde(rename = "optType")]
    pub opt_type: OptType,
    /// The operator (the user who left, for automatic deletions).
    #[serde(rename = "userId")]
    pub user_id: String,
    /// Server time, milliseconds since the Unix epoch.
    pub timestamp: u64,
    /// The room's attribute version after the change; grows with every change of the room.
    pub version: u64,
}

/// A message expansion change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpansionChange {
    /// The message.
    #[serde(rename = "msgUID")]
    pub msg_uid: String,
    /// `set` or `delete`.
    pub operation: ExpansionOperation,
    /// The operator.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// `1` private or `3` group.
    #[serde(rename = "conversationType")]
    pub conversation_type: u8,
    /// The conversation target.
    #[serde(rename = "targetId")]
    pub target_id: String,
    /// The keys changed, in request order.
    pub keys: Vec<String>,
    /// Whether the change is also synced to the operator's own client.
    #[serde(rename = "isSyncSender")]
    pub is_sync_sender: bool,
}

/// The kind of an expansion change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpansionOperation {
    /// Keys were set.
    Set,
    /// Keys were deleted.
    Delete,
}

/// One metadata item of a Tencent callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataItem {
    /// The key.
    #[serde(rename = "Key")]
    pub key: String,
    /// The value.
    #[serde(rename = "Value")]
    pub value: String,
}

/// A Tencent Live webhook body, exactly as documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "CallbackCommand")]
#[non_exhaustive]
pub enum TencentCallback {
    /// `Live.CallbackAfterSetMetadata`.
    #[serde(rename = "Live.CallbackAfterSetMetadata")]
    AfterSetMetadata {
        /// The caller (the admin identifier of the request).
        #[serde(rename = "Operator_Account")]
        operator_account: String,
        /// The room.
        #[serde(rename = "RoomId")]
        room_id: String,
        /// The items set, in request order.
        #[serde(rename = "Metadata")]
        metadata: Vec<MetadataItem>,
        /// Milliseconds since the Unix epoch.
        #[serde(rename = "EventTime")]
        event_time: u64,
    },
    /// `Live.CallbackAfterDelMetadata`.
    #[serde(rename = "Live.CallbackAfterDelMetadata")]
    AfterDelMetadata {
        /// The caller.
        #[serde(rename = "Operator_Account")]
        operator_account: String,
        /// The room.
        #[serde(rename = "RoomId")]
        room_id: String,
        /// The keys that existed and were deleted, in request order.
        #[serde(rename = "Keys")]
        keys: Vec<String>,
        /// Milliseconds since the Unix epoch.
        #[serde(rename = "EventTime")]
        event_time: u64,
    },
    /// `Live.CallbackAfterUpdateRoomInfo`. Tencent names this callback but its body was not
    /// retrieved: the fields are inferred, shaped like the metadata callbacks.
    #[serde(rename = "Live.CallbackAfterUpdateRoomInfo")]
    AfterUpdateRoomInfo {
        /// The caller (inferred).
        #[serde(rename = "Operator_Account")]
        operator_account: String,
        /// The room (inferred).
        #[serde(rename = "RoomId")]
        room_id: String,
        /// The settings the request changed, as sent: `RoomId` and the fields it set (inferred).
        #[serde(rename = "RoomInfo")]
        room_info: Box<RoomInfo>,
        /// Milliseconds since the Unix epoch (inferred).
        #[serde(rename = "EventTime")]
        event_time: u64,
    },
}

/// A page of the log, as served by `GET /_emulator/events?since=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventPage {
    /// Events with `seq` greater than the requested `since`, in order.
    pub events: Vec<Event>,
    /// Pass this as `since` next time to get only newer events. Every event up to it is either in
    /// this page or was dropped.
    pub next: u64,
    /// How many events the log has dropped since the last reset because it was full.
    pub dropped: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_have_the_documented_shape() {
        let set = TencentCallback::AfterSetMetadata {
            operator_account: "brennanli".into(),
            room_id: "live-room1111".into(),
            metadata: vec![MetadataItem {
                key: "key1".into(),
                value: "value1".into(),
            }],
            event_time: 1_739_965_885_831,
        };
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"{"CallbackCommand":"Live.CallbackAfterSetMetadata","Operator_Account":"brennanli","RoomId":"live-room1111","Metadata":[{"Key":"key1","Value":"value1"}],"EventTime":1739965885831}"#
        );
        let event = Event {
            seq: 3,
            kind: EventKind::RongCloudKvSync {
                app_key: "a".into(),
                body: KvSync {
                    chatroom_id: "r".into(),
                    key: "k".into(),
                    value: "v".into(),
                    opt_type: OptType::DeleteAll,
                    user_id: "u".into(),
                    timestamp: 5,
                    version: 9,
                },
            },
        };
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"seq":3,"type":"rongcloud.kv_sync","appKey":"a","body":{"chatroomId":"r","key":"k","value":"v","optType":3,"userId":"u","timestamp":5,"version":9}}"#
        );
    }
}
