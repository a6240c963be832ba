//! `roomkv parity record | check`: the flags of the parity snapshots, run by
//! [`crate::parity`].

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::shared;
use crate::{rongcloud, tencent};

const PARITY_EXAMPLES: &str = "\
Examples:
  Record the default scenario against your own accounts (credentials from the usual variables):
    export RONGCLOUD_APP_KEY=... RONGCLOUD_APP_SECRET=... TENCENT_SDKAPPID=... TENCENT_SECRET_KEY=...
    roomkv parity record --vendor rongcloud --base-url https://api.rong-api.com \\
      --output rongcloud.jsonl --var msg_uid=BRGM-DEN2-01E4-BN66 --var msg_from=alice --var msg_to=bob
    roomkv parity record --vendor tencent --base-url https://console.tim.qq.com --output tencent.jsonl

  Check that transcript against the emulator (in-process, default configuration):
    roomkv parity check rongcloud.jsonl";

const RECORD_EXAMPLES: &str = "\
Examples:
  Against the local emulator with its demo credentials:
    roomkv parity record --base-url http://127.0.0.1:8787 --output emulator.jsonl \\
      --app-key demo-app-key --app-secret demo-app-secret \\
      --sdkappid 1400000000 --secret-key demo-secret-key

  Against RongCloud's Singapore host (a real service is one vendor's host: --vendor), with a
  one-to-one message you sent with expansion enabled, for the expansion steps:
    roomkv parity record --vendor rongcloud --base-url https://api.sg-light-api.com \\
      --output rongcloud-sg.jsonl --var msg_uid=BRGM-DEN2-01E4-BN66 --var msg_from=alice \\
      --var msg_to=bob

Output (stdout; a note on stderr per skipped vendor and per reason steps were skipped for):
  {\"ok\":true,\"output\":\"emulator.jsonl\",\"target\":\"emulator\",\"recorded\":112,\"skipped\":0}";

const CHECK_EXAMPLES: &str = "\
Examples:
  Replay a transcript against a fresh in-process emulator (default configuration):
    roomkv parity check crates/roomkv-emulator/testdata/parity/emulator-default.jsonl

  Against a running emulator (or any server) instead, with its credentials:
    roomkv parity check emulator.jsonl --base-url http://127.0.0.1:8787 \\
      --app-key demo-app-key --app-secret demo-app-secret \\
      --sdkappid 1400000000 --secret-key demo-secret-key

Output: one line per step (`same` or `DIFF`, the differences indented below it), then a count.
Exit code 0 only when no step differs; 1 when one does, or a step could not be replayed.";

/// Parity snapshots: record what a server answers to a scenario, check another against it.
///
/// `record` runs a scenario (a list of raw requests to both vendors, signed here, bad signatures
/// and requests the clients would refuse included) against a base URL and writes a transcript:
/// JSON lines of request, HTTP status, vendor code and response body, secrets never written,
/// dynamic values normalised. `check` replays a transcript against another server (by default
/// an in-process emulator) and prints the differences step by step.
#[derive(Debug, Args)]
#[command(
    subcommand_required = true,
    arg_required_else_help = true,
    after_long_help = PARITY_EXAMPLES
)]
pub(crate) struct ParityArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: ParityCommand,
}

/// `roomkv parity ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ParityCommand {
    /// Run a scenario against a server and write its transcript
    ///
    /// Every room and message id the scenario creates starts with a prefix unique to the run;
    /// requests against a real service are paced (--pace), and every room the scenario names
    /// is cleaned up at the end, after a failed step too. A vendor without credentials is
    /// skipped with a note.
    #[command(after_long_help = RECORD_EXAMPLES)]
    Record(RecordArgs),

    /// Replay a transcript and print how the answers differ, step by step
    ///
    /// Status, vendor code, body shape and field values are compared after the transcript's
    /// normalisation. Exit code 0 only when nothing differs.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
}

/// `roomkv parity record`.
#[derive(Debug, Args)]
pub(crate) struct RecordArgs {
    /// The server to record: a vendor's host or the emulator (`http://` to loopback only)
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: String,

