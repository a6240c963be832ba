//! `roomkv tencent room list`: one page of the app's public rooms, or every page.

use clap::Args;
use roomkv_tencent::{RoomListCursor, RoomSummary, TencentLimits};
use serde::Serialize;

pub(super) const ROOM_LIST_EXAMPLES: &str = "\
Examples:
  roomkv tencent room list
  roomkv tencent room list --count 5 --next 1693271355-123123123123
  roomkv tencent room list --all

Output: Tencent's room summaries with Tencent's field names, most viewed first, and the cursor
of the next page (null after the last page; pass it to --next):
  {\"rooms\":[{\"RoomId\":\"live-room\",\"RoomName\":\"Friday quiz\",\"Owner_Account\":\"administrator\",\"CreateTime\":1700000000,\"ViewCount\":10}],\"next\":\"1693271355-123123123123\"}

With --all the pages are read one after the other until the last, and `next` is null. Tencent
answers get_room_list at most 10 times a second per app (not 200 like the other commands); the
client's rate limiter (unless --no-rate-limit) paces the pages to stay inside that quota, so a
long listing waits rather than being throttled. --count is 1 to 20 (Tencent's page limit;
otherwise exit code 2, nothing sent). Rooms whose IsPublicVisible is false are not listed.";

/// `room list [--count N] [--next CURSOR | --all]`.
#[derive(Debug, Args)]
pub(crate) struct RoomListArgs {
    /// Rooms per page (Count, 1 to 20)
    #[arg(long, value_name = "N", default_value_t = TencentLimits::DOCUMENTED.room_list_count_max)]
    pub(crate) count: u32,

    /// Where the page starts: the `next` of the previous page (Next; the first page without it)
    #[arg(long, value_name = "CURSOR", conflicts_with = "all")]
    pub(crate) next: Option<String>,

    /// Read every page, from the first to the last, paced by the client's rate limiter
    #[arg(long)]
    pub(crate) all: bool,
}

/// `room list`: the rooms, and the cursor of the next page (`null` after the last).
#[derive(Debug, Serialize)]
pub(super) struct RoomListOut {
    pub(super) rooms: Vec<RoomSummary>,
    pub(super) next: Option<RoomListCursor>,
}
