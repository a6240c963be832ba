//! `roomkv emulator --state FILE`: every acknowledged write survives `kill -9`, the file always
//! loads again, and nothing that was never sent appears. A damaged file stops the emulator.

use roomkv_rongcloud::RongCloudSettings;
use roomkv_tencent::TencentSettings;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use roomkv_rongcloud::{AppKey, AppSecret, ChatroomId, EntryKey, EntryValue, RetryPolicy, UserId};
use roomkv_tencent::{CreateRoom, MetadataKey, MetadataValue, RoomId, SecretKey};

use crate::process::{EXIT_TIMEOUT, Roomkv};
use crate::vendor::{Emulator, RC_KEY, RC_SECRET, TC_SECRET};

/// How many times the emulator is killed in the middle of the writes.
const KILLS: usize = 4;
/// Concurrent writers: RongCloud entry sets and Tencent room + metadata writes.
const RC_WRITERS: usize = 6;
const TC_WRITERS: usize = 2;
/// The most a round waits for its writes to be acknowledged before it kills the emulator.
const ROUND_LIMIT: Duration = Duration::from_secs(20);

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("roomkv-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Self(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("state.json")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One write: a RongCloud entry (room, key) or a Tencent metadata key (room, key), each with a
/// value no other write uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Write {
    Entry {
        room: String,
        key: String,
        value: String,
    },
    Metadata {
        room: String,
        key: String,
        value: String,
    },
}

/// What the writers sent: `attempted` includes every write sent, acknowledged or not.
#[derive(Default)]
struct Ledger {
    acknowledged: BTreeSet<Write>,
    attempted: BTreeSet<Write>,
}

fn no_retries() -> RetryPolicy {
    RetryPolicy::default().with_max_attempts(1)
}

fn rc_client(url: &str) -> roomkv_rongcloud::Client {
    roomkv_rongcloud::Client::builder()
        .app_key(AppKey::new(RC_KEY))
        .app_secret(AppSecret::new(RC_SECRET))
        .timeout(Duration::from_secs(10))
        .retry_policy(no_retries())
        .base_url(url)
        .build()
        .expect("the client builds")
}

fn tc_client(url: &str) -> roomkv_tencent::Client {
    roomkv_tencent::Client::builder()
        .sdkappid(1_400_000_000)
        .secret_key(SecretKey::new(TC_SECRET))
        .timeout(Duration::from_secs(10))
        .retry_policy(no_retries())
        .base_url(url)
        .build()
        .expect("the client builds")
}

/// Writes until `stop` or the first failure (the emulator was killed), recording each write as
/// attempted before it is sent and as acknowledged once answered.
async fn write_until_stopped(
    url: String,
    round: usize,
    writer: usize,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
) -> Ledger {
    let mut ledger = Ledger::default();
    let rc = rc_client(&url);
    let tc = tc_client(&url);
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let value = format!("r{round}w{writer}n{n}");
        let done = if writer < RC_WRITERS {
            // 90 keys per room: under the 100-entry cap.
            let room = format!("kv-r{round}-w{writer}-{}", n / 90);
            let key = format!("k{n}");
            ledger.attempted.insert(Write::Entry {
                room: room.clone(),
                key: key.clone(),
                value: value.clone(),
            });
            let sent = rc
                .set_entry(
                    &ChatroomId::parse(&room).unwrap(),
                    &UserId::parse(format!("u{writer}")).unwrap(),
                    EntryKey::parse(&key).unwrap(),
                    EntryValue::parse(&value).unwrap(),
                )
                .await;
            sent.is_ok().then_some(Write::Entry { room, key, value })
        } else {
            // One room per write: created, then given one metadata key.
            let room = format!("live-r{round}-w{writer}-{n}");
            let id = RoomId::parse(&room).unwrap();
            let key = "seat".to_owned();
            ledger.attempted.insert(Write::Metadata {
                room: room.clone(),
                key: key.clone(),
                value: value.clone(),
            });
            let sent = match tc.create_room(CreateRoom::new(id.clone())).await {
                Ok(()) => {
                    tc.set_room_metadata(
                        &id,
                        [(
                            MetadataKey::parse(&key).unwrap(),
                            MetadataValue::parse(&value).unwrap(),
                        )],
                    )
                    .await
                }
                Err(err) => Err(err),
            };
            sent.is_ok().then_some(Write::Metadata { room, key, value })
        };
        match done {
            Some(write) => {
                ledger.acknowledged.insert(write);
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
            None => break,
        }
        n += 1;
    }
    ledger
}

