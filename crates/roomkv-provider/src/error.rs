//! [`Error`]: why a request failed, for any [`Vendor`]: an [`ErrorKind`] beside the
//! [`ErrorContext`] every kind shares; [`BuildError`]: why a client could not be built.

use std::error::Error as StdError;
use std::fmt;

use roomkv_core::{
    ApiCode, ApiError, CodeClass, DecodeError, EncodeError, QuotaFamily, ValidationError,
};
use roomkv_transport::limiter::RateLimited;
use roomkv_transport::{BoxError, TransportError};

/// What differs between vendors in an [`Error`] and in the request engine. Implemented by a
/// marker type in each provider crate (`roomkv_rongcloud::RongCloud`, `roomkv_tencent::Tencent`).
pub trait Vendor: fmt::Debug + Send + Sync + Sized + 'static {
    /// The vendor's name in messages: `RongCloud`, `Tencent`.
    const NAME: &'static str;
    /// The vendor's name as the `vendor` label of metrics: `rongcloud`, `tencent`.
    const LABEL: &'static str;
    /// The provider crate's name, for messages that name a feature of it: `roomkv-rongcloud`.
    const CRATE: &'static str;
    /// The HTTP statuses the vendor itself answers with (business errors, 401, 429). Any other
    /// non-2xx status, and every 5xx, comes from something in front of it and switches hosts.
    /// The default of the engine's expected statuses, which a provider may replace when they
    /// depend on its configuration ([`Engine::set_expected_statuses`](crate::Engine::set_expected_statuses)).
    const EXPECTED_STATUSES: &'static [http::StatusCode];
    /// The vendor's typed error code, which [`Error::api_code`] returns.
    type Code: fmt::Debug + Copy + PartialEq;
    /// Why the vendor's own settings (credentials and such) cannot build a client: the
    /// [`BuildError::Credentials`] variant.
    type CredentialsError: StdError + Send + Sync + 'static;
    /// Core's endpoint type of the vendor's operations (`Operation::Endpoint`).
    type Endpoint: Send + Sync;

    /// The vendor's code inside core's [`ApiCode`], or `None` for another vendor's code.
    fn code(code: ApiCode) -> Option<Self::Code>;
}

/// Why a provider's `ClientBuilder` could not build a client: the vendor's own settings
/// ([`BuildError::Credentials`]), or one of the settings every provider shares.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError<V: Vendor> {
    /// The vendor's own settings are missing or invalid (an App Key, a secret, an SDKAppID).
    #[error(transparent)]
    Credentials(V::CredentialsError),
    /// A host URL is not an absolute `https://` URL (or `http://` to a loopback host)
    /// without a query.
    #[error("invalid host URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// `ClientBuilder::hosts` was given no URL.
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
        "no HTTP client: enable the `hyper` feature of {krate} or pass one to ClientBuilder::http_client",
        krate = V::CRATE
    )]
    NoHttpClient,
    /// The built-in HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    HttpClient(TransportError),
}

/// What every failed request reports whatever its [`ErrorKind`]: how many requests were
/// sent, whether a write may have been applied, and the request id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorContext {
    /// How many requests were sent: 0 when the request was refused before sending.
    pub attempts: u32,
    /// A write may have been applied although it failed (see [`Error::is_outcome_unknown`]).
    pub outcome_unknown: bool,
    /// The request id: the vendor's in its answer, or the one the client sent.
    pub request_id: Option<String>,
}

impl ErrorContext {
    /// The context of a request that was sent `attempts` times.
    pub fn new(attempts: u32, outcome_unknown: bool, request_id: Option<String>) -> Self {
        Self {
            attempts,
            outcome_unknown,
            request_id,
        }
    }
}

