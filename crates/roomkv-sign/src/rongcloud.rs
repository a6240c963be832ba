//! RongCloud / Nexconn API request signature.
//!
//! Every server API request carries four headers: `App-Key`, `Nonce`, `Timestamp` and
//! `Signature`, where `Signature` is the hexadecimal SHA1 of the plain concatenation
//! `AppSecret ‖ Nonce ‖ Timestamp` (UTF-8, no separators). The documented form and every
//! official SDK send lowercase hex, except the official .NET SDK, which sends uppercase, so
//! [`verify`] accepts both.
//!
//! The nonce and the timestamp are arguments: the caller picks a fresh random nonce (at most 18
//! characters is documented) and the current time (milliseconds since the Unix epoch is
//! documented; the official SDKs send seconds and the server accepts both) for every attempt.

use core::fmt;

use crate::secret::secret_newtype;

use sha1::{Digest, Sha1};

#[cfg(feature = "http")]
mod headers;
#[cfg(feature = "http")]
pub use headers::{HeaderAuth, HeaderStyle, SigningError};

/// Number of hexadecimal digits in a [`signature`] (a SHA1 digest is 20 bytes).
pub const SIGNATURE_LEN: usize = 40;

/// A RongCloud / Nexconn App Key: the public identifier of an application.
///
/// Not a secret: its `Debug` and `Display` show the value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AppKey(String);

impl AppKey {
    /// Wraps an App Key as given by the RongCloud / Nexconn console.
    pub fn new(app_key: impl Into<String>) -> Self {
        Self(app_key.into())
    }

    /// The App Key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AppKey").field(&self.0).finish()
    }
}

impl fmt::Display for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

secret_newtype! {
    /// A RongCloud / Nexconn App Secret, the key of the request [`signature`].
    ///
    /// `Debug` prints `AppSecret(***)`; there is no `Display`. The value is reachable only through
    /// [`AppSecret::expose_secret`].
    pub struct AppSecret(String);
    /// Wraps an App Secret as given by the RongCloud / Nexconn console.
    fn new(impl Into<String>);
    /// The secret itself. Every call site is a place where the secret can leak: keep them few.
    fn expose_secret() -> &str;
}

/// The SHA1 digest of `secret ‖ nonce ‖ timestamp`.
fn digest(app_secret: &AppSecret, nonce: &str, timestamp: &str) -> [u8; 20] {
    let mut hasher = Sha1::new();
    hasher.update(app_secret.expose_secret().as_bytes());
    hasher.update(nonce.as_bytes());
    hasher.update(timestamp.as_bytes());
    hasher.finalize().into()
}

/// Computes the `Signature` header value: the lowercase hex SHA1 of
/// `app_secret ‖ nonce ‖ timestamp` (plain concatenation, UTF-8, no separators).
///
/// The result is always [`SIGNATURE_LEN`] characters long.
///
/// # Example
///
/// The vector from the RongCloud documentation:
///
/// ```
/// use roomkv_sign::rongcloud::{AppSecret, signature};
///
/// let secret = AppSecret::new("Y1W2MeFwwwRxa0");
/// assert_eq!(
///     signature(&secret, "14314", "1408710653000"),
///     "30be0bbca9c9b2e27578701e9fda2358a814c88f",
/// );
/// ```
pub fn signature(app_secret: &AppSecret, nonce: &str, timestamp: &str) -> String {
    crate::hex::encode(&digest(app_secret, nonce, timestamp))
}

/// [`signature`] as ASCII bytes on the stack, for a header value without an intermediate
/// string.
#[cfg(feature = "http")]
fn signature_bytes(app_secret: &AppSecret, nonce: &str, timestamp: &str) -> [u8; SIGNATURE_LEN] {
    let mut hex = [0; SIGNATURE_LEN];
    crate::hex::encode_into(&digest(app_secret, nonce, timestamp), &mut hex);
    hex
}

/// Why a RongCloud signature was rejected by [`verify`].
///
/// The RongCloud server answers both with HTTP 401 (business code 1004, "signature error").
/// The error never contains the App Secret or the expected signature.
#[cfg(feature = "verify")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The signature is not exactly [`SIGNATURE_LEN`] hexadecimal digits.
    #[error("signature is not {SIGNATURE_LEN} hexadecimal digits")]
    Malformed,
    /// The signature is well-formed but is not the SHA1 of secret, nonce and timestamp.
    #[error("signature does not match")]
    Mismatch,
}

/// Checks a received `Signature` against `app_secret`, `nonce` and `timestamp`.
///
/// Upper- and lowercase hex are both accepted (the official .NET SDK sends uppercase). The
/// digests are compared in constant time. Nonce and timestamp are not judged here: a freshness
/// window or replay check is the caller's policy (the real server enforces neither).
///
/// # Errors
///
/// [`VerifyError::Malformed`] if `signature` is not 40 hex digits, [`VerifyError::Mismatch`] if
/// it is the signature of something else.
///
/// # Example
///
/// ```
/// use roomkv_sign::rongcloud::{AppSecret, VerifyError, verify};
///
/// let secret = AppSecret::new("Y1W2MeFwwwRxa0");
/// let sig = "30be0bbca9c9b2e27578701e9fda2358a814c88f";
/// assert_eq!(verify(&secret, "14314", "1408710653000", sig), Ok(()));
/// // The .NET SDK's uppercase form is accepted too.
/// let upper = sig.to_ascii_uppercase();
/// assert_eq!(verify(&secret, "14314", "1408710653000", &upper), Ok(()));
/// // Another nonce gives another signature.
/// assert_eq!(verify(&secret, "14315", "1408710653000", sig), Err(VerifyError::Mismatch));
/// ```
#[cfg(feature = "verify")]
pub fn verify(
    app_secret: &AppSecret,
    nonce: &str,
    timestamp: &str,
    signature: &str,
) -> Result<(), VerifyError> {
    use subtle::ConstantTimeEq as _;

    let received = crate::hex::decode::<20>(signature).ok_or(VerifyError::Malformed)?;
    let expected = digest(app_secret, nonce, timestamp);
    if bool::from(expected[..].ct_eq(&received[..])) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_vector() {
        let secret = AppSecret::new("Y1W2MeFwwwRxa0");
        assert_eq!(
            signature(&secret, "14314", "1408710653000"),
            "30be0bbca9c9b2e27578701e9fda2358a814c88f"
        );
    }

    #[test]
    fn debug_redacts_secret() {
        let secret = AppSecret::new("Y1W2MeFwwwRxa0");
        assert_eq!(format!("{secret:?}"), "AppSecret(***)");
        assert_eq!(format!("{:?}", AppKey::new("k")), "AppKey(\"k\")");
    }
}
