//! The `xtask` binary end to end: usage and exit codes, and `layering` on the fixture workspaces
//! in `tests/fixtures/` (path dependencies only, so no network).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        // Belt and braces: the fixtures only have path dependencies.
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("the xtask binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh copy of a fixture workspace in the temporary directory, so that `Cargo.lock` and any
/// other output of cargo stays out of the repository. Removed on drop.
struct Fixture(PathBuf);

impl Fixture {
    fn copy(name: &str) -> Self {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let target =
            std::env::temp_dir().join(format!("xtask-fixture-{name}-{}", std::process::id()));
        // A leftover from an earlier, interrupted run of a process with the same id.
        let _ = fs::remove_dir_all(&target);
        copy_dir(&source, &target);
        Self(target)
    }

    fn layering(&self) -> Output {
        let manifest = self.0.join("Cargo.toml");
        xtask(&[
            "layering",
            "--manifest-path",
            manifest.to_str().expect("UTF-8 temp path"),
        ])
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create fixture copy");
    for entry in fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("read fixture entry");
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&source, &target);
        } else {
            fs::copy(&source, &target).expect("copy fixture file");
        }
    }
}

#[test]
fn layering_fails_on_the_forbidden_fixture_naming_every_edge() {
    let fixture = Fixture::copy("forbidden");
    let output = fixture.layering();
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let reported: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("layering: forbidden dependency "))
        .map(|line| line.split_once(": ").map_or(line, |(edge, _why)| edge))
        .collect();
    assert_eq!(
        reported,
        [
            "roomkv-core -> tokio (direct)",
            "roomkv-sign -> hyper (via roomkv-sign -> sign-helper -> hyper)",
            "roomkv-rongcloud -> roomkv-tencent (direct)",
        ],
        "{stderr}"
    );
    // roomkv-rongcloud's dev-dependency on the emulator is allowed.
    assert!(!stderr.contains("-> roomkv-emulator"), "{stderr}");
    assert!(
        stderr.contains("xtask layering: FAILED: 3 forbidden dependencies"),
        "{stderr}"
    );
}

#[test]
fn layering_passes_on_the_clean_fixture() {
    // roomkv-core has tokio as a dev-dependency and hyper as a build-dependency, and shares a crate
    // with roomkv-transport whose optional tokio only transport switches on.
    let fixture = Fixture::copy("clean");
    let output = fixture.layering();
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "layering: ok (roomkv-core, roomkv-transport, roomkv-rongcloud, roomkv-emulator)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped: roomkv-sign, roomkv-provider, roomkv-tencent"),
        "{stderr}"
    );
}

#[test]
fn help_succeeds_and_lists_the_tasks() {
    for args in [&["help"][..], &["--help"], &["-h"]] {
        let output = xtask(args);
        assert!(output.status.success());
        let stdout = String::from_utf8_lossy(&output.stdout);
        for task in ["ci", "layering", "tidy", "help"] {
            assert!(
                stdout.contains(&format!("\n  {task} ")),
                "{task} missing from:\n{stdout}"
            );
        }
    }
}

#[test]
fn no_task_or_an_unknown_one_is_a_usage_error() {
    let output = xtask(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("usage: cargo xtask"));

    let output = xtask(&["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("xtask: unknown task `frobnicate`"));

    let output = xtask(&["tidy", "--fix"]);
    assert_eq!(output.status.code(), Some(2));

    let output = xtask(&["bench"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not implemented yet"));
}
