//! The figures of one `cargo xtask bench` run: `report.json` (serde) and the markdown table
//! printed and kept in `BENCHMARKS.md`.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::flat_memory::FlatMemory;
use crate::stats::Summary;

/// A target of section 1: a row's median at most `max` times the median of the row
/// `baseline`, measured in the same run (absolute times differ from machine to machine by 1.5×).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct RatioTarget {
    /// The divan row the ratio is to.
    pub(crate) baseline: &'static str,
    /// The largest ratio that meets the target.
    pub(crate) max: f64,
}

/// The hand-written minimum request of section 1: the least work any correct client must do.
pub(crate) const MINIMUM_REQUEST: &str = "minimum_request";
/// Section 1: the build alone (validate + encode + sign) within 1.3× the minimum request.
pub(crate) const BUILD_TARGET: RatioTarget = RatioTarget {
    baseline: MINIMUM_REQUEST,
    max: 1.3,
};
/// Section 1: the whole client request (limiter off, instant transport) within 2× the minimum
/// request.
pub(crate) const SEND_TARGET: RatioTarget = RatioTarget {
    baseline: MINIMUM_REQUEST,
    max: 2.0,
};

/// Section 1: a send with the default limiter on, not waiting, within 1.1× the same send with
/// the limiter off (`baseline`).
pub(crate) const fn limiter_target(baseline: &'static str) -> RatioTarget {
    RatioTarget { baseline, max: 1.1 }
}
/// Section 1's target for the feature `metrics`: a send with its metrics recorded costs at most
/// 5 % more than without the feature.
pub(crate) const METRICS_COST_TARGET: f64 = 1.05;
/// Section 2's targets: roomkv's rate at least 0.97× the baseline's, its p50 at most 1.03×.
pub(crate) const THROUGHPUT_VS_BASELINE_TARGET: f64 = 0.97;
pub(crate) const P50_VS_BASELINE_TARGET: f64 = 1.03;
/// Section 2's tail target: p99 at 64 in flight at most 3× p50.
pub(crate) const TAIL_TARGET: f64 = 3.0;
/// Section 3's target: the emulator serves at least 90 % of the bare server's rate.
pub(crate) const CAPACITY_TARGET: f64 = 0.9;
/// Section 5's target: at most 150 bytes of resident memory per stored KV beyond its key,
/// value and owner bytes.
pub(crate) const EMULATOR_OVERHEAD_TARGET: f64 = 150.0;
/// Section 5's target: over the sustained write load, the emulator's largest memory sample is
/// at most 10 % above its smallest.
pub(crate) const FLAT_MEMORY_TARGET: f64 = 0.10;
/// Section 4's target: the clients use at least 97 % of the quota.
pub(crate) const QUOTA_USE_TARGET: f64 = 0.97;

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// When and where.
    pub(crate) machine: Machine,
    /// Section 1: CPU per request.
    pub(crate) cpu: Vec<CpuFigure>,
    /// Section 1: what the feature `metrics` adds to a send.
    pub(crate) metrics_cost: Vec<MetricsCost>,
    /// Section 2: client to emulator over loopback, rate limits off; roomkv's clients and the
    /// baseline.
    pub(crate) client_load: Vec<ClientRun>,
    /// Section 2: roomkv against the baseline, per operation and concurrency.
    pub(crate) client_vs_baseline: Vec<VsBaseline>,
    /// Section 2: p99 / p50 at 64 in flight, and the rate from 16 to 64, per client.
    pub(crate) client_tail: Vec<Tail>,
    /// Section 3: the emulator against a bare hyper server, per operation.
    pub(crate) capacity: Vec<Capacity>,
    /// Section 4: quota use.
    pub(crate) quota: Vec<QuotaRun>,
    /// Section 5: memory.
    pub(crate) memory: Memory,
}

/// Where the figures come from.
#[derive(Debug, Serialize)]
pub(crate) struct Machine {
    /// The UTC date of the run, `YYYY-MM-DD`.
    pub(crate) date: String,
    /// Logical CPUs available to the run.
    pub(crate) cores: usize,
    /// The machine's one-minute load average when the load scenarios started (other jobs
    /// sharing the cores make every figure worse).
    pub(crate) load_average: f64,
    /// Seconds each load run measured, after its warm-up.
    pub(crate) measure_secs: f64,
}

/// One micro-benchmark's median.
#[derive(Debug, Serialize)]
pub(crate) struct CpuFigure {
    /// The divan benchmark's name.
    pub(crate) name: String,
    /// What it measures.
    pub(crate) what: &'static str,
    /// The fastest sample's time per call, in nanoseconds.
    pub(crate) fastest_ns: f64,
    /// Median time per call, in nanoseconds.
    pub(crate) median_ns: f64,
    /// The target, if the issue sets one.
    pub(crate) target: Option<RatioTarget>,
    /// `median_ns` over the target's baseline row's median, when there is a target.
    pub(crate) ratio: Option<f64>,
}

