//! The five sections of the report, each measured here against servers in their own processes.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_tencent::TencentSettings;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use roomkv_rongcloud::{
    ChatroomId, EntryKey, EntryValue, KeepAlive, Limits, QuotaFamily, RateLimit, RetryPolicy,
    UserId,
};
use roomkv_tencent::{Command as TencentCommand, CreateRoom, MetadataKey, MetadataValue, RoomId};

use roomkv_provider::{ClientBuilder, ClientFactory};

use crate::load::{
    RawRequests, Worker, closed_loop, drive_raw, raw_room, run_workers, signed_entry_sets,
    signed_metadata_sets,
};
use crate::process::Server;
use crate::report::{
    BUILD_TARGET, Capacity, CapacityRound, ClientMemory, CpuFigure, EmulatorMemory,
    MINIMUM_REQUEST, MetricsCost, QuotaRun, RatioTarget, SEND_TARGET, limiter_target,
};
use crate::stats::{Outcome, Recorder, Summary, Window};
use crate::{divan_table, procfs};

/// How long each load run warms up and measures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// Requests before the window opens, not counted: connections open, caches fill.
    pub(crate) warm_up: Duration,
    /// The measured stretch.
    pub(crate) measure: Duration,
}

impl Timing {
    pub(crate) fn window(self) -> Window {
        Window::after(self.warm_up, self.measure)
    }
}

/// The micro-benchmarks `benches/request_build.rs` defines: name, what it measures, and the
/// target of section 1 that applies to it, if any.
const CPU_BENCHMARKS: &[(&str, &str, Option<RatioTarget>)] = &[
    (
        MINIMUM_REQUEST,
        "the least work any correct client must do for one RongCloud entry set, hand-written: \
         fresh nonce (OS randomness, buffered as the clients' default) and millisecond \
         timestamp, SHA1 signature, form body, `http::Request` with the four signature headers \
         and the content type",
        None,
    ),
    (
        "rongcloud_entry_set_build",
        "RongCloud entry set: validate + encode + sign (fresh nonce and timestamp)",
        Some(BUILD_TARGET),
    ),
    (
        "rongcloud_entry_set_send",
        "RongCloud entry set through the client as built by default but with the rate limiter \
         off, transport answering at once: build + request id + retry pipeline + parse",
        Some(SEND_TARGET),
    ),
    (
        "rongcloud_entry_set_send_limiter_on",
        "the same with the default rate limiter on, its quota high enough that it never waits: \
         what admitting a request costs",
        Some(limiter_target("rongcloud_entry_set_send")),
    ),
    (
        "rongcloud_entry_set_send_user_space_nonces",
        "the same as `rongcloud_entry_set_send`, nonce and request id from a user-space counter \
         instead of the default buffered OS source",
        Some(SEND_TARGET),
    ),
    (
        "tencent_set_room_metadata_send",
        "Tencent set_room_metadata through the client as built by default but with the rate \
         limiter off, cached UserSig, transport answering at once: build + retry pipeline + \
         parse",
        Some(SEND_TARGET),
    ),
    (
        "tencent_set_room_metadata_send_limiter_on",
        "the same with the default rate limiter on, its quota high enough that it never waits",
        Some(limiter_target("tencent_set_room_metadata_send")),
    ),
    (
        "tencent_set_room_metadata_send_user_space_nonces",
        "the same as `tencent_set_room_metadata_send`, `random` from a user-space counter \
         instead of the default buffered OS source",
        Some(SEND_TARGET),
    ),
    (
        "usersig_generate",
        "Tencent UserSig generation (HMAC-SHA256, zlib, base64)",
        None,
    ),
    (
        "usersig_verify",
        "Tencent UserSig verification (the emulator's side)",
        None,
    ),
    (
        "rongcloud_parse_set_reply",
        "parse RongCloud's `{\"code\":200}`",
        None,
    ),
    (
        "rongcloud_parse_query_100",
        "parse a RongCloud query answer with 100 entries",
        None,
    ),
    (
        "tencent_parse_set_reply",
        "parse Tencent's answer to set_room_metadata",
        None,
    ),
    (
        "tencent_parse_get_10",
        "parse a Tencent get_room_metadata answer with 10 keys",
        None,
    ),
];

