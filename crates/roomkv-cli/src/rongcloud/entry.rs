//! `roomkv rongcloud entry ...`: chat-room KV entries, their flags, runs and output documents.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use roomkv_rongcloud::{
    BatchRemoveEntries, BatchSetEntries, ChatroomId, Entry, EntryKey, EntryValue, Notification,
    QueryEntries, RemoveEntry, SetEntry, UserId,
};
use serde::Serialize;

use super::client::{Connection, client};
use crate::failure::Failure;
use crate::output::{PairOut, parse_all, parse_pairs, print_json, print_when_sent};
use crate::shared::bulk::{self, ExportArgs, Line};

pub(super) const ENTRY_EXAMPLES: &str = "\
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

const ENTRY_EXPORT_EXAMPLES: &str = "\
Examples:
  Every entry of room1 as JSON lines, to a file:
    roomkv rongcloud entry export --room room1 --output room1.jsonl

Output (one line per entry; stdout without --output):
  {\"key\":\"stage\",\"value\":\"quiz\",\"owner\":\"anchor\",\"auto_delete\":false}

With --output, stdout has one summary document:
  {\"ok\":true,\"room\":\"room1\",\"exported\":1,\"output\":\"room1.jsonl\"}";

const ENTRY_IMPORT_EXAMPLES: &str = "\
Examples:
  Set every entry of the file in room2, owned by anchor; a rerun skips what is already set:
    roomkv rongcloud entry import --room room2 --owner anchor room1.jsonl

Output (stdout; a summary line on stderr):
  {\"ok\":true,\"room\":\"room2\",\"applied\":40,\"skipped\":2,\"not_applied\":0,\"unknown\":0}";

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
    #[command(after_long_help = ENTRY_EXPORT_EXAMPLES)]
    Export(ExportArgs),

    /// Set the entries of a JSON lines file in a chat room, skipping those already set
    ///
    /// The whole file is checked first (a bad line is refused with its line number, exit 2,
    /// nothing sent). Then the room is read and only keys whose value differs are set, in
    /// batches of at most 20, so a rerun after an interruption skips what was applied and
    /// loses nothing. A progress bar on stderr when it is a terminal; a summary line always.
    #[command(after_long_help = ENTRY_IMPORT_EXAMPLES)]
    Import(EntryImportArgs),
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

/// `roomkv rongcloud entry import`.
#[derive(Debug, Args)]
pub(crate) struct EntryImportArgs {
    /// Chat-room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// User id every entry is written as (its owner)
    #[arg(long, value_name = "USER")]
    pub(crate) owner: String,

    /// JSON lines as `export` writes them: `{"key": ..., "value": ...}` per line (other fields
    /// are ignored)
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

/// `KEY=VALUE` arguments as entries.
fn entry_pairs(args: &[String]) -> Result<Vec<(EntryKey, EntryValue)>, Failure> {
    parse_pairs(args, EntryKey::parse, EntryValue::parse)
}

impl NotifyArgs {
    /// `op` with the notification `--notify [--notify-extra X]` asks for, if any, added by
    /// `notify`.
    fn apply<O>(&self, op: O, notify: impl FnOnce(O, Notification) -> O) -> O {
        if !self.notify {
            return op;
        }
        let notification = match &self.notify_extra {
            Some(extra) => Notification::kv_change_with_extra(extra.as_str()),
            None => Notification::kv_change(),
        };
        notify(op, notification)
    }
}

impl EntryCommand {
    /// Runs the command with the client `connection` describes.
    pub(crate) async fn run(self, connection: &Connection) -> Result<(), Failure> {
        match self {
            Self::Set(args) => {
                let op = SetEntry::new(
                    ChatroomId::parse(args.room)?,
                    UserId::parse(args.user)?,
                    EntryKey::parse(args.key)?,
                    EntryValue::parse(args.value)?,
                )
                .auto_delete(args.auto_delete);
                let op = args.notify.apply(op, SetEntry::notify);
                print_when_sent(
                    client(connection)?.send(&op),
                    EntrySetOut::of(&op, &args.notify),
                )
                .await
            }
            Self::BatchSet(args) => {
                let op = BatchSetEntries::new(
                    ChatroomId::parse(args.room)?,
                    UserId::parse(args.owner)?,
                    entry_pairs(&args.entries)?,
                )
                .auto_delete(args.auto_delete);
                print_when_sent(client(connection)?.send(&op), EntryBatchSetOut::of(&op)).await
            }
            Self::Remove(args) => {
                let op = RemoveEntry::new(
                    ChatroomId::parse(args.room)?,
                    UserId::parse(args.user)?,
                    EntryKey::parse(args.key)?,
                );
                let op = args.notify.apply(op, RemoveEntry::notify);
                print_when_sent(
                    client(connection)?.send(&op),
                    EntryRemoveOut::of(&op, &args.notify),
                )
                .await
            }
            Self::BatchRemove(args) => {
                let op = BatchRemoveEntries::new(
                    ChatroomId::parse(args.room)?,
                    UserId::parse(args.owner)?,
                    parse_all(args.keys, EntryKey::parse)?,
                );
                print_when_sent(client(connection)?.send(&op), EntryBatchRemoveOut::of(&op)).await
            }
            Self::Query(args) => {
                let room = ChatroomId::parse(args.room)?;
                let op = QueryEntries::new(room.clone())
                    .with_keys(parse_all(args.keys, EntryKey::parse)?);
                let entries = client(connection)?.send(&op).await?;
                print_json(&EntryQueryOut::of(&room, &entries))
            }
            Self::Export(args) => export(connection, args).await,
            Self::Import(args) => import(connection, args).await,
        }
    }
}

/// `entry export`: every entry of the room as JSON lines.
async fn export(connection: &Connection, args: ExportArgs) -> Result<(), Failure> {
    let room = ChatroomId::parse(args.room)?;
    let entries = client(connection)?.query_all_entries(&room).await?;
    let lines = entries.into_iter().map(|entry| {
        Line::pair(entry.key.into_string(), entry.value.into_string())
            .owned(entry.user_id.into_string(), entry.auto_delete)
    });
    bulk::write_lines(lines, args.output.as_deref(), room.as_str())
}

/// `entry import`: the file's entries, owned by `--owner`, set where they differ.
async fn import(connection: &Connection, args: EntryImportArgs) -> Result<(), Failure> {
    let owner = UserId::parse(args.owner)?;
    let client = client(connection)?;
    let step = client.limits().rongcloud.batch_entries_max;
    let attrs = client.room_attributes(owner);
    bulk::import(&attrs, &args.room, &args.file, step).await
}

// The JSON documents. Field names are snake_case; flags are booleans, times are numbers.

/// `entry set`.
#[derive(Debug, Serialize)]
struct EntrySetOut<'a> {
    ok: bool,
    room: &'a str,
    user: &'a str,
    key: &'a str,
    value: &'a str,
    auto_delete: bool,
    #[serde(flatten)]
    notify: NotifyOut<'a>,
}

impl<'a> EntrySetOut<'a> {
    fn of(op: &'a SetEntry, notify: &'a NotifyArgs) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            user: op.user_id().as_str(),
            key: op.key().as_str(),
            value: op.value().as_str(),
            auto_delete: op.is_auto_delete(),
            notify: NotifyOut::of(notify),
        }
    }
}

/// `entry batch-set`.
#[derive(Debug, Serialize)]
struct EntryBatchSetOut<'a> {
    ok: bool,
    room: &'a str,
    owner: &'a str,
    auto_delete: bool,
    entries: Vec<PairOut<'a>>,
}

