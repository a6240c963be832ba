//! `roomkv tencent ...`: Tencent Cloud Live rooms ([`room`]) and room metadata
//! ([`metadata`]), and UserSigs ([`usersig`]): the flags, the connection they describe and the
//! commands that run with it.
//!
//! As for RongCloud, ids, keys and values stay text in the flags and are parsed when the
//! command runs, before the client is built, so a bad id, key, value or `KEY=VALUE` is refused
//! (exit code 2) without a connection. Requests are sent with [`roomkv_tencent::Client::send`];
//! each command prints one JSON document.

pub(crate) mod metadata;
pub(crate) mod room;
pub(crate) mod usersig;

mod client;

use clap::Subcommand;
use roomkv_tencent::Region;

pub(crate) use self::client::{Connection, Credentials, Tencent, client};
use self::metadata::MetadataCommand;
use self::room::RoomCommand;
use self::usersig::UsersigCommand;
use crate::config::Profile;
use crate::failure::Failure;
use crate::shared::{NoFlags, VendorArgs, VendorFlags};

const TENCENT_EXAMPLES: &str = "\
Examples:
  Credentials from the environment, requests to the Singapore data centre:
    export TENCENT_SDKAPPID=1400000000 TENCENT_SECRET_KEY=your-secret-key
    roomkv tencent --region singapore metadata get --room live-room

  Against the local emulator (`roomkv emulator`) with its demo credentials:
    roomkv tencent room create --room live-room \\
      --base-url http://127.0.0.1:8787 --sdkappid 1400000000 --secret-key demo-secret-key

Requests are sent as the App admin (--admin, TENCENT_ADMIN, `administrator` by default) with
a UserSig generated from the secret key; neither the key nor that UserSig is ever printed.

Output: one JSON document on stdout, exit code 0. A request refused before sending (a value too
long, a bad KEY=VALUE, missing credentials): exit code 2 and one line on stderr naming the field
and the limit; nothing was sent. Tencent's error or a transport failure: exit code 1 and one line
on stderr with the code, Tencent's message and the request id (or the transport cause), saying
`outcome unknown` when a write may or may not have been applied.";

impl VendorFlags for Tencent {
    const ABOUT: &'static str = "Tencent Cloud Live rooms and room metadata, and UserSigs";
    const LONG_ABOUT: &'static str = "Tencent Cloud Live rooms and room metadata, and \
        UserSigs.\n\nCredentials come from --sdkappid / --secret-key / --admin or from \
        TENCENT_SDKAPPID / TENCENT_SECRET_KEY / TENCENT_ADMIN (a flag wins over the environment). \
        Requests go to a data centre (--region, China by default) with failover to its backup \
        host, or to one host (--base-url), such as the local emulator.";
    const EXAMPLES: &'static str = TENCENT_EXAMPLES;
    const REGION_HELP: &'static str = "Data centre: china, singapore, seoul, frankfurt, mumbai, \
        silicon-valley, jakarta [default: china]";
    const REGION_LONG_HELP: &'static str = "Data centre: china, singapore, seoul, frankfurt, \
        mumbai, silicon-valley, jakarta [default: china]\n\nRequests go to its primary host and \
        fail over to its backup.";
    const REGIONS: &'static [Region] = &Region::ALL;

    type Region = Region;
    type Credentials = Credentials;
    type Own = NoFlags;
    type Command = TencentCommand;
}

/// `roomkv tencent [CONNECTION FLAGS] COMMAND ...`.
pub(crate) type TencentArgs = VendorArgs<Tencent>;

/// The Tencent subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum TencentCommand {
    /// Live rooms: create, destroy, read and change their settings, list them
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = room::ROOM_EXAMPLES
    )]
    Room(RoomCommand),

    /// Room metadata: up to 10 keys and 16 KB of values per room
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = metadata::METADATA_EXAMPLES
    )]
    Metadata(MetadataCommand),

    /// UserSigs (TLSSigAPIv2): generate one from the secret key, or check one
    ///
    /// Needs the SDKAppID and the secret key; sends nothing.
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = usersig::USERSIG_EXAMPLES
    )]
    Usersig(UsersigCommand),
}

impl TencentArgs {
    /// Runs a `roomkv tencent` command, with `profile`'s settings under the flags'.
    pub(crate) async fn run(self, profile: &Profile) -> Result<(), Failure> {
        let connection = self.connection.with_profile(&profile.tencent)?;
        match self.command {
            TencentCommand::Room(command) => command.run(&connection).await,
            TencentCommand::Metadata(command) => command.run(&connection).await,
            TencentCommand::Usersig(command) => command.run(&connection, usersig::now_unix_secs()?),
        }
    }
}

#[cfg(test)]
mod tests;