/// Section 1: divan's table, every benchmark of [`CPU_BENCHMARKS`] present, each targeted row
/// with its ratio to its baseline row of the same run.
pub(crate) fn cpu(divan_output: &str) -> Result<Vec<CpuFigure>, String> {
    let rows = divan_table::rows(divan_output);
    if let Some(unknown) = rows.iter().find(|row| {
        !CPU_BENCHMARKS
            .iter()
            .any(|(known, _, _)| *known == row.name)
    }) {
        return Err(format!(
            "divan reported `{}`, which the report does not describe",
            unknown.name
        ));
    }
    let median = |name: &str| {
        rows.iter()
            .find(|row| row.name == name)
            .map(|row| row.median_ns)
            .ok_or_else(|| format!("divan's output has no row for `{name}`"))
    };
    CPU_BENCHMARKS
        .iter()
        .map(|&(name, what, target)| {
            let row = rows
                .iter()
                .find(|row| row.name == name)
                .ok_or_else(|| format!("divan's output has no row for `{name}`"))?;
            let ratio = match target {
                Some(target) => {
                    Some(row.median_ns / median(target.baseline)?.max(f64::MIN_POSITIVE))
                }
                None => None,
            };
            Ok(CpuFigure {
                name: name.to_owned(),
                what,
                fastest_ns: row.fastest_ns,
                median_ns: row.median_ns,
                target,
                ratio,
            })
        })
        .collect()
}

/// The `*_send` benchmarks whose cost with the feature `metrics` section 1 reports; the build
/// with the feature also has each one's `*_metrics` row, its metrics recorded.
const METRICS_COST_BENCHMARKS: &[&str] =
    &["rongcloud_entry_set_send", "tencent_set_room_metadata_send"];

/// Section 1, the feature `metrics`: `off` holds `rounds` divan tables of the build without the
/// feature, `on` as many of the build with it; each figure is the best median over the rounds
/// (the run least disturbed by the rest of the machine).
pub(crate) fn metrics_cost(off: &str, on: &str, rounds: usize) -> Result<Vec<MetricsCost>, String> {
    let (off, on) = (divan_table::rows(off), divan_table::rows(on));
    let best = |rows: &[divan_table::Row], name: &str, build: &str| {
        rows.iter()
            .filter(|row| row.name == name)
            .map(|row| row.median_ns)
            .min_by(f64::total_cmp)
            .ok_or_else(|| {
                format!("the divan tables of the build {build} have no row for `{name}`")
            })
    };
    METRICS_COST_BENCHMARKS
        .iter()
        .map(|&name| {
            Ok(MetricsCost {
                name: name.to_owned(),
                rounds,
                off_ns: best(&off, name, "without `metrics`")?,
                no_recorder_ns: best(&on, name, "with `metrics`")?,
                recorded_ns: best(&on, &format!("{name}_metrics"), "with `metrics`")?,
            })
        })
        .collect()
}

/// How a scenario's client treats the vendor quotas.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Quotas<'a> {
    /// Against an emulator without quotas: the client's rate limiter explicitly off.
    Off,
    /// Against an emulator enforcing these limits' rates: the client's default limiter at the
    /// same rates, and one attempt per request, so that every throttling answer is seen.
    Limited(&'a Limits),
}

/// The RongCloud client the scenarios use against the emulator at `base_url`.
pub(crate) fn rongcloud_client(
    base_url: &str,
    quotas: Quotas<'_>,
) -> Result<roomkv_rongcloud::Client, String> {
    let builder = roomkv_rongcloud::Client::builder()
        .app_key(roomkv_rongcloud::AppKey::new(crate::RONGCLOUD_APP_KEY))
        .app_secret(roomkv_rongcloud::AppSecret::new(
            crate::RONGCLOUD_APP_SECRET,
        ));
    build_client(builder, base_url, quotas)
}

/// The RongCloud client of the load runs against an emulator without quotas at `base_url`.
pub(crate) fn load_client(base_url: &str) -> Result<roomkv_rongcloud::Client, String> {
    rongcloud_client(base_url, Quotas::Off)
}

/// The Tencent client the scenarios use against the emulator at `base_url`.
pub(crate) fn tencent_client(
    base_url: &str,
    quotas: Quotas<'_>,
) -> Result<roomkv_tencent::Client, String> {
    let builder = roomkv_tencent::Client::builder()
        .sdkappid(crate::TENCENT_SDKAPPID)
        .secret_key(roomkv_tencent::SecretKey::new(crate::TENCENT_SECRET_KEY));
    build_client(builder, base_url, quotas)
}

