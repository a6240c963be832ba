//! `roomkv tencent room ...`: Live rooms, their flags, runs and output document.

use clap::{Args, Subcommand};
use roomkv_tencent::{CreateRoom, DestroyRoom, GetRoomInfo, RoomId};
use serde::Serialize;

use super::client::{Connection, client};
use crate::failure::Failure;
use crate::output::print_json;

pub(super) const ROOM_EXAMPLES: &str = "\
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

impl RoomCommand {
    /// Runs the command with the client `connection` describes.
    pub(crate) async fn run(self, connection: &Connection) -> Result<(), Failure> {
        match self {
            Self::Create(args) => {
                let room = RoomId::parse(args.room)?;
                client(connection)?
                    .send(&CreateRoom::new(room.clone()))
                    .await?;
                print_json(&RoomOut::of(&room))
            }
            Self::Destroy(args) => {
                let room = RoomId::parse(args.room)?;
                client(connection)?
                    .send(&DestroyRoom::new(room.clone()))
                    .await?;
                print_json(&RoomOut::of(&room))
            }
            Self::Info(args) => {
                let room = RoomId::parse(args.room)?;
                let info = client(connection)?.send(&GetRoomInfo::new(room)).await?;
                print_json(&info)
            }
        }
    }
}

/// `room create | destroy`.
#[derive(Debug, Serialize)]
struct RoomOut<'a> {
    ok: bool,
    room: &'a str,
}

impl<'a> RoomOut<'a> {
    fn of(room: &'a RoomId) -> Self {
        Self {
            ok: true,
            room: room.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use roomkv_tencent::RoomInfo;

    use super::*;

    #[test]
    fn outputs_have_their_shapes() {
        let room = RoomId::parse("live-room").unwrap();
        assert_eq!(
            serde_json::to_string(&RoomOut::of(&room)).unwrap(),
            r#"{"ok":true,"room":"live-room"}"#
        );
        // `room info` prints the client's type as it serializes itself.
        assert_eq!(
            serde_json::to_string(&RoomInfo::new(room)).unwrap(),
            r#"{"RoomId":"live-room"}"#
        );
    }
}
