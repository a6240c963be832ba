//! `roomkv`: the command-line tool of the roomkv workspace.
//!
//! `main` parses the command line ([`cli`]), sets up logging ([`logging`]) and a multi-thread
//! tokio runtime, and hands over to the subcommand's module. A subcommand returns a
//! [`failure::Failure`] (one line on stderr and an exit code) or succeeds with exit code 0;
//! usage errors are clap's (exit code 2).

mod bulk_cmd;
mod cli;
mod completions_cmd;
mod config;
mod config_cmd;
mod demo;
mod emulator_cmd;
mod failure;
mod logging;
mod man_cmd;
mod output;
mod parity;
mod rongcloud_cmd;
mod stats;
mod tencent_cmd;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.verbose);
    if cli.verbose > 0 {
        stats::install();
    }
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("roomkv")
        .build()
        .map_err(|err| Failure::runtime(format!("cannot start the async runtime: {err}")))
        .and_then(|runtime| runtime.block_on(run(cli.command, cli.profile.as_deref())));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let _ = writeln!(io::stderr(), "roomkv: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}

/// Runs `command`; the vendor commands with the settings of `profile` (`--profile`,
/// `ROOMKV_PROFILE`) under their flags.
async fn run(command: Command, profile: Option<&str>) -> Result<(), Failure> {
    match command {
        Command::Demo(args) => demo::run(args).await,
        Command::Emulator(args) => emulator_cmd::run(args).await,
        Command::RongCloud(args) => rongcloud_cmd::run(args, &config::selected(profile)?).await,
        Command::Tencent(args) => tencent_cmd::run(args, &config::selected(profile)?).await,
        Command::Copy(args) => bulk_cmd::copy(args, &config::selected(profile)?).await,
        Command::Parity(args) => parity::run(args, &config::selected(profile)?).await,
        Command::Config(args) => config_cmd::run(args, profile).await,
        Command::Completions(args) => completions_cmd::run(&args),
        Command::Man(args) => man_cmd::run(&args),
    }
}