/// Where a request failed: before anything was sent ([`Validation`](Self::Validation),
/// [`Config`](Self::Config), [`Signing`](Self::Signing), [`Encode`](Self::Encode),
/// [`RateLimited`](Self::RateLimited)), on the way ([`Transport`](Self::Transport)), or in
/// the vendor's answer ([`Api`](Self::Api), [`UnexpectedStatus`](Self::UnexpectedStatus),
/// [`Decode`](Self::Decode)).
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind<V: Vendor> {
    /// The request breaks a documented limit ([`Limits`](roomkv_core::Limits)); nothing was
    /// sent.
    Validation(ValidationError),
    /// The client configuration is invalid; nothing was sent. `ClientBuilder::build` returns
    /// a [`BuildError`] directly; this kind lets `?` carry both in one type.
    Config(BuildError<V>),
    /// An attempt could not be signed; nothing was sent.
    Signing(BoxError),
    /// The request could not be encoded (a host URL that cannot take the operation's path);
    /// nothing was sent.
    Encode(EncodeError),
    /// The HTTP exchange failed: no connection, a timeout, a reset, an unreadable body. Ask
    /// it with its predicates.
    Transport(TransportError),
    /// The vendor answered with an error code: the code, the vendor's message, the HTTP
    /// status and the request id (the vendor's, or the id the client sent when the vendor did
    /// not echo it).
    Api(ApiError),
    /// The answer had an HTTP status the vendor does not use and no vendor reply: a gateway or
    /// proxy in front of the vendor answered.
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
    },
    /// The client's rate limiter did not admit an attempt, which was therefore not sent: its
    /// quota family had no room within the longest wait allowed (`max_rate_wait` of the
    /// `ClientBuilder`), or the shared quota store was unreachable and the limiter fails
    /// closed. When an earlier attempt of a write ended with an unknown outcome, it still did.
    RateLimited {
        /// The quota family that had no room.
        family: QuotaFamily,
        /// The limiter's refusal: the bucket, its rate, the wait it would have needed.
        source: RateLimited,
    },
    /// The answer could not be read as a vendor reply.
    Decode(DecodeError),
}

/// Why a request failed: its [`ErrorKind`] and its [`ErrorContext`].
///
/// The methods answer the questions callers ask whatever the kind:
///
/// | method | question |
/// |---|---|
/// | [`is_refused_before_sending`](Self::is_refused_before_sending) | was the request refused by the client itself, with nothing sent? |
/// | [`is_outcome_unknown`](Self::is_outcome_unknown) | may this *write* have been applied although it failed? |
/// | [`is_retryable`](Self::is_retryable) | is the failure transient (worth trying again later)? |
/// | [`is_throttled`](Self::is_throttled) | did the vendor, or the client's rate limiter, refuse because of a rate limit? |
/// | [`api_code`](Self::api_code), [`api_error`](Self::api_error) | what exactly did the vendor answer? |
/// | [`request_id`](Self::request_id) | which request id did the request carry or the answer name, for the vendor's support? |
/// | [`attempts`](Self::attempts) | how many requests were sent? |
/// | [`kind`](Self::kind) | where exactly did it fail? |
///
/// `Display` is one sentence: the vendor code, its meaning, the vendor's message and the
/// request id, or the transport cause. `source()` leads to the underlying cause that the
/// sentence does not already contain (the I/O or TLS error behind a transport failure), so
/// printing the whole chain repeats nothing. No error ever contains a secret or a signature.
pub struct Error<V: Vendor> {
    /// Boxed, so that a `Result` stays small.
    inner: Box<Inner<V>>,
}

struct Inner<V: Vendor> {
    kind: ErrorKind<V>,
    context: ErrorContext,
}

impl<V: Vendor> fmt::Debug for Error<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("context", &self.inner.context)
            .finish()
    }
}

impl<V: Vendor> Error<V> {
    /// An error of `kind` with `context`.
    pub fn new(kind: ErrorKind<V>, context: ErrorContext) -> Self {
        Self {
            inner: Box::new(Inner { kind, context }),
        }
    }

    /// An error of `kind` for a request refused before sending: no attempt, no request id.
    pub fn refused(kind: ErrorKind<V>) -> Self {
        Self::new(kind, ErrorContext::default())
    }

    /// Where the request failed.
    pub fn kind(&self) -> &ErrorKind<V> {
        &self.inner.kind
    }

    /// Where the request failed, taking the error apart.
    pub fn into_kind(self) -> ErrorKind<V> {
        self.inner.kind
    }

    /// What every kind reports: attempts, whether a write may have been applied, request id.
    pub fn context(&self) -> &ErrorContext {
        &self.inner.context
    }

