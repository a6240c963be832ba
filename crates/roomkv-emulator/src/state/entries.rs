//! The KV entries of one chat room, stored compactly.
//!
//! A room holds at most a few hundred entries (RongCloud's cap is 100), so a vector sorted by
//! key, searched by bisection, serves every operation in key order without the per-node slack
//! of a tree map. Each entry is one fixed 48-byte record and one allocation holding its key and
//! value together; owners are shared: an entry set by a user who already owns an entry of the
//! room points to the same string.
//!
//! The state file sees none of this: [`Entries`] serializes as the map of key to
//! `{value, owner, auto_delete, last_set_time}` it has always been.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One stored entry. `text` is the key followed by the value; the key is its first `key_len`
/// bytes (a char boundary: both halves were whole strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredEntry {
    text: Box<str>,
    owner: Arc<str>,
    last_set_time: u64,
    key_len: u32,
    auto_delete: bool,
}

impl StoredEntry {
    /// The key.
    pub(crate) fn key(&self) -> &str {
        &self.text[..self.key_len as usize]
    }

    /// The value.
    pub(crate) fn value(&self) -> &str {
        &self.text[self.key_len as usize..]
    }

    /// The user who set it last.
    pub(crate) fn owner(&self) -> &str {
        &self.owner
    }

    /// Whether it vanishes when its owner leaves the room.
    pub(crate) fn auto_delete(&self) -> bool {
        self.auto_delete
    }

    /// When it was set last, in milliseconds since the Unix epoch.
    pub(crate) fn last_set_time(&self) -> u64 {
        self.last_set_time
    }
}

/// A chat room's entries in key order. See the [module documentation](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Entries {
    sorted: Vec<StoredEntry>,
}

impl Entries {
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.sorted.binary_search_by(|entry| entry.key().cmp(key))
    }

    /// The entry of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&StoredEntry> {
        self.position(key).ok().map(|i| &self.sorted[i])
    }

    /// Whether `key` has an entry.
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Every entry, in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &StoredEntry> {
        self.sorted.iter()
    }

    /// Sets `key` to `value`, owned by `owner`, replacing any entry of `key`.
    pub(crate) fn insert(
        &mut self,
        key: &str,
        value: &str,
        owner: &str,
        auto_delete: bool,
        last_set_time: u64,
    ) {
        let owner = self.shared_owner(owner);
        let mut text = String::with_capacity(key.len() + value.len());
        text.push_str(key);
        text.push_str(value);
        let entry = StoredEntry {
            text: text.into_boxed_str(),
            owner,
            last_set_time,
            key_len: u32::try_from(key.len()).expect("a key shorter than 4 GiB"),
            auto_delete,
        };
        match self.position(key) {
            Ok(i) => self.sorted[i] = entry,
            Err(i) => {
                // Grow by an eighth: at most 12.5 % of a room's slots stand empty, and a room
                // filled one entry at a time is reallocated (copied) a few dozen times, not
                // once per entry.
                self.sorted.reserve_exact((self.sorted.len() / 8).max(1));
                self.sorted.insert(i, entry);
            }
        }
    }

    /// `owner` as an entry of the room already holds it, or a new string.
    fn shared_owner(&self, owner: &str) -> Arc<str> {
        self.sorted
            .iter()
            .find(|entry| *entry.owner == *owner)
            .map_or_else(|| Arc::from(owner), |entry| Arc::clone(&entry.owner))
    }

    /// Removes the entry of `key`, returning it.
    pub(crate) fn remove(&mut self, key: &str) -> Option<StoredEntry> {
        let i = self.position(key).ok()?;
        let removed = self.sorted.remove(i);
        if self.sorted.capacity() > 2 * self.sorted.len() + 4 {
            self.sorted.shrink_to_fit();
        }
        Some(removed)
    }

    /// Removes every entry.
    pub(crate) fn clear(&mut self) {
        self.sorted = Vec::new();
    }
}

