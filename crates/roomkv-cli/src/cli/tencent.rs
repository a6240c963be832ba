//! `roomkv tencent ...`: Tencent Cloud Live rooms and room metadata, and UserSigs.
//!
//! Run by [`crate::tencent_cmd`]. As for RongCloud, ids, keys and values stay text here and are
//! parsed when the command runs.

use clap::builder::NonEmptyStringValueParser;
use clap::{Args, Subcommand};
use roomkv_tencent::Region;

use super::shared::{self, Secret};

/// `usersig generate`'s default lifetime: one day, the shortest Tencent recommends.
pub(crate) const DEFAULT_USERSIG_EXPIRE_SECS: u64 = 86_400;

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

const ROOM_EXAMPLES: &str = "\
Examples:
  roomkv tencent room create --room live-room
  roomkv tencent room info --room live-room
  roomkv tencent room destroy --room live-room";

const ROOM_CREATE_EXAMPLES: &str = "\
Examples:
  roomkv tencent room create --room live-room

Output:
  {\"ok\":true,\"room\":\"live-room\"}

An id that is taken fails with Tencent's code 100003 (exit code 1).";

const ROOM_DESTROY_EXAMPLES: &str = "\
Examples:
  roomkv tencent room destroy --room live-room

Output:
  {\"ok\":true,\"room\":\"live-room\"}

A room that does not exist fails with Tencent's code 100004 (exit code 1).";

const ROOM_INFO_EXAMPLES: &str = "\
Examples:
  roomkv tencent room info --room live-room

Output: Tencent's RoomInfo with Tencent's field names, absent fields left out:
  {\"RoomId\":\"live-room\",\"RoomType\":\"Live\",\"RoomName\":\"live-room\",\"Owner_Account\":\"administrator\",\"CreateTime\":1700000000}";

const METADATA_EXAMPLES: &str = "\
Examples:
  roomkv tencent metadata set --room live-room stage=quiz score=42
  roomkv tencent metadata get --room live-room
  roomkv tencent metadata delete --room live-room score";

const METADATA_SET_EXAMPLES: &str = "\
Examples:
  Two keys at once (a value may contain `=`):
    roomkv tencent metadata set --room live-room stage=quiz formula=a=b+c

Output:
  {\"ok\":true,\"room\":\"live-room\",\"entries\":[{\"key\":\"stage\",\"value\":\"quiz\"},{\"key\":\"formula\",\"value\":\"a=b+c\"}]}";

const METADATA_GET_EXAMPLES: &str = "\
Examples:
  All keys, then only two:
    roomkv tencent metadata get --room live-room
    roomkv tencent metadata get --room live-room stage score

Output (keys the room does not have are left out):
  {\"room\":\"live-room\",\"entries\":[{\"key\":\"stage\",\"value\":\"quiz\"}]}";

const METADATA_DELETE_EXAMPLES: &str = "\
Examples:
  roomkv tencent metadata delete --room live-room stage score

Output:
  {\"ok\":true,\"room\":\"live-room\",\"keys\":[\"stage\",\"score\"]}

Deleting keys of which none exist fails with Tencent's code 100503 (exit code 1); if some exist,
they are deleted and the command succeeds. More than 10 keys (Tencent's limit per request, and
per room) are refused before sending (exit code 2).";

const USERSIG_EXAMPLES: &str = "\
Examples:
  roomkv tencent usersig generate --identifier alice --expire 3600
  roomkv tencent usersig verify \"$USERSIG\" --identifier alice";

const USERSIG_GENERATE_EXAMPLES: &str = "\
Examples:
  A UserSig for the admin, valid for a day:
    roomkv tencent usersig generate

  One for user alice, valid for an hour:
    roomkv tencent usersig generate --identifier alice --expire 3600

Output:
  {\"usersig\":\"eJyrVgrxCdYrSy1Ssl...\",\"sdkappid\":1400000000,\"identifier\":\"alice\",\"expire\":3600,\"time\":1700000000}

The UserSig is printed because it is what was asked for. It is a bearer credential: whoever has
it can act as the identifier until it expires. The secret key itself is never printed.";

const USERSIG_VERIFY_EXAMPLES: &str = "\
Examples:
  roomkv tencent usersig verify \"$USERSIG\"
  roomkv tencent usersig verify \"$USERSIG\" --identifier alice

Output, for a valid UserSig (times in Unix seconds):
  {\"valid\":true,\"sdkappid\":1400000000,\"identifier\":\"alice\",\"time\":1700000000,\"expire\":3600,\"expires_at\":1700003600}

An invalid one: exit code 1 and one line on stderr naming the reason, `expired`, `mismatch` (of
the SDKAppID, the identifier, or the signature: another secret key) or `malformed`.";

/// Tencent Cloud Live rooms and room metadata, and UserSigs.
///
/// Credentials come from --sdkappid / --secret-key / --admin or from TENCENT_SDKAPPID /
/// TENCENT_SECRET_KEY / TENCENT_ADMIN (a flag wins over the environment). Requests go to a data
/// centre (--region, China by default) with failover to its backup host, or to one host
/// (--base-url), such as the local emulator.
#[derive(Debug, Args)]
#[command(
    subcommand_required = true,
    arg_required_else_help = true,
    after_long_help = TENCENT_EXAMPLES
)]
pub(crate) struct TencentArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: TencentCommand,
}

/// Credentials and where requests go; accepted before or after the subcommand.
#[derive(Debug, Args)]
pub(crate) struct Connection {
    /// `--sdkappid`, `--secret-key` and `--admin`.
    #[command(flatten)]
    pub(crate) credentials: Credentials,

    /// Data centre: china, singapore, seoul, frankfurt, mumbai, silicon-valley, jakarta
    /// [default: china]
    ///
    /// Requests go to its primary host and fail over to its backup.
    #[arg(
        long,
        value_name = "NAME",
        global = true,
        conflicts_with = "base_url",
        value_parser = shared::RegionParser(&Region::ALL),
        hide_possible_values = true,
        help_heading = "Connection"
    )]
    pub(crate) region: Option<Region>,

    /// `--base-url` and `--timeout`.
    #[command(flatten)]
    pub(crate) host: shared::HostArgs,
}

/// The app's credentials, shared by the Tencent commands and `roomkv copy`.
#[derive(Debug, Clone, Args)]
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
        after_long_help = ROOM_EXAMPLES
    )]
    Room(RoomCommand),

    /// Room metadata: up to 10 keys and 16 KB of values per room
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = METADATA_EXAMPLES
    )]
    Metadata(MetadataCommand),

    /// UserSigs (TLSSigAPIv2): generate one from the secret key, or check one
    ///
    /// Needs the SDKAppID and the secret key; sends nothing.
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = USERSIG_EXAMPLES
    )]
    Usersig(UsersigCommand),
}

