//! What the steps of `roomkv demo` share: the demo's ids, the [`Context`] one step leaves for
//! another, and small helpers that observe the emulator and describe what a step saw.

use std::future::Future;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use roomkv_emulator::Emulator;
use roomkv_emulator::events::EventKind;
use roomkv_rongcloud::{Entry, KV_NOTIFICATION_OBJECT_NAME, ValidationError};
use roomkv_tencent::MetadataEntry;

use crate::demo::harness::Observation;

pub(super) const ROOM: &str = "demo-room";
pub(super) const ANCHOR: &str = "anchor";
pub(super) const MSG_UID: &str = "BRGM-DEN2-01E4-DEMO";
pub(super) const MSG_USER: &str = "alice";
pub(super) const GROUP: &str = "demo-group";
pub(super) const LIVE_ROOM: &str = "demo-live";
pub(super) const LIVE_ROOM_NAME: &str = "roomkv demo";
pub(super) const LIVE_ROOM_NOTICE: &str = "quiz at 8";
pub(super) const BARE_LIVE_ROOM: &str = "demo-live-bare";
pub(super) const LOST_REPLY_ROOM: &str = "demo-lost-reply";
pub(super) const BURST_ROOM_PREFIX: &str = "demo-burst-";
/// Entries per burst room, well under the 100 a room may hold.
pub(super) const BURST_ENTRIES_PER_ROOM: usize = 10;

/// What a step returns: an observation, or a description of something that went wrong before
/// the step could observe anything (which fails the step).
pub(super) type Seen = Result<Observation, String>;

/// What the steps share beside the demo: the size of the burst, and what one step leaves for a
/// later one.
pub(super) struct Context {
    /// Writes per burst step: twice one second's quota ([`burst_size`]).
    pub(super) writes: usize,
    /// The emulator's latest event before the lost reply, from which the read-back step counts
    /// notifications.
    pub(super) lost_reply_mark: AtomicU64,
}

/// Twice one second's entry-set quota, at the emulator's rate.
pub(super) fn burst_size(emulator: &Emulator) -> usize {
    let config = emulator.config();
    let per_sec = f64::from(config.limits.rongcloud.rates.entry_set_kv_per_sec);
    // The scale is between 0.05 and 2 (see `--quota-scale`): at most a few hundred writes.
    let quota = (per_sec * config.quota.rate_scale).ceil().max(1.0) as usize;
    2 * quota
}

/// Awaits `future` and measures how long it took.
pub(super) async fn timed<T>(future: impl Future<Output = T>) -> (T, Duration) {
    let start = Instant::now();
    let output = future.await;
    (output, start.elapsed())
}

/// The sequence number of the emulator's latest event: later events have larger ones.
pub(super) fn event_mark(emulator: &Emulator) -> u64 {
    emulator.state().events_since(u64::MAX).next
}

/// How many of the emulator's events after event `since` are of the kind `counted` says.
fn events_since(emulator: &Emulator, since: u64, counted: impl Fn(&EventKind) -> bool) -> usize {
    emulator
        .state()
        .events_since(since)
        .events
        .iter()
        .filter(|event| counted(&event.kind))
        .count()
}

/// How many `RC:chrmKVNotiMsg` messages `room` received after event `since`.
pub(super) fn notifications(emulator: &Emulator, since: u64, room: &str) -> usize {
    events_since(emulator, since, |kind| {
        matches!(
            kind,
            EventKind::RongCloudNotification { body, .. }
                if body.chatroom_id == room && body.object_name == KV_NOTIFICATION_OBJECT_NAME
        )
    })
}

/// How many Tencent callbacks `Live.{command}` (`CallbackAfterSetMetadata`, ...) `room`
/// caused after event `since`.
pub(super) fn tencent_callbacks(
    emulator: &Emulator,
    since: u64,
    room: &str,
    command: &str,
) -> usize {
    let command = format!("Live.{command}");
    events_since(emulator, since, |kind| match kind {
        EventKind::TencentCallback { body, .. } => {
            let body = serde_json::to_value(body).unwrap_or_default();
            body["CallbackCommand"] == command.as_str() && body["RoomId"] == room
        }
        _ => false,
    })
}

/// `k1=v1, k2=v2` in the given order.
pub(super) fn pairs<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if items.is_empty() {
        "nothing".to_owned()
    } else {
        items.join(", ")
    }
}

/// `N entries: k=v, ...`, sorted by key.
pub(super) fn describe_entries(entries: &[Entry], noun: &str) -> String {
    let mut items: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    items.sort_unstable();
    format!("{} {noun}: {}", items.len(), pairs(items))
}

