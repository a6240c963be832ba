//! Section 2: roomkv's clients and the hand-written baseline ([`crate::baseline`]) against one
//! emulator without quotas, at 1, 16 and 64 requests in flight, in alternating rounds so that
//! both see the same machine.

use std::path::Path;

use crate::baseline::{RongCloudBaseline, TencentBaseline};
use crate::load::{Worker, closed_loop};
use crate::process::Server;
use crate::procfs;
use crate::report::{ClientKind, ClientRound, ClientRun};
use crate::scenarios::{
    LOAD_KEY, LOAD_VALUE, Quotas, Timing, rongcloud_client, rongcloud_workers, tencent_client,
    tencent_rooms, tencent_workers,
};
use crate::stats::Outcome;

/// The concurrencies of section 2.
pub(crate) const CONCURRENCY: [usize; 3] = [1, 16, 64];
/// Rounds per operation and concurrency; each runs both clients, the first of them
/// alternating from round to round.
const ROUNDS: usize = 3;

/// The two operations of section 2.
const RONGCLOUD_ENTRY_SET: &str = "RongCloud entry set";
const TENCENT_SET_ROOM_METADATA: &str = "Tencent set_room_metadata";

/// A worker of the baseline RongCloud client, setting one key of its own room.
struct BaselineEntrySets {
    client: RongCloudBaseline,
    room: String,
}

impl Worker for BaselineEntrySets {
    async fn request(&mut self) -> Outcome {
        let result = self
            .client
            .set_entry(&self.room, "bench", LOAD_KEY, LOAD_VALUE)
            .await;
        baseline_outcome(&result)
    }
}

/// A worker of the baseline Tencent client, setting one key of its own Live room.
struct BaselineMetadataSets {
    client: TencentBaseline,
    room: String,
}

impl Worker for BaselineMetadataSets {
    async fn request(&mut self) -> Outcome {
        let result = self
            .client
            .set_room_metadata(&self.room, LOAD_KEY, LOAD_VALUE)
            .await;
        baseline_outcome(&result)
    }
}

/// The baseline knows no quotas (none are enforced here): any error is a failure.
fn baseline_outcome(result: &Result<(), String>) -> Outcome {
    if result.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Failed
    }
}

/// One closed-loop run of `workers` in a fresh window of `timing`, and this process's CPU time
/// per successful request from the window's start to the last answer.
async fn measure<W: Worker>(workers: Vec<W>, timing: Timing) -> Result<ClientRound, String> {
    let window = timing.window();
    let cpu_at_start = tokio::spawn(async move {
        tokio::time::sleep_until(window.start().into()).await;
        procfs::own_cpu_time()
    });
    let summary = closed_loop(workers, window).await.summary(window.length());
    let cpu =
        procfs::own_cpu_time()?.saturating_sub(cpu_at_start.await.map_err(|err| err.to_string())??);
    Ok(ClientRound {
        client_cpu_us: cpu.as_secs_f64() * 1e6 / summary.ok.max(1) as f64,
        summary,
    })
}

/// Section 2: for each operation and concurrency, [`ROUNDS`] rounds of roomkv's client and the
/// baseline against one `roomkv emulator --no-rate-limit`; a client shared by all workers, as an
/// application would, each worker setting one key of its own room.
pub(crate) async fn client_load(roomkv: &Path, timing: Timing) -> Result<Vec<ClientRun>, String> {
    let emulator = Server::emulator(roomkv, &["--no-rate-limit"])?;
    let base_url = emulator.base_url();
    let rongcloud = rongcloud_client(&base_url, Quotas::Off)?;
    let tencent = tencent_client(&base_url, Quotas::Off)?;
    let rongcloud_baseline = RongCloudBaseline::new(
        &base_url,
        crate::RONGCLOUD_APP_KEY,
        crate::RONGCLOUD_APP_SECRET,
    );
    let tencent_baseline = TencentBaseline::new(
        &base_url,
        crate::TENCENT_SDKAPPID,
        roomkv_tencent::DEFAULT_ADMIN,
        crate::TENCENT_SECRET_KEY,
    );
    let mut runs = Vec::new();
    for concurrency in CONCURRENCY {
        let pair = Pair::new(RONGCLOUD_ENTRY_SET, concurrency);
        runs.extend(
            pair.alternate(
                timing,
                || rongcloud_workers(&rongcloud, &format!("load-{concurrency}"), concurrency),
                || {
                    (0..concurrency)
                        .map(|i| BaselineEntrySets {
                            client: rongcloud_baseline.clone(),
                            room: format!("base-{concurrency}-{i}"),
                        })
                        .collect()
                },
            )
            .await?,
        );
    }
    for concurrency in CONCURRENCY {
        let rooms = tencent_rooms(&tencent, &format!("load-{concurrency}"), concurrency).await?;
        let baseline_rooms =
            tencent_rooms(&tencent, &format!("base-{concurrency}"), concurrency).await?;
        let pair = Pair::new(TENCENT_SET_ROOM_METADATA, concurrency);
        runs.extend(
            pair.alternate(
                timing,
                || tencent_workers(&tencent, &rooms),
                || {
                    baseline_rooms
                        .iter()
                        .map(|room| BaselineMetadataSets {
                            client: tencent_baseline.clone(),
                            room: room.to_string(),
                        })
                        .collect()
                },
            )
            .await?,
        );
    }
    Ok(runs)
}

/// One operation at one concurrency, measured for both clients.
struct Pair {
    operation: &'static str,
    concurrency: usize,
}

impl Pair {
    fn new(operation: &'static str, concurrency: usize) -> Self {
        Self {
            operation,
            concurrency,
        }
    }

    /// [`ROUNDS`] rounds, each measuring roomkv's workers and the baseline's, roomkv first in
    /// even rounds and the baseline first in odd ones; the runs of roomkv, then the baseline's.
    async fn alternate<R: Worker, B: Worker>(
        &self,
        timing: Timing,
        roomkv: impl Fn() -> Vec<R>,
        baseline: impl Fn() -> Vec<B>,
    ) -> Result<[ClientRun; 2], String> {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let progress = |client: ClientKind| {
                eprintln!(
                    "bench: {}, concurrency {}, {client}, round {}/{ROUNDS}",
                    self.operation,
                    self.concurrency,
                    round + 1
                );
            };
            if round.is_multiple_of(2) {
                progress(ClientKind::Roomkv);
                ours.push(measure(roomkv(), timing).await?);
                progress(ClientKind::Baseline);
                theirs.push(measure(baseline(), timing).await?);
            } else {
                progress(ClientKind::Baseline);
                theirs.push(measure(baseline(), timing).await?);
                progress(ClientKind::Roomkv);
                ours.push(measure(roomkv(), timing).await?);
            }
        }
        Ok([
            ClientRun::best_of(ClientKind::Roomkv, self.operation, self.concurrency, ours),
            ClientRun::best_of(
                ClientKind::Baseline,
                self.operation,
                self.concurrency,
                theirs,
            ),
        ])
    }
}
