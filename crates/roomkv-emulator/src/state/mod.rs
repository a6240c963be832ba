//! The emulator's state: chat-room KV, the message-expansion registry, Tencent rooms and their
//! metadata, and the event log.
//!
//! Pure and synchronous: no IO, no clock (time in milliseconds since the Unix epoch is an
//! argument), no randomness. Every operation returns `Result<_, ApiError>` carrying the code and
//! HTTP status the vendor answers with, so the HTTP layer is a thin adapter and everything here
//! is testable directly:
//!
//! ```
//! use roomkv_core::rongcloud::{ChatroomId, EntryKey, EntryValue, SetEntry, UserId};
//! use roomkv_emulator::EmulatorConfig;
//! use roomkv_emulator::state::State;
//!
//! let state = State::new(&EmulatorConfig::default());
//! let set = |user: &str| {
//!     SetEntry::new(
//!         ChatroomId::non_validated("room"),
//!         UserId::non_validated(user),
//!         EntryKey::non_validated("seat1"),
//!         EntryValue::non_validated("alice"),
//!     )
//! };
//! state.entry_set("demo-app-key", &set("alice"), 1_700_000_000_000).unwrap();
//! // Another user may not overwrite alice's key (default rule, code 1002).
//! let err = state.entry_set("demo-app-key", &set("bob"), 1_700_000_000_001).unwrap_err();
//! assert_eq!(err.code.code(), 1002);
//! ```
//!
//! State is sharded by room (and by message): each operation locks one shard, so operations on
//! different rooms run in parallel. Events are stored in the shard of the room they concern and
//! numbered from one global atomic counter; reading the log merges the shards.

mod entries;
mod expansion;
mod rongcloud;
mod snapshot;
mod tencent;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};

use roomkv_core::rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, DeleteExpansion, Entry, ExpansionPage, MsgUid,
    QueryEntries, QueryExpansion, RemoveEntry, SetEntry, SetExpansion, UserId,
};
use roomkv_core::{ApiError, Limits, RongCloudCode};

use self::expansion::Message;
pub use self::expansion::{ExpansionItem, MessageRegistration};
use self::rongcloud::{ChatRoom, Ctx};
pub use self::rongcloud::{NotificationMessage, validation_error as rongcloud_validation_error};
pub(crate) use self::snapshot::Snapshot;
use self::tencent::Room;
pub use self::tencent::TencentCall;
use crate::config::{EmulatorConfig, RongCloudRules};
use crate::events::{Event, EventKind, EventPage};
use crate::shards::Shards;

/// One shard: the rooms and messages that hash onto it, and their events.
#[derive(Debug, Default)]
struct Shard {
    chatrooms: HashMap<(String, String), ChatRoom>,
    messages: HashMap<(String, String), Message>,
    rooms: HashMap<(u64, String), Room>,
    events: VecDeque<Event>,
}

/// The state of every app of both vendors. See the [module documentation](self).
pub struct State {
    limits: Limits,
    rules: RongCloudRules,
    auto_register: bool,
    kv_default: bool,
    /// Apps whose KV switch differs from `kv_default`; `kv_overridden` says whether any does, so
    /// the common case reads one atomic and no lock.
    kv_overrides: RwLock<HashSet<String>>,
    kv_overridden: AtomicBool,
    shards: Shards<Shard>,
    seq: AtomicU64,
    dropped: AtomicU64,
    events_per_shard: usize,
    /// Counts the operations that may have changed the state (bumped under the lock they change
    /// it under), so that persistence knows what a snapshot covers.
    changes: AtomicU64,
    /// Called with every event as it is recorded (shard locked: must not block), to hand
    /// callbacks to the webhook delivery queue.
    on_record: OnceLock<OnRecord>,
}

/// What [`State::on_record`] installs.
pub(crate) type OnRecord = Box<dyn Fn(&Event) + Send + Sync>;

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("limits", &self.limits)
            .field("rules", &self.rules)
            .field("shards", &self.shards.len())
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

const CHATROOM: u8 = 1;
const MESSAGE: u8 = 2;
const TENCENT_ROOM: u8 = 3;

impl State {
    /// Empty state under `config`'s limits and rules.
    pub fn new(config: &EmulatorConfig) -> Self {
        let shards = Shards::new(config.shards);
        let events_per_shard = config.event_capacity.div_ceil(shards.len()).max(1);
        Self {
            limits: config.limits.clone(),
            rules: config.rongcloud.clone(),
            auto_register: config.expansion_auto_register,
            kv_default: config.kv_enabled,
            kv_overrides: RwLock::default(),
            kv_overridden: AtomicBool::new(false),
            shards,
            seq: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            events_per_shard,
            changes: AtomicU64::new(0),
            on_record: OnceLock::new(),
        }
    }

