//! [`WebhookError`]: why a callback was rejected.

use std::time::Duration;

/// Why a callback was rejected. Never contains a secret (app secret, token) or the expected
/// signature.
///
/// [`WebhookError::http_status`] suggests the status to answer with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The request is not a `POST`.
    #[error("callbacks are POST requests, not {method}")]
    WrongMethod {
        /// The method received.
        method: String,
    },
    /// A required query parameter is absent.
    #[error("query parameter {name} is missing")]
    MissingParameter {
        /// The parameter's name, such as `signature` or `RequestTime`.
        name: &'static str,
    },
    /// A signed query parameter appears more than once, so which one was signed is ambiguous.
    #[error("query parameter {name} appears more than once")]
    DuplicateParameter {
        /// The parameter's name.
        name: &'static str,
    },
    /// The signature is not the one the shared secret gives: a forged or corrupted callback.
    #[error("signature does not match")]
    BadSignature,
    /// The signed timestamp is outside the replay window around `now`.
    #[error(
        "timestamp is {skew:?} in the {}, outside the {window:?} window",
        if *.ahead { "future" } else { "past" }
    )]
    Stale {
        /// How far the timestamp is from `now`.
        skew: Duration,
        /// Whether the timestamp is ahead of `now` (a sender clock running fast, or a forgery)
        /// rather than behind it (a delayed or replayed callback).
        ahead: bool,
        /// The configured window.
        window: Duration,
    },
    /// The same signed callback was accepted before, within the window.
    #[error("callback was already received (replay)")]
    Replayed,
    /// The replay store is full of unexpired entries; the callback is refused rather than
    /// accepted without a replay check.
    #[error("replay store is full ({capacity} unexpired entries)")]
    ReplayStoreFull {
        /// The store's capacity.
        capacity: usize,
    },
    /// The body is not declared as JSON.
    #[error("content type is {}, expected application/json", .found.as_deref().unwrap_or("missing"))]
    WrongContentType {
        /// The `Content-Type` received, if any (lossily decoded).
        found: Option<String>,
    },
    /// A parameter or the body cannot be parsed.
    #[error("malformed {part}: {reason}")]
    Malformed {
        /// What is malformed: `body`, `timestamp`, `RequestTime`, …
        part: &'static str,
        /// Why.
        reason: String,
    },
    /// A genuine callback of a kind this crate does not parse (another `CallbackCommand`).
    /// Vendors send every configured callback to one URL; answering 200 is usually right.
    #[error("callback command {command} is not supported")]
    UnsupportedCommand {
        /// The `CallbackCommand` received.
        command: String,
    },
}

impl WebhookError {
    /// The HTTP status a receiver should answer with: 401 for authentication failures
    /// (signature, window, replay), 503 when the replay store is full (the vendor may retry),
    /// 405 for a wrong method, 415 for a wrong content type, 200 for an unsupported but genuine
    /// command, 400 otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::BadSignature | Self::Stale { .. } | Self::Replayed => 401,
            Self::ReplayStoreFull { .. } => 503,
            Self::WrongMethod { .. } => 405,
            Self::WrongContentType { .. } => 415,
            Self::UnsupportedCommand { .. } => 200,
            Self::MissingParameter { .. }
            | Self::DuplicateParameter { .. }
            | Self::Malformed { .. } => 400,
        }
    }

    pub(crate) fn malformed(part: &'static str, reason: impl Into<String>) -> Self {
        Self::Malformed {
            part,
            reason: reason.into(),
        }
    }
}
