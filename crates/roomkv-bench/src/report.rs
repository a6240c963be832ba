//! The figures of one `cargo xtask bench` run: `report.json` (serde) and the markdown table
//! printed and kept in `BENCHMARKS.md`.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::flat_memory::FlatMemory;
use crate::stats::Summary;

/// Section 1's target: a request build under 2 µs.
pub(crate) const REQUEST_BUILD_TARGET_NS: f64 = 2_000.0;
/// Section 1's target for the feature `metrics`: a send with its metrics recorded costs at most
/// 5 % more than without the feature.
pub(crate) const METRICS_COST_TARGET: f64 = 1.05;
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
    /// Section 2: client to emulator over loopback, rate limits off.
    pub(crate) client_load: Vec<ClientRun>,
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
    pub(crate) target_ns: Option<f64>,
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

/// One client load run.
#[derive(Debug, Serialize)]
pub(crate) struct ClientRun {
    /// `RongCloud entry set` or `Tencent set_room_metadata`.
    pub(crate) operation: &'static str,
    /// Requests in flight at once.
    pub(crate) concurrency: usize,
    /// What was measured.
    pub(crate) summary: Summary,
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
        out.push_str("| benchmark | what it measures | median | fastest | target (median) |\n");
        out.push_str("|---|---|---:|---:|---|\n");
        for figure in &self.cpu {
            let target = figure.target_ns.map_or_else(
                || "—".to_owned(),
                |target| {
                    format!(
                        "< {}: {}",
                        duration(target),
                        verdict(figure.median_ns < target)
                    )
                },
            );
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                figure.name,
                figure.what,
                duration(figure.median_ns),
                duration(figure.fastest_ns),
                target
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
        out.push_str("### 2. Client to emulator over loopback, rate limits off\n\n");
        out.push_str("| operation | concurrency | requests/s | p50 | p99 | errors |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|\n");
        for run in &self.client_load {
            let s = &run.summary;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                run.operation,
                run.concurrency,
                rate(s.ok_per_sec),
                micros(s.p50_us),
                micros(s.p99_us),
                s.failed + s.throttled
            );
        }
        out.push('\n');
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

    fn report() -> Report {
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
                    name: "rongcloud_entry_set_send".to_owned(),
                    what: "client send",
                    fastest_ns: 1_400.0,
                    median_ns: 1_500.0,
                    target_ns: Some(REQUEST_BUILD_TARGET_NS),
                },
                CpuFigure {
                    name: "usersig_generate".to_owned(),
                    what: "UserSig generation",
                    fastest_ns: 12_000.0,
                    median_ns: 12_345.0,
                    target_ns: None,
                },
            ],
            metrics_cost: vec![MetricsCost {
                name: "rongcloud_entry_set_send".to_owned(),
                rounds: 3,
                off_ns: 2_000.0,
                no_recorder_ns: 2_020.0,
                recorded_ns: 2_080.0,
            }],
            client_load: vec![ClientRun {
                operation: "RongCloud entry set",
                concurrency: 16,
                summary: summary(12_345.6),
            }],
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
            "| `rongcloud_entry_set_send` | client send | 1.50 µs | 1.40 µs | < 2.00 µs: met |",
            "the best median of 3 alternating runs of each build",
            "| `rongcloud_entry_set_send` | 2.00 µs | 2.02 µs | 2.08 µs | 1.040: met |",
            "| `usersig_generate` | UserSig generation | 12.3 µs | 12.0 µs | — |",
            "### 2. Client to emulator",
            "| RongCloud entry set | 16 | 12,346/s | 120.0 µs | 1.50 ms | 1 |",
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
        report.cpu[0].median_ns = 2_500.0;
        report.capacity[0].ratio = 0.95;
        report.quota[0].summary.ok_per_sec = 900.0;
        report.quota[0].summary.throttled = 3;
        let text = report.markdown();
        assert!(
            text.contains("| 900/s | 0.900: **missed** | 3: **missed** |"),
            "{text}"
        );
        assert!(
            text.contains("| 2.50 µs | 1.40 µs | < 2.00 µs: **missed** |"),
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
            "capacity",
            "quota",
            "memory",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["capacity"][0]["ratio"], 0.8);
        assert_eq!(json["capacity"][0]["operation"], "RongCloud entry set");
        assert_eq!(json["memory"]["client"]["connections"], 200);
    }
}
