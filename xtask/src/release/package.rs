//! `cargo package` in the scratch copy: the members it packages, its order, the man pages.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use super::scratch::commit_all;
use crate::man;
use crate::{capture, cargo_program, show};

/// A workspace member, from `cargo metadata --no-deps`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Member {
    pub(super) name: String,
    pub(super) version: String,
    /// The directory of its `Cargo.toml`.
    pub(super) dir: PathBuf,
    /// `publish = false` (cargo reports it as `"publish": []`).
    pub(super) unpublished: bool,
}

pub(super) fn members(metadata: &str) -> Result<Vec<Member>, String> {
    #[derive(Deserialize)]
    struct Metadata {
        packages: Vec<Package>,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
        version: String,
        manifest_path: PathBuf,
        /// `null`: any registry; `[]`: none.
        publish: Option<Vec<String>>,
    }
    let metadata: Metadata =
        serde_json::from_str(metadata).map_err(|err| format!("`cargo metadata`: {err}"))?;
    Ok(metadata
        .packages
        .into_iter()
        .map(|package| Member {
            name: package.name,
            version: package.version,
            dir: package
                .manifest_path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            unpublished: package
                .publish
                .is_some_and(|registries| registries.is_empty()),
        })
        .collect())
}

/// `(name, version)` of each `Packaging name vX.Y.Z (path)` line cargo printed, in order.
pub(super) fn packaged(cargo_stderr: &str) -> Vec<(String, String)> {
    cargo_stderr
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("Packaging "))
        .filter_map(|rest| {
            let mut words = rest.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.strip_prefix('v')?;
            Some((name.to_owned(), version.to_owned()))
        })
        .collect()
}

/// A hint for `cargo package` failures whose cause is not obvious from cargo's message.
fn package_hint(cargo_stderr: &str) -> Option<String> {
    let missing = cargo_stderr
        .split("no matching package named `")
        .nth(1)?
        .split('`')
        .next()?;
    let required_by = cargo_stderr
        .split("required by package `")
        .nth(1)?
        .split(' ')
        .next()?;
    (missing == required_by).then(|| {
        format!(
            "hint: `{missing}` depends on itself: a dev-dependency with a `version` (given directly \
             or through `workspace = true`). Cargo cannot resolve it before {missing} is published \
             (rust-lang/cargo#15059); make that dev-dependency path-only, such as \
             `{missing} = {{ path = \".\", features = [...] }}`: cargo then drops it from the package"
        )
    })
}

/// Runs `cargo package` in `workspace`, echoing cargo's stderr, and returns that stderr.
pub(super) fn cargo_package(
    workspace: &Path,
    target: &Path,
    excluded: &[&str],
    verify: bool,
) -> Result<String, String> {
    let mut command = Command::new(cargo_program());
    command
        .current_dir(workspace)
        // The `Packaging` status lines are how the order is read: a quiet cargo would hide them.
        .env_remove("CARGO_TERM_QUIET")
        .args(["package", "--workspace", "--locked", "--color", "never"])
        .arg("--target-dir")
        .arg(target);
    for name in excluded {
        command.args(["--exclude", name]);
    }
    if !verify {
        command.arg("--no-verify");
    }
    let shown = show(&command);
    eprintln!("==> release: {shown}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("could not run `{shown}`: {err}"))?;
    let mut stderr = String::new();
    if let Some(pipe) = child.stderr.take() {
        for line in BufReader::new(pipe).lines() {
            let line = line.map_err(|err| format!("reading cargo's output: {err}"))?;
            eprintln!("{line}");
            stderr.push_str(&line);
            stderr.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|err| format!("could not wait for `{shown}`: {err}"))?;
    if status.success() {
        return Ok(stderr);
    }
    let hint = package_hint(&stderr).map_or_else(String::new, |hint| format!("\n{hint}"));
    Err(format!("`{shown}` failed ({status}){hint}"))
}

/// Writes the man pages of `roomkv` into the CLI package `cli_dir` of the scratch `workspace`
/// and commits them there, so that `cargo package` takes them. The pages are written by the
/// real tree's `roomkv` (built in its own, warm target directory): they carry no version, and
/// the scratch copy differs from the real tree only in versions.
pub(super) fn add_man_pages(root: &Path, workspace: &Path, cli_dir: &Path) -> Result<(), String> {
    let out = cli_dir.join(man::PACKAGE_DIR);
    let pages = man::write_pages(root, &out)?;
    commit_all(workspace, "Man pages of the roomkv binary")?;
    eprintln!("release: {pages} man pages in {}, committed", out.display());
    Ok(())
}

/// Fails unless the `.crate` file `krate` holds `PREFIX/man/roomkv.1`.
pub(super) fn ensure_man_pages(krate: &Path, prefix: &str) -> Result<(), String> {
    let listing = capture(Command::new("tar").arg("-tzf").arg(krate))?;
    let page = format!("{prefix}/{}/roomkv.1", man::PACKAGE_DIR);
    if listing.lines().any(|line| line == page) {
        Ok(())
    } else {
        Err(format!("{} does not hold {page}", krate.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_output_is_read() {
        let stderr = "   Packaging roomkv-core v0.2.0 (/tmp/w/crates/roomkv-core)\n    Updating crates.io index\n\
                      \x20   Packaged 70 files, 330.9KiB (75.9KiB compressed)\n\
                      \x20  Packaging roomkv-cli v0.2.0-rc.1 (/tmp/w/crates/roomkv-cli)\n";
        assert_eq!(
            packaged(stderr),
            [
                ("roomkv-core".to_owned(), "0.2.0".to_owned()),
                ("roomkv-cli".to_owned(), "0.2.0-rc.1".to_owned())
            ]
        );
        let metadata = r#"{"packages":[
            {"name":"a","version":"0.2.0","publish":null,"manifest_path":"/w/a/Cargo.toml"},
            {"name":"b","version":"0.2.0","publish":[],"manifest_path":"/w/b/Cargo.toml"},
            {"name":"c","version":"0.1.0","publish":["own"],"manifest_path":"/w/c/Cargo.toml"}]}"#;
        let members = members(metadata).unwrap();
        let unpublished: Vec<bool> = members.iter().map(|m| m.unpublished).collect();
        assert_eq!(unpublished, [false, true, false]);
        assert_eq!(members[2].dir, Path::new("/w/c"));
    }

    #[test]
    fn a_self_dev_dependency_gets_a_hint() {
        let stderr = "error: failed to prepare local package for uploading\n\nCaused by:\n  no matching \
                      package named `roomkv-transport` found\n  location searched: crates.io index\n  \
                      required by package `roomkv-transport v0.2.0 (/tmp/x)`\n";
        assert!(
            package_hint(stderr)
                .unwrap()
                .contains("rust-lang/cargo#15059")
        );
        let other = stderr.replace(
            "required by package `roomkv-transport",
            "required by package `roomkv-tencent",
        );
        assert_eq!(package_hint(&other), None);
        assert_eq!(package_hint("error: something else"), None);
    }
}
