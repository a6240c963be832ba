//! Replay protection: [`NonceStore`] and its bounded in-memory default, [`MemoryNonceStore`].

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::WebhookError;
use crate::request::check_window;

/// What [`NonceStore::insert`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    /// The key was new; it is now remembered until its expiry.
    New,
    /// The key is remembered and has not expired: a replay.
    Seen,
    /// The store has no room for another unexpired key.
    Full {
        /// The store's capacity.
        capacity: usize,
    },
}

/// Remembers the callbacks already accepted, until they can no longer pass the replay window.
///
/// Implement it over a shared store (Redis `SET key NX PX`, a database table with a unique key)
/// when several server processes receive the same vendor's callbacks; the default
/// [`MemoryNonceStore`] protects one process.
pub trait NonceStore: Send + Sync + fmt::Debug {
    /// Remembers `key` until `expires_at`, unless it is already remembered (and not expired at
    /// `now`). Must be atomic: two concurrent inserts of one key give one [`Insert::New`].
    fn insert(&self, key: &str, now: SystemTime, expires_at: SystemTime) -> Insert;
}

/// A bounded in-memory [`NonceStore`]: at most `capacity` keys, each forgotten once expired.
///
/// Memory stays bounded: expired keys are dropped on every insert, and when `capacity`
/// unexpired keys are held the store answers [`Insert::Full`] (the verifiers then refuse the
/// callback with [`WebhookError::ReplayStoreFull`](crate::WebhookError::ReplayStoreFull))
/// instead of forgetting a key that could still be replayed. Only authenticated callbacks reach
/// the store, so filling it takes genuine traffic; size it for the callbacks of one window.
pub struct MemoryNonceStore {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    expiry: HashMap<String, SystemTime>,
    /// Keys in insertion order with their expiry (every verifier inserts with a constant
    /// window, so this is also expiry order, which is what makes purging cheap).
    order: VecDeque<(String, SystemTime)>,
}

impl MemoryNonceStore {
    /// The capacity of [`MemoryNonceStore::default`].
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store holding at most `capacity` unexpired keys.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Entries::default()),
        }
    }

    /// How many keys are held (expired ones included until the next insert purges them).
    pub fn len(&self) -> usize {
        self.lock().expiry.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for MemoryNonceStore {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for MemoryNonceStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryNonceStore")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl NonceStore for MemoryNonceStore {
    fn insert(&self, key: &str, now: SystemTime, expires_at: SystemTime) -> Insert {
        let mut entries = self.lock();
        let Entries { expiry, order } = &mut *entries;
        // Purge expired keys from the front, then any out-of-order stragglers lazily below.
        while let Some((front, at)) = order.front() {
            if *at > now {
                break;
            }
            if expiry.get(front) == Some(at) {
                expiry.remove(front);
            }
            order.pop_front();
        }
        if let Some(at) = expiry.get(key) {
            if *at > now {
                return Insert::Seen;
            }
            expiry.remove(key);
        }
        if expiry.len() >= self.capacity {
            // Windows may differ between verifiers sharing a store: drop every expired key.
            expiry.retain(|_, at| *at > now);
            order.retain(|(k, at)| expiry.get(k) == Some(at));
            if expiry.len() >= self.capacity {
                return Insert::Full {
                    capacity: self.capacity,
                };
            }
        }
        expiry.insert(key.to_owned(), expires_at);
        order.push_back((key.to_owned(), expires_at));
        Insert::New
    }
}

/// How long past the end of the replay window a key stays remembered.
const KEPT_PAST_WINDOW: Duration = Duration::from_secs(1);

/// A verifier's replay protection: the window around `now` that a callback's signed time must
/// fall in, and the store of the callbacks accepted within it.
#[derive(Debug, Clone)]
pub(crate) struct ReplayGuard {
    window: Duration,
    store: Arc<dyn NonceStore>,
}

impl ReplayGuard {
    /// `window`, remembering callbacks in a [`MemoryNonceStore`] of the default capacity.
    pub(crate) fn new(window: Duration) -> Self {
        Self {
            window,
            store: Arc::new(MemoryNonceStore::default()),
        }
    }

    /// The same window, remembering callbacks in `store`.
    pub(crate) fn with_store(self, store: Arc<dyn NonceStore>) -> Self {
        Self { store, ..self }
    }

    /// The replay window.
    pub(crate) fn window(&self) -> Duration {
        self.window
    }

    /// Checks that `sent` is within the window of `now`, either side.
    pub(crate) fn check_fresh(
        &self,
        sent: SystemTime,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        check_window(sent, now, self.window)
    }

    /// Remembers `key`, the identity of a callback signed at `sent`, for as long as the window
    /// accepts `sent`: [`WebhookError::Replayed`] when it is remembered already,
    /// [`WebhookError::ReplayStoreFull`] when there is no room. Called last, once every other
    /// check has passed, so a forged or malformed callback never uses up a key.
    pub(crate) fn remember(
        &self,
        key: &str,
        sent: SystemTime,
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        // The window still accepts `sent + window` itself, and a store forgets a key at its
        // expiry: keep it a little longer (a whole second, which every platform's `SystemTime`
        // can add).
        let expires_at = sent
            .checked_add(self.window + KEPT_PAST_WINDOW)
            .unwrap_or(sent);
        match self.store.insert(key, now, expires_at) {
            Insert::New => Ok(()),
            Insert::Seen => Err(WebhookError::Replayed),
            Insert::Full { capacity } => Err(WebhookError::ReplayStoreFull { capacity }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn remembers_until_expiry_and_stays_bounded() {
        let store = MemoryNonceStore::new(2);
        assert_eq!(store.insert("a", at(0), at(10)), Insert::New);
        assert_eq!(store.insert("a", at(5), at(15)), Insert::Seen);
        assert_eq!(store.insert("b", at(5), at(15)), Insert::New);
        assert_eq!(
            store.insert("c", at(6), at(16)),
            Insert::Full { capacity: 2 }
        );
        // "a" expires at 10: room again, and "a" is new again.
        assert_eq!(store.insert("c", at(10), at(20)), Insert::New);
        assert_eq!(store.len(), 2);
        assert_eq!(store.insert("a", at(16), at(26)), Insert::New);
        assert_eq!(store.len(), 2, "b expired at 15 and was purged");
    }

    #[test]
    fn purges_keys_with_differing_windows_when_full() {
        let store = MemoryNonceStore::new(2);
        assert_eq!(store.insert("long", at(0), at(100)), Insert::New);
        assert_eq!(store.insert("short", at(0), at(5)), Insert::New);
        // "short" expired but sits behind "long" in insertion order.
        assert_eq!(store.insert("x", at(6), at(106)), Insert::New);
        assert_eq!(
            store.insert("short", at(7), at(107)),
            Insert::Full { capacity: 2 }
        );
        assert_eq!(store.insert("long", at(7), at(107)), Insert::Seen);
    }
}
