//! `roomkv rongcloud ...`: chat-room KV entries and message expansions of RongCloud / Nexconn.
//!
//! Run by [`crate::rongcloud_cmd`]. Ids, keys and values stay text here: they are parsed into
//! the client's typed values when the command runs, so that a bad one is refused the same way
//! as any other request that breaks a documented limit (exit code 2, one line, nothing sent).

use clap::builder::TypedValueParser as _;
use clap::{Args, Subcommand, ValueEnum};
use roomkv_rongcloud::{ConversationType, Dialect, Region};

use super::shared::{self, Secret};

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

const ENTRY_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud entry set --room room1 --user anchor --key stage --value quiz
  roomkv rongcloud entry batch-set --room room1 --owner anchor seat-1=alice seat-2=bob
  roomkv rongcloud entry query --room room1
  roomkv rongcloud entry remove --room room1 --user anchor --key stage --notify
  roomkv rongcloud entry batch-remove --room room1 --owner anchor seat-1 seat-2";

const ENTRY_SET_EXAMPLES: &str = "\
Examples:
  Set `stage` in room1, owned by anchor:
    roomkv rongcloud entry set --room room1 --user anchor --key stage --value quiz

  A seat that goes away when its owner leaves, announced to the room:
    roomkv rongcloud entry set --room room1 --user alice --key seat-3 --value alice \\
      --auto-delete --notify --notify-extra 'alice took seat 3'

