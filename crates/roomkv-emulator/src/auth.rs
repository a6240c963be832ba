//! Authentication: the signature seam ([`Authenticator`]) and the strict-mode bookkeeping
//! ([`ReplayGuard`]).
//!
//! The order of the checks and the codes are the vendors' (`docs/vendors/rongcloud.md#signature`, `#undocumented`;
//! `docs/vendors/tencent.md#check-order`); the HTTP layer applies them. What is pure bookkeeping lives here, with the
//! clock injected.
//!
//! The cryptographic checks themselves (RongCloud SHA1 signature, Tencent UserSig) plug in
//! through [`Authenticator`]:
//!
//! - [`SignAuthenticator`], the default, verifies with `roomkv-sign`: the RongCloud `Signature`
//!   must be the SHA1 hex (either case, compared in constant time) of the app secret, `Nonce` and
//!   `Timestamp`; the Tencent UserSig is decoded and its HMAC recomputed with the app's secret
//!   key, never compared as a string.
//! - [`UncheckedSignatures`] accepts every signature that is present, for replaying requests
//!   whose secrets are unknown (the vendors' documented examples). Choose it with
//!   [`SignatureCheck::Unchecked`](crate::config::SignatureCheck::Unchecked).
//!
//! Either way the emulator itself requires the headers and parameters, resolves the app, and
//! applies the strict-mode window, the admin check and everything after.
//!
//! A UserSig accepted with an expiry ([`Authenticator::verify_tencent_until`]) is remembered
//! until then, for the same `sdkappid` and `identifier`, and not asked about again; refusals are
//! never remembered.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::Mutex;
use std::time::Duration;

use roomkv_core::TencentCode;
use roomkv_core::rongcloud::server::AuthHeaders;

use crate::config::Secret;
use crate::shards::lock;

/// A RongCloud signature that does not match (answered HTTP 401, code 1004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("signature does not match")]
pub struct SignatureMismatch;

/// Why a Tencent UserSig was refused, with the code Tencent answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserSigRejection {
    /// Not base64url / zlib / JSON, or fields missing: 70003.
    #[error("UserSig is malformed")]
    Malformed,
    /// `now > TLS.time + TLS.expire`: 70001.
    #[error("UserSig expired")]
    Expired,
    /// The HMAC does not match the app's secret key: 70009.
    #[error("UserSig verification with the key failed")]
    SignatureMismatch,
    /// `TLS.identifier` differs from the request's `identifier`: 70013.
    #[error("identifier differs from the UserSig's")]
    IdentifierMismatch,
    /// `TLS.sdkappid` differs from the request's `sdkappid`: 70014.
    #[error("SDKAppID differs from the UserSig's")]
    SdkAppIdMismatch,
}

impl UserSigRejection {
    /// The code Tencent answers.
    pub fn code(self) -> TencentCode {
        match self {
            Self::Malformed => TencentCode::UserSigMalformed,
            Self::Expired => TencentCode::UserSigExpired,
            Self::SignatureMismatch => TencentCode::UserSigKeyMismatch,
            Self::IdentifierMismatch => TencentCode::UserSigIdentifierMismatch,
            Self::SdkAppIdMismatch => TencentCode::UserSigSdkAppIdMismatch,
        }
    }
}

/// What a Tencent UserSig is checked against.
#[derive(Debug, Clone, Copy)]
pub struct UserSigCheck<'a> {
    /// The `usersig` query parameter (percent-decoded, non-empty).
    pub usersig: &'a str,
    /// The request's `sdkappid`.
    pub sdkappid: u64,
    /// The request's `identifier`.
    pub identifier: &'a str,
    /// The app's secret key.
    pub secret_key: &'a Secret,
    /// The emulator's clock, seconds since the Unix epoch.
    pub now_unix_secs: u64,
}

/// The cryptographic half of authentication.
///
/// The emulator resolves the app, checks presence, strictness and the admin account itself, and
/// asks an `Authenticator` only whether a signature is genuine.
pub trait Authenticator: Send + Sync + 'static {
    /// Checks `Signature == hex(SHA1(secret + Nonce + Timestamp))`, hex in either case. The
    /// headers are present when this is called.
    fn verify_rongcloud(
        &self,
        app_secret: &Secret,
        headers: &AuthHeaders,
    ) -> Result<(), SignatureMismatch>;

    /// Decodes and verifies a UserSig (never by string comparison).
    fn verify_tencent(&self, check: &UserSigCheck<'_>) -> Result<(), UserSigRejection>;

    /// [`Self::verify_tencent`], also saying until when the acceptance holds: `Some(second)`,
    /// the UserSig's last valid second (`TLS.time + TLS.expire`, Unix time), lets the emulator
    /// accept the same string for the same `sdkappid` and `identifier` again without asking
    /// until then; `None` (the default) has every request verified.
    fn verify_tencent_until(
        &self,
        check: &UserSigCheck<'_>,
    ) -> Result<Option<u64>, UserSigRejection> {
        self.verify_tencent(check).map(|()| None)
    }
}

