//! `cargo xtask man`: the man pages of the `roomkv` binary, `roomkv.1` and one page per
//! subcommand, written by `roomkv man --out-dir` (clap_mangen) into `<target>/man/`.
//!
//! The release rehearsal (`cargo xtask release`) puts the same pages into the packaged CLI
//! crate. They carry no version, so the pages this tree writes are those of the release.

use std::fs;
use std::path::Path;

use crate::{capture, cargo_program, project_root, show, target_dir};

/// The package whose binary writes the pages, and where its `.crate` holds them.
pub(crate) const CLI_PACKAGE: &str = "roomkv-cli";
/// The pages' directory inside the CLI package.
pub(crate) const PACKAGE_DIR: &str = "man";

/// `cargo xtask man`.
pub(crate) fn run() -> Result<(), String> {
    let out = target_dir()?.join("man");
    let pages = write_pages(&project_root(), &out)?;
    eprintln!("man: {pages} pages in {}", out.display());
    Ok(())
}

/// Builds `roomkv` in `workspace` and writes its pages into `out`, emptied first so that no
/// page of a removed subcommand stays; the number of pages.
pub(crate) fn write_pages(workspace: &Path, out: &Path) -> Result<usize, String> {
    if out.exists() {
        fs::remove_dir_all(out).map_err(|err| format!("cannot empty {}: {err}", out.display()))?;
    }
    let mut command = std::process::Command::new(cargo_program());
    command
        .current_dir(workspace)
        .args(["run", "--quiet", "--locked", "--package", CLI_PACKAGE])
        .args(["--bin", "roomkv", "--", "man", "--out-dir"])
        .arg(out);
    eprintln!("==> {}", show(&command));
    capture(&mut command)?;
    let pages = fs::read_dir(out)
        .map_err(|err| format!("{}: {err}", out.display()))?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "1"))
        .count();
    if pages == 0 {
        return Err(format!("`roomkv man` wrote no page into {}", out.display()));
    }
    Ok(pages)
}
