//! The steps of `roomkv demo`, in the order they run, each with the behaviour the vendors
//! document (and the emulator implements) as its expectation.
//!
//! Every step goes through the real clients over HTTP. The emulator is read directly only to
//! show what a vendor would have delivered elsewhere (notification messages, callbacks) and that a
//! refused request left no trace.

use roomkv_rongcloud::RongCloudSettings;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use roomkv_emulator::Emulator;
use roomkv_emulator::events::{EventKind, TencentCallback};
use roomkv_emulator::faults::{FaultEffect, FaultRule};
use roomkv_rongcloud::limiter::{LocalLimiter, SharedRateLimiter};
use roomkv_rongcloud::{
    AppSecret, ChatroomId, ConversationType, Entry, EntryKey, EntryValue, ExpansionKey,
    ExpansionValue, KV_NOTIFICATION_OBJECT_NAME, MsgUid, Notification, RateLimit, RongCloudCode,
    SetEntry, TargetId, UserId, ValidationError,
};
use roomkv_tencent::{CreateRoom, MetadataEntry, MetadataKey, MetadataValue, RoomId, TencentCode};

use super::report::Vendor::{RongCloud, Tencent};
use super::traffic::Traffic;
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

/// Runs every step.
pub(super) async fn run_all(demo: &Demo, runner: &mut Runner) {
    let kv = KV_NOTIFICATION_OBJECT_NAME;

    // RongCloud chat-room KV.
    let expected = format!("ok; 1 {kv} recorded");
    let step = entry_set(demo);
    runner
        .step(RongCloud, "entry set", expected, STEP_BUDGET, step)
        .await;
    let step = entry_batch_set(demo);
    runner
        .step(RongCloud, "entry batch-set", "ok", STEP_BUDGET, step)
        .await;
    let expected = "the 4 entries as set";
    let step = entry_query(demo);
    runner
        .step(RongCloud, "entry query", expected, STEP_BUDGET, step)
        .await;
    let step = entry_remove(demo);
    runner
        .step(RongCloud, "entry remove", "ok", STEP_BUDGET, step)
        .await;
    let expected = "ok; stage=quiz left";
    let step = entry_batch_remove(demo);
    runner
        .step(RongCloud, "entry batch-remove", expected, STEP_BUDGET, step)
        .await;

    // RongCloud message expansions.
    let step = expansion_set(demo);
    runner
        .step(RongCloud, "expansion set", "ok", STEP_BUDGET, step)
        .await;
    let expected = "the 2 keys as set";
    let step = expansion_query(demo);
    runner
        .step(RongCloud, "expansion query", expected, STEP_BUDGET, step)
        .await;
    let expected = "ok; likes=3 left";
    let step = expansion_delete(demo);
    runner
        .step(RongCloud, "expansion delete", expected, STEP_BUDGET, step)
        .await;

    // Tencent rooms and metadata.
    let step = room_create(demo);
    runner
        .step(Tencent, "room create", "ok", STEP_BUDGET, step)
        .await;
    let expected = format!("{LIVE_ROOM}, named \"{LIVE_ROOM_NAME}\"");
    let step = room_info(demo);
    runner
        .step(Tencent, "room info", expected, STEP_BUDGET, step)
        .await;
    let expected = "ok; 1 CallbackAfterSetMetadata";
    let step = metadata_set(demo);
    runner
        .step(Tencent, "metadata set", expected, STEP_BUDGET, step)
        .await;
    let expected = "the 2 keys as set";
    let step = metadata_get(demo);
    runner
        .step(Tencent, "metadata get", expected, STEP_BUDGET, step)
        .await;
    let expected = "ok; stage=quiz left";
    let step = metadata_delete(demo);
    runner
        .step(Tencent, "metadata delete", expected, STEP_BUDGET, step)
        .await;
    let expected = "ok; room info then answers 100004";
    let step = room_destroy(demo);
    runner
        .step(Tencent, "room destroy", expected, STEP_BUDGET, step)
        .await;

    // The documented failure paths.
    let expected = "refused before sending; nothing sent";
    let step = oversize_key(demo);
    runner
        .step(
            RongCloud,
            "entry set, 129-char key",
            expected,
            STEP_BUDGET,
            step,
        )
        .await;
    let expected = "HTTP 401, code 1004; nothing written";
    let step = wrong_secret(demo);
    runner
        .step(
            RongCloud,
            "entry set, wrong secret",
            expected,
            STEP_BUDGET,
            step,
        )
        .await;
    let expected = "code 100503";
    let step = missing_metadata_keys(demo);
    let operation = "metadata delete, missing keys";
    runner
        .step(Tencent, operation, expected, STEP_BUDGET, step)
        .await;

    // A lost reply, then the read that settles it. The burst comes last: it drains the quota a
    // write after it would need.
    let mark = event_mark(&demo.emulator);
    let expected = "outcome unknown after 1 attempt";
    let step = lost_reply(demo);
    runner
        .step(
            RongCloud,
            "entry set, reply lost",
            expected,
            STEP_BUDGET,
            step,
        )
        .await;
    let expected = format!("write applied; exactly 1 {kv}");
    let step = read_back(demo, mark);
    runner
        .step(
            RongCloud,
            "read back after lost reply",
            expected,
            STEP_BUDGET,
            step,
        )
        .await;

    // The same burst twice: paced by the client's rate limiter at the emulator's quota (never
    // throttled), then without it (throttled, retried).
    let writes = burst_size(&demo.emulator);
    let operation = format!("entry set x{writes}, paced");
    let expected = format!("{writes} of {writes} ok; 0 throttled answers (429/1008)");
    let step = burst(demo, writes, Pacing::ClientLimiter);
    runner
        .step(RongCloud, &operation, expected, BURST_BUDGET, step)
        .await;
    let operation = format!("entry set x{writes}, unpaced");
    let expected = format!("{writes} of {writes} ok; throttled ones retried");
    let step = burst(demo, writes, Pacing::Off);
    runner
        .step(RongCloud, &operation, expected, BURST_BUDGET, step)
        .await;
}