impl CpuFigure {
    /// The table cell of the target: the ratio, the target and the verdict.
    fn target_cell(&self) -> String {
        match (self.target, self.ratio) {
            (Some(target), Some(ratio)) => format!(
                "{ratio:.2}× `{}` (≤ {}×): {}",
                target.baseline,
                target.max,
                verdict(ratio <= target.max)
            ),
            _ if self.name == MINIMUM_REQUEST => "the baseline".to_owned(),
            _ => "—".to_owned(),
        }
    }
}

/// A `*_send` benchmark built without and with the clients' feature `metrics`: the best median
/// of several alternating runs of each build.
#[derive(Debug, Serialize)]
pub(crate) struct MetricsCost {
    /// The benchmark's name in the build without the feature (`rongcloud_entry_set_send`).
    pub(crate) name: String,
    /// Runs of each build.
    pub(crate) rounds: usize,
    /// Without the feature, nanoseconds per send.
    pub(crate) off_ns: f64,
    /// With the feature and no recorder installed (every handle a no-op).
    pub(crate) no_recorder_ns: f64,
    /// With the feature and `metrics-exporter-prometheus`'s recorder installed (the
    /// `*_send_metrics` row).
    pub(crate) recorded_ns: f64,
}

impl MetricsCost {
    /// `recorded_ns / off_ns`: what a send costs with its metrics recorded, relative to a build
    /// without the feature.
    pub(crate) fn ratio(&self) -> f64 {
        self.recorded_ns / self.off_ns.max(f64::MIN_POSITIVE)
    }
}

/// Which client a row of section 2 measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ClientKind {
    /// roomkv's client (`roomkv_rongcloud::Client`, `roomkv_tencent::Client`).
    Roomkv,
    /// The hand-written baseline client (`src/baseline.rs`).
    Baseline,
}

impl std::fmt::Display for ClientKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Roomkv => "roomkv",
            Self::Baseline => "baseline",
        })
    }
}

/// One client at one operation and concurrency: the best of its rounds.
#[derive(Debug, Serialize)]
pub(crate) struct ClientRun {
    /// `roomkv` or `baseline`.
    pub(crate) client: ClientKind,
    /// `RongCloud entry set` or `Tencent set_room_metadata`.
    pub(crate) operation: &'static str,
    /// Requests in flight at once.
    pub(crate) concurrency: usize,
    /// Every round, in the order run.
    pub(crate) rounds: Vec<ClientRound>,
    /// The round with the highest rate (the one least disturbed by the rest of the machine).
    pub(crate) summary: Summary,
    /// The load generator's CPU time (user and system, every thread) per successful request in
    /// that round, in microseconds: the client's own cost, with the emulator's in its own
    /// process.
    pub(crate) client_cpu_us: f64,
}

/// One round of one client in section 2.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClientRound {
    /// What was measured.
    pub(crate) summary: Summary,
    /// The load generator's CPU time per successful request, in microseconds.
    pub(crate) client_cpu_us: f64,
}

impl ClientRun {
    /// The run of `rounds` (at least one): the best of them as its summary.
    pub(crate) fn best_of(
        client: ClientKind,
        operation: &'static str,
        concurrency: usize,
        rounds: Vec<ClientRound>,
    ) -> Self {
        let best = rounds
            .iter()
            .max_by(|a, b| a.summary.ok_per_sec.total_cmp(&b.summary.ok_per_sec))
            .cloned()
            .expect("every run has a round");
        Self {
            client,
            operation,
            concurrency,
            rounds,
            summary: best.summary,
            client_cpu_us: best.client_cpu_us,
        }
    }
}

/// Section 2's targets for roomkv against the baseline at one operation and concurrency.
#[derive(Debug, Serialize)]
pub(crate) struct VsBaseline {
    /// `RongCloud entry set` or `Tencent set_room_metadata`.
    pub(crate) operation: &'static str,
    /// Requests in flight at once.
    pub(crate) concurrency: usize,
    /// roomkv's requests per second / the baseline's (target ≥ 0.97).
    pub(crate) throughput_ratio: f64,
    /// roomkv's p50 / the baseline's (target ≤ 1.03).
    pub(crate) p50_ratio: f64,
}

impl VsBaseline {
    /// Whether both targets are met.
    pub(crate) fn met(&self) -> (bool, bool) {
        (
            self.throughput_ratio >= THROUGHPUT_VS_BASELINE_TARGET,
            self.p50_ratio <= P50_VS_BASELINE_TARGET,
        )
    }
}

/// Section 2's tail target for one client and operation: p99 at 64 in flight within 3× p50,
/// while the rate rises from 16 to 64 in flight.
#[derive(Debug, Serialize)]
pub(crate) struct Tail {
    /// `roomkv` or `baseline`.
    pub(crate) client: ClientKind,
    /// `RongCloud entry set` or `Tencent set_room_metadata`.
    pub(crate) operation: &'static str,
    /// p99 / p50 at 64 in flight (target ≤ 3).
    pub(crate) p99_over_p50: f64,
    /// Requests per second at 64 in flight / at 16 (target > 1: the rate rises).
    pub(crate) rate_64_over_16: f64,
}

