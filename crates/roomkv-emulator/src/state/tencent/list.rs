//! `get_room_list`: the app's public rooms, most viewed first, a page at a time.
//!
//! The order is `ViewCount` descending (a room never viewed counts 0), then `RoomId` ascending
//! (bytewise) among rooms with the same count: a total order, so a page ends at a definite
//! room. `Next` is that room's place in the order, `{ViewCount}-{RoomId in hex}`, and the next
//! page is the rooms after that place *now*: a room created or destroyed between two pages
//! shifts nothing, so no room is listed twice and none that existed throughout is skipped
//! (while view counts stay as they are). Rooms whose `IsPublicVisible` is `false` are not
//! listed (inferred). `Next` is `""` when no room comes after the page.

use std::cmp::Reverse;
use std::fmt::Write as _;

use roomkv_core::tencent::{GetRoomList, RoomInfo, RoomListCursor, RoomListPage, RoomSummary};
use roomkv_core::{ApiError, TencentCode};

use super::error;
use crate::state::State;

/// A room's place in the order: most viewed first, then by id.
type Place = (Reverse<u64>, Vec<u8>);

fn place_of(info: &RoomInfo) -> Place {
    (
        Reverse(info.view_count.unwrap_or(0)),
        info.room_id.as_str().as_bytes().to_vec(),
    )
}

/// The cursor of the place `place`: `{ViewCount}-{RoomId in hex}`.
fn cursor_of((Reverse(views), id): &Place) -> RoomListCursor {
    let mut text = format!("{views}-");
    for byte in id {
        let _ = write!(text, "{byte:02x}");
    }
    RoomListCursor::new(text)
}

/// The place a cursor names; 100002 for a cursor this emulator did not make.
fn place_of_cursor(cursor: &RoomListCursor) -> Result<Place, ApiError> {
    let invalid = || {
        error(
            TencentCode::InvalidParameter,
            format!(
                "Next {:?} is not a cursor a previous get_room_list returned",
                cursor.as_str()
            ),
        )
    };
    let (views, hex) = cursor.as_str().split_once('-').ok_or_else(invalid)?;
    let views: u64 = views.parse().map_err(|_| invalid())?;
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let id = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| invalid())?;
    Ok((Reverse(views), id))
}

impl State {
    /// `get_room_list`: the page of `op.count()` public rooms of app `sdkappid` after
    /// `op.next()` (see the module documentation for the order and the cursor); 100002 for a
    /// `Next` no reply gave.
    pub fn room_list(&self, sdkappid: u64, op: &GetRoomList) -> Result<RoomListPage, ApiError> {
        let after = op.next().map(place_of_cursor).transpose()?;
        let mut listed: Vec<(Place, RoomSummary)> = Vec::new();
        for shard in self.shards.iter() {
            listed.extend(
                shard
                    .rooms
                    .iter()
                    .filter(|((app, _), room)| {
                        *app == sdkappid && room.info.is_public_visible != Some(false)
                    })
                    .map(|(_, room)| (place_of(&room.info), RoomSummary::of(&room.info)))
                    .filter(|(place, _)| after.as_ref().is_none_or(|after| place > after)),
            );
        }
        listed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let count = usize::try_from(op.count()).unwrap_or(usize::MAX);
        let more = listed.len() > count;
        listed.truncate(count);
        let next = if more {
            listed.last().map(|(place, _)| cursor_of(place))
        } else {
            None
        };
        Ok(RoomListPage::new(
            listed.into_iter().map(|(_, summary)| summary).collect(),
            next,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_name_their_place_and_strangers_are_refused() {
        let place = (Reverse(12), b"room \x7f-1".to_vec());
        let cursor = cursor_of(&place);
        assert_eq!(cursor.as_str(), "12-726f6f6d207f2d31");
        assert_eq!(place_of_cursor(&cursor).unwrap(), place);
        for stranger in ["", "12", "x-00", "1-0", "1-zz", "1693271355-123123123123x"] {
            let err = place_of_cursor(&RoomListCursor::new(stranger)).unwrap_err();
            assert_eq!(err.code.code(), 100002, "{stranger}");
        }
    }
}
