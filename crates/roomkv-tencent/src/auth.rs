//! Signing: the admin UserSig cache, and the `usersig` + `random` query parameters every attempt
//! carries.
//!
//! Tencent authenticates REST calls with a UserSig of the App admin account in the query. A
//! UserSig is valid for a lifetime chosen when it is generated, so the client generates one,
//! keeps it, and generates a new one when 80 % of the lifetime has passed (by the injected
//! [`Clock`]), or at once when the server says it expired (70001) or was invalidated (70052).
//! `random` is a fresh 32-bit value for every attempt.

use std::fmt;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, UNIX_EPOCH};

use http::uri::PathAndQuery;
use roomkv_core::tencent::Identifier;
use roomkv_sign::tencent::{SecretKey, UserSig, generate};
use roomkv_transport::{Clock, HttpRequest, SharedClock};

/// The admin UserSig, generated once and renewed before it expires.
///
/// Generation takes microseconds, so it happens under a `std::sync::Mutex` (never held across an
/// `.await`): concurrent first requests wait for the one generation instead of each making
/// their own.
pub(crate) struct UserSigCache {
    sdkappid: u64,
    admin: Identifier,
    key: SecretKey,
    lifetime_secs: u64,
    clock: SharedClock,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// How many UserSigs were generated so far; identifies the current one.
    generation: u64,
}

struct Cached {
    /// Shared with the attempts signed with it: taking it is a reference count, not a copy.
    usersig: Arc<UserSig>,
    /// `TLS.time`: Unix seconds.
    issued_at: u64,
    generation: u64,
}

/// The UserSig an attempt was signed with.
#[derive(Clone)]
pub(crate) struct Ticket {
    pub(crate) usersig: Arc<UserSig>,
    /// Which generation it is, so a rejection renews it only once however many requests saw it.
    pub(crate) generation: u64,
}

/// Counts a renewal of the admin UserSig in metrics (feature `metrics`): `age`, or the code
/// of Tencent's rejection.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
#[inline]
fn count_renewal(reason: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(roomkv_transport::metrics::names::USERSIG_RENEWALS, "reason" => reason)
        .increment(1);
}

impl UserSigCache {
    pub(crate) fn new(
        sdkappid: u64,
        admin: Identifier,
        key: SecretKey,
        lifetime: Duration,
        clock: SharedClock,
    ) -> Self {
        Self {
            sdkappid,
            admin,
            key,
            lifetime_secs: lifetime.as_secs(),
            clock,
            state: Mutex::new(State::default()),
        }
    }

    /// The UserSig to sign with now: the cached one, or a new one if there is none yet, 80 % of
    /// its lifetime has passed, or the wall clock went back before it was issued.
    pub(crate) fn current(&self) -> Ticket {
        // The clock is read under the lock: read before it, a caller that waited for the lock
        // could hold an older time than the UserSig another caller just made, see it as
        // issued in the future and make another.
        let mut state = self.lock();
        let now = self.now_secs();
        let fresh = state.current.as_ref().is_some_and(|cached| {
            let renew_at = cached
                .issued_at
                .saturating_add(self.lifetime_secs.saturating_mul(4) / 5);
            cached.issued_at <= now && now < renew_at
        });
        if !fresh {
            if state.current.is_some() {
                count_renewal("age");
            }
            self.generate(&mut state, now);
        }
        let cached = state.current.as_ref().expect("generated above");
        Ticket {
            usersig: Arc::clone(&cached.usersig),
            generation: cached.generation,
        }
    }

    /// Replaces the UserSig of generation `rejected`, unless another request already did;
    /// `reason` is Tencent's code for the rejection.
    pub(crate) fn renew(&self, rejected: u64, reason: &'static str) {
        let mut state = self.lock();
        let now = self.now_secs();
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.generation == rejected)
        {
            count_renewal(reason);
            self.generate(&mut state, now);
        }
    }

    fn generate(&self, state: &mut State, now: u64) {
        state.generation += 1;
        let usersig = generate(
            self.sdkappid,
            self.admin.as_str(),
            &self.key,
            self.lifetime_secs,
            now,
        );
        tracing::debug!(
            generation = state.generation,
            issued_at = now,
            lifetime_secs = self.lifetime_secs,
            "generated the admin UserSig"
        );
        state.current = Some(Cached {
            usersig: Arc::new(usersig),
            issued_at: now,
            generation: state.generation,
        });
    }

    fn now_secs(&self) -> u64 {
        self.clock
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every write leaves the state consistent, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lifetime of each UserSig.
    pub(crate) fn lifetime(&self) -> Duration {
        Duration::from_secs(self.lifetime_secs)
    }
}

impl fmt::Debug for UserSigCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let generation = self.lock().generation;
        f.debug_struct("UserSigCache")
            .field("identifier", &self.admin)
            .field("key", &self.key)
            .field("lifetime_secs", &self.lifetime_secs)
            .field("generated", &generation)
            .finish_non_exhaustive()
    }
}

