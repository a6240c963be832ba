//! Signing: the App Key, the App Secret and the four signature headers every attempt carries,
//! plus the request id of each operation.
//!
//! Every attempt is signed afresh ([`Credentials::sign_headers`]): a new nonce of at most 18 decimal
//! digits from the injected [`RandomSource`], the injected [`Clock`]'s time in milliseconds since
//! the Unix epoch (as documented; the official SDKs send seconds), and the lowercase hex SHA1 of
//! `AppSecret ‖ Nonce ‖ Timestamp`. Reusing one signature for every request, as an official SDK
//! once did, is exactly what this avoids.

use std::fmt;
use std::time::UNIX_EPOCH;

use http::HeaderValue;
use http::header::{HeaderName, USER_AGENT};
use http::request::Parts;
use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderAuth, HeaderStyle, SigningError};
use roomkv_transport::{Clock, RandomSource};

use crate::CredentialsError;

/// The request header carrying the request id (RongCloud accepts at most 36 characters).
pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// `User-Agent` of every request: `roomkv-rongcloud/<version>`.
const USER_AGENT_VALUE: &str = concat!("roomkv-rongcloud/", env!("CARGO_PKG_VERSION"));

/// Nonces are below 10¹⁸: at most 18 decimal digits, as RongCloud documents.
const NONCE_MODULUS: u64 = 1_000_000_000_000_000_000;

/// The App Key, the App Secret and the header names, checked once when the client is built.
pub(crate) struct Credentials {
    app_key: AppKey,
    app_secret: AppSecret,
    style: HeaderStyle,
}

impl Credentials {
    /// Checks that the App Key can be sent as a header value and that neither is empty, so
    /// signing an attempt cannot fail later.
    pub(crate) fn new(
        app_key: AppKey,
        app_secret: AppSecret,
        style: HeaderStyle,
    ) -> Result<Self, CredentialsError> {
        if app_key.as_str().is_empty() || HeaderValue::from_str(app_key.as_str()).is_err() {
            return Err(CredentialsError::InvalidAppKey);
        }
        if app_secret.expose_secret().is_empty() {
            return Err(CredentialsError::MissingAppSecret);
        }
        Ok(Self {
            app_key,
            app_secret,
            style,
        })
    }

    pub(crate) fn app_key(&self) -> &AppKey {
        &self.app_key
    }

    pub(crate) fn style(&self) -> HeaderStyle {
        self.style
    }

    /// Puts `App-Key`, `Nonce`, `Timestamp` and `Signature` (marked sensitive), or their `RC-`
    /// forms, on `parts`.
    ///
    /// # Errors
    ///
    /// Only if the App Key is not a header value, which [`Credentials::new`] already refused.
    pub(crate) fn sign_headers(
        &self,
        parts: &mut Parts,
        nonce: &str,
        timestamp: &str,
    ) -> Result<(), SigningError> {
        HeaderAuth::new(&self.app_key, &self.app_secret, nonce, timestamp)
            .with_style(self.style)
            .apply(parts)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("app_key", &self.app_key)
            // `AppSecret`'s own Debug is redacted.
            .field("app_secret", &self.app_secret)
            .field("header_style", &self.style)
            .finish()
    }
}

/// A fresh nonce: a random number below 10¹⁸, in decimal.
pub(crate) fn nonce(source: &dyn RandomSource) -> String {
    (source.next_u64() % NONCE_MODULUS).to_string()
}

/// The clock's time in milliseconds since the Unix epoch, in decimal (`0` before the epoch).
pub(crate) fn timestamp_millis(clock: &dyn Clock) -> String {
    clock
        .now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
        .to_string()
}

/// One operation's request id: 32 lowercase hex digits (128 random bits) from the nonce source,
/// within RongCloud's 36-character limit, sent on all its attempts so that RongCloud can
/// correlate them. Kept as its digits, so that making one allocates nothing.
pub(crate) struct RequestId([u8; 32]);

impl RequestId {
    /// A fresh id.
    pub(crate) fn new(source: &dyn RandomSource) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut digits = [0u8; 32];
        let value = u128::from(source.next_u64()) << 64 | u128::from(source.next_u64());
        for (i, digit) in digits.iter_mut().enumerate() {
            *digit = HEX[((value >> (4 * (31 - i))) & 0xf) as usize];
        }
        Self(digits)
    }

    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }

    /// The id as the value of its header.
    fn header(&self) -> HeaderValue {
        HeaderValue::from_bytes(&self.0).expect("hex digits are a valid header value")
    }
}

/// Puts the operation's request id and the `User-Agent` on `parts`.
pub(crate) fn label(parts: &mut Parts, request_id: &RequestId) {
    parts.headers.insert(REQUEST_ID_HEADER, request_id.header());
    parts
        .headers
        .insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    #[derive(Debug)]
    struct Fixed(u64);

    impl RandomSource for Fixed {
        fn next_u64(&self) -> u64 {
            self.0
        }
    }

    #[derive(Debug)]
    struct At(SystemTime);

    impl Clock for At {
        fn now(&self) -> SystemTime {
            self.0
        }

        fn monotonic(&self) -> Duration {
            Duration::ZERO
        }
    }

    #[test]
    fn nonces_have_at_most_18_digits() {
        assert_eq!(nonce(&Fixed(u64::MAX)), "446744073709551615");
        assert_eq!(nonce(&Fixed(NONCE_MODULUS - 1)), "9".repeat(18));
        assert_eq!(nonce(&Fixed(NONCE_MODULUS)), "0");
        assert_eq!(nonce(&Fixed(14314)), "14314");
    }

    #[test]
    fn timestamps_are_milliseconds() {
        let at = UNIX_EPOCH + Duration::from_millis(1_408_710_653_000);
        assert_eq!(timestamp_millis(&At(at)), "1408710653000");
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(timestamp_millis(&At(before)), "0");
    }

    #[test]
    fn request_ids_are_32_hex_digits() {
        let id = RequestId::new(&Fixed(0xfe));
        assert_eq!(id.as_str(), "00000000000000fe00000000000000fe");
        assert_eq!(id.header(), "00000000000000fe00000000000000fe");
        assert_eq!(RequestId::new(&Fixed(u64::MAX)).as_str(), "f".repeat(32));
    }

    proptest::proptest! {
        /// The digits are the two values in hex, high first, as `format!` writes them.
        #[test]
        fn request_ids_are_the_two_values_in_hex(high: u64, low: u64) {
            #[derive(Debug)]
            struct Two(std::sync::atomic::AtomicUsize, [u64; 2]);
            impl RandomSource for Two {
                fn next_u64(&self) -> u64 {
                    self.1[self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed)]
                }
            }
            let id = RequestId::new(&Two(0.into(), [high, low]));
            proptest::prop_assert_eq!(id.as_str(), format!("{high:016x}{low:016x}"));
        }
    }

    #[test]
    fn credentials_are_checked_once() {
        let secret = || AppSecret::new("s");
        assert!(Credentials::new(AppKey::new("k"), secret(), HeaderStyle::Plain).is_ok());
        for bad in ["", "k\n", "k\0"] {
            assert!(matches!(
                Credentials::new(AppKey::new(bad), secret(), HeaderStyle::Plain),
                Err(CredentialsError::InvalidAppKey)
            ));
        }
        assert!(matches!(
            Credentials::new(AppKey::new("k"), AppSecret::new(""), HeaderStyle::Plain),
            Err(CredentialsError::MissingAppSecret)
        ));
    }
}