    /// True when the client refused the request itself and nothing of it was sent: it breaks
    /// a limit ([`ErrorKind::Validation`]), the configuration is invalid
    /// ([`ErrorKind::Config`]), it could not be signed or encoded, or the client's rate
    /// limiter did not admit its first attempt ([`ErrorKind::RateLimited`] with no attempt
    /// sent). Fix the request or the configuration (or wait, for the limiter); the vendor
    /// never saw it.
    pub fn is_refused_before_sending(&self) -> bool {
        match self.kind() {
            ErrorKind::Validation(_)
            | ErrorKind::Config(_)
            | ErrorKind::Signing(_)
            | ErrorKind::Encode(_) => true,
            ErrorKind::RateLimited { .. } => self.attempts() == 0,
            _ => false,
        }
    }

    /// True when a *write* failed in a way that leaves its effect unknown: the request may have
    /// been applied (a timeout or reset after sending, a transient vendor error, a gateway's
    /// 5xx, a garbled reply, or a refusal that a lost earlier attempt may have caused).
    ///
    /// Such writes are not repeated automatically unless the client was built with
    /// [`WriteRetry::RepeatIdempotent`](crate::WriteRetry::RepeatIdempotent) and the vendor
    /// answered a transient error, and writes that notify the room or conversation never are: a
    /// second send would post the notification twice. After a timeout, a reset after sending, a
    /// gateway's status, a garbled reply or a vendor timeout code the write may also still be
    /// applied *later*, at any moment, over anything written to the same keys since. Read the
    /// state back before deciding to repeat one. Always false for reads and for requests that
    /// were never sent.
    pub fn is_outcome_unknown(&self) -> bool {
        self.inner.context.outcome_unknown
    }

    /// How the request ended, in one word from a bounded set: the `outcome` label of the
    /// `roomkv_requests_total` metric and the span's `error.type`: `outcome_unknown`,
    /// `rate_limited_locally`, `refused_before_sending`, `throttled`, `transport_error` or
    /// `vendor_error` (a success is `ok`).
    pub fn outcome(&self) -> &'static str {
        match self.kind() {
            _ if self.is_outcome_unknown() => "outcome_unknown",
            ErrorKind::RateLimited { .. } => "rate_limited_locally",
            ErrorKind::Validation(_)
            | ErrorKind::Config(_)
            | ErrorKind::Signing(_)
            | ErrorKind::Encode(_) => "refused_before_sending",
            _ if self.is_throttled() => "throttled",
            ErrorKind::Transport(_) => "transport_error",
            ErrorKind::Api(_) | ErrorKind::UnexpectedStatus { .. } | ErrorKind::Decode(_) => {
                "vendor_error"
            }
        }
    }

    /// True when the failure is transient, so the same request may succeed later: throttling,
    /// transient vendor codes, transport failures (except a request refused before sending),
    /// gateway statuses and garbled replies.
    ///
    /// The client already retried what its policy allows. Before repeating a write, check
    /// [`is_outcome_unknown`](Self::is_outcome_unknown).
    pub fn is_retryable(&self) -> bool {
        match self.kind() {
            ErrorKind::Transport(source) => !source.is_invalid(),
            ErrorKind::Api(error) => error.is_retryable(),
            ErrorKind::UnexpectedStatus { .. }
            | ErrorKind::Decode(_)
            | ErrorKind::RateLimited { .. } => true,
            ErrorKind::Validation(_)
            | ErrorKind::Config(_)
            | ErrorKind::Signing(_)
            | ErrorKind::Encode(_) => false,
        }
    }

    /// True when the vendor (or a gateway, with HTTP 429) refused because of a rate limit, or
    /// the client's own rate limiter did not admit the request ([`ErrorKind::RateLimited`]).
    /// The last attempt was not processed.
    pub fn is_throttled(&self) -> bool {
        match self.kind() {
            ErrorKind::Api(error) => error.is_throttled(),
            ErrorKind::UnexpectedStatus { status } => *status == 429,
            ErrorKind::RateLimited { .. } => true,
            _ => false,
        }
    }

    /// The vendor's error code, when the vendor answered with one. Unknown codes are the code
    /// type's `Other`.
    pub fn api_code(&self) -> Option<V::Code> {
        V::code(self.api_error()?.code)
    }

    /// The vendor's whole answer (code, message, HTTP status, request id), when it answered
    /// with an error code.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self.kind() {
            ErrorKind::Api(error) => Some(error),
            _ => None,
        }
    }

    /// The request id of the failed request: the vendor's in its answer, or the one the client
    /// sent, for the vendor's support and your logs. `None` when nothing was sent, and for a
    /// vendor without client ids when it did not answer.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.context.request_id.as_deref()
    }

    /// The client rate limiter's refusal, for [`ErrorKind::RateLimited`].
    pub fn rate_limited(&self) -> Option<(QuotaFamily, &RateLimited)> {
        match self.kind() {
            ErrorKind::RateLimited { family, source } => Some((*family, source)),
            _ => None,
        }
    }

    /// How many requests were sent: 0 when the request was refused before sending.
    pub fn attempts(&self) -> u32 {
        self.inner.context.attempts
    }

    /// The HTTP status of the last answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self.kind() {
            ErrorKind::Api(error) => Some(error.http_status),
            ErrorKind::UnexpectedStatus { status } => Some(*status),
            _ => None,
        }
    }

    /// The transport failure, for [`ErrorKind::Transport`].
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self.kind() {
            ErrorKind::Transport(source) => Some(source),
            _ => None,
        }
    }

    /// The broken limit, for [`ErrorKind::Validation`].
    pub fn validation_error(&self) -> Option<&ValidationError> {
        match self.kind() {
            ErrorKind::Validation(err) => Some(err),
            _ => None,
        }
    }

    /// How the vendor's code is classified, for [`ErrorKind::Api`].
    pub fn code_class(&self) -> Option<CodeClass> {
        self.api_error().map(ApiError::class)
    }
}