// ------------------------------------------------------------------------------------ RongCloud

async fn entry_set(demo: &Demo) -> Seen {
    let mark = event_mark(&demo.emulator);
    let op = SetEntry::new(room()?, anchor()?, key("stage")?, value("quiz")?)
        .notify(Notification::kv_change());
    let (result, latency) = timed(demo.rongcloud.send(&op)).await;
    let seen = match result {
        Ok(()) => {
            let sent = notifications(&demo.emulator, mark, ROOM);
            Observation::new(
                sent == 1,
                format!("ok; {sent} {KV_NOTIFICATION_OBJECT_NAME} recorded"),
            )
        }
        Err(err) => unexpected_rc(&err),
    };
    Ok(seen.latency(latency))
}

async fn entry_batch_set(demo: &Demo) -> Seen {
    let entries = [
        (key("seat-1")?, value("alice")?),
        (key("seat-2")?, value("bob")?),
        (key("score")?, value("0")?),
    ];
    let result = demo
        .rongcloud
        .batch_set_entries(&room()?, &anchor()?, entries)
        .await;
    Ok(ok_or_unexpected_rc(result))
}

async fn entry_query(demo: &Demo) -> Seen {
    Ok(match demo.rongcloud.query_all_entries(&room()?).await {
        Ok(entries) => {
            let seen = describe_entries(&entries, "entries");
            Observation::new(
                seen == "4 entries: score=0, seat-1=alice, seat-2=bob, stage=quiz",
                seen,
            )
        }
        Err(err) => unexpected_rc(&err),
    })
}

async fn entry_remove(demo: &Demo) -> Seen {
    let result = demo
        .rongcloud
        .remove_entry(&room()?, &anchor()?, key("score")?)
        .await;
    Ok(ok_or_unexpected_rc(result))
}

async fn entry_batch_remove(demo: &Demo) -> Seen {
    let keys = [key("seat-1")?, key("seat-2")?];
    let (result, latency) = timed(
        demo.rongcloud
            .batch_remove_entries(&room()?, &anchor()?, keys),
    )
    .await;
    let seen = match result {
        Ok(()) => match demo.rongcloud.query_all_entries(&room()?).await {
            Ok(entries) => {
                let left = pairs(entries.iter().map(|e| (e.key.as_str(), e.value.as_str())));
                Observation::new(left == "stage=quiz", format!("ok; {left} left"))
            }
            Err(err) => unexpected_rc(&err),
        },
        Err(err) => unexpected_rc(&err),
    };
    Ok(seen.latency(latency))
}

