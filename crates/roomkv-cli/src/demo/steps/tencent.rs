//! The Tencent steps of `roomkv demo`: rooms and room metadata.

use roomkv_tencent::{
    CreateRoom, MetadataKey, MetadataValue, RoomId, TakeSeatMode, TencentCode, UpdateRoomInfo,
};

use super::support::{
    LIVE_ROOM, LIVE_ROOM_NAME, LIVE_ROOM_NOTICE, Seen, checked, describe_metadata, event_mark,
    ok_or_unexpected_tc, pairs, tc_error, tencent_callbacks, timed, unexpected_tc,
};
use crate::demo::harness::{Demo, Observation};

/// Rooms per page of the listing: Tencent's most.
const ROOM_LIST_PAGE: u32 = 20;

pub(super) async fn room_create(demo: &Demo) -> Seen {
    let room = CreateRoom::new(checked(RoomId::parse(LIVE_ROOM))?).room_name(LIVE_ROOM_NAME);
    Ok(ok_or_unexpected_tc(demo.tencent.create_room(room).await))
}

pub(super) async fn room_info(demo: &Demo) -> Seen {
    Ok(
        match demo
            .tencent
            .get_room_info(&checked(RoomId::parse(LIVE_ROOM))?)
            .await
        {
            Ok(info) => {
                let name = info.room_name.as_deref().unwrap_or("");
                Observation::new(
                    info.room_id.as_str() == LIVE_ROOM && name == LIVE_ROOM_NAME,
                    format!("{}, named \"{name}\"", info.room_id),
                )
            }
            Err(err) => unexpected_tc(&err),
        },
    )
}

pub(super) async fn room_update(demo: &Demo) -> Seen {
    let room = checked(RoomId::parse(LIVE_ROOM))?;
    let mark = event_mark(&demo.emulator);
    let update = UpdateRoomInfo::new(room.clone())
        .notice(LIVE_ROOM_NOTICE)
        .take_seat_mode(TakeSeatMode::ApplyToTake);
    let (result, latency) = timed(demo.tencent.update_room_info(&update)).await;
    let seen = match result {
        Ok(()) => match demo.tencent.get_room_info(&room).await {
            Ok(info) => {
                let command = "CallbackAfterUpdateRoomInfo";
                let callbacks = tencent_callbacks(&demo.emulator, mark, LIVE_ROOM, command);
                let notice = info.notice.as_deref().unwrap_or("");
                let mode = info
                    .take_seat_mode
                    .as_ref()
                    .map_or("", TakeSeatMode::as_str);
                Observation::new(
                    callbacks == 1
                        && notice == LIVE_ROOM_NOTICE
                        && info.take_seat_mode == Some(TakeSeatMode::ApplyToTake),
                    format!("ok; {callbacks} {command}; Notice \"{notice}\", {mode}"),
                )
            }
            Err(err) => unexpected_tc(&err),
        },
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}

pub(super) async fn room_list(demo: &Demo) -> Seen {
    let (result, latency) = timed(demo.tencent.room_list(ROOM_LIST_PAGE).collect_all()).await;
    let seen = match result {
        Ok(rooms) => {
            let ids: Vec<&str> = rooms.iter().map(|room| room.room_id.as_str()).collect();
            Observation::new(ids == [LIVE_ROOM], ids.join(", "))
        }
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}

pub(super) async fn metadata_set(demo: &Demo) -> Seen {
    let mark = event_mark(&demo.emulator);
    let entries = [
        (
            checked(MetadataKey::parse("stage"))?,
            checked(MetadataValue::parse("quiz"))?,
        ),
        (
            checked(MetadataKey::parse("score"))?,
            checked(MetadataValue::parse("42"))?,
        ),
    ];
    let (result, latency) = timed(
        demo.tencent
            .set_room_metadata(&checked(RoomId::parse(LIVE_ROOM))?, entries),
    )
    .await;
    let seen = match result {
        Ok(()) => {
            let command = "CallbackAfterSetMetadata";
            let callbacks = tencent_callbacks(&demo.emulator, mark, LIVE_ROOM, command);
            Observation::new(callbacks == 1, format!("ok; {callbacks} {command}"))
        }
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}

pub(super) async fn metadata_get(demo: &Demo) -> Seen {
    Ok(
        match demo
            .tencent
            .get_all_room_metadata(&checked(RoomId::parse(LIVE_ROOM))?)
            .await
        {
            Ok(entries) => {
                let seen = describe_metadata(&entries);
                Observation::new(seen == "2 keys: score=42, stage=quiz", seen)
            }
            Err(err) => unexpected_tc(&err),
        },
    )
}

pub(super) async fn metadata_delete(demo: &Demo) -> Seen {
    let room = checked(RoomId::parse(LIVE_ROOM))?;
    let (result, latency) = timed(
        demo.tencent
            .del_room_metadata(&room, [checked(MetadataKey::parse("score"))?]),
    )
    .await;
    let seen = match result {
        Ok(()) => match demo.tencent.get_all_room_metadata(&room).await {
            Ok(entries) => {
                let left = pairs(entries.iter().map(|e| (e.key.as_str(), e.value.as_str())));
                Observation::new(left == "stage=quiz", format!("ok; {left} left"))
            }
            Err(err) => unexpected_tc(&err),
        },
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}

pub(super) async fn room_destroy(demo: &Demo) -> Seen {
    let room = checked(RoomId::parse(LIVE_ROOM))?;
    let (result, latency) = timed(demo.tencent.destroy_room(&room)).await;
    let seen = match result {
        Ok(()) => match demo.tencent.get_room_info(&room).await {
            Err(err) if err.api_code() == Some(TencentCode::RoomNotFound) => {
                Observation::new(true, "ok; room info then answers 100004")
            }
            Err(err) => Observation::new(false, format!("ok; then room info: {}", tc_error(&err))),
            Ok(_) => Observation::new(false, "ok; but room info still finds the room"),
        },
        Err(err) => unexpected_tc(&err),
    };
    Ok(seen.latency(latency))
}
