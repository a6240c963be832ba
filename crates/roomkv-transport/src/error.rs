//! [`TransportError`]: why an HTTP exchange did not produce a complete response.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// A boxed error that can cross threads; the source type of [`TransportError`].
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Why an HTTP exchange did not produce a complete response.
///
/// The type is opaque: ask it questions with the predicates instead of matching on a kind.
/// The predicates are what a retry or failover decision needs:
///
/// | predicate | meaning |
/// |---|---|
/// | [`is_connect`](Self::is_connect) | no connection could be used; the request provably never reached the server |
/// | [`is_timeout`](Self::is_timeout) | a time limit ran out (a connect timeout is also [`is_connect`](Self::is_connect)) |
/// | [`is_reset_after_send`](Self::is_reset_after_send) | the connection closed or was reset after the request went out; outcome unknown |
/// | [`is_body`](Self::is_body) | the response head arrived but its body could not be read in full (or was too large) |
/// | [`is_invalid`](Self::is_invalid) | the request or configuration was refused before any I/O |
/// | [`may_have_been_sent`](Self::may_have_been_sent) | the server may have received (and acted on) the request |
///
/// The underlying error (hyper, rustls, `std::io`, …) is reachable only through
/// [`std::error::Error::source`]; `Display` is one sentence and never repeats the source.
///
/// Custom [`HttpClient`](crate::HttpClient) implementations build errors with the constructors
/// ([`TransportError::connect`], [`TransportError::timeout`], …).
///
/// ```
/// use roomkv_transport::TransportError;
///
/// let err = TransportError::connect(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
/// assert!(err.is_connect());
/// assert!(!err.may_have_been_sent());
/// assert_eq!(err.to_string(), "could not connect to the server");
/// assert!(std::error::Error::source(&err).is_some());
/// ```
pub struct TransportError {
    kind: Kind,
    source: Option<BoxError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Refused before any I/O (bad URL, plain http to a remote host, bad configuration).
    Invalid,
    /// No usable connection (DNS, refused, TLS handshake, closed before the request was written).
    Connect,
    /// Connecting took longer than allowed.
    ConnectTimeout(Option<Duration>),
    /// The exchange took longer than allowed while waiting for the response head.
    Timeout(Option<Duration>),
    /// The exchange took longer than allowed while reading the response body.
    BodyTimeout(Option<Duration>),
    /// The connection closed or was reset after the request may have been written.
    ResetAfterSend,
    /// The response body could not be read.
    Body,
    /// The response body was larger than allowed.
    BodyTooLarge(u64),
    /// Anything else (protocol violations, unexpected internal errors).
    Other,
}

impl TransportError {
    fn new(kind: Kind, source: Option<BoxError>) -> Self {
        Self { kind, source }
    }

    /// The request or configuration was refused before any I/O; `reason` says why.
    ///
    /// `Display` shows the reason itself (it is this crate's own text, not a foreign source).
    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::new(Kind::Invalid, Some(Box::new(Reason(reason.into()))))
    }

    /// No connection could be used, so the request never reached the server
    /// (DNS failure, connection refused, TLS handshake failure, …).
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Connect, Some(source.into()))
    }

    /// Connecting took longer than `limit` (if known); the request never reached the server.
    pub fn connect_timeout(limit: Option<Duration>) -> Self {
        Self::new(Kind::ConnectTimeout(limit), None)
    }

    /// No response head arrived within `limit` (if known); the server may have received the
    /// request.
    pub fn timeout(limit: Option<Duration>) -> Self {
        Self::new(Kind::Timeout(limit), None)
    }

    /// The response head arrived but the body did not finish within `limit` (if known).
    pub fn body_timeout(limit: Option<Duration>) -> Self {
        Self::new(Kind::BodyTimeout(limit), None)
    }

    /// The connection closed or was reset after the request may have been written; the outcome
    /// is unknown.
    pub fn reset_after_send(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::ResetAfterSend, Some(source.into()))
    }

    /// The response body could not be read.
    pub fn body(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Body, Some(source.into()))
    }

    /// The response body was larger than `limit` bytes.
    pub fn body_too_large(limit: u64) -> Self {
        Self::new(Kind::BodyTooLarge(limit), None)
    }

    /// Any other failure; treated as possibly sent.
    pub fn other(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Other, Some(source.into()))
    }

    /// A time limit ran out: connecting, waiting for the response head, or reading the body.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind,
            Kind::ConnectTimeout(_) | Kind::Timeout(_) | Kind::BodyTimeout(_)
        )
    }

    /// The request provably never reached the server: DNS failure, connection refused, TLS
    /// handshake failure, connect timeout, or a pooled connection that closed before the request
    /// was written. Always safe to retry, on this host or another.
    pub fn is_connect(&self) -> bool {
        matches!(self.kind, Kind::Connect | Kind::ConnectTimeout(_))
    }

    /// The connection was closed or reset after the request was (or may have been) written and
    /// before a complete response head arrived. The server may or may not have acted on it.
    pub fn is_reset_after_send(&self) -> bool {
        matches!(self.kind, Kind::ResetAfterSend)
    }

    /// The response head arrived but the body could not be read in full: the connection broke,
    /// the time limit ran out while reading it, or it exceeded the size cap. The server did
    /// receive the request.
    pub fn is_body(&self) -> bool {
        matches!(
            self.kind,
            Kind::Body | Kind::BodyTooLarge(_) | Kind::BodyTimeout(_)
        )
    }

    /// The response body exceeded the configured size cap.
    pub fn is_body_too_large(&self) -> bool {
        matches!(self.kind, Kind::BodyTooLarge(_))
    }

    /// The request or configuration was refused before any I/O (for example plain `http://` to
    /// a host that is not loopback). Retrying cannot help.
    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, Kind::Invalid)
    }

    /// The server may have received the request: `false` only when it provably did not
    /// ([`is_connect`](Self::is_connect) or [`is_invalid`](Self::is_invalid)).
    ///
    /// A non-idempotent write that failed with this `true` must not be retried blindly.
    pub fn may_have_been_sent(&self) -> bool {
        !(self.is_connect() || self.is_invalid())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .finish()
    }
}