Output:
  {\"ok\":true,\"room\":\"room1\",\"user\":\"anchor\",\"key\":\"stage\",\"value\":\"quiz\",\"auto_delete\":false,\"notify\":false}";

const ENTRY_BATCH_SET_EXAMPLES: &str = "\
Examples:
  Two entries at once, both owned by anchor (a value may contain `=`):
    roomkv rongcloud entry batch-set --room room1 --owner anchor stage=quiz formula=a=b+c

Output:
  {\"ok\":true,\"room\":\"room1\",\"owner\":\"anchor\",\"auto_delete\":false,\"entries\":[{\"key\":\"stage\",\"value\":\"quiz\"},{\"key\":\"formula\",\"value\":\"a=b+c\"}]}";

const ENTRY_REMOVE_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud entry remove --room room1 --user anchor --key stage
  roomkv rongcloud entry remove --room room1 --user anchor --key stage --notify --notify-extra bye

Output:
  {\"ok\":true,\"room\":\"room1\",\"user\":\"anchor\",\"key\":\"stage\",\"notify\":false}

A key the room does not have fails with RongCloud's code 1015 (exit code 1).";

const ENTRY_BATCH_REMOVE_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud entry batch-remove --room room1 --owner anchor seat-1 seat-2

Output:
  {\"ok\":true,\"room\":\"room1\",\"owner\":\"anchor\",\"keys\":[\"seat-1\",\"seat-2\"]}";

const ENTRY_QUERY_EXAMPLES: &str = "\
Examples:
  Every entry of room1, then only two of them:
    roomkv rongcloud entry query --room room1
    roomkv rongcloud entry query --room room1 stage seat-1

Output (keys the room does not have are left out):
  {\"room\":\"room1\",\"entries\":[{\"key\":\"stage\",\"value\":\"quiz\",\"user_id\":\"anchor\",\"auto_delete\":false,\"last_set_time_ms\":1700000000000}]}";

const EXPANSION_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion set --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation group --target group1 likes=3
  roomkv rongcloud expansion query --msg-uid BRGM-DEN2-01E4-BN66
  roomkv rongcloud expansion delete --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation group --target group1 likes";

const EXPANSION_SET_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion set --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation group --target group1 likes=3 pinned=yes

Output:
  {\"ok\":true,\"msg_uid\":\"BRGM-DEN2-01E4-BN66\",\"user\":\"alice\",\"conversation\":\"group\",\"target\":\"group1\",\"sync_sender\":false,\"entries\":[{\"key\":\"likes\",\"value\":\"3\"},{\"key\":\"pinned\",\"value\":\"yes\"}]}";

const EXPANSION_DELETE_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion delete --msg-uid BRGM-DEN2-01E4-BN66 --user alice \\
    --conversation private --target bob --sync-sender likes

Output:
  {\"ok\":true,\"msg_uid\":\"BRGM-DEN2-01E4-BN66\",\"user\":\"alice\",\"conversation\":\"private\",\"target\":\"bob\",\"sync_sender\":true,\"keys\":[\"likes\"]}";

const EXPANSION_QUERY_EXAMPLES: &str = "\
Examples:
  roomkv rongcloud expansion query --msg-uid BRGM-DEN2-01E4-BN66
  roomkv rongcloud expansion query --msg-uid BRGM-DEN2-01E4-BN66 --page 2

Output (`version` is RongCloud's `ts` of the last change):
  {\"msg_uid\":\"BRGM-DEN2-01E4-BN66\",\"page\":1,\"entries\":[{\"key\":\"likes\",\"value\":\"3\",\"version\":1700000000001}]}";

/// Chat-room KV entries and message expansions of RongCloud / Nexconn.
///
/// Credentials come from --app-key / --app-secret or from RONGCLOUD_APP_KEY /
/// RONGCLOUD_APP_SECRET (a flag wins over the environment). Requests go to a data centre
/// (--region, Beijing by default) with failover to its backup host, or to one host
/// (--base-url), such as the local emulator.
#[derive(Debug, Args)]
#[command(
    subcommand_required = true,
    arg_required_else_help = true,
    after_long_help = RONGCLOUD_EXAMPLES
)]
pub(crate) struct RongCloudArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: RongCloudCommand,
}

/// Credentials and where requests go; accepted before or after the subcommand.
#[derive(Debug, Args)]
pub(crate) struct Connection {
    /// `--app-key` and `--app-secret`.
    #[command(flatten)]
    pub(crate) credentials: Credentials,

    /// Data centre: beijing, singapore, singapore-b, north-america, saudi-arabia (or bj, sg,
    /// sg-b, na, sau) [default: beijing]
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

    /// API dialect: legacy (RongCloud's form API) or v4 (Nexconn's JSON /v4 API) [default:
    /// legacy]
    ///
    /// Every command works in both. v4 has no single-key set or remove (they are sent as a
    /// batch of one) and cannot carry a notification: `--notify` is refused in v4.
    #[arg(
        long,
        value_name = "DIALECT",
        env = "RONGCLOUD_DIALECT",
        global = true,
        value_parser = clap::builder::PossibleValuesParser::new(["legacy", "v4"])
            .map(|s| s.parse::<Dialect>().expect("a possible value")),
        help_heading = "Connection"
    )]
    pub(crate) dialect: Option<Dialect>,

    /// `--base-url` and `--timeout`.
    #[command(flatten)]
    pub(crate) host: shared::HostArgs,
}

/// The app's credentials, shared by the RongCloud commands and `roomkv copy`.
#[derive(Debug, Clone, Args)]
#[group(id = "rongcloud_credentials")]
pub(crate) struct Credentials {
    /// App Key, from the RongCloud / Nexconn console
    #[arg(
        long,
        env = "RONGCLOUD_APP_KEY",
        value_name = "KEY",
        global = true,
        value_parser = clap::builder::NonEmptyStringValueParser::new(),
        help_heading = "Connection"
    )]
    pub(crate) app_key: Option<String>,

    /// App Secret, which signs every request; never printed
    ///
    /// Prefer the environment variable: other local users can see command lines.
    #[arg(
        long,
        env = "RONGCLOUD_APP_SECRET",
        hide_env_values = true,
        value_name = "SECRET",
        global = true,
        help_heading = "Connection"
    )]
    pub(crate) app_secret: Option<Secret>,
}