/// Verifies RongCloud signatures and Tencent UserSigs with `roomkv-sign`. The default.
///
/// ```
/// use roomkv_core::rongcloud::server::AuthHeaders;
/// use roomkv_emulator::auth::{Authenticator, SignAuthenticator};
/// use roomkv_emulator::config::Secret;
///
/// let secret = Secret::new("Y1W2MeFwwwRxa0");
/// let headers = |signature: &str| AuthHeaders {
///     app_key: Some("app".into()),
///     nonce: Some("14314".into()),
///     timestamp: Some("1408710653000".into()),
///     signature: Some(signature.into()),
/// };
/// // The vector of the RongCloud documentation, in either case.
/// let good = "30be0bbca9c9b2e27578701e9fda2358a814c88f";
/// assert!(SignAuthenticator.verify_rongcloud(&secret, &headers(good)).is_ok());
/// assert!(SignAuthenticator.verify_rongcloud(&secret, &headers(&good.to_uppercase())).is_ok());
/// assert!(SignAuthenticator.verify_rongcloud(&secret, &headers(&good.replace('3', "4"))).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SignAuthenticator;

impl Authenticator for SignAuthenticator {
    fn verify_rongcloud(
        &self,
        app_secret: &Secret,
        headers: &AuthHeaders,
    ) -> Result<(), SignatureMismatch> {
        let (Some(nonce), Some(timestamp), Some(signature)) = (
            headers.nonce.as_deref(),
            headers.timestamp.as_deref(),
            headers.signature.as_deref(),
        ) else {
            return Err(SignatureMismatch);
        };
        let secret = roomkv_sign::rongcloud::AppSecret::new(app_secret.expose());
        roomkv_sign::rongcloud::verify(&secret, nonce, timestamp, signature.trim())
            .map_err(|_| SignatureMismatch)
    }

    fn verify_tencent(&self, check: &UserSigCheck<'_>) -> Result<(), UserSigRejection> {
        self.verify_tencent_until(check).map(drop)
    }

    fn verify_tencent_until(
        &self,
        check: &UserSigCheck<'_>,
    ) -> Result<Option<u64>, UserSigRejection> {
        use roomkv_sign::tencent::{SecretKey, VerifyError, verify};
        let key = SecretKey::new(check.secret_key.expose().as_bytes());
        verify(
            check.usersig,
            &key,
            check.sdkappid,
            check.identifier,
            check.now_unix_secs,
        )
        .map(|claims| Some(claims.expires_at()))
        .map_err(|err| match err {
            VerifyError::Expired { .. } => UserSigRejection::Expired,
            VerifyError::SignatureMismatch => UserSigRejection::SignatureMismatch,
            VerifyError::IdentifierMismatch { .. } => UserSigRejection::IdentifierMismatch,
            VerifyError::SdkAppIdMismatch { .. } => UserSigRejection::SdkAppIdMismatch,
            // `Malformed`, and whatever a later roomkv-sign adds: the UserSig is not usable.
            _ => UserSigRejection::Malformed,
        })
    }
}

/// Accepts every signature and UserSig that is present, without checking it: for replaying
/// requests whose secrets are unknown, such as the vendors' documented examples. Chosen with
/// [`SignatureCheck::Unchecked`](crate::config::SignatureCheck::Unchecked).
#[derive(Debug, Clone, Copy, Default)]
pub struct UncheckedSignatures;

impl Authenticator for UncheckedSignatures {
    fn verify_rongcloud(&self, _: &Secret, _: &AuthHeaders) -> Result<(), SignatureMismatch> {
        Ok(())
    }

    fn verify_tencent(&self, _: &UserSigCheck<'_>) -> Result<(), UserSigRejection> {
        Ok(())
    }
}

