//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, layering, project_root, show, tidy};

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

/// The arguments of the test step.
fn test_args(nextest: Option<Nextest>) -> Vec<&'static str> {
    match nextest {
        Some(Nextest { has_no_tests_flag }) => {
            let mut args = vec!["nextest", "run", "--workspace", "--all-features"];
            // A workspace (or a filter) with no tests is not a failure here.
            if has_no_tests_flag {
                args.push("--no-tests=warn");
            }
            args
        }
        None => vec!["test", "--workspace", "--all-features"],
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
    vec![
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
        cargo_step("test", &test_args(nextest), None),
        // cargo-nextest does not run doctests; with `cargo test` this runs them a second time,
        // which is cheap while there are few.
        cargo_step(
            "doctest",
            &["test", "--workspace", "--doc", "--all-features"],
            None,
        ),
        // Every step above has the `metrics` feature on; this one builds transport without it
        // and checks that its metering is compiled out.
        cargo_step(
            "metrics-off",
            &["test", "-p", "roomkv-transport", "--lib", "metrics::off"],
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
    ]
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
            Action::Cargo(mut command) => match command.stdin(Stdio::null()).status() {
                Ok(status) if status.success() => Ok(()),
                Ok(status) => Err(format!("`{}` exited with {status}", step.what)),
                Err(err) => Err(format!("could not run `{}`: {err}", step.what)),
            },
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

    #[test]
    fn nextest_is_preferred_and_tolerates_no_tests_when_it_can() {
        let with_flag = Some(Nextest {
            has_no_tests_flag: true,
        });
        assert_eq!(
            test_args(with_flag),
            [
                "nextest",
                "run",
                "--workspace",
                "--all-features",
                "--no-tests=warn"
            ]
        );
        let without_flag = Some(Nextest {
            has_no_tests_flag: false,
        });
        assert_eq!(
            test_args(without_flag),
            ["nextest", "run", "--workspace", "--all-features"]
        );
        assert_eq!(test_args(None), ["test", "--workspace", "--all-features"]);
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
                "doctest",
                "metrics-off",
                "doc",
                "layering",
                "tidy"
            ]
        );
        let doc = &steps(None)[5];
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