impl<V: Vendor> From<ValidationError> for Error<V> {
    fn from(err: ValidationError) -> Self {
        Self::refused(ErrorKind::Validation(err))
    }
}

impl<V: Vendor> From<BuildError<V>> for Error<V> {
    fn from(err: BuildError<V>) -> Self {
        Self::refused(ErrorKind::Config(err))
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

/// `" [request id …]"`, or nothing without a request id.
struct Id<'a>(Option<&'a str>);

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = self.0 {
            write!(f, " [request id {id}]")?;
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

impl<V: Vendor> fmt::Display for Error<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = V::NAME;
        let ErrorContext {
            attempts,
            outcome_unknown,
            request_id,
        } = self.context();
        let (after, id, unknown) = (
            After(*attempts),
            Id(request_id.as_deref()),
            Unknown(*outcome_unknown),
        );
        match self.kind() {
            ErrorKind::Validation(err) => write!(f, "request refused before sending: {err}"),
            ErrorKind::Config(err) => write!(f, "invalid client configuration: {err}"),
            ErrorKind::Signing(err) => {
                write!(
                    f,
                    "request refused before sending: could not sign it: {err}"
                )
            }
            ErrorKind::Encode(err) => write!(f, "request refused before sending: {err}"),
            ErrorKind::Transport(source) => {
                write!(f, "{name} request failed{after}: {source}{id}{unknown}")
            }
            ErrorKind::Api(error) => write!(f, "{error}{after}{unknown}"),
            ErrorKind::UnexpectedStatus { status } => write!(
                f,
                "{name} request failed{after}: HTTP {status} without a {name} reply (a gateway answered){id}{unknown}"
            ),
            ErrorKind::RateLimited { family, source } => {
                write!(f, "{name} {} request not sent: {source}", family.name())?;
                if *attempts > 0 {
                    write!(f, "; earlier attempts sent: {attempts}")?;
                }
                write!(f, "{unknown}")
            }
            ErrorKind::Decode(source) => {
                write!(
                    f,
                    "could not read {name}'s reply{after}: {source}{id}{unknown}"
                )
            }
        }
    }
}

