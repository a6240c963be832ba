//! `roomkv completions SHELL`: a completion script (clap_complete) on stdout.
//!
//! Subcommands, flags and the values clap knows (regions, dialects, conversation types, shells)
//! come from the command definition; profile names from the config file, read when the script
//! is written.

use clap::Args;
use clap::builder::PossibleValuesParser;

use crate::config::{ConfigFile, location};
use crate::failure::Failure;
use crate::output::print_text;

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  bash:        roomkv completions bash > ~/.local/share/bash-completion/completions/roomkv
  zsh:         roomkv completions zsh > \"${fpath[1]}/_roomkv\"
  fish:        roomkv completions fish > ~/.config/fish/completions/roomkv.fish
  PowerShell:  roomkv completions powershell | Out-String | Invoke-Expression
  elvish:      roomkv completions elvish >> ~/.config/elvish/rc.elv

Profile names are those of the config file when the script is written: write it again after
adding a profile.";

/// Print a shell completion script on stdout
///
/// Completes subcommands, flags, region names, dialects and the config file's profile names.
#[derive(Debug, Args)]
#[command(after_long_help = COMPLETIONS_EXAMPLES)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

impl CompletionsArgs {
    /// Prints the script for `--shell` that completes `command` (the whole command line).
    pub(crate) fn run(&self, command: clap::Command) -> Result<(), Failure> {
        let mut command = with_profiles(command, &profile_names());
        let mut script = Vec::new();
        clap_complete::generate(self.shell, &mut command, "roomkv", &mut script);
        let script = String::from_utf8(script)
            .map_err(|_| Failure::runtime("clap_complete wrote a script that is not UTF-8"))?;
        print_text(&script)
    }
}

/// `command` with `names` as the possible values of `--profile`.
pub(crate) fn with_profiles(command: clap::Command, names: &[String]) -> clap::Command {
    if names.is_empty() {
        return command;
    }
    command.mut_arg("profile", |arg| {
        arg.value_parser(PossibleValuesParser::new(names.iter().cloned()))
            .hide_possible_values(true)
    })
}

/// The config file's profile names; none without a file. A file that cannot be used still
/// lets the script be written, without names; `-v` logs why.
fn profile_names() -> Vec<String> {
    let Some(path) = location::config_path(&location::process_env) else {
        return Vec::new();
    };
    if !path.exists() {
        return Vec::new();
    }
    match ConfigFile::load(&path) {
        Ok(file) => file.profiles.into_keys().collect(),
        Err(err) => {
            tracing::warn!("completions without profile names: {err}");
            Vec::new()
        }
    }
}
