//! One process of a fleet sharing one RongCloud quota through Redis, for the end-to-end tests
//! in `tests/it/quota.rs` (which start several of these against one emulator).
//!
//! ```text
//! quota-worker EMULATOR_URL REDIS_URL APP_KEY APP_SECRET KV_PER_SEC FLEET_SIZE BATCHES TASKS
//! ```
//!
//! Sends `BATCHES` batch sets of 20 entries from `TASKS` tasks, through a client whose rate
//! limiter is a `RedisLimiter` (falling back to the quota divided by `FLEET_SIZE`), and prints
//! one line: `ok=N throttled=N rate_limited=N failed=N first_ms=T last_ms=T` (Unix
//! milliseconds of the first request's start and the last one's end). Warnings go to stderr.

// A helper process for tests: its stdout line and stderr are its interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use roomkv_rongcloud::RongCloudSettings;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use roomkv_rongcloud::limiter::{RedisLimiter, SharedRateLimiter};
use roomkv_rongcloud::{
    AppKey, AppSecret, ChatroomId, Client, EntryKey, EntryValue, Limits, RateLimit, UserId,
};

/// What the worker was asked to do.
struct Job {
    emulator: String,
    redis: String,
    app_key: String,
    app_secret: String,
    kv_per_sec: u32,
    fleet_size: u32,
    batches: u64,
    tasks: u64,
}

impl Job {
    fn from_args() -> Result<Self, String> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let [
            emulator,
            redis,
            app_key,
            app_secret,
            rate,
            fleet,
            batches,
            tasks,
        ] = &args[..]
        else {
            return Err(format!("expected 8 arguments, got {}", args.len()));
        };
        let number = |text: &str| text.parse::<u64>().map_err(|e| format!("{text}: {e}"));
        Ok(Self {
            emulator: emulator.clone(),
            redis: redis.clone(),
            app_key: app_key.clone(),
            app_secret: app_secret.clone(),
            kv_per_sec: u32::try_from(number(rate)?).map_err(|e| e.to_string())?,
            fleet_size: u32::try_from(number(fleet)?).map_err(|e| e.to_string())?,
            batches: number(batches)?,
            tasks: number(tasks)?.max(1),
        })
    }
}

/// What happened to the writes.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    throttled: AtomicU64,
    rate_limited: AtomicU64,
    failed: AtomicU64,
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .init();
    let job = match Job::from_args() {
        Ok(job) => job,
        Err(err) => {
            eprintln!("quota-worker: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(job)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("quota-worker: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(job: Job) -> Result<String, String> {
    let limiter = RedisLimiter::builder(&job.redis)
        .fleet_size(job.fleet_size)
        .build()
        .map_err(|e| e.to_string())?;
    let mut limits = Limits::DOCUMENTED;
    limits.rongcloud.rates.entry_set_kv_per_sec = job.kv_per_sec;
    let client = Client::builder()
        .app_key(AppKey::new(&job.app_key))
        .app_secret(AppSecret::new(&job.app_secret))
        .base_url(&job.emulator)
        .limits(limits)
        .rate_limit(RateLimit::With(SharedRateLimiter::new(limiter)))
        .max_rate_wait(Duration::from_secs(30))
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let tally = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(0));
    let first = unix_ms();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..job.tasks {
        let room = ChatroomId::parse(format!("w{}-{task}", std::process::id()))
            .map_err(|e| e.to_string())?;
        let owner = UserId::parse("worker").map_err(|e| e.to_string())?;
        let entries: Vec<(EntryKey, EntryValue)> = (0..20)
            .map(|n| {
                Ok((
                    EntryKey::parse(format!("k{n}"))?,
                    EntryValue::parse(n.to_string())?,
                ))
            })
            .collect::<Result<_, roomkv_rongcloud::ValidationError>>()
            .map_err(|e| e.to_string())?;
        let (client, tally, next, batches) =
            (client.clone(), tally.clone(), next.clone(), job.batches);
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < batches {
                let counter = match client
                    .batch_set_entries(&room, &owner, entries.clone())
                    .await
                {
                    Ok(()) => &tally.ok,
                    Err(err) if err.rate_limited().is_some() => &tally.rate_limited,
                    Err(err) if err.is_throttled() => &tally.throttled,
                    Err(err) => {
                        eprintln!("quota-worker: {err}");
                        &tally.failed
                    }
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let last = unix_ms();
    Ok(format!(
        "ok={} throttled={} rate_limited={} failed={} first_ms={first} last_ms={last}",
        tally.ok.load(Ordering::Relaxed),
        tally.throttled.load(Ordering::Relaxed),
        tally.rate_limited.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
    ))
}
