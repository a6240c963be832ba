//! The steps of `roomkv demo`: one table ([`table`]) of the steps in the order they run, each
//! with its vendor, its name, what it shows (the behaviour the vendors document, and the
//! emulator implements, as its expectation) and the function that runs it.
//!
//! Every step goes through the real clients over HTTP. The emulator is read directly only to
//! show what a vendor would have delivered elsewhere (notification messages, callbacks) and that a
//! refused request left no trace.

mod failures;
mod rongcloud;
mod tencent;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use roomkv_emulator::Emulator;
use roomkv_emulator::events::{EventKind, TencentCallback};
use roomkv_rongcloud::{Entry, KV_NOTIFICATION_OBJECT_NAME, ValidationError};
use roomkv_tencent::MetadataEntry;

use self::failures::Pacing;
use super::report::Vendor::{self, RongCloud, Tencent};
use super::{Demo, Observation, Runner, STEP_BUDGET};

/// The burst step's budget: twice one second's quota drains in about a second, plus backoff.
const BURST_BUDGET: Duration = Duration::from_secs(25);

const ROOM: &str = "demo-room";
const ANCHOR: &str = "anchor";
const MSG_UID: &str = "BRGM-DEN2-01E4-DEMO";
const MSG_USER: &str = "alice";
const GROUP: &str = "demo-group";
const LIVE_ROOM: &str = "demo-live";
const LIVE_ROOM_NAME: &str = "roomkv demo";
const BARE_LIVE_ROOM: &str = "demo-live-bare";
const LOST_REPLY_ROOM: &str = "demo-lost-reply";
const BURST_ROOM_PREFIX: &str = "demo-burst-";
/// Entries per burst room, well under the 100 a room may hold.
const BURST_ENTRIES_PER_ROOM: usize = 10;

/// What a step returns: an observation, or a description of something that went wrong before
/// the step could observe anything (which fails the step).
type Seen = Result<Observation, String>;

/// A step's run, started: it borrows the demo and the [`Context`].
type Run<'a> = Pin<Box<dyn Future<Output = Seen> + 'a>>;

/// What the steps share beside the demo: the size of the burst, and what one step leaves for a
/// later one.
pub(super) struct Context {
    /// Writes per burst step: twice one second's quota ([`burst_size`]).
    writes: usize,
    /// The emulator's latest event before the lost reply, from which the read-back step counts
    /// notifications.
    lost_reply_mark: AtomicU64,
}

/// One row of the table.
struct Step {
    vendor: Vendor,
    /// The operation column of the report.
    name: String,
    /// What the step shows: the documented behaviour it expects.
    shows: String,
    /// How long it may take.
    budget: Duration,
    /// Starts the step.
    run: for<'a> fn(&'a Demo, &'a Context) -> Run<'a>,
}

impl Step {
    /// A step of `vendor` within [`STEP_BUDGET`].
    fn new(
        vendor: Vendor,
        name: impl Into<String>,
        shows: impl Into<String>,
        run: for<'a> fn(&'a Demo, &'a Context) -> Run<'a>,
    ) -> Self {
        Self {
            vendor,
            name: name.into(),
            shows: shows.into(),
            budget: STEP_BUDGET,
            run,
        }
    }

    /// The same step within `budget`.
    fn budget(self, budget: Duration) -> Self {
        Self { budget, ..self }
    }
}

