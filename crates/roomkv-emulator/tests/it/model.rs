//! Model-based property test: random sequences of chat-room KV commands against a plain
//! `BTreeMap` reference, covering owners, autoDelete and user leave, the per-room cap, batch
//! rules and room destruction.

use std::collections::BTreeMap;

use proptest::prelude::*;
use roomkv_core::rongcloud::{ChatroomId, Entry, EntryKey, EntryValue, UserId};
use roomkv_emulator::EmulatorConfig;
use roomkv_emulator::events::EventKind;
use roomkv_emulator::state::State;

use crate::common::*;

#[derive(Debug, Clone)]
enum Cmd {
    Set {
        user: usize,
        key: usize,
        value: usize,
        auto: bool,
    },
    BatchSet {
        owner: usize,
        pairs: Vec<(usize, usize)>,
        auto: bool,
    },
    Remove {
        user: usize,
        key: usize,
    },
    BatchRemove {
        owner: usize,
        keys: Vec<usize>,
    },
    Query {
        keys: Vec<usize>,
    },
    Leave {
        user: usize,
    },
    Destroy,
}

const USERS: usize = 3;
const KEYS: usize = 9;

fn user(i: usize) -> String {
    format!("u{i}")
}
fn key(i: usize) -> String {
    format!("k{i}")
}
fn value(i: usize) -> String {
    format!("v{i}")
}

fn command() -> impl Strategy<Value = Cmd> {
    let u = 0..USERS;
    let k = 0..KEYS;
    let v = 0..4usize;
    prop_oneof![
        4 => (u.clone(), k.clone(), v.clone(), any::<bool>())
            .prop_map(|(user, key, value, auto)| Cmd::Set { user, key, value, auto }),
        2 => (u.clone(), prop::collection::vec((k.clone(), v), 1..5), any::<bool>())
            .prop_map(|(owner, pairs, auto)| Cmd::BatchSet { owner, pairs, auto }),
        3 => (u.clone(), k.clone()).prop_map(|(user, key)| Cmd::Remove { user, key }),
        2 => (u.clone(), prop::collection::vec(k.clone(), 1..5))
            .prop_map(|(owner, keys)| Cmd::BatchRemove { owner, keys }),
        2 => prop::collection::vec(k, 0..4).prop_map(|keys| Cmd::Query { keys }),
        1 => u.prop_map(|user| Cmd::Leave { user }),
        1 => Just(Cmd::Destroy),
    ]
}

#[derive(Debug, Clone, PartialEq)]
struct ModelEntry {
    value: String,
    owner: String,
    auto: bool,
    time: u64,
}

#[derive(Debug, Default)]
struct Model {
    entries: BTreeMap<String, ModelEntry>,
    version: u64,
    cap: usize,
    overwrite_other: bool,
}

impl Model {
    fn views(&self, keys: &[usize]) -> Vec<Entry> {
        let view = |k: &String, e: &ModelEntry| Entry {
            key: EntryKey::non_validated(k.as_str()),
            value: EntryValue::non_validated(e.value.as_str()),
            user_id: UserId::non_validated(e.owner.as_str()),
            auto_delete: e.auto,
            last_set_time_ms: e.time,
        };
        if keys.is_empty() {
            return self.entries.iter().map(|(k, e)| view(k, e)).collect();
        }
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for k in keys.iter().map(|i| key(*i)) {
            if seen.contains(&k) {
                continue;
            }
            seen.push(k.clone());
            if let Some(e) = self.entries.get(&k) {
                out.push(view(&k, e));
            }
        }
        out
    }

