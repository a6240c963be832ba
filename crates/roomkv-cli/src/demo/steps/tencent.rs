//! The Tencent steps of `roomkv demo`: rooms and room metadata.

use roomkv_tencent::{CreateRoom, MetadataKey, MetadataValue, RoomId, TencentCode};

use super::support::{
    LIVE_ROOM, LIVE_ROOM_NAME, Seen, checked, describe_metadata, event_mark, ok_or_unexpected_tc,
    pairs, set_metadata_callbacks, tc_error, timed, unexpected_tc,
};
use crate::demo::harness::{Demo, Observation};

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
            let callbacks = set_metadata_callbacks(&demo.emulator, mark, LIVE_ROOM);
            Observation::new(
                callbacks == 1,
                format!("ok; {callbacks} CallbackAfterSetMetadata"),
            )
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
