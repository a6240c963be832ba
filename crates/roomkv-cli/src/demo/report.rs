//! What the demo saw: one [`StepOutcome`] per step, and the [`Report`] that prints them as an
//! aligned plain-text table (or JSON) and decides whether the run passed.

use std::fmt::Write as _;
use std::time::Duration;

/// The vendor a step talks to; its name in the table is the CLI's (`roomkv rongcloud ...`).
pub(crate) use crate::shared::Vendor;

/// One step: what was done, what the vendor documents, what happened, and whether the two
/// match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StepOutcome {
    /// The vendor.
    pub(crate) vendor: Vendor,
    /// What the step does, in the CLI's words (`entry set`, `metadata get`, ...).
    pub(crate) operation: String,
    /// The documented behaviour the step checks.
    pub(crate) expected: String,
    /// What the step saw.
    pub(crate) observed: String,
    /// Whether what it saw is what is documented.
    pub(crate) ok: bool,
    /// How long the step's calls took.
    pub(crate) latency: Duration,
}

/// The outcome of a whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Report {
    /// The emulator's base URL.
    pub(crate) emulator: String,
    /// The steps, in the order they ran.
    pub(crate) steps: Vec<StepOutcome>,
    /// How many HTTP requests the demo's clients sent.
    pub(crate) requests: u64,
    /// Wall-clock time of the whole run, emulator start and stop included.
    pub(crate) total: Duration,
}

const HEADERS: [&str; 7] = [
    "#",
    "vendor",
    "operation",
    "expected",
    "observed",
    "latency",
    "result",
];

/// Columns whose cells are right-aligned: the step number and the latency.
const RIGHT_ALIGNED: [bool; 7] = [true, false, false, false, false, true, false];

/// The widest a text cell may be; longer ones end in `...` and are given in full below the
/// table (and in `--json`).
const MAX_CELL: usize = 72;

impl Report {
    /// The 1-based numbers of the steps that did not behave as documented.
    pub(crate) fn failed(&self) -> Vec<usize> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, step)| !step.ok)
            .map(|(index, _)| index + 1)
            .collect()
    }

    /// Whether the run passed: at least one step ran and every step behaved as documented.
    pub(crate) fn passed(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|step| step.ok)
    }

    /// The table: a header row, then one row per step, columns separated by two spaces and
    /// padded to their widest cell. Every line ends with a newline and has no trailing spaces.
    pub(crate) fn table(&self) -> String {
        let rows: Vec<[String; 7]> = self
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                [
                    (index + 1).to_string(),
                    step.vendor.name().to_owned(),
                    clip(&step.operation),
                    clip(&step.expected),
                    clip(&step.observed),
                    format_latency(step.latency),
                    if step.ok { "PASS" } else { "FAIL" }.to_owned(),
                ]
            })
            .collect();
        let mut widths = HEADERS.map(|header| header.chars().count());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let headers = HEADERS.map(str::to_owned);
        for row in std::iter::once(&headers).chain(&rows) {
            let mut line = String::new();
            for (column, cell) in row.iter().enumerate() {
                if column > 0 {
                    line.push_str("  ");
                }
                let pad = widths[column] - cell.chars().count();
                if RIGHT_ALIGNED[column] {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The cells the table had to shorten, in full: one line per step, or nothing.
    pub(crate) fn details(&self) -> String {
        let mut out = String::new();
        for (index, step) in self.steps.iter().enumerate() {
            for (label, text) in [
                ("operation", &step.operation),
                ("expected", &step.expected),
                ("observed", &step.observed),
            ] {
                if text.chars().count() > MAX_CELL {
                    let _ = writeln!(out, "#{} {label}: {text}", index + 1);
                }
            }
        }
        out
    }

    /// The last line: how many steps behaved as documented, which did not, how many requests
    /// were sent, and the total time.
    pub(crate) fn summary(&self) -> String {
        let total = self.steps.len();
        let failed = self.failed();
        let mut line = format!(
            "summary: {} of {total} steps behaved as documented",
            total - failed.len()
        );
        if !failed.is_empty() {
            let numbers: Vec<String> = failed.iter().map(|n| format!("#{n}")).collect();
            let _ = write!(line, "; FAIL: {}", numbers.join(", "));
        }
        let _ = write!(
            line,
            "; {} HTTP requests; total time {}",
            self.requests,
            format_latency(self.total)
        );
        line
    }

    /// The report as one JSON document, for scripts (`roomkv demo --json`).
    pub(crate) fn json(&self) -> serde_json::Value {
        let steps: Vec<serde_json::Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                serde_json::json!({
                    "step": index + 1,
                    "vendor": step.vendor.name(),
                    "operation": step.operation,
                    "expected": step.expected,
                    "observed": step.observed,
                    "ok": step.ok,
                    "latency_ms": millis(step.latency),
                })
            })
            .collect();
        serde_json::json!({
            "emulator": self.emulator,
            "ok": self.passed(),
            "passed": self.steps.len() - self.failed().len(),
            "failed": self.failed(),
            "requests": self.requests,
            "total_ms": millis(self.total),
            "steps": steps,
        })
    }
}

/// `text`, or its first characters and `...` when it is wider than [`MAX_CELL`].
fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CELL {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(MAX_CELL - 3).collect();
    clipped.truncate(clipped.trim_end().len());
    clipped.push_str("...");
    clipped
}

/// Milliseconds with microsecond precision.
fn millis(duration: Duration) -> f64 {
    (duration.as_micros() as f64) / 1000.0
}

