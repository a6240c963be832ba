//! `cargo xtask tidy`: repository hygiene that neither rustfmt nor clippy checks.
//!
//! - Every `Cargo.toml` under `crates/`, `tests/` and `xtask/` inherits `[lints]`, `version` and
//!   `edition` from the workspace. Nested workspaces (test fixtures) are left alone.
//! - `proptest-regressions` directories are committed: not ignored, nothing untracked in them.
//! - No `dbg!` calls in `.rs` files.
//! - No trailing whitespace in text files under `crates/`, `tests/` and `xtask/`.
//!
//! Files are the ones git would commit (tracked, or untracked and not ignored), so a file is
//! checked before its first commit; outside a git checkout, the directory tree is walked instead.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{capture, report};

/// The directories whose manifests and text files are checked.
const CHECKED_DIRS: &[&str] = &["crates", "tests", "xtask"];

/// The start of a `dbg!` call, spelled so that this file does not trip its own check.
const DBG: &str = concat!("dbg", "!(");

/// Runs every check on the repository at `root`, printing every problem.
pub(crate) fn run(root: &Path) -> Result<(), String> {
    let git = is_git_checkout(root);
    let files = if git {
        git_files(root)?
    } else {
        walk_files(root)
    };
    let mut problems = Vec::new();

    for file in &files {
        let under_checked_dir = CHECKED_DIRS.iter().any(|dir| file.starts_with(dir));
        let Ok(bytes) = fs::read(root.join(file)) else {
            continue; // Deleted but still in the index, or unreadable: nothing to check.
        };
        let Some(text) = as_text(&bytes) else {
            continue;
        };
        let shown = file.display();
        if under_checked_dir
            && file.file_name().is_some_and(|name| name == "Cargo.toml")
            && !in_nested_workspace(root, file)
        {
            problems.extend(
                check_manifest(text)
                    .into_iter()
                    .map(|p| format!("{shown}: {p}")),
            );
        }
        if file.extension().is_some_and(|ext| ext == "rs") {
            problems.extend(
                dbg_lines(text)
                    .into_iter()
                    .map(|n| format!("{shown}:{n}: `{DBG}` left in")),
            );
        }
        if under_checked_dir {
            problems.extend(
                trailing_whitespace_lines(text)
                    .into_iter()
                    .map(|n| format!("{shown}:{n}: trailing whitespace")),
            );
        }
    }

    if git {
        problems.extend(check_proptest_regressions(root)?);
    } else {
        eprintln!("tidy: not a git checkout, skipping the proptest-regressions check");
    }

    let summary = format!(
        "{} problem{}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    report(
        "tidy",
        &format!("{} files", files.len()),
        &problems,
        summary,
    )
}

pub(crate) fn git(root: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(root);
    command
}

pub(crate) fn is_git_checkout(root: &Path) -> bool {
    git(root)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout.starts_with(b"true"))
}

pub(crate) fn split_nul(listing: &str) -> impl Iterator<Item = PathBuf> + '_ {
    listing
        .split('\0')
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

/// Files git would commit: tracked, plus untracked ones that are not ignored. Relative to `root`.
fn git_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let listing = capture(git(root).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]))?;
    let files: BTreeSet<PathBuf> = split_nul(&listing).collect();
    Ok(files.into_iter().collect())
}

/// Whether `dir` is a build output or VCS directory that a filesystem walk must skip.
fn is_skipped_dir(dir: &Path) -> bool {
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name == "target" || dir.join("CACHEDIR.TAG").exists()
}

/// Every file below `root` (relative to it) outside build output and hidden directories.
fn walk_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !is_skipped_dir(&path) {
                    dirs.push(path);
                }
            } else if kind.is_file()
                && let Ok(relative) = path.strip_prefix(root)
            {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// Whether `manifest` (relative to `root`) belongs to a workspace nested below `root`, such as a
/// test fixture: some directory between `root` (excluded) and the manifest declares `[workspace]`.
fn in_nested_workspace(root: &Path, manifest: &Path) -> bool {
    manifest
        .ancestors()
        .skip(1)
        .filter(|dir| !dir.as_os_str().is_empty())
        .any(|dir| {
            fs::read_to_string(root.join(dir).join("Cargo.toml"))
                .is_ok_and(|text| declares_workspace(&text))
        })
}

/// `bytes` as text, unless it looks binary (a NUL byte, or not UTF-8).
fn as_text(bytes: &[u8]) -> Option<&str> {
    if bytes.contains(&0) {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// 1-based numbers of the lines that end in a space or a tab (a CRLF's `\r` is not whitespace here).
fn trailing_whitespace_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.ends_with([' ', '\t']))
        .map(|(index, _)| index + 1)
        .collect()
}

/// 1-based numbers of the lines that contain a `dbg!` call.
fn dbg_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains(DBG))
        .map(|(index, _)| index + 1)
        .collect()
}

/// The manifest as a TOML table; `None` when it is not valid TOML (cargo reports that itself).
fn parse_toml(manifest: &str) -> Option<toml::Table> {
    manifest.parse().ok()
}

/// The value at the dotted `path` (`package.version.workspace`) of `table`.
fn lookup<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut keys = path.split('.');
    let first = table.get(keys.next()?)?;
    keys.try_fold(first, |value, key| value.get(key))
}