/// `N keys: k=v, ...`, sorted by key.
pub(super) fn describe_metadata(entries: &[MetadataEntry]) -> String {
    let mut items: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    items.sort_unstable();
    format!("{} keys: {}", items.len(), pairs(items))
}

/// A RongCloud error in a few words: the code and HTTP status, or the client's sentence.
pub(super) fn rc_error(err: &roomkv_rongcloud::Error) -> String {
    match err.api_error() {
        Some(api) => format!(
            "code {} (HTTP {}): {}",
            api.code.code(),
            api.http_status,
            api.message
        ),
        None => err.to_string(),
    }
}

/// A Tencent error in a few words: the code, or the client's sentence.
pub(super) fn tc_error(err: &roomkv_tencent::Error) -> String {
    match err.api_error() {
        Some(api) => format!("code {}: {}", api.code.code(), api.message),
        None => err.to_string(),
    }
}

pub(super) fn unexpected_rc(err: &roomkv_rongcloud::Error) -> Observation {
    Observation::new(false, rc_error(err))
}

pub(super) fn unexpected_tc(err: &roomkv_tencent::Error) -> Observation {
    Observation::new(false, tc_error(err))
}

pub(super) fn ok_or_unexpected_rc(result: Result<(), roomkv_rongcloud::Error>) -> Observation {
    match result {
        Ok(()) => Observation::new(true, "ok"),
        Err(err) => unexpected_rc(&err),
    }
}

pub(super) fn ok_or_unexpected_tc(result: Result<(), roomkv_tencent::Error>) -> Observation {
    match result {
        Ok(()) => Observation::new(true, "ok"),
        Err(err) => unexpected_tc(&err),
    }
}

/// A demo input parsed (and so checked) like any caller's: a bad one fails its step.
pub(super) fn checked<T>(parsed: Result<T, ValidationError>) -> Result<T, String> {
    parsed.map_err(|err| format!("invalid demo input: {err}"))
}

#[cfg(test)]
mod tests {
    use roomkv_emulator::EmulatorConfig;
    use roomkv_rongcloud::{ChatroomId, EntryKey, ExpansionKey, MsgUid, TargetId, UserId};
    use roomkv_tencent::{MetadataKey, RoomId};

    use super::*;

    #[test]
    fn the_demo_inputs_are_valid() {
        for room in [ROOM, LOST_REPLY_ROOM] {
            assert!(ChatroomId::parse(room).is_ok(), "{room}");
        }
        for user in [ANCHOR, MSG_USER] {
            assert!(UserId::parse(user).is_ok(), "{user}");
        }
        assert!(MsgUid::parse(MSG_UID).is_ok() && TargetId::parse(GROUP).is_ok());
        for room in [LIVE_ROOM, BARE_LIVE_ROOM] {
            assert!(RoomId::parse(room).is_ok(), "{room}");
        }
        for text in ["stage", "seat-1", "seat-2", "score", "intruder", "k399"] {
            assert!(EntryKey::parse(text).is_ok(), "{text}");
        }
        for text in ["never-set", "nor-this", "stage", "score"] {
            assert!(MetadataKey::parse(text).is_ok(), "{text}");
        }
        assert!(ExpansionKey::parse("likes").is_ok() && ExpansionKey::parse("pinned").is_ok());
        let burst_room = format!("{BURST_ROOM_PREFIX}{}", 399 / BURST_ENTRIES_PER_ROOM);
        assert!(ChatroomId::parse(burst_room).is_ok());
    }

    #[test]
    fn the_oversize_key_is_one_over_the_documented_limit() {
        let limit = EntryKey::max(&roomkv_rongcloud::Limits::default());
        assert_eq!(limit, 128);
        assert!(EntryKey::parse("k".repeat(limit)).is_ok());
        assert!(EntryKey::parse("k".repeat(limit + 1)).is_err());
    }

    #[test]
    fn the_burst_is_twice_one_seconds_quota() {
        let mut config = EmulatorConfig::default();
        assert_eq!(burst_size(&Emulator::new(config.clone())), 200);
        config.quota.rate_scale = 0.05;
        assert_eq!(burst_size(&Emulator::new(config.clone())), 10);
        config.quota.rate_scale = 2.0;
        assert_eq!(burst_size(&Emulator::new(config)), 400);
    }

    #[test]
    fn descriptions_are_sorted_and_say_nothing_when_empty() {
        assert_eq!(pairs([("a", "1"), ("b", "2")]), "a=1, b=2");
        assert_eq!(pairs(Vec::new()), "nothing");
    }
}
