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
        let mut op = UpdateRoomInfo::new(RoomId::parse(self.room)?);
        if let Some(name) = self.name {
            op = op.room_name(name);
        }
        if let Some(notice) = self.notice {
            op = op.notice(notice);
        }
        if let Some(cover) = self.cover {
            op = op.cover_url(cover);
        }
        if let Some(category) = self.category {
            op = op.category(category);
        }
        if let Some(count) = self.max_members {
            op = op.max_member_count(count);
        }
        if let Some(disabled) = self.message_disabled {
            op = op.message_disabled(disabled);
        }
        if let Some(visible) = self.public_visible {
            op = op.public_visible(visible);
        }
        if let Some(mode) = self.take_seat_mode {
            op = op.take_seat_mode(mode.into());
        }
        if let Some(status) = self.activity_status {
            op = op.activity_status(status);
        }
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
