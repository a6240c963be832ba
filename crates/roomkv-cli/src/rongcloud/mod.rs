//! `roomkv rongcloud ...`: chat-room KV entries ([`entry`]) and message expansions
//! ([`expansion`]) of RongCloud / Nexconn: the flags, the connection they describe and the
//! commands that run with it.
//!
//! Ids, keys and values stay text in the flags: they are parsed into the client's typed values
//! when the command runs, before the client is built and anything is sent, so a bad one is
//! refused the same way as any other request that breaks a documented limit (exit code 2, one
//! line, nothing sent). The client validates the whole request again (counts, duplicates, body
//! size) before sending it with [`roomkv_rongcloud::Client::send`]; each command prints one JSON
//! document.

pub(crate) mod entry;
pub(crate) mod expansion;

mod client;

use clap::Subcommand;
use roomkv_rongcloud::Region;

use self::client::DialectArgs;
pub(crate) use self::client::{Connection, Credentials, RongCloud, client};
use self::entry::EntryCommand;
use self::expansion::ExpansionCommand;
use crate::config::Profile;
use crate::failure::Failure;
use crate::shared::{VendorArgs, VendorFlags};

const RONGCLOUD_EXAMPLES: &str = "\
Examples:
  Credentials from the environment, requests to the Singapore data centre:
    export RONGCLOUD_APP_KEY=your-app-key RONGCLOUD_APP_SECRET=your-app-secret
    roomkv rongcloud --region singapore entry query --room room1

  Nexconn's v4 JSON API instead of the legacy form API (or RONGCLOUD_DIALECT=v4):
    roomkv rongcloud --dialect v4 entry query --room room1

  Against the local emulator (`roomkv emulator`) with its demo credentials:
    roomkv rongcloud entry set --room room1 --user anchor --key stage --value quiz \\
      --base-url http://127.0.0.1:8787 --app-key demo-app-key --app-secret demo-app-secret

Output: one JSON document on stdout, exit code 0. A request refused before sending (a key too
long, a bad KEY=VALUE, missing credentials): exit code 2 and one line on stderr naming the field
and the limit; nothing was sent. RongCloud's error or a transport failure: exit code 1 and one
line on stderr with the code, RongCloud's message and the request id (or the transport cause),
saying `outcome unknown` when a write may or may not have been applied.";

impl VendorFlags for RongCloud {
    const ABOUT: &'static str =
        "Chat-room KV entries and message expansions of RongCloud / Nexconn";
    const LONG_ABOUT: &'static str = "Chat-room KV entries and message expansions of RongCloud / \
        Nexconn.\n\nCredentials come from --app-key / --app-secret or from RONGCLOUD_APP_KEY / \
        RONGCLOUD_APP_SECRET (a flag wins over the environment). Requests go to a data centre \
        (--region, Beijing by default) with failover to its backup host, or to one host \
        (--base-url), such as the local emulator.";
    const EXAMPLES: &'static str = RONGCLOUD_EXAMPLES;
    const REGION_HELP: &'static str = "Data centre: beijing, singapore, singapore-b, \
        north-america, saudi-arabia (or bj, sg, sg-b, na, sau) [default: beijing]";
    const REGION_LONG_HELP: &'static str = "Data centre: beijing, singapore, singapore-b, \
        north-america, saudi-arabia (or bj, sg, sg-b, na, sau) [default: beijing]\n\nRequests go \
        to its primary host and fail over to its backup.";
    const REGIONS: &'static [Region] = &Region::ALL;

    type Region = Region;
    type Credentials = Credentials;
    type Own = DialectArgs;
    type Command = RongCloudCommand;
}

/// `roomkv rongcloud [CONNECTION FLAGS] COMMAND ...`.
pub(crate) type RongCloudArgs = VendorArgs<RongCloud>;

/// The RongCloud subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum RongCloudCommand {
    /// Chat-room KV entries ("open channel metadata" at Nexconn)
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = entry::ENTRY_EXAMPLES
    )]
    Entry(EntryCommand),

    /// Message expansions (key-value pairs attached to a one-to-one or group message)
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = expansion::EXPANSION_EXAMPLES
    )]
    Expansion(ExpansionCommand),
}

impl RongCloudArgs {
    /// Runs a `roomkv rongcloud` command, with `profile`'s settings under the flags'.
    pub(crate) async fn run(self, profile: &Profile) -> Result<(), Failure> {
        let connection = self.connection.with_profile(&profile.rongcloud)?;
        match self.command {
            RongCloudCommand::Entry(command) => command.run(&connection).await,
            RongCloudCommand::Expansion(command) => command.run(&connection).await,
        }
    }
}

#[cfg(test)]
mod tests;