/// The RongCloud subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum RongCloudCommand {
    /// Chat-room KV entries ("open channel metadata" at Nexconn)
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = ENTRY_EXAMPLES
    )]
    Entry(EntryCommand),

    /// Message expansions (key-value pairs attached to a one-to-one or group message)
    #[command(
        subcommand,
        subcommand_required = true,
        arg_required_else_help = true,
        after_long_help = EXPANSION_EXAMPLES
    )]
    Expansion(ExpansionCommand),
}

/// `roomkv rongcloud entry ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum EntryCommand {
    /// Set one entry of a chat room, owned by --user (/chatroom/entry/set.json)
    ///
    /// Keys are 1 to 128 characters of A-Z a-z 0-9 + = - _; values at most 4096 characters.
    /// Setting a key another user owns is refused by RongCloud.
    #[command(after_long_help = ENTRY_SET_EXAMPLES)]
    Set(EntrySetArgs),

    /// Set up to 20 entries at once, all owned by --owner (/chatroom/entry/batch/set.json)
    ///
    /// Overwrites existing owners and values. Each entry is KEY=VALUE, split at the first `=`.
    #[command(after_long_help = ENTRY_BATCH_SET_EXAMPLES)]
    BatchSet(EntryBatchSetArgs),

    /// Remove one entry, as its owner --user (/chatroom/entry/remove.json)
    #[command(after_long_help = ENTRY_REMOVE_EXAMPLES)]
    Remove(EntryRemoveArgs),

    /// Remove up to 20 entries at once, whoever owns them (/chatroom/entry/batch/remove.json)
    ///
    /// RongCloud requires an owner id but does not check that it owns the keys.
    #[command(after_long_help = ENTRY_BATCH_REMOVE_EXAMPLES)]
    BatchRemove(EntryBatchRemoveArgs),

    /// Read the given entries of a chat room, or all of them (/chatroom/entry/query.json)
    #[command(after_long_help = ENTRY_QUERY_EXAMPLES)]
    Query(EntryQueryArgs),

    /// Write every entry of a chat room as JSON lines (key, value, owner, auto_delete)
    #[command(after_long_help = super::bulk::ENTRY_EXPORT_EXAMPLES)]
    Export(super::bulk::ExportArgs),

    /// Set the entries of a JSON lines file in a chat room, skipping those already set
    ///
    /// The whole file is checked first (a bad line is refused with its line number, exit 2,
    /// nothing sent). Then the room is read and only keys whose value differs are set, in
    /// batches of at most 20, so a rerun after an interruption skips what was applied and
    /// loses nothing. A progress bar on stderr when it is a terminal; a summary line always.
    #[command(after_long_help = super::bulk::ENTRY_IMPORT_EXAMPLES)]
    Import(super::bulk::EntryImportArgs),
}

/// `roomkv rongcloud entry set`.
#[derive(Debug, Args)]
pub(crate) struct EntrySetArgs {
    /// Chat room id (1 to 64 bytes)
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// User who sets the entry and owns it (1 to 64 bytes)
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,

    /// Entry key
    #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
    pub(crate) key: String,

    /// Entry value (may be empty)
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub(crate) value: String,

    /// Delete the entry when its owner leaves the room
    #[arg(long)]
    pub(crate) auto_delete: bool,

    #[command(flatten)]
    pub(crate) notify: NotifyArgs,
}

/// `--notify [--notify-extra X]`: the chat-room KV notification (`RC:chrmKVNotiMsg`).
#[derive(Debug, Args)]
pub(crate) struct NotifyArgs {
    /// Post RongCloud's KV change notification (RC:chrmKVNotiMsg) to the room
    ///
    /// A write that notifies is never sent twice: after a lost reply it fails with `outcome
    /// unknown` instead. Refused with `--dialect v4`, whose writes carry no notification.
    #[arg(long)]
    pub(crate) notify: bool,

    /// Extra text carried by the notification (needs --notify)
    #[arg(
        long,
        value_name = "TEXT",
        requires = "notify",
        allow_hyphen_values = true
    )]
    pub(crate) notify_extra: Option<String>,
}