/// `roomkv tencent room ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum RoomCommand {
    /// Create a Live room (create_room)
    #[command(after_long_help = ROOM_CREATE_EXAMPLES)]
    Create(RoomArgs),

    /// Dissolve a room and its metadata (destroy_room)
    #[command(after_long_help = ROOM_DESTROY_EXAMPLES)]
    Destroy(RoomArgs),

    /// Read a room's settings (get_room_info)
    #[command(after_long_help = ROOM_INFO_EXAMPLES)]
    Info(RoomArgs),
}

/// `--room R`.
#[derive(Debug, Args)]
pub(crate) struct RoomArgs {
    /// Room id (1 to 48 bytes of printable ASCII)
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,
}

/// `roomkv tencent metadata ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum MetadataCommand {
    /// Add or replace keys of a room's metadata (set_room_metadata)
    ///
    /// 1 to 10 pairs; keys of 1 to 50 bytes, values of at most 2048 bytes, 16384 bytes of
    /// values in all. Each pair is KEY=VALUE, split at the first `=`.
    #[command(after_long_help = METADATA_SET_EXAMPLES)]
    Set(MetadataSetArgs),

    /// Read the given keys of a room's metadata, or all of them (get_room_metadata)
    #[command(after_long_help = METADATA_GET_EXAMPLES)]
    Get(MetadataGetArgs),

    /// Delete keys of a room's metadata (del_room_metadata)
    ///
    /// 1 to 10 keys, Tencent's documented limit per request (and per room); more are refused
    /// before sending (exit 2), as `set` refuses more than 10 pairs.
    #[command(after_long_help = METADATA_DELETE_EXAMPLES)]
    Delete(MetadataDeleteArgs),

    /// Write every metadata key of a room as JSON lines (key, value)
    #[command(after_long_help = super::bulk::METADATA_EXPORT_EXAMPLES)]
    Export(super::bulk::ExportArgs),

    /// Set the keys of a JSON lines file in a room's metadata, skipping those already set
    ///
    /// The whole file is checked first (a bad line is refused with its line number, exit 2,
    /// nothing sent). Then the room is read and only keys whose value differs are set, in
    /// requests within Tencent's limits, so a rerun after an interruption skips what was
    /// applied and loses nothing. A progress bar on stderr when it is a terminal; a summary
    /// line always.
    #[command(after_long_help = super::bulk::METADATA_IMPORT_EXAMPLES)]
    Import(super::bulk::MetadataImportArgs),
}