async fn expansion_set(demo: &Demo) -> Seen {
    let entries = [
        (expansion_key("likes")?, expansion_value("3")?),
        (expansion_key("pinned")?, expansion_value("yes")?),
    ];
    let result = demo
        .rongcloud
        .set_expansion(
            &msg_uid()?,
            &msg_user()?,
            ConversationType::Group,
            &group()?,
            entries,
        )
        .await;
    Ok(ok_or_unexpected_rc(result))
}

async fn expansion_query(demo: &Demo) -> Seen {
    Ok(match demo.rongcloud.query_expansion(&msg_uid()?).await {
        Ok(page) => {
            let mut items: Vec<(&str, &str)> = page
                .entries
                .iter()
                .map(|e| (e.key.as_str(), e.value.as_str()))
                .collect();
            items.sort_unstable();
            let seen = format!("{} keys: {}", items.len(), pairs(items));
            Observation::new(seen == "2 keys: likes=3, pinned=yes", seen)
        }
        Err(err) => unexpected_rc(&err),
    })
}

async fn expansion_delete(demo: &Demo) -> Seen {
    let (result, latency) = timed(demo.rongcloud.delete_expansion(
        &msg_uid()?,
        &msg_user()?,
        ConversationType::Group,
        &group()?,
        [expansion_key("pinned")?],
    ))
    .await;
    let seen = match result {
        Ok(()) => match demo.rongcloud.query_expansion(&msg_uid()?).await {
            Ok(page) => {
                let left = pairs(
                    page.entries
                        .iter()
                        .map(|e| (e.key.as_str(), e.value.as_str())),
                );
                Observation::new(left == "likes=3", format!("ok; {left} left"))
            }
            Err(err) => unexpected_rc(&err),
        },
        Err(err) => unexpected_rc(&err),
    };
    Ok(seen.latency(latency))
}

// -------------------------------------------------------------------------------------- Tencent

async fn room_create(demo: &Demo) -> Seen {
    let room = CreateRoom::new(live_room(LIVE_ROOM)?).room_name(LIVE_ROOM_NAME);
    Ok(ok_or_unexpected_tc(demo.tencent.create_room(room).await))
}

async fn room_info(demo: &Demo) -> Seen {
    Ok(
        match demo.tencent.get_room_info(&live_room(LIVE_ROOM)?).await {
            Ok(info) => {
                let name = info.room_name.as_deref().unwrap_or("");
                Observation::new(
                    info.room_id.as_str() == LIVE_ROOM && name == LIVE_ROOM_NAME,
                    format!("{}, named \"{name}\"", info.room_id),
                )
            }
            Err(err) => unexpected_tc(&err),
        },
    )
}