impl Tail {
    /// Whether p99 is within 3× p50 and whether the rate rises.
    pub(crate) fn met(&self) -> (bool, bool) {
        (self.p99_over_p50 <= TAIL_TARGET, self.rate_64_over_16 > 1.0)
    }
}

/// The ratios of section 2, from its runs: roomkv against the baseline at every operation and
/// concurrency, and every client's tail at 64 in flight.
pub(crate) fn client_targets(runs: &[ClientRun]) -> (Vec<VsBaseline>, Vec<Tail>) {
    let find = |client, operation, concurrency| {
        runs.iter()
            .find(|run| {
                run.client == client && run.operation == operation && run.concurrency == concurrency
            })
            .map(|run| &run.summary)
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::INFINITY };
    let mut vs = Vec::new();
    let mut tails = Vec::new();
    for run in runs {
        if run.client == ClientKind::Roomkv
            && let Some(baseline) = find(ClientKind::Baseline, run.operation, run.concurrency)
        {
            vs.push(VsBaseline {
                operation: run.operation,
                concurrency: run.concurrency,
                throughput_ratio: ratio(run.summary.ok_per_sec, baseline.ok_per_sec),
                p50_ratio: ratio(run.summary.p50_us, baseline.p50_us),
            });
        }
        if run.concurrency == 64
            && let Some(at_16) = find(run.client, run.operation, 16)
        {
            tails.push(Tail {
                client: run.client,
                operation: run.operation,
                p99_over_p50: ratio(run.summary.p99_us, run.summary.p50_us),
                rate_64_over_16: ratio(run.summary.ok_per_sec, at_16.ok_per_sec),
            });
        }
    }
    (vs, tails)
}

/// The emulator's capacity against the bare server for one operation.
#[derive(Debug, Serialize)]
pub(crate) struct Capacity {
    /// `RongCloud entry set` or `Tencent set_room_metadata`.
    pub(crate) operation: &'static str,
    /// Connections (one request in flight on each).
    pub(crate) connections: usize,
    /// Each round ran the emulator, then the bare server.
    pub(crate) rounds: Vec<CapacityRound>,
    /// The best emulator round.
    pub(crate) emulator: Summary,
    /// The best bare round.
    pub(crate) bare: Summary,
    /// `emulator.ok_per_sec / bare.ok_per_sec`.
    pub(crate) ratio: f64,
}

/// One round of section 3.
#[derive(Debug, Serialize)]
pub(crate) struct CapacityRound {
    /// (a) the emulator, signatures or UserSigs verified, quotas off.
    pub(crate) emulator: Summary,
    /// (b) the bare hyper server.
    pub(crate) bare: Summary,
}

impl Capacity {
    /// The best round of each server (the one least disturbed by the rest of the machine) and
    /// their ratio.
    pub(crate) fn from_rounds(
        operation: &'static str,
        connections: usize,
        rounds: Vec<CapacityRound>,
    ) -> Option<Self> {
        let best = |pick: fn(&CapacityRound) -> &Summary| {
            rounds
                .iter()
                .map(pick)
                .max_by(|a, b| a.ok_per_sec.total_cmp(&b.ok_per_sec))
                .cloned()
        };
        let emulator = best(|round| &round.emulator)?;
        let bare = best(|round| &round.bare)?;
        let ratio = if bare.ok_per_sec > 0.0 {
            emulator.ok_per_sec / bare.ok_per_sec
        } else {
            0.0
        };
        Some(Self {
            operation,
            connections,
            rounds,
            emulator,
            bare,
            ratio,
        })
    }
}

/// One run of section 4: a client whose limiter has the emulator's quota.
#[derive(Debug, Serialize)]
pub(crate) struct QuotaRun {
    /// `RongCloud entry set` or `Tencent set_room_metadata`.
    pub(crate) operation: &'static str,
    /// Requests in flight at once.
    pub(crate) concurrency: usize,
    /// The quota, on the emulator and in the client's limiter, per second.
    pub(crate) quota_per_sec: u32,
    /// What was measured; `throttled` counts 429 / 1008 / 60007 answers.
    pub(crate) summary: Summary,
}

impl QuotaRun {
    /// Achieved rate / quota.
    pub(crate) fn use_ratio(&self) -> f64 {
        self.summary.ok_per_sec / f64::from(self.quota_per_sec.max(1))
    }
}

/// Section 5.
#[derive(Debug, Serialize)]
pub(crate) struct Memory {
    /// The emulator's side.
    pub(crate) emulator: EmulatorMemory,
    /// The emulator's memory over a sustained write load, its logs full.
    pub(crate) flat: FlatMemory,
    /// The client's side.
    pub(crate) client: ClientMemory,
}

