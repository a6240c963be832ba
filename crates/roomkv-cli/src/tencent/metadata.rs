//! `roomkv tencent metadata ...`: room metadata, its flags, runs and output documents.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use roomkv_tencent::{
    DelRoomMetadata, GetRoomMetadata, MetadataEntry, MetadataKey, MetadataValue, RoomId,
    SetRoomMetadata,
};
use serde::Serialize;

use super::client::{Connection, client};
use crate::failure::Failure;
use crate::output::{PairOut, parse_all, parse_pairs, print_json, print_when_sent};
use crate::shared::bulk::{self, ExportArgs, Line};

pub(super) const METADATA_EXAMPLES: &str = "\
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

const METADATA_EXPORT_EXAMPLES: &str = "\
Examples:
  Every metadata key of room1 as JSON lines:
    roomkv tencent metadata export --room room1 --output room1.jsonl

Output (one line per key; stdout without --output):
  {\"key\":\"stage\",\"value\":\"quiz\"}

With --output, stdout has one summary document:
  {\"ok\":true,\"room\":\"room1\",\"exported\":1,\"output\":\"room1.jsonl\"}";

const METADATA_IMPORT_EXAMPLES: &str = "\
Examples:
  Set every key of the file in room2 (which must exist); a rerun skips what is already set:
    roomkv tencent metadata import --room room2 room1.jsonl

Output (stdout; a summary line on stderr):
  {\"ok\":true,\"room\":\"room2\",\"applied\":3,\"skipped\":0,\"not_applied\":0,\"unknown\":0}";

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
    #[command(after_long_help = METADATA_EXPORT_EXAMPLES)]
    Export(ExportArgs),

    /// Set the keys of a JSON lines file in a room's metadata, skipping those already set
    ///
    /// The whole file is checked first (a bad line is refused with its line number, exit 2,
    /// nothing sent). Then the room is read and only keys whose value differs are set, in
    /// requests within Tencent's limits, so a rerun after an interruption skips what was
    /// applied and loses nothing. A progress bar on stderr when it is a terminal; a summary
    /// line always.
    #[command(after_long_help = METADATA_IMPORT_EXAMPLES)]
    Import(MetadataImportArgs),
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

/// `roomkv tencent metadata import`.
#[derive(Debug, Args)]
pub(crate) struct MetadataImportArgs {
    /// Room id (the room must exist)
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// JSON lines as `export` writes them: `{"key": ..., "value": ...}` per line
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

impl MetadataCommand {
    /// Runs the command with the client `connection` describes.
    pub(crate) async fn run(self, connection: &Connection) -> Result<(), Failure> {
        match self {
            Self::Set(args) => {
                let room = RoomId::parse(args.room)?;
                let pairs = parse_pairs(&args.entries, MetadataKey::parse, MetadataValue::parse)?;
                let op = SetRoomMetadata::new(room, pairs);
                let done = MetadataSetOut {
                    ok: true,
                    room: op.room_id().as_str(),
                    entries: entries_out(op.entries()),
                };
                print_when_sent(client(connection)?.send(&op), done).await
            }
            Self::Get(args) => {
                let room = RoomId::parse(args.room)?;
                let keys = parse_keys(args.keys)?;
                let entries = client(connection)?
                    .send(&GetRoomMetadata::new(room.clone(), keys))
                    .await?;
                print_json(&MetadataGetOut {
                    room: room.as_str(),
                    entries: entries_out(&entries),
                })
            }
            Self::Delete(args) => {
                let room = RoomId::parse(args.room)?;
                let op = DelRoomMetadata::new(room, parse_keys(args.keys)?);
                let done = MetadataDeleteOut {
                    ok: true,
                    room: op.room_id().as_str(),
                    keys: op.keys().iter().map(MetadataKey::as_str).collect(),
                };
                print_when_sent(client(connection)?.send(&op), done).await
            }
            Self::Export(args) => export(connection, args).await,
            Self::Import(args) => import(connection, args).await,
        }
    }
}

/// `metadata export`: every key of the room as JSON lines.
async fn export(connection: &Connection, args: ExportArgs) -> Result<(), Failure> {
    let room = RoomId::parse(args.room)?;
    let entries = client(connection)?.get_all_room_metadata(&room).await?;
    let lines = entries
        .into_iter()
        .map(|entry| Line::pair(entry.key.into_string(), entry.value.into_string()));
    bulk::write_lines(lines, args.output.as_deref(), room.as_str())
}

/// `metadata import`: the file's keys, set where they differ.
async fn import(connection: &Connection, args: MetadataImportArgs) -> Result<(), Failure> {
    let client = client(connection)?;
    let step = client.limits().tencent.metadata_keys_max;
    bulk::import(&client, &args.room, &args.file, step).await
}

/// `KEY` arguments as metadata keys.
fn parse_keys(keys: Vec<String>) -> Result<Vec<MetadataKey>, Failure> {
    parse_all(keys, MetadataKey::parse)
}

/// The pairs of `entries`.
fn entries_out(entries: &[MetadataEntry]) -> Vec<PairOut<'_>> {
    entries
        .iter()
        .map(|entry| PairOut::new(entry.key.as_str(), entry.value.as_str()))
        .collect()
}

/// `metadata set`.
#[derive(Debug, Serialize)]
struct MetadataSetOut<'a> {
    ok: bool,
    room: &'a str,
    entries: Vec<PairOut<'a>>,
}

/// `metadata get`.
#[derive(Debug, Serialize)]
struct MetadataGetOut<'a> {
    room: &'a str,
    entries: Vec<PairOut<'a>>,
}

/// `metadata delete`.
#[derive(Debug, Serialize)]
struct MetadataDeleteOut<'a> {
    ok: bool,
    room: &'a str,
    keys: Vec<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::to_json as json;

    #[test]
    fn outputs_have_their_shapes() {
        let room = RoomId::parse("live-room").unwrap();
        let op = SetRoomMetadata::new(
            room,
            [
                (
                    MetadataKey::parse("stage").unwrap(),
                    MetadataValue::parse("quiz").unwrap(),
                ),
                (
                    MetadataKey::parse("f").unwrap(),
                    MetadataValue::parse("a=b").unwrap(),
                ),
            ],
        );
        assert_eq!(
            json(&MetadataSetOut {
                ok: true,
                room: op.room_id().as_str(),
                entries: entries_out(op.entries()),
            }),
            r#"{"ok":true,"room":"live-room","entries":[{"key":"stage","value":"quiz"},{"key":"f","value":"a=b"}]}"#
        );
        assert_eq!(
            json(&MetadataGetOut {
                room: "live-room",
                entries: entries_out(&[]),
            }),
            r#"{"room":"live-room","entries":[]}"#
        );
        assert_eq!(
            json(&MetadataDeleteOut {
                ok: true,
                room: "live-room",
                keys: vec!["stage"],
            }),
            r#"{"ok":true,"room":"live-room","keys":["stage"]}"#
        );
    }
}