async fn metadata_set(demo: &Demo) -> Seen {
    let mark = event_mark(&demo.emulator);
    let entries = [
        (metadata_key("stage")?, metadata_value("quiz")?),
        (metadata_key("score")?, metadata_value("42")?),
    ];
    let (result, latency) = timed(
        demo.tencent
            .set_room_metadata(&live_room(LIVE_ROOM)?, entries),
    )
    .await;
    let seen = match result {
        Ok(()) => {
            let callbacks = set_metadata_callbacks(&demo.emulator, mark, LIVE_ROOM);
            Observation::new(
                callbacks == 1,
                format!("ok; {callbacks} CallbackAfterSetMetadata"),
            )
        }
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}

async fn metadata_get(demo: &Demo) -> Seen {
    Ok(
        match demo
            .tencent
            .get_all_room_metadata(&live_room(LIVE_ROOM)?)
            .await
        {
            Ok(entries) => {
                let seen = describe_metadata(&entries);
                Observation::new(seen == "2 keys: score=42, stage=quiz", seen)
            }
            Err(err) => unexpected_tc(&err),
        },
    )
}

async fn metadata_delete(demo: &Demo) -> Seen {
    let room = live_room(LIVE_ROOM)?;
    let (result, latency) = timed(
        demo.tencent
            .del_room_metadata(&room, [metadata_key("score")?]),
    )
    .await;
    let seen = match result {
        Ok(()) => match demo.tencent.get_all_room_metadata(&room).await {
            Ok(entries) => {
                let left = pairs(entries.iter().map(|e| (e.key.as_str(), e.value.as_str())));
                Observation::new(left == "stage=quiz", format!("ok; {left} left"))
            }
            Err(err) => unexpected_tc(&err),
        },
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}

async fn room_destroy(demo: &Demo) -> Seen {
    let room = live_room(LIVE_ROOM)?;
    let (result, latency) = timed(demo.tencent.destroy_room(&room)).await;
    let seen = match result {
        Ok(()) => match demo.tencent.get_room_info(&room).await {
            Err(err) if err.api_code() == Some(TencentCode::RoomNotFound) => {
                Observation::new(true, "ok; room info then answers 100004")
            }
            Err(err) => Observation::new(false, format!("ok; then room info: {}", tc_error(&err))),
            Ok(_) => Observation::new(false, "ok; but room info still finds the room"),
        },
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}

// ------------------------------------------------------------------------------- failure paths

/// A key of 129 characters (the limit is 128), built without checking so that it reaches the
/// client: the client refuses it before sending, and neither the HTTP client nor the emulator
/// sees anything.
async fn oversize_key(demo: &Demo) -> Seen {
    let oversize = EntryKey::non_validated("k".repeat(129));
    let op = SetEntry::new(room()?, anchor()?, oversize, value("too long")?);
    let requests = demo.traffic.requests();
    let events = event_mark(&demo.emulator);
    let result = demo.rongcloud.send(&op).await;
    let sent = demo.traffic.requests() - requests;
    let recorded = event_mark(&demo.emulator) - events;
    Ok(match result {
        Err(err) if err.validation_error().is_some() => Observation::new(
            err.attempts() == 0 && sent == 0 && recorded == 0,
            format!(
                "refused: {}; {sent} sent, {recorded} events",
                err.validation_error()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
        ),
        Err(err) => unexpected_rc(&err),
        Ok(()) => Observation::new(false, "accepted: the client did not validate the key"),
    })
}

/// The demo app with a secret that is not its own: the emulator checks the signature and
/// answers HTTP 401 with code 1004, which the client reports as a typed API error.
async fn wrong_secret(demo: &Demo) -> Seen {
    let own = Arc::new(Traffic::default());
    let client = demo
        .rongcloud_builder(&own)
        .map_err(|failure| failure.message)?
        .app_secret(AppSecret::new("not-the-demo-secret"))
        .build()
        .map_err(|err| format!("cannot build the client: {err}"))?;
    let intruder = key("intruder")?;
    let (result, latency) =
        timed(client.set_entry(&room()?, &anchor()?, intruder.clone(), value("x")?)).await;
    let seen = match result {
        Err(err) if err.api_code() == Some(RongCloudCode::SignatureError) => {
            let status = err.http_status().unwrap_or(0);
            match demo.rongcloud.get_entry(&room()?, &intruder).await {
                Ok(None) => Observation::new(
                    status == 401 && err.attempts() == 1,
                    format!("HTTP {status}, code 1004; nothing written"),
                ),
                Ok(Some(_)) => {
                    Observation::new(false, format!("HTTP {status}, code 1004; but written"))
                }
                Err(read) => unexpected_rc(&read),
            }
        }
        Err(err) => unexpected_rc(&err),
        Ok(()) => Observation::new(false, "accepted with a wrong secret"),
    };
    Ok(seen.latency(latency))
}

/// Deleting keys a room does not have: Tencent answers 100503 when none of them exist.
async fn missing_metadata_keys(demo: &Demo) -> Seen {
    let room = live_room(BARE_LIVE_ROOM)?;
    if let Err(err) = demo
        .tencent
        .create_room(CreateRoom::new(room.clone()))
        .await
    {
        return Err(format!("setup: room create: {}", tc_error(&err)));
    }
    let keys = [metadata_key("never-set")?, metadata_key("nor-this")?];
    let (result, latency) = timed(demo.tencent.del_room_metadata(&room, keys)).await;
    let seen = match result {
        Err(err) if err.api_code() == Some(TencentCode::MetadataKeysNotFound) => {
            Observation::new(true, "code 100503 (none of the keys to delete exist)")
        }
        Err(err) => unexpected_tc(&err),
        Ok(()) => Observation::new(false, "ok: keys that do not exist were deleted"),
    };
    if let Err(err) = demo.tencent.destroy_room(&room).await {
        tracing::warn!(error = %err, "could not destroy {BARE_LIVE_ROOM}");
    }
    Ok(seen.latency(latency))
}

/// The emulator applies the next entry set, then closes the connection without answering. The
/// write notifies the room, so the client must not send it again: it reports the outcome as
/// unknown.
async fn lost_reply(demo: &Demo) -> Seen {
    let rule = FaultRule::new(SetEntry::PATH, FaultEffect::CloseAfterProcessing).times(1);
    demo.emulator
        .add_fault(rule)
        .map_err(|err| format!("setup: {err}"))?;
    let op = SetEntry::new(lost_room()?, anchor()?, key("stage")?, value("final")?)
        .notify(Notification::kv_change());
    let result = demo.rongcloud.send(&op).await;
    demo.emulator.clear_faults();
    Ok(match result {
        Err(err) if err.is_outcome_unknown() => {
            let attempts = err.attempts();
            Observation::new(
                attempts == 1,
                format!(
                    "outcome unknown after {attempts} attempt{}",
                    if attempts == 1 { "" } else { "s" }
                ),
            )
        }
        Err(err) => unexpected_rc(&err),
        Ok(()) => Observation::new(false, "ok: the reply was not lost"),
    })
}

/// Reading the state back settles the unknown outcome: the write was applied, and the room got
/// exactly one notification.
async fn read_back(demo: &Demo, mark: u64) -> Seen {
    let stage = key("stage")?;
    Ok(
        match demo.rongcloud.get_entry(&lost_room()?, &stage).await {
            Ok(entry) => {
                let sent = notifications(&demo.emulator, mark, LOST_REPLY_ROOM);
                let value = entry.as_ref().map(|e| e.value.as_str());
                let applied = match value {
                    Some(value) => format!("stage={value} applied"),
                    None => "not applied".to_owned(),
                };
                Observation::new(
                    value == Some("final") && sent == 1,
                    format!("{applied}; {sent} {KV_NOTIFICATION_OBJECT_NAME}"),
                )
            }
            Err(err) => unexpected_rc(&err),
        },
    )
}

/// Twice one second's entry-set quota, at the emulator's rate.
fn burst_size(emulator: &Emulator) -> usize {
    let config = emulator.config();
    let per_sec = f64::from(config.limits.rongcloud.rates.entry_set_kv_per_sec);
    // The scale is between 0.05 and 2 (see `--quota-scale`): at most a few hundred writes.
    let quota = (per_sec * config.quota.rate_scale).ceil().max(1.0) as usize;
    2 * quota
}

/// How the burst step's client keeps to the quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pacing {
    /// Its rate limiter, at the emulator's (scaled) quota: every write waits for its slot.
    ClientLimiter,
    /// None: writes over the quota are answered "throttled" and retried.
    Off,
}

/// `writes` entry sets at once. Paced by the client's rate limiter (at the emulator's quota),
/// every write waits for its slot and none is throttled. Without it, through a client whose
/// retry policy backs off when throttled (the demo's `retry_policy`), the first second's quota
/// passes, the rest are answered HTTP 429 / 1008 (not processed) and retried after backoff
/// until the quota lets them through.
async fn burst(demo: &Demo, writes: usize, pacing: Pacing) -> Seen {
    let own = Arc::new(Traffic::default());
    let config = demo.emulator.config();
    let builder = demo
        .rongcloud_builder(&own)
        .map_err(|failure| failure.message)?;
    let builder = match pacing {
        Pacing::ClientLimiter => builder
            .limits(config.limits.clone().scale_rates(config.quota.rate_scale))
            // A limiter of its own: the burst step's quota, not the other steps'.
            .rate_limit(RateLimit::With(SharedRateLimiter::new(LocalLimiter::new()))),
        Pacing::Off => builder.rate_limit(RateLimit::Off),
    };
    let client = builder
        .build()
        .map_err(|err| format!("cannot build the client: {err}"))?;
    let user = anchor()?;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..writes {
        let client = client.clone();
        let user = user.clone();
        let room = ChatroomId::parse(format!("{BURST_ROOM_PREFIX}{}", n / BURST_ENTRIES_PER_ROOM))
            .map_err(invalid)?;
        let key = key(&format!("k{n}"))?;
        let value = value(&n.to_string())?;
        tasks.spawn(async move { client.set_entry(&room, &user, key, value).await });
    }
    let mut succeeded = 0;
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(())) => succeeded += 1,
            Ok(Err(err)) => {
                first_error.get_or_insert_with(|| rc_error(&err));
            }
            Err(err) => {
                first_error.get_or_insert_with(|| format!("task failed: {err}"));
            }
        }
    }
    let throttled = own.throttled();
    let mut seen = format!(
        "{succeeded} of {writes} ok; {throttled} throttled answers (429/1008) retried; {} sent",
        own.requests()
    );
    if let Some(error) = first_error {
        seen.push_str("; first error: ");
        seen.push_str(&error);
    }
    let as_documented = match pacing {
        Pacing::ClientLimiter => throttled == 0,
        Pacing::Off => throttled > 0,
    };
    Ok(Observation::new(succeeded == writes && as_documented, seen))
}