/// Whether a manifest declares a workspace (`[workspace]` or any `[workspace.*]` table).
fn declares_workspace(manifest: &str) -> bool {
    parse_toml(manifest).is_some_and(|table| table.contains_key("workspace"))
}

/// What a member manifest lacks of the workspace conventions.
fn check_manifest(manifest: &str) -> Vec<String> {
    let Some(table) = parse_toml(manifest) else {
        return vec!["is not valid TOML".to_owned()];
    };
    let is_true = |path: &str| lookup(&table, path).and_then(toml::Value::as_bool) == Some(true);
    let mut problems = Vec::new();
    if !is_true("lints.workspace") {
        problems.push("needs `[lints] workspace = true`, so the workspace lints apply".to_owned());
    }
    for field in ["version", "edition"] {
        if !is_true(&format!("package.{field}.workspace")) {
            problems.push(format!("needs `{field}.workspace = true` in [package]"));
        }
    }
    problems
}

/// Every `proptest-regressions` directory (outside build output) must be committed in full.
fn check_proptest_regressions(root: &Path) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    let mut found = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !entry.file_type().is_ok_and(|kind| kind.is_dir()) || is_skipped_dir(&path) {
                continue;
            }
            if path
                .file_name()
                .is_some_and(|name| name == "proptest-regressions")
            {
                found.push(path);
            } else {
                dirs.push(path);
            }
        }
    }
    for dir in found {
        let shown = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
        let ignored = capture(
            git(root)
                .args([
                    "ls-files",
                    "-z",
                    "--others",
                    "--ignored",
                    "--exclude-standard",
                    "--",
                ])
                .arg(&dir),
        )?;
        for file in split_nul(&ignored) {
            problems.push(format!(
                "{}: ignored by git; proptest regression seeds must be committed ({shown})",
                file.display()
            ));
        }
        let untracked = capture(
            git(root)
                .args(["ls-files", "-z", "--others", "--exclude-standard", "--"])
                .arg(&dir),
        )?;
        for file in split_nul(&untracked) {
            problems.push(format!(
                "{}: proptest regression seeds not committed yet",
                file.display()
            ));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[package]
name = "roomkv-core"
description = "has a # in a string"   # and a comment
version.workspace = true
edition = { workspace = true }
features = [
  "version = 1",
]

[dependencies]
http.workspace = true

[lints]
workspace = true
"#;

    #[test]
    fn a_conforming_manifest_passes() {
        assert_eq!(check_manifest(GOOD), Vec::<String>::new());
        let dotted = "lints.workspace = true\n[package]\nversion.workspace = true\nedition.workspace = true\n";
        assert_eq!(check_manifest(dotted), Vec::<String>::new());
    }

    #[test]
    fn missing_inheritance_is_reported() {
        let bad = "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition.workspace = true\n";
        let problems = check_manifest(bad);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("[lints] workspace = true"));
        assert!(problems[1].contains("version.workspace"));
        // `workspace = true` elsewhere does not count, nor does `false`.
        let elsewhere = "[package]\nversion.workspace = false\nedition.workspace = true\n\
                         [dependencies]\nlints = { workspace = true }\n";
        assert_eq!(check_manifest(elsewhere).len(), 2);
    }

    #[test]
    fn workspace_roots_are_recognised() {
        assert!(declares_workspace("[workspace]\nmembers = [\"a\"]\n"));
        assert!(declares_workspace("[workspace.package]\nversion = \"1\"\n"));
        assert!(!declares_workspace(GOOD));
        assert!(!declares_workspace("[package]\nname = \"workspace\"\n"));
    }

    #[test]
    fn comments_strings_and_arrays_are_toml_not_text() {
        let tricky = "x = [\n \"[\",\n]\n# lints.workspace = true\nname = \"lints.workspace = true\"\n\
                      [package]\nversion.workspace = true\nedition.workspace = true\n";
        let problems = check_manifest(tricky);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("[lints] workspace = true"));
        assert_eq!(check_manifest("[package\n"), ["is not valid TOML"]);
        assert!(!declares_workspace("[workspace\n"));
    }

    #[test]
    fn trailing_whitespace_is_found_by_line() {
        let text = "ok\nspace \ntab\t\r\ncrlf\r\n\n  \nlast ";
        assert_eq!(trailing_whitespace_lines(text), [2, 3, 6, 7]);
        assert_eq!(trailing_whitespace_lines("clean\r\n"), Vec::<usize>::new());
    }

    #[test]
    fn dbg_calls_are_found_by_line() {
        let text = format!("fn f() {{\n    {DBG}1);\n    let dbg = 2;\n}}\n");
        assert_eq!(dbg_lines(&text), [2]);
    }

    #[test]
    fn binary_files_are_skipped() {
        assert_eq!(as_text(b"text"), Some("text"));
        assert_eq!(as_text(b"a\0b"), None);
        assert_eq!(as_text(&[0xff, 0xfe]), None);
    }

    #[test]
    fn fixture_manifests_are_in_a_nested_workspace() {
        let root = crate::project_root();
        let fixture = Path::new("xtask/tests/fixtures/clean/crates/roomkv-core/Cargo.toml");
        assert!(root.join(fixture).exists());
        assert!(in_nested_workspace(&root, fixture));
        assert!(!in_nested_workspace(&root, Path::new("xtask/Cargo.toml")));
        assert!(!in_nested_workspace(
            &root,
            Path::new("crates/roomkv-core/Cargo.toml")
        ));
    }
}
