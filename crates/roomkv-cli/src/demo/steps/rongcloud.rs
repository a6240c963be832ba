//! The RongCloud steps of `roomkv demo`: chat-room KV entries and message expansions.

use roomkv_rongcloud::{
    ChatroomId, ConversationType, EntryKey, EntryValue, ExpansionKey, ExpansionValue,
    KV_NOTIFICATION_OBJECT_NAME, MsgUid, Notification, SetEntry, TargetId, UserId,
};

use super::support::{
    ANCHOR, GROUP, MSG_UID, MSG_USER, ROOM, Seen, checked, describe_entries, event_mark,
    notifications, ok_or_unexpected_rc, pairs, timed, unexpected_rc,
};
use crate::demo::harness::{Demo, Observation};

pub(super) async fn entry_set(demo: &Demo) -> Seen {
    let mark = event_mark(&demo.emulator);
    let op = SetEntry::new(
        checked(ChatroomId::parse(ROOM))?,
        checked(UserId::parse(ANCHOR))?,
        checked(EntryKey::parse("stage"))?,
        checked(EntryValue::parse("quiz"))?,
    )
    .notify(Notification::kv_change());
    let (result, latency) = timed(demo.rongcloud.send(&op)).await;
    let seen = match result {
        Ok(()) => {
            let sent = notifications(&demo.emulator, mark, ROOM);
            Observation::new(
                sent == 1,
                format!("ok; {sent} {KV_NOTIFICATION_OBJECT_NAME} recorded"),
            )
        }
        Err(err) => unexpected_rc(&err),
    };
    Ok(seen.latency(latency))
}

pub(super) async fn entry_batch_set(demo: &Demo) -> Seen {
    let entries = [
        (
            checked(EntryKey::parse("seat-1"))?,
            checked(EntryValue::parse("alice"))?,
        ),
        (
            checked(EntryKey::parse("seat-2"))?,
            checked(EntryValue::parse("bob"))?,
        ),
        (
            checked(EntryKey::parse("score"))?,
            checked(EntryValue::parse("0"))?,
        ),
    ];
    let result = demo
        .rongcloud
        .batch_set_entries(
            &checked(ChatroomId::parse(ROOM))?,
            &checked(UserId::parse(ANCHOR))?,
            entries,
        )
        .await;
    Ok(ok_or_unexpected_rc(result))
}

pub(super) async fn entry_query(demo: &Demo) -> Seen {
    Ok(
        match demo
            .rongcloud
            .query_all_entries(&checked(ChatroomId::parse(ROOM))?)
            .await
        {
            Ok(entries) => {
                let seen = describe_entries(&entries, "entries");
                Observation::new(
                    seen == "4 entries: score=0, seat-1=alice, seat-2=bob, stage=quiz",
                    seen,
                )
            }
            Err(err) => unexpected_rc(&err),
        },
    )
}

pub(super) async fn entry_remove(demo: &Demo) -> Seen {
    let result = demo
        .rongcloud
        .remove_entry(
            &checked(ChatroomId::parse(ROOM))?,
            &checked(UserId::parse(ANCHOR))?,
            checked(EntryKey::parse("score"))?,
        )
        .await;
    Ok(ok_or_unexpected_rc(result))
}

pub(super) async fn entry_batch_remove(demo: &Demo) -> Seen {
    let keys = [
        checked(EntryKey::parse("seat-1"))?,
        checked(EntryKey::parse("seat-2"))?,
    ];
    let (result, latency) = timed(demo.rongcloud.batch_remove_entries(
        &checked(ChatroomId::parse(ROOM))?,
        &checked(UserId::parse(ANCHOR))?,
        keys,
    ))
    .await;
    let seen = match result {
        Ok(()) => match demo
            .rongcloud
            .query_all_entries(&checked(ChatroomId::parse(ROOM))?)
            .await
        {
            Ok(entries) => {
                let left = pairs(entries.iter().map(|e| (e.key.as_str(), e.value.as_str())));
                Observation::new(left == "stage=quiz", format!("ok; {left} left"))
            }
            Err(err) => unexpected_rc(&err),
        },
        Err(err) => unexpected_rc(&err),
    };
    Ok(seen.latency(latency))
}

pub(super) async fn expansion_set(demo: &Demo) -> Seen {
    let entries = [
        (
            checked(ExpansionKey::parse("likes"))?,
            checked(ExpansionValue::parse("3"))?,
        ),
        (
            checked(ExpansionKey::parse("pinned"))?,
            checked(ExpansionValue::parse("yes"))?,
        ),
    ];
    let result = demo
        .rongcloud
        .set_expansion(
            &checked(MsgUid::parse(MSG_UID))?,
            &checked(UserId::parse(MSG_USER))?,
            ConversationType::Group,
            &checked(TargetId::parse(GROUP))?,
            entries,
        )
        .await;
    Ok(ok_or_unexpected_rc(result))
}

pub(super) async fn expansion_query(demo: &Demo) -> Seen {
    Ok(
        match demo
            .rongcloud
            .query_expansion(&checked(MsgUid::parse(MSG_UID))?)
            .await
        {
            Ok(page) => {
                let mut items: Vec<(&str, &str)> = page
                    .entries
                    .iter()
                    .map(|e| (e.key.as_str(), e.value.as_str()))
                    .collect();
                items.sort_unstable();
                let seen = format!("{} keys: {}", items.len(), pairs(items));
                Observation::new(seen == "2 keys: likes=3, pinned=yes", seen)
            }
            Err(err) => unexpected_rc(&err),
        },
    )
}

pub(super) async fn expansion_delete(demo: &Demo) -> Seen {
    let (result, latency) = timed(demo.rongcloud.delete_expansion(
        &checked(MsgUid::parse(MSG_UID))?,
        &checked(UserId::parse(MSG_USER))?,
        ConversationType::Group,
        &checked(TargetId::parse(GROUP))?,
        [checked(ExpansionKey::parse("pinned"))?],
    ))
    .await;
    let seen = match result {
        Ok(()) => match demo
            .rongcloud
            .query_expansion(&checked(MsgUid::parse(MSG_UID))?)
            .await
        {
            Ok(page) => {
                let left = pairs(
                    page.entries
                        .iter()
                        .map(|e| (e.key.as_str(), e.value.as_str())),
                );
                Observation::new(left == "likes=3", format!("ok; {left} left"))
            }
            Err(err) => unexpected_rc(&err),
        },
        Err(err) => unexpected_rc(&err),
    };
    Ok(seen.latency(latency))
}