/// The emulator's resident memory before and after storing KV.
#[derive(Debug, Serialize)]
pub(crate) struct EmulatorMemory {
    /// KV stored.
    pub(crate) kv: u64,
    /// Bytes of each key.
    pub(crate) key_bytes: usize,
    /// Bytes of each value.
    pub(crate) value_bytes: usize,
    /// Bytes of each entry's owner (the user id that set it).
    pub(crate) owner_bytes: usize,
    /// The emulator's event log bound (`--event-log-size`) during the run.
    pub(crate) event_log: usize,
    /// Resident memory before, in bytes.
    pub(crate) rss_before: u64,
    /// Resident memory after, in bytes.
    pub(crate) rss_after: u64,
}

impl EmulatorMemory {
    /// Bytes of resident memory per stored KV.
    pub(crate) fn bytes_per_kv(&self) -> f64 {
        self.rss_after.saturating_sub(self.rss_before) as f64 / self.kv.max(1) as f64
    }

    /// The bytes a KV must hold whatever the structure: its key, value and owner.
    pub(crate) fn payload_bytes(&self) -> usize {
        self.key_bytes + self.value_bytes + self.owner_bytes
    }

    /// [`Self::bytes_per_kv`] beyond [`Self::payload_bytes`]: what the storage itself costs.
    pub(crate) fn overhead_per_kv(&self) -> f64 {
        self.bytes_per_kv() - self.payload_bytes() as f64
    }
}

/// A client process's resident memory before and after opening pooled connections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClientMemory {
    /// Concurrent requests made to open the connections.
    pub(crate) requests: usize,
    /// Sockets open in the pool afterwards (counted in `/proc/self/fd`).
    pub(crate) connections: usize,
    /// Resident memory before, in bytes.
    pub(crate) rss_before: u64,
    /// Resident memory with the connections idle in the pool, in bytes.
    pub(crate) rss_after: u64,
}

impl ClientMemory {
    /// Bytes of resident memory per idle pooled connection.
    pub(crate) fn bytes_per_connection(&self) -> f64 {
        self.rss_after.saturating_sub(self.rss_before) as f64 / self.connections.max(1) as f64
    }
}

impl Report {
    /// The markdown tables of every section.
    pub(crate) fn markdown(&self) -> String {
        let mut out = String::new();
        let m = &self.machine;
        let _ = writeln!(
            out,
            "Measured {} on {} cores (load average {:.1} at the start) by `cargo xtask bench`; \
             each load run measured {} s after a warm-up, on loopback only.\n",
            m.date,
            m.cores,
            m.load_average,
            trim_float(m.measure_secs)
        );
        self.cpu_section(&mut out);
        self.client_section(&mut out);
        self.capacity_section(&mut out);
        self.quota_section(&mut out);
        self.memory_section(&mut out);
        out
    }

    fn cpu_section(&self, out: &mut String) {
        out.push_str("### 1. CPU per request\n\n");
        out.push_str(
            "| benchmark | what it measures | median | fastest | median / a row of this run \
             (target) |\n",
        );
        out.push_str("|---|---|---:|---:|---|\n");
        for figure in &self.cpu {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                figure.name,
                figure.what,
                duration(figure.median_ns),
                duration(figure.fastest_ns),
                figure.target_cell()
            );
        }
        out.push('\n');
        if self.metrics_cost.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "The `*_send` rows built without and with the clients' feature `metrics` (the best \
             median of {} alternating runs of each build):\n",
            self.metrics_cost[0].rounds
        );
        out.push_str(
            "| benchmark | feature off | on, no recorder | on, Prometheus recorder | \
             on (recorder) / off (target ≤ 1.05) |\n",
        );
        out.push_str("|---|---:|---:|---:|---|\n");
        for cost in &self.metrics_cost {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {:.3}: {} |",
                cost.name,
                duration(cost.off_ns),
                duration(cost.no_recorder_ns),
                duration(cost.recorded_ns),
                cost.ratio(),
                verdict(cost.ratio() <= METRICS_COST_TARGET)
            );
        }
        out.push('\n');
    }

    fn client_section(&self, out: &mut String) {
        client_load_section(
            &self.client_load,
            &self.client_vs_baseline,
            &self.client_tail,
            out,
        );
    }

    fn capacity_section(&self, out: &mut String) {
        capacity_markdown(&self.capacity, out);
    }

    fn quota_section(&self, out: &mut String) {
        out.push_str(
            "### 4. Quota use\n\nThe emulator's quotas and the client's limiter at the same rate; \
             one attempt per request, so every throttling answer counts.\n\n",
        );
        let _ = writeln!(
            out,
            "| operation | concurrency | quota | achieved | achieved / quota (target ≥ \
             {QUOTA_USE_TARGET}) | 429 / 1008 / 60007 (target 0) | other errors |"
        );
        out.push_str("|---|---:|---:|---:|---|---|---:|\n");
        for run in &self.quota {
            let s = &run.summary;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.3}: {} | {}: {} | {} |",
                run.operation,
                run.concurrency,
                rate(f64::from(run.quota_per_sec)),
                rate(s.ok_per_sec),
                run.use_ratio(),
                verdict(run.use_ratio() >= QUOTA_USE_TARGET),
                s.throttled,
                verdict(s.throttled == 0),
                s.failed
            );
        }
        out.push('\n');
    }

    fn memory_section(&self, out: &mut String) {
        let c = &self.memory.client;
        emulator_memory_markdown(&self.memory.emulator, &self.memory.flat, out);
        out.pop();
        let _ = writeln!(
            out,
            "| client resident memory per idle pooled connection | {} | {} concurrent \
             requests left {} connections idle in the pool; RSS {} → {} |",
            bytes(c.bytes_per_connection()),
            c.requests,
            c.connections,
            bytes(c.rss_before as f64),
            bytes(c.rss_after as f64)
        );
        out.push('\n');
    }
}

