//! `cargo xtask`: project automation for the roomkv workspace.
//!
//! Run `cargo xtask help` for the list of tasks. Besides `std` it uses only `serde_json` (for
//! `cargo metadata`) and `toml` (for manifests), both already in the workspace's tree, so that it
//! builds in seconds on a small CI machine.

// Printing progress, diagnostics and usage is the whole point of this binary.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod ci;
mod layering;
mod man;
mod release;
mod tidy;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  ci         everything CI checks, in order, stopping at the first failure:
             fmt, clippy, tests (with cargo-nextest installed: nextest, then cargo test,
             so every test passes both alone in a process and as a thread beside the
             others; else cargo test), doctests, transport without `metrics` (metering
             compiled out), docs (warnings are errors), layering, tidy
  layering   fail if a crate reaches, through normal dependencies, a crate it must not
             (see docs/design.md#dependency-arrows)
               --manifest-path PATH   check another workspace (used by xtask's own tests)
  tidy       repository hygiene: workspace-inherited manifests, committed
             proptest-regressions, no dbg! calls, no trailing whitespace
  release    <VERSION> --dry-run [--verify] [--manifest-path PATH]
             rehearse a release in a scratch copy; the real tree is only read.
             Refuses a dirty tree and a VERSION that is not SemVer or not above the
             workspace version; bumps [workspace.package] version and the internal
             [workspace.dependencies] versions, moves the CHANGELOG's Unreleased entries
             under `## [VERSION] - DATE` (UTC today, or RELEASE_DATE=YYYY-MM-DD), then
             `cargo package`s the publishable crates in dependency order and prints the
             .crate files, the CLI's with its man pages. --verify also builds each
             package (slow). Publishing,
             tagging and pushing are out of scope: only --dry-run is supported
  bench      [--write] [--measure-secs S]
             build in release mode, then measure on loopback only: divan micro-benchmarks of
             the request path, both clients against `roomkv emulator`, the emulator against a
             bare hyper server, quota use with the client limiter, memory. Prints a markdown
             table and writes <target>/bench/report.json; --write also puts the table into
             BENCHMARKS.md.
             S: seconds each load run measures (default 2)
  man        write the man pages of `roomkv` (roomkv.1 and one per subcommand,
             clap_mangen) into <target>/man/
  help       print this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match (task.as_str(), rest) {
        ("help" | "-h" | "--help", []) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        ("ci", []) => ci::run(),
        ("layering", []) => layering::run(&project_root().join("Cargo.toml")),
        ("layering", [flag, path]) if flag == "--manifest-path" => layering::run(Path::new(path)),
        ("tidy", []) => tidy::run(&project_root()),
        ("man", []) => man::run(),
        ("release", rest) => match release::parse_args(rest) {
            Ok(options) => release::run(&options),
            Err(message) => {
                eprintln!("xtask: {message}\n");
                eprint!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        ("bench", rest) => match bench::parse_args(rest) {
            Ok(options) => bench::run(&options),
            Err(message) => {
                eprintln!("xtask: {message}\n");
                eprint!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        ("ci" | "layering" | "tidy" | "man" | "help", _) => {
            eprintln!(
                "xtask: unexpected arguments for `{task}`: {}\n",
                rest.join(" ")
            );
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
        _ => {
            eprintln!("xtask: unknown task `{task}`\n");
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask {task}: FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory (the rust-analyzer convention).
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` at run time too, and that value wins over the one
/// compiled in: when two checkouts share a target directory, cargo can reuse a binary built in
/// the other checkout, whose compiled-in path points there.
pub(crate) fn project_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.clone(), Path::to_path_buf)
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR` and the configuration).
pub(crate) fn target_dir() -> Result<PathBuf, String> {
    let metadata = capture(cargo().args(["metadata", "--format-version", "1", "--no-deps"]))?;
    #[derive(serde::Deserialize)]
    struct Metadata {
        target_directory: PathBuf,
    }
    serde_json::from_str::<Metadata>(&metadata)
        .map(|metadata| metadata.target_directory)
        .map_err(|err| format!("`cargo metadata`: {err}"))
}

/// The `cargo` that runs us (`$CARGO`, set by `cargo run`), falling back to `cargo` on `PATH`.
pub(crate) fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A `cargo` command running in the workspace root.
pub(crate) fn cargo() -> Command {
    let mut command = Command::new(cargo_program());
    command.current_dir(project_root());
    command
}

/// Runs `command`, returning its stdout; on failure the error names the command and carries its
/// stderr.
pub(crate) fn capture(command: &mut Command) -> Result<String, String> {
    let shown = show(command);
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("could not run `{shown}`: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{shown}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("`{shown}` printed invalid UTF-8"))
}

/// The end of a check task: `TASK: ok (DETAIL)` on stderr when there are no problems; otherwise
/// each problem as `TASK: PROBLEM`, and `summary` as the error.
pub(crate) fn report(
    task: &str,
    detail: &str,
    problems: &[String],
    summary: String,
) -> Result<(), String> {
    if problems.is_empty() {
        eprintln!("{task}: ok ({detail})");
        return Ok(());
    }
    for problem in problems {
        eprintln!("{task}: {problem}");
    }
    Err(summary)
}

/// Runs `command` with its output shown; the error names the command and its exit status.
pub(crate) fn status(command: &mut Command) -> Result<(), String> {
    let shown = show(command);
    match command.stdin(Stdio::null()).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`{shown}` exited with {status}")),
        Err(err) => Err(format!("could not run `{shown}`: {err}")),
    }
}

/// The text of the file at `path`; the error names the path.
pub(crate) fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))
}

/// Writes `text` to the file at `path`; the error names the path.
pub(crate) fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|err| format!("cannot write {}: {err}", path.display()))
}

/// `command` as a shell-like line, for messages.
pub(crate) fn show(command: &Command) -> String {
    let mut line = String::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            line.push_str(&format!(
                "{}={} ",
                key.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    let program = command.get_program();
    if program == cargo_program() {
        line.push_str("cargo");
    } else {
        line.push_str(&program.to_string_lossy());
    }
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}