impl<'a> EntryBatchSetOut<'a> {
    fn of(op: &'a BatchSetEntries) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            owner: op.owner().as_str(),
            auto_delete: op.is_auto_delete(),
            entries: op.entries().iter().map(PairOut::of).collect(),
        }
    }
}

/// `entry remove`.
#[derive(Debug, Serialize)]
struct EntryRemoveOut<'a> {
    ok: bool,
    room: &'a str,
    user: &'a str,
    key: &'a str,
    #[serde(flatten)]
    notify: NotifyOut<'a>,
}

/// The `notify` and `notify_extra` of a single-key write's document.
#[derive(Debug, Serialize)]
struct NotifyOut<'a> {
    notify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    notify_extra: Option<&'a str>,
}

impl<'a> NotifyOut<'a> {
    fn of(args: &'a NotifyArgs) -> Self {
        Self {
            notify: args.notify,
            notify_extra: args.notify_extra.as_deref(),
        }
    }
}

impl<'a> EntryRemoveOut<'a> {
    fn of(op: &'a RemoveEntry, notify: &'a NotifyArgs) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            user: op.user_id().as_str(),
            key: op.key().as_str(),
            notify: NotifyOut::of(notify),
        }
    }
}

/// `entry batch-remove`.
#[derive(Debug, Serialize)]
struct EntryBatchRemoveOut<'a> {
    ok: bool,
    room: &'a str,
    owner: &'a str,
    keys: Vec<&'a str>,
}

impl<'a> EntryBatchRemoveOut<'a> {
    fn of(op: &'a BatchRemoveEntries) -> Self {
        Self {
            ok: true,
            room: op.chatroom_id().as_str(),
            owner: op.owner().as_str(),
            keys: op.keys().iter().map(EntryKey::as_str).collect(),
        }
    }
}

/// `entry query`.
#[derive(Debug, Serialize)]
struct EntryQueryOut<'a> {
    room: &'a str,
    entries: Vec<EntryOut<'a>>,
}

