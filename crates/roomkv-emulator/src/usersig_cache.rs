//! The verified-UserSig cache: a Tencent client sends the same UserSig with every request until
//! it nears expiry, and verifying it (base64, zlib, JSON, HMAC-SHA256) costs more than the rest
//! of the request. The emulator remembers the UserSigs its
//! [`Authenticator`](crate::auth::Authenticator) accepted, so a repeated one is accepted at the
//! price of one hash lookup.
//!
//! - **Key**: the exact UserSig string, together with the `sdkappid` and `identifier` it was
//!   verified for; a hit needs all three to match, so the same string presented for another
//!   identity (or any other string) is verified in full.
//! - **Only successes**: a refused UserSig is never remembered, and a remembered one is not
//!   consulted for a refusal; the authenticator answers every miss.
//! - **Expiry**: an entry holds until the signature's own last valid second
//!   (`TLS.time + TLS.expire`, as the authenticator reports it), compared with the emulator's
//!   injected clock; after that the UserSig is verified again, and refused as expired.
//! - **Bound**: at most [`CAPACITY`] entries. Inserting into a full cache first drops the expired
//!   entries, then, if it is still full, the oldest insertion (FIFO): the cache can never grow
//!   with the number of distinct UserSigs presented.
//!
//! The UserSigs are credentials: `Debug` shows only how many entries there are.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use crate::shards::lock;

/// The most UserSigs remembered at once. A real deployment presents one per admin identity and
/// renewal, so this is far above what a load ever needs while bounding what garbage can fill.
pub(crate) const CAPACITY: usize = 1_024;

/// What a remembered UserSig was verified for, and until when.
#[derive(Clone, PartialEq, Eq)]
struct Verified {
    sdkappid: u64,
    identifier: Box<str>,
    /// The last second (Unix time) it is valid: `TLS.time + TLS.expire`.
    valid_through: u64,
}

#[derive(Default)]
struct Entries {
    by_usersig: HashMap<Box<str>, Verified>,
    /// Insertion order, for the FIFO eviction; may hold UserSigs already replaced or dropped.
    order: VecDeque<Box<str>>,
}

/// See the [module documentation](self).
#[derive(Default)]
pub(crate) struct UserSigCache {
    entries: Mutex<Entries>,
}

impl std::fmt::Debug for UserSigCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserSigCache")
            .field("entries", &self.len())
            .finish()
    }
}

impl UserSigCache {
    /// Whether `usersig` was verified for `sdkappid` and `identifier` and is still valid at
    /// `now_unix_secs`.
    pub(crate) fn accepts(
        &self,
        usersig: &str,
        sdkappid: u64,
        identifier: &str,
        now_unix_secs: u64,
    ) -> bool {
        lock(&self.entries)
            .by_usersig
            .get(usersig)
            .is_some_and(|verified| {
                verified.sdkappid == sdkappid
                    && *verified.identifier == *identifier
                    && now_unix_secs <= verified.valid_through
            })
    }

    /// Remembers that the authenticator accepted `usersig` for `sdkappid` and `identifier`,
    /// valid through the second `valid_through`.
    pub(crate) fn remember(
        &self,
        usersig: &str,
        sdkappid: u64,
        identifier: &str,
        valid_through: u64,
        now_unix_secs: u64,
    ) {
        let verified = Verified {
            sdkappid,
            identifier: identifier.into(),
            valid_through,
        };
        let mut entries = lock(&self.entries);
        let entries = &mut *entries;
        if let Some(known) = entries.by_usersig.get_mut(usersig) {
            *known = verified;
            return;
        }
        if entries.by_usersig.len() >= CAPACITY {
            entries
                .by_usersig
                .retain(|_, verified| now_unix_secs <= verified.valid_through);
            entries
                .order
                .retain(|usersig| entries.by_usersig.contains_key(usersig));
        }
        while entries.by_usersig.len() >= CAPACITY {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            entries.by_usersig.remove(&oldest);
        }
        let usersig: Box<str> = usersig.into();
        entries.order.push_back(usersig.clone());
        entries.by_usersig.insert(usersig, verified);
    }