/// What the emulator at `url` holds, as writes of the shape the writers make (rooms named in
/// `ledger.attempted` only: those are the only ones that may hold anything).
async fn stored(url: &str, ledger: &Ledger) -> BTreeSet<Write> {
    let rc = rc_client(url);
    let tc = tc_client(url);
    let mut rooms = BTreeMap::new();
    for write in &ledger.attempted {
        match write {
            Write::Entry { room, .. } => rooms.insert(room.clone(), true),
            Write::Metadata { room, .. } => rooms.insert(room.clone(), false),
        };
    }
    let mut found = BTreeSet::new();
    for (room, rongcloud) in rooms {
        if rongcloud {
            let entries = rc
                .query_all_entries(&ChatroomId::parse(&room).unwrap())
                .await
                .expect("query answered");
            for entry in entries {
                found.insert(Write::Entry {
                    room: room.clone(),
                    key: entry.key.as_str().to_owned(),
                    value: entry.value.as_str().to_owned(),
                });
            }
        } else {
            match tc
                .get_all_room_metadata(&RoomId::parse(&room).unwrap())
                .await
            {
                Ok(items) => {
                    for item in items {
                        found.insert(Write::Metadata {
                            room: room.clone(),
                            key: item.key.as_str().to_owned(),
                            value: item.value.as_str().to_owned(),
                        });
                    }
                }
                // The room was never created (its create was not processed): nothing stored.
                Err(err) if err.api_error().is_some_and(|e| e.code.code() == 100_004) => {}
                Err(err) => panic!("get_room_metadata {room}: {err}"),
            }
        }
    }
    found
}

fn start(file: &Path) -> Emulator {
    Emulator::start_with(&["--state", file.to_str().unwrap(), "--no-rate-limit"])
}

#[test]
fn acknowledged_writes_survive_kill_9_and_nothing_else_appears() {
    let scratch = Scratch::new("persist-kill");
    let file = scratch.file();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut ledger = Ledger::default();
    for round in 0..=KILLS {
        // Starting again proves the file loads, whenever the previous process was killed.
        let emulator = start(&file);
        let found = runtime.block_on(stored(&emulator.url, &ledger));
        let missing: Vec<_> = ledger.acknowledged.difference(&found).collect();
        assert!(
            missing.is_empty(),
            "round {round}: acknowledged writes lost: {missing:?}"
        );
        let invented: Vec<_> = found.difference(&ledger.attempted).collect();
        assert!(
            invented.is_empty(),
            "round {round}: stored but never sent: {invented:?}"
        );
        if round == KILLS {
            assert!(
                ledger.acknowledged.len() >= KILLS * 100,
                "only {} writes acknowledged",
                ledger.acknowledged.len()
            );
            break;
        }

        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..RC_WRITERS + TC_WRITERS)
            .map(|writer| {
                runtime.spawn(write_until_stopped(
                    emulator.url.clone(),
                    round,
                    writer,
                    Arc::clone(&stop),
                    Arc::clone(&acknowledged),
                ))
            })
            .collect();
        // Kill at a different point of each round, with every writer busy.
        let target = 100 + 37 * round;
        let deadline = Instant::now() + ROUND_LIMIT;
        while acknowledged.load(Ordering::Relaxed) < target {
            assert!(
                Instant::now() < deadline,
                "round {round}: only {} writes acknowledged within {ROUND_LIMIT:?}",
                acknowledged.load(Ordering::Relaxed)
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        // SIGKILL, while the writers keep writing.
        drop(emulator);
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            let part = runtime
                .block_on(async { tokio::time::timeout(EXIT_TIMEOUT, writer).await })
                .expect("writers stop once the emulator is gone")
                .expect("writer task");
            ledger.acknowledged.extend(part.acknowledged);
            ledger.attempted.extend(part.attempted);
        }
    }
}

