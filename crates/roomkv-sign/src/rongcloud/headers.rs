//! Putting the signature headers on a request head.

use http::header::{HeaderName, HeaderValue};
use http::request::Parts;

use super::{AppKey, AppSecret, signature_bytes};

/// Which header names carry the signature.
///
/// RongCloud accepts `App-Key`, `Nonce`, `Timestamp`, `Signature`, or the same names with an
/// `RC-` prefix, which exists for platforms whose proxies filter unknown headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderStyle {
    /// `App-Key`, `Nonce`, `Timestamp`, `Signature` (the documented default).
    #[default]
    Plain,
    /// `RC-App-Key`, `RC-Nonce`, `RC-Timestamp`, `RC-Signature`.
    RcPrefixed,
}

impl HeaderStyle {
    /// The header carrying the App Key (`app-key` or `rc-app-key`).
    pub const fn app_key(self) -> HeaderName {
        match self {
            Self::Plain => HeaderName::from_static("app-key"),
            Self::RcPrefixed => HeaderName::from_static("rc-app-key"),
        }
    }

    /// The header carrying the nonce (`nonce` or `rc-nonce`).
    pub const fn nonce(self) -> HeaderName {
        match self {
            Self::Plain => HeaderName::from_static("nonce"),
            Self::RcPrefixed => HeaderName::from_static("rc-nonce"),
        }
    }

    /// The header carrying the timestamp (`timestamp` or `rc-timestamp`).
    pub const fn timestamp(self) -> HeaderName {
        match self {
            Self::Plain => HeaderName::from_static("timestamp"),
            Self::RcPrefixed => HeaderName::from_static("rc-timestamp"),
        }
    }

    /// The header carrying the signature (`signature` or `rc-signature`).
    pub const fn signature(self) -> HeaderName {
        match self {
            Self::Plain => HeaderName::from_static("signature"),
            Self::RcPrefixed => HeaderName::from_static("rc-signature"),
        }
    }
}

/// Why [`HeaderAuth::apply`] could not sign a request. The request is left untouched.
///
/// The error names the header but never contains its value or the App Secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// A value cannot be sent as an HTTP header value (for example it contains a line break or
    /// another control character).
    #[error("the {header} header value contains characters not allowed in an HTTP header")]
    InvalidHeaderValue {
        /// The header whose value was rejected: `App-Key`, `Nonce`, `Timestamp` or `Signature`.
        header: &'static str,
    },
}

/// Everything needed to sign one RongCloud request attempt.
///
/// Build a new one for every attempt, with a fresh nonce and the current timestamp. `Debug`
/// shows the App Key, nonce and timestamp but redacts the App Secret.
#[derive(Debug, Clone, Copy)]
pub struct HeaderAuth<'a> {
    app_key: &'a AppKey,
    app_secret: &'a AppSecret,
    nonce: &'a str,
    timestamp: &'a str,
    style: HeaderStyle,
}

impl<'a> HeaderAuth<'a> {
    /// Signing input with the default [`HeaderStyle::Plain`] header names.
    pub const fn new(
        app_key: &'a AppKey,
        app_secret: &'a AppSecret,
        nonce: &'a str,
        timestamp: &'a str,
    ) -> Self {
        Self {
            app_key,
            app_secret,
            nonce,
            timestamp,
            style: HeaderStyle::Plain,
        }
    }

    /// Uses the given header names instead of the plain ones.
    #[must_use]
    pub const fn with_style(mut self, style: HeaderStyle) -> Self {
        self.style = style;
        self
    }

