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

use clap::builder::NonEmptyStringValueParser;
use clap::{Args, Subcommand};
use roomkv_tencent::{Client, Identifier, Region, SecretKey};

use self::metadata::MetadataCommand;
use self::room::RoomCommand;
use self::usersig::UsersigCommand;
use crate::config::Profile;
use crate::config::apply::{fill, fill_endpoint, fill_secret};
use crate::config::file::TencentProfile;
use crate::failure::Failure;
use crate::output::one_line;
use crate::shared::{self, NoFlags, Secret, VendorArgs, VendorFlags};

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

/// Tencent Cloud Live, for [`VendorArgs`].
#[derive(Debug)]
pub(crate) struct Tencent;

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

/// Tencent's credentials and where its requests go.
pub(crate) type Connection = shared::Connection<Tencent>;

/// The app's credentials, shared by the Tencent commands and `roomkv copy`.
#[derive(Debug, Clone, Default, Args)]
#[group(id = "tencent_credentials")]
pub(crate) struct Credentials {
    /// SDKAppID, from the Tencent console
    #[arg(
        long,
        env = "TENCENT_SDKAPPID",
        value_name = "ID",
        global = true,
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Connection"
    )]
    pub(crate) sdkappid: Option<u64>,

    /// Secret key, which signs the admin UserSig; never printed
    ///
    /// Prefer the environment variable: other local users can see command lines.
    #[arg(
        long,
        env = "TENCENT_SECRET_KEY",
        hide_env_values = true,
        value_name = "KEY",
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) secret_key: Option<Secret>,

    /// App admin account that requests are sent as (identifier) [default: administrator]
    #[arg(
        long,
        env = "TENCENT_ADMIN",
        value_name = "USER",
        global = true,
        value_parser = NonEmptyStringValueParser::new(),
        help_heading = "Connection"
    )]
    pub(crate) admin: Option<String>,
}

impl Credentials {
    /// The admin account requests are sent as: `--admin` / `TENCENT_ADMIN` / the profile's,
    /// else [`roomkv_tencent::DEFAULT_ADMIN`].
    pub(crate) fn admin(&self) -> &str {
        self.admin
            .as_deref()
            .unwrap_or(roomkv_tencent::DEFAULT_ADMIN)
    }
}

/// The Tencent subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum TencentCommand {
    /// Live rooms: create, destroy, read their settings
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

/// The app the connection flags name: SDKAppID, secret key, admin. Missing ones are refusals.
pub(crate) struct App<'a> {
    /// The SDKAppID.
    pub(crate) sdkappid: u64,
    secret_key: &'a Secret,
    /// The admin account requests are sent as.
    pub(crate) admin: Identifier,
}

impl<'a> App<'a> {
    /// The app of `connection`'s credentials.
    pub(crate) fn of(connection: &'a Connection) -> Result<Self, Failure> {
        let sdkappid = connection.credentials.sdkappid.ok_or_else(|| {
            Failure::refused(
                "the Tencent SDKAppID is missing: pass --sdkappid or set TENCENT_SDKAPPID",
            )
        })?;
        let secret_key = connection.credentials.secret_key.as_ref().ok_or_else(|| {
            Failure::refused(
                "the Tencent secret key is missing: pass --secret-key or set TENCENT_SECRET_KEY",
            )
        })?;
        Ok(Self {
            sdkappid,
            secret_key,
            admin: Identifier::parse(connection.credentials.admin())?,
        })
    }

    /// The secret key, for the client or the UserSig functions.
    pub(crate) fn secret_key(&self) -> SecretKey {
        SecretKey::new(self.secret_key.expose())
    }
}

/// The client the connection flags describe. An invalid `--base-url` is a refusal.
pub(crate) fn client(connection: &Connection) -> Result<Client, Failure> {
    let app = App::of(connection)?;
    let builder = Client::builder()
        .sdkappid(app.sdkappid)
        .secret_key(app.secret_key())
        .admin(app.admin);
    connection
        .host
        .configure(builder, connection.region)?
        .build()
        .map_err(|err| Failure::refused(one_line(&format!("invalid client configuration: {err}"))))
}

impl Credentials {
    /// These credentials over the profile's `[tencent]` table.
    pub(crate) fn fill_from(&mut self, profile: &TencentProfile) -> Result<(), Failure> {
        fill(&mut self.sdkappid, profile.sdkappid.as_ref());
        fill_secret(&mut self.secret_key, profile.secret_key.as_ref())?;
        fill(&mut self.admin, profile.admin.as_ref());
        Ok(())
    }
}

impl Connection {
    /// These settings over the profile's `[tencent]` table.
    pub(crate) fn with_profile(mut self, profile: &TencentProfile) -> Result<Self, Failure> {
        self.credentials.fill_from(profile)?;
        fill_endpoint(&mut self.region, &mut self.host, profile.endpoint.as_ref());
        self.host.fill_from(&profile.host)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests;
