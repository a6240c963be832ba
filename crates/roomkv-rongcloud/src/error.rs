//! [`Error`]: why a request failed, and [`BuildError`]: why a client could not be built.

use std::error::Error as StdError;
use std::fmt;

use roomkv_core::{
    ApiCode, ApiError, CodeClass, DecodeError, EncodeError, RongCloudCode, ValidationError,
};
use roomkv_transport::TransportError;

/// Why a [`ClientBuilder`](crate::ClientBuilder) could not build a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No App Key was given ([`ClientBuilder::app_key`](crate::ClientBuilder::app_key)).
    #[error("the App Key is missing; set it with ClientBuilder::app_key")]
    MissingAppKey,
    /// No App Secret, or an empty one, was given
    /// ([`ClientBuilder::app_secret`](crate::ClientBuilder::app_secret)).
    #[error("the App Secret is missing or empty; set it with ClientBuilder::app_secret")]
    MissingAppSecret,
    /// The App Key is empty or cannot be sent as an HTTP header value (a line break or another
    /// control character).
    #[error("the App Key is empty or contains characters not allowed in an HTTP header")]
    InvalidAppKey,
    /// A host URL is not an absolute `https://` URL (or `http://` to a loopback host) without
    /// a query.
    #[error("invalid host URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// [`ClientBuilder::hosts`](crate::ClientBuilder::hosts) was given no URL.
    #[error("no host URL given; pass at least one to ClientBuilder::hosts")]
    NoHosts,
    /// Timeout or keep-alive settings were given together with a custom HTTP client, which
    /// they would not affect.
    #[error(
        "{setting} configures the built-in HTTP client and has no effect with ClientBuilder::http_client; configure your own client instead"
    )]
    IgnoredSetting {
        /// The builder method whose setting would be ignored.
        setting: &'static str,
    },
    /// The crate was built without the `hyper` feature and no HTTP client was given.
    #[error(
        "no HTTP client: enable the `hyper` feature of roomkv-rongcloud or pass one to ClientBuilder::http_client"
    )]
    NoHttpClient,
    /// The built-in HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    HttpClient(TransportError),
}

/// Why a request failed.
///
/// The variants say where it failed: before anything was sent ([`Error::Validation`],
/// [`Error::Encode`], [`Error::Config`]), on the way ([`Error::Transport`]), or in RongCloud's
/// answer ([`Error::Api`], [`Error::UnexpectedStatus`], [`Error::Decode`]). The methods answer
/// the questions callers ask whatever the variant:
///
/// | method | question |
/// |---|---|
/// | [`is_outcome_unknown`](Self::is_outcome_unknown) | may this *write* have been applied although it failed? |
/// | [`is_retryable`](Self::is_retryable) | is the failure transient (worth trying again later)? |
/// | [`is_throttled`](Self::is_throttled) | did RongCloud refuse because of a rate limit (HTTP 429, code 1008)? |
/// | [`api_code`](Self::api_code), [`api_error`](Self::api_error) | what exactly did RongCloud answer? |
/// | [`request_id`](Self::request_id) | which `X-Request-ID` did the request carry, for RongCloud's support? |
/// | [`attempts`](Self::attempts) | how many requests were sent? |
///
/// The request id is the one the client sent in `X-Request-ID` (RongCloud echoes it when it
/// answers), so it is known for every failure after sending, transport failures included.
///
/// `Display` is one sentence: the vendor code, its meaning, RongCloud's message and the request
/// id, or the transport cause. `source()` leads to the underlying cause that the sentence does
/// not already contain (the I/O or TLS error behind a transport failure), so printing the whole
/// chain repeats nothing. No error ever contains the App Secret or a signature.
///
/// ```
/// use roomkv_rongcloud::{Error, RongCloudCode};
///
/// fn explain(err: &Error) -> &'static str {
///     if err.api_code() == Some(RongCloudCode::ServiceNotEnabled) {
///         "enable chat-room KV for this App Key in the console"
///     } else if err.is_outcome_unknown() {
///         "the write may have been applied; read before repeating it"
///     } else if err.is_retryable() {
///         "try again later"
///     } else {
///         "fix the request"
///     }
/// }
/// # let _ = explain;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks a documented limit ([`Limits`](crate::Limits)); nothing was sent.
    Validation(ValidationError),
    /// The client configuration is invalid; nothing was sent. [`ClientBuilder::build`]
    /// returns a [`BuildError`] directly; this variant lets `?` carry both in one type.
    ///
    /// [`ClientBuilder::build`]: crate::ClientBuilder::build
    Config(BuildError),
    /// The request could not be encoded (a host URL that cannot take the operation's path);
    /// nothing was sent.
    Encode(EncodeError),
    /// The HTTP exchange failed: no connection, a timeout, a reset, an unreadable body.
    #[non_exhaustive]
    Transport {
        /// What went wrong; ask it with its predicates.
        source: TransportError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
        /// The `X-Request-ID` the request carried.
        request_id: String,
    },
    /// RongCloud answered with an error code. The [`ApiError`]'s `request_id` is RongCloud's
    /// echo of the `X-Request-ID`, or the id the client sent when RongCloud did not echo it.
    #[non_exhaustive]
    Api {
        /// The code, RongCloud's message, the HTTP status and the request id.
        error: ApiError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
    },
    /// The answer had an HTTP status RongCloud does not use and no RongCloud reply: a gateway
    /// or proxy in front of RongCloud answered.
    #[non_exhaustive]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
        /// The `X-Request-ID` the request carried.
        request_id: String,
    },
    /// The answer could not be read as a RongCloud reply.
    #[non_exhaustive]
    Decode {
        /// What could not be read.
        source: DecodeError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
        /// The `X-Request-ID` the request carried.
        request_id: String,
    },
}