/// A duration for people: `0.42 ms`, `12.3 ms`, `1.52 s`.
pub(crate) fn format_latency(duration: Duration) -> String {
    let ms = millis(duration);
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(vendor: Vendor, operation: &str, ok: bool, latency_us: u64) -> StepOutcome {
        StepOutcome {
            vendor,
            operation: operation.to_owned(),
            expected: "ok".to_owned(),
            observed: if ok { "ok" } else { "error 404 (HTTP 404)" }.to_owned(),
            ok,
            latency: Duration::from_micros(latency_us),
        }
    }

    fn report(steps: Vec<StepOutcome>) -> Report {
        Report {
            emulator: "http://127.0.0.1:1".to_owned(),
            steps,
            requests: 7,
            total: Duration::from_millis(2_340),
        }
    }

    #[test]
    fn the_table_is_aligned_plain_text() {
        let report = report(vec![
            step(Vendor::RongCloud, "entry set", true, 1_234),
            step(Vendor::Tencent, "metadata delete, missing keys", true, 420),
        ]);
        assert_eq!(
            report.table(),
            "\
#  vendor     operation                      expected  observed  latency  result
1  rongcloud  entry set                      ok        ok         1.2 ms  PASS
2  tencent    metadata delete, missing keys  ok        ok        0.42 ms  PASS
"
        );
    }

    #[test]
    fn the_table_has_no_trailing_whitespace_and_wide_numbers_align() {
        let steps = (1..=12)
            .map(|n| step(Vendor::Tencent, "room info", true, n * 1_000_000))
            .collect();
        let table = report(steps).table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 13);
        assert!(lines.iter().all(|line| !line.ends_with(' ')), "{table}");
        assert!(lines[1].starts_with(" 1  tencent"), "{table}");
        assert!(lines[12].starts_with("12  tencent"), "{table}");
        // Every column starts where its header does.
        let result = lines[0].find("result");
        assert!(
            lines[1..].iter().all(|line| line.find("PASS") == result),
            "{table}"
        );
        let latency_end = lines[0]
            .find("latency")
            .map(|start| start + "latency".len());
        assert!(
            lines[1..]
                .iter()
                .all(|line| line.find(" s  PASS").map(|i| i + 2) == latency_end),
            "{table}"
        );
    }

    #[test]
    fn a_mismatching_step_fails_the_run() {
        let all_good = report(vec![
            step(Vendor::RongCloud, "entry set", true, 10),
            step(Vendor::Tencent, "room create", true, 10),
        ]);
        assert!(all_good.passed());
        assert!(all_good.failed().is_empty());
        assert_eq!(
            all_good.summary(),
            "summary: 2 of 2 steps behaved as documented; 7 HTTP requests; total time 2.34 s"
        );
        assert!(!all_good.table().contains("FAIL"));

        let one_bad = report(vec![
            step(Vendor::RongCloud, "entry set", true, 10),
            step(Vendor::RongCloud, "entry query", false, 10),
            step(Vendor::Tencent, "room create", true, 10),
        ]);
        assert!(!one_bad.passed());
        assert_eq!(one_bad.failed(), [2]);
        assert_eq!(
            one_bad.summary(),
            "summary: 2 of 3 steps behaved as documented; FAIL: #2; 7 HTTP requests; \
             total time 2.34 s"
        );
        let table = one_bad.table();
        let failing: Vec<&str> = table
            .lines()
            .filter(|line| line.ends_with("FAIL"))
            .collect();
        assert_eq!(failing.len(), 1, "{table}");
        assert!(
            failing[0].starts_with("2  rongcloud  entry query"),
            "{table}"
        );
    }

    #[test]
    fn long_cells_are_clipped_and_given_in_full_below() {
        let mut long = step(Vendor::RongCloud, "entry set", false, 10);
        long.observed = format!("code 404 (HTTP 404): {}", "x".repeat(80));
        let report = report(vec![
            step(Vendor::Tencent, "room info", true, 10),
            long.clone(),
        ]);
        let table = report.table();
        let row = table.lines().nth(2).unwrap();
        assert!(row.contains("code 404 (HTTP 404): xxx"), "{table}");
        assert!(!row.contains(&long.observed), "{table}");
        assert!(
            table.lines().all(|line| line.chars().count() < 140),
            "{table}"
        );
        assert_eq!(
            report.details(),
            format!("#2 observed: {}\n", long.observed)
        );
        assert_eq!(clip("short"), "short");
        let clipped = clip(&"é".repeat(100));
        assert_eq!(clipped.chars().count(), MAX_CELL);
        assert!(clipped.ends_with("é..."));
    }

    #[test]
    fn a_run_without_steps_does_not_pass() {
        assert!(!report(Vec::new()).passed());
    }

    #[test]
    fn json_carries_every_step_and_the_verdict() {
        let report = report(vec![
            step(Vendor::RongCloud, "entry set", true, 1_500),
            step(Vendor::Tencent, "room info", false, 250),
        ]);
        let json = report.json();
        assert_eq!(json["ok"], false);
        assert_eq!(json["passed"], 1);
        assert_eq!(json["failed"], serde_json::json!([2]));
        assert_eq!(json["requests"], 7);
        assert_eq!(json["total_ms"], 2340.0);
        assert_eq!(json["steps"][0]["vendor"], "rongcloud");
        assert_eq!(json["steps"][0]["latency_ms"], 1.5);
        assert_eq!(json["steps"][1]["operation"], "room info");
        assert_eq!(json["steps"][1]["ok"], false);
    }

    #[test]
    fn latencies_read_naturally() {
        assert_eq!(format_latency(Duration::from_micros(420)), "0.42 ms");
        assert_eq!(format_latency(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(format_latency(Duration::from_millis(1_520)), "1.52 s");
        assert_eq!(format_latency(Duration::ZERO), "0.00 ms");
    }
}
