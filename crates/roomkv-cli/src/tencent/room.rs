//! `roomkv tencent room ...`: Live rooms, their flags, runs and output documents; the flags of
//! `room update` are in [`update`], those of `room list` in [`list`].

mod list;
mod update;

use clap::{Args, Subcommand};
use roomkv_tencent::{CreateRoom, DestroyRoom, GetRoomInfo, RoomId, RoomInfo, RoomListCursor};
use serde::Serialize;
use serde_json::{Map, Value};

pub(crate) use self::list::RoomListArgs;
use self::list::RoomListOut;
pub(crate) use self::update::RoomUpdateArgs;
#[cfg(test)]
pub(crate) use self::update::SeatMode;
use super::client::{Connection, client};
use crate::failure::Failure;
use crate::output::print_json;

pub(super) const ROOM_EXAMPLES: &str = "\
Examples:
  roomkv tencent room create --room live-room
  roomkv tencent room update --room live-room --name \"Friday quiz\" --notice \"Starts at 8\"
  roomkv tencent room info --room live-room
  roomkv tencent room list --all
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

    /// Change a room's settings (update_room_info)
    ///
    /// Only the settings given are sent; Tencent keeps the others.
    #[command(after_long_help = update::ROOM_UPDATE_EXAMPLES)]
    Update(RoomUpdateArgs),

    /// List the app's public rooms, most viewed first (get_room_list)
    ///
    /// One page by default; --all reads every page, paced by the client's rate limiter at
    /// Tencent's 10 requests a second for this command.
    #[command(after_long_help = list::ROOM_LIST_EXAMPLES)]
    List(RoomListArgs),
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
            Self::Update(args) => {
                let op = args.operation()?;
                client(connection)?.update_room_info(&op).await?;
                print_json(&RoomUpdateOut {
                    ok: true,
                    room: op.room_id().as_str(),
                    changed: settings(op.room_info())?,
                })
            }
            Self::List(args) => {
                let client = client(connection)?;
                if args.all {
                    let rooms = client.room_list(args.count).collect_all().await?;
                    return print_json(&RoomListOut { rooms, next: None });
                }
                let next = args.next.map(RoomListCursor::new);
                let page = client.get_room_list(next.as_ref(), args.count).await?;
                print_json(&RoomListOut {
                    rooms: page.rooms,
                    next: page.next,
                })
            }
        }
    }
}

/// `info`'s settings by Tencent's field names, as it serializes itself, without `RoomId`.
pub(crate) fn settings(info: &RoomInfo) -> Result<Map<String, Value>, Failure> {
    match serde_json::to_value(info) {
        Ok(Value::Object(mut map)) => {
            map.remove("RoomId");
            Ok(map)
        }
        other => Err(Failure::runtime(format!(
            "cannot write a room's settings as JSON: {other:?}"
        ))),
    }
}

/// `room update`: the room and the settings sent.
#[derive(Debug, Serialize)]
struct RoomUpdateOut<'a> {
    ok: bool,
    room: &'a str,
    changed: Map<String, Value>,
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