/// `roomkv rongcloud entry batch-set`.
#[derive(Debug, Args)]
pub(crate) struct EntryBatchSetArgs {
    /// Chat room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// User who owns every entry set
    #[arg(long, value_name = "USER")]
    pub(crate) owner: String,

    /// Delete the entries when their owner leaves the room
    #[arg(long)]
    pub(crate) auto_delete: bool,

    /// Entries to set, 1 to 20, each KEY=VALUE (split at the first `=`)
    #[arg(value_name = "KEY=VALUE", required = true)]
    pub(crate) entries: Vec<String>,
}

/// `roomkv rongcloud entry remove`.
#[derive(Debug, Args)]
pub(crate) struct EntryRemoveArgs {
    /// Chat room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// User who removes the entry; must own it
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,

    /// Entry key
    #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
    pub(crate) key: String,

    #[command(flatten)]
    pub(crate) notify: NotifyArgs,
}

/// `roomkv rongcloud entry batch-remove`.
#[derive(Debug, Args)]
pub(crate) struct EntryBatchRemoveArgs {
    /// Chat room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Owner id RongCloud requires with the request (it does not check ownership)
    #[arg(long, value_name = "USER")]
    pub(crate) owner: String,

    /// Keys to remove, 1 to 20
    #[arg(value_name = "KEY", required = true)]
    pub(crate) keys: Vec<String>,
}

/// `roomkv rongcloud entry query`.
#[derive(Debug, Args)]
pub(crate) struct EntryQueryArgs {
    /// Chat room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Keys to read, up to 100; none reads every entry
    #[arg(value_name = "KEY")]
    pub(crate) keys: Vec<String>,
}

/// `roomkv rongcloud expansion ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ExpansionCommand {
    /// Set up to 100 expansions of a message (/message/expansion/set.json)
    ///
    /// Keys are 1 to 32 characters of A-Z a-z 0-9 + = - _; values at most 4096 characters.
    /// RongCloud posts an expansion message to the conversation, so a lost reply is never
    /// repeated: it fails with `outcome unknown` instead.
    #[command(after_long_help = EXPANSION_SET_EXAMPLES)]
    Set(ExpansionSetArgs),

    /// Delete up to 100 expansions of a message (/message/expansion/delete.json)
    #[command(after_long_help = EXPANSION_DELETE_EXAMPLES)]
    Delete(ExpansionDeleteArgs),

    /// Read a message's expansions, one page of up to 300 (/message/expansion/query.json)
    #[command(after_long_help = EXPANSION_QUERY_EXAMPLES)]
    Query(ExpansionQueryArgs),
}

/// The message an expansion write is about, and who writes.
#[derive(Debug, Args)]
pub(crate) struct ExpansionTarget {
    /// The message's UID (msgUID, 1 to 64 bytes)
    #[arg(long, value_name = "M")]
    pub(crate) msg_uid: String,

    /// User who makes the change
    #[arg(long, value_name = "USER")]
    pub(crate) user: String,

    /// The message's conversation
    #[arg(long, value_name = "TYPE")]
    pub(crate) conversation: Conversation,

    /// The conversation's target: the other user (private) or the group id (group)
    #[arg(long, value_name = "T")]
    pub(crate) target: String,

    /// Sync the change to the operator's own other devices too (isSyncSender)
    #[arg(long)]
    pub(crate) sync_sender: bool,
}

/// `--conversation private|group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Conversation {
    /// One-to-one chat (conversationType 1)
    Private,
    /// Group chat (conversationType 3)
    Group,
}

impl Conversation {
    /// The client's type.
    pub(crate) fn to_type(self) -> ConversationType {
        match self {
            Self::Private => ConversationType::Private,
            Self::Group => ConversationType::Group,
        }
    }

    /// The name on the command line, which the output repeats.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Group => "group",
        }
    }
}

