//! [`Snapshot`]: the durable part of the [`State`], as the state file stores it.
//!
//! A snapshot holds what a vendor keeps: chat rooms (entries with value, owner, `autoDelete`,
//! `lastSetTime`, and the room's `version`), the message-expansion registry (sender,
//! conversation, target, expansions with their `ts`), Tencent rooms (their `RoomInfo` and
//! metadata in order), the KV service switches, and the event numbering (so `seq` keeps growing
//! across restarts). The event log itself is a record of one run and is not kept.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use super::expansion::Message;
use super::rongcloud::ChatRoom;
use super::tencent::Room;
use super::{Shard, State, lock_write};

/// The durable state of every app of both vendors (see the [module documentation](self)).
/// Serializes as the body of the state file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Snapshot {
    chatrooms: Vec<ChatRoomRecord>,
    messages: Vec<MessageRecord>,
    rooms: Vec<RoomRecord>,
    /// The apps whose KV service switch differs from the configured default, and their switch.
    kv_switches: Vec<KvSwitch>,
    /// The last event number handed out.
    event_seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatRoomRecord {
    app_key: String,
    chatroom_id: String,
    room: ChatRoom,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageRecord {
    app_key: String,
    msg_uid: String,
    message: Message,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoomRecord {
    sdkappid: u64,
    room_id: String,
    room: Room,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KvSwitch {
    app_key: String,
    enabled: bool,
}

impl State {
    /// A consistent copy of the durable state: every change counted by a
    /// [`change_count`](Self::change_count) read before the call is in it. Shards are copied
    /// one at a time, so other rooms keep being served meanwhile.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for shard in self.shards.iter() {
            for ((app_key, chatroom_id), room) in &shard.chatrooms {
                snapshot.chatrooms.push(ChatRoomRecord {
                    app_key: app_key.clone(),
                    chatroom_id: chatroom_id.clone(),
                    room: room.clone(),
                });
            }
            for ((app_key, msg_uid), message) in &shard.messages {
                snapshot.messages.push(MessageRecord {
                    app_key: app_key.clone(),
                    msg_uid: msg_uid.clone(),
                    message: message.clone(),
                });
            }
            for ((sdkappid, room_id), room) in &shard.rooms {
                snapshot.rooms.push(RoomRecord {
                    sdkappid: *sdkappid,
                    room_id: room_id.clone(),
                    room: room.clone(),
                });
            }
        }
        // Read after the shards: a change copied above may have numbered its events after the
        // copy began, and a restart must not hand those numbers out again.
        snapshot.event_seq = self.seq.load(Ordering::SeqCst);
        let overrides = self
            .kv_overrides
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        snapshot.kv_switches = overrides
            .iter()
            .map(|app_key| KvSwitch {
                app_key: app_key.clone(),
                enabled: !self.kv_default,
            })
            .collect();
        // Stable order: the same state always writes the same file.
        snapshot
            .chatrooms
            .sort_by(|a, b| (&a.app_key, &a.chatroom_id).cmp(&(&b.app_key, &b.chatroom_id)));
        snapshot
            .messages
            .sort_by(|a, b| (&a.app_key, &a.msg_uid).cmp(&(&b.app_key, &b.msg_uid)));
        snapshot
            .rooms
            .sort_by(|a, b| (a.sdkappid, &a.room_id).cmp(&(b.sdkappid, &b.room_id)));
        snapshot
            .kv_switches
            .sort_by(|a, b| a.app_key.cmp(&b.app_key));
        snapshot
    }

    /// Replaces the whole state with `snapshot` (the event log starts empty, numbered after the
    /// snapshot's last event).
    pub(crate) fn restore(&self, snapshot: Snapshot) {
        for mut shard in self.shards.iter() {
            *shard = Shard::default();
        }
        for record in snapshot.chatrooms {
            let key = (record.app_key, record.chatroom_id);
            let mut shard = self.lock_mut(&(super::CHATROOM, key.0.as_str(), key.1.as_str()));
            shard.chatrooms.insert(key, record.room);
        }
        for record in snapshot.messages {
            let key = (record.app_key, record.msg_uid);
            let mut shard = self.lock_mut(&(super::MESSAGE, key.0.as_str(), key.1.as_str()));
            shard.messages.insert(key, record.message);
        }
        for record in snapshot.rooms {
            let key = (record.sdkappid, record.room_id);
            let mut shard = self.lock_mut(&(super::TENCENT_ROOM, key.0, key.1.as_str()));
            shard.rooms.insert(key, record.room);
        }
        lock_write(&self.kv_overrides).clear();
        self.kv_overridden.store(false, Ordering::Release);
        for switch in snapshot.kv_switches {
            self.set_kv_enabled(&switch.app_key, switch.enabled);
        }
        self.seq.store(snapshot.event_seq, Ordering::SeqCst);
        self.dropped.store(0, Ordering::Relaxed);
    }
}