/// Why strict mode refused a RongCloud request (answered HTTP 401, code 1004).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StrictRejection {
    /// `Timestamp` is not a decimal number.
    #[error("Timestamp {0:?} is not a number of seconds or milliseconds")]
    TimestampInvalid(String),
    /// `Timestamp` is further from the server's clock than the window.
    #[error("Timestamp is {skew_ms} ms away from the server time, at most {window_ms} ms allowed")]
    TimestampOutsideWindow {
        /// The distance to the server's clock, in milliseconds.
        skew_ms: u64,
        /// The window, in milliseconds.
        window_ms: u64,
    },
    /// `Nonce` is empty or longer than 18 characters.
    #[error("Nonce must have 1 to {NONCE_MAX_CHARS} characters, it has {0}")]
    NonceLength(usize),
    /// The nonce was already used within the window.
    #[error("Nonce was already used within the last {window_ms} ms")]
    NonceReplayed {
        /// The window, in milliseconds.
        window_ms: u64,
    },
}

/// The documented maximum nonce length.
pub const NONCE_MAX_CHARS: usize = 18;

/// Timestamps at or above this value are milliseconds; below it, seconds (1e11 seconds is the
/// year 5138, 1e11 milliseconds is 1973).
pub const MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// Parses a RongCloud `Timestamp` of seconds or milliseconds into time since the Unix epoch.
pub fn parse_timestamp(timestamp: &str) -> Option<Duration> {
    let value: u64 = timestamp.trim().parse().ok()?;
    Some(if value >= MILLIS_THRESHOLD {
        Duration::from_millis(value)
    } else {
        Duration::from_secs(value)
    })
}

/// Nonces seen within the window, in the order they were seen.
#[derive(Debug, Default)]
struct NonceWindow {
    seen: HashMap<String, Duration>,
    order: VecDeque<(Duration, String)>,
}

impl NonceWindow {
    /// Records `key` at `now`, or refuses it if it was seen within `window`.
    fn admit(&mut self, key: &str, now: Duration, window: Duration) -> bool {
        while let Some((at, _)) = self.order.front() {
            if now.saturating_sub(*at) <= window {
                break;
            }
            if let Some((at, old)) = self.order.pop_front()
                && self.seen.get(&old) == Some(&at)
            {
                self.seen.remove(&old);
            }
        }
        if let Some(at) = self.seen.get(key)
            && now.saturating_sub(*at) <= window
        {
            return false;
        }
        self.seen.insert(key.to_owned(), now);
        self.order.push_back((now, key.to_owned()));
        true
    }
}

/// Strict-mode bookkeeping: the timestamp window and nonce replay, per app.
///
/// A timestamp is accepted when `|timestamp − now| ≤ window` (both edges included). A nonce is
/// refused when the same app used it at most `window` ago, and accepted again after that; a
/// nonce is remembered for one window. Nonces are sharded by hash so concurrent requests rarely
/// share a lock.
///
/// ```
/// use std::time::Duration;
/// use roomkv_emulator::auth::ReplayGuard;
/// let guard = ReplayGuard::new(Duration::from_secs(300));
/// let now = Duration::from_secs(1_700_000_000);
/// assert!(guard.check("app", "1700000000", "n1", now).is_ok());
/// assert!(guard.check("app", "1700000000000", "n1", now).is_err()); // replay
/// assert!(guard.check("app", "1700000301", "n2", now).is_err()); // outside the window
/// ```
#[derive(Debug)]
pub struct ReplayGuard {
    window: Duration,
    shards: Box<[Mutex<NonceWindow>]>,
}

const NONCE_SHARDS: usize = 16;

impl ReplayGuard {
    /// A guard with this window.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            shards: (0..NONCE_SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Checks a request of `app` carrying `timestamp` and `nonce` at server time `now`, and
    /// records the nonce if it is accepted.
    pub fn check(
        &self,
        app: &str,
        timestamp: &str,
        nonce: &str,
        now: Duration,
    ) -> Result<(), StrictRejection> {
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let sent = parse_timestamp(timestamp)
            .ok_or_else(|| StrictRejection::TimestampInvalid(timestamp.to_owned()))?;
        let skew = sent.abs_diff(now);
        if skew > self.window {
            return Err(StrictRejection::TimestampOutsideWindow {
                skew_ms: u64::try_from(skew.as_millis()).unwrap_or(u64::MAX),
                window_ms,
            });
        }
        let chars = nonce.chars().count();
        if chars == 0 || chars > NONCE_MAX_CHARS {
            return Err(StrictRejection::NonceLength(chars));
        }
        let key = format!("{app}\u{0}{nonce}");
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(&key);
        let index = usize::try_from(hash % NONCE_SHARDS as u64).unwrap_or(0);
        if lock(&self.shards[index]).admit(&key, now, self.window) {
            Ok(())
        } else {
            Err(StrictRejection::NonceReplayed { window_ms })
        }
    }

    /// Forgets every nonce.
    pub fn reset(&self) {
        for shard in &self.shards {
            *lock(shard) = NonceWindow::default();
        }
    }
}