/// Every step, in the order they run: both vendors' operations, then the documented failure
/// paths. A lost reply comes before the read that settles it; the burst comes last, as it
/// drains the quota a write after it would need. `writes` is the size of each burst.
fn table(writes: usize) -> Vec<Step> {
    let kv = KV_NOTIFICATION_OBJECT_NAME;
    vec![
        // RongCloud chat-room KV.
        Step::new(
            RongCloud,
            "entry set",
            format!("ok; 1 {kv} recorded"),
            |demo, _| Box::pin(rongcloud::entry_set(demo)),
        ),
        Step::new(RongCloud, "entry batch-set", "ok", |demo, _| {
            Box::pin(rongcloud::entry_batch_set(demo))
        }),
        Step::new(
            RongCloud,
            "entry query",
            "the 4 entries as set",
            |demo, _| Box::pin(rongcloud::entry_query(demo)),
        ),
        Step::new(RongCloud, "entry remove", "ok", |demo, _| {
            Box::pin(rongcloud::entry_remove(demo))
        }),
        Step::new(
            RongCloud,
            "entry batch-remove",
            "ok; stage=quiz left",
            |demo, _| Box::pin(rongcloud::entry_batch_remove(demo)),
        ),
        // RongCloud message expansions.
        Step::new(RongCloud, "expansion set", "ok", |demo, _| {
            Box::pin(rongcloud::expansion_set(demo))
        }),
        Step::new(
            RongCloud,
            "expansion query",
            "the 2 keys as set",
            |demo, _| Box::pin(rongcloud::expansion_query(demo)),
        ),
        Step::new(
            RongCloud,
            "expansion delete",
            "ok; likes=3 left",
            |demo, _| Box::pin(rongcloud::expansion_delete(demo)),
        ),
        // Tencent rooms and metadata.
        Step::new(Tencent, "room create", "ok", |demo, _| {
            Box::pin(tencent::room_create(demo))
        }),
        Step::new(
            Tencent,
            "room info",
            format!("{LIVE_ROOM}, named \"{LIVE_ROOM_NAME}\""),
            |demo, _| Box::pin(tencent::room_info(demo)),
        ),
        Step::new(
            Tencent,
            "metadata set",
            "ok; 1 CallbackAfterSetMetadata",
            |demo, _| Box::pin(tencent::metadata_set(demo)),
        ),
        Step::new(Tencent, "metadata get", "the 2 keys as set", |demo, _| {
            Box::pin(tencent::metadata_get(demo))
        }),
        Step::new(
            Tencent,
            "metadata delete",
            "ok; stage=quiz left",
            |demo, _| Box::pin(tencent::metadata_delete(demo)),
        ),
        Step::new(
            Tencent,
            "room destroy",
            "ok; room info then answers 100004",
            |demo, _| Box::pin(tencent::room_destroy(demo)),
        ),
        // The documented failure paths.
        Step::new(
            RongCloud,
            "entry set, 129-char key",
            "refused before sending; nothing sent",
            |demo, _| Box::pin(failures::oversize_key(demo)),
        ),
        Step::new(
            RongCloud,
            "entry set, wrong secret",
            "HTTP 401, code 1004; nothing written",
            |demo, _| Box::pin(failures::wrong_secret(demo)),
        ),
        Step::new(
            Tencent,
            "metadata delete, missing keys",
            "code 100503",
            |demo, _| Box::pin(failures::missing_metadata_keys(demo)),
        ),
        // A lost reply, then the read that settles it.
        Step::new(
            RongCloud,
            "entry set, reply lost",
            "outcome unknown after 1 attempt",
            |demo, context| Box::pin(failures::lost_reply(demo, context)),
        ),
        Step::new(
            RongCloud,
            "read back after lost reply",
            format!("write applied; exactly 1 {kv}"),
            |demo, context| Box::pin(failures::read_back(demo, context)),
        ),
        // The same burst twice: paced by the client's rate limiter at the emulator's quota
        // (never throttled), then without it (throttled, retried).
        Step::new(
            RongCloud,
            format!("entry set x{writes}, paced"),
            format!("{writes} of {writes} ok; 0 throttled answers (429/1008)"),
            |demo, context| Box::pin(failures::burst(demo, context, Pacing::ClientLimiter)),
        )
        .budget(BURST_BUDGET),
        Step::new(
            RongCloud,
            format!("entry set x{writes}, unpaced"),
            format!("{writes} of {writes} ok; throttled ones retried"),
            |demo, context| Box::pin(failures::burst(demo, context, Pacing::Off)),
        )
        .budget(BURST_BUDGET),
    ]
}