/// `roomkv tencent metadata set`.
#[derive(Debug, Args)]
pub(crate) struct MetadataSetArgs {
    /// Room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Pairs to set, each KEY=VALUE (split at the first `=`)
    #[arg(value_name = "KEY=VALUE", required = true)]
    pub(crate) entries: Vec<String>,
}

/// `roomkv tencent metadata get`.
#[derive(Debug, Args)]
pub(crate) struct MetadataGetArgs {
    /// Room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Keys to read; none reads every key
    #[arg(value_name = "KEY")]
    pub(crate) keys: Vec<String>,
}

/// `roomkv tencent metadata delete`.
#[derive(Debug, Args)]
pub(crate) struct MetadataDeleteArgs {
    /// Room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Keys to delete, 1 to 10
    #[arg(value_name = "KEY", required = true)]
    pub(crate) keys: Vec<String>,
}

/// `roomkv tencent usersig ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum UsersigCommand {
    /// Generate a UserSig and print it with its claims
    ///
    /// The UserSig is the output asked for, so it is printed; the secret key is not.
    #[command(after_long_help = USERSIG_GENERATE_EXAMPLES)]
    Generate(UsersigGenerateArgs),

    /// Check a UserSig against the secret key, the SDKAppID and an identifier
    #[command(after_long_help = USERSIG_VERIFY_EXAMPLES)]
    Verify(UsersigVerifyArgs),
}

/// `roomkv tencent usersig generate`.
#[derive(Debug, Args)]
pub(crate) struct UsersigGenerateArgs {
    /// Account the UserSig is for (1 to 32 bytes) [default: the admin, --admin]
    #[arg(long, value_name = "ID")]
    pub(crate) identifier: Option<String>,

    /// How long the UserSig is valid, in seconds from now
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = DEFAULT_USERSIG_EXPIRE_SECS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub(crate) expire: u64,
}

/// `roomkv tencent usersig verify`.
#[derive(Debug, Args)]
pub(crate) struct UsersigVerifyArgs {
    /// The UserSig to check
    #[arg(value_name = "USERSIG")]
    pub(crate) usersig: Secret,

    /// Account the UserSig must be for [default: the admin, --admin]
    #[arg(long, value_name = "ID")]
    pub(crate) identifier: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::{CommandFactory as _, Parser};

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> TencentArgs {
        let argv = ["roomkv", "tencent"].iter().chain(args);
        match Cli::try_parse_from(argv) {
            Ok(Cli {
                command: Command::Tencent(args),
                ..
            }) => args,
            Ok(other) => panic!("{args:?} parsed as {other:?}"),
            Err(err) => panic!("{args:?}: {err}"),
        }
    }

    fn error_kind(args: &[&str]) -> ErrorKind {
        shared::usage_error_kind("tencent", args)
    }