impl Error {
    /// True when a *write* failed in a way that leaves its effect unknown: the request may have
    /// been applied (a timeout or reset after sending, a transient RongCloud error 1000 or 1050,
    /// a gateway's 5xx, a garbled reply, or a refusal of a repeat whose earlier attempt was
    /// lost).
    ///
    /// Such writes are not repeated automatically unless the client was built with
    /// [`WriteRetry::RepeatIdempotent`](crate::WriteRetry::RepeatIdempotent), and writes that
    /// notify the room or conversation never are: a second send would post the notification
    /// twice. Read the state back before deciding to repeat one. Always false for reads and for
    /// requests that were never sent.
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Self::Transport {
                outcome_unknown, ..
            }
            | Self::Api {
                outcome_unknown, ..
            }
            | Self::UnexpectedStatus {
                outcome_unknown, ..
            }
            | Self::Decode {
                outcome_unknown, ..
            } => *outcome_unknown,
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => false,
        }
    }

    /// True when the failure is transient, so the same request may succeed later: throttling
    /// (HTTP 429, 1008), transient RongCloud codes (1000, 1050), transport failures (except a
    /// request refused before sending), gateway statuses and garbled replies.
    ///
    /// The client already retried what its policy allows. Before repeating a write, check
    /// [`is_outcome_unknown`](Self::is_outcome_unknown).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { source, .. } => !source.is_invalid(),
            Self::Api { error, .. } => error.is_retryable(),
            Self::UnexpectedStatus { .. } | Self::Decode { .. } => true,
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => false,
        }
    }

    /// True when RongCloud (or a gateway) refused because of a rate limit: HTTP 429 or code
    /// 1008. The request was not processed.
    pub fn is_throttled(&self) -> bool {
        match self {
            Self::Api { error, .. } => error.is_throttled(),
            Self::UnexpectedStatus { status, .. } => *status == 429,
            _ => false,
        }
    }

    /// RongCloud's error code, when RongCloud answered with one. Unknown codes are
    /// [`RongCloudCode::Other`].
    pub fn api_code(&self) -> Option<RongCloudCode> {
        match self.api_error()?.code {
            ApiCode::RongCloud(code) => Some(code),
            ApiCode::Tencent(_) => None,
        }
    }

    /// RongCloud's whole answer (code, message, HTTP status, request id), when it answered with
    /// an error code.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The request id of the failed request (its `X-Request-ID`, or RongCloud's echo of it),
    /// for RongCloud's support and your logs. `None` when nothing was sent.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { error, .. } => error.request_id.as_deref(),
            Self::Transport { request_id, .. }
            | Self::UnexpectedStatus { request_id, .. }
            | Self::Decode { request_id, .. } => Some(request_id),
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => None,
        }
    }

    /// How many requests were sent: 0 when the request was refused before sending.
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Transport { attempts, .. }
            | Self::Api { attempts, .. }
            | Self::UnexpectedStatus { attempts, .. }
            | Self::Decode { attempts, .. } => *attempts,
            Self::Validation(_) | Self::Config(_) | Self::Encode(_) => 0,
        }
    }

    /// The HTTP status of the last answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { error, .. } => Some(error.http_status),
            Self::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The transport failure, for [`Error::Transport`].
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Self::Transport { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The broken limit, for [`Error::Validation`].
    pub fn validation_error(&self) -> Option<&ValidationError> {
        match self {
            Self::Validation(err) => Some(err),
            _ => None,
        }
    }

    /// How RongCloud's code is classified, for [`Error::Api`].
    pub fn code_class(&self) -> Option<CodeClass> {
        self.api_error().map(ApiError::class)
    }
}

