//! `roomkv tencent room update`: the flags of a room's settings and the `UpdateRoomInfo` they
//! make.

use clap::{Args, ValueEnum};
use roomkv_tencent::{RoomId, TakeSeatMode, UpdateRoomInfo};

use crate::failure::Failure;

pub(super) const ROOM_UPDATE_EXAMPLES: &str = "\
Examples:
  roomkv tencent room update --room live-room --name \"Friday quiz\" --notice \"Starts at 8\"
  roomkv tencent room update --room live-room --category 1,2 --take-seat-mode apply \\
    --message-disabled true --max-members 300

Output: the settings sent, with Tencent's field names:
  {\"ok\":true,\"room\":\"live-room\",\"changed\":{\"RoomName\":\"Friday quiz\",\"Notice\":\"Starts at 8\"}}

Only the settings given are changed; at least one is required. Limits (checked before sending,
exit code 2 naming the field and the limit): --name 100 bytes, --notice 100 bytes, --cover 200
bytes, --category 3 values. A room that does not exist fails with Tencent's code 100004 (exit
code 1).";

/// `room update --room R` and at least one setting (checked when it runs: a required clap group
/// of nine flags would be one synopsis word too wide for a man page).
#[derive(Debug, Args)]
pub(crate) struct RoomUpdateArgs {
    /// Room id (1 to 48 bytes of printable ASCII)
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: String,

    /// Room name (RoomName, at most 100 bytes)
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,

    /// Announcement (Notice, at most 100 bytes)
    #[arg(long, value_name = "TEXT")]
    pub(crate) notice: Option<String>,

    /// Cover image URL (CoverURL, at most 200 bytes)
    #[arg(long, value_name = "URL")]
    pub(crate) cover: Option<String>,

    /// The app's category numbers, comma-separated (Category, at most 3)
    #[arg(long, value_name = "N,N,N", value_delimiter = ',', num_args = 1..)]
    pub(crate) category: Option<Vec<i64>>,

    /// Most members the room admits (MaxMemberCount)
    #[arg(long, value_name = "N")]
    pub(crate) max_members: Option<u32>,

    /// Mute everyone but the owner and admins (IsMessageDisabled)
    #[arg(long, value_name = "BOOL")]
    pub(crate) message_disabled: Option<bool>,

    /// List the room in `room list` (IsPublicVisible)
    #[arg(long, value_name = "BOOL")]
    pub(crate) public_visible: Option<bool>,

    /// How audience members take a seat (TakeSeatMode: free = FreeToTake, apply = ApplyToTake)
    #[arg(long, value_name = "MODE")]
    pub(crate) take_seat_mode: Option<SeatMode>,

    /// An app-defined status number (ActivityStatus)
    #[arg(long, value_name = "N")]
    pub(crate) activity_status: Option<i64>,
}

/// `--take-seat-mode`: the CLI's lower-case names, Tencent's names accepted as aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SeatMode {
    /// `FreeToTake`: anyone may take a free seat.
    #[value(alias = "FreeToTake")]
    Free,
    /// `ApplyToTake`: the owner or an admin approves each request.
    #[value(alias = "ApplyToTake")]
    Apply,
}

impl From<SeatMode> for TakeSeatMode {
    fn from(mode: SeatMode) -> Self {
        match mode {
            SeatMode::Free => Self::FreeToTake,
            SeatMode::Apply => Self::ApplyToTake,
        }
    }
}

impl RoomUpdateArgs {
    /// The request the flags describe; a bad room id, or no setting to change, is refused (exit
    /// code 2).
    pub(crate) fn operation(self) -> Result<UpdateRoomInfo, Failure> {
        let op = UpdateRoomInfo::new(RoomId::parse(self.room)?);
        let op = given(op, self.name, |op, name| op.room_name(name));
        let op = given(op, self.notice, |op, notice| op.notice(notice));
        let op = given(op, self.cover, |op, url| op.cover_url(url));
        let op = given(op, self.category, |op, category| op.category(category));
        let op = given(op, self.max_members, UpdateRoomInfo::max_member_count);
        let op = given(op, self.message_disabled, UpdateRoomInfo::message_disabled);
        let op = given(op, self.public_visible, UpdateRoomInfo::public_visible);
        let op = given(op, self.take_seat_mode, |op, mode| {
            op.take_seat_mode(mode.into())
        });
        let op = given(op, self.activity_status, UpdateRoomInfo::activity_status);
        if op.is_empty() {
            return Err(Failure::refused(
                "nothing to change: give at least one of --name, --notice, --cover, --category, \
                 --max-members, --message-disabled, --public-visible, --take-seat-mode, \
                 --activity-status",
            ));
        }
        Ok(op)
    }
}

/// `op` with `value` set by `set`, when the flag was given.
fn given<T>(
    op: UpdateRoomInfo,
    value: Option<T>,
    set: impl FnOnce(UpdateRoomInfo, T) -> UpdateRoomInfo,
) -> UpdateRoomInfo {
    match value {
        Some(value) => set(op, value),
        None => op,
    }
}
