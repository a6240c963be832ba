//! `roomkv demo`, the README's main job: run as a newcomer runs it, it must pass within its time
//! budget and show every operation of both vendors and every documented failure path.

use std::time::{Duration, Instant};

use crate::process::Roomkv;

/// The demo budgets itself under a minute; this is the hard limit of the test.
const DEMO_TIMEOUT: Duration = Duration::from_secs(90);

/// The rows the table must have: (vendor, operation).
const ROWS: &[(&str, &str)] = &[
    ("rongcloud", "entry set"),
    ("rongcloud", "entry batch-set"),
    ("rongcloud", "entry query"),
    ("rongcloud", "entry remove"),
    ("rongcloud", "entry batch-remove"),
    ("rongcloud", "expansion set"),
    ("rongcloud", "expansion query"),
    ("rongcloud", "expansion delete"),
    ("tencent", "room create"),
    ("tencent", "room info"),
    ("tencent", "room update"),
    ("tencent", "room list"),
    ("tencent", "metadata set"),
    ("tencent", "metadata get"),
    ("tencent", "metadata delete"),
    ("tencent", "room destroy"),
    ("rongcloud", "entry set, 129-char key"),
    ("rongcloud", "entry set, wrong secret"),
    ("tencent", "metadata delete, missing keys"),
    ("rongcloud", "entry set, reply lost"),
    ("rongcloud", "read back after lost reply"),
    ("rongcloud", "entry set x200, paced"),
    ("rongcloud", "entry set x200, unpaced"),
];

/// The table row of `vendor` `operation`: its cells are separated by two or more spaces.
fn row<'a>(stdout: &'a str, vendor: &str, operation: &str) -> Option<&'a str> {
    stdout.lines().find(|line| {
        let cells: Vec<&str> = line
            .split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .collect();
        cells.get(1) == Some(&vendor) && cells.get(2) == Some(&operation)
    })
}

#[test]
fn the_demo_passes_and_shows_every_operation_and_failure_path() {
    let start = Instant::now();
    let out = Roomkv::spawn(&["demo"]).wait(DEMO_TIMEOUT);
    let elapsed = start.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert!(
        elapsed < Duration::from_secs(60),
        "the demo took {elapsed:?}"
    );
    let stdout = &out.stdout;
    assert!(
        stdout.starts_with("roomkv demo: emulator on http://127.0.0.1:"),
        "{stdout}"
    );
    for (vendor, operation) in ROWS {
        let line = row(stdout, vendor, operation)
            .unwrap_or_else(|| panic!("no row for {vendor} {operation}:\n{stdout}"));
        assert!(line.ends_with("  PASS"), "{line}");
    }
    assert!(
        !stdout.lines().any(|line| line.contains("FAIL")),
        "{stdout}"
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with(&format!(
            "summary: {0} of {0} steps behaved as documented;",
            ROWS.len()
        )),
        "{summary}"
    );
    assert!(summary.contains("total time"), "{summary}");
    // Nothing logged without -v, and the demo's secrets are not shown anywhere.
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    for secret in ["demo-app-secret", "demo-secret-key", "not-the-demo-secret"] {
        assert!(!stdout.contains(secret), "{secret}:\n{stdout}");
    }
}

#[test]
fn the_json_report_is_one_document_that_passes() {
    let out = Roomkv::spawn(&["demo", "--json"]).wait(DEMO_TIMEOUT);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = out.stdout.trim();
    assert!(stdout.starts_with('{') && stdout.ends_with('}'), "{stdout}");
    assert!(stdout.contains(r#""ok": true"#), "{stdout}");
    assert!(stdout.contains(r#""failed": []"#), "{stdout}");
    assert_eq!(
        stdout.matches(r#""step": "#).count(),
        ROWS.len(),
        "{stdout}"
    );
}

#[test]
fn logs_go_to_stderr_only() {
    let out = Roomkv::spawn(&["-v", "demo", "--json"]).wait(DEMO_TIMEOUT);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.contains("demo step"), "{}", out.stderr);
    assert!(!out.stdout.contains("demo step"), "{}", out.stdout);
    assert!(!out.stderr.contains("demo-app-secret"), "{}", out.stderr);
}