/// One entry as RongCloud returned it, typed.
#[derive(Debug, Serialize)]
struct EntryOut<'a> {
    key: &'a str,
    value: &'a str,
    user_id: &'a str,
    auto_delete: bool,
    last_set_time_ms: u64,
}

impl<'a> EntryQueryOut<'a> {
    fn of(room: &'a ChatroomId, entries: &'a [Entry]) -> Self {
        Self {
            room: room.as_str(),
            entries: entries
                .iter()
                .map(|entry| EntryOut {
                    key: entry.key.as_str(),
                    value: entry.value.as_str(),
                    user_id: entry.user_id.as_str(),
                    auto_delete: entry.auto_delete,
                    last_set_time_ms: entry.last_set_time_ms,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::to_json as json;

    fn notify(notify: bool, extra: Option<&str>) -> NotifyArgs {
        NotifyArgs {
            notify,
            notify_extra: extra.map(str::to_owned),
        }
    }

    fn set_entry() -> SetEntry {
        SetEntry::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("anchor").unwrap(),
            EntryKey::parse("stage").unwrap(),
            EntryValue::parse("a \"quiz\"").unwrap(),
        )
    }

    #[test]
    fn entry_writes_say_what_was_done() {
        let plain = notify(false, None);
        assert_eq!(
            json(&EntrySetOut::of(&set_entry(), &plain)),
            r#"{"ok":true,"room":"room1","user":"anchor","key":"stage","value":"a \"quiz\"","auto_delete":false,"notify":false}"#
        );
        let loud = notify(true, Some("hi"));
        let op = set_entry().auto_delete(true);
        assert_eq!(
            json(&EntrySetOut::of(&op, &loud)),
            r#"{"ok":true,"room":"room1","user":"anchor","key":"stage","value":"a \"quiz\"","auto_delete":true,"notify":true,"notify_extra":"hi"}"#
        );

        let pairs = entry_pairs(&["b=2".to_owned(), "a=x=y".to_owned(), "c=".to_owned()]).unwrap();
        let batch = BatchSetEntries::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("o").unwrap(),
            pairs,
        );
        assert_eq!(
            json(&EntryBatchSetOut::of(&batch)),
            r#"{"ok":true,"room":"room1","owner":"o","auto_delete":false,"entries":[{"key":"b","value":"2"},{"key":"a","value":"x=y"},{"key":"c","value":""}]}"#
        );

        let remove = RemoveEntry::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("anchor").unwrap(),
            EntryKey::parse("stage").unwrap(),
        );
        assert_eq!(
            json(&EntryRemoveOut::of(&remove, &notify(true, None))),
            r#"{"ok":true,"room":"room1","user":"anchor","key":"stage","notify":true}"#
        );

        let batch = BatchRemoveEntries::new(
            ChatroomId::parse("room1").unwrap(),
            UserId::parse("o").unwrap(),
            [EntryKey::parse("b").unwrap(), EntryKey::parse("a").unwrap()],
        );
        assert_eq!(
            json(&EntryBatchRemoveOut::of(&batch)),
            r#"{"ok":true,"room":"room1","owner":"o","keys":["b","a"]}"#
        );
    }

    #[test]
    fn queries_have_typed_fields() {
        let room = ChatroomId::parse("room1").unwrap();
        let entries = [Entry {
            key: EntryKey::parse("stage").unwrap(),
            value: EntryValue::parse("quiz").unwrap(),
            user_id: UserId::parse("anchor").unwrap(),
            auto_delete: true,
            last_set_time_ms: 1_700_000_000_123,
        }];
        assert_eq!(
            json(&EntryQueryOut::of(&room, &entries)),
            r#"{"room":"room1","entries":[{"key":"stage","value":"quiz","user_id":"anchor","auto_delete":true,"last_set_time_ms":1700000000123}]}"#
        );
        assert_eq!(
            json(&EntryQueryOut::of(&room, &[])),
            r#"{"room":"room1","entries":[]}"#
        );
    }

    #[test]
    fn bad_pairs_are_refused_naming_the_field() {
        let refused = |args: &[&str]| {
            let args: Vec<String> = args.iter().map(|&arg| arg.to_owned()).collect();
            let failure = entry_pairs(&args).unwrap_err();
            assert_eq!(failure.exit_code, 2);
            failure.message
        };
        assert!(refused(&["=v"]).ends_with("key is empty, at least 1 character required"));
        assert!(refused(&["a=1", "no-equals"]).contains("\"no-equals\" is not KEY=VALUE"));
        assert!(
            refused(&["a b=1"]).contains("key contains ' ' at character 1"),
            "{}",
            refused(&["a b=1"])
        );
        let long_value = format!("k={}", "v".repeat(4097));
        assert!(
            refused(&[&long_value]).ends_with("value has 4097 characters, at most 4096 allowed")
        );
    }
}