/// `roomkv rongcloud expansion set`.
#[derive(Debug, Args)]
pub(crate) struct ExpansionSetArgs {
    #[command(flatten)]
    pub(crate) target: ExpansionTarget,

    /// Expansions to set, 1 to 100, each KEY=VALUE (split at the first `=`)
    #[arg(value_name = "KEY=VALUE", required = true)]
    pub(crate) entries: Vec<String>,
}

/// `roomkv rongcloud expansion delete`.
#[derive(Debug, Args)]
pub(crate) struct ExpansionDeleteArgs {
    #[command(flatten)]
    pub(crate) target: ExpansionTarget,

    /// Keys to delete, 1 to 100
    #[arg(value_name = "KEY", required = true)]
    pub(crate) keys: Vec<String>,
}

/// `roomkv rongcloud expansion query`.
#[derive(Debug, Args)]
pub(crate) struct ExpansionQueryArgs {
    /// The message's UID (msgUID)
    #[arg(long, value_name = "M")]
    pub(crate) msg_uid: String,

    /// Page number, from 1 [default: 1, which holds all of a message's at most 300 expansions]
    #[arg(long, value_name = "N")]
    pub(crate) page: Option<u32>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use clap::error::ErrorKind;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> RongCloudArgs {
        let argv = ["roomkv", "rongcloud"].iter().chain(args);
        match Cli::try_parse_from(argv) {
            Ok(Cli {
                command: Command::RongCloud(args),
                ..
            }) => args,
            Ok(other) => panic!("{args:?} parsed as {other:?}"),
            Err(err) => panic!("{args:?}: {err}"),
        }
    }

    fn error_kind(args: &[&str]) -> ErrorKind {
        shared::usage_error_kind("rongcloud", args)
    }

    const SET: &[&str] = &[
        "entry", "set", "--room", "r", "--user", "u", "--key", "k", "--value", "v",
    ];