/// Section 2's tables: every run, roomkv against the baseline, and the tails at 64 in flight.
pub(crate) fn client_load_section(
    runs: &[ClientRun],
    vs_baseline: &[VsBaseline],
    tails: &[Tail],
    out: &mut String,
) {
    out.push_str("### 2. Client to emulator over loopback, rate limits off\n\n");
    let rounds = runs.first().map_or(0, |run| run.rounds.len());
    let _ = writeln!(
        out,
        "roomkv's clients and the hand-written baseline (`client` `baseline`: hyper-util's \
         pooled client, `sha1`, `form_urlencoded`, nothing else) against one emulator; best \
         of {rounds} alternating rounds per row.\n"
    );
    out.push_str(
        "| operation | client | concurrency | requests/s | p50 | p99 | p99 / p50 | client CPU \
         per request | errors |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for run in runs {
        let s = &run.summary;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.1} | {} | {} |",
            run.operation,
            run.client,
            run.concurrency,
            rate(s.ok_per_sec),
            micros(s.p50_us),
            micros(s.p99_us),
            s.p99_us / s.p50_us.max(f64::MIN_POSITIVE),
            micros(run.client_cpu_us),
            s.failed + s.throttled
        );
    }
    if !vs_baseline.is_empty() {
        let _ = writeln!(
            out,
            "\n| operation | concurrency | requests/s, roomkv / baseline (target ≥ \
             {THROUGHPUT_VS_BASELINE_TARGET}) | p50, roomkv / baseline (target ≤ \
             {P50_VS_BASELINE_TARGET}) |"
        );
        out.push_str("|---|---:|---|---|\n");
        for vs in vs_baseline {
            let (rate_met, p50_met) = vs.met();
            let _ = writeln!(
                out,
                "| {} | {} | {:.3}: {} | {:.3}: {} |",
                vs.operation,
                vs.concurrency,
                vs.throughput_ratio,
                verdict(rate_met),
                vs.p50_ratio,
                verdict(p50_met)
            );
        }
    }
    if !tails.is_empty() {
        let _ = writeln!(
            out,
            "\n| operation | client | p99 / p50 at 64 in flight (target ≤ {TAIL_TARGET}) | \
             requests/s at 64 / at 16 (target > 1) |"
        );
        out.push_str("|---|---|---|---|\n");
        for tail in tails {
            let (tail_met, rises) = tail.met();
            let _ = writeln!(
                out,
                "| {} | {} | {:.2}: {} | {:.3}: {} |",
                tail.operation,
                tail.client,
                tail.p99_over_p50,
                verdict(tail_met),
                tail.rate_64_over_16,
                verdict(rises)
            );
        }
    }
    out.push('\n');
}

/// Section 5's table with the emulator's rows.
pub(crate) fn emulator_memory_markdown(e: &EmulatorMemory, flat: &FlatMemory, out: &mut String) {
    out.push_str("### 5. Memory\n\n");
    out.push_str("| figure | value | how |\n|---|---:|---|\n");
    let _ = writeln!(
        out,
        "| emulator resident memory per 100,000 stored KV | {} | {} KV ({}-byte keys, \
         {}-byte values, {}-byte owner) by batch set, event log bounded at {}; RSS {} → {} \
         ({} bytes per KV) |",
        bytes(e.bytes_per_kv() * 100_000.0),
        thousands(e.kv),
        e.key_bytes,
        e.value_bytes,
        e.owner_bytes,
        thousands(e.event_log as u64),
        bytes(e.rss_before as f64),
        bytes(e.rss_after as f64),
        e.bytes_per_kv().round()
    );
    let overhead = e.overhead_per_kv();
    let _ = writeln!(
        out,
        "| emulator overhead per stored KV beyond its key, value and owner bytes (target ≤ \
         {EMULATOR_OVERHEAD_TARGET} B) | {overhead:.0} B: {} | bytes per KV − {} payload bytes |",
        verdict(overhead <= EMULATOR_OVERHEAD_TARGET),
        e.payload_bytes()
    );
    let _ = writeln!(
        out,
        "| emulator resident memory spread over {} s of sustained writes, logs full (target ≤ \
         {:.0} %) | {:.1} %: {} | {} samples, one per second, {} → {}; {} entry sets during \
         sampling, after {} that filled the event log ({}) and the journal ({}) |",
        trim_float(flat.seconds),
        FLAT_MEMORY_TARGET * 100.0,
        flat.spread() * 100.0,
        verdict(flat.spread() <= FLAT_MEMORY_TARGET),
        flat.samples.len(),
        bytes(flat.min() as f64),
        bytes(flat.max() as f64),
        thousands(flat.writes_sampled),
        thousands(flat.writes_before),
        thousands(flat.event_log as u64),
        thousands(flat.journal as u64)
    );
    out.push('\n');
}