    /// The limits enforced.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Locks the shard of `key` to change it, counting the change (see [`Self::change_count`]).
    fn lock_mut<K: std::hash::Hash + ?Sized>(&self, key: &K) -> std::sync::MutexGuard<'_, Shard> {
        let shard = self.shards.lock(key);
        self.changes.fetch_add(1, Ordering::SeqCst);
        shard
    }

    /// How many operations that may have changed the state have run (refused ones included).
    /// Every change counted here is visible to a snapshot (what `--state` saves) that starts
    /// after reading it.
    pub fn change_count(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    fn ctx<'a>(&'a self, app_key: &'a str) -> Ctx<'a> {
        Ctx {
            app_key,
            limits: &self.limits,
            rules: &self.rules,
        }
    }

    /// Appends events to `shard`'s log, numbering them. Called with the shard locked, so a reader
    /// that loaded the counter first and then locks every shard sees every event up to it.
    fn record(&self, shard: &mut Shard, kinds: Vec<EventKind>) {
        for kind in kinds {
            let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
            if shard.events.len() >= self.events_per_shard {
                shard.events.pop_front();
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            let event = Event { seq, kind };
            if let Some(on_record) = self.on_record.get() {
                on_record(&event);
            }
            shard.events.push_back(event);
        }
    }

    /// Installs the function every recorded event is shown to (once; later calls are ignored).
    /// It runs with a shard locked and must not block or touch the state.
    pub(crate) fn on_record(&self, f: OnRecord) {
        let _ = self.on_record.set(f);
    }

    /// Records an event that concerns no room (a webhook delivery attempt).
    pub(crate) fn record_unrelated(&self, kind: EventKind) {
        let key = self.seq.load(Ordering::Relaxed);
        let mut shard = self.shards.lock(&("unrelated", key));
        self.record(&mut shard, vec![kind]);
    }

    // ---------------------------------------------------------------- RongCloud KV service switch

    /// Whether the chat-room KV service is enabled for `app_key`.
    pub fn kv_enabled(&self, app_key: &str) -> bool {
        if !self.kv_overridden.load(Ordering::Acquire) {
            return self.kv_default;
        }
        let overridden = self
            .kv_overrides
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(app_key);
        self.kv_default != overridden
    }

    /// Switches the chat-room KV service of `app_key` on or off (off: KV calls answer 1009).
    pub fn set_kv_enabled(&self, app_key: &str, enabled: bool) {
        let mut overrides = self
            .kv_overrides
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if enabled == self.kv_default {
            overrides.remove(app_key);
        } else {
            overrides.insert(app_key.to_owned());
        }
        self.kv_overridden
            .store(!overrides.is_empty(), Ordering::Release);
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    fn kv_service(&self, app_key: &str) -> Result<(), ApiError> {
        if self.kv_enabled(app_key) {
            Ok(())
        } else {
            Err(ApiError::rongcloud(
                RongCloudCode::ServiceNotEnabled,
                "the chat room KV service is not enabled for this App Key",
                200,
            ))
        }
    }

    /// Runs `f` with the shard that holds the chat room `room` locked and the room's key in
    /// it, then records the events `f` queued.
    fn in_chatroom_shard<T>(
        &self,
        app_key: &str,
        room: &ChatroomId,
        f: impl FnOnce(&mut Shard, &(String, String), &Ctx<'_>, &mut Vec<EventKind>) -> T,
    ) -> T {
        let ctx = self.ctx(app_key);
        let mut shard = self.lock_mut(&(CHATROOM, app_key, room.as_str()));
        let shard = &mut *shard;
        let key = (app_key.to_owned(), room.as_str().to_owned());
        let mut events = Vec::new();
        let result = f(shard, &key, &ctx, &mut events);
        self.record(shard, events);
        result
    }

    /// Runs `f` on the chat room, created empty if it does not exist, and records its events.
    fn with_chatroom<T>(
        &self,
        app_key: &str,
        room: &ChatroomId,
        f: impl FnOnce(&mut ChatRoom, &Ctx<'_>, &mut Vec<EventKind>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.kv_service(app_key)?;
        self.in_chatroom_shard(app_key, room, |shard, key, ctx, out| {
            let chatroom = shard.chatrooms.entry(key.clone()).or_default();
            let result = f(chatroom, ctx, out);
            if chatroom.version == 0 {
                // A refused first request leaves no trace (no memory kept for rooms never used).
                shard.chatrooms.remove(key);
            }
            result
        })
    }

    /// Runs `f` on the chat room if it exists and records its events; `None` if it does not.
    fn with_existing_chatroom<T>(
        &self,
        app_key: &str,
        room: &ChatroomId,
        f: impl FnOnce(&mut ChatRoom, &Ctx<'_>, &mut Vec<EventKind>) -> T,
    ) -> Option<T> {
        self.in_chatroom_shard(app_key, room, |shard, key, ctx, out| {
            let chatroom = shard.chatrooms.get_mut(key)?;
            Some(f(chatroom, ctx, out))
        })
    }

    // ---------------------------------------------------------------- RongCloud chat-room KV

    /// `/chatroom/entry/set.json`.
    pub fn entry_set(&self, app_key: &str, op: &SetEntry, now_ms: u64) -> Result<(), ApiError> {
        self.with_chatroom(app_key, op.chatroom_id(), |room, ctx, out| {
            room.set(ctx, op, now_ms, out)
        })
    }

    /// `/chatroom/entry/batch/set.json`.
    pub fn entry_batch_set(
        &self,
        app_key: &str,
        op: &BatchSetEntries,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        self.with_chatroom(app_key, op.chatroom_id(), |room, ctx, out| {
            room.batch_set(ctx, op, now_ms, out)
        })
    }

    /// `/chatroom/entry/remove.json`.
    pub fn entry_remove(
        &self,
        app_key: &str,
        op: &RemoveEntry,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        self.with_chatroom(app_key, op.chatroom_id(), |room, ctx, out| {
            room.remove(ctx, op, now_ms, out)
        })
    }

    /// `/chatroom/entry/batch/remove.json`.
    pub fn entry_batch_remove(
        &self,
        app_key: &str,
        op: &BatchRemoveEntries,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        self.with_chatroom(app_key, op.chatroom_id(), |room, ctx, out| {
            room.batch_remove(ctx, op, now_ms, out)
        })
    }

    /// `/chatroom/entry/query.json`: every entry in key order, or the requested keys in request
    /// order (missing keys omitted).
    pub fn entry_query(&self, app_key: &str, op: &QueryEntries) -> Result<Vec<Entry>, ApiError> {
        self.kv_service(app_key)?;
        let shard = self
            .shards
            .lock(&(CHATROOM, app_key, op.chatroom_id().as_str()));
        match shard
            .chatrooms
            .get(&(app_key.to_owned(), op.chatroom_id().as_str().to_owned()))
        {
            Some(room) => room.query(op),
            None => ChatRoom::default().query(op),
        }
    }

    /// `user_id` left the room: their `autoDelete` entries vanish without a notification message
    /// (one KV-sync event with `optType` 2 per key unless configured off). Returns the keys
    /// removed.
    pub fn user_leave(
        &self,
        app_key: &str,
        chatroom_id: &ChatroomId,
        user_id: &UserId,
        now_ms: u64,
    ) -> Vec<String> {
        let (room, user) = (chatroom_id.as_str(), user_id.as_str());
        self.with_existing_chatroom(app_key, chatroom_id, |chatroom, ctx, out| {
            chatroom.user_left(ctx, room, user, now_ms, out)
        })
        .unwrap_or_default()
    }

    /// The room was destroyed: every entry vanishes (one KV-sync event with `optType` 3 if there
    /// were any). The room's `version` keeps growing if the room is used again. Returns how many
    /// entries were removed.
    pub fn destroy_chatroom(&self, app_key: &str, chatroom_id: &ChatroomId, now_ms: u64) -> usize {
        let room = chatroom_id.as_str();
        self.with_existing_chatroom(app_key, chatroom_id, |chatroom, ctx, out| {
            chatroom.destroyed(ctx, room, now_ms, out)
        })
        .unwrap_or_default()
    }

    /// The attribute version of a room: the number of changes it has seen.
    pub fn chatroom_version(&self, app_key: &str, chatroom_id: &ChatroomId) -> u64 {
        let shard = self.shards.lock(&(CHATROOM, app_key, chatroom_id.as_str()));
        shard
            .chatrooms
            .get(&(app_key.to_owned(), chatroom_id.as_str().to_owned()))
            .map_or(0, |room| room.version)
    }

    // ---------------------------------------------------------------- RongCloud expansions

    /// Registers (or replaces) a message the expansion endpoints may operate on.
    pub fn register_message(
        &self,
        app_key: &str,
        registration: &MessageRegistration,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        let ctx = self.ctx(app_key);
        let message = Message::register(&ctx, registration, now_ms)?;
        let msg_uid = registration.msg_uid.as_str();
        let mut shard = self.lock_mut(&(MESSAGE, app_key, msg_uid));
        shard
            .messages
            .insert((app_key.to_owned(), msg_uid.to_owned()), message);
        Ok(())
    }

    /// Runs `f` on the message `msg_uid` and records its events. A message that does not exist
    /// is refused, or, with automatic registration, made by `auto` and kept if `f` succeeds.
    fn with_message(
        &self,
        app_key: &str,
        msg_uid: &MsgUid,
        auto: impl FnOnce() -> Message,
        f: impl FnOnce(&mut Message, &Ctx<'_>, &mut Vec<EventKind>) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let ctx = self.ctx(app_key);
        let mut shard = self.lock_mut(&(MESSAGE, app_key, msg_uid.as_str()));
        let shard = &mut *shard;
        let key = (app_key.to_owned(), msg_uid.as_str().to_owned());
        let mut events = Vec::new();
        let result = match shard.messages.get_mut(&key) {
            Some(message) => f(message, &ctx, &mut events),
            None if self.auto_register => {
                let mut message = auto();
                let result = f(&mut message, &ctx, &mut events);
                if result.is_ok() {
                    shard.messages.insert(key, message);
                }
                result
            }
            None => Err(self.message_missing()),
        };
        self.record(shard, events);
        result
    }

    fn message_missing(&self) -> ApiError {
        ApiError::rongcloud(
            self.rules.expansion_message_code,
            "the message does not exist",
            200,
        )
    }

    /// `/message/expansion/set.json`. Fails entirely when the message would have more than 300
    /// expansions.
    pub fn expansion_set(
        &self,
        app_key: &str,
        op: &SetExpansion,
        now_ms: u64,
    ) -> Result<(), ApiError> {
        let auto =
            || Message::auto_registered(op.user_id(), op.conversation_type(), op.target_id());
        self.with_message(app_key, op.msg_uid(), auto, |message, ctx, out| {
            message.set(ctx, op, now_ms, out)
        })
    }

    /// `/message/expansion/delete.json`. Keys that do not exist are ignored.
    pub fn expansion_delete(&self, app_key: &str, op: &DeleteExpansion) -> Result<(), ApiError> {
        let auto =
            || Message::auto_registered(op.user_id(), op.conversation_type(), op.target_id());
        self.with_message(app_key, op.msg_uid(), auto, |message, ctx, out| {
            message.delete(ctx, op, out)
        })
    }

    /// `/message/expansion/query.json`: pages of 300 in key order, from page 1. An unknown
    /// message reads as empty when auto-registration is on.
    pub fn expansion_query(
        &self,
        app_key: &str,
        op: &QueryExpansion,
    ) -> Result<ExpansionPage, ApiError> {
        let ctx = self.ctx(app_key);
        let shard = self.shards.lock(&(MESSAGE, app_key, op.msg_uid().as_str()));
        match shard
            .messages
            .get(&(app_key.to_owned(), op.msg_uid().as_str().to_owned()))
        {
            Some(message) => Ok(message.page(&ctx, op.page_no().unwrap_or(1))),
            None if self.auto_register => Ok(ExpansionPage::default()),
            None => Err(self.message_missing()),
        }
    }

    // ---------------------------------------------------------------- Tencent rooms and metadata
    //
    // `room_create`, `room_destroy`, `room_info`, `metadata_get`, `metadata_set` and
    // `metadata_delete` are in `tencent.rs`.

    // ---------------------------------------------------------------- events and reset

    /// The events with `seq > since`, in order. `next` in the answer is the `since` of the next
    /// call; no event up to it can appear later.
    pub fn events_since(&self, since: u64) -> EventPage {
        let next = self.seq.load(Ordering::SeqCst);
        let mut events: Vec<Event> = Vec::new();
        for shard in self.shards.iter() {
            events.extend(
                shard
                    .events
                    .iter()
                    .filter(|e| e.seq > since && e.seq <= next)
                    .cloned(),
            );
        }
        events.sort_unstable_by_key(|e| e.seq);
        EventPage {
            events,
            next,
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }

    /// Forgets everything: rooms, entries, messages, events (numbering restarts at 1) and the KV
    /// service switches. Meant for quiet moments between tests: requests running concurrently
    /// may land on either side of it.
    pub fn reset(&self) {
        for mut shard in self.shards.iter() {
            *shard = Shard::default();
        }
        self.seq.store(0, Ordering::SeqCst);
        self.dropped.store(0, Ordering::Relaxed);
        lock_write(&self.kv_overrides).clear();
        self.kv_overridden.store(false, Ordering::Release);
        self.changes.fetch_add(1, Ordering::SeqCst);
    }
}

fn lock_write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
