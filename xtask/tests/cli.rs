//! The `xtask` binary end to end: usage and exit codes, and `layering` and `release` on the
//! fixture workspaces in `tests/fixtures/` (path dependencies only, so no network).

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
        stderr.contains(
            "skipped: roomkv-sign, roomkv-webhook, roomkv-provider, roomkv-tencent, roomkv-bench"
        ),
        "{stderr}"
    );
}

#[test]
fn help_succeeds_and_lists_the_tasks() {
    for args in [&["help"][..], &["--help"], &["-h"]] {
        let output = xtask(args);
        assert!(output.status.success());
        let stdout = String::from_utf8_lossy(&output.stdout);
        for task in ["ci", "layering", "tidy", "release", "man", "help"] {
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

    // Bad options are refused before anything is built.
    let output = xtask(&["bench", "--quick"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unexpected argument for `bench`: --quick"));
}

/// The `release` fixture, copied to a fresh temporary directory and committed there as a git
/// repository (`repo/`), with a temporary directory of its own (`tmp/`, the `TMPDIR` of the
/// `release` runs) for their scratch copies. Removed on drop.
struct ReleaseFixture {
    base: PathBuf,
}

impl ReleaseFixture {
    fn new(tag: &str) -> Self {
        let base = std::env::temp_dir().join(format!(
            "xtask-fixture-release-{tag}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&base);
        copy_dir(&fixtures().join("release"), &base.join("repo"));
        fs::create_dir_all(base.join("tmp")).expect("create the fixture's TMPDIR");
        let fixture = Self { base };
        fixture.git(&["init", "--quiet"]);
        fixture.commit_all("fixture");
        fixture
    }

    fn repo(&self) -> PathBuf {
        self.base.join("repo")
    }

    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.repo())
            .args([
                "-c",
                "user.name=xtask tests",
                "-c",
                "user.email=tests@roomkv.invalid",
            ])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn commit_all(&self, message: &str) {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--message", message]);
    }

    fn release(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("release")
            .args(args)
            .arg("--manifest-path")
            .arg(self.repo().join("Cargo.toml"))
            .env("CARGO_NET_OFFLINE", "true")
            .env("RELEASE_DATE", "2030-01-02")
            .env("TMPDIR", self.base.join("tmp"))
            .output()
            .expect("the xtask binary runs")
    }

    /// The scratch directories `release` left in the fixture's TMPDIR.
    fn scratch_dirs(&self) -> Vec<PathBuf> {
        fs::read_dir(self.base.join("tmp"))
            .expect("read the fixture's TMPDIR")
            .map(|entry| entry.expect("TMPDIR entry").path())
            .collect()
    }
}

impl Drop for ReleaseFixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.base);
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn release_dry_run_packages_the_publishable_crates_in_dependency_order() {
    let fixture = ReleaseFixture::new("ok");
    let output = fixture.release(&["0.2.0", "--dry-run"]);
    let stderr = stderr(&output);
    assert!(output.status.success(), "{stderr}");

    // stdout: the .crate files, dependencies first; the `publish = false` member is left out.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let crates: Vec<PathBuf> = stdout.lines().map(PathBuf::from).collect();
    let names: Vec<_> = crates
        .iter()
        .map(|path| path.file_name().expect("a file name").to_string_lossy())
        .collect();
    assert_eq!(
        names,
        ["roomkv-wire-0.2.0.crate", "roomkv-app-0.2.0.crate"],
        "{stderr}"
    );
    assert!(
        stderr.contains("not packaged (publish = false): roomkv-internal"),
        "{stderr}"
    );

    // The packaged manifests carry the new versions, including the internal dependency's.
    let unpacked = fixture.base.join("unpacked");
    fs::create_dir_all(&unpacked).expect("create the unpack directory");
    for file in &crates {
        let tar = Command::new("tar")
            .arg("-xzf")
            .arg(file)
            .arg("-C")
            .arg(&unpacked)
            .output()
            .expect("tar runs");
        assert!(tar.status.success(), "tar: {}", self::stderr(&tar));
    }
    let wire = read(&unpacked.join("roomkv-wire-0.2.0/Cargo.toml"));
    assert!(
        wire.contains("\nname = \"roomkv-wire\"\nversion = \"0.2.0\"\n"),
        "{wire}"
    );
    let app = read(&unpacked.join("roomkv-app-0.2.0/Cargo.toml"));
    assert!(
        app.contains("\nname = \"roomkv-app\"\nversion = \"0.2.0\"\n"),
        "{app}"
    );
    assert!(
        app.contains("[dependencies.roomkv-wire]\nversion = \"0.2.0\"\n"),
        "{app}"
    );
    // The path-only dev-dependency on the unpublished helper is dropped from the package.
    assert!(!app.contains("roomkv-internal"), "{app}");

    // The scratch copy holds the release commit: bumped manifest, moved changelog.
    let [scratch] = &fixture.scratch_dirs()[..] else {
        panic!(
            "expected one scratch directory: {:?}",
            fixture.scratch_dirs()
        );
    };
    assert!(crates.iter().all(|file| file.starts_with(scratch)));
    let manifest = read(&scratch.join("workspace/Cargo.toml"));
    let original = read(&fixtures().join("release/Cargo.toml"));
    assert_eq!(
        manifest,
        original
            .replace(
                "version = \"0.1.0\"\nedition",
                "version = \"0.2.0\"\nedition"
            )
            .replace(
                "roomkv-wire = { version = \"0.1.0\"",
                "roomkv-wire = { version = \"0.2.0\""
            )
            .replace(
                "roomkv-app = { version = \"0.1.0\"",
                "roomkv-app = { version = \"0.2.0\""
            )
    );
    assert!(manifest.contains("tokio = { version = \"0.1.0\", default-features = false }"));
    let changelog = read(&scratch.join("workspace/CHANGELOG.md"));
    assert!(
        changelog.contains("## Unreleased\n\n## [0.2.0] - 2030-01-02\n\n### Added\n- `roomkv-app`"),
        "{changelog}"
    );

    // The fixture itself is untouched: clean, and byte for byte the committed files.
    assert_eq!(fixture.git(&["status", "--porcelain"]), "");
    for file in ["Cargo.toml", "CHANGELOG.md", "crates/roomkv-app/Cargo.toml"] {
        assert_eq!(
            read(&fixture.repo().join(file)),
            read(&fixtures().join("release").join(file)),
            "{file}"
        );
    }
}

#[test]
fn release_refuses_a_dirty_tree_in_one_line() {
    let fixture = ReleaseFixture::new("dirty");
    let lib = fixture.repo().join("crates/roomkv-wire/src/lib.rs");
    fs::write(&lib, read(&lib) + "// an uncommitted edit\n").expect("edit the fixture");
    for _ in ["modified", "untracked"] {
        let output = fixture.release(&["0.2.0", "--dry-run"]);
        let stderr = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("xtask release: FAILED: the working tree has uncommitted changes"),
            "{stderr}"
        );
        // Second round: committed edit, but an untracked file.
        fixture.commit_all("edit");
        fs::write(fixture.repo().join("notes.txt"), "untracked\n").expect("add a file");
    }
    assert_eq!(fixture.scratch_dirs(), Vec::<PathBuf>::new());
}

#[test]
fn release_refuses_versions_that_are_not_above_the_current_one() {
    let fixture = ReleaseFixture::new("versions");
    for (version, message) in [
        (
            "0.1.0",
            "0.1.0 is not above the current workspace version 0.1.0",
        ),
        (
            "0.0.9",
            "0.0.9 is not above the current workspace version 0.1.0",
        ),
        (
            "0.1.0-rc.1",
            "0.1.0-rc.1 is not above the current workspace version 0.1.0",
        ),
        ("0.2", "`0.2` is not a SemVer version"),
        ("v0.2.0", "write it without the `v`"),
    ] {
        let output = fixture.release(&[version, "--dry-run"]);
        let stderr = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{version}: {stderr}");
        assert!(stderr.contains(message), "{version}: {stderr}");
    }
    assert_eq!(fixture.scratch_dirs(), Vec::<PathBuf>::new());
}

#[test]
fn release_refuses_an_empty_unreleased_section() {
    let fixture = ReleaseFixture::new("empty");
    let changelog = fixture.repo().join("CHANGELOG.md");
    let emptied = read(&changelog).replace(
        "### Added\n- `roomkv-app`: `greeting`, built on `roomkv-wire`.\n",
        "",
    );
    fs::write(&changelog, emptied).expect("empty the Unreleased section");
    fixture.commit_all("nothing unreleased");
    let output = fixture.release(&["0.2.0", "--dry-run"]);
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the `## Unreleased` section of CHANGELOG.md is empty"),
        "{stderr}"
    );
    assert_eq!(fixture.scratch_dirs(), Vec::<PathBuf>::new());
}

#[test]
fn release_without_dry_run_is_refused_before_anything_else() {
    let output = xtask(&["release", "0.2.0"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "xtask release: FAILED: only --dry-run is supported here (no registry credentials, no \
         remote)\n"
    );
    let output = xtask(&["release", "--dry-run"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("needs a VERSION"));
}
