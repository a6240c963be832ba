//! What a load run records (one latency per answered request, counts per outcome) and what it
//! reports: requests per second and latency percentiles.

use std::time::{Duration, Instant};

use serde::Serialize;

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The server did what was asked.
    Ok,
    /// The server refused for a quota (HTTP 429 / RongCloud 1008, Tencent 60007).
    Throttled,
    /// Anything else: a transport failure, another error code, an unexpected answer.
    Failed,
}

/// The measured stretch of a run: requests started before `start` are warm-up and not counted;
/// workers stop starting requests at `end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    start: Instant,
    end: Instant,
}

impl Window {
    /// A window opening after `warm_up` from now and lasting `measure`.
    pub(crate) fn after(warm_up: Duration, measure: Duration) -> Self {
        let start = Instant::now() + warm_up;
        Self {
            start,
            end: start + measure,
        }
    }

    /// When the measured stretch starts.
    pub(crate) fn start(&self) -> Instant {
        self.start
    }

    /// Whether workers should start another request.
    pub(crate) fn running(&self) -> bool {
        Instant::now() < self.end
    }

    /// The length of the measured stretch.
    pub(crate) fn length(&self) -> Duration {
        self.end - self.start
    }
}

/// The outcomes and latencies of one worker, or of several merged.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    /// Latencies of the `Ok` requests, in nanoseconds.
    latencies: Vec<u64>,
    throttled: u64,
    failed: u64,
}

impl Recorder {
    /// Records a request that started at `started` and ended now with `outcome`, if it started
    /// inside the window.
    pub(crate) fn record(&mut self, window: &Window, started: Instant, outcome: Outcome) {
        if started < window.start {
            return;
        }
        match outcome {
            Outcome::Ok => self.latencies.push(nanos(started.elapsed())),
            Outcome::Throttled => self.throttled += 1,
            Outcome::Failed => self.failed += 1,
        }
    }

    /// Counts a failure that stopped a worker before it could send anything (a connection
    /// refused during the warm-up), so that a run that could not start shows its errors.
    pub(crate) fn count_failed_start(&mut self) {
        self.failed += 1;
    }

    /// Adds another recorder's counts and latencies to this one.
    pub(crate) fn merge(&mut self, other: Self) {
        self.latencies.extend(other.latencies);
        self.throttled += other.throttled;
        self.failed += other.failed;
    }

    /// The figures of a run whose measured stretch lasted `elapsed`.
    pub(crate) fn summary(mut self, elapsed: Duration) -> Summary {
        self.latencies.sort_unstable();
        let ok = self.latencies.len() as u64;
        let secs = elapsed.as_secs_f64();
        Summary {
            ok,
            throttled: self.throttled,
            failed: self.failed,
            seconds: secs,
            ok_per_sec: if secs > 0.0 { ok as f64 / secs } else { 0.0 },
            p50_us: micros(percentile(&self.latencies, 50.0)),
            p99_us: micros(percentile(&self.latencies, 99.0)),
        }
    }
}

/// The figures of one load run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Summary {
    /// Requests the server answered with success.
    pub(crate) ok: u64,
    /// Requests refused by a quota.
    pub(crate) throttled: u64,
    /// Requests that failed otherwise.
    pub(crate) failed: u64,
    /// Length of the measured stretch.
    pub(crate) seconds: f64,
    /// Successful requests per second.
    pub(crate) ok_per_sec: f64,
    /// Median latency of the successful requests, in microseconds.
    pub(crate) p50_us: f64,
    /// 99th percentile latency of the successful requests, in microseconds.
    pub(crate) p99_us: f64,
}

/// The nearest-rank percentile `p` (0 < p ≤ 100) of sorted values; 0 for no values.
pub(crate) fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

fn micros(nanos: u64) -> f64 {
    nanos as f64 / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), 50);
        assert_eq!(percentile(&values, 99.0), 99);
        assert_eq!(percentile(&values, 100.0), 100);
        assert_eq!(percentile(&values, 0.1), 1);
        assert_eq!(percentile(&[7], 50.0), 7);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[1, 2], 50.0), 1);
        assert_eq!(percentile(&[1, 2], 99.0), 2);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn p99_of_a_thousand_skips_the_ten_slowest() {
        let mut values: Vec<u64> = vec![10; 990];
        values.extend([1_000; 10]);
        assert_eq!(percentile(&values, 99.0), 10);
        values.push(1_000);
        assert_eq!(percentile(&values, 99.0), 1_000);
    }

    #[test]
    fn warm_up_requests_are_not_counted() {
        let window = Window::after(Duration::from_secs(3600), Duration::from_secs(1));
        let mut recorder = Recorder::default();
        recorder.record(&window, Instant::now(), Outcome::Ok);
        recorder.record(&window, Instant::now(), Outcome::Failed);
        let summary = recorder.summary(window.length());
        assert_eq!((summary.ok, summary.failed), (0, 0));

        let mut recorder = Recorder::default();
        recorder.count_failed_start();
        assert_eq!(recorder.summary(window.length()).failed, 1);
    }

    #[test]
    fn summary_counts_rates_and_latencies() {
        let window = Window::after(Duration::ZERO, Duration::from_secs(2));
        let started = window.start;
        let mut a = Recorder::default();
        a.record(&window, started, Outcome::Ok);
        a.record(&window, started, Outcome::Throttled);
        let mut b = Recorder::default();
        b.record(&window, started, Outcome::Ok);
        b.record(&window, started, Outcome::Failed);
        b.record(&window, started, Outcome::Failed);
        a.merge(b);
        let summary = a.summary(Duration::from_secs(2));
        assert_eq!(summary.ok, 2);
        assert_eq!(summary.throttled, 1);
        assert_eq!(summary.failed, 2);
        assert_eq!(summary.seconds, 2.0);
        assert_eq!(summary.ok_per_sec, 1.0);
        assert!(summary.p50_us > 0.0 && summary.p50_us <= summary.p99_us);
    }

    #[test]
    fn an_empty_run_reports_zeroes() {
        let summary = Recorder::default().summary(Duration::ZERO);
        assert_eq!(summary.ok_per_sec, 0.0);
        assert_eq!(summary.p99_us, 0.0);
    }
}
