//! The documented failure paths `roomkv demo` shows: a refusal before sending, a wrong
//! secret, missing keys, a lost reply and the read that settles it, and a burst over the quota
//! with and without the client's rate limiter.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use roomkv_emulator::faults::{FaultEffect, FaultRule};
use roomkv_rongcloud::RongCloudSettings as _;
use roomkv_rongcloud::limiter::{LocalLimiter, SharedRateLimiter};
use roomkv_rongcloud::{
    AppSecret, ChatroomId, EntryKey, EntryValue, KV_NOTIFICATION_OBJECT_NAME, Notification,
    RateLimit, RongCloudCode, SetEntry, UserId,
};
use roomkv_tencent::{CreateRoom, MetadataKey, RoomId, TencentCode};

use super::support::{
    ANCHOR, BARE_LIVE_ROOM, BURST_ENTRIES_PER_ROOM, BURST_ROOM_PREFIX, Context, LOST_REPLY_ROOM,
    ROOM, Seen, checked, event_mark, notifications, rc_error, tc_error, timed, unexpected_rc,
    unexpected_tc,
};
use crate::demo::harness::{Demo, Observation};
use crate::demo::traffic::Traffic;

/// A key of 129 characters (the limit is 128), built without checking so that it reaches the
/// client: the client refuses it before sending, and neither the HTTP client nor the emulator
/// sees anything.
pub(super) async fn oversize_key(demo: &Demo) -> Seen {
    let oversize = EntryKey::non_validated("k".repeat(129));
    let op = SetEntry::new(
        checked(ChatroomId::parse(ROOM))?,
        checked(UserId::parse(ANCHOR))?,
        oversize,
        checked(EntryValue::parse("too long"))?,
    );
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
pub(super) async fn wrong_secret(demo: &Demo) -> Seen {
    let own = Arc::new(Traffic::default());
    let client = demo
        .rongcloud_builder(&own)
        .map_err(|failure| failure.message)?
        .app_secret(AppSecret::new("not-the-demo-secret"))
        .build()
        .map_err(|err| format!("cannot build the client: {err}"))?;
    let intruder = checked(EntryKey::parse("intruder"))?;
    let (result, latency) = timed(client.set_entry(
        &checked(ChatroomId::parse(ROOM))?,
        &checked(UserId::parse(ANCHOR))?,
        intruder.clone(),
        checked(EntryValue::parse("x"))?,
    ))
    .await;
    let seen = match result {
        Err(err) if err.api_code() == Some(RongCloudCode::SignatureError) => {
            let status = err.http_status().unwrap_or(0);
            match demo
                .rongcloud
                .get_entry(&checked(ChatroomId::parse(ROOM))?, &intruder)
                .await
            {
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
pub(super) async fn missing_metadata_keys(demo: &Demo) -> Seen {
    let room = checked(RoomId::parse(BARE_LIVE_ROOM))?;
    if let Err(err) = demo
        .tencent
        .create_room(CreateRoom::new(room.clone()))
        .await
    {
        return Err(format!("setup: room create: {}", tc_error(&err)));
    }
    let keys = [
        checked(MetadataKey::parse("never-set"))?,
        checked(MetadataKey::parse("nor-this"))?,
    ];
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
pub(super) async fn lost_reply(demo: &Demo, context: &Context) -> Seen {
    context
        .lost_reply_mark
        .store(event_mark(&demo.emulator), Ordering::Relaxed);
    let rule = FaultRule::new(SetEntry::PATH, FaultEffect::CloseAfterProcessing).times(1);
    demo.emulator
        .add_fault(rule)
        .map_err(|err| format!("setup: {err}"))?;
    let op = SetEntry::new(
        checked(ChatroomId::parse(LOST_REPLY_ROOM))?,
        checked(UserId::parse(ANCHOR))?,
        checked(EntryKey::parse("stage"))?,
        checked(EntryValue::parse("final"))?,
    )
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
pub(super) async fn read_back(demo: &Demo, context: &Context) -> Seen {
    let mark = context.lost_reply_mark.load(Ordering::Relaxed);
    let stage = checked(EntryKey::parse("stage"))?;
    Ok(
        match demo
            .rongcloud
            .get_entry(&checked(ChatroomId::parse(LOST_REPLY_ROOM))?, &stage)
            .await
        {
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

/// How the burst step's client keeps to the quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pacing {
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
pub(super) async fn burst(demo: &Demo, context: &Context, pacing: Pacing) -> Seen {
    let writes = context.writes;
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
    let user = checked(UserId::parse(ANCHOR))?;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..writes {
        let client = client.clone();
        let user = user.clone();
        let room_id = format!("{BURST_ROOM_PREFIX}{}", n / BURST_ENTRIES_PER_ROOM);
        let room = checked(ChatroomId::parse(room_id))?;
        let key = checked(EntryKey::parse(format!("k{n}")))?;
        let value = checked(EntryValue::parse(n.to_string()))?;
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