// ------------------------------------------------------------------------------------- helpers

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

// The demo's own ids and values, parsed (and so checked) like any caller's.

fn invalid(err: ValidationError) -> String {
    format!("invalid demo input: {err}")
}

fn room() -> Result<ChatroomId, String> {
    ChatroomId::parse(ROOM).map_err(invalid)
}

fn lost_room() -> Result<ChatroomId, String> {
    ChatroomId::parse(LOST_REPLY_ROOM).map_err(invalid)
}

fn anchor() -> Result<UserId, String> {
    UserId::parse(ANCHOR).map_err(invalid)
}

fn key(text: &str) -> Result<EntryKey, String> {
    EntryKey::parse(text).map_err(invalid)
}

fn value(text: &str) -> Result<EntryValue, String> {
    EntryValue::parse(text).map_err(invalid)
}

fn msg_uid() -> Result<MsgUid, String> {
    MsgUid::parse(MSG_UID).map_err(invalid)
}

fn msg_user() -> Result<UserId, String> {
    UserId::parse(MSG_USER).map_err(invalid)
}

fn group() -> Result<TargetId, String> {
    TargetId::parse(GROUP).map_err(invalid)
}

fn expansion_key(text: &str) -> Result<ExpansionKey, String> {
    ExpansionKey::parse(text).map_err(invalid)
}

