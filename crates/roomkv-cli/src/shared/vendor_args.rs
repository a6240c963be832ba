//! [`VendorArgs`]: `roomkv rongcloud ...` and `roomkv tencent ...` are one clap definition,
//! the vendor's connection flags ([`Connection`]) before or after its subcommand, filled in by
//! each vendor's [`VendorFlags`].

use std::fmt;
use std::str::FromStr;

use clap::{Args, Subcommand};

use super::connection::{HostArgs, RegionParser};

/// What a vendor brings to [`VendorArgs`]: its help texts, its data centres, its credential
/// flags and any connection flags of its own.
pub(crate) trait VendorFlags {
    /// `roomkv VENDOR --help`'s first line.
    const ABOUT: &'static str;
    /// `roomkv VENDOR --help`'s description.
    const LONG_ABOUT: &'static str;
    /// `roomkv VENDOR --help`'s examples and output.
    const EXAMPLES: &'static str;
    /// `--region`'s help line.
    const REGION_HELP: &'static str;
    /// `--region`'s description.
    const REGION_LONG_HELP: &'static str;
    /// The data centres, in the order `--region` offers them.
    const REGIONS: &'static [Self::Region];

    /// The vendor's data centres.
    type Region: FromStr<Err: std::error::Error + Send + Sync + 'static>
        + fmt::Display
        + fmt::Debug
        + Clone
        + Send
        + Sync
        + 'static;
    /// The credential flags, which `roomkv copy` and `roomkv parity` take too.
    type Credentials: Args + fmt::Debug + Clone;
    /// Connection flags of the vendor's own (RongCloud's `--dialect`).
    type Own: Args + fmt::Debug + Default;
    /// The subcommands.
    type Command: Subcommand + fmt::Debug;
}

/// `roomkv VENDOR [CONNECTION FLAGS] COMMAND ...`.
#[derive(Debug, Args)]
#[command(
    about = V::ABOUT,
    long_about = V::LONG_ABOUT,
    subcommand_required = true,
    arg_required_else_help = true,
    after_long_help = V::EXAMPLES
)]
pub(crate) struct VendorArgs<V: VendorFlags> {
    #[command(flatten)]
    pub(crate) connection: Connection<V>,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: V::Command,
}

/// Credentials and where requests go; accepted before or after the subcommand.
#[derive(Debug, Args)]
pub(crate) struct Connection<V: VendorFlags> {
    /// The vendor's credentials.
    #[command(flatten)]
    pub(crate) credentials: V::Credentials,

    #[arg(
        long,
        value_name = "NAME",
        global = true,
        conflicts_with = "base_url",
        value_parser = RegionParser(V::REGIONS),
        hide_possible_values = true,
        help_heading = "Connection",
        help = V::REGION_HELP,
        long_help = V::REGION_LONG_HELP
    )]
    pub(crate) region: Option<V::Region>,

    /// The vendor's own flags.
    #[command(flatten)]
    pub(crate) own: V::Own,

    /// `--base-url` and `--timeout`.
    #[command(flatten)]
    pub(crate) host: HostArgs,
}

impl<V: VendorFlags> Connection<V> {
    /// `credentials` with the connection flags `host` and no others (`roomkv copy`, a profile's
    /// ping).
    pub(crate) fn new(credentials: V::Credentials, host: HostArgs) -> Self {
        Self {
            credentials,
            region: None,
            own: V::Own::default(),
            host,
        }
    }
}

/// A vendor without connection flags of its own.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct NoFlags {}
