//! `-v`: the one-line summary a bulk command prints at its end (requests, retries, quota waits,
//! failovers), read from the clients' own metrics (`roomkv_transport::metrics`) through a small
//! [`Recorder`] that adds up the few counters the line shows, over all their labels.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use metrics::{
    Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use roomkv_transport::metrics::names;

/// The recorder, once [`install`]ed.
static TALLY: OnceLock<Arc<Tally>> = OnceLock::new();

/// A quota wait shorter than this was an admission at once, not a wait.
const WAITED_MICROS: u64 = 1_000;

/// The sums the summary line shows.
#[derive(Debug, Default)]
struct Tally {
    requests: AtomicU64,
    failed: AtomicU64,
    retries: Arc<AtomicU64>,
    failovers: Arc<AtomicU64>,
    waits: AtomicU64,
    waited_micros: AtomicU64,
}

/// Installs the tally as the process's metrics recorder; [`print`] then has something to say.
pub(crate) fn install() {
    let tally = TALLY.get_or_init(Arc::default);
    // Fails only when a recorder is already installed, which nothing else in the CLI does.
    let _ = metrics::set_global_recorder(TallyRecorder(Arc::clone(tally)));
}

/// Prints the summary line on stderr, when [`install`] was called.
pub(crate) fn print() {
    if let Some(tally) = TALLY.get() {
        let _ = writeln!(io::stderr(), "roomkv: {}", tally.line());
    }
}

impl Tally {
    fn line(&self) -> String {
        let n = |count: &AtomicU64| count.load(Ordering::Relaxed);
        let micros = n(&self.waited_micros);
        format!(
            "{} requests ({} failed), {} retries, {} quota waits ({}.{:03} s), {} failovers",
            n(&self.requests),
            n(&self.failed),
            n(&self.retries),
            n(&self.waits),
            micros / 1_000_000,
            micros / 1_000 % 1_000,
            n(&self.failovers),
        )
    }
}

/// A request counter of one outcome: every increment counts as a request, and as a failed
/// one unless the outcome is `ok`.
struct Requests {
    tally: Arc<Tally>,
    ok: bool,
}

impl CounterFn for Requests {
    fn increment(&self, value: u64) {
        self.tally.requests.fetch_add(value, Ordering::Relaxed);
        if !self.ok {
            self.tally.failed.fetch_add(value, Ordering::Relaxed);
        }
    }

    fn absolute(&self, _value: u64) {}
}

/// The quota waits: how many attempts waited for their slot, and for how long in total.
struct Waits(Arc<Tally>);

impl HistogramFn for Waits {
    fn record(&self, seconds: f64) {
        // Saturating float-to-int conversion; waits are far below u64::MAX microseconds.
        let micros = (seconds * 1e6) as u64;
        if micros >= WAITED_MICROS {
            self.0.waits.fetch_add(1, Ordering::Relaxed);
            self.0.waited_micros.fetch_add(micros, Ordering::Relaxed);
        }
    }
}

/// The [`Recorder`] over a [`Tally`]: every other metric is dropped.
struct TallyRecorder(Arc<Tally>);

impl Recorder for TallyRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let tally = &self.0;
        match key.name() {
            names::REQUESTS => Counter::from_arc(Arc::new(Requests {
                tally: Arc::clone(tally),
                ok: key
                    .labels()
                    .any(|label| label.key() == "outcome" && label.value() == "ok"),
            })),
            names::RETRIES => Counter::from_arc(Arc::clone(&tally.retries)),
            names::FAILOVERS => Counter::from_arc(Arc::clone(&tally.failovers)),
            _ => Counter::noop(),
        }
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        match key.name() {
            names::QUOTA_WAIT => Histogram::from_arc(Arc::new(Waits(Arc::clone(&self.0)))),
            _ => Histogram::noop(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_adds_up_every_label_and_ignores_admissions_at_once() {
        let tally = Arc::new(Tally::default());
        let recorder = TallyRecorder(Arc::clone(&tally));
        metrics::with_local_recorder(&recorder, || {
            let request = |outcome: &'static str| metrics::counter!(names::REQUESTS, "vendor" => "tencent", "operation" => "x", "outcome" => outcome);
            request("ok").increment(3);
            request("throttled").increment(1);
            metrics::counter!(names::RETRIES, "vendor" => "tencent", "reason" => "throttled")
                .increment(2);
            metrics::counter!(names::FAILOVERS, "vendor" => "rongcloud", "from" => "a", "to" => "b")
                .increment(1);
            let wait =
                metrics::histogram!(names::QUOTA_WAIT, "vendor" => "tencent", "family" => "f");
            wait.record(0.000_2);
            wait.record(0.25);
            wait.record(1.5);
            metrics::counter!(names::QUOTA_REFUSED).increment(9);
        });
        assert_eq!(
            tally.line(),
            "4 requests (1 failed), 2 retries, 2 quota waits (1.750 s), 1 failovers"
        );
    }
}