#[test]
fn a_damaged_state_file_stops_the_emulator_and_is_kept() {
    let scratch = Scratch::new("persist-damaged");
    let file = scratch.file();
    for (content, expected) in [
        (
            "{\"format\":\"roomkv-emulator-state\",\"vers",
            "not a valid",
        ),
        (
            "{\"format\":\"something-else\",\"version\":1}",
            "not a valid",
        ),
        (
            "{\"format\":\"roomkv-emulator-state\",\"version\":99,\"state\":{}}",
            "version 99",
        ),
        (
            "{\"format\":\"roomkv-emulator-state\",\"version\":1,\"state\":{\"chatrooms\":7}}",
            "not a valid",
        ),
    ] {
        std::fs::write(&file, content).unwrap();
        let out = Roomkv::run(&[
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--state",
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{content}: {out:?}");
        assert!(out.stdout.is_empty(), "{content}: {out:?}");
        assert!(
            out.stderr.contains(expected) && out.stderr.contains("state.json"),
            "{content}: {}",
            out.stderr
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), content);
    }
}

#[test]
fn a_graceful_stop_and_restart_keeps_the_state() {
    let scratch = Scratch::new("persist-restart");
    let file = scratch.file();
    let emulator = start(&file);
    crate::vendor::success(&emulator.rongcloud(&[
        "entry",
        "set",
        "--room",
        "r",
        "--user",
        "alice",
        "--key",
        "seat",
        "--value",
        "1",
        "--auto-delete",
    ]));
    crate::vendor::success(&emulator.tencent(&["room", "create", "--room", "live"]));
    crate::vendor::success(&emulator.tencent(&["metadata", "set", "--room", "live", "k=v"]));
    drop(emulator);
    assert!(file.exists());

    let emulator = start(&file);
    let entries = crate::vendor::success(&emulator.rongcloud(&["entry", "query", "--room", "r"]));
    let text = entries.to_string();
    assert!(
        text.contains("\"alice\"") && text.contains("\"seat\"") && text.contains("true"),
        "{text}"
    );
    let metadata =
        crate::vendor::success(&emulator.tencent(&["metadata", "get", "--room", "live"]));
    assert!(metadata.to_string().contains("\"v\""), "{metadata}");
}

#[test]
fn an_empty_state_file_starts_empty_and_a_leftover_temporary_file_is_removed_with_notes() {
    let scratch = Scratch::new("persist-empty");
    let file = scratch.file();
    std::fs::write(&file, "").unwrap();
    let temporary = scratch.0.join("state.json.tmp");
    std::fs::write(&temporary, "{\"format\":\"roomkv-emul").unwrap();
    let mut emulator = Roomkv::spawn(&[
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--state",
        file.to_str().unwrap(),
    ]);
    let ready = emulator.next_line(crate::process::READY_TIMEOUT);
    assert!(
        ready.starts_with("roomkv emulator listening on "),
        "{ready}"
    );
    assert!(!temporary.exists(), "the leftover is removed at start");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("{\"format\":\"roomkv-emulator-state\""),
        "{text}"
    );
    emulator.signal("TERM");
    let out = emulator.wait(EXIT_TIMEOUT);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr
            .contains("is empty (0 bytes): starting with an empty state")
            && out
                .stderr
                .contains("state.json.tmp, the temporary file of a save that was interrupted"),
        "{}",
        out.stderr
    );
}
