//! The command line: the root of `roomkv`'s clap types, [`Cli`], and its subcommands,
//! [`Command`]. Each subcommand's arguments live in the module that runs them.

use clap::builder::NonEmptyStringValueParser;
use clap::{ArgAction, Parser, Subcommand};

use crate::completions::CompletionsArgs;
use crate::config_cmd::ConfigArgs;
use crate::copy::CopyArgs;
use crate::demo::DemoArgs;
use crate::emulator::EmulatorArgs;
use crate::man::ManArgs;
use crate::parity::ParityArgs;
use crate::rongcloud::RongCloudArgs;
use crate::tencent::TencentArgs;

const ROOT_EXAMPLES: &str = "\
Examples:
  Every operation of both vendors and their failure paths against an in-process emulator:
    roomkv demo

  Set a chat-room entry on the emulator, with its demo credentials:
    roomkv rongcloud entry set --base-url http://127.0.0.1:8787 --app-key demo-app-key \\
      --app-secret demo-app-secret --room r1 --user u1 --key stage --value quiz

  The same with the settings of a profile of the config file (see `roomkv config --help`):
    roomkv --profile staging rongcloud entry query --room r1

  Run the local emulator of both vendors on http://127.0.0.1:8787:
    roomkv emulator

  The same on a free port, named by the first line on stdout:
    roomkv emulator --listen 127.0.0.1:0

  Log what the emulator does on stderr:
    roomkv -vv emulator

  Replay a transcript of the real service against the emulator, step by step:
    roomkv parity check crates/roomkv-emulator/testdata/parity/emulator-default.jsonl";

/// roomkv: room attributes of RongCloud / Nexconn and Tencent Cloud Live, from the command line.
///
/// Chat-room KV entries and message expansions (RongCloud / Nexconn) and room metadata (Tencent
/// Cloud Live), plus a local emulator of both vendors for laptops and CI.
#[derive(Debug, Parser)]
#[command(
    name = "roomkv",
    version,
    subcommand_required = true,
    arg_required_else_help = true,
    after_long_help = ROOT_EXAMPLES
)]
pub(crate) struct Cli {
    /// More log output on stderr: -v info, -vv debug, -vvv trace (including dependencies)
    ///
    /// Without it nothing is logged; stdout carries only the command's own output either way.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub(crate) verbose: u8,

    /// Take the settings the flags and environment variables leave unset from this profile of
    /// the config file (see `roomkv config --help`)
    #[arg(
        long,
        value_name = "NAME",
        env = PROFILE_VAR,
        global = true,
        value_parser = NonEmptyStringValueParser::new()
    )]
    pub(crate) profile: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Demo(DemoArgs),
    // Help text: the doc comment of `EmulatorArgs`.
    Emulator(EmulatorArgs),

    // Help texts: the doc comments of `RongCloudArgs` and `TencentArgs`.
    #[command(name = "rongcloud")]
    RongCloud(RongCloudArgs),
    Tencent(TencentArgs),
    // Help text: the doc comment of `CopyArgs`.
    Copy(CopyArgs),
    // Help texts: the doc comments of `ConfigArgs`, `CompletionsArgs` and `ManArgs`.
    Config(ConfigArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
    // Help text: the doc comment of `ParityArgs`.
    Parity(ParityArgs),
}

/// The variable that names the profile when `--profile` does not.
pub(crate) const PROFILE_VAR: &str = "ROOMKV_PROFILE";

/// The command `roomkv VENDOR ARGS...` parses as; panics on a usage error.
#[cfg(test)]
pub(crate) fn vendor_command(vendor: &str, args: &[&str]) -> Command {
    let argv = ["roomkv", vendor].into_iter().chain(args.iter().copied());
    match Cli::try_parse_from(argv) {
        Ok(cli) => cli.command,
        Err(err) => panic!("{args:?}: {err}"),
    }
}

/// The kind of usage error `roomkv VENDOR ARGS...` ends with; panics when it parses.
#[cfg(test)]
pub(crate) fn usage_error_kind(vendor: &str, args: &[&str]) -> clap::error::ErrorKind {
    use clap::Parser;
    let argv = ["roomkv", vendor].into_iter().chain(args.iter().copied());
    match Cli::try_parse_from(argv) {
        Ok(cli) => panic!("{args:?} parsed: {cli:?}"),
        Err(err) => {
            assert_eq!(err.exit_code(), 2, "{args:?}");
            err.kind()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn the_command_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn error_kind(args: &[&str]) -> ErrorKind {
        match Cli::try_parse_from(args) {
            Ok(cli) => panic!("{args:?} parsed: {cli:?}"),
            Err(err) => err.kind(),
        }
    }

    #[test]
    fn verbosity_counts_before_or_after_the_subcommand() {
        let cli = Cli::try_parse_from(["roomkv", "-vv", "emulator"]).unwrap();
        assert_eq!(cli.verbose, 2);
        let cli = Cli::try_parse_from(["roomkv", "emulator", "-vvv"]).unwrap();
        assert_eq!(cli.verbose, 3);
        let cli = Cli::try_parse_from(["roomkv", "emulator"]).unwrap();
        assert_eq!(cli.verbose, 0);
    }

    #[test]
    fn a_subcommand_is_required() {
        assert_eq!(
            error_kind(&["roomkv"]),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
        assert_eq!(
            error_kind(&["roomkv", "nope"]),
            ErrorKind::InvalidSubcommand
        );
    }

    /// Every vendor command and subcommand, by its path from the root.
    fn vendor_commands() -> Vec<(String, clap::Command)> {
        use clap::CommandFactory;

        fn walk(path: String, command: &clap::Command, all: &mut Vec<(String, clap::Command)>) {
            for sub in command.get_subcommands() {
                if sub.get_name() != "help" {
                    walk(format!("{path} {}", sub.get_name()), sub, all);
                }
            }
            all.push((path, command.clone()));
        }

        let mut root = Cli::command();
        root.build();
        let mut all = Vec::new();
        for vendor in ["rongcloud", "tencent"] {
            let command = root.find_subcommand(vendor).expect(vendor);
            walk(format!("roomkv {vendor}"), command, &mut all);
        }
        all
    }

    #[test]
    fn every_vendor_command_has_examples() {
        let all = vendor_commands();
        // rongcloud: itself, entry + 7, expansion + 3; tencent: itself, room + 5,
        // metadata + 5, usersig + 2.
        assert_eq!(
            all.len(),
            1 + 8 + 4 + 1 + 6 + 6 + 3,
            "{:?}",
            all.iter().map(|c| &c.0).collect::<Vec<_>>()
        );
        for (path, mut command) in all {
            let examples = command
                .get_after_long_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(examples.starts_with("Examples:"), "{path}: {examples}");
            let help = command.render_long_help().to_string();
            assert!(help.contains("Examples:"), "{path}: {help}");
            if command.get_subcommands().next().is_none() {
                assert!(
                    examples.contains(path.as_str()),
                    "{path} shows no use of itself: {examples}"
                );
            }
        }
    }
}