    #[test]
    fn connection_flags_go_before_or_after_the_subcommand() {
        let flags = [
            "--sdkappid",
            "1400000001",
            "--secret-key",
            "key",
            "--admin",
            "ops",
            "--region",
            "frankfurt",
        ];
        let room = ["room", "info", "--room", "r"];
        for argv in [[&flags[..], &room].concat(), [&room[..], &flags].concat()] {
            let args = parse(&argv);
            assert_eq!(args.connection.credentials.sdkappid, Some(1_400_000_001));
            assert_eq!(
                args.connection
                    .credentials
                    .secret_key
                    .as_ref()
                    .map(Secret::expose),
                Some("key")
            );
            assert_eq!(args.connection.credentials.admin.as_deref(), Some("ops"));
            assert_eq!(args.connection.region, Some(Region::Frankfurt));
            assert!(matches!(
                args.command,
                TencentCommand::Room(RoomCommand::Info(RoomArgs { ref room })) if room == "r"
            ));
        }
    }

    #[test]
    fn subcommands_parse() {
        for (command, expected) in [
            ("create", "Create"),
            ("destroy", "Destroy"),
            ("info", "Info"),
        ] {
            let args = parse(&["room", command, "--room", "r"]);
            assert!(format!("{:?}", args.command).contains(expected));
        }
        let args = parse(&["metadata", "set", "--room", "r", "a=1", "b=x=y"]);
        let TencentCommand::Metadata(MetadataCommand::Set(set)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!(set.entries, ["a=1", "b=x=y"]);
        let args = parse(&["metadata", "get", "--room", "r"]);
        let TencentCommand::Metadata(MetadataCommand::Get(get)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert!(get.keys.is_empty());

        let args = parse(&["usersig", "generate"]);
        let TencentCommand::Usersig(UsersigCommand::Generate(generate)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!(generate.expire, DEFAULT_USERSIG_EXPIRE_SECS);
        assert_eq!(generate.identifier, None);

        let args = parse(&["usersig", "verify", "eJx", "--identifier", "alice"]);
        let TencentCommand::Usersig(UsersigCommand::Verify(verify)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!(verify.usersig.expose(), "eJx");
        assert_eq!(verify.identifier.as_deref(), Some("alice"));
    }

    #[test]
    fn usage_errors() {
        for (args, kind) in [
            (
                &["room"][..],
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
            ),
            (&["room", "create"], ErrorKind::MissingRequiredArgument),
            (
                &["metadata", "set", "--room", "r"],
                ErrorKind::MissingRequiredArgument,
            ),
            (
                &["metadata", "delete", "--room", "r"],
                ErrorKind::MissingRequiredArgument,
            ),
            (&["usersig", "verify"], ErrorKind::MissingRequiredArgument),
            (
                &["usersig", "generate", "--expire", "0"],
                ErrorKind::ValueValidation,
            ),
            (
                &["usersig", "generate", "--sdkappid", "0"],
                ErrorKind::ValueValidation,
            ),
            (
                &["usersig", "generate", "--sdkappid", "app"],
                ErrorKind::ValueValidation,
            ),
            (
                &["usersig", "generate", "--admin", ""],
                ErrorKind::InvalidValue,
            ),
            (
                &["room", "info", "--room", "r", "--region", "bj"],
                ErrorKind::ValueValidation,
            ),
            (
                &[
                    "room",
                    "info",
                    "--room",
                    "r",
                    "--region",
                    "seoul",
                    "--base-url",
                    "x",
                ],
                ErrorKind::ArgumentConflict,
            ),
        ] {
            assert_eq!(error_kind(args), kind, "{args:?}");
        }
    }

    #[test]
    fn the_documented_admin_default_is_the_clients() {
        let help = Cli::command()
            .find_subcommand_mut("tencent")
            .unwrap()
            .render_long_help()
            .to_string();
        let documented = format!("[default: {}]", roomkv_tencent::DEFAULT_ADMIN);
        assert!(
            help.contains(&documented),
            "{documented} missing from:\n{help}"
        );
    }

    #[test]
    fn the_secret_key_and_usersig_are_not_in_the_debug_dump() {
        let cli = Cli::try_parse_from([
            "roomkv",
            "tencent",
            "--secret-key",
            "T3ncent-s3cret",
            "usersig",
            "verify",
            "eJwUserSigText",
        ])
        .unwrap();
        let dump = format!("{cli:?} {cli:#?}");
        for secret in ["T3ncent-s3cret", "eJwUserSigText"] {
            assert!(!dump.contains(secret), "{dump}");
        }
    }
}
