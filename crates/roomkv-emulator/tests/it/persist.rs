//! The state file: everything the state keeps comes back after a restart, exactly.

use std::path::PathBuf;

use roomkv_emulator::persist::PersistError;
use roomkv_emulator::{Emulator, EmulatorConfig};

use crate::common::*;
use roomkv_core::rongcloud::{ChatroomId, MsgUid, QueryExpansion, UserId};
use roomkv_core::tencent::{GetRoomInfo, GetRoomList, RoomId, UpdateRoomInfo};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roomkv-emu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.json")
}

fn open(file: &PathBuf) -> Emulator {
    Emulator::builder(EmulatorConfig::default())
        .state_file(file)
        .expect("the state file loads")
        .build()
}

/// Everything observable about the state that the file keeps.
fn observe(emulator: &Emulator) -> String {
    let state = emulator.state();
    let room = ChatroomId::non_validated("r1");
    let page = |msg: &str| {
        state
            .expansion_query(
                APP,
                &QueryExpansion::new(MsgUid::non_validated(msg)).page(1),
            )
            .unwrap()
    };
    format!(
        "{:?}\n{:?}\n{}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}\n{}",
        state.entry_query(APP, &query("r1", &[])),
        state.entry_query(APP, &query("r2", &[])),
        state.chatroom_version(APP, &room),
        page("m1"),
        page("m2"),
        state.room_info(SDKAPPID, &GetRoomInfo::new(RoomId::non_validated("live"))),
        state.room_list(SDKAPPID, &GetRoomList::first_page(20)),
        state.metadata_get(SDKAPPID, &metadata_get("live", &[])),
        state.kv_enabled("other-app"),
        state.events_since(0).next,
    )
}

#[test]
fn a_restart_restores_every_kind_of_state() {
    let file = scratch("roundtrip");
    let emulator = open(&file);
    let state = emulator.state();
    state
        .entry_set(APP, &entry_set("r1", "alice", "seat", "1", true), T0_MS)
        .unwrap();
    state
        .entry_set(APP, &entry_set("r1", "bob", "mic", "x", false), T0_MS + 1)
        .unwrap();
    state
        .entry_batch_set(
            APP,
            &batch_set("r2", "carol", &[("a", "1"), ("b", "2")], false),
            T0_MS + 2,
        )
        .unwrap();
    state
        .entry_remove(APP, &entry_remove("r1", "bob", "mic"), T0_MS + 3)
        .unwrap();
    state
        .expansion_set(
            APP,
            &expansion_set("m1", "alice", true, "g", &[("like", "3")]),
            T0_MS,
        )
        .unwrap();
    state
        .expansion_set(
            APP,
            &expansion_set("m2", "alice", false, "bob", &[("k", "v"), ("z", "w")]),
            T0_MS,
        )
        .unwrap();
    state
        .expansion_delete(APP, &expansion_delete("m2", "alice", false, "bob", &["z"]))
        .unwrap();
    state
        .room_create(SDKAPPID, ADMIN, &room_create("live"), T0_MS)
        .unwrap();
    state
        .metadata_set(
            SDKAPPID,
            ADMIN,
            &metadata_set("live", &[("b", "2"), ("a", "1")]),
            T0_MS,
        )
        .unwrap();
    // update_room_info's Notice and a field roomkv does not model, and a view count.
    let update = UpdateRoomInfo::new(RoomId::non_validated("live"))
        .notice("pinned")
        .unmodeled_field("SeatLayoutTemplateId", 600.into());
    state.room_update(SDKAPPID, ADMIN, &update, T0_MS).unwrap();
    state
        .room_set_view_count(SDKAPPID, &RoomId::non_validated("live"), 7)
        .unwrap();
    state.set_kv_enabled("other-app", false);
    let before = observe(&emulator);
    assert!(before.contains("pinned") && before.contains("SeatLayoutTemplateId"));
    drop(emulator);

    let emulator = open(&file);
    assert_eq!(observe(&emulator), before);
    // The restored state goes on where it stopped: versions and owners still hold.
    let state = emulator.state();
    let refused = state.entry_set(APP, &entry_set("r1", "bob", "seat", "2", false), T0_MS + 9);
    assert!(refused.is_err(), "alice's entry is still hers");
    state
        .entry_set(
            APP,
            &entry_set("r1", "alice", "seat", "2", false),
            T0_MS + 9,
        )
        .unwrap();
    assert_eq!(
        state.chatroom_version(APP, &ChatroomId::non_validated("r1")),
        4
    );
    state.user_leave(
        APP,
        &ChatroomId::non_validated("r1"),
        &UserId::non_validated("alice"),
        T0_MS,
    );
    drop(emulator);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn a_missing_file_is_created_and_a_damaged_one_refused() {
    let file = scratch("damaged");
    drop(open(&file));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("{\"format\":\"roomkv-emulator-state\",\"version\":1,"),
        "{text}"
    );

    // A truncated file (what a non-atomic write would leave) is refused, not replaced.
    std::fs::write(&file, &text[..text.len() / 2]).unwrap();
    let err = Emulator::builder(EmulatorConfig::default())
        .state_file(&file)
        .unwrap_err();
    assert!(matches!(err, PersistError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("state.json"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        &text[..text.len() / 2]
    );

    std::fs::write(&file, text.replace("\"version\":1", "\"version\":2")).unwrap();
    let err = Emulator::builder(EmulatorConfig::default())
        .state_file(&file)
        .unwrap_err();
    assert!(
        matches!(err, PersistError::Incompatible { found: 2, .. }),
        "{err}"
    );
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}

#[test]
fn a_leftover_temporary_file_is_removed_and_an_empty_file_is_an_empty_state() {
    let file = scratch("leftover");
    let emulator = open(&file);
    emulator
        .state()
        .entry_set(APP, &entry_set("r1", "u1", "k", "kept", false), T0_MS)
        .unwrap();
    drop(emulator);
    // A kill between the creation of the temporary file and its rename leaves this.
    let temporary = roomkv_emulator::persist::temporary_path(&file).unwrap();
    std::fs::write(&temporary, "{\"format\":\"roomkv-emulator-st").unwrap();
    let emulator = open(&file);
    assert!(!temporary.exists(), "the leftover is removed at start");
    let kept = emulator
        .state()
        .entry_query(APP, &query("r1", &["k"]))
        .unwrap();
    assert_eq!(
        kept[0].value.as_str(),
        "kept",
        "the state file itself is used"
    );
    drop(emulator);

    // An empty file starts an empty state, and is replaced by a valid one at once.
    std::fs::write(&file, "").unwrap();
    let emulator = open(&file);
    assert!(
        emulator
            .state()
            .entry_query(APP, &query("r1", &[]))
            .unwrap()
            .is_empty()
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("{\"format\":\"roomkv-emulator-state\""),
        "{text}"
    );
    drop(emulator);
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}
