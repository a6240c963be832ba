//! `roomkv man --out-dir DIR`: the man pages (clap_mangen), `roomkv.1` and one page per
//! subcommand (`roomkv-rongcloud-entry-set.1`), as `cargo xtask man` and the release write them.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use clap_mangen::Man;
use roff::{Roff, roman};
use serde::Serialize;

use crate::failure::Failure;
use crate::output::print_json;

const MAN_EXAMPLES: &str = "\
Examples:
  roomkv man --out-dir ~/.local/share/man/man1
  man roomkv-rongcloud-entry-set";

/// Write the man pages: roomkv(1) and one per subcommand
#[derive(Debug, Args)]
#[command(after_long_help = MAN_EXAMPLES)]
pub(crate) struct ManArgs {
    /// Directory to write roomkv.1, roomkv-rongcloud.1, ... into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub(crate) out_dir: PathBuf,
}

/// The JSON document of `roomkv man`.
#[derive(Serialize)]
struct ManOut<'a> {
    ok: bool,
    out_dir: &'a Path,
    pages: Vec<String>,
}

impl ManArgs {
    /// Writes the pages of `command` (the whole command line) into `--out-dir`.
    pub(crate) fn run(&self, command: clap::Command) -> Result<(), Failure> {
        let args = self;
        let cannot = |err: io::Error| {
            Failure::runtime(format!(
                "cannot write the man pages into {}: {err}",
                args.out_dir.display()
            ))
        };
        fs::create_dir_all(&args.out_dir).map_err(cannot)?;
        let pages = write_pages(command, &args.out_dir).map_err(cannot)?;
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
}

/// Writes the page of `command` and of every visible subcommand into `dir`, parents first.
fn write_pages(command: clap::Command, dir: &Path) -> io::Result<Vec<PathBuf>> {
    fn write(command: &clap::Command, dir: &Path, pages: &mut Vec<PathBuf>) -> io::Result<()> {
        // No version: the pages a tree writes are then those of its next release too.
        let man = Man::new(command.clone()).source("roomkv");
        let path = dir.join(man.get_filename());
        let mut page = Vec::new();
        render(&man, command, &mut page)?;
        fs::write(&path, page)?;
        pages.push(path);
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            write(sub, dir, pages)?;
        }
        Ok(())
    }

    let mut command = command.disable_help_subcommand(true);
    command.build();
    let mut pages = Vec::new();
    write(&command, dir, &mut pages)?;
    Ok(pages)
}

/// clap_mangen's sections but the VERSION one, and the examples (`after_long_help`) are an EXAMPLES section
/// kept as written: clap_mangen fills them as prose, which joins their lines and makes troff
/// warn about the long JSON lines it cannot adjust.
fn render(man: &Man, command: &clap::Command, page: &mut dyn Write) -> io::Result<()> {
    man.render_title(page)?;
    man.render_name_section(page)?;
    man.render_synopsis_section(page)?;
    man.render_description_section(page)?;
    if command.get_arguments().any(|arg| !arg.is_hide_set()) {
        man.render_options_section(page)?;
    }
    if command.get_subcommands().any(|sub| !sub.is_hide_set()) {
        man.render_subcommands_section(page)?;
    }
    if let Some(examples) = command.get_after_long_help() {
        let mut roff = Roff::new();
        roff.control("SH", ["EXAMPLES"]).control("nf", []);
        let examples = examples.to_string();
        let examples = examples.strip_prefix("Examples:\n").unwrap_or(&examples);
        for line in examples.lines() {
            roff.text([roman(line)]);
        }
        roff.control("fi", []).to_writer(page)?;
    }
    Ok(())
}
