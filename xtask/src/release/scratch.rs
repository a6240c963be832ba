//! The scratch copy of the tree that the release is rehearsed in, and its git repository.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use super::version::Version;
use crate::capture;
use crate::tidy::{git, split_nul};

/// A git command for the scratch repository: fixed identity, no hooks, no signing.
pub(super) fn scratch_git(dir: &Path) -> Command {
    let mut command = git(dir);
    command.args([
        "-c",
        "user.name=xtask release (dry run)",
        "-c",
        "user.email=xtask@roomkv.invalid",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "core.hooksPath=/dev/null",
    ]);
    command
}

/// Stages everything in the scratch repository `dir` and commits it with `message`.
pub(super) fn commit_all(dir: &Path, message: &str) -> Result<(), String> {
    capture(scratch_git(dir).args(["add", "--all"]))?;
    capture(scratch_git(dir).args(["commit", "--quiet", "--message", message]))?;
    Ok(())
}

/// Copies the files git tracks in `root` to `to`.
pub(super) fn copy_tracked(root: &Path, to: &Path) -> Result<usize, String> {
    let listing = capture(git(root).args(["ls-files", "-z"]))?;
    let mut count = 0;
    for file in split_nul(&listing) {
        let (source, target) = (root.join(&file), to.join(&file));
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        let metadata = fs::symlink_metadata(&source)
            .map_err(|err| format!("cannot read {}: {err}", source.display()))?;
        if metadata.file_type().is_symlink() {
            let link = fs::read_link(&source)
                .map_err(|err| format!("cannot read {}: {err}", source.display()))?;
            symlink(&link, &target)?;
        } else if metadata.is_dir() {
            return Err(format!(
                "{}: git submodules are not supported",
                file.display()
            ));
        } else {
            fs::copy(&source, &target)
                .map_err(|err| format!("cannot copy {}: {err}", file.display()))?;
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(unix)]
fn symlink(link: &Path, at: &Path) -> Result<(), String> {
    std::os::unix::fs::symlink(link, at)
        .map_err(|err| format!("cannot create the symlink {}: {err}", at.display()))
}

#[cfg(not(unix))]
fn symlink(_link: &Path, at: &Path) -> Result<(), String> {
    Err(format!(
        "{}: symlinks are only copied on Unix",
        at.display()
    ))
}

/// A new, empty scratch directory under the temporary directory.
pub(super) fn scratch_dir(root: &Path, version: &Version) -> Result<PathBuf, String> {
    let temp = std::env::temp_dir();
    let temp = fs::canonicalize(&temp).unwrap_or(temp);
    if temp.starts_with(root) {
        return Err(format!(
            "the temporary directory {} is inside the workspace; set TMPDIR elsewhere",
            temp.display()
        ));
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let dir = temp.join(format!(
        "roomkv-release-{version}-{}-{nanos}",
        std::process::id()
    ));
    fs::create_dir(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    Ok(dir)
}
