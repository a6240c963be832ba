//! [`Error`]: why a request failed, and [`BuildError`]: why a client could not be built.

use std::error::Error as StdError;
use std::fmt;

use roomkv_core::ValidationError;
use roomkv_core::{ApiCode, ApiError, CodeClass, DecodeError, EncodeError, TencentCode};
use roomkv_transport::TransportError;

/// Why a [`ClientBuilder`](crate::ClientBuilder) could not build a client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No SDKAppID was given ([`ClientBuilder::sdkappid`](crate::ClientBuilder::sdkappid)).
    #[error("the SDKAppID is missing; set it with ClientBuilder::sdkappid")]
    MissingSdkAppId,
    /// No secret key was given ([`ClientBuilder::secret_key`](crate::ClientBuilder::secret_key)).
    #[error("the secret key is missing; set it with ClientBuilder::secret_key")]
    MissingSecretKey,
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
    /// The UserSig lifetime is shorter than a minute.
    #[error("the UserSig lifetime must be at least 60 s, not {secs} s")]
    UserSigLifetimeTooShort {
        /// The lifetime given, in seconds.
        secs: u64,
    },
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
        "no HTTP client: enable the `hyper` feature of roomkv-tencent or pass one to ClientBuilder::http_client"
    )]
    NoHttpClient,
    /// The built-in HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    HttpClient(TransportError),
}

/// Why a request failed.
///
/// The variants say where it failed: before anything was sent ([`Error::Validation`],
/// [`Error::Encode`], [`Error::Config`]), on the way ([`Error::Transport`]), or in Tencent's
/// answer ([`Error::Api`], [`Error::UnexpectedStatus`], [`Error::Decode`]). The methods answer
/// the questions callers ask whatever the variant:
///
/// | method | question |
/// |---|---|
/// | [`is_outcome_unknown`](Self::is_outcome_unknown) | may this *write* have been applied although it failed? |
/// | [`is_retryable`](Self::is_retryable) | is the failure transient (worth trying again later)? |
/// | [`is_throttled`](Self::is_throttled) | did Tencent refuse because of a frequency limit? |
/// | [`api_code`](Self::api_code), [`api_error`](Self::api_error), [`request_id`](Self::request_id) | what exactly did Tencent answer? |
/// | [`attempts`](Self::attempts) | how many requests were sent? |
///
/// `Display` is one sentence: the vendor code, its meaning, Tencent's message and the request
/// id, or the transport cause. `source()` leads to the underlying cause that the sentence does
/// not already contain (the I/O or TLS error behind a transport failure), so printing the whole
/// chain repeats nothing. No error ever contains the secret key, the UserSig or a request URL.
///
/// ```
/// use roomkv_tencent::{Error, TencentCode};
///
/// fn explain(err: &Error) -> &'static str {
///     if err.api_code() == Some(TencentCode::RoomNotFound) {
///         "no such room"
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
    /// The request could not be encoded (a host URL that cannot take the command's path);
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
    },
    /// Tencent answered with an error code.
    #[non_exhaustive]
    Api {
        /// The code, Tencent's message, the HTTP status and the request id.
        error: ApiError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
    },
    /// The answer had an HTTP status other than 200 and no Tencent reply: a gateway or proxy
    /// in front of Tencent answered.
    #[non_exhaustive]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
    },
    /// The answer could not be read as a Tencent reply.
    #[non_exhaustive]
    Decode {
        /// What could not be read.
        source: DecodeError,
        /// How many requests were sent.
        attempts: u32,
        /// A write may have been applied (see [`Error::is_outcome_unknown`]).
        outcome_unknown: bool,
    },
}

impl Error {
    /// True when a *write* failed in a way that leaves its effect unknown: the request may have
    /// been applied (a timeout or reset after sending, a transient Tencent error, a gateway's
    /// 5xx, a garbled reply, or a refusal that a lost earlier attempt may have caused, such
    /// as 100003 "room ID already exists" after a lost `create_room` reply).
    ///
    /// Such writes are not repeated automatically unless the client was built with
    /// [`WriteRetry::RepeatIdempotent`](crate::WriteRetry::RepeatIdempotent). Read the state
    /// back before deciding to repeat one. Always false for reads and for requests that were
    /// never sent.
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
    /// and transient Tencent codes (60007, 60008, 100001, …), transport failures (except a
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

    /// True when Tencent (or a gateway, with HTTP 429) refused because of a frequency limit:
    /// 60007, 60011, 60018, 60019 or 100012. The request was not processed.
    pub fn is_throttled(&self) -> bool {
        match self {
            Self::Api { error, .. } => error.is_throttled(),
            Self::UnexpectedStatus { status, .. } => *status == 429,
            _ => false,
        }
    }

    /// Tencent's error code, when Tencent answered with one. Unknown codes are
    /// [`TencentCode::Other`].
    pub fn api_code(&self) -> Option<TencentCode> {
        match self.api_error()?.code {
            ApiCode::Tencent(code) => Some(code),
            ApiCode::RongCloud(_) => None,
        }
    }

    /// Tencent's whole answer (code, message, HTTP status, request id), when it answered with
    /// an error code.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The `RequestId` of Tencent's answer, for Tencent's support.
    pub fn request_id(&self) -> Option<&str> {
        self.api_error()?.request_id.as_deref()
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

    /// How Tencent's code is classified, for [`Error::Api`].
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
            } => write!(
                f,
                "Tencent request failed{}: {source}{}",
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
            } => write!(
                f,
                "Tencent request failed{}: HTTP {status} without a Tencent reply (a gateway answered){}",
                After(*attempts),
                Unknown(*outcome_unknown)
            ),
            Self::Decode {
                source,
                attempts,
                outcome_unknown,
            } => write!(
                f,
                "could not read Tencent's reply{}: {source}{}",
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