/// Builds a client of `builder`'s vendor for the emulator at `base_url`: without a client-side
/// rate limit, or with `quotas`' limits and a single attempt per request.
fn build_client<V: ClientFactory>(
    builder: ClientBuilder<V>,
    base_url: &str,
    quotas: Quotas<'_>,
) -> Result<V::Client, String> {
    let builder = builder.base_url(base_url);
    match quotas {
        Quotas::Off => builder.rate_limit(RateLimit::Off),
        Quotas::Limited(limits) => builder
            .limits(limits.clone())
            .retry_policy(RetryPolicy::default().with_max_attempts(1)),
    }
    .build()
    .map_err(|err| format!("{} client: {err}", V::NAME))
}

/// Whether the server refused for a quota (429 / 1008, 60007); a request the client's own
/// limiter gave up waiting for is not one, and counts as failed.
fn rongcloud_throttled(err: &roomkv_rongcloud::Error) -> bool {
    err.is_throttled() && err.rate_limited().is_none()
}

/// [`rongcloud_throttled`] for Tencent.
fn tencent_throttled(err: &roomkv_tencent::Error) -> bool {
    err.is_throttled() && err.rate_limited().is_none()
}

fn outcome<T, E>(result: &Result<T, E>, throttled: impl Fn(&E) -> bool) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(err) if throttled(err) => Outcome::Throttled,
        Err(_) => Outcome::Failed,
    }
}

/// The key every load worker sets, and its value.
pub(crate) const LOAD_KEY: &str = "stage";
pub(crate) const LOAD_VALUE: &str = "quiz round 3";

/// A worker of a shared RongCloud client, setting one key of its own room.
pub(crate) struct RongCloudEntrySets {
    client: roomkv_rongcloud::Client,
    room: ChatroomId,
    user: UserId,
    key: EntryKey,
    value: EntryValue,
}

impl Worker for RongCloudEntrySets {
    async fn request(&mut self) -> Outcome {
        let result = self
            .client
            .set_entry(&self.room, &self.user, self.key.clone(), self.value.clone())
            .await;
        outcome(&result, rongcloud_throttled)
    }
}

/// `concurrency` workers sharing `client`, worker `i` in room `{prefix}-{i}`.
pub(crate) fn rongcloud_workers(
    client: &roomkv_rongcloud::Client,
    prefix: &str,
    concurrency: usize,
) -> Vec<RongCloudEntrySets> {
    (0..concurrency)
        .map(|worker| RongCloudEntrySets {
            client: client.clone(),
            room: ChatroomId::parse(format!("{prefix}-{worker}")).expect("a valid room id"),
            user: UserId::parse("bench").expect("a valid user id"),
            key: EntryKey::parse(LOAD_KEY).expect("a valid key"),
            value: EntryValue::parse(LOAD_VALUE).expect("a valid value"),
        })
        .collect()
}

/// `concurrency` workers sharing one client, each setting one key of its own room.
async fn rongcloud_entry_sets(
    client: &roomkv_rongcloud::Client,
    concurrency: usize,
    timing: Timing,
) -> Summary {
    let window = timing.window();
    closed_loop(rongcloud_workers(client, "load", concurrency), window)
        .await
        .summary(window.length())
}

/// A worker of a shared Tencent client, setting one key of its own Live room.
pub(crate) struct TencentMetadataSets {
    client: roomkv_tencent::Client,
    room: RoomId,
    key: MetadataKey,
    value: MetadataValue,
}

impl Worker for TencentMetadataSets {
    async fn request(&mut self) -> Outcome {
        let result = self
            .client
            .set_room_metadata(&self.room, [(self.key.clone(), self.value.clone())])
            .await;
        outcome(&result, tencent_throttled)
    }
}

/// Creates Live rooms `{prefix}-0` … `{prefix}-{count - 1}` through `client`.
pub(crate) async fn tencent_rooms(
    client: &roomkv_tencent::Client,
    prefix: &str,
    count: usize,
) -> Result<Vec<RoomId>, String> {
    let rooms: Vec<RoomId> = (0..count)
        .map(|i| RoomId::parse(format!("{prefix}-{i}")).expect("a valid room id"))
        .collect();
    for room in &rooms {
        client
            .create_room(CreateRoom::new(room.clone()))
            .await
            .map_err(|err| format!("create_room {room}: {err}"))?;
    }
    Ok(rooms)
}

