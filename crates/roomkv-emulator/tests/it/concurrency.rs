//! 16 writers × 1,000 writes on the state at once: nothing lost, the final state equals the
//! sequential model.

use std::collections::BTreeMap;

use roomkv_core::rongcloud::ChatroomId;
use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::state::State;

use crate::common::*;

const WRITERS: usize = 16;
const WRITES: usize = 1_000;
const ROOMS: usize = 8;
const KEYS_PER_WRITER: usize = 6;

#[test]
fn concurrent_writers_lose_nothing() {
    let state = State::new(&EmulatorConfig::default());
    std::thread::scope(|scope| {
        for writer in 0..WRITERS {
            let state = &state;
            scope.spawn(move || {
                for i in 0..WRITES {
                    let room = format!("r{}", i % ROOMS);
                    let key = format!("w{writer}-{}", i % KEYS_PER_WRITER);
                    let value = format!("{i}");
                    let user = format!("u{writer}");
                    state
                        .entry_set(
                            APP,
                            &entry_set(&room, &user, &key, &value, false),
                            T0_MS + i as u64,
                        )
                        .unwrap();
                }
            });
        }
    });
    // The model: each (room, key) is written by one writer only, so its last value is known.
    let mut model: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for writer in 0..WRITERS {
        for i in 0..WRITES {
            model.insert(
                (
                    format!("r{}", i % ROOMS),
                    format!("w{writer}-{}", i % KEYS_PER_WRITER),
                ),
                (format!("{i}"), format!("u{writer}")),
            );
        }
    }
    let mut actual = BTreeMap::new();
    for room in 0..ROOMS {
        let room = format!("r{room}");
        let views = state.entry_query(APP, &query(&room, &[])).unwrap();
        assert!(views.len() <= 100);
        for view in views {
            actual.insert(
                (room.clone(), view.key.as_str().to_owned()),
                (
                    view.value.as_str().to_owned(),
                    view.user_id.as_str().to_owned(),
                ),
            );
        }
        let version = state.chatroom_version(APP, &ChatroomId::non_validated(room));
        assert_eq!(
            version,
            (WRITERS * WRITES / ROOMS) as u64,
            "every write counted once"
        );
    }
    assert_eq!(actual, model);
    let page = state.events_since(0);
    assert_eq!(page.events.len(), WRITERS * WRITES);
    assert!(
        page.events
            .iter()
            .enumerate()
            .all(|(i, e)| e.seq == i as u64 + 1),
        "gapless, ordered"
    );
    assert_eq!(page.next, (WRITERS * WRITES) as u64);
}

#[test]
fn concurrent_tencent_metadata_writers_respect_the_room_limits() {
    let state = State::new(&EmulatorConfig::default());
    state
        .room_create(SDKAPPID, ADMIN, &room_create("live"), T0_MS)
        .unwrap();
    let accepted = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for writer in 0..WRITERS {
            let (state, accepted) = (&state, &accepted);
            scope.spawn(move || {
                for i in 0..100 {
                    let key = format!("w{writer}-{i}");
                    if state
                        .metadata_set(
                            SDKAPPID,
                            ADMIN,
                            &metadata_set("live", &[(&key, "v")]),
                            T0_MS,
                        )
                        .is_ok()
                    {
                        accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(accepted.into_inner(), 10, "exactly ten distinct keys fit");
    assert_eq!(
        state
            .metadata_get(SDKAPPID, &metadata_get("live", &[]))
            .unwrap()
            .len(),
        10
    );
}

/// The same 16 × 1,000 writes over loopback HTTP: 16 clients, each with its own keep-alive
/// connection (bounded: one request in flight per client), quotas off.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_over_http_lose_nothing() {
    use crate::served::{Served, keep_alive_client, send_with, sign_rc};

    let served = Served::unlimited().await;
    let base = served.base_url();
    let mut tasks = Vec::new();
    for writer in 0..WRITERS {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = keep_alive_client(1);
            for i in 0..WRITES {
                let form = format!(
                    "chatroomId=r{}&userId=u{writer}&key=w{writer}-{}&value={i}",
                    i % ROOMS,
                    i % KEYS_PER_WRITER
                );
                let request = http::Request::post("/chatroom/entry/set.json")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(form)
                    .unwrap();
                let reply = send_with(&client, &base, sign_rc(request)).await;
                assert_eq!(
                    reply.text(),
                    r#"{"code":200}"#,
                    "writer {writer}, write {i}"
                );
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let mut model: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for writer in 0..WRITERS {
        for i in 0..WRITES {
            model.insert(
                (
                    format!("r{}", i % ROOMS),
                    format!("w{writer}-{}", i % KEYS_PER_WRITER),
                ),
                (format!("{i}"), format!("u{writer}")),
            );
        }
    }
    // Read back over HTTP too.
    let mut actual = BTreeMap::new();
    for room in 0..ROOMS {
        let room = format!("r{room}");
        let reply = served
            .rc("/chatroom/entry/query.json", &format!("chatroomId={room}"))
            .await
            .json();
        for entry in reply["keys"].as_array().unwrap() {
            actual.insert(
                (room.clone(), entry["key"].as_str().unwrap().to_owned()),
                (
                    entry["value"].as_str().unwrap().to_owned(),
                    entry["userId"].as_str().unwrap().to_owned(),
                ),
            );
        }
        let version = served
            .emulator
            .state()
            .chatroom_version(APP, &ChatroomId::non_validated(room));
        assert_eq!(version, (WRITERS * WRITES / ROOMS) as u64);
    }
    assert_eq!(actual, model);
    assert_eq!(
        served.emulator.state().events_since(0).events.len(),
        WRITERS * WRITES
    );
    served.shutdown().await;
}