/// Runs every step of the [`table`], in order.
pub(super) async fn run_all(demo: &Demo, runner: &mut Runner) {
    let context = Context {
        writes: burst_size(&demo.emulator),
        lost_reply_mark: AtomicU64::new(0),
    };
    for step in table(context.writes) {
        let run = (step.run)(demo, &context);
        runner
            .step(step.vendor, &step.name, step.shows, step.budget, run)
            .await;
    }
}

/// Twice one second's entry-set quota, at the emulator's rate.
fn burst_size(emulator: &Emulator) -> usize {
    let config = emulator.config();
    let per_sec = f64::from(config.limits.rongcloud.rates.entry_set_kv_per_sec);
    // The scale is between 0.05 and 2 (see `--quota-scale`): at most a few hundred writes.
    let quota = (per_sec * config.quota.rate_scale).ceil().max(1.0) as usize;
    2 * quota
}

/// Awaits `future` and measures how long it took.
async fn timed<T>(future: impl Future<Output = T>) -> (T, Duration) {
    let start = Instant::now();
    let output = future.await;
    (output, start.elapsed())
}

/// The sequence number of the emulator's latest event: later events have larger ones.
fn event_mark(emulator: &Emulator) -> u64 {
    emulator.state().events_since(u64::MAX).next
}

/// How many `RC:chrmKVNotiMsg` messages `room` received after event `since`.
fn notifications(emulator: &Emulator, since: u64, room: &str) -> usize {
    emulator
        .state()
        .events_since(since)
        .events
        .iter()
        .filter(|event| {
            matches!(
                &event.kind,
                EventKind::RongCloudNotification { body, .. }
                    if body.chatroom_id == room && body.object_name == KV_NOTIFICATION_OBJECT_NAME
            )
        })
        .count()
}

/// How many `Live.CallbackAfterSetMetadata` callbacks `room` caused after event `since`.
fn set_metadata_callbacks(emulator: &Emulator, since: u64, room: &str) -> usize {
    emulator
        .state()
        .events_since(since)
        .events
        .iter()
        .filter(|event| {
            matches!(
                &event.kind,
                EventKind::TencentCallback {
                    body: TencentCallback::AfterSetMetadata { room_id, .. },
                    ..
                } if room_id == room
            )
        })
        .count()
}

/// `k1=v1, k2=v2` in the given order.
fn pairs<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
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
fn describe_entries(entries: &[Entry], noun: &str) -> String {
    let mut items: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    items.sort_unstable();
    format!("{} {noun}: {}", items.len(), pairs(items))
}

/// `N keys: k=v, ...`, sorted by key.
fn describe_metadata(entries: &[MetadataEntry]) -> String {
    let mut items: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    items.sort_unstable();
    format!("{} keys: {}", items.len(), pairs(items))
}

/// A RongCloud error in a few words: the code and HTTP status, or the client's sentence.
fn rc_error(err: &roomkv_rongcloud::Error) -> String {
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
fn tc_error(err: &roomkv_tencent::Error) -> String {
    match err.api_error() {
        Some(api) => format!("code {}: {}", api.code.code(), api.message),
        None => err.to_string(),
    }
}

fn unexpected_rc(err: &roomkv_rongcloud::Error) -> Observation {
    Observation::new(false, rc_error(err))
}

fn unexpected_tc(err: &roomkv_tencent::Error) -> Observation {
    Observation::new(false, tc_error(err))
}

fn ok_or_unexpected_rc(result: Result<(), roomkv_rongcloud::Error>) -> Observation {
    match result {
        Ok(()) => Observation::new(true, "ok"),
        Err(err) => unexpected_rc(&err),
    }
}

fn ok_or_unexpected_tc(result: Result<(), roomkv_tencent::Error>) -> Observation {
    match result {
        Ok(()) => Observation::new(true, "ok"),
        Err(err) => unexpected_tc(&err),
    }
}

/// A demo input parsed (and so checked) like any caller's: a bad one fails its step.
fn checked<T>(parsed: Result<T, ValidationError>) -> Result<T, String> {
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