/// One worker per room of `rooms`, all sharing `client`.
pub(crate) fn tencent_workers(
    client: &roomkv_tencent::Client,
    rooms: &[RoomId],
) -> Vec<TencentMetadataSets> {
    rooms
        .iter()
        .map(|room| TencentMetadataSets {
            client: client.clone(),
            room: room.clone(),
            key: MetadataKey::parse(LOAD_KEY).expect("a valid key"),
            value: MetadataValue::parse(LOAD_VALUE).expect("a valid value"),
        })
        .collect()
}

/// `concurrency` workers sharing one client, each setting one key of its own Live room.
async fn tencent_metadata_sets(
    client: &roomkv_tencent::Client,
    concurrency: usize,
    timing: Timing,
) -> Result<Summary, String> {
    let rooms = tencent_rooms(client, &format!("load-{concurrency}"), concurrency).await?;
    let window = timing.window();
    Ok(closed_loop(tencent_workers(client, &rooms), window)
        .await
        .summary(window.length()))
}

/// Section 4's quotas: ten times the documented rates (RongCloud entry set 1,000 KV/s, each
/// Tencent command 2,000/s), high enough for a short run, low enough for two cores.
const QUOTA_SCALE: f64 = 10.0;
/// Requests in flight in section 4.
const QUOTA_CONCURRENCY: usize = 16;

/// Section 4: both clients, their limiters at the emulator's quotas, against an emulator that
/// enforces them. The warm-up outlasts the one-second burst both sides allow, so the measured
/// stretch is the steady rate.
pub(crate) async fn quota_use(roomkv: &Path, timing: Timing) -> Result<Vec<QuotaRun>, String> {
    let scale = QUOTA_SCALE.to_string();
    let emulator = Server::emulator(roomkv, &["--rate-scale", &scale])?;
    let limits = Limits::default().scale_rates(QUOTA_SCALE);
    let timing = Timing {
        warm_up: Duration::from_millis(1_500),
        ..timing
    };
    eprintln!("bench: RongCloud entry set at the quota");
    let rongcloud = rongcloud_client(&emulator.base_url(), Quotas::Limited(&limits))?;
    let rongcloud = rongcloud_entry_sets(&rongcloud, QUOTA_CONCURRENCY, timing).await;
    eprintln!("bench: Tencent set_room_metadata at the quota");
    let tencent = tencent_client(&emulator.base_url(), Quotas::Limited(&limits))?;
    let tencent = tencent_metadata_sets(&tencent, QUOTA_CONCURRENCY, timing).await?;
    Ok(vec![
        QuotaRun {
            operation: "RongCloud entry set",
            concurrency: QUOTA_CONCURRENCY,
            quota_per_sec: limits.rate_per_sec(QuotaFamily::RongCloudEntrySet),
            summary: rongcloud,
        },
        QuotaRun {
            operation: "Tencent set_room_metadata",
            concurrency: QUOTA_CONCURRENCY,
            quota_per_sec: limits
                .rate_per_sec(QuotaFamily::Tencent(TencentCommand::SetRoomMetadata)),
            summary: tencent,
        },
    ])
}

/// Connections of section 3.
pub(crate) const CAPACITY_CONNECTIONS: usize = 64;
/// Rounds of section 3 per operation (each runs both servers).
const CAPACITY_ROUNDS: usize = 3;