struct Limit(Option<Duration>);

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => write!(f, " within {d:?}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Invalid => match &self.source {
                Some(reason) => write!(f, "request refused before sending: {reason}"),
                None => f.write_str("request refused before sending"),
            },
            Kind::Connect => f.write_str("could not connect to the server"),
            Kind::ConnectTimeout(l) => write!(f, "could not connect to the server{}", Limit(l)),
            Kind::Timeout(l) => write!(f, "no response from the server{}", Limit(l)),
            Kind::BodyTimeout(l) => write!(f, "the response body did not arrive{}", Limit(l)),
            Kind::ResetAfterSend => {
                f.write_str("the connection was closed after the request was sent")
            }
            Kind::Body => f.write_str("could not read the response body"),
            Kind::BodyTooLarge(limit) => {
                write!(f, "the response body is larger than {limit} bytes")
            }
            Kind::Other => f.write_str("the HTTP exchange failed"),
        }
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self.kind {
            // The reason is already part of `Display`; do not repeat it as a source.
            Kind::Invalid => None,
            _ => self
                .source
                .as_deref()
                .map(|e| e as &(dyn StdError + 'static)),
        }
    }
}

/// The reason text of [`TransportError::invalid`].
#[derive(Debug)]
struct Reason(String);

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Reason {}

/// Finds the first error of type `T` in the source chain of `err` (including `err` itself).
#[cfg(feature = "hyper")]
pub(crate) fn find_source<'a, T: StdError + 'static>(
    err: &'a (dyn StdError + 'static),
) -> Option<&'a T> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_per_kind() {
        let io = || std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let cases = [
            // (error, timeout, connect, reset, body, invalid, maybe sent)
            (
                TransportError::invalid("x"),
                [false, false, false, false, true, false],
            ),
            (
                TransportError::connect(io()),
                [false, true, false, false, false, false],
            ),
            (
                TransportError::connect_timeout(None),
                [true, true, false, false, false, false],
            ),
            (
                TransportError::timeout(None),
                [true, false, false, false, false, true],
            ),
            (
                TransportError::body_timeout(None),
                [true, false, false, true, false, true],
            ),
            (
                TransportError::reset_after_send(io()),
                [false, false, true, false, false, true],
            ),
            (
                TransportError::body(io()),
                [false, false, false, true, false, true],
            ),
            (
                TransportError::body_too_large(1),
                [false, false, false, true, false, true],
            ),
            (
                TransportError::other(io()),
                [false, false, false, false, false, true],
            ),
        ];
        for (err, want) in cases {
            let got = [
                err.is_timeout(),
                err.is_connect(),
                err.is_reset_after_send(),
                err.is_body(),
                err.is_invalid(),
                err.may_have_been_sent(),
            ];
            assert_eq!(got, want, "{err:?}");
        }
    }

    #[test]
    fn display_never_repeats_the_source() {
        let src = std::io::Error::other("secret detail");
        for err in [
            TransportError::connect(std::io::Error::other("secret detail")),
            TransportError::reset_after_send(std::io::Error::other("secret detail")),
            TransportError::body(std::io::Error::other("secret detail")),
            TransportError::other(src),
        ] {
            assert!(!err.to_string().contains("secret"), "{err}");
            assert_eq!(
                err.source().map(ToString::to_string).as_deref(),
                Some("secret detail")
            );
        }
    }

    #[test]
    fn invalid_shows_its_reason_once() {
        let err = TransportError::invalid("plain http is for loopback only");
        assert_eq!(
            err.to_string(),
            "request refused before sending: plain http is for loopback only"
        );
        assert!(err.source().is_none());
    }

    #[test]
    fn limits_are_shown() {
        let err = TransportError::timeout(Some(Duration::from_secs(5)));
        assert_eq!(err.to_string(), "no response from the server within 5s");
        assert_eq!(
            TransportError::body_too_large(10).to_string(),
            "the response body is larger than 10 bytes"
        );
    }
}