    /// The number of UserSigs remembered.
    pub(crate) fn len(&self) -> usize {
        lock(&self.entries).by_usersig.len()
    }

    /// Forgets every UserSig.
    pub(crate) fn clear(&self) {
        *lock(&self.entries) = Entries::default();
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn a_remembered_usersig_is_accepted_through_its_last_second_only() {
        let cache = UserSigCache::default();
        assert!(!cache.accepts("sig", 1, "admin", NOW));
        cache.remember("sig", 1, "admin", NOW + 10, NOW);
        assert!(cache.accepts("sig", 1, "admin", NOW));
        assert!(cache.accepts("sig", 1, "admin", NOW + 10));
        assert!(!cache.accepts("sig", 1, "admin", NOW + 11));
    }

    #[test]
    fn another_string_or_identity_is_not_accepted_from_the_cache() {
        let cache = UserSigCache::default();
        cache.remember("sig", 1, "admin", NOW + 10, NOW);
        assert!(!cache.accepts("sig", 2, "admin", NOW));
        assert!(!cache.accepts("sig", 1, "bob", NOW));
        assert!(!cache.accepts("sig ", 1, "admin", NOW));
        assert!(!cache.accepts("Sig", 1, "admin", NOW));
        assert!(!cache.accepts("si", 1, "admin", NOW));
    }

    #[test]
    fn the_bound_drops_expired_entries_first_then_the_oldest() {
        let cache = UserSigCache::default();
        cache.remember("short-lived", 1, "admin", NOW, NOW);
        for i in 1..CAPACITY {
            cache.remember(&format!("sig-{i}"), 1, "admin", NOW + 100, NOW);
        }
        assert_eq!(cache.len(), CAPACITY);
        // Full: the expired entry goes first.
        cache.remember("new", 1, "admin", NOW + 100, NOW + 1);
        assert_eq!(cache.len(), CAPACITY);
        assert!(!cache.accepts("short-lived", 1, "admin", NOW));
        assert!(cache.accepts("sig-1", 1, "admin", NOW + 1));
        // Nothing expired: the oldest insertion goes.
        cache.remember("newer", 1, "admin", NOW + 100, NOW + 1);
        assert_eq!(cache.len(), CAPACITY);
        assert!(!cache.accepts("sig-1", 1, "admin", NOW + 1));
        assert!(cache.accepts("sig-2", 1, "admin", NOW + 1));
        assert!(cache.accepts("newer", 1, "admin", NOW + 1));
        cache.clear();
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn debug_shows_no_usersig() {
        let cache = UserSigCache::default();
        cache.remember("secret-usersig", 1, "admin", NOW, NOW);
        let shown = format!("{cache:?}");
        assert!(!shown.contains("secret-usersig"), "{shown}");
        assert!(shown.contains('1'), "{shown}");
    }

    proptest! {
        // Each case fills the cache past its bound: a few dozen cases are enough.
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever is remembered, the cache stays within its bound and accepts exactly the
        /// last verdict for each string, for its own identity, until its last valid second.
        #[test]
        fn the_cache_is_bounded_and_exact(
            inserts in proptest::collection::vec((0u16..2_000, 0u64..3, 0u64..50), 0..3_000),
            probe in 0u16..2_000,
            at in 0u64..60,
        ) {
            let cache = UserSigCache::default();
            let mut last = HashMap::new();
            for (sig, app, ttl) in &inserts {
                let sig = format!("sig-{sig}");
                cache.remember(&sig, *app, "admin", NOW + ttl, NOW);
                last.insert(sig, (*app, NOW + ttl));
            }
            prop_assert!(cache.len() <= CAPACITY);
            let sig = format!("sig-{probe}");
            for app in 0..3 {
                let accepted = cache.accepts(&sig, app, "admin", NOW + at);
                let allowed = last.get(&sig).is_some_and(|&(a, through)| a == app && NOW + at <= through);
                // Eviction may forget a valid entry (then it is verified again), never invent one.
                prop_assert!(!accepted || allowed);
            }
        }
    }
}
