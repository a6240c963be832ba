//! The verified-UserSig cache: a UserSig the authenticator accepted is accepted again without
//! asking it, for the same `sdkappid` and `identifier`, until the signature's own last valid
//! second on the emulator's clock; refusals are never remembered.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use roomkv_core::rongcloud::server::AuthHeaders;
use roomkv_emulator::auth::{
    Authenticator, SignAuthenticator, SignatureMismatch, UserSigCheck, UserSigRejection,
};
use roomkv_emulator::config::Secret;
use roomkv_emulator::{Emulator, EmulatorConfig};
use roomkv_transport::test_util::ManualClock;

use crate::common::*;

/// The default authenticator, counting the UserSig verifications it is asked for.
#[derive(Default)]
struct Counting {
    calls: AtomicUsize,
}

impl Authenticator for Counting {
    fn verify_rongcloud(
        &self,
        secret: &Secret,
        headers: &AuthHeaders,
    ) -> Result<(), SignatureMismatch> {
        SignAuthenticator.verify_rongcloud(secret, headers)
    }

    /// Not counted: the emulator asks [`Self::verify_tencent_until`].
    fn verify_tencent(&self, check: &UserSigCheck<'_>) -> Result<(), UserSigRejection> {
        SignAuthenticator.verify_tencent(check)
    }

    fn verify_tencent_until(
        &self,
        check: &UserSigCheck<'_>,
    ) -> Result<Option<u64>, UserSigRejection> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        SignAuthenticator.verify_tencent_until(check)
    }
}

/// An authenticator that accepts every UserSig without saying until when.
#[derive(Default)]
struct AcceptsForNow {
    calls: AtomicUsize,
}

impl Authenticator for AcceptsForNow {
    fn verify_rongcloud(&self, _: &Secret, _: &AuthHeaders) -> Result<(), SignatureMismatch> {
        Ok(())
    }

    fn verify_tencent(&self, _: &UserSigCheck<'_>) -> Result<(), UserSigRejection> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

fn emulator(authenticator: Arc<dyn Authenticator>) -> (Emulator, ManualClock) {
    let clock = ManualClock::new(std::time::UNIX_EPOCH + T0);
    let emulator = Emulator::builder(EmulatorConfig::default())
        .clock(clock.clone())
        .authenticator(authenticator)
        .build();
    (emulator, clock)
}

/// The Tencent code of `get_room_info` sent as `identifier` with `usersig`.
fn room_info_code(emulator: &Emulator, identifier: &str, usersig: &str) -> i64 {
    let uri = format!(
        "/v4/live_engine_http_srv/get_room_info?sdkappid={SDKAPPID}&identifier={identifier}\
         &usersig={usersig}&random=1&contenttype=json"
    );
    let reply = emulator.handle(
        http::Request::post(uri)
            .body(bytes::Bytes::from_static(br#"{"RoomId":"none"}"#))
            .unwrap(),
    );
    code(&reply)
}

/// The code of a request that passed authentication: the room does not exist.
const PAST_AUTH: i64 = 100004;

#[test]
fn a_repeated_usersig_is_verified_once() {
    let counting = Arc::new(Counting::default());
    let (emulator, _clock) = emulator(counting.clone());
    let sig = usersig(ADMIN);
    for _ in 0..5 {
        assert_eq!(room_info_code(&emulator, ADMIN, &sig), PAST_AUTH);
    }
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);

    // A reset forgets it.
    emulator.reset();
    assert_eq!(room_info_code(&emulator, ADMIN, &sig), PAST_AUTH);
    assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_remembered_usersig_expires_with_the_signature_on_the_emulators_clock() {
    let counting = Arc::new(Counting::default());
    let (emulator, clock) = emulator(counting.clone());
    let sig = usersig_with(SDKAPPID, ADMIN, SECRET_KEY, 60, T0.as_secs());
    assert_eq!(room_info_code(&emulator, ADMIN, &sig), PAST_AUTH);
    // Its last valid second, from the cache.
    clock.advance(Duration::from_secs(60));
    assert_eq!(room_info_code(&emulator, ADMIN, &sig), PAST_AUTH);
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
    // One second later it is verified again, and refused as expired, every time.
    clock.advance(Duration::from_secs(1));
    assert_eq!(room_info_code(&emulator, ADMIN, &sig), 70001);
    assert_eq!(room_info_code(&emulator, ADMIN, &sig), 70001);
    assert_eq!(counting.calls.load(Ordering::SeqCst), 3);
}

#[test]
fn a_tampered_or_other_identity_usersig_is_not_accepted_from_the_cache() {
    let counting = Arc::new(Counting::default());
    let (emulator, _clock) = emulator(counting.clone());
    let sig = usersig(ADMIN);
    assert_eq!(room_info_code(&emulator, ADMIN, &sig), PAST_AUTH);

    // The same string presented for another identifier is verified, and refused for it.
    assert_eq!(room_info_code(&emulator, "bob", &sig), 70013);
    // A tampered copy (one character of the signature changed, or cut short).
    let mut tampered = sig.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_ne!(room_info_code(&emulator, ADMIN, &tampered), PAST_AUTH);
    assert_ne!(
        room_info_code(&emulator, ADMIN, &sig[..sig.len() - 4]),
        PAST_AUTH
    );
    // Another identity's genuine UserSig: verified, then refused by the admin rule.
    assert_eq!(room_info_code(&emulator, "bob", &usersig("bob")), 60010);
    // Signed with another key: verified and refused, twice (a failure is never remembered).
    let forged = usersig_with(SDKAPPID, ADMIN, "another-key", 86_400, T0.as_secs());
    assert_eq!(room_info_code(&emulator, ADMIN, &forged), 70009);
    assert_eq!(room_info_code(&emulator, ADMIN, &forged), 70009);
    assert_eq!(counting.calls.load(Ordering::SeqCst), 7);
    // The genuine one is still remembered.
    assert_eq!(room_info_code(&emulator, ADMIN, &sig), PAST_AUTH);
    assert_eq!(counting.calls.load(Ordering::SeqCst), 7);
}

#[test]
fn an_acceptance_without_an_expiry_is_asked_for_every_time() {
    let accepts = Arc::new(AcceptsForNow::default());
    let (emulator, _clock) = emulator(accepts.clone());
    for _ in 0..3 {
        assert_eq!(room_info_code(&emulator, ADMIN, "anything"), PAST_AUTH);
    }
    assert_eq!(accepts.calls.load(Ordering::SeqCst), 3);
}
