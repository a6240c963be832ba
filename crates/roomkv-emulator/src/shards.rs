//! A fixed number of independently locked shards, so that requests on different rooms never
//! contend on one lock.

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hash};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// `N` shards of `T`, each behind its own `std::sync::Mutex`. A key always maps to the same shard
/// (SipHash with fixed keys, so the mapping is stable across runs).
#[derive(Debug)]
pub(crate) struct Shards<T> {
    shards: Box<[Mutex<T>]>,
}

impl<T: Default> Shards<T> {
    /// `count` shards (at least one).
    pub(crate) fn new(count: usize) -> Self {
        Self {
            shards: (0..count.max(1)).map(|_| Mutex::default()).collect(),
        }
    }
}

impl<T> Shards<T> {
    /// Locks the shard that holds `key`.
    ///
    /// A poisoned lock (a panic while it was held) is recovered: every state operation validates
    /// before it mutates, so a panic cannot leave a half-applied change behind.
    pub(crate) fn lock<K: Hash + ?Sized>(&self, key: &K) -> MutexGuard<'_, T> {
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        // The modulo keeps the index below the shard count, which fits in usize.
        let index = usize::try_from(hash % self.shards.len() as u64).unwrap_or(0);
        lock(&self.shards[index])
    }

    /// Every shard, one at a time, in a fixed order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = MutexGuard<'_, T>> {
        self.shards.iter().map(lock)
    }

    /// The number of shards.
    pub(crate) fn len(&self) -> usize {
        self.shards.len()
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