    /// Computes the signature and inserts the four headers into `parts`, replacing any earlier
    /// values of the same names. The signature header value is marked sensitive, so `http`'s
    /// `Debug` output and well-behaved loggers omit it.
    ///
    /// Only the headers are touched: method, URI and body are the caller's.
    ///
    /// # Errors
    ///
    /// [`SigningError::InvalidHeaderValue`] if the App Key, nonce or timestamp cannot be an HTTP
    /// header value. All values are built before the first insert, so on error `parts` is
    /// unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// use roomkv_sign::rongcloud::{AppKey, AppSecret, HeaderAuth, HeaderStyle};
    ///
    /// let key = AppKey::new("demo-app-key");
    /// let secret = AppSecret::new("Y1W2MeFwwwRxa0");
    /// let (mut parts, _body) = http::Request::post("https://api.rong-api.com/chatroom/entry/set.json")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    ///
    /// HeaderAuth::new(&key, &secret, "14314", "1408710653000").apply(&mut parts)?;
    /// assert_eq!(parts.headers["app-key"], "demo-app-key");
    /// assert_eq!(parts.headers["signature"], "30be0bbca9c9b2e27578701e9fda2358a814c88f");
    /// assert!(parts.headers["signature"].is_sensitive());
    ///
    /// // The RC- prefixed names, for proxies that filter headers.
    /// HeaderAuth::new(&key, &secret, "14314", "1408710653000")
    ///     .with_style(HeaderStyle::RcPrefixed)
    ///     .apply(&mut parts)?;
    /// assert_eq!(parts.headers["rc-nonce"], "14314");
    /// # Ok::<(), roomkv_sign::rongcloud::SigningError>(())
    /// ```
    pub fn apply(&self, parts: &mut Parts) -> Result<(), SigningError> {
        fn value(header: &'static str, s: &str) -> Result<HeaderValue, SigningError> {
            HeaderValue::from_str(s).map_err(|_| SigningError::InvalidHeaderValue { header })
        }

        let app_key = value("App-Key", self.app_key.as_str())?;
        let nonce = value("Nonce", self.nonce)?;
        let timestamp = value("Timestamp", self.timestamp)?;
        let mut signature = HeaderValue::from_bytes(&signature_bytes(
            self.app_secret,
            self.nonce,
            self.timestamp,
        ))
        .expect("hex digits are a valid header value");
        signature.set_sensitive(true);

        let headers = &mut parts.headers;
        headers.insert(self.style.app_key(), app_key);
        headers.insert(self.style.nonce(), nonce);
        headers.insert(self.style.timestamp(), timestamp);
        headers.insert(self.style.signature(), signature);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> Parts {
        let mut parts = http::Request::post("http://127.0.0.1/chatroom/entry/set.json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(())
            .unwrap()
            .into_parts()
            .0;
        parts
            .headers
            .insert("nonce", HeaderValue::from_static("old"));
        parts
    }

    #[test]
    fn failure_leaves_request_untouched() {
        let key = AppKey::new("k");
        let secret = AppSecret::new("s");
        for (nonce, ts, header) in [
            ("bad\nnonce", "1", "Nonce"),
            ("1", "bad\r\nts", "Timestamp"),
        ] {
            let mut p = parts();
            let before = format!("{p:?}");
            let err = HeaderAuth::new(&key, &secret, nonce, ts)
                .apply(&mut p)
                .unwrap_err();
            assert_eq!(err, SigningError::InvalidHeaderValue { header });
            assert_eq!(format!("{p:?}"), before);
        }
        let bad_key = AppKey::new("k\0");
        let mut p = parts();
        let before = format!("{p:?}");
        let err = HeaderAuth::new(&bad_key, &secret, "1", "2")
            .apply(&mut p)
            .unwrap_err();
        assert_eq!(err, SigningError::InvalidHeaderValue { header: "App-Key" });
        assert_eq!(format!("{p:?}"), before);
    }

    #[test]
    fn inserts_replaces_and_keeps_other_headers() {
        let key = AppKey::new("k");
        let secret = AppSecret::new("Y1W2MeFwwwRxa0");
        let mut p = parts();
        HeaderAuth::new(&key, &secret, "14314", "1408710653000")
            .apply(&mut p)
            .unwrap();
        assert_eq!(p.headers.get_all("nonce").iter().count(), 1);
        assert_eq!(p.headers["nonce"], "14314");
        assert_eq!(p.headers["timestamp"], "1408710653000");
        assert_eq!(
            p.headers["content-type"],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(p.headers.len(), 5);
        assert!(!p.headers["nonce"].is_sensitive());
        assert!(p.headers["signature"].is_sensitive());
    }

    #[test]
    fn rc_prefixed_names() {
        let key = AppKey::new("k");
        let secret = AppSecret::new("Y1W2MeFwwwRxa0");
        let mut p = parts();
        p.headers.clear();
        HeaderAuth::new(&key, &secret, "14314", "1408710653000")
            .with_style(HeaderStyle::RcPrefixed)
            .apply(&mut p)
            .unwrap();
        let mut names: Vec<_> = p.headers.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["rc-app-key", "rc-nonce", "rc-signature", "rc-timestamp"]
        );
        assert_eq!(
            p.headers["rc-signature"],
            "30be0bbca9c9b2e27578701e9fda2358a814c88f"
        );
    }
}