/// An entry as the state file stores it.
#[derive(Serialize, Deserialize)]
struct EntryRecord<V, O> {
    value: V,
    owner: O,
    auto_delete: bool,
    last_set_time: u64,
}

impl Serialize for Entries {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.sorted.iter().map(|entry| {
            let record = EntryRecord {
                value: entry.value(),
                owner: entry.owner(),
                auto_delete: entry.auto_delete,
                last_set_time: entry.last_set_time,
            };
            (entry.key(), record)
        }))
    }
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, EntryRecord<String, String>>::deserialize(deserializer)?;
        let mut entries = Self::default();
        entries.sorted.reserve_exact(map.len());
        for (key, record) in map {
            entries.insert(
                &key,
                &record.value,
                &record.owner,
                record.auto_delete,
                record.last_set_time,
            );
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn entries_are_kept_in_key_order_and_replaced_in_place() {
        let mut entries = Entries::default();
        entries.insert("b", "2", "u", false, 1);
        entries.insert("a", "1", "u", true, 2);
        entries.insert("b", "two", "v", false, 3);
        let keys: Vec<_> = entries.iter().map(StoredEntry::key).collect();
        assert_eq!(keys, ["a", "b"]);
        let b = entries.get("b").unwrap();
        assert_eq!((b.value(), b.owner(), b.last_set_time()), ("two", "v", 3));
        assert!(entries.get("a").unwrap().auto_delete());
        assert!(!entries.contains_key("c"));
        assert_eq!(entries.remove("a").unwrap().value(), "1");
        assert_eq!(entries.remove("a"), None);
        assert_eq!(entries.len(), 1);
        entries.clear();
        assert_eq!(entries.len(), 0);
    }

    #[test]
    fn owners_are_shared_within_a_room() {
        let mut entries = Entries::default();
        entries.insert("a", "1", "owner", false, 1);
        entries.insert("b", "2", "owner", false, 1);
        let (a, b) = (entries.get("a").unwrap(), entries.get("b").unwrap());
        assert!(Arc::ptr_eq(&a.owner, &b.owner));
        assert_eq!(size_of::<StoredEntry>(), 48);
    }

    #[test]
    fn the_state_file_format_is_the_map_it_always_was() {
        let mut entries = Entries::default();
        entries.insert("k2", "v", "u1", true, 7);
        entries.insert("k1", "é", "u2", false, 8);
        let json = serde_json::to_string(&entries).unwrap();
        assert_eq!(
            json,
            r#"{"k1":{"value":"é","owner":"u2","auto_delete":false,"last_set_time":8},"k2":{"value":"v","owner":"u1","auto_delete":true,"last_set_time":7}}"#
        );
        assert_eq!(serde_json::from_str::<Entries>(&json).unwrap(), entries);
    }

    proptest! {
        /// Any sequence of sets and removes leaves what a `BTreeMap` would hold, in its order.
        #[test]
        fn entries_behave_as_an_ordered_map(
            ops in proptest::collection::vec(
                (any::<bool>(), "[a-e]{0,3}", "[x-zé]{0,3}", "[uv]", any::<bool>(), any::<u64>()),
                0..200,
            ),
        ) {
            let mut entries = Entries::default();
            let mut model = BTreeMap::new();
            for (set, key, value, owner, auto_delete, time) in ops {
                if set {
                    entries.insert(&key, &value, &owner, auto_delete, time);
                    model.insert(key, (value, owner, auto_delete, time));
                } else {
                    let removed = entries.remove(&key).map(|e| e.value().to_owned());
                    prop_assert_eq!(removed, model.remove(&key).map(|m| m.0));
                }
            }
            let got: Vec<_> = entries
                .iter()
                .map(|e| {
                    let view = (e.value().to_owned(), e.owner().to_owned(), e.auto_delete(), e.last_set_time());
                    (e.key().to_owned(), view)
                })
                .collect();
            let want: Vec<_> = model.into_iter().collect();
            prop_assert_eq!(got, want);
        }
    }
}