fn expansion_value(text: &str) -> Result<ExpansionValue, String> {
    ExpansionValue::parse(text).map_err(invalid)
}

fn live_room(id: &str) -> Result<RoomId, String> {
    RoomId::parse(id).map_err(invalid)
}

fn metadata_key(text: &str) -> Result<MetadataKey, String> {
    MetadataKey::parse(text).map_err(invalid)
}

fn metadata_value(text: &str) -> Result<MetadataValue, String> {
    MetadataValue::parse(text).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use roomkv_emulator::EmulatorConfig;

    use super::*;

    #[test]
    fn the_demo_inputs_are_valid() {
        assert!(room().is_ok() && lost_room().is_ok() && anchor().is_ok());
        assert!(msg_uid().is_ok() && msg_user().is_ok() && group().is_ok());
        assert!(live_room(LIVE_ROOM).is_ok() && live_room(BARE_LIVE_ROOM).is_ok());
        for text in ["stage", "seat-1", "seat-2", "score", "intruder", "k399"] {
            assert!(key(text).is_ok(), "{text}");
        }
        for text in ["never-set", "nor-this", "stage", "score"] {
            assert!(metadata_key(text).is_ok(), "{text}");
        }
        assert!(expansion_key("likes").is_ok() && expansion_key("pinned").is_ok());
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
