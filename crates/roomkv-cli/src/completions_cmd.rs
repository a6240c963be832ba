//! `roomkv completions SHELL`: a completion script (clap_complete) on stdout.
//!
//! Subcommands, flags and the values clap knows (regions, dialects, conversation types, shells)
//! come from the command definition; profile names from the config file, read when the script
//! is written.

use clap::CommandFactory as _;
use clap::builder::PossibleValuesParser;

use crate::cli::Cli;
use crate::cli::config::CompletionsArgs;
use crate::config::{ConfigFile, location};
use crate::failure::Failure;
use crate::output::print_text;

/// Prints the script for `args.shell`.
pub(crate) fn run(args: &CompletionsArgs) -> Result<(), Failure> {
    let mut command = with_profiles(Cli::command(), &profile_names());
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "roomkv", &mut script);
    let script = String::from_utf8(script)
        .map_err(|_| Failure::runtime("clap_complete wrote a script that is not UTF-8"))?;
    print_text(&script)
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