impl From<ValidationError> for Error {
    fn from(err: ValidationError) -> Self {
        Self::Validation(err)
    }
}

impl From<BuildError> for Error {
    fn from(err: BuildError) -> Self {
        Self::Config(err)
    }
}

/// `" after 3 attempts"`, or nothing for one attempt.
struct After(u32);

impl fmt::Display for After {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 1 {
            write!(f, " after {} attempts", self.0)?;
        }
        Ok(())
    }
}

/// The closing words of a failed write whose effect is unknown.
struct Unknown(bool);

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 {
            f.write_str("; the write may or may not have been applied")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(err) => write!(f, "request refused before sending: {err}"),
            Self::Config(err) => write!(f, "invalid client configuration: {err}"),
            Self::Encode(err) => write!(f, "request refused before sending: {err}"),
            Self::Transport {
                source,
                attempts,
                outcome_unknown,
                request_id,
            } => write!(
                f,
                "RongCloud request failed{}: {source} [request id {request_id}]{}",
                After(*attempts),
                Unknown(*outcome_unknown)
            ),
            Self::Api {
                error,
                attempts,
                outcome_unknown,
            } => write!(
                f,
                "{error}{}{}",
                After(*attempts),
                Unknown(*outcome_unknown)
            ),
            Self::UnexpectedStatus {
                status,
                attempts,
                outcome_unknown,
                request_id,
            } => write!(
                f,
                "RongCloud request failed{}: HTTP {status} without a RongCloud reply (a gateway answered) [request id {request_id}]{}",
                After(*attempts),
                Unknown(*outcome_unknown)
            ),
            Self::Decode {
                source,
                attempts,
                outcome_unknown,
                request_id,
            } => write!(
                f,
                "could not read RongCloud's reply{}: {source} [request id {request_id}]{}",
                After(*attempts),
                Unknown(*outcome_unknown)
            ),
        }
    }
}

impl StdError for Error {
    /// The cause behind the one the message names: for transport failures, the I/O, TLS or
    /// HTTP error underneath. The texts of [`TransportError`], [`ApiError`], [`DecodeError`]
    /// and [`ValidationError`] are already part of the message, so they are not repeated here.
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Transport { source, .. } => source.source(),
            Self::Config(BuildError::HttpClient(err)) => err.source(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_sentence_with_code_message_and_request_id() {
        let api = Error::Api {
            error: ApiError::rongcloud(RongCloudCode::RateLimited, "Too many requests", 429)
                .with_request_id("rid-1"),
            attempts: 3,
            outcome_unknown: false,
        };
        assert_eq!(
            api.to_string(),
            "RongCloud error 1008 (call frequency exceeds the limit): Too many requests \
             [HTTP 429, request id rid-1] after 3 attempts"
        );
        let transport = Error::Transport {
            source: TransportError::timeout(Some(std::time::Duration::from_secs(5))),
            attempts: 1,
            outcome_unknown: true,
            request_id: "rid-2".to_owned(),
        };
        assert_eq!(
            transport.to_string(),
            "RongCloud request failed: no response from the server within 5s [request id rid-2]; \
             the write may or may not have been applied"
        );
        assert_eq!(transport.request_id(), Some("rid-2"));
        assert!(transport.is_retryable());
        assert!(transport.source().is_none());
    }

    #[test]
    fn the_source_is_what_the_message_does_not_say() {
        let io = std::io::Error::other("connection refused by peer");
        let err = Error::Transport {
            source: TransportError::connect(io),
            attempts: 2,
            outcome_unknown: false,
            request_id: "r".to_owned(),
        };
        assert!(!err.to_string().contains("refused by peer"));
        assert_eq!(
            err.source().map(ToString::to_string).as_deref(),
            Some("connection refused by peer")
        );
    }

    #[test]
    fn error_is_small_enough_to_return() {
        assert!(size_of::<Error>() <= 128, "{}", size_of::<Error>());
    }
}
