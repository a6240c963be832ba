//! Argument types the vendor commands share: [`Secret`], [`Vendor`], [`HostArgs`],
//! [`RegionParser`] and the `--timeout` parser.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use clap::builder::{PossibleValue, TypedValueParser};

/// A secret taken from a flag or the environment (an App Secret, a secret key, a UserSig).
///
/// `Debug` prints `Secret(***)`, there is no `Display`, so a dump of the parsed arguments (a
/// `tracing` field, a test's panic message) never shows it. [`Secret::expose`] is the one way
/// to the text: keep its callers few.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// The secret's text, for the one place that needs it (a client builder, a verifier).
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl FromStr for Secret {
    type Err = &'static str;

    /// Any non-empty text. The error never repeats the value (it is empty anyway).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            Err("the value is empty")
        } else {
            Ok(Self(s.to_owned()))
        }
    }
}

/// Parses `--region NAME` with the vendor's `Region::from_str` (names, short codes, any case)
/// and offers the region names as possible values, for shell completions.
#[derive(Clone)]
pub(crate) struct RegionParser<R: 'static>(pub(crate) &'static [R]);

impl<R> TypedValueParser for RegionParser<R>
where
    R: FromStr<Err: std::error::Error + Send + Sync + 'static>
        + fmt::Display
        + Clone
        + Send
        + Sync
        + 'static,
{
    type Value = R;

    /// `FromStr`, with clap's own error (`invalid value 'mars' for '--region <NAME>': ...`).
    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<R, clap::Error> {
        (|text: &str| text.parse::<R>()).parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.0
                .iter()
                .map(|region| PossibleValue::new(region.to_string())),
        ))
    }
}

/// Parses `--timeout SECONDS`: a finite number of seconds greater than 0 (`0.5` is half a
/// second), at most a day.
pub(crate) fn timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    seconds(secs).map_err(|_| {
        format!("`{text}` is not a number of seconds greater than 0 and at most {MAX_SECS}")
    })
}

/// The longest `--timeout` or `--max-rate-wait`: a day.
const MAX_SECS: f64 = 86_400.0;

/// A duration of `secs` seconds, finite, greater than 0 and at most a day: what `--timeout` and
/// `--max-rate-wait` take, on the command line or in a profile.
pub(crate) fn seconds(secs: f64) -> Result<Duration, String> {
    if secs.is_finite() && secs > 0.0 && secs <= MAX_SECS {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "{secs} is not a number of seconds greater than 0 and at most {MAX_SECS}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_debug_printed() {
        let secret: Secret = "s3cr3t".parse().unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(***))");
        assert_eq!(secret.expose(), "s3cr3t");
        assert_eq!("".parse::<Secret>(), Err("the value is empty"));
    }

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(timeout("5"), Ok(Duration::from_secs(5)));
        assert_eq!(timeout("0.25"), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "NaN", "inf", "soon", "", "86401"] {
            assert!(timeout(bad).is_err(), "{bad}");
        }
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

        let mut root = crate::cli::Cli::command();
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
        // rongcloud: itself, entry + 7, expansion + 3; tencent: itself, room + 3,
        // metadata + 5, usersig + 2.
        assert_eq!(
            all.len(),
            1 + 8 + 4 + 1 + 4 + 6 + 3,
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

    #[test]
    fn the_documented_timeout_default_is_the_clients() {
        assert_eq!(roomkv_rongcloud::DEFAULT_TIMEOUT, Duration::from_secs(5));
        assert_eq!(roomkv_tencent::DEFAULT_TIMEOUT, Duration::from_secs(5));
    }
}

/// One of the two vendors, as the CLI spells them (`roomkv rongcloud ...`, `--vendor tencent`,
/// a parity scenario's `"vendor": "tencent"`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub(crate) enum Vendor {
    /// RongCloud / Nexconn.
    RongCloud,
    /// Tencent Cloud Live.
    Tencent,
}

impl Vendor {
    /// `rongcloud` or `tencent`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::RongCloud => "rongcloud",
            Self::Tencent => "tencent",
        }
    }
}

/// The connection options both vendors take beside their credentials and region.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub(crate) struct HostArgs {
    /// Send every request to this one host instead, such as the emulator
    /// (http://127.0.0.1:8787)
    ///
    /// `https://`, or `http://` to a loopback host only; no failover.
    #[arg(long, value_name = "URL", global = true, help_heading = "Connection")]
    pub(crate) base_url: Option<String>,

    /// Time limit of each HTTP exchange, in seconds [default: 5]
    #[arg(
        long,
        value_name = "SECONDS",
        global = true,
        value_parser = timeout,
        help_heading = "Connection"
    )]
    pub(crate) timeout: Option<Duration>,

    /// The client-side rate limiter.
    #[command(flatten)]
    pub(crate) quota: super::quota::QuotaArgs,
}

/// The kind of usage error `roomkv VENDOR ARGS...` ends with; panics when it parses.
#[cfg(test)]
pub(crate) fn usage_error_kind(vendor: &str, args: &[&str]) -> clap::error::ErrorKind {
    use clap::Parser;
    let argv = ["roomkv", vendor].into_iter().chain(args.iter().copied());
    match crate::cli::Cli::try_parse_from(argv) {
        Ok(cli) => panic!("{args:?} parsed: {cli:?}"),
        Err(err) => {
            assert_eq!(err.exit_code(), 2, "{args:?}");
            err.kind()
        }
    }
}