    /// Applies `cmd`; the expected result is `Ok` or the vendor code.
    fn apply(&mut self, cmd: &Cmd, now: u64) -> Result<(), i64> {
        match cmd {
            Cmd::Set {
                user: u,
                key: k,
                value: v,
                auto,
            } => {
                let (u, k) = (user(*u), key(*k));
                match self.entries.get(&k) {
                    Some(e) if e.owner != u && !self.overwrite_other => return Err(1002),
                    None if self.entries.len() >= self.cap => return Err(1502),
                    _ => {}
                }
                self.entries.insert(
                    k,
                    ModelEntry {
                        value: value(*v),
                        owner: u,
                        auto: *auto,
                        time: now,
                    },
                );
                self.version += 1;
            }
            Cmd::BatchSet { owner, pairs, auto } => {
                let mut merged: Vec<(String, String)> = Vec::new();
                for (k, v) in pairs {
                    match merged.iter_mut().find(|(mk, _)| *mk == key(*k)) {
                        Some(pair) => pair.1 = value(*v),
                        None => merged.push((key(*k), value(*v))),
                    }
                }
                let new = merged
                    .iter()
                    .filter(|(k, _)| !self.entries.contains_key(k))
                    .count();
                if self.entries.len() + new > self.cap {
                    return Err(1502);
                }
                for (k, v) in merged {
                    self.entries.insert(
                        k,
                        ModelEntry {
                            value: v,
                            owner: user(*owner),
                            auto: *auto,
                            time: now,
                        },
                    );
                    self.version += 1;
                }
            }
            Cmd::Remove { user: u, key: k } => {
                let (u, k) = (user(*u), key(*k));
                match self.entries.get(&k) {
                    None => return Err(1015),
                    Some(e) if e.owner != u => return Err(1002),
                    Some(_) => {}
                }
                self.entries.remove(&k);
                self.version += 1;
            }
            Cmd::BatchRemove { keys, .. } => {
                if keys.iter().all(|k| !self.entries.contains_key(&key(*k))) {
                    return Err(1015);
                }
                for k in keys {
                    if self.entries.remove(&key(*k)).is_some() {
                        self.version += 1;
                    }
                }
            }
            Cmd::Query { .. } => {}
            Cmd::Leave { user: u } => {
                let u = user(*u);
                let before = self.entries.len();
                self.entries.retain(|_, e| !(e.auto && e.owner == u));
                self.version += (before - self.entries.len()) as u64;
            }
            Cmd::Destroy => {
                if !self.entries.is_empty() {
                    self.entries.clear();
                    self.version += 1;
                }
            }
        }
        Ok(())
    }
}

fn run(state: &State, cmd: &Cmd, now: u64) -> Result<Option<Vec<Entry>>, i64> {
    let room = "room";
    let code = |e: roomkv_core::ApiError| e.code.code();
    match cmd {
        Cmd::Set {
            user: u,
            key: k,
            value: v,
            auto,
        } => state
            .entry_set(
                APP,
                &entry_set(room, &user(*u), &key(*k), &value(*v), *auto),
                now,
            )
            .map(|()| None)
            .map_err(code),
        Cmd::BatchSet { owner, pairs, auto } => {
            let pairs: Vec<(String, String)> =
                pairs.iter().map(|(k, v)| (key(*k), value(*v))).collect();
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            state
                .entry_batch_set(APP, &batch_set(room, &user(*owner), &pairs, *auto), now)
                .map(|()| None)
                .map_err(code)
        }
        Cmd::Remove { user: u, key: k } => state
            .entry_remove(APP, &entry_remove(room, &user(*u), &key(*k)), now)
            .map(|()| None)
            .map_err(code),
        Cmd::BatchRemove { owner, keys } => {
            let keys: Vec<String> = keys.iter().map(|k| key(*k)).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            state
                .entry_batch_remove(APP, &batch_remove(room, &user(*owner), &keys), now)
                .map(|()| None)
                .map_err(code)
        }
        Cmd::Query { keys } => {
            let keys: Vec<String> = keys.iter().map(|k| key(*k)).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            state
                .entry_query(APP, &query(room, &keys))
                .map(Some)
                .map_err(code)
        }
        Cmd::Leave { user: u } => {
            state.user_leave(
                APP,
                &ChatroomId::non_validated(room),
                &UserId::non_validated(user(*u)),
                now,
            );
            Ok(None)
        }
        Cmd::Destroy => {
            state.destroy_chatroom(APP, &ChatroomId::non_validated(room), now);
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn chat_room_kv_behaves_like_the_model(
        cap in 3usize..7,
        overwrite_other in any::<bool>(),
        commands in prop::collection::vec(command(), 1..60),
    ) {
        let mut config = EmulatorConfig::default();
        config.limits.rongcloud.entries_per_room_max = cap;
        config.rongcloud.set_overwrites_other_owner = overwrite_other;
        let state = State::new(&config);
        let mut model = Model { cap, overwrite_other, ..Model::default() };
        for (step, cmd) in commands.iter().enumerate() {
            let now = T0_MS + step as u64;
            let expected = model.apply(cmd, now);
            let actual = run(&state, cmd, now);
            prop_assert_eq!(actual.as_ref().map(|_| ()).map_err(|c| *c), expected, "step {} {:?}", step, cmd);
            if let (Cmd::Query { keys }, Ok(Some(views))) = (cmd, &actual) {
                prop_assert_eq!(views, &model.views(keys), "query at step {}", step);
            }
            let all = state.entry_query(APP, &query("room", &[])).unwrap();
            prop_assert!(all.len() <= cap);
            prop_assert_eq!(all, model.views(&[]), "state after step {} {:?}", step, cmd);
        }
        let room = ChatroomId::non_validated("room");
        prop_assert_eq!(state.chatroom_version(APP, &room), model.version);
        let syncs: Vec<u64> = state
            .events_since(0)
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::RongCloudKvSync { body, .. } => Some(body.version),
                _ => None,
            })
            .collect();
        prop_assert_eq!(syncs, (1..=model.version).collect::<Vec<_>>(), "one KV-sync per change, versions 1, 2, 3, ...");
    }
}
