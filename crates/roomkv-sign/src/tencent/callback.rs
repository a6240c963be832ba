//! Tencent callback authentication: the `Sign` query parameter of a callback URL.
//!
//! With callback authentication switched on (the Live `set_callback_token` API or the console),
//! Tencent appends `RequestTime` (Unix seconds) and `Sign` to every callback URL, where `Sign` is
//! the lowercase hex SHA256 of `Token ‖ RequestTime` (plain concatenation, UTF-8). The scheme is
//! the one Tencent's Chat webhooks document; the parameter names and the formula are recalled from
//! the vendor's documentation and not quoted in the project's spec, so treat them as inferred.
//!
//! The signature covers only the token and the time, **not the body**: it proves that the sender
//! knows the token at about `RequestTime`, nothing more. Receivers must add a freshness window
//! (and may add a duplicate check), and should keep the callback URL private and on HTTPS.

use sha2::{Digest as _, Sha256};

use crate::secret::secret_newtype;

/// Number of hexadecimal digits in a [`callback_sign`] (a SHA256 digest is 32 bytes).
pub const CALLBACK_SIGN_LEN: usize = 64;

secret_newtype! {
    /// A Tencent callback authentication token (up to 128 characters, set in the console or with
    /// `v4/live_config/set_callback_token`).
    ///
    /// `Debug` prints `CallbackToken(***)`; there is no `Display`.
    pub struct CallbackToken(String);
    /// Wraps a token.
    fn new(impl Into<String>);
    /// The token itself. Every call site is a place where the secret can leak: keep them few.
    fn expose_secret() -> &str;
}

fn digest(token: &CallbackToken, request_time: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(token.expose_secret().as_bytes());
    hasher.update(request_time.as_bytes());
    hasher.finalize().into()
}

/// The `Sign` query parameter of a callback sent at `request_time` (the `RequestTime` parameter
/// exactly as sent, decimal Unix seconds): lowercase hex SHA256 of `token ‖ request_time`.
///
/// ```
/// use roomkv_sign::tencent::{CallbackToken, callback_sign};
///
/// let sign = callback_sign(&CallbackToken::new("token"), "1700000000");
/// assert_eq!(sign.len(), 64);
/// assert_ne!(sign, callback_sign(&CallbackToken::new("token"), "1700000001"));
/// ```
pub fn callback_sign(token: &CallbackToken, request_time: &str) -> String {
    crate::hex::encode(&digest(token, request_time))
}

/// Why a callback `Sign` was rejected by [`verify_callback_sign`]. Never contains the token or
/// the expected value.
#[cfg(feature = "verify")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackSignError {
    /// `Sign` is not exactly [`CALLBACK_SIGN_LEN`] hexadecimal digits.
    #[error("Sign is not {CALLBACK_SIGN_LEN} hexadecimal digits")]
    Malformed,
    /// `Sign` is well-formed but is not the SHA256 of the token and `RequestTime`.
    #[error("Sign does not match")]
    Mismatch,
}

/// Checks a received `Sign` against the token and the `RequestTime` parameter, in constant time
/// (either hex case is accepted). Freshness of `request_time` is the caller's policy.
///
/// ```
/// use roomkv_sign::tencent::{CallbackSignError, CallbackToken, callback_sign, verify_callback_sign};
///
/// let token = CallbackToken::new("token");
/// let sign = callback_sign(&token, "1700000000");
/// assert_eq!(verify_callback_sign(&token, "1700000000", &sign), Ok(()));
/// assert_eq!(
///     verify_callback_sign(&CallbackToken::new("other"), "1700000000", &sign),
///     Err(CallbackSignError::Mismatch),
/// );
/// ```
///
/// # Errors
///
/// [`CallbackSignError::Malformed`] for anything but 64 hex digits, [`CallbackSignError::Mismatch`]
/// for the sign of another token or time.
#[cfg(feature = "verify")]
pub fn verify_callback_sign(
    token: &CallbackToken,
    request_time: &str,
    sign: &str,
) -> Result<(), CallbackSignError> {
    use subtle::ConstantTimeEq as _;

    let received = crate::hex::decode::<32>(sign).ok_or(CallbackSignError::Malformed)?;
    let expected = digest(token, request_time);
    if bool::from(expected[..].ct_eq(&received[..])) {
        Ok(())
    } else {
        Err(CallbackSignError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_and_redaction() {
        // sha256("abc") is the FIPS 180-2 example; "a" ‖ "bc" hashes the same bytes.
        assert_eq!(
            callback_sign(&CallbackToken::new("a"), "bc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            format!("{:?}", CallbackToken::new("t")),
            "CallbackToken(***)"
        );
    }

    #[cfg(feature = "verify")]
    #[test]
    fn verification() {
        let token = CallbackToken::new("tok");
        let sign = callback_sign(&token, "1700000000");
        assert_eq!(
            verify_callback_sign(&token, "1700000000", &sign.to_uppercase()),
            Ok(())
        );
        assert_eq!(
            verify_callback_sign(&token, "1700000001", &sign),
            Err(CallbackSignError::Mismatch)
        );
        assert_eq!(
            verify_callback_sign(&token, "1700000000", &sign[1..]),
            Err(CallbackSignError::Malformed)
        );
        assert_eq!(
            verify_callback_sign(&token, "1700000000", &"é".repeat(32)),
            Err(CallbackSignError::Malformed)
        );
    }
}
