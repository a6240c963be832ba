//! The steps of `roomkv demo`: one table ([`table`]) of the steps in the order they run, each
//! with its vendor, its name, what it shows (the behaviour the vendors document, and the
//! emulator implements, as its expectation) and the function that runs it.
//!
//! Every step goes through the real clients over HTTP. The emulator is read directly only to
//! show what a vendor would have delivered elsewhere (notification messages, callbacks) and that a
//! refused request left no trace.

mod failures;
mod rongcloud;
mod support;
mod tencent;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use roomkv_rongcloud::KV_NOTIFICATION_OBJECT_NAME;

use self::failures::Pacing;
use self::support::{Context, LIVE_ROOM, LIVE_ROOM_NAME, LIVE_ROOM_NOTICE, Seen, burst_size};
use super::harness::{Demo, Runner, STEP_BUDGET};
use super::report::Vendor::{self, RongCloud, Tencent};

/// The burst step's budget: twice one second's quota drains in about a second, plus backoff.
const BURST_BUDGET: Duration = Duration::from_secs(25);

/// A step's run, started: it borrows the demo and the [`Context`].
type Run<'a> = Pin<Box<dyn Future<Output = Seen> + 'a>>;

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
            "room update",
            format!(
                "ok; 1 CallbackAfterUpdateRoomInfo; Notice \"{LIVE_ROOM_NOTICE}\", ApplyToTake"
            ),
            |demo, _| Box::pin(tencent::room_update(demo)),
        ),
        Step::new(Tencent, "room list", LIVE_ROOM, |demo, _| {
            Box::pin(tencent::room_list(demo))
        }),
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
