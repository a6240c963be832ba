//! `roomkv`: the command-line tool of the roomkv workspace.
//!
//! `main` parses the command line ([`cli`]), sets up logging ([`logging`]) and a multi-thread
//! tokio runtime, and hands over to the subcommand. Each command family is one module holding
//! its clap arguments, the `run` that executes them and its output documents, as
//! rust-analyzer's `flags` do: [`rongcloud`], [`tencent`], [`copy`], [`emulator`], [`demo`],
//! [`parity`], [`config_cmd`], [`completions`], [`man`]. What the two vendors' commands share is
//! in [`shared`], [`output`] and [`failure`], which depend on no command module.
//!
//! A subcommand returns a [`failure::Failure`] (one line on stderr and an exit code) or
//! succeeds with exit code 0; usage errors are clap's (exit code 2).

mod cli;
mod completions;
mod config;
mod config_cmd;
mod copy;
mod demo;
mod emulator;
mod failure;
mod logging;
mod man;
mod output;
mod parity;
mod rongcloud;
mod shared;
mod stats;
mod tencent;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser};

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
        Command::Demo(args) => args.run().await,
        Command::Emulator(args) => args.run().await,
        Command::RongCloud(args) => args.run(&config::selected(profile)?).await,
        Command::Tencent(args) => args.run(&config::selected(profile)?).await,
        Command::Copy(args) => args.run(&config::selected(profile)?).await,
        Command::Parity(args) => args.run(&config::selected(profile)?).await,
        Command::Config(args) => args.run(profile).await,
        Command::Completions(args) => args.run(Cli::command()),
        Command::Man(args) => args.run(Cli::command()),
    }
}
