//! `roomkv man --out-dir DIR`: the man pages (clap_mangen), `roomkv.1` and one page per
//! subcommand (`roomkv-rongcloud-entry-set.1`), as `cargo xtask man` and the release write them.

use std::fs;
use std::path::{Path, PathBuf};

use clap::CommandFactory as _;
use serde::Serialize;

use crate::cli::Cli;
use crate::cli::config::ManArgs;
use crate::failure::Failure;
use crate::output::print_json;

/// The JSON document of `roomkv man`.
#[derive(Serialize)]
struct ManOut<'a> {
    ok: bool,
    out_dir: &'a Path,
    pages: Vec<String>,
}

/// Writes every page into `args.out_dir`.
pub(crate) fn run(args: &ManArgs) -> Result<(), Failure> {
    let cannot = |err: std::io::Error| {
        Failure::runtime(format!(
            "cannot write the man pages into {}: {err}",
            args.out_dir.display()
        ))
    };
    fs::create_dir_all(&args.out_dir).map_err(cannot)?;
    let pages = write_pages(&args.out_dir).map_err(cannot)?;
    print_json(&ManOut {
        ok: true,
        out_dir: &args.out_dir,
        pages: pages
            .iter()
            .filter_map(|page| page.file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect(),
    })
}

/// Writes the page of `roomkv` and of every visible subcommand into `dir`, parents first.
pub(crate) fn write_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    fn write(command: &clap::Command, dir: &Path, pages: &mut Vec<PathBuf>) -> std::io::Result<()> {
        pages.push(clap_mangen::Man::new(command.clone()).generate_to(dir)?);
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            write(sub, dir, pages)?;
        }
        Ok(())
    }

    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut pages = Vec::new();
    write(&command, dir, &mut pages)?;
    Ok(pages)
}