/// Section 3: the raw generator against (a) the emulator, signatures and UserSigs verified and
/// quotas off, and (b) the bare server, in alternating rounds: RongCloud entry sets, then
/// Tencent `set_room_metadata` (the same signed requests to both servers).
pub(crate) async fn capacity(roomkv: &Path, timing: Timing) -> Result<Vec<Capacity>, String> {
    let emulator = Server::emulator(roomkv, &["--no-rate-limit"])?;
    let bare = Server::bare()?;
    let tencent = tencent_client(&emulator.base_url(), Quotas::Off)?;
    for connection in 0..CAPACITY_CONNECTIONS {
        let room = raw_room(connection);
        tencent
            .create_room(CreateRoom::new(room.clone()))
            .await
            .map_err(|err| format!("create_room {room}: {err}"))?;
    }
    let mut capacities = Vec::new();
    for (operation, requests) in [
        (CAPACITY_RONGCLOUD, signed_entry_sets as fn(_) -> _),
        (CAPACITY_TENCENT, signed_metadata_sets),
    ] {
        let mut rounds = Vec::new();
        for round in 1..=CAPACITY_ROUNDS {
            eprintln!("bench: {operation} capacity round {round}/{CAPACITY_ROUNDS}: emulator");
            let a = raw_run(&emulator, requests(emulator.addr()), timing).await;
            eprintln!(
                "bench: {operation} capacity round {round}/{CAPACITY_ROUNDS}: bare hyper server"
            );
            let b = raw_run(&bare, requests(bare.addr()), timing).await;
            rounds.push(CapacityRound {
                emulator: a,
                bare: b,
            });
        }
        capacities.push(
            Capacity::from_rounds(operation, CAPACITY_CONNECTIONS, rounds)
                .ok_or_else(|| "no capacity round ran".to_owned())?,
        );
    }
    Ok(capacities)
}

/// The operations of section 3.
const CAPACITY_RONGCLOUD: &str = "RongCloud entry set";
const CAPACITY_TENCENT: &str = "Tencent set_room_metadata";

async fn raw_run(server: &Server, requests: RawRequests, timing: Timing) -> Summary {
    let window = timing.window();
    drive_raw(server.addr(), CAPACITY_CONNECTIONS, window, requests)
        .await
        .summary(window.length())
}

/// KV stored in section 5: 1,000 rooms of 100 (RongCloud's cap per room).
const MEMORY_ROOMS: usize = 1_000;
const KV_PER_ROOM: usize = 100;
/// RongCloud's batch set takes at most 20 entries.
const BATCH: usize = 20;
/// Workers storing them.
const STORE_WORKERS: usize = 16;

/// Key `key-000` … `key-099`: 7 bytes.
fn memory_key(i: usize) -> String {
    format!("key-{i:03}")
}

/// Value `value-0000000042`: 16 bytes.
fn memory_value(room: usize, i: usize) -> String {
    format!("value-{:010}", room * KV_PER_ROOM + i)
}

/// The event log bound of section 5's emulator: a tenth of the KV stored, so that the log is
/// full long before the reading and its share of the figure is bounded.
const MEMORY_EVENT_LOG: usize = 10_000;

/// The owner of every KV of section 5.
const MEMORY_OWNER: &str = "bench";

/// Section 5, emulator side: resident memory before and after storing 100,000 KV.
pub(crate) async fn emulator_memory(roomkv: &Path) -> Result<EmulatorMemory, String> {
    let event_log = MEMORY_EVENT_LOG.to_string();
    let emulator = Server::emulator(roomkv, &["--no-rate-limit", "--event-log-size", &event_log])?;
    let client = rongcloud_client(&emulator.base_url(), Quotas::Off)?;
    // Warm the request path (and the allocator) without storing anything.
    client
        .query_all_entries(&ChatroomId::parse("warm-up").expect("a valid room id"))
        .await
        .map_err(|err| format!("warm-up query: {err}"))?;
    settle().await;
    let rss_before = emulator.rss_bytes()?;
    let recorder = run_workers(STORE_WORKERS, |worker| {
        let client = client.clone();
        async move {
            let window = Window::after(Duration::ZERO, Duration::from_secs(3600));
            let owner = UserId::parse(MEMORY_OWNER).expect("a valid user id");
            let mut recorder = Recorder::default();
            for room in (worker..MEMORY_ROOMS).step_by(STORE_WORKERS) {
                let id = ChatroomId::parse(format!("mem-{room}")).expect("a valid room id");
                for start in (0..KV_PER_ROOM).step_by(BATCH) {
                    let entries = (start..start + BATCH).map(|i| {
                        (
                            EntryKey::parse(memory_key(i)).expect("a valid key"),
                            EntryValue::parse(memory_value(room, i)).expect("a valid value"),
                        )
                    });
                    let started = Instant::now();
                    let result = client.batch_set_entries(&id, &owner, entries).await;
                    recorder.record(&window, started, outcome(&result, rongcloud_throttled));
                }
            }
            recorder
        }
    })
    .await;
    let stored = recorder.summary(Duration::from_secs(1));
    if stored.failed + stored.throttled > 0 {
        return Err(format!(
            "storing KV: {} batch sets failed",
            stored.failed + stored.throttled
        ));
    }
    settle().await;
    Ok(EmulatorMemory {
        kv: stored.ok * BATCH as u64,
        key_bytes: memory_key(0).len(),
        value_bytes: memory_value(0, 0).len(),
        owner_bytes: MEMORY_OWNER.len(),
        event_log: MEMORY_EVENT_LOG,
        rss_before,
        rss_after: emulator.rss_bytes()?,
    })
}