/// Appends `usersig` and `random` to the query that core produced
/// (`?sdkappid=..&identifier=..&contenttype=json`).
///
/// UserSig characters (`[A-Za-z0-9*_-]`) are all legal in a query, so it is sent as is. The
/// error, if any, never contains the URL.
pub(crate) fn sign(
    request: HttpRequest,
    usersig: &UserSig,
    random: u32,
) -> Result<HttpRequest, http::Error> {
    let (mut head, body) = request.into_parts();
    let mut uri = std::mem::take(&mut head.uri).into_parts();
    let (path, query) = uri
        .path_and_query
        .as_ref()
        .map_or(("/", None), |pq| (pq.path(), pq.query()));
    let usersig = usersig.expose_secret();
    // One string of the final length, no formatting machinery but for `random`'s digits.
    let mut signed =
        String::with_capacity(path.len() + query.map_or(0, str::len) + usersig.len() + 32);
    signed.push_str(path);
    signed.push('?');
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        signed.push_str(query);
        signed.push('&');
    }
    signed.push_str("usersig=");
    signed.push_str(usersig);
    signed.push_str("&random=");
    let _ = write!(signed, "{random}");
    uri.path_and_query = Some(PathAndQuery::try_from(signed)?);
    head.uri = http::Uri::from_parts(uri)?;
    Ok(http::Request::from_parts(head, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomkv_transport::test_util::ManualClock;

    fn cache(clock: &ManualClock, lifetime: u64) -> UserSigCache {
        UserSigCache::new(
            1_400_000_000,
            Identifier::parse("administrator").unwrap(),
            SecretKey::new("k"),
            Duration::from_secs(lifetime),
            SharedClock::new(clock.clone()),
        )
    }

    /// The renewals counted in metrics: none for the first UserSig, one per renewal with its
    /// reason, none for a rejection another request already renewed.
    #[cfg(feature = "metrics")]
    #[test]
    fn renewals_are_counted_by_reason() {
        use metrics_util::debugging::{DebugValue, DebuggingRecorder};

        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        metrics::with_local_recorder(&recorder, || {
            let clock = ManualClock::from_unix_secs(1_700_000_000);
            let cache = cache(&clock, 100);
            let first = cache.current().generation;
            clock.advance(Duration::from_secs(80));
            let aged = cache.current().generation;
            cache.renew(first, "70001"); // stale: generation `aged` is current
            cache.renew(aged, "70052");
            cache.renew(aged, "70052");
        });
        let mut counted: Vec<(String, u64)> = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let reason = key.key().labels().map(|l| l.value().to_owned()).collect();
                match value {
                    DebugValue::Counter(n) => (reason, n),
                    other => panic!("{reason}: {other:?}"),
                }
            })
            .collect();
        counted.sort();
        assert_eq!(counted, [("70052".to_owned(), 1), ("age".to_owned(), 1)]);
    }

    #[test]
    fn renews_at_eighty_percent_of_the_lifetime() {
        let clock = ManualClock::from_unix_secs(1_700_000_000);
        let cache = cache(&clock, 100);
        assert_eq!(cache.current().generation, 1);
        clock.advance(Duration::from_secs(79));
        assert_eq!(cache.current().generation, 1);
        clock.advance(Duration::from_secs(1));
        assert_eq!(cache.current().generation, 2);
    }

    #[test]
    fn a_clock_that_goes_back_renews() {
        let clock = ManualClock::from_unix_secs(1_700_000_000);
        let cache = cache(&clock, 86_400);
        assert_eq!(cache.current().generation, 1);
        clock.set_now(UNIX_EPOCH + Duration::from_secs(1_600_000_000));
        assert_eq!(cache.current().generation, 2);
    }

    #[test]
    fn a_rejection_renews_once() {
        let clock = ManualClock::from_unix_secs(1_700_000_000);
        let cache = cache(&clock, 86_400);
        let seen = cache.current().generation;
        cache.renew(seen, "70001");
        cache.renew(seen, "70001"); // a second request that saw the same rejection
        assert_eq!(cache.current().generation, seen + 1);
    }

    #[test]
    fn sign_appends_to_the_query() {
        let request = http::Request::post(
            "https://h.example/v4/s/c?sdkappid=1&identifier=admin&contenttype=json",
        )
        .body(Vec::new())
        .unwrap();
        let signed = sign(request, &UserSig::new("eJx*-_"), 7).unwrap();
        assert_eq!(
            signed.uri(),
            "https://h.example/v4/s/c?sdkappid=1&identifier=admin&contenttype=json&usersig=eJx*-_&random=7"
        );
        let bare = http::Request::post("https://h.example/x")
            .body(Vec::new())
            .unwrap();
        let signed = sign(bare, &UserSig::new("u"), 1).unwrap();
        assert_eq!(signed.uri(), "https://h.example/x?usersig=u&random=1");
    }
}