    #[test]
    fn connection_flags_go_before_or_after_the_subcommand() {
        let before = parse(
            &[
                &[
                    "--app-key",
                    "key",
                    "--app-secret",
                    "secret",
                    "--region",
                    "sg",
                ][..],
                SET,
            ]
            .concat(),
        );
        let after = parse(
            &[
                SET,
                &[
                    "--app-key",
                    "key",
                    "--app-secret",
                    "secret",
                    "--region",
                    "sg",
                ],
            ]
            .concat(),
        );
        for args in [before, after] {
            assert_eq!(args.connection.credentials.app_key.as_deref(), Some("key"));
            assert_eq!(
                args.connection
                    .credentials
                    .app_secret
                    .as_ref()
                    .map(Secret::expose),
                Some("secret")
            );
            assert_eq!(args.connection.region, Some(Region::Singapore));
            assert_eq!(args.connection.host.base_url, None);
        }
        let args = parse(
            &[
                SET,
                &["--base-url", "http://127.0.0.1:1", "--timeout", "0.5"],
            ]
            .concat(),
        );
        assert_eq!(
            args.connection.host.base_url.as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(
            args.connection.host.timeout,
            Some(std::time::Duration::from_millis(500))
        );
    }

    #[test]
    fn entry_set_takes_its_flags_and_hyphenated_values() {
        let args = parse(&[SET, &["--auto-delete", "--notify", "--notify-extra", "-x-"]].concat());
        let RongCloudCommand::Entry(EntryCommand::Set(set)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!((set.room.as_str(), set.user.as_str()), ("r", "u"));
        assert_eq!((set.key.as_str(), set.value.as_str()), ("k", "v"));
        assert!(set.auto_delete);
        assert!(set.notify.notify);
        assert_eq!(set.notify.notify_extra.as_deref(), Some("-x-"));

        let args = parse(&[
            "entry", "set", "--room", "r", "--user", "u", "--key", "-k", "--value", "-5",
        ]);
        let RongCloudCommand::Entry(EntryCommand::Set(set)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!((set.key.as_str(), set.value.as_str()), ("-k", "-5"));
        assert!(!set.auto_delete && !set.notify.notify);
    }

    #[test]
    fn lists_keep_their_order_and_text() {
        let args = parse(&[
            "entry",
            "batch-set",
            "--room",
            "r",
            "--owner",
            "o",
            "b=2",
            "a=x=y",
            "c=",
        ]);
        let RongCloudCommand::Entry(EntryCommand::BatchSet(batch)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert_eq!(batch.entries, ["b=2", "a=x=y", "c="]);

        let args = parse(&["entry", "query", "--room", "r"]);
        let RongCloudCommand::Entry(EntryCommand::Query(query)) = args.command else {
            panic!("{:?}", args.command);
        };
        assert!(query.keys.is_empty());
    }

    #[test]
    fn conversations_are_named() {
        for (name, conversation) in [
            ("private", Conversation::Private),
            ("group", Conversation::Group),
        ] {
            let args = parse(&[
                "expansion",
                "set",
                "--msg-uid",
                "m",
                "--user",
                "u",
                "--conversation",
                name,
                "--target",
                "t",
                "k=v",
            ]);
            let RongCloudCommand::Expansion(ExpansionCommand::Set(set)) = args.command else {
                panic!("{:?}", args.command);
            };
            assert_eq!(set.target.conversation, conversation);
            assert_eq!(conversation.name(), name);
            assert_eq!(conversation.to_type(), name.parse().unwrap());
        }
        for bad in ["1", "3", "Group", "chatroom", ""] {
            assert_eq!(
                error_kind(&[
                    "expansion",
                    "delete",
                    "--msg-uid",
                    "m",
                    "--user",
                    "u",
                    "--conversation",
                    bad,
                    "--target",
                    "t",
                    "k",
                ]),
                ErrorKind::InvalidValue,
                "{bad}"
            );
        }
    }

    #[test]
    fn usage_errors() {
        for (args, kind) in [
            (
                &["entry"][..],
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
            ),
            (
                &["entry", "set", "--room", "r"],
                ErrorKind::MissingRequiredArgument,
            ),
            (
                &["entry", "batch-set", "--room", "r", "--owner", "o"],
                ErrorKind::MissingRequiredArgument,
            ),
            (
                &["entry", "batch-remove", "--room", "r", "--owner", "o"],
                ErrorKind::MissingRequiredArgument,
            ),
            (
                &[
                    "entry",
                    "remove",
                    "--room",
                    "r",
                    "--user",
                    "u",
                    "--key",
                    "k",
                    "--notify-extra",
                    "x",
                ],
                ErrorKind::MissingRequiredArgument,
            ),
            (
                &["entry", "query", "--room", "r", "--region", "mars"],
                ErrorKind::ValueValidation,
            ),
            (
                &[
                    "entry",
                    "query",
                    "--room",
                    "r",
                    "--region",
                    "sg",
                    "--base-url",
                    "http://127.0.0.1:1",
                ],
                ErrorKind::ArgumentConflict,
            ),
            (
                &["entry", "query", "--room", "r", "--timeout", "0"],
                ErrorKind::ValueValidation,
            ),
            (
                &["entry", "query", "--room", "r", "--app-secret", ""],
                ErrorKind::ValueValidation,
            ),
            (
                &["expansion", "query", "--msg-uid", "m", "--page", "x"],
                ErrorKind::ValueValidation,
            ),
        ] {
            assert_eq!(error_kind(args), kind, "{args:?}");
        }
    }

    #[test]
    fn the_app_secret_is_not_in_the_debug_dump() {
        let argv = [
            &[
                "roomkv",
                "-vvv",
                "rongcloud",
                "--app-secret",
                "Sup3r-s3cret",
            ][..],
            SET,
        ]
        .concat();
        let cli = Cli::try_parse_from(argv).unwrap();
        let dump = format!("{cli:?} {cli:#?}");
        assert!(!dump.contains("Sup3r-s3cret"), "{dump}");
        assert!(dump.contains("Secret(***)"), "{dump}");
    }
}