/// Concurrent requests that open the pooled connections of section 5.
const CLIENT_CONNECTIONS: usize = 200;

/// Section 5, client side: `roomkv-bench client-memory` in a fresh process, against a fresh
/// emulator.
pub(crate) fn client_memory(roomkv: &Path) -> Result<ClientMemory, String> {
    let emulator = Server::emulator(roomkv, &["--no-rate-limit"])?;
    let exe = std::env::current_exe().map_err(|err| format!("own executable: {err}"))?;
    let output = Command::new(exe)
        .args([
            "client-memory",
            &emulator.base_url(),
            &CLIENT_CONNECTIONS.to_string(),
        ])
        .output()
        .map_err(|err| format!("client-memory: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "client-memory failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|err| format!("client-memory's output: {err}"))
}

/// What `roomkv-bench client-memory BASE_URL N` measures in its own process: resident memory
/// before and after `N` concurrent requests leave `N` connections idle in a client's pool.
///
/// The heap is first grown by the same `N` concurrent requests through a client that keeps no
/// connection, so that the difference is the pooled connections, not the transient peak of
/// `N` requests in flight.
pub(crate) async fn measure_client_memory(
    base_url: &str,
    requests: usize,
) -> Result<ClientMemory, String> {
    let pooled = rongcloud_client(base_url, Quotas::Off)?;
    let unpooled = roomkv_rongcloud::Client::builder()
        .app_key(roomkv_rongcloud::AppKey::new(crate::RONGCLOUD_APP_KEY))
        .app_secret(roomkv_rongcloud::AppSecret::new(
            crate::RONGCLOUD_APP_SECRET,
        ))
        .base_url(base_url)
        .rate_limit(RateLimit::Off)
        .keep_alive(KeepAlive::Disabled)
        .build()
        .map_err(|err| format!("RongCloud client: {err}"))?;
    concurrent_sets(&unpooled, requests).await?;
    settle().await;
    let (rss_before, sockets_before) = (procfs::own_rss()?, procfs::own_sockets()?);
    concurrent_sets(&pooled, requests).await?;
    settle().await;
    let (rss_after, sockets_after) = (procfs::own_rss()?, procfs::own_sockets()?);
    Ok(ClientMemory {
        requests,
        connections: sockets_after.saturating_sub(sockets_before),
        rss_before,
        rss_after,
    })
}

/// `count` entry sets in flight at once, each in a room of its own.
async fn concurrent_sets(client: &roomkv_rongcloud::Client, count: usize) -> Result<(), String> {
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let room = ChatroomId::parse(format!("pool-{i}")).expect("a valid room id");
                client
                    .set_entry(
                        &room,
                        &UserId::parse("bench").expect("a valid user id"),
                        EntryKey::parse("stage").expect("a valid key"),
                        EntryValue::parse("quiz").expect("a valid value"),
                    )
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .map_err(|err| format!("request task: {err}"))?
            .map_err(|err| format!("entry set: {err}"))?;
    }
    Ok(())
}