impl<V: Vendor> StdError for Error<V> {
    /// The cause behind the one the message names: for transport failures, the I/O, TLS or
    /// HTTP error underneath. The texts of [`TransportError`], [`ApiError`], [`DecodeError`]
    /// and [`ValidationError`] are already part of the message, so they are not repeated here.
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self.kind() {
            ErrorKind::Transport(source) => source.source(),
            ErrorKind::Config(BuildError::HttpClient(err)) => err.source(),
            ErrorKind::Config(BuildError::Credentials(err)) => err.source(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomkv_core::RongCloudCode;

    /// A vendor like RongCloud: client request ids, RongCloud's codes.
    #[derive(Debug)]
    struct RongCloud;

    impl Vendor for RongCloud {
        const NAME: &'static str = "RongCloud";
        const LABEL: &'static str = "rongcloud";
        const CRATE: &'static str = "roomkv-test";
        const EXPECTED_STATUSES: &'static [http::StatusCode] = &[];
        type Code = RongCloudCode;
        type CredentialsError = std::convert::Infallible;
        type Endpoint = ();

        fn code(code: ApiCode) -> Option<RongCloudCode> {
            match code {
                ApiCode::RongCloud(code) => Some(code),
                ApiCode::Tencent(_) => None,
            }
        }
    }

    type BuildError = super::BuildError<RongCloud>;
    type Error = super::Error<RongCloud>;

    #[test]
    fn messages_are_one_sentence_with_code_message_and_request_id() {
        let api = Error::new(
            ErrorKind::Api(
                ApiError::rongcloud(RongCloudCode::RateLimited, "Too many requests", 429)
                    .with_request_id("rid-1"),
            ),
            ErrorContext::new(3, false, Some("rid-1".to_owned())),
        );
        assert_eq!(
            api.to_string(),
            "RongCloud error 1008 (call frequency exceeds the limit): Too many requests \
             [HTTP 429, request id rid-1] after 3 attempts"
        );
        let transport = Error::new(
            ErrorKind::Transport(TransportError::timeout(Some(
                std::time::Duration::from_secs(5),
            ))),
            ErrorContext::new(1, true, Some("rid-2".to_owned())),
        );
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
        let err = Error::new(
            ErrorKind::Transport(TransportError::connect(io)),
            ErrorContext::new(2, false, Some("r".to_owned())),
        );
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

    #[test]
    fn refusals_before_sending_are_told_apart_from_failures_after() {
        let signing = Error::refused(ErrorKind::Signing("bad header".into()));
        assert!(signing.is_refused_before_sending());
        assert_eq!(signing.outcome(), "refused_before_sending");
        assert_eq!(
            signing.to_string(),
            "request refused before sending: could not sign it: bad header"
        );
        let status = Error::new(
            ErrorKind::UnexpectedStatus { status: 502 },
            ErrorContext::new(1, false, None),
        );
        assert!(!status.is_refused_before_sending());
    }

    #[test]
    fn build_errors_name_the_crate() {
        assert_eq!(
            BuildError::NoHttpClient.to_string(),
            "no HTTP client: enable the `hyper` feature of roomkv-test or pass one to \
             ClientBuilder::http_client"
        );
        let config = Error::from(BuildError::NoHosts);
        assert!(matches!(
            config.kind(),
            ErrorKind::Config(BuildError::NoHosts)
        ));
        assert!(config.is_refused_before_sending());
        assert_eq!(config.outcome(), "refused_before_sending");
    }

    #[test]
    fn a_refusal_of_the_rate_limiter_names_the_family_and_the_wait() {
        use roomkv_transport::limiter::{Charge, RateLimitReason};
        let charges = [Charge {
            bucket: "rongcloud:app:entry-set".into(),
            rate_per_sec: 100,
            units: 20,
        }];
        let refusal = RateLimited::new(
            &charges,
            0,
            RateLimitReason::WaitTooLong {
                wait: std::time::Duration::from_millis(12_500),
                max_wait: std::time::Duration::from_secs(10),
            },
        );
        let err = Error::new(
            ErrorKind::RateLimited {
                family: QuotaFamily::RongCloudEntrySet,
                source: refusal,
            },
            ErrorContext::new(1, true, None),
        );
        assert_eq!(
            err.to_string(),
            "RongCloud entry-set request not sent: quota rongcloud:app:entry-set (100/s) has no \
             room for 12500 ms, longer than the maximum wait of 10000 ms; nothing sent; earlier \
             attempts sent: 1; the write may or may not have been applied"
        );
        assert!(err.is_throttled() && err.is_retryable() && err.is_outcome_unknown());
        // An earlier attempt was sent: not refused before sending as a whole.
        assert!(!err.is_refused_before_sending());
        assert_eq!(err.attempts(), 1);
        assert_eq!(err.request_id(), None);
        assert_eq!(
            err.rate_limited().unwrap().0,
            QuotaFamily::RongCloudEntrySet
        );
        // The limiter refusing the first attempt: nothing of the request was sent.
        let ErrorKind::RateLimited { family, source } = err.into_kind() else {
            unreachable!("built as RateLimited above")
        };
        let first = Error::refused(ErrorKind::RateLimited { family, source });
        assert!(first.is_refused_before_sending() && first.is_throttled());
        assert_eq!(first.outcome(), "rate_limited_locally");
        assert!(!first.is_outcome_unknown());
    }
}