/// Section 3's table: the emulator and the bare server per operation, and their ratio.
pub(crate) fn capacity_markdown(capacity: &[Capacity], out: &mut String) {
    out.push_str("### 3. Emulator capacity against a bare hyper server\n\n");
    if let Some(first) = capacity.first() {
        let _ = writeln!(
            out,
            "{} keep-alive connections, one request in flight on each; the same signed requests \
             to both servers; best of {} alternating rounds per server.\n",
            first.connections,
            first.rounds.len()
        );
    }
    let _ = writeln!(
        out,
        "| operation | server | requests/s | p50 | p99 | errors | emulator / bare (target ≥ \
         {CAPACITY_TARGET}) |"
    );
    out.push_str("|---|---|---:|---:|---:|---:|---|\n");
    for c in capacity {
        for (name, s, ratio) in [
            (
                "(a) emulator, signature verified, quotas off",
                &c.emulator,
                format!(
                    "**{:.2}**: {}",
                    c.ratio,
                    verdict(c.ratio >= CAPACITY_TARGET)
                ),
            ),
            (
                "(b) bare hyper server answering the vendor's success",
                &c.bare,
                String::new(),
            ),
        ] {
            let _ = writeln!(
                out,
                "| {} | {name} | {} | {} | {} | {} | {ratio} |",
                c.operation,
                rate(s.ok_per_sec),
                micros(s.p50_us),
                micros(s.p99_us),
                s.failed + s.throttled
            );
        }
    }
    out.push('\n');
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// `850 ns`, `1.22 µs`, `10.7 µs`, `3.40 ms`.
pub(crate) fn duration(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 10_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1_000_000.0 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

fn micros(us: f64) -> String {
    duration(us * 1_000.0)
}

/// `12,345/s`.
fn rate(per_sec: f64) -> String {
    format!("{}/s", thousands(per_sec.round() as u64))
}

/// `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `512 B`, `3.4 KiB`, `12.5 MiB`.
fn bytes(n: f64) -> String {
    if n < 1024.0 {
        format!("{n:.0} B")
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{:.1} MiB", n / (1024.0 * 1024.0))
    }
}

fn trim_float(x: f64) -> String {
    let text = format!("{x:.1}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(per_sec: f64) -> Summary {
        Summary {
            ok: (per_sec * 2.0) as u64,
            throttled: 0,
            failed: 1,
            seconds: 2.0,
            ok_per_sec: per_sec,
            p50_us: 120.0,
            p99_us: 1_500.0,
        }
    }

    /// A run of `per_sec` with latencies `p50_us` and `p99_us`.
    fn timed(per_sec: f64, p50_us: f64, p99_us: f64) -> Summary {
        Summary {
            failed: 0,
            p50_us,
            p99_us,
            ..summary(per_sec)
        }
    }

    /// Section 2: RongCloud at 16 and 64 in flight, roomkv and the baseline.
    fn client_runs() -> Vec<ClientRun> {
        let run = |client, concurrency, rounds: Vec<Summary>| {
            let rounds = rounds
                .into_iter()
                .map(|summary| ClientRound {
                    client_cpu_us: summary.p50_us / 10.0,
                    summary,
                })
                .collect();
            ClientRun::best_of(client, "RongCloud entry set", concurrency, rounds)
        };
        vec![
            run(ClientKind::Roomkv, 16, vec![summary(12_345.6)]),
            run(
                ClientKind::Baseline,
                16,
                vec![timed(10_000.0, 100.0, 200.0), timed(12_000.0, 110.0, 300.0)],
            ),
            run(
                ClientKind::Roomkv,
                64,
                vec![timed(13_000.0, 400.0, 1_000.0)],
            ),
            run(
                ClientKind::Baseline,
                64,
                vec![timed(12_500.0, 380.0, 1_500.0)],
            ),
        ]
    }

    fn report() -> Report {
        let client_load = client_runs();
        let (client_vs_baseline, client_tail) = client_targets(&client_load);
        let rounds = vec![
            CapacityRound {
                emulator: summary(7_000.0),
                bare: summary(10_000.0),
            },
            CapacityRound {
                emulator: summary(8_000.0),
                bare: summary(9_000.0),
            },
        ];
        Report {
            machine: Machine {
                date: "2026-11-23".to_owned(),
                cores: 2,
                load_average: 1.25,
                measure_secs: 2.0,
            },
            cpu: vec![
                CpuFigure {
                    name: MINIMUM_REQUEST.to_owned(),
                    what: "the least work",
                    fastest_ns: 700.0,
                    median_ns: 750.0,
                    target: None,
                    ratio: None,
                },
                CpuFigure {
                    name: "rongcloud_entry_set_send".to_owned(),
                    what: "client send",
                    fastest_ns: 1_400.0,
                    median_ns: 1_500.0,
                    target: Some(SEND_TARGET),
                    ratio: Some(2.0),
                },
                CpuFigure {
                    name: "usersig_generate".to_owned(),
                    what: "UserSig generation",
                    fastest_ns: 12_000.0,
                    median_ns: 12_345.0,
                    target: None,
                    ratio: None,
                },
            ],
            metrics_cost: vec![MetricsCost {
                name: "rongcloud_entry_set_send".to_owned(),
                rounds: 3,
                off_ns: 2_000.0,
                no_recorder_ns: 2_020.0,
                recorded_ns: 2_080.0,
            }],
            client_load,
            client_vs_baseline,
            client_tail,
            capacity: vec![Capacity::from_rounds("RongCloud entry set", 64, rounds).unwrap()],
            quota: vec![QuotaRun {
                operation: "RongCloud entry set",
                concurrency: 16,
                quota_per_sec: 1_000,
                summary: Summary {
                    ok: 2_970,
                    throttled: 0,
                    failed: 0,
                    seconds: 3.0,
                    ok_per_sec: 990.0,
                    p50_us: 10_000.0,
                    p99_us: 20_000.0,
                },
            }],
            memory: Memory {
                emulator: EmulatorMemory {
                    kv: 100_000,
                    key_bytes: 7,
                    value_bytes: 16,
                    owner_bytes: 5,
                    event_log: 10_000,
                    rss_before: 10 << 20,
                    rss_after: (10 << 20) + 25_000_000,
                },
                flat: FlatMemory {
                    event_log: 10_000,
                    journal: 1_000,
                    writes_before: 12_000,
                    writes_sampled: 600_000,
                    seconds: 60.0,
                    samples: vec![20 << 20, 21 << 20, 20 << 20],
                },
                client: ClientMemory {
                    requests: 200,
                    connections: 200,
                    rss_before: 8 << 20,
                    rss_after: (8 << 20) + 200 * 4096,
                },
            },
        }
    }

    #[test]
    fn capacity_takes_the_best_round_of_each_server() {
        let capacity = &report().capacity[0];
        assert_eq!(capacity.emulator.ok_per_sec, 8_000.0);
        assert_eq!(capacity.bare.ok_per_sec, 10_000.0);
        assert!((capacity.ratio - 0.8).abs() < 1e-12);
        assert!(Capacity::from_rounds("x", 64, Vec::new()).is_none());
    }

    #[test]
    fn a_client_run_keeps_every_round_and_the_fastest_as_its_summary() {
        let runs = client_runs();
        let baseline = &runs[1];
        assert_eq!(baseline.rounds.len(), 2);
        assert_eq!(baseline.summary.ok_per_sec, 12_000.0);
        assert_eq!(baseline.summary.p50_us, 110.0);
        assert_eq!(baseline.client_cpu_us, 11.0);
    }

    #[test]
    fn roomkv_is_compared_with_the_baseline_of_the_same_row() {
        let (vs, tails) = client_targets(&client_runs());
        assert_eq!(vs.len(), 2);
        assert_eq!((vs[0].concurrency, vs[1].concurrency), (16, 64));
        assert!((vs[0].throughput_ratio - 12_345.6 / 12_000.0).abs() < 1e-12);
        assert!((vs[0].p50_ratio - 120.0 / 110.0).abs() < 1e-12);
        assert_eq!(vs[0].met(), (true, false));
        assert_eq!(tails.len(), 2);
        assert_eq!(tails[0].client, ClientKind::Roomkv);
        assert!((tails[0].p99_over_p50 - 2.5).abs() < 1e-12);
        assert!((tails[0].rate_64_over_16 - 13_000.0 / 12_345.6).abs() < 1e-12);
        assert_eq!(tails[0].met(), (true, true));
        assert_eq!(tails[1].met(), (false, true));

        // A rate that falls from 16 to 64 misses the tail target, however short the tail.
        let mut runs = client_runs();
        runs[2].summary.ok_per_sec = 12_000.0;
        let (_, tails) = client_targets(&runs);
        assert_eq!(tails[0].met(), (true, false));
        // Without its baseline row, roomkv's row has nothing to be compared with.
        let (vs, _) = client_targets(&runs[..1]);
        assert!(vs.is_empty());
    }

    #[test]
    fn memory_figures_are_per_item() {
        let memory = report().memory;
        assert_eq!(memory.emulator.bytes_per_kv(), 250.0);
        assert_eq!(memory.emulator.overhead_per_kv(), 222.0);
        assert_eq!(memory.client.bytes_per_connection(), 4096.0);
    }

    #[test]
    fn markdown_has_every_section_and_verdict() {
        let text = report().markdown();
        for needle in [
            "Measured 2026-11-23 on 2 cores (load average 1.2 at the start)",
            "each load run measured 2 s",
            "### 1. CPU per request",
            "| `minimum_request` | the least work | 750 ns | 700 ns | the baseline |",
            "| `rongcloud_entry_set_send` | client send | 1.50 µs | 1.40 µs | 2.00× `minimum_request` (≤ 2×): met |",
            "the best median of 3 alternating runs of each build",
            "| `rongcloud_entry_set_send` | 2.00 µs | 2.02 µs | 2.08 µs | 1.040: met |",
            "| `usersig_generate` | UserSig generation | 12.3 µs | 12.0 µs | — |",
            "### 2. Client to emulator",
            "best of 1 alternating rounds per row",
            "| RongCloud entry set | roomkv | 16 | 12,346/s | 120.0 µs | 1.50 ms | 12.5 | 12.0 µs | 1 |",
            "| RongCloud entry set | baseline | 16 | 12,000/s | 110.0 µs | 300.0 µs | 2.7 | 11.0 µs | 0 |",
            "| RongCloud entry set | 16 | 1.029: met | 1.091: **missed** |",
            "| RongCloud entry set | 64 | 1.040: met | 1.053: **missed** |",
            "| RongCloud entry set | roomkv | 2.50: met | 1.053: met |",
            "| RongCloud entry set | baseline | 3.95: **missed** | 1.042: met |",
            "### 3. Emulator capacity",
            "best of 2 alternating rounds",
            "| RongCloud entry set | (a) emulator, signature verified, quotas off | 8,000/s | \
             120.0 µs | 1.50 ms | 1 | **0.80**: **missed** |",
            "| RongCloud entry set | (b) bare hyper server answering the vendor's success | \
             10,000/s |",
            "### 4. Quota use",
            "| RongCloud entry set | 16 | 1,000/s | 990/s | 0.990: met | 0: met | 0 |",
            "### 5. Memory",
            "| emulator resident memory per 100,000 stored KV | 23.8 MiB | 100,000 KV",
            "(250 bytes per KV)",
            "| emulator resident memory spread over 60 s of sustained writes, logs full (target \
             ≤ 10 %) | 5.0 %: met | 3 samples, one per second, 20.0 MiB → 21.0 MiB; 600,000 \
             entry sets during sampling, after 12,000 that filled the event log (10,000) and the \
             journal (1,000) |",
            "16-byte values, 5-byte owner) by batch set, event log bounded at 10,000;",
            "| emulator overhead per stored KV beyond its key, value and owner bytes (target ≤ \
             150 B) | 222 B: **missed** | bytes per KV − 28 payload bytes |",
            "| client resident memory per idle pooled connection | 4.0 KiB | 200 concurrent",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
    }

    #[test]
    fn a_missed_target_says_so() {
        let mut report = report();
        report.cpu[1].median_ns = 2_500.0;
        report.cpu[1].ratio = Some(2_500.0 / 750.0);
        report.capacity[0].ratio = 0.95;
        report.quota[0].summary.ok_per_sec = 900.0;
        report.quota[0].summary.throttled = 3;
        let text = report.markdown();
        assert!(
            text.contains("| 900/s | 0.900: **missed** | 3: **missed** |"),
            "{text}"
        );
        assert!(
            text.contains("| 2.50 µs | 1.40 µs | 3.33× `minimum_request` (≤ 2×): **missed** |"),
            "{text}"
        );
        assert!(text.contains("| **0.95**: met |"), "{text}");
    }

    #[test]
    fn numbers_are_formatted_for_people() {
        assert_eq!(duration(850.4), "850 ns");
        assert_eq!(duration(1_224.0), "1.22 µs");
        assert_eq!(duration(10_700.0), "10.7 µs");
        assert_eq!(duration(3_400_000.0), "3.40 ms");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(rate(12_345.6), "12,346/s");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(3_481.6), "3.4 KiB");
        assert_eq!(bytes(13_107_200.0), "12.5 MiB");
        assert_eq!(trim_float(2.0), "2");
        assert_eq!(trim_float(2.5), "2.5");
    }

    #[test]
    fn the_json_report_has_every_section() {
        let json = serde_json::to_value(report()).unwrap();
        for key in [
            "machine",
            "cpu",
            "client_load",
            "client_vs_baseline",
            "client_tail",
            "capacity",
            "quota",
            "memory",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["capacity"][0]["ratio"], 0.8);
        assert_eq!(json["capacity"][0]["operation"], "RongCloud entry set");
        assert_eq!(json["client_load"][0]["client"], "roomkv");
        assert_eq!(json["client_load"][1]["client"], "baseline");
        assert_eq!(
            json["client_load"][1]["rounds"].as_array().unwrap().len(),
            2
        );
        assert_eq!(json["client_vs_baseline"][1]["concurrency"], 64);
        assert_eq!(json["client_tail"][1]["client"], "baseline");
        assert_eq!(json["memory"]["client"]["connections"], 200);
    }
}
