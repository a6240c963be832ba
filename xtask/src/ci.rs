//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, layering, project_root, show, status, tidy};

/// What a step does.
enum Action {
    /// Runs a cargo command; the step fails when it exits unsuccessfully.
    Cargo(Command),
    /// Calls an in-process task.
    Task(fn() -> Result<(), String>),
}

struct Step {
    name: &'static str,
    what: String,
    action: Action,
}

fn cargo_step(name: &'static str, args: &[&str], env: Option<(&str, String)>) -> Step {
    let mut command = cargo();
    command.args(args);
    if let Some((key, value)) = env {
        command.env(key, value);
    }
    Step {
        name,
        what: show(&command),
        action: Action::Cargo(command),
    }
}

fn task_step(name: &'static str, task: fn() -> Result<(), String>) -> Step {
    Step {
        name,
        what: format!("cargo xtask {name} (in process)"),
        action: Action::Task(task),
    }
}

/// The installed cargo-nextest, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Nextest {
    /// Whether `cargo nextest run` knows `--no-tests` (older versions passed on no tests anyway).
    has_no_tests_flag: bool,
}

fn detect_nextest() -> Option<Nextest> {
    let quiet = |command: &mut Command| {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
    };
    if !quiet(cargo().args(["nextest", "--version"])).is_ok_and(|status| status.success()) {
        return None;
    }
    let help = cargo()
        .args(["nextest", "run", "--help"])
        .stdin(Stdio::null())
        .output();
    let has_no_tests_flag =
        help.is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("--no-tests"));
    Some(Nextest { has_no_tests_flag })
}

/// `cargo test` of the workspace: every test of a test binary as a thread of one process (where
/// tests that share process-wide state would meet), and the doctests.
const CARGO_TEST: [&str; 3] = ["test", "--workspace", "--all-features"];

/// The arguments of the nextest step (each test in a process of its own).
fn nextest_args(nextest: Nextest) -> Vec<&'static str> {
    let mut args = vec!["nextest", "run", "--workspace", "--all-features"];
    // A workspace (or a filter) with no tests is not a failure here.
    if nextest.has_no_tests_flag {
        args.push("--no-tests=warn");
    }
    args
}

/// The test steps. With cargo-nextest: nextest, then `cargo test`, so the suite is proven both
/// ways (tests must pass as processes of their own and as threads of one process); cargo-nextest
/// does not run doctests, `cargo test` does. Without it: `cargo test` alone.
fn test_steps(nextest: Option<Nextest>) -> Vec<Step> {
    let threads = |name| cargo_step(name, &CARGO_TEST, None);
    match nextest {
        Some(nextest) => vec![
            cargo_step("test", &nextest_args(nextest), None),
            threads("test-threads"),
        ],
        None => vec![threads("test")],
    }
}

/// `RUSTDOCFLAGS` for the doc step: the caller's flags, plus `-Dwarnings`.
fn rustdocflags(existing: Option<&str>) -> String {
    match existing.map(str::trim) {
        Some(flags) if !flags.is_empty() => format!("{flags} -Dwarnings"),
        _ => "-Dwarnings".to_owned(),
    }
}

fn steps(nextest: Option<Nextest>) -> Vec<Step> {
    let docflags = rustdocflags(std::env::var("RUSTDOCFLAGS").ok().as_deref());
    [
        cargo_step("fmt", &["fmt", "--all", "--check"], None),
        cargo_step(
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
            None,
        ),
    ]
    .into_iter()
    .chain(test_steps(nextest))
    .chain([
        // Every step above has the `metrics` feature on; this one builds transport without it
        // and checks that its metering is compiled out.
        cargo_step(
            "metrics-off",
            &[
                "test",
                "-p",
                "roomkv-transport",
                "--lib",
                "metrics::tests::off",
            ],
            None,
        ),
        cargo_step(
            "doc",
            &["doc", "--workspace", "--no-deps", "--all-features"],
            Some(("RUSTDOCFLAGS", docflags)),
        ),
        task_step("layering", || {
            layering::run(&project_root().join("Cargo.toml"))
        }),
        task_step("tidy", || tidy::run(&project_root())),
    ])
    .collect()
}

fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}

/// Runs every step; the error names the step that failed.
pub(crate) fn run() -> Result<(), String> {
    let started = Instant::now();
    let nextest = detect_nextest();
    if nextest.is_none() {
        eprintln!("xtask ci: cargo-nextest not found, running tests with `cargo test`");
    }
    let steps = steps(nextest);
    let total = steps.len();
    let mut timings = Vec::new();
    for (number, step) in steps.into_iter().enumerate() {
        let number = number + 1;
        eprintln!(
            "\n==> xtask ci [{number}/{total}] {}: {}",
            step.name, step.what
        );
        let step_started = Instant::now();
        let result = match step.action {
            Action::Cargo(mut command) => status(&mut command),
            Action::Task(task) => task(),
        };
        let elapsed = step_started.elapsed();
        if let Err(message) = result {
            return Err(format!(
                "step {number}/{total} `{}` failed after {}: {message}",
                step.name,
                seconds(elapsed)
            ));
        }
        eprintln!(
            "==> xtask ci [{number}/{total}] {}: ok in {}",
            step.name,
            seconds(elapsed)
        );
        timings.push((step.name, elapsed));
    }
    let summary: Vec<String> = timings
        .iter()
        .map(|(name, elapsed)| format!("{name} {}", seconds(*elapsed)))
        .collect();
    eprintln!(
        "\nxtask ci: all {total} steps passed in {} ({})",
        seconds(started.elapsed()),
        summary.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commands of the test steps, as shown.
    fn test_commands(nextest: Option<Nextest>) -> Vec<(&'static str, String)> {
        test_steps(nextest)
            .into_iter()
            .map(|step| (step.name, step.what))
            .collect()
    }

    #[test]
    fn with_nextest_the_suite_runs_both_ways_and_tolerates_no_tests_when_it_can() {
        let with_flag = Some(Nextest {
            has_no_tests_flag: true,
        });
        assert_eq!(
            test_commands(with_flag),
            [
                (
                    "test",
                    "cargo nextest run --workspace --all-features --no-tests=warn".to_owned()
                ),
                (
                    "test-threads",
                    "cargo test --workspace --all-features".to_owned()
                ),
            ]
        );
        let without_flag = Some(Nextest {
            has_no_tests_flag: false,
        });
        assert_eq!(
            test_commands(without_flag)[0].1,
            "cargo nextest run --workspace --all-features"
        );
    }

    #[test]
    fn without_nextest_cargo_test_runs_once() {
        assert_eq!(
            test_commands(None),
            [("test", "cargo test --workspace --all-features".to_owned())]
        );
    }

    #[test]
    fn rustdocflags_keep_the_callers_flags() {
        assert_eq!(rustdocflags(None), "-Dwarnings");
        assert_eq!(rustdocflags(Some("  ")), "-Dwarnings");
        assert_eq!(
            rustdocflags(Some("--cfg docsrs")),
            "--cfg docsrs -Dwarnings"
        );
    }

    #[test]
    fn steps_run_in_the_documented_order() {
        let names: Vec<_> = steps(None).iter().map(|step| step.name).collect();
        assert_eq!(
            names,
            [
                "fmt",
                "clippy",
                "test",
                "metrics-off",
                "doc",
                "layering",
                "tidy"
            ]
        );
        let nextest = Some(Nextest {
            has_no_tests_flag: true,
        });
        let names: Vec<_> = steps(nextest).iter().map(|step| step.name).collect();
        assert_eq!(
            names,
            [
                "fmt",
                "clippy",
                "test",
                "test-threads",
                "metrics-off",
                "doc",
                "layering",
                "tidy"
            ]
        );
        let doc = &steps(None)[4];
        assert!(doc.what.starts_with("RUSTDOCFLAGS="), "{}", doc.what);
        assert!(
            doc.what
                .ends_with("cargo doc --workspace --no-deps --all-features"),
            "{}",
            doc.what
        );
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(seconds(Duration::from_millis(12_345)), "12.3s");
    }
}