    /// The transcript to write (JSON lines)
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: PathBuf,

    /// A scenario file instead of the built-in default scenario
    #[arg(long, value_name = "FILE")]
    pub(crate) scenario: Option<PathBuf>,

    /// Variables, pace, credentials, `--vendor`, `--timeout`.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// `roomkv parity check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The transcript to replay, as `record` wrote it
    #[arg(value_name = "TRANSCRIPT")]
    pub(crate) transcript: PathBuf,

    /// Replay against this server, with the credentials of the usual flags and variables,
    /// instead of an in-process emulator with its default configuration
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,

    /// Variables, pace, credentials, `--vendor`, `--timeout`.
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// What `record` and `check` share: scenario variables, pace, both vendors' credentials (each
/// optional: a vendor without them is skipped), `--vendor` and the time limit of an exchange.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// A value for a scenario variable, NAME=VALUE (repeatable), such as
    /// msg_uid=BRGM-DEN2-01E4-BN66
    ///
    /// Against the emulator every variable has a default made through its control API; against
    /// a real service, steps using a variable without a value are skipped with a note.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub(crate) vars: Vec<String>,

    /// Seconds between two requests [default: 1 against a real service, 0 against the
    /// emulator]
    ///
    /// One request a second keeps the largest step (20 KV) at a fifth of RongCloud's 100 KV/s.
    #[arg(long, value_name = "SECONDS", value_parser = pace)]
    pub(crate) pace: Option<Duration>,

    /// `--app-key` and `--app-secret`.
    #[command(flatten)]
    pub(crate) rongcloud: rongcloud::Credentials,

    /// `--sdkappid`, `--secret-key` and `--admin`.
    #[command(flatten)]
    pub(crate) tencent: tencent::Credentials,

    /// Send only this vendor's steps (rongcloud or tencent); required against a real service
    /// when both vendors' credentials are set, since --base-url is one vendor's host
    #[arg(long, value_name = "VENDOR")]
    pub(crate) vendor: Option<shared::Vendor>,

    /// Time limit of each HTTP exchange, in seconds [default: 5]
    #[arg(long, value_name = "SECONDS", value_parser = shared::timeout)]
    pub(crate) timeout: Option<Duration>,
}

/// Parses `--pace SECONDS`: 0 or a finite number of seconds, at most a minute.
fn pace(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && (0.0..=60.0).contains(&secs) => {
            Ok(Duration::from_secs_f64(secs))
        }
        _ => Err(format!("`{text}` is not a number of seconds from 0 to 60")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_is_zero_to_a_minute() {
        assert_eq!(pace("0"), Ok(Duration::ZERO));
        assert_eq!(pace("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["-1", "61", "NaN", "inf", "soon", ""] {
            assert!(pace(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn record_needs_a_base_url_and_an_output() {
        use clap::Parser as _;
        use clap::error::ErrorKind;
        for args in [
            &["roomkv", "parity", "record", "--output", "x"][..],
            &[
                "roomkv",
                "parity",
                "record",
                "--base-url",
                "http://127.0.0.1:1",
            ],
        ] {
            let err = crate::cli::Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument, "{args:?}");
        }
        let cli = crate::cli::Cli::try_parse_from([
            "roomkv",
            "parity",
            "record",
            "--base-url",
            "http://127.0.0.1:1",
            "-o",
            "t.jsonl",
            "--var",
            "msg_uid=m",
            "--var",
            "msg_from=a",
            "--app-key",
            "k",
        ])
        .unwrap();
        let crate::cli::Command::Parity(ParityArgs {
            command: ParityCommand::Record(record),
        }) = cli.command
        else {
            panic!("not a record: {cli:?}")
        };
        assert_eq!(record.run.vars, ["msg_uid=m", "msg_from=a"]);
        assert_eq!(record.run.rongcloud.app_key.as_deref(), Some("k"));
        assert!(record.run.tencent.sdkappid.is_none());
    }
}
