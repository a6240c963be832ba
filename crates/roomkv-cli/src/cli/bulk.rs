//! Arguments of the bulk commands: `entry export | import` (RongCloud), `metadata export |
//! import` (Tencent) and `roomkv copy`, run by [`crate::bulk_cmd`].

use std::path::PathBuf;

use clap::Args;

use super::{rongcloud, shared, tencent};

pub(crate) const ENTRY_EXPORT_EXAMPLES: &str = "\
Examples:
  Every entry of room1 as JSON lines, to a file:
    roomkv rongcloud entry export --room room1 --output room1.jsonl

Output (one line per entry; stdout without --output):
  {\"key\":\"stage\",\"value\":\"quiz\",\"owner\":\"anchor\",\"auto_delete\":false}

With --output, stdout has one summary document:
  {\"ok\":true,\"room\":\"room1\",\"exported\":1,\"output\":\"room1.jsonl\"}";

pub(crate) const ENTRY_IMPORT_EXAMPLES: &str = "\
Examples:
  Set every entry of the file in room2, owned by anchor; a rerun skips what is already set:
    roomkv rongcloud entry import --room room2 --owner anchor room1.jsonl

Output (stdout; a summary line on stderr):
  {\"ok\":true,\"room\":\"room2\",\"applied\":40,\"skipped\":2,\"not_applied\":0,\"unknown\":0}";

pub(crate) const METADATA_EXPORT_EXAMPLES: &str = "\
Examples:
  Every metadata key of room1 as JSON lines:
    roomkv tencent metadata export --room room1 --output room1.jsonl

Output (one line per key; stdout without --output):
  {\"key\":\"stage\",\"value\":\"quiz\"}

With --output, stdout has one summary document:
  {\"ok\":true,\"room\":\"room1\",\"exported\":1,\"output\":\"room1.jsonl\"}";

pub(crate) const METADATA_IMPORT_EXAMPLES: &str = "\
Examples:
  Set every key of the file in room2 (which must exist); a rerun skips what is already set:
    roomkv tencent metadata import --room room2 room1.jsonl

Output (stdout; a summary line on stderr):
  {\"ok\":true,\"room\":\"room2\",\"applied\":3,\"skipped\":0,\"not_applied\":0,\"unknown\":0}";

const COPY_EXAMPLES: &str = "\
Examples:
  Copy a RongCloud chat room's entries into a Tencent room's metadata, on the emulator:
    roomkv copy --base-url http://127.0.0.1:8787 --from rongcloud:room1 --to tencent:live1

  And back, writing the entries as anchor:
    roomkv copy --from tencent:live1 --to rongcloud:room1 --owner anchor

Output (stdout; a summary line on stderr):
  {\"ok\":true,\"from\":\"rongcloud:room1\",\"to\":\"tencent:live1\",\"applied\":3,\"skipped\":0,\"not_applied\":0,\"unknown\":0}";

/// `roomkv rongcloud entry export` and `roomkv tencent metadata export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Room id
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Write the JSON lines to this file instead of stdout, and a summary document
    /// (`{"ok":true,"room","exported","output"}`) on stdout
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
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

/// Copy a room's attributes to another room, of the same or the other vendor.
///
/// Reads the source room and the target room, checks every key and value and the target
/// room's key count and value bytes after the copy against what the target vendor can hold,
/// and refuses with every violation listed (exit 2) before writing anything. Then sets the
/// keys whose value differs in the target, in requests within the target's limits. Keys the
/// target has and the source does not are kept. A rerun after an interruption skips what was
/// copied.
///
/// Credentials of both vendors come from the usual flags or environment variables; a vendor
/// that is not involved needs none.
#[derive(Debug, Args)]
#[command(after_long_help = COPY_EXAMPLES)]
pub(crate) struct CopyArgs {
    /// Source: rongcloud:ROOM or tencent:ROOM
    #[arg(long, value_name = "VENDOR:ROOM")]
    pub(crate) from: String,

    /// Target: rongcloud:ROOM or tencent:ROOM (a Tencent room must exist)
    #[arg(long, value_name = "VENDOR:ROOM")]
    pub(crate) to: String,

    /// User id RongCloud entries are written as (required when the target is rongcloud)
    #[arg(long, value_name = "USER")]
    pub(crate) owner: Option<String>,

    /// `--app-key` and `--app-secret`, when RongCloud is involved.
    #[command(flatten)]
    pub(crate) rongcloud: rongcloud::Credentials,

    /// `--sdkappid`, `--secret-key` and `--admin`, when Tencent is involved.
    #[command(flatten)]
    pub(crate) tencent: tencent::Credentials,

    /// `--base-url` and `--timeout`, for both vendors.
    #[command(flatten)]
    pub(crate) host: shared::HostArgs,
}