/// Lets freed memory and closed sockets settle before a reading.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_keys_and_values_have_the_documented_sizes() {
        assert_eq!(memory_key(99), "key-099");
        assert_eq!(memory_value(999, 99).len(), 16);
        assert!(EntryKey::parse(memory_key(0)).is_ok());
        assert_eq!(MEMORY_ROOMS * KV_PER_ROOM, 100_000);
        assert_eq!(KV_PER_ROOM % BATCH, 0);
    }

    #[test]
    fn every_cpu_benchmark_must_be_reported() {
        let row = |name: &str| format!("├─ {name}  1 µs │ 2 µs │ 1.5 µs │ 1.6 µs │ 100 │ 100\n");
        let all: String = CPU_BENCHMARKS
            .iter()
            .map(|(name, _, _)| row(name))
            .collect();
        let figures = cpu(&all).unwrap();
        assert_eq!(figures.len(), CPU_BENCHMARKS.len());
        assert_eq!(figures[0].median_ns, 1_500.0);
        assert_eq!(figures[0].fastest_ns, 1_000.0);
        assert_eq!(figures[0].target, None);
        assert_eq!(figures[1].target, Some(BUILD_TARGET));
        assert_eq!(figures[1].ratio, Some(1.0));
        assert_eq!(figures[8].target, None);

        let missing: String = all
            .lines()
            .filter(|l| !l.contains("rongcloud_entry_set_build"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            cpu(&missing)
                .unwrap_err()
                .contains("rongcloud_entry_set_build")
        );
        let no_baseline: String = all.lines().skip(1).map(|l| format!("{l}\n")).collect();
        assert!(cpu(&no_baseline).unwrap_err().contains(MINIMUM_REQUEST));
        let extra = format!("{all}{}", row("something_new"));
        assert!(cpu(&extra).unwrap_err().contains("something_new"));
    }

    #[test]
    fn targeted_rows_are_ratios_to_their_baseline_rows() {
        let row = |name: &str, median: u32| {
            format!("├─ {name}  1 ns │ 9 µs │ {median} ns │ 5 µs │ 100 │ 100\n")
        };
        let all: String = CPU_BENCHMARKS
            .iter()
            .map(|(name, _, _)| match *name {
                MINIMUM_REQUEST => row(name, 1_000),
                "rongcloud_entry_set_send" => row(name, 2_100),
                "rongcloud_entry_set_send_limiter_on" => row(name, 2_200),
                _ => row(name, 1_200),
            })
            .collect();
        let figures = cpu(&all).unwrap();
        let ratio = |name: &str| {
            figures
                .iter()
                .find(|figure| figure.name == name)
                .and_then(|figure| figure.ratio)
                .unwrap()
        };
        assert!((ratio("rongcloud_entry_set_build") - 1.2).abs() < 1e-9);
        assert!((ratio("rongcloud_entry_set_send") - 2.1).abs() < 1e-9);
        assert!((ratio("rongcloud_entry_set_send_limiter_on") - 2_200.0 / 2_100.0).abs() < 1e-9);
        assert!((ratio("tencent_set_room_metadata_send_limiter_on") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_metrics_cost_is_the_best_median_of_each_build() {
        let row = |name: &str, median: u32| {
            format!("├─ {name}  1 µs │ 9 µs │ {median} ns │ 5 µs │ 100 │ 100\n")
        };
        let off = format!(
            "{}{}{}{}",
            row("rongcloud_entry_set_send", 2_100),
            row("tencent_set_room_metadata_send", 2_300),
            row("rongcloud_entry_set_send", 2_000),
            row("tencent_set_room_metadata_send", 2_400),
        );
        let on = format!(
            "{}{}{}{}{}{}",
            row("rongcloud_entry_set_send", 2_050),
            row("rongcloud_entry_set_send_metrics", 2_200),
            row("tencent_set_room_metadata_send", 2_350),
            row("tencent_set_room_metadata_send_metrics", 2_400),
            row("rongcloud_entry_set_send_metrics", 2_090),
            row("tencent_set_room_metadata_send_metrics", 2_500),
        );
        let costs = metrics_cost(&off, &on, 2).unwrap();
        assert_eq!(costs.len(), 2);
        let rongcloud = &costs[0];
        assert_eq!(rongcloud.name, "rongcloud_entry_set_send");
        assert_eq!(rongcloud.rounds, 2);
        assert_eq!(
            (
                rongcloud.off_ns,
                rongcloud.no_recorder_ns,
                rongcloud.recorded_ns
            ),
            (2_000.0, 2_050.0, 2_090.0)
        );
        assert!((rongcloud.ratio() - 1.045).abs() < 1e-12);
        assert!((costs[1].ratio() - 2_400.0 / 2_300.0).abs() < 1e-12);

        let without_recorded: String = on
            .lines()
            .filter(|l| !l.contains("tencent_set_room_metadata_send_metrics"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            metrics_cost(&off, &without_recorded, 2)
                .unwrap_err()
                .contains("tencent_set_room_metadata_send_metrics")
        );
        assert!(
            metrics_cost("", &on, 2)
                .unwrap_err()
                .contains("without `metrics`")
        );
    }
}
